"""Page (bytes or str, HTML or text) → ordered blocks and the page title."""

from __future__ import annotations

import codecs
import re

from .blocks import Block
from .decoding import clean_characters_utf8, decode_bytes
from .errors import EmptyInputError, LimitExceededError
from .html import html_blocks
from .options import SegmentOptions
from .text import text_blocks

_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|script|style|link|div)\b", re.I | re.S
)
_HTML_ROOT = re.compile(r"<(?:!doctype\s+html|html|body)\b", re.I)
_HTML_TAG = re.compile(r"</?(?:p|div|span|a|br|li|td|table|h[1-6]|script|section|article)\b[^>]{0,300}>", re.I)
_NORM = re.compile(r"\W+")
MAX_TITLE_CHARS = 300


def detect_format(text: str) -> str:
    """``"html"`` when the text is markup, else ``"text"``.

    Examples
    --------
    >>> detect_format("<!DOCTYPE html><p>x"), detect_format("Title\\n\\nBody.")
    ('html', 'text')
    """
    head = text[:4096]
    if _HTML_START.match(head) or _HTML_ROOT.search(text, 0, 65536):
        return "html"
    tags = len(_HTML_TAG.findall(head))
    return "html" if tags >= 3 and tags * 40 >= min(len(head), 4096) / 10 else "text"


def split_page(page: bytes | str, options: SegmentOptions) -> tuple[list[Block], str, str]:
    """Decode and segment a page; return ``(blocks, title, format)``.

    Raises the project's ``InputError`` family for empty, binary or oversized pages.
    """
    size = len(page)
    if size > options.max_input_bytes:
        raise LimitExceededError(
            f"input of {size:,} bytes is over the limit of {options.max_input_bytes:,} (max_input_bytes)"
        )
    utf8 = None
    if isinstance(page, bytes):
        text, encoding = decode_bytes(page, declared=options.encoding)
        # decoded as strict UTF-8 (no byte-order mark dropped, nothing replaced): the bytes are its encoding
        if encoding == "utf-8" and not page.startswith(codecs.BOM_UTF8):
            utf8 = page
    else:
        text = page
    text, utf8 = clean_characters_utf8(text, utf8)
    if not text or text.isspace():  # not text.strip(), without copying the page
        raise EmptyInputError("empty input: no text")
    fmt = detect_format(text) if options.input_format == "auto" else options.input_format
    if fmt == "html":
        blocks, title = html_blocks(text, max_blocks=options.max_blocks, utf8=utf8)
    else:
        blocks = text_blocks(text, max_blocks=options.max_blocks)
        # a scraped text's first line is its title, unless it is a paragraph
        title = blocks[0].text if blocks and len(blocks[0].text) <= MAX_TITLE_CHARS else ""
    if not blocks:
        raise EmptyInputError("no text blocks found in the page")
    mark_title(blocks, title)
    return blocks, title, fmt


def _norm(text: str) -> str:
    return _NORM.sub(" ", text.lower()).strip()


def mark_title(blocks: list[Block], title: str) -> None:
    """Flag the blocks that repeat the page title (the headline and its copies)."""
    wanted = _norm(title)
    if not wanted:
        return
    # "Headline | Site" and "Headline - Site": the headline is the part before
    parts = [wanted] + [_norm(p) for p in re.split(r"\s[|–—-]\s|\s::\s", title) if len(p) > 10]
    limit = max(10, len(blocks) // 2)
    # a page may hold one 10 MB block: only blocks of up to twice a title's length are read
    candidates = [b for b in blocks[:limit] if len(b.text) <= 2 * MAX_TITLE_CHARS]
    for block, text in zip(candidates, _norms([b.text for b in candidates])):
        if text and len(text) < 400 and (text in parts or (len(text) > 15 and text in wanted)):
            block.is_title = True


# ASCII bytes that are not word characters (what \W matches of ASCII) to a space
_ASCII_NOT_WORD = bytes(c if chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(128)).ljust(256, b" ")


def _norms(texts: list[str]) -> list[str]:
    """``_norm`` of each text; an ASCII one's without the regex: its non-word characters translated
    to spaces, then split and joined (the regex's cost on a page's hundred candidates)."""
    return [b" ".join(t.encode("ascii").lower().translate(_ASCII_NOT_WORD).split()).decode("ascii")
            if t.isascii() else _norm(t) for t in texts]
