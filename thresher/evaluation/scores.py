"""Block- and word-level scores of labels against gold, with page-bootstrap intervals.

Every score is computed from a confusion table (rows gold, columns predicted, in
``LABELS`` order). A page's table is built once; a bootstrap round only sums the
tables of the resampled pages, so intervals over tens of thousands of words take
a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..labels import LABELS

BOILERPLATE_INDEX = LABELS.index("boilerplate")


@dataclass(slots=True)
class Scored:
    """Gold and predicted labels of one page, per block and per aligned word.

    Attributes
    ----------
    gold, predicted : one label per block the gold and the system share.
    words : each block's word count (the fallback word weights).
    word_gold, word_predicted : one label per word after aligning the gold
        blocks' words with the system's blocks' words (see ``words.align_words``);
        empty when not computed.
    texts : the blocks' texts, for showing a page block by block.
    confidence, top_label : the highest block score and its label (models only).
    page_type : e.g. ``press release`` or ``wcxb article``.
    """

    page_id: str
    site: str
    gold: list[str]
    predicted: list[str]
    words: list[int] = field(default_factory=list)
    word_gold: list[str] = field(default_factory=list)
    word_predicted: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    confidence: list[float] = field(default_factory=list)
    top_label: list[str] = field(default_factory=list)
    page_type: str = ""


def confusion_table(gold: Sequence[str], predicted: Sequence[str], weights: Sequence[float] | None = None,
                    labels: Sequence[str] = LABELS) -> np.ndarray:
    """Weighted counts: rows are ``gold``'s labels, columns ``predicted``'s, in ``labels`` order.

    Examples
    --------
    >>> confusion_table(["a", "a", "b"], ["a", "b", "b"], labels=["a", "b"]).tolist()
    [[1.0, 1.0], [0.0, 1.0]]
    """
    index = {label: i for i, label in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    w = weights if weights is not None else [1.0] * len(gold)
    for g, p, wi in zip(gold, predicted, w):
        table[index[g], index[p]] += wi
    return table


def prf_table(table: np.ndarray, labels: Sequence[str] = LABELS) -> dict[str, dict[str, float]]:
    """Per-label precision/recall/F1/support of a confusion table, plus ``macro`` and ``micro``.

    The macro average runs over the labels present in the gold (support > 0);
    micro P = R = F1 = accuracy, since every item gets exactly one label.
    """
    tp = np.diag(table)
    predicted = table.sum(axis=0)
    support = table.sum(axis=1)
    out: dict[str, dict[str, float]] = {}
    for i, label in enumerate(labels):
        precision = tp[i] / predicted[i] if predicted[i] else 0.0
        recall = tp[i] / support[i] if support[i] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"precision": float(precision), "recall": float(recall), "f1": float(f1),
                      "support": float(support[i])}
    present = [label for label in labels if out[label]["support"] > 0]
    out["macro"] = {k: sum(out[lb][k] for lb in present) / max(len(present), 1) for k in ("precision", "recall", "f1")}
    accuracy = float(tp.sum() / table.sum()) if table.sum() else 0.0
    out["micro"] = {"precision": accuracy, "recall": accuracy, "f1": accuracy}
    return out


def prf(gold: Sequence[str], predicted: Sequence[str], weights: Sequence[int] | None = None,
        labels: Sequence[str] = LABELS) -> dict[str, dict[str, float]]:
    """Per-label precision/recall/F1/support, plus ``macro`` and ``micro`` averages.

    Examples
    --------
    >>> s = prf(["quote", "news_body"], ["quote", "quote"], labels=["quote", "news_body"])
    >>> round(s["quote"]["precision"], 2), s["news_body"]["recall"], s["micro"]["f1"]
    (0.5, 0.0, 0.5)
    """
    return prf_table(confusion_table(gold, predicted, weights, labels), labels)


def content_f1_table(table: np.ndarray) -> float:
    """F1 of content (any label but boilerplate) against boilerplate, from a ``LABELS`` table."""
    content = [i for i in range(len(LABELS)) if i != BOILERPLATE_INDEX]
    tp = table[np.ix_(content, content)].sum()
    fp = table[BOILERPLATE_INDEX, content].sum()
    fn = table[content, BOILERPLATE_INDEX].sum()
    return float(2 * tp / (2 * tp + fp + fn)) if tp else 0.0


def content_f1(gold: Sequence[str], predicted: Sequence[str], weights: Sequence[int] | None = None) -> float:
    """F1 of content (any label but boilerplate) against boilerplate."""
    return content_f1_table(confusion_table(gold, predicted, weights))


def pooled(pages: Sequence[Scored], by_words: bool = False) -> tuple[list[str], list[str], list[int] | None]:
    """All pages' labels in one sequence; ``by_words``: aligned words where known, else block word weights."""
    if by_words and all(p.word_gold for p in pages):
        return [x for p in pages for x in p.word_gold], [x for p in pages for x in p.word_predicted], None
    gold = [x for p in pages for x in p.gold]
    predicted = [x for p in pages for x in p.predicted]
    weights = [x for p in pages for x in p.words] if by_words else None
    return gold, predicted, weights


def page_tables(pages: Sequence[Scored], by_words: bool = False) -> np.ndarray:
    """One confusion table per page, shape ``(pages, labels, labels)``."""
    return np.stack([confusion_table(*pooled([p], by_words)) for p in pages]) if pages \
        else np.zeros((0, len(LABELS), len(LABELS)))


def bootstrap_tables(tables: np.ndarray, statistics: Callable[[np.ndarray], dict[str, float]],
                     *, rounds: int = 1000, seed: int = 0) -> dict[str, tuple[float, float]]:
    """95% intervals of the named figures ``statistics(table)`` returns, resampling pages with replacement.

    Examples
    --------
    >>> t = np.stack([np.eye(2), np.eye(2)])
    >>> bootstrap_tables(t, lambda m: {"acc": np.trace(m) / m.sum()}, rounds=20)
    {'acc': (1.0, 1.0)}
    """
    rng = np.random.default_rng(seed)
    n = len(tables)
    values: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, value in statistics(tables[rng.integers(0, n, n)].sum(axis=0)).items():
            values.setdefault(name, []).append(value)
    out = {}
    for name, v in values.items():
        v.sort()
        out[name] = (float(v[int(0.025 * rounds)]), float(v[int(0.975 * rounds) - 1]))
    return out


def paired_bootstrap_tables(ours: np.ndarray, theirs: np.ndarray, statistic: Callable[[np.ndarray], float],
                            *, rounds: int = 1000, seed: int = 0) -> dict[str, float]:
    """Paired bootstrap of ``statistic(ours) − statistic(theirs)`` over the same resampled pages."""
    rng = np.random.default_rng(seed)
    n = len(ours)
    diffs = []
    for _ in range(rounds):
        idx = rng.integers(0, n, n)
        diffs.append(statistic(ours[idx].sum(axis=0)) - statistic(theirs[idx].sum(axis=0)))
    diffs.sort()
    return {"diff": statistic(ours.sum(axis=0)) - statistic(theirs.sum(axis=0)),
            "low": float(diffs[int(0.025 * rounds)]), "high": float(diffs[int(0.975 * rounds) - 1]),
            "p_not_better": sum(d <= 0 for d in diffs) / rounds}
