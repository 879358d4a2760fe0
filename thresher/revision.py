"""Decide block labels from their scores, then revise them by their neighbours (jusText's
second phase); no model here.

The decision follows the guideline's order: first whether a block belongs to the
article (``P(content) = 1 - P(boilerplate)`` at least ``min_content``), then, for
content, its most probable kind. Taking the most probable of the five scores instead
would raise the bar for content with the kind model's doubt: a block at
``P(content) = 0.6`` whose kinds split 0.4/0.3/0.3 scores 0.24 at best and would lose
to boilerplate's 0.4.

After that, one block unsure of its side (content or boilerplate) lying between two
sure blocks of the other side is moved to their side. Headings and short fragments
between article paragraphs are the usual beneficiaries. Then a content block unsure of
its kind takes the kind its content neighbours on both sides share: kinds come in runs
(a list of defendants, a table of figures, a run of quotes).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from .labels import BOILERPLATE, LABELS, Label

#: A block is content when its content probability reaches this. Chosen on out-of-fold
#: probabilities of the train+dev gold pages (tools/decision_cv.py, swept 0.4-0.6: 0.4 best in
#: three builds, block macro-F1 +0.007 to +0.010 over the argmax, 0.5 +0.000 to +0.002). Below
#: 0.5 because on pages of unseen sites the content head is under-confident: 55-65% of the gold
#: blocks it scores 0.35-0.5 are content. Keep every threshold >= compiled.MIN_CONTENT_FOR_KIND.
MIN_CONTENT_DEFAULT = 0.4
#: Kinds content from a lower probability than MIN_CONTENT_DEFAULT, when they are the block's most
#: probable kind. A defendant table scraped one cell per line reads like a menu to the content head
#: (P(content) 0.1-0.4) and like a case record to the kind model. Chosen on the gold out-of-fold
#: scores (tools/decision_cv.py rules --case-record-at 0.2 0.25 0.3 0.35: 0.2 best, macro-F1 +0.014
#: [+0.005, +0.023] over none) and checked on WCXB dev cross-validation (0.8520 against 0.8518).
KIND_MIN_CONTENT_DEFAULT: Mapping[str, float] = MappingProxyType({Label.CASE_RECORD.value: 0.2})
#: A block is unsure of its side (content or boilerplate), and may follow its neighbours, when its
#: content probability lies less than ``MIN_CONFIDENCE_DEFAULT - 0.5`` from the content threshold
#: (at a threshold of 0.5: when its side's probability is below this). Chosen on WCXB dev folds
#: (swept 0.5-0.8) with the argmax rule; re-run evaluate.py benchmark after changing.
MIN_CONFIDENCE_DEFAULT = 0.6
#: A content block whose most probable kind holds less than this share of its content probability
#: takes the kind its nearest content blocks before and after it share (boilerplate between them
#: skipped); its side does not change. Pre-registered (session 19) and chosen on the gold
#: out-of-fold probabilities (tools/decision_cv.py's build of session 12, 187 pages): shares 0.5,
#: 0.6, 0.7 gave block macro-F1 +0.002, +0.008, +0.009 [+0.005, +0.013] over none, every label up.
MIN_KIND_SHARE_DEFAULT = 0.7
_BOILERPLATE = LABELS.index(BOILERPLATE)


def decide(proba: np.ndarray, *, min_content: float | None = MIN_CONTENT_DEFAULT,
           kind_min_content: Mapping[str, float] | None = KIND_MIN_CONTENT_DEFAULT) -> list[str]:
    """Labels from a (blocks × 5) probability array, columns in ``LABELS`` order, no revision.

    ``min_content=None`` takes the most probable of the five scores (the rule before
    the content-first one, kept for comparison in ``tools/decision_cv.py``).
    ``kind_min_content`` gives some kinds their own threshold: a block whose most
    probable kind is one of them is content from that threshold on (``None`` or ``{}``:
    ``min_content`` for every kind).

    Examples
    --------
    >>> p = np.array([[.24, .18, .18, 0, .4], [.2, 0, 0, 0, .8]])
    >>> decide(p)
    ['news_body', 'boilerplate']
    >>> decide(p, min_content=None)
    ['boilerplate', 'boilerplate']
    """
    return _decide(proba, min_content, kind_min_content)[0]


def _decide(proba: np.ndarray, min_content: float | None, kind_min_content: Mapping[str, float] | None
            ) -> tuple[list[str], list[str], np.ndarray, np.ndarray | None]:
    """The labels, each block's most probable kind, which blocks are content, and each block's
    content threshold (None for the argmax rule): ``revise`` reads them all."""
    best = _best_kinds(proba)
    kinds = [LABELS[i] for i in best]
    if min_content is None:
        return [LABELS[i] for i in proba.argmax(axis=1)], kinds, proba[:, _BOILERPLATE] < 0.5, None
    # one threshold per label column, read by each block's best kind
    threshold = np.array([(kind_min_content or {}).get(label, min_content) for label in LABELS])[best]
    content = 1.0 - proba[:, _BOILERPLATE] >= threshold
    return [kind if c else BOILERPLATE for kind, c in zip(kinds, content.tolist())], kinds, content, threshold


def _best_kinds(proba: np.ndarray) -> np.ndarray:
    """Each block's most probable content label's column (its kind, were it content)."""
    kinds = proba.copy()
    kinds[:, _BOILERPLATE] = -1.0
    return kinds.argmax(axis=1)


def revise(proba: np.ndarray, *, min_content: float | None = MIN_CONTENT_DEFAULT,
           min_confidence: float = MIN_CONFIDENCE_DEFAULT,
           kind_min_content: Mapping[str, float] | None = KIND_MIN_CONTENT_DEFAULT,
           min_kind_share: float | None = MIN_KIND_SHARE_DEFAULT) -> list[str]:
    """Final labels from a (blocks × 5) probability array, columns in ``LABELS`` order.

    Parameters
    ----------
    proba : the blocks' probabilities, in page order.
    min_content : the content probability from which a block is content (see :func:`decide`).
    min_confidence : a block whose content probability lies less than ``min_confidence - 0.5``
        from its threshold is unsure of its side and may follow its neighbours.
    kind_min_content : thresholds of their own for some kinds (see :func:`decide`).
    min_kind_share : a content block whose most probable kind holds less than this share of
        its kinds' probability takes the kind its nearest content neighbours on both sides
        share (``None``: no kind follows its neighbours; see :func:`revise_kinds`).

    Examples
    --------
    >>> p = np.array([[.9, 0, 0, 0, .1], [.35, 0, 0, 0, .65], [.8, 0, 0, 0, .2]])
    >>> decide(p)
    ['news_body', 'boilerplate', 'news_body']
    >>> revise(p)
    ['news_body', 'news_body', 'news_body']
    """
    labels, kinds, content, threshold = _decide(proba, min_content, kind_min_content)
    if len(labels) < 3:
        return labels
    if threshold is None:
        confident = proba.max(axis=1) >= min_confidence
    else:
        # sure of its side by its distance from the threshold: how its kinds split does not
        # make a content block unsure
        confident = np.abs(1.0 - proba[:, _BOILERPLATE] - threshold) >= min_confidence - 0.5
    confident, content = confident.tolist(), content.tolist()  # Python bools: no numpy scalar per read
    for i in range(1, len(labels) - 1):
        if confident[i] or content[i - 1] != content[i + 1] or content[i] == content[i - 1]:
            continue
        if content[i - 1] and confident[i - 1] and confident[i + 1]:
            labels[i] = kinds[i]
        elif not content[i - 1] and confident[i - 1] and confident[i + 1]:
            labels[i] = BOILERPLATE
    return labels if min_kind_share is None else revise_kinds(labels, proba, min_kind_share)


def revise_kinds(labels: list[str], proba: np.ndarray, min_kind_share: float = MIN_KIND_SHARE_DEFAULT) -> list[str]:
    """``labels`` with each content block unsure of its kind (its label's share of the five
    scores less boilerplate below ``min_kind_share``) given the kind that the nearest content
    blocks before and after it share. Neighbours are read as labeled, not as revised.

    Examples
    --------
    >>> p = np.array([[.1, 0, .8, 0, .1], [.4, 0, .3, 0, .3], [.1, 0, .8, 0, .1]])
    >>> revise_kinds(['case_record', 'news_body', 'case_record'], p)
    ['case_record', 'case_record', 'case_record']
    >>> revise_kinds(['case_record', 'news_body', 'case_record'], p, min_kind_share=0.5)
    ['case_record', 'news_body', 'case_record']
    """
    content = [i for i, label in enumerate(labels) if label != BOILERPLATE]
    if len(content) < 3:
        return labels
    kinds = np.delete(proba, _BOILERPLATE, axis=1)
    share = (kinds.max(axis=1) / np.maximum(kinds.sum(axis=1), np.finfo(float).tiny)).tolist()
    out = list(labels)
    for before, i, after in zip(content, content[1:], content[2:]):
        if labels[before] == labels[after] != labels[i] and share[i] < min_kind_share:
            out[i] = labels[before]
    return out


def side_needs_kind(content: np.ndarray, *, min_confidence: float = MIN_CONFIDENCE_DEFAULT) -> np.ndarray:
    """Which blocks' side (content or not, sure of it or not) under :func:`revise`'s default
    thresholds can depend on their kind, from their content probabilities.

    A kind with a threshold of its own moves a block's threshold, and so its side and how sure
    of it the block is, only for probabilities within ``min_confidence - 0.5`` of the thresholds'
    range. Every other block takes the same side whatever its kind: the article's text needs
    no kind for it.

    >>> side_needs_kind(np.array([0.05, 0.15, 0.3, 0.45, 0.55, 0.9]))
    array([False,  True,  True,  True, False, False])
    """
    thresholds = [MIN_CONTENT_DEFAULT, *KIND_MIN_CONTENT_DEFAULT.values()]
    # below 0.5 every block is sure of its side, but a kind still moves its threshold; widened a
    # little: revise reads 1 - P(boilerplate), which may differ from P(content) in the last bit
    margin = max(min_confidence - 0.5, 0.0) + 1e-9
    p = np.asarray(content, dtype=np.float64)
    return (p >= min(thresholds) - margin) & (p < max(thresholds) + margin)
