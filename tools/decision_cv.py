"""Choose the final decision rule on out-of-fold probabilities of the train+dev gold pages.

    PYTHONPATH=$PWD python tools/decision_cv.py build --limit 400 --threads 1 --out /tmp/oof.npz
    PYTHONPATH=$PWD python tools/decision_cv.py rules /tmp/oof.npz
    PYTHONPATH=$PWD python tools/decision_cv.py compare /tmp/oof.npz /tmp/candidate.npz

``--limit 400`` fits a fold in about 3 minutes on one core, ``--limit 0`` (every WCXB page, as
``train.py``) in about 6; MIN_CONTENT_DEFAULT was chosen on builds with 400, 800 and all pages,
KIND_MIN_CONTENT_DEFAULT (``rules --case-record-at 0.2 0.25 0.3 0.35``) on a build with all pages.

``build`` splits the train+dev gold pages into site-grouped folds (as ``tools/kind_cv.py``
does) and, for each fold, fits a whole ``BlockClassifier`` on the examples ``train.py``
learns from (WCXB pages, the first ``--limit`` of them to keep a fold's fit to minutes,
and the gold pages), leaving out every example of the fold's sites; it then labels the
fold's pages as ``evaluate.py annotations`` does (the whole re-segmented page) and keeps
their five-label probabilities. Nothing is fitted on a page whose site it is scored on,
so the content scores are as unsure as they are on unseen pages, unlike the shipped
model's on its own training pages. The probabilities are written as plain arrays (npz).

``rules`` scores decision rules on those probabilities: block macro-F1 over the five
labels and per-label F1, on the blocks the gold re-aligns to, after neighbour revision.
The test split is never read.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

import train
from thresher.annotations import parse_batches, read_dir
from thresher.corpus import corpus_dir
from thresher.evaluation.scores import confusion_table, content_f1_table, paired_bootstrap_tables, prf_table
from thresher.labels import BOILERPLATE, LABELS
from thresher.model import BlockClassifier
from thresher.revision import (
    KIND_MIN_CONTENT_DEFAULT,
    MIN_CONTENT_DEFAULT,
    MIN_KIND_SHARE_DEFAULT,
    _best_kinds,
    revise,
    revise_kinds,
)
from thresher.training import GOLD_WEIGHT, fit_examples, parse_params, segment_gold


def build(args: argparse.Namespace) -> int:
    splits = set(args.splits.split(","))
    train_args = train.parse_args(["--splits", args.splits, "--limit", str(args.limit), "--jobs", str(args.jobs),
                                   "--gold-weight", str(args.gold_weight)]
                                  + (["--kind-only-batches", args.kind_only_batches] if args.kind_only_batches else [])
                                  + (["--leave-out-pages", args.leave_out_pages] if args.leave_out_pages else []))
    examples, notes = train.load_examples(train_args)
    for note in notes:
        print(f"note: {note}")
    corpus = corpus_dir(None)
    pages = [p for p in read_dir(Path(train_args.annotations)) if p.split in splits]
    # learn-only batches' pages are never held out (the folds are those of a run without them);
    # their examples are learned in the folds that do not hold their site
    batch = {p.doc_id: p.batch for p in pages}
    left_out = parse_batches(args.leave_out_batch) or set()
    examples = [e for e in examples if e.source != "gold" or batch[e.page_id] not in left_out]
    learn_only = parse_batches(args.learn_only_batch) or set()
    left_out_pages = train.left_out_pages(train_args)
    pages = [p for p in pages if batch[p.doc_id] not in learn_only | left_out and p.doc_id not in left_out_pages]
    sites = np.array([p.site for p in pages])
    proba, gold, page_index = [], [], []
    for fold, (_, held) in enumerate(GroupKFold(n_splits=args.folds).split(pages, groups=sites)):
        held_sites = set(sites[held].tolist())
        kept = [e for e in examples if e.site not in held_sites]
        started = time.time()
        model = fit_examples(BlockClassifier(**{"random_state": args.seed, **parse_params(args.set)}), kept,
                             threads=args.threads)
        for i in held:
            blocks, matched = segment_gold(pages[i], corpus)
            proba.append(model.page_proba(blocks)[1])
            gold += [g.label if g is not None else "" for g in matched]
            page_index += [i] * len(blocks)
        print(f"fold {fold}: {len(held)} pages of {len(held_sites)} sites held out, "
              f"fitted on {len(kept)} examples in {time.time() - started:.0f} s", flush=True)
    np.savez_compressed(args.out, proba=np.vstack(proba), gold=np.array(gold), page=np.array(page_index),
                        doc_id=np.array([p.doc_id for p in pages]))
    print(f"wrote {args.out}")
    return 0


def page_tables(proba: np.ndarray, gold: np.ndarray, page: np.ndarray, rule) -> np.ndarray:
    """One confusion table per page of the rule's labels (revision reads a page's neighbours),
    on the blocks the gold re-aligns to."""
    tables = []
    for i in dict.fromkeys(page.tolist()):
        mine = page == i
        keep = gold[mine] != ""
        tables.append(confusion_table(gold[mine][keep], np.array(rule(proba[mine]))[keep]))
    return np.stack(tables)


def macro_f1(table: np.ndarray) -> float:
    return prf_table(table)["macro"]["f1"]


def rules(args: argparse.Namespace) -> int:
    data = np.load(args.oof)
    proba, gold, page = data["proba"], data["gold"], data["page"]
    candidates = {"argmax": lambda p: revise(p, min_content=None)}
    for t in (0.4, 0.45, 0.5, 0.55, 0.6):
        candidates[f"content-first t={t}"] = lambda p, t=t: revise(p, min_content=t, kind_min_content=None)
    for t in args.case_record_at:
        candidates[f"t=0.4, case_record {t}"] = lambda p, t=t: revise(p, kind_min_content={"case_record": t})
    print(f"{len(set(page.tolist()))} pages, {int((gold != '').sum())} gold blocks; "
          "diff: macro-F1 minus argmax's, 95% interval and P(not better) resampling pages")
    print(f"{'rule':22s} macro-F1 " + " ".join(f"{label:>11s}" for label in LABELS)
          + "  content-F1  diff [95%]  P(not better)")
    tables = {name: page_tables(proba, gold, page, rule) for name, rule in candidates.items()}
    for name, table in tables.items():
        diff = paired_bootstrap_tables(table, tables["argmax"], macro_f1)
        print(f"{name:22s} {score_row(table, 3)}  {diff['diff']:+.3f} [{diff['low']:+.3f}, "
              f"{diff['high']:+.3f}]  {diff['p_not_better']:.2f}")
    return 0


def score_row(tables: np.ndarray, places: int) -> str:
    """Macro-F1, each label's F1 and content F1 of per-page confusion ``tables``, as ``rules`` and
    ``compare`` print them."""
    total = tables.sum(axis=0)
    scores = prf_table(total)
    return (f"{scores['macro']['f1']:8.{places}f} " + " ".join(f"{scores[lb]['f1']:11.3f}" for lb in LABELS)
            + f"  {content_f1_table(total):10.3f}")


def compare(args: argparse.Namespace) -> int:
    """Two builds of the same pages (a candidate against a base) under the shipped decision rule:
    per-label F1 of each, and the paired page bootstrap of the candidate's macro-F1 minus the base's."""
    base, cand = np.load(args.base), np.load(args.candidate)
    if any(not np.array_equal(base[key], cand[key]) for key in ("gold", "page", "doc_id")):
        print("the two builds did not score the same pages and blocks", file=sys.stderr)
        return 2
    base_tables, cand_tables = (page_tables(d["proba"], d["gold"], d["page"], revise) for d in (base, cand))
    kinds = ", ".join(f"{kind} at {t}" for kind, t in KIND_MIN_CONTENT_DEFAULT.items())
    print(f"{len(base_tables)} pages, {int((base['gold'] != '').sum())} gold blocks; shipped rule "
          f"(content at {MIN_CONTENT_DEFAULT}, {kinds}, then revision)")
    print(f"{'build':10s} macro-F1 " + " ".join(f"{label:>11s}" for label in LABELS) + "  content-F1  stat P / R")
    for name, table in (("base", base_tables), ("candidate", cand_tables)):
        stat = prf_table(table.sum(axis=0))["statistic"]
        print(f"{name:10s} {score_row(table, 4)}  {stat['precision']:.3f} / {stat['recall']:.3f}")
    diff = paired_bootstrap_tables(cand_tables, base_tables, macro_f1)
    print(f"candidate - base: {diff['diff']:+.4f} [{diff['low']:+.4f}, {diff['high']:+.4f}], "
          f"P(not better) {diff['p_not_better']:.3f}")
    return 0


PRIOR_GRID = (0.8, 1.0, 1.25, 1.5, 2.0)
PRIOR_KINDS = ("quote", "case_record", "statistic")


def weighted_kinds_rule(proba: np.ndarray, weights: np.ndarray) -> list[str]:
    """The shipped rule, with each content block's kind chosen (and revised by its neighbours)
    from its kind probabilities times ``weights`` (one per ``LABELS`` column). Sides are the
    shipped rule's, from the unweighted probabilities: no block changes side."""
    labels = revise(proba, min_kind_share=None)
    weighted = proba * weights
    kinds = _best_kinds(weighted)
    labels = [LABELS[k] if label != BOILERPLATE else label for label, k in zip(labels, kinds.tolist())]
    return revise_kinds(labels, weighted, MIN_KIND_SHARE_DEFAULT)


def priors(args: argparse.Namespace) -> int:
    """Kind weights chosen by nested cross-validation on the build's own site-grouped folds: each
    fold's pages are labeled with the weights that score best on the other folds' pages."""
    data = np.load(args.oof)
    proba, gold, page, doc_id = data["proba"], data["gold"], data["page"], data["doc_id"]
    site_of = {p.doc_id: p.site for p in read_dir(Path(args.annotations))}
    sites = np.array([site_of[d] for d in doc_id.tolist()])
    grid = sorted(itertools.product(PRIOR_GRID, repeat=len(PRIOR_KINDS)),
                  key=lambda w: sum(abs(np.log(w))))  # ties go to the weights nearest 1
    columns = [LABELS.index(kind) for kind in PRIOR_KINDS]

    def weights_of(w) -> np.ndarray:
        full = np.ones(len(LABELS))
        full[columns] = w
        return full

    # one confusion table per page and weighting
    tables = np.stack([page_tables(proba, gold, page, lambda p, w=w: weighted_kinds_rule(p, weights_of(w)))
                       for w in grid])  # (weightings, pages, 5, 5)
    base = page_tables(proba, gold, page, revise)
    if not np.array_equal(tables[grid.index((1.0,) * len(PRIOR_KINDS))], base):
        raise AssertionError("weights of 1 must give the shipped rule's labels")
    fold_of_page = np.empty(len(doc_id), dtype=int)
    for fold, (_, held) in enumerate(GroupKFold(n_splits=args.folds).split(doc_id, groups=sites)):
        fold_of_page[held] = fold
    scored = list(dict.fromkeys(page.tolist()))  # the pages in the order page_tables gives them
    folds = fold_of_page[scored]
    nested = np.empty_like(base)
    print(f"{len(scored)} pages, {args.folds} folds; weights of {', '.join(PRIOR_KINDS)} from {PRIOR_GRID}")
    for fold in range(args.folds):
        inner = folds != fold
        best = max(range(len(grid)), key=lambda g: macro_f1(tables[g][inner].sum(axis=0)))
        nested[folds == fold] = tables[best][folds == fold]
        print(f"fold {fold}: chosen on the other folds {grid[best]} "
              f"(inner macro-F1 {macro_f1(tables[best][inner].sum(axis=0)):.4f})")
    best_all = max(range(len(grid)), key=lambda g: macro_f1(tables[g].sum(axis=0)))
    print(f"{'rule':10s} macro-F1 " + " ".join(f"{label:>11s}" for label in LABELS) + "  content-F1")
    print(f"{'shipped':10s} {score_row(base, 4)}")
    print(f"{'nested':10s} {score_row(nested, 4)}")
    diff = paired_bootstrap_tables(nested, base, macro_f1)
    print(f"nested - shipped: {diff['diff']:+.4f} [{diff['low']:+.4f}, {diff['high']:+.4f}], "
          f"P(not better) {diff['p_not_better']:.3f}")
    print(f"chosen on all pages: {grid[best_all]} (macro-F1 {macro_f1(tables[best_all].sum(axis=0)):.4f}, "
          "not a held-out figure)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="fit per fold and write the out-of-fold probabilities")
    make.add_argument("--splits", default="train,dev")
    make.add_argument("--folds", type=int, default=5)
    make.add_argument("--limit", type=int, default=400, help="WCXB pages learned from per fold (the first N)")
    make.add_argument("--seed", type=int, default=0)
    make.add_argument("--jobs", type=int, default=2, help="processes for segmenting WCXB pages")
    make.add_argument("--threads", type=int, default=0, help="OpenMP threads of the boosted trees (default: one per core)")
    make.add_argument("--out", default="oof.npz")
    make.add_argument("--learn-only-batch", help="learn from these annotation batches' pages (comma-separated), "
                      "never score them")
    make.add_argument("--leave-out-batch", help="neither learn from nor score these annotation batches' pages "
                      "(comma-separated)")
    make.add_argument("--gold-weight", type=float, default=GOLD_WEIGHT, help="a hand-labeled block's weight")
    make.add_argument("--leave-out-pages", metavar="DOC_ID,...",
                      help="annotation pages neither learned from nor scored (train.py's)")
    make.add_argument("--kind-only-batches", help="annotation batches that teach the kind model only (train.py's)")
    make.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                      help="a BlockClassifier parameter of the fold models (repeatable)")
    score_rules = commands.add_parser("rules", help="score decision rules on out-of-fold probabilities")
    score_rules.add_argument("oof", help="the npz file `build` wrote")
    score_rules.add_argument("--case-record-at", type=float, nargs="*", default=[],
                             help="also try these content thresholds for blocks whose kind is case_record")
    paired = commands.add_parser("compare", help="a candidate build against a base build of the same pages")
    paired.add_argument("base", help="the base build's npz file")
    paired.add_argument("candidate", help="the candidate build's npz file")
    weigh = commands.add_parser("priors", help="kind weights, chosen and scored by nested cross-validation")
    weigh.add_argument("oof", help="the npz file `build` wrote")
    weigh.add_argument("--folds", type=int, default=5, help="the build's folds")
    weigh.add_argument("--annotations", default="annotations", help="the gold pages' folder (for their sites)")
    args = parser.parse_args(argv)
    return {"build": build, "rules": rules, "compare": compare, "priors": priors}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
