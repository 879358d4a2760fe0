"""Compare decision rules on WCXB dev's out-of-fold block scores, without refitting.

    python evaluate.py benchmark wcxb-dev --batches 1,2 --save-proba wcxb_proba.npz
    python tools/wcxb_rules.py wcxb_proba.npz

Each page is segmented again (segmentation is deterministic, so its blocks are those the
scores belong to), labeled by each rule from the same scores, and scored with the benchmark's
own word F1: overall, per page type (precision, recall, F1), and the paired page bootstrap of
each rule against the shipped one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from thresher.corpus import corpus_dir, wcxb_pages  # noqa: E402
from thresher.evaluation import benchmarks  # noqa: E402
from thresher.pipeline import Page  # noqa: E402
from thresher.revision import revise  # noqa: E402
from thresher.training import benchmark_examples  # noqa: E402

Rule = Callable[[np.ndarray], list[str]]
RULES: dict[str, Rule] = {
    "shipped": revise,
    "argmax": lambda p: revise(p, min_content=None),
    "t=0.45": lambda p: revise(p, min_content=0.45),
    "t=0.5": lambda p: revise(p, min_content=0.5),
}


def texts_by_rule(examples, proba, rules: dict[str, Rule]) -> dict[str, dict[str, str]]:
    """Each rule's extracted text of each page that has scores."""
    out: dict[str, dict[str, str]] = {name: {} for name in rules}
    for example in examples:
        if example.page_id not in proba:
            continue
        scores = proba[example.page_id]
        if len(scores) != len(example.blocks):
            raise SystemExit(f"{example.page_id}: {len(scores)} scores for {len(example.blocks)} blocks")
        for name, rule in rules.items():
            for block, label in zip(example.blocks, rule(scores) if len(scores) else []):
                block.label = label
            out[name][example.page_id] = Page(example.blocks).text()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("proba", help="the npz file `evaluate.py benchmark wcxb-dev --save-proba` wrote")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    pages = list(wcxb_pages(corpus_dir(None)))
    proba = dict(np.load(args.proba))
    examples = [e for e in benchmark_examples(pages, jobs=args.jobs) if e.source == "wcxb"]
    texts = texts_by_rule(examples, proba, RULES)
    references = [p.reference for p in pages]
    types = sorted({p.page_type for p in pages})
    shipped = [texts["shipped"].get(p.page_id, "") for p in pages]
    print(f"{len(pages)} pages; per type: precision / recall / F1; diff: paired page bootstrap against shipped")
    for name in RULES:
        predicted = [texts[name].get(p.page_id, "") for p in pages]
        s = benchmarks.score("wcxb-dev", predicted, references)
        diff = benchmarks.paired_difference("wcxb-dev", predicted, shipped, references)
        per_type = []
        for t in types:
            idx = [i for i, p in enumerate(pages) if p.page_type == t]
            st = benchmarks.score("wcxb-dev", [predicted[i] for i in idx], [references[i] for i in idx])
            per_type.append(f"{t} {st['precision']:.3f}/{st['recall']:.3f}/{st['f1']:.3f}")
        print(f"{name:12s} P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}  "
              f"diff {diff['diff']:+.4f} [{diff['low']:+.4f}, {diff['high']:+.4f}]  " + ", ".join(per_type))
    return 0


if __name__ == "__main__":
    sys.exit(main())
