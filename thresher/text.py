"""Plain text scraped from a page → blocks.

Three shapes are met in scraped text: blank-line paragraphs (the seed page),
bullet lists, and one-element-per-line scrapes whose paragraphs are sometimes
broken at an inline link or a bold name (the press releases), or wrapped at a
fixed width (text taken out of PDFs). Every non-empty line starts as a
fragment; fragments are rejoined when the break looks like a continuation.
"""

from __future__ import annotations

import re
from statistics import quantiles

from .blocks import Block
from .options import MAX_BLOCKS_DEFAULT

_BULLET = re.compile(r"^\s*(?:[•·▪◦‣●○■□➢►*]|-(?=\s))\s*")
_TERMINAL = ('.', '!', '?', '"', '”', '’', "'", ':', ';', ')', ']', '…')
_SPACE = re.compile(r"[ \t\f\v\u00a0]+")
# Words a sentence does not end on: a line ending with one continues on the next.
_CONTINUING_WORDS = frozenset(
    """a an the of to in on at by for from with and or but nor as than that which who whom
    whose his her their its our your my is are was were be been being has have had will would
    shall should can could may might must into onto upon over under about after before
    between during against without within through said says told including include includes
    such both either neither each every this these those not no""".split()
)
WRAP_MIN_LINES = 8  # a fixed-width wrap is only detected in texts with this many lines
WRAP_FILL = 0.7  # lines at least this share of the wrap width count as "full"


def text_blocks(text: str, *, max_blocks: int = MAX_BLOCKS_DEFAULT) -> list[Block]:
    """Segment scraped plain text into blocks.

    Examples
    --------
    >>> [b.text for b in text_blocks("Title\\n\\nA man was\\nsentenced today.\\n• one\\n• two")]
    ['Title', 'A man was sentenced today.', 'one', 'two']
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    width = _wrap_width(lines)
    blocks: list[Block] = []
    current: list[str] = []
    tag = "para"
    previous_blank = True
    bullet_indent = -1  # indentation of the open bullet item, -1 when none
    for raw in lines:
        line = _SPACE.sub(" ", raw).strip()
        if not line:
            previous_blank = True
            continue
        indent = len(raw) - len(raw.lstrip())
        bullet = _BULLET.match(raw)
        if bullet and len(raw) > bullet.end():
            line_tag, line = "li", _SPACE.sub(" ", raw[bullet.end():]).strip()
        else:
            line_tag = "line"
        if line_tag == "line" and 0 <= bullet_indent < indent:
            current.append(line)  # an indented line under a bullet belongs to its item
        elif current and not previous_blank and line_tag != "li" and _continues(current[-1], line, width):
            current.append(line)
        else:
            _emit(blocks, current, tag, max_blocks)
            current, tag = [line], line_tag
            bullet_indent = indent if line_tag == "li" else -1
        previous_blank = False
    _emit(blocks, current, tag, max_blocks)
    return blocks


def _emit(blocks: list[Block], parts: list[str], tag: str, max_blocks: int) -> None:
    if not parts:
        return
    from .errors import LimitExceededError

    if len(blocks) >= max_blocks:
        raise LimitExceededError(f"more than {max_blocks} blocks (max_blocks)")
    text = _join(parts)
    blocks.append(Block(index=len(blocks), text=text, kind="text", tag=tag))


def _join(parts: list[str]) -> str:
    out = parts[0]
    for part in parts[1:]:
        if out.endswith("-") and not out.endswith(" -") and part[:1].islower():
            out = out + part  # a word hyphenated at the wrap
        elif part[:1] in ",.;:)]’”" and not part.startswith("..."):
            out = out + part  # punctuation that closes the previous fragment
        else:
            out = out + " " + part
    return out


def _continues(previous: str, line: str, width: int) -> bool:
    """Whether ``line`` continues the paragraph whose last fragment is ``previous``."""
    first = line[:1]
    if first.islower() or first in ",;:)]":
        return True
    if first in ".’”" and (len(line) > 1 or not previous.endswith(_TERMINAL)):
        return True  # ". “In order to…" after an inline name, or a lone "." closing a sentence
    if first in "–—" and len(line) > 2:
        return True  # "CHICAGO" / "– Cook County…": a dateline split from its sentence
    if previous.endswith(_TERMINAL):
        return False
    if first.isdigit() and (previous[-1:].isdigit() or previous.rsplit(" ", 1)[-1].islower()):
        return True  # "stood at 9" / "04. By 2021": a number broken at an inline element
    last_word = previous.rsplit(" ", 1)[-1].lower()
    if previous.endswith((",", "-", "–", "—", "&")) or last_word in _CONTINUING_WORDS:
        return True
    return bool(width) and len(previous) >= WRAP_FILL * width


def _wrap_width(lines: list[str]) -> int:
    """The fixed width at which the text was wrapped, or 0 when it was not."""
    lengths = [len(x.strip()) for x in lines if x.strip()]
    if len(lengths) < WRAP_MIN_LINES:
        return 0
    width = quantiles(lengths, n=10)[-1]  # 90th percentile
    if width > 140:
        return 0  # paragraphs on one line: no wrapping
    full = sum(1 for n in lengths if n >= WRAP_FILL * width)
    return int(width) if full >= 0.4 * len(lengths) else 0
