"""Revise block labels by their neighbours (jusText's second phase); no model here.

After the learned passes, one uncertain block lying between two blocks of the
same side (content or boilerplate) is moved to that side. Headings and short
fragments between article paragraphs are the usual beneficiaries.
"""

from __future__ import annotations

import numpy as np

from .labels import LABELS, Label

#: Below this top probability a block is uncertain and may follow its neighbours.
#: Chosen on WCXB dev folds (swept 0.5-0.8); re-run evaluate.py benchmark after changing.
MIN_CONFIDENCE_DEFAULT = 0.6
_BOILERPLATE = LABELS.index(Label.BOILERPLATE.value)


def revise(proba: np.ndarray, *, min_confidence: float = MIN_CONFIDENCE_DEFAULT) -> list[str]:
    """Final labels from a (blocks × 5) probability array, columns in ``LABELS`` order.

    Examples
    --------
    >>> p = np.array([[.9, 0, 0, 0, .1], [.45, 0, 0, 0, .55], [.8, 0, 0, 0, .2]])
    >>> revise(p)
    ['news_body', 'news_body', 'news_body']
    """
    labels = [LABELS[i] for i in proba.argmax(axis=1)]
    if len(labels) < 3:
        return labels
    content = proba[:, _BOILERPLATE] < 0.5
    confident = proba.max(axis=1) >= min_confidence
    for i in range(1, len(labels) - 1):
        if confident[i] or content[i - 1] != content[i + 1] or content[i] == content[i - 1]:
            continue
        if content[i - 1] and confident[i - 1] and confident[i + 1]:
            kinds = proba[i].copy()
            kinds[_BOILERPLATE] = -1.0
            labels[i] = LABELS[int(kinds.argmax())]
        elif not content[i - 1] and confident[i - 1] and confident[i + 1]:
            labels[i] = Label.BOILERPLATE.value
    return labels
