"""An HTML page's blocks as a plain-text dump in the seed page's shape.

Scrapers often keep the text of a page rather than its HTML; the seed page is one such
scrape. Its shape, which this module writes: blank lines between blocks, a list item's
first block bulleted and the rest of the item indented beneath it, so the text segmenter
joins a teaser card's title and lead into one bulleted paragraph. (lynx and w3m wrap at a
fixed width and number their links; the shape here is the seed's, not theirs.)

The gold pages of batch 5 were labeled on exactly this output (``rendering: dump``), so
what :func:`dump_text` writes must not change without a new rendering name.
"""

from __future__ import annotations

import re

from .blocks import Block
from .options import SegmentOptions
from .segmenter import split_page

BULLET = "\u2022"
# the innermost list item holding a block: its xpath up to that ``li`` step
_LIST_ITEM = re.compile(r"^(.*/li(?:\[\d+\])?)(?:/|$)")


def dump_text(blocks: list[Block]) -> str:
    """The dump of a page's blocks.

    Parameters
    ----------
    blocks : an HTML page's blocks (``html_blocks``' output: each keeps its xpath, which tells
        the list item holding it). A block without an xpath is its own item when tagged ``li``.

    Returns
    -------
    The text, blocks separated by blank lines. A block inside a list item is bulleted when
    it is the first of that item (the item read nearest first), indented otherwise; so the
    text after a nested list, whose innermost item differs from the block before it, starts
    a new bullet.

    Examples
    --------
    >>> from thresher.html import html_blocks
    >>> blocks, _ = html_blocks("<p>Story.</p><ul><li><h3>Other story</h3><p>Its lead.</p></li></ul>")
    >>> print(dump_text(blocks))
    Story.
    <BLANKLINE>
      • Other story
    <BLANKLINE>
        Its lead.
    """
    lines, item = [], None
    for i, block in enumerate(blocks):
        found = _LIST_ITEM.match(block.xpath)
        here = found.group(1) if found else f"#{i}" if not block.xpath and block.tag == "li" else None
        if here is None:
            lines.append(block.text)
        elif here != item:
            lines.append(f"  {BULLET} {block.text}")
        else:
            lines.append(f"    {block.text}")
        item = here
    return "\n\n".join(lines)


def dump_blocks(blocks: list[Block]) -> list[Block]:
    """The blocks a page's dump segments into, read as text (the first line is its title, as
    for any scraped text: a dump that starts with a menu line takes that line as its title)."""
    return split_page(dump_text(blocks), SegmentOptions(input_format="text"))[0]
