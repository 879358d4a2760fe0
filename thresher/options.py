"""SegmentOptions: every limit and switch of segmentation, in one frozen object."""

from __future__ import annotations

from dataclasses import dataclass

MAX_INPUT_BYTES_DEFAULT = 20 * 1024 * 1024
# The largest of the 1,669 benchmark pages (ScrapingHub, WCXB dev) segments into 2,641 blocks;
# a page of 10,000 article paragraphs is labeled within the 5 s a page may cost. Past that, a
# page is refused (raise the limit) rather than stalling a batch worker for minutes.
MAX_BLOCKS_DEFAULT = 10_000
FORMATS = ("auto", "html", "text")


@dataclass(frozen=True, slots=True, kw_only=True)
class SegmentOptions:
    """How a page is read and segmented.

    Parameters
    ----------
    input_format : ``"auto"`` (detect), ``"html"`` or ``"text"``.
    max_input_bytes : refuse pages larger than this (bytes, or characters for str).
    max_blocks : refuse pages that segment into more blocks than this.
    encoding : a known charset (e.g. from an HTTP header); detection otherwise.
    kinds : give every content block its kind. False decides only each block's side
        (content or boilerplate, the same sides as with kinds): content blocks are labeled
        ``content``; those whose side does not depend on their kind are scored ``content`` and
        ``boilerplate`` only; no block gets a ``first_label``. The article's text needs no
        more, and it comes in about a fifth less time.
    scores : give every block its per-label scores (``Block.scores``). False leaves them empty:
        the article's text needs only the labels, and a page's dicts of scores cost it about
        a twentieth of its time.
    """

    input_format: str = "auto"
    max_input_bytes: int = MAX_INPUT_BYTES_DEFAULT
    max_blocks: int = MAX_BLOCKS_DEFAULT
    encoding: str | None = None
    kinds: bool = True
    scores: bool = True

    def __post_init__(self) -> None:
        if self.input_format not in FORMATS:
            raise ValueError(f"input_format must be one of {', '.join(FORMATS)}, not {self.input_format!r}")
        if self.max_input_bytes <= 0 or self.max_blocks <= 0:
            raise ValueError("max_input_bytes and max_blocks must be positive")
