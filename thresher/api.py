"""The Python API: ``Thresher`` wraps a loaded model and segmentation options."""

from __future__ import annotations

import dataclasses
import os

from .blocks import Block
from .labels import CONTENT_LABELS
from .options import SegmentOptions
from .persistence import load_model
from .pipeline import Page, needs_kinds, segment_page


class Thresher:
    """A loaded model, ready to label pages. Thread-safe: it holds no per-page state.

    Examples
    --------
    >>> import thresher
    >>> model = thresher.load()
    >>> page = "Headline\\n\\n“It is done,” she said.\\n\\nShare this"
    >>> [b.label for b in model.segment(page)]  # doctest: +SKIP
    ['news_body', 'quote', 'boilerplate']
    """

    def __init__(self, model, options: SegmentOptions | None = None) -> None:
        self.model = model
        self.options = options or SegmentOptions()

    def process(self, page: bytes | str) -> Page:
        """Segment and label a page; the result keeps the title and the input format."""
        return segment_page(page, self.model, self.options)

    def segment(self, page: bytes | str) -> list[Block]:
        """The page's blocks in reading order, each with ``label`` and ``scores``."""
        return self.process(page).blocks

    def clean(self, page: bytes | str, *, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False) -> str:
        """The article text: the blocks labeled with one of ``keep``, title excluded by default."""
        # kinds only when the kept labels need them, and no scores (the text is the same either way)
        options = dataclasses.replace(self.options, kinds=needs_kinds(keep), scores=False)
        return segment_page(page, self.model, options).text(keep=keep, with_title=with_title)


def load(path: str | os.PathLike | None = None, **options) -> Thresher:
    """Load a model (the shipped default when ``path`` is None) and return a :class:`Thresher`.

    Keyword arguments become :class:`~thresher.options.SegmentOptions`
    (``input_format``, ``max_input_bytes``, ``max_blocks``, ``encoding``, ``kinds``).
    """
    return Thresher(load_model(path), SegmentOptions(**options))
