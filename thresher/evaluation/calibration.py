"""Calibration of block scores: a reliability table and the expected calibration error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bin:
    """One confidence bin: its bounds, how many blocks fell in it, their mean score and accuracy."""

    low: float
    high: float
    count: int
    confidence: float
    accuracy: float


def reliability(confidence: Sequence[float], correct: Sequence[bool], *, bins: int = 10) -> list[Bin]:
    """Equal-width bins over [0, 1]; a score of exactly 1.0 falls in the last bin.

    Examples
    --------
    >>> [(b.count, b.accuracy) for b in reliability([0.1, 0.15, 0.9, 1.0], [False, True, True, True], bins=2)]
    [(2, 0.5), (2, 1.0)]
    """
    if len(confidence) != len(correct):
        raise ValueError("confidence and correct must have the same length")
    members: list[list[int]] = [[] for _ in range(bins)]
    for i, c in enumerate(confidence):
        if not 0.0 <= c <= 1.0:
            raise ValueError(f"a confidence must lie in [0, 1], got {c}")
        members[min(int(c * bins), bins - 1)].append(i)
    out = []
    for k, idx in enumerate(members):
        n = len(idx)
        out.append(Bin(k / bins, (k + 1) / bins, n,
                       sum(confidence[i] for i in idx) / n if n else 0.0,
                       sum(bool(correct[i]) for i in idx) / n if n else 0.0))
    return out


def expected_calibration_error(table: Sequence[Bin]) -> float:
    """ECE: the count-weighted mean gap between accuracy and mean confidence over the bins.

    Examples
    --------
    >>> round(expected_calibration_error(reliability([0.9, 0.9, 0.6, 0.6], [True, False, True, True], bins=10)), 3)
    0.4
    """
    total = sum(b.count for b in table)
    return sum(b.count * abs(b.accuracy - b.confidence) for b in table) / total if total else 0.0
