"""Block- and word-level scores of labels against gold, with page-bootstrap intervals."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..labels import LABELS


@dataclass(slots=True)
class Scored:
    """Gold and predicted labels of one page, with each block's word count."""

    page_id: str
    site: str
    gold: list[str]
    predicted: list[str]
    words: list[int] = field(default_factory=list)


def prf(gold: Sequence[str], predicted: Sequence[str], weights: Sequence[int] | None = None,
        labels: Sequence[str] = LABELS) -> dict[str, dict[str, float]]:
    """Per-label precision/recall/F1/support, plus ``macro`` and ``micro`` averages.

    Examples
    --------
    >>> s = prf(["quote", "news_body"], ["quote", "quote"], labels=["quote", "news_body"])
    >>> round(s["quote"]["precision"], 2), s["news_body"]["recall"], s["micro"]["f1"]
    (0.5, 0.0, 0.5)
    """
    w = list(weights) if weights is not None else [1] * len(gold)
    out: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(wi for g, p, wi in zip(gold, predicted, w) if g == label and p == label)
        fp = sum(wi for g, p, wi in zip(gold, predicted, w) if g != label and p == label)
        fn = sum(wi for g, p, wi in zip(gold, predicted, w) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    present = [label for label in labels if out[label]["support"] > 0]
    out["macro"] = {k: sum(out[lb][k] for lb in present) / max(len(present), 1) for k in ("precision", "recall", "f1")}
    correct = sum(wi for g, p, wi in zip(gold, predicted, w) if g == p)
    total = sum(w) or 1
    out["micro"] = {"precision": correct / total, "recall": correct / total, "f1": correct / total}
    return out


def content_f1(gold: Sequence[str], predicted: Sequence[str], weights: Sequence[int] | None = None) -> float:
    """F1 of content (any label but boilerplate) against boilerplate."""
    g = ["content" if x != "boilerplate" else "boilerplate" for x in gold]
    p = ["content" if x != "boilerplate" else "boilerplate" for x in predicted]
    return prf(g, p, weights, labels=["content"])["content"]["f1"]


def pooled(pages: Sequence[Scored], by_words: bool = False) -> tuple[list[str], list[str], list[int] | None]:
    gold = [x for p in pages for x in p.gold]
    predicted = [x for p in pages for x in p.predicted]
    weights = [x for p in pages for x in p.words] if by_words else None
    return gold, predicted, weights


def bootstrap(pages: Sequence[Scored], statistic, *, rounds: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95% interval of ``statistic(pages)`` by resampling pages with replacement."""
    rng = random.Random(seed)
    values = sorted(statistic([pages[rng.randrange(len(pages))] for _ in pages]) for _ in range(rounds))
    return values[int(0.025 * rounds)], values[int(0.975 * rounds) - 1]


def macro_f1(pages: Sequence[Scored], by_words: bool = False) -> float:
    return prf(*pooled(pages, by_words))["macro"]["f1"]
