"""Inter-annotator agreement: Cohen's kappa overall and per label, and the confusion table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .scores import confusion_table


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's κ of two label sequences over the same items.

    Examples
    --------
    >>> round(cohen_kappa(["x", "x", "y", "y"], ["x", "x", "y", "x"]), 3)
    0.5
    """
    if len(a) != len(b) or not a:
        raise ValueError("kappa needs two non-empty label sequences of the same length")
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if expected == 1.0 else (observed - expected) / (1.0 - expected)


def per_label_kappa(a: Sequence[str], b: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """κ of each label against all others (one-vs-rest)."""
    out = {}
    for label in labels:
        x = [v == label for v in a]
        y = [v == label for v in b]
        out[label] = cohen_kappa(["1" if v else "0" for v in x], ["1" if v else "0" for v in y]) if any(x) or any(y) else float("nan")
    return out


def confusion(a: Sequence[str], b: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Counts: rows are ``a``'s labels, columns ``b``'s, in ``labels`` order."""
    return confusion_table(a, b, labels=labels).astype(int).tolist()
