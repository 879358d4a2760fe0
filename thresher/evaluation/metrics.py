"""The benchmarks' own metrics, each implemented once (definitions: the corpus README)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall and F1."""

    precision: float
    recall: float
    f1: float


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def shingles(text: str, size: int = 4) -> Counter:
    """ScrapingHub shingles: 4-token windows of ``\\w+`` tokens, case kept."""
    tokens = _WORD.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i: i + size]) for i in range(len(tokens) - size + 1))


def scrapinghub_page(predicted: str, truth: str) -> tuple[float, float, float]:
    """Per-page (tp, fp, fn) shares of the ScrapingHub shingle metric."""
    pred, true = shingles(predicted), shingles(truth)
    tp = sum((pred & true).values())
    fp = sum(pred.values()) - tp
    fn = sum(true.values()) - tp
    total = tp + fp + fn
    if not total:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def scrapinghub_score(pairs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """ScrapingHub precision, recall, F1 and accuracy over ``(predicted, truth)`` pairs."""
    precisions, recalls, exact = [], [], []
    for predicted, truth in pairs:
        tp, fp, fn = scrapinghub_page(predicted, truth)
        if tp + fp > 0:
            precisions.append(1.0 if fp == 0 and fn == 0 else tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(tp / (tp + fn))
        exact.append(_WORD.findall(predicted) == _WORD.findall(truth))
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return {"precision": p, "recall": r, "f1": _f1(p, r), "accuracy": sum(exact) / max(len(exact), 1)}


def wcxb_page(predicted: str, truth: str) -> PRF:
    """WCXB word-level P/R/F1 of one page (bag of lower-cased ``\\w+`` words)."""
    pred = Counter(_WORD.findall(predicted.lower()))
    true = Counter(_WORD.findall(truth.lower()))
    if not true:
        score = 1.0 if not pred else 0.0
        return PRF(score, score, score)
    if not pred:
        return PRF(0.0, 0.0, 0.0)
    overlap = sum((pred & true).values())
    p = overlap / sum(pred.values())
    r = overlap / sum(true.values())
    return PRF(p, r, _f1(p, r))


def wcxb_score(pairs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """WCXB P, R and F1, each averaged over pages."""
    scores = [wcxb_page(p, t) for p, t in pairs]
    n = max(len(scores), 1)
    return {
        "precision": sum(s.precision for s in scores) / n,
        "recall": sum(s.recall for s in scores) / n,
        "f1": sum(s.f1 for s in scores) / n,
    }
