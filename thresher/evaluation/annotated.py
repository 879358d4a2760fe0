"""Score a model, the keyword baseline and the second annotator on gold pages."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..annotations import GoldPage
from ..labels import LABELS
from ..pipeline import label_blocks
from ..training import gold_examples
from .agreement import cohen_kappa, confusion, per_label_kappa
from .baseline import keyword_label
from .scores import Scored


def score_pages(model, pages: list[GoldPage], corpus: Path | None) -> dict[str, list[Scored]]:
    """Per system (``model``, ``keyword``), the gold and predicted labels of every page."""
    out: dict[str, list[Scored]] = {"model": [], "keyword": []}
    for example in gold_examples(pages, corpus):
        blocks = example.blocks
        words = [len(b.text.split()) for b in blocks]
        labels = label_blocks(blocks, model)
        out["model"].append(Scored(example.page_id, example.site, example.labels, labels, words))
        out["keyword"].append(Scored(example.page_id, example.site, example.labels,
                                     [keyword_label(b) for b in blocks], words))
    return out


def second_annotator(pages: list[GoldPage]) -> list[Scored]:
    """The second annotator's labels against the gold, on the doubly-labeled pages."""
    out = []
    for page in pages:
        votes = [b.extra.get("votes") for b in page.blocks]
        if not all(votes):
            continue
        second = [v[-1]["label"] for v in votes]
        out.append(Scored(page.doc_id, page.site, [b.label for b in page.blocks], second,
                          [len(b.text.split()) for b in page.blocks]))
    return out


def agreement(pages: list[GoldPage]) -> dict:
    """κ (overall, per label) and the confusion table between the two independent annotators."""
    first, second = [], []
    for page in pages:
        for block in page.blocks:
            votes = block.extra.get("votes")
            if votes and len(votes) >= 2:
                first.append(votes[0]["label"])
                second.append(votes[1]["label"])
    if not first:
        return {"pages": 0}
    return {
        "pages": sum(1 for p in pages if all(b.extra.get("votes") for b in p.blocks)),
        "blocks": len(first),
        "raw_agreement": sum(a == b for a, b in zip(first, second)) / len(first),
        "kappa": cohen_kappa(first, second),
        "kappa_per_label": per_label_kappa(first, second, LABELS),
        "confusion": confusion(first, second, LABELS),
        "adjudicated": sum(1 for p in pages for b in p.blocks if "adjudicated" in b.extra),
    }


def stats(pages: list[GoldPage]) -> dict:
    """Pages, blocks and label counts per split, and the share of hand labels."""
    out: dict = {}
    for split in ("train", "dev", "test"):
        chosen = [p for p in pages if p.split == split]
        labels = Counter(b.label for p in chosen for b in p.blocks)
        out[split] = {"pages": len(chosen), "sites": len({p.site for p in chosen}),
                      "blocks": sum(labels.values()), "labels": {k: labels.get(k, 0) for k in LABELS}}
    blocks = [b for p in pages for b in p.blocks]
    out["all"] = {"pages": len(pages), "blocks": len(blocks),
                  "labels": {k: sum(1 for b in blocks if b.label == k) for k in LABELS},
                  "origin": dict(Counter(b.origin for b in blocks)),
                  "hand_share": sum(b.origin == "hand" for b in blocks) / max(len(blocks), 1)}
    return out
