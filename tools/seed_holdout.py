"""How a model that never saw the seed page, nor one fold of WCXB sites, labels them.

    OMP_NUM_THREADS=1 PYTHONPATH=$PWD python tools/seed_holdout.py fit --out /tmp/holdout.npz \\
        -- --batches 1,2,4 --kind-only-batches 4
    PYTHONPATH=$PWD python tools/seed_holdout.py score /tmp/holdout.npz

``fit`` learns what ``train.py`` learns (its options go after ``--``) less the seed page and every
example of WCXB fold 0's sites (the first of 5 folds grouped by domain over every WCXB dev page; not
the same split as ``evaluate.py benchmark wcxb-dev``'s, whose folds cover the pages that segment),
in about 10 minutes on one core, and saves the model as ``train.py`` does (arrays, no pickle).
``score`` prints what the shipped model cannot show, since the seed is one of its training pages:

* the seed page's labels against the guideline's worked example, and how many of its ten
  boilerplate blocks ("Featured" teasers, "New Products" blurbs) are labeled content;
* fold 0's WCXB articles, word F1 against ``main_content``, as HTML and as three text scrapes
  of the same blocks: one element per line, blank-line paragraphs, and the dump
  (``thresher.dump``, the seed's shape);
* fold 0's gold pages labeled as dumps (batch 5), block and word content F1 against the hand labels.

Session 9 used it to judge two tries at the seed's teasers (see the model card's known limits).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import train  # noqa: E402
from thresher.annotations import read_dir  # noqa: E402
from thresher.corpus import corpus_dir, read_bytes, wcxb_pages  # noqa: E402
from thresher.dump import dump_text  # noqa: E402
from thresher.evaluation.scores import content_f1  # noqa: E402
from thresher.labels import Label  # noqa: E402
from thresher.options import SegmentOptions  # noqa: E402
from thresher.persistence import load_model, save_model  # noqa: E402
from thresher.pipeline import Page, label_blocks  # noqa: E402
from thresher.segmenter import split_page  # noqa: E402
from thresher.training import fit_examples, segment_gold  # noqa: E402

SEED_SITE = "seed"
BOILERPLATE = Label.BOILERPLATE.value


def fold_sites(corpus: Path) -> set[str]:
    """The domains of WCXB fold 0: the first of 5 folds grouped by domain over every WCXB dev page."""
    pages = list(wcxb_pages(corpus))
    sites = np.array([p.site for p in pages])
    _, held = next(GroupKFold(n_splits=5).split(pages, groups=sites))
    return set(sites[held].tolist())


def fit(args: argparse.Namespace) -> int:
    train_args = train.parse_args(args.train_args)
    examples, notes = train.load_examples(train_args)
    for note in notes:
        print(f"note: {note}")
    held = fold_sites(corpus_dir(train_args.corpus_dir)) | {SEED_SITE}
    kept = [e for e in examples if e.site not in held]
    print(f"learning from {len(kept)} of {len(examples)} examples (the seed and {len(held) - 1} WCXB domains held out)")
    model = fit_examples(train.new_model(train_args), kept)
    save_model(model, args.out, card={"held_out": "the seed page and WCXB fold 0's domains"})
    print(f"wrote {args.out}")
    return 0


def score(args: argparse.Namespace) -> int:
    from thresher.evaluation import benchmarks

    corpus = corpus_dir(None)
    model = load_model(args.model)
    gold = read_dir(Path(args.annotations))
    seed = next(p for p in gold if p.site == SEED_SITE)
    blocks, matched = segment_gold(seed, corpus)
    labels = label_blocks(blocks, model)
    truth = [g.label if g else "" for g in matched]
    kept = sum(t == BOILERPLATE and p != BOILERPLATE for t, p in zip(truth, labels))
    print(f"seed page: {sum(t == p for t, p in zip(truth, labels))} of {len(truth)} blocks as the worked example; "
          f"boilerplate labeled content: {kept} of {truth.count(BOILERPLATE)}")
    held = fold_sites(corpus)
    pages = [p for p in wcxb_pages(corpus) if p.site in held and p.page_type == "article"]
    texts: dict[str, list[str]] = {"html": [], "lines": [], "paragraphs": [], "dump": []}
    for page in pages:
        html, _, _ = split_page(read_bytes(page.path), SegmentOptions())
        label_blocks(html, model)
        texts["html"].append(Page(html).text())
        for name, text in (("lines", "\n".join(b.text for b in html)), ("paragraphs", "\n\n".join(b.text for b in html)),
                           ("dump", dump_text(html))):
            scraped, _, _ = split_page(text, SegmentOptions(input_format="text"))
            label_blocks(scraped, model)
            texts[name].append(Page(scraped).text())
    references = [p.reference for p in pages]
    for name, predicted in texts.items():
        s = benchmarks.score("wcxb-dev", predicted, references)
        print(f"WCXB fold 0, {len(pages)} articles as {name:10s}: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")
    truth, predicted, words = [], [], []
    dumps = [p for p in gold if p.extra.get("rendering") == "dump" and p.site in held]
    for page in dumps:
        blocks, matched = segment_gold(page, corpus)
        for block, g, label in zip(blocks, matched, label_blocks(blocks, model)):
            if g is not None:
                truth.append(g.label)
                predicted.append(label)
                words.append(len(block.text.split()))
    if dumps:
        print(f"gold dumps of fold 0's sites, {len(dumps)} pages: block content F1 {content_f1(truth, predicted):.3f}, "
              f"word content F1 {content_f1(truth, predicted, words):.3f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("fit", help="fit a model without the seed page and WCXB fold 0's domains")
    make.add_argument("--out", required=True, help="model file to write (.npz)")
    make.add_argument("train_args", nargs="*", help="train.py's options, after --")
    read = sub.add_parser("score", help="score such a model on the seed page and fold 0")
    read.add_argument("model", help="the model file `fit` wrote")
    read.add_argument("--annotations", default="annotations")
    args = parser.parse_args(argv)
    return fit(args) if args.command == "fit" else score(args)


if __name__ == "__main__":
    sys.exit(main())
