"""segment_page(): the whole algorithm in a few lines (jusText's ``justext()``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .blocks import Block
from .labels import CONTENT_LABELS, LABELS
from .options import SegmentOptions
from .revision import MIN_CONFIDENCE_DEFAULT, decide, revise
from .segmenter import split_page


@dataclass(slots=True)
class Page:
    """A segmented, labeled page."""

    blocks: list[Block]
    title: str = ""
    input_format: str = "text"
    meta: dict = field(default_factory=dict)

    def text(self, *, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False) -> str:
        """The article text: blocks whose label is in ``keep``, one paragraph per block."""
        return "\n\n".join(
            b.text for b in self.blocks if b.label in keep and (with_title or not b.is_title)
        )


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
    blocks, title, input_format = split_page(page, options or SegmentOptions())
    label_blocks(blocks, model, min_confidence=min_confidence)
    return Page(blocks, title, input_format)


def label_blocks(blocks: list[Block], model, *, min_confidence: float = MIN_CONFIDENCE_DEFAULT) -> list[str]:
    """Classify already segmented blocks (both passes), revise, write the verdicts; return the labels."""
    first, final = model.page_proba(blocks)
    labels = revise(final, min_confidence=min_confidence)
    assign_labels(blocks, first, final, labels)
    return labels


def assign_labels(blocks: list[Block], first: np.ndarray, final: np.ndarray, labels: list[str]) -> None:
    """Write both passes' verdicts and the final scores onto the blocks.

    The first pass's verdict is decided by the same rule as the final one, without revision.
    """
    for block, first_label, p_final, label in zip(blocks, decide(first), final, labels):
        block.first_label = first_label
        block.label = label
        block.scores = {name: float(v) for name, v in zip(LABELS, p_final)}
