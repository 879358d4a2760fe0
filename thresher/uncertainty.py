"""How unsure the model is about a block or a page: margin and entropy of its label scores.

Used to choose what annotators see next (uncertainty sampling, as in Prodigy's teach recipes):
the blocks whose two best labels are closest, or whose scores are spread the most.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .blocks import Block
from .labels import LABELS

METHODS = ("margin", "entropy")


def block_uncertainty(scores: np.ndarray, method: str = "margin") -> np.ndarray:
    """Uncertainty in [0, 1] of each row of label probabilities.

    ``margin`` is 1 minus the gap between the two best labels; ``entropy`` is the
    scores' entropy divided by its maximum, log(number of labels).

    Examples
    --------
    >>> block_uncertainty(np.array([[1.0, 0, 0], [0.5, 0.5, 0]])).round(2).tolist()
    [0.0, 1.0]
    >>> block_uncertainty(np.array([[1/3, 1/3, 1/3]]), "entropy").round(2).tolist()
    [1.0]
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=float))
    if method == "margin":
        top = np.sort(scores, axis=1)[:, ::-1]
        return 1.0 - (top[:, 0] - top[:, 1])
    if method == "entropy":
        p = np.clip(scores, 1e-12, 1.0)
        return -(p * np.log(p)).sum(axis=1) / np.log(scores.shape[1])
    raise ValueError(f"unknown uncertainty method {method!r}; choose from {', '.join(METHODS)}")


def blocks_uncertainty(blocks: Sequence[Block], method: str = "margin") -> np.ndarray:
    """The uncertainty of each labeled block (its ``scores``, in the guideline's label order)."""
    if not blocks:
        return np.zeros(0)
    return block_uncertainty(np.array([[b.scores[label] for label in LABELS] for b in blocks]), method)


def page_uncertainty(blocks: Sequence[Block], method: str = "margin") -> float:
    """A page's uncertainty: the mean of its blocks' (a long page of sure blocks ranks low)."""
    values = blocks_uncertainty(blocks, method)
    return float(values.mean()) if len(values) else 0.0
