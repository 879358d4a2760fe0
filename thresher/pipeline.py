"""segment_page(): the whole algorithm in a few lines (jusText's ``justext()``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .blocks import Block
from .compiled import MIN_CONTENT_FOR_KIND
from .labels import BOILERPLATE, CONTENT, CONTENT_LABELS, LABELS
from .options import SegmentOptions
from .revision import MIN_CONFIDENCE_DEFAULT, decide, revise, side_needs_kind
from .segmenter import split_page

_BOILERPLATE = LABELS.index(BOILERPLATE)


@dataclass(slots=True)
class Page:
    """A segmented, labeled page."""

    blocks: list[Block]
    title: str = ""
    input_format: str = "text"
    meta: dict = field(default_factory=dict)

    def text(self, *, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False) -> str:
        """The article text: blocks whose label is in ``keep``, one paragraph per block, each
        distinct paragraph once (``kept_blocks``)."""
        return "\n\n".join(b.text for b in kept_blocks(self, keep, with_title))


def needs_kinds(keep: tuple[str, ...]) -> bool:
    """Whether keeping the blocks labeled with ``keep`` needs their kinds, not only their sides."""
    return not set(CONTENT_LABELS) <= set(keep)


def kept_blocks(page: Page, keep: tuple[str, ...], with_title: bool) -> list[Block]:
    """The blocks whose label is in ``keep`` (the title's only ``with_title``), a block whose text
    repeats an earlier kept block's left out.

    A repeated paragraph is a second copy (a pull quote, a teaser of the lead, a page's desktop
    and mobile copies): the article holds it once. Adopted on WCXB dev cross-validation (session
    20, pre-registered): word F1 +0.0066 [+0.0043, +0.0090], articles +0.0026. ``segment`` still
    labels every copy.

    A block labeled ``content`` (its kind not asked for) is kept when ``keep`` holds every
    kind; when it holds only some, the page cannot tell, and ``ValueError`` says so.
    """
    some_kinds = needs_kinds(keep)
    out = []
    seen: set[str] = set()
    for b in page.blocks:
        if b.label == CONTENT and some_kinds:
            raise ValueError("this page was labeled without kinds (SegmentOptions(kinds=False)): "
                             "keeping only some kinds needs them")
        if (b.label in keep or b.label == CONTENT) and (with_title or not b.is_title) and b.text not in seen:
            seen.add(b.text)
            out.append(b)
    return out


def segment_page(page: bytes | str, model, options: SegmentOptions | None = None,
                 *, min_confidence: float = MIN_CONFIDENCE_DEFAULT) -> Page:
    """Decode, segment, classify and revise one page.

    Parameters
    ----------
    page : the page's bytes (any encoding) or text, HTML or plain text.
    model : a loaded :class:`~thresher.compiled.CompiledClassifier` (or a fitted
        :class:`~thresher.model.BlockClassifier`, which predicts through one).
    options : limits and the input format; defaults when None.

    Raises the ``InputError`` family for pages that cannot be read.
    """
    options = options or SegmentOptions()
    blocks, title, input_format = split_page(page, options)
    label_blocks(blocks, model, min_confidence=min_confidence, kinds=options.kinds, scores=options.scores)
    return Page(blocks, title, input_format)


def label_blocks(blocks: list[Block], model, *, min_confidence: float = MIN_CONFIDENCE_DEFAULT,
                 kinds: bool = True, scores: bool = True) -> list[str]:
    """Classify already segmented blocks (both passes), revise, write the verdicts; return the labels.

    With ``kinds=False`` only the blocks whose side depends on their kind are given one
    (:func:`~thresher.revision.side_needs_kind`), to decide it; the sides are those ``kinds=True``
    decides, and every content block is labeled ``content`` (a kind follows its neighbours' kinds,
    which are not computed). With ``scores=False`` the blocks' ``scores`` are left empty (the
    labels are the same).
    """
    if kinds:
        first, final = model.page_proba(blocks)
        labels = revise(final, min_confidence=min_confidence)
        assign_labels(blocks, first, final, labels, scores=scores)
        return labels
    asked: list[tuple[np.ndarray, np.ndarray]] = []

    def needed(content: np.ndarray) -> np.ndarray:
        asked.append((side_needs_kind(content, min_confidence=min_confidence), content))
        return asked[-1][0]

    _, final = model.page_proba(blocks, needed=needed)
    labels = [label if label == BOILERPLATE else CONTENT
              for label in revise(final, min_confidence=min_confidence, min_kind_share=None)]
    if not asked:  # an empty page
        return labels
    mask, content = asked[0]
    # below MIN_CONTENT_FOR_KIND no block is given a kind, with or without kinds: the same scores
    decided = (mask | (content < MIN_CONTENT_FOR_KIND)).tolist()
    # Python floats from tolist(): the same values as float() of each numpy one, made in one call
    rows, content_values = (final.tolist(), content.tolist()) if scores else (None, None)
    for i, block in enumerate(blocks):
        block.first_label = None  # the first pass's verdict would need every kind
        block.label = labels[i]
        if scores:
            block.scores = (dict(zip(LABELS, rows[i])) if decided[i]
                            else {CONTENT: content_values[i], BOILERPLATE: rows[i][_BOILERPLATE]})
    return labels


def assign_labels(blocks: list[Block], first: np.ndarray, final: np.ndarray, labels: list[str],
                  *, scores: bool = True) -> None:
    """Write both passes' verdicts and (with ``scores``) the final scores onto the blocks.

    The first pass's verdict is decided by the same rule as the final one, without revision.
    """
    rows = final.tolist() if scores else None
    for i, (block, first_label, label) in enumerate(zip(blocks, decide(first), labels)):
        block.first_label = first_label
        block.label = label
        if scores:
            block.scores = dict(zip(LABELS, rows[i]))
