"""Cross-validate the kind model on the gold pages, grouped by site (the test split stays unread).

    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python tools/kind_cv.py                 # train+dev, 5 folds
    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python tools/kind_cv.py --set type_c=2 --set kind_balance=1
    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python tools/kind_cv.py --repeats 3 --learn-only-batch 2
    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python tools/kind_cv.py --repeats 3 --leave-out-batch 2
    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python tools/kind_cv.py --repeats 3 --leave-out-batch 3,5,6 --learn-only-batch 4

Only the kind part of ``BlockClassifier`` is refitted per fold, on the fold's gold content
blocks. Two figures per run:

* kind macro-F1: the four kinds on the held-out gold content blocks (the content head
  taken as perfect, every gold content block given a kind);
* 5-label macro-F1: the held-out pages as labeled at run time, the kinds combined with the
  shipped model's content scores. Those scores come from a model that was trained on these
  pages, so this figure is optimistic in absolute terms; it is for comparing kind models,
  which all meet the same content scores. Labels are decided as at run time (content
  first, ``thresher.revision.decide``); revision is not applied.

``--learn-only-batch 2`` scores the same pages as ``--leave-out-batch 2`` (a run without that
annotation batch; a gold page's ``batch``, 1 when absent) and lets the batch's pages join a
fold's training side when their site is not held out: whether the new pages help on sites they
do not come from. ``--model`` names the model whose content scores the 5-label figure uses
(the shipped one by default). ``--content-scores FILE`` keeps those scores in a file: written
the first time, read after, so a branch whose kind features no longer match any model file
(which ``load_model`` then refuses) can still be screened against the same content scores:

    python tools/kind_cv.py --content-scores /tmp/content.npz        # on main: writes the file
    python tools/kind_cv.py --content-scores /tmp/content.npz        # on the branch: reads it
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

import thresher.compiled
import thresher.model
from thresher.annotations import parse_batches, read_dir
from thresher.compiled import combine
from thresher.corpus import corpus_dir
from thresher.labels import CONTENT_LABELS, LABELS
from thresher.model import BlockClassifier
from thresher.persistence import load_model
from thresher.revision import decide
from thresher.training import gold_examples, one_blas_thread, parse_params
from thresher.typing_features import type_features

_ROWS: dict = {}


def _memo_type_features(blocks, indices, n_blocks, *, scanned=None):
    """``type_features``, computed once per (blocks, positions, scanned rows): the folds meet the same pages."""
    key = (tuple(id(b) for b in blocks), tuple(indices), n_blocks, None if scanned is None else tuple(scanned))
    if key not in _ROWS:
        _ROWS[key] = type_features(blocks, indices, n_blocks, scanned=scanned)
    return _ROWS[key]


def memoize_type_features() -> None:
    """Let fitting and scoring share ``type_features`` rows for this process's run (called by
    ``main``, not on import: the rows are keyed by the blocks' ids, valid while the pages live)."""
    thresher.model.type_features = _memo_type_features  # fitting
    thresher.compiled.type_features = _memo_type_features  # scoring


class GoldCase(NamedTuple):
    """A gold page as the folds read it."""

    blocks: list
    labels: list[str]
    site: str
    weight: float
    content: np.ndarray  # the content scores of the model given to ``load``
    batch: int


def load(splits: set[str], model_path: str | None = None, scores_path: Path | None = None) -> list[GoldCase]:
    """The gold pages in ``splits``, segmented afresh each run (a pickled cache would be a file
    that runs code when loaded), with their content scores: read from ``scores_path`` when it
    exists, else computed by the model and, given ``scores_path``, written there."""
    pages = [p for p in read_dir(Path("annotations")) if p.split in splits]
    batches = {p.doc_id: p.batch for p in pages}
    examples = gold_examples(pages, corpus_dir(None))
    if scores_path is not None and scores_path.exists():
        content = read_content_scores(scores_path, [(e.page_id, len(e.blocks)) for e in examples])
    else:
        model = load_model(model_path)
        content = [model.content_scores(e.blocks)[1] for e in examples]
        if scores_path is not None:
            write_content_scores(scores_path, [e.page_id for e in examples], content)
    return [GoldCase(e.blocks, e.labels, e.site, e.weight, c, batches[e.page_id]) for e, c in zip(examples, content)]


def write_content_scores(path: Path, page_ids: list[str], scores: list[np.ndarray]) -> None:
    """Pages' content scores as plain arrays (ids, block counts, all scores in page order)."""
    with open(path, "wb") as out:  # a file object: np.savez would add ".npz" to a name without it
        np.savez(out, page_id=np.array(page_ids, dtype=str), n_blocks=np.array([len(s) for s in scores], dtype=np.int64),
                 scores=np.concatenate(scores) if scores else np.zeros(0))


def read_content_scores(path: Path, pages: list[tuple[str, int]]) -> list[np.ndarray]:
    """The scores :func:`write_content_scores` wrote, for ``pages`` ((id, block count) each);
    raises ``ValueError`` when a page is missing or was segmented into another number of blocks."""
    with np.load(path, allow_pickle=False) as data:
        ids, counts, flat = data["page_id"].tolist(), data["n_blocks"], data["scores"]
    starts = np.concatenate([[0], np.cumsum(counts)])
    where = {page_id: (int(starts[i]), int(counts[i])) for i, page_id in enumerate(ids)}
    out = []
    for page_id, n_blocks in pages:
        if page_id not in where or where[page_id][1] != n_blocks:
            found = "missing" if page_id not in where else f"{where[page_id][1]} blocks, segmented now into {n_blocks}"
            raise ValueError(f"{path}: content scores of {page_id}: {found}")
        start, n = where[page_id]
        out.append(flat[start:start + n])
    return out


def cross_validate(pages: list[GoldCase], params: dict, folds: int, repeats: int, errors: list | None = None,
                   learn_only: Sequence[GoldCase] = ()) -> list[dict]:
    """Per repeat, kind and 5-label scores of ``pages``; ``learn_only`` pages are never scored and
    join a fold's training side when their site is not held out."""
    scored = len(pages)
    sites = np.array([p.site for p in pages])
    extra_sites = np.array([p.site for p in learn_only])
    pages = list(pages) + list(learn_only)
    results = []
    for repeat in range(repeats):
        splitter = GroupKFold(n_splits=folds, shuffle=repeats > 1, random_state=repeat if repeats > 1 else None)
        gold_kind, pred_kind, gold5, pred5, texts = [], [], [], [], []
        for train, test in splitter.split(sites, groups=sites):
            held = set(sites[test].tolist())
            train = np.concatenate([train, scored + np.flatnonzero([s not in held for s in extra_sites])]).astype(int)
            model = BlockClassifier(**params)
            model._fit_kinds([pages[i].blocks for i in train], [pages[i].labels for i in train],
                             np.array([pages[i].site for i in train]), np.array([pages[i].weight for i in train]))
            for i in test:
                blocks, labels, content = pages[i].blocks, pages[i].labels, pages[i].content
                is_content = np.array([v in CONTENT_LABELS for v in labels], dtype=float)
                kinds = model.kind_scores(blocks, is_content)
                for j in np.flatnonzero(is_content):
                    gold_kind.append(labels[j])
                    pred_kind.append(CONTENT_LABELS[int(kinds[j].argmax())])
                    texts.append(blocks[j].text)
                proba = combine(content, model.kind_scores(blocks, content))
                gold5 += labels
                pred5 += decide(proba)
        if errors is not None:
            errors.append((gold_kind, pred_kind, texts))
        kind_f1 = f1_score(gold_kind, pred_kind, labels=list(CONTENT_LABELS), average=None)
        label_f1 = f1_score(gold5, pred5, labels=list(LABELS), average=None)
        results.append({"kind_macro": kind_f1.mean(), "kind": dict(zip(CONTENT_LABELS, kind_f1)),
                        "macro5": label_f1.mean(), "label": dict(zip(LABELS, label_f1))})
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", default="train,dev")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1, help="repeats with shuffled site folds")
    parser.add_argument("--set", action="append", default=[], help="a BlockClassifier parameter, name=value")
    parser.add_argument("--learn-only-batch", help="learn from these annotation batches' pages (comma-separated), "
                        "never score them")
    parser.add_argument("--leave-out-batch", help="neither learn from nor score these annotation batches' pages "
                        "(comma-separated)")
    parser.add_argument("--model", help="model file whose content scores the 5-label figure uses (default: shipped)")
    parser.add_argument("--content-scores", type=Path, metavar="FILE",
                        help="read the content scores from FILE (.npz; --model is then not read), or, when it does not "
                        "exist, write them there")
    args = parser.parse_args(argv)
    if args.content_scores and not args.content_scores.exists() and not args.content_scores.parent.is_dir():
        parser.error(f"--content-scores: no folder {args.content_scores.parent} to write the file in")
    memoize_type_features()
    params = parse_params(args.set)
    left_out, learn_only = parse_batches(args.leave_out_batch) or set(), parse_batches(args.learn_only_batch) or set()
    try:
        loaded = load(set(args.splits.split(",")), args.model, args.content_scores)
    except (ValueError, OSError) as error:
        print(f"kind_cv: {error}", file=sys.stderr)
        return 2
    pages = [p for p in loaded if p.batch not in left_out]
    with one_blas_thread():  # as fit_examples: the same kind model on any machine
        results = cross_validate([p for p in pages if p.batch not in learn_only], params, args.folds, args.repeats,
                                 learn_only=[p for p in pages if p.batch in learn_only])
    for r in results:
        kinds = " ".join(f"{k} {v:.3f}" for k, v in r["kind"].items())
        labels = " ".join(f"{k} {v:.3f}" for k, v in r["label"].items())
        print(f"kind macro-F1 {r['kind_macro']:.3f} ({kinds})\n5-label macro-F1 {r['macro5']:.3f} ({labels})")
    if len(results) > 1:
        print(f"mean over {len(results)} repeats: kind macro-F1 {np.mean([r['kind_macro'] for r in results]):.3f}, "
              f"5-label macro-F1 {np.mean([r['macro5'] for r in results]):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
