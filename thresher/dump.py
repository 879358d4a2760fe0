"""An HTML page's blocks as the plain text an HTML-to-text dump gives (lynx, w3m, inscriptis).

Scrapers often keep such a dump instead of the HTML; the seed page is one. Its shape: blank
lines between blocks, a list item bulleted, and the rest of the item (a teaser card's lead
under its title) indented beneath it, which the text segmenter joins into one bulleted
paragraph. Gold pages of batch 5 are WCXB articles rendered this way (``rendering: dump``).
"""

from __future__ import annotations

import re

from .blocks import Block

BULLET = "\u2022"
# the innermost list item holding a block: its xpath up to that ``li`` step
_LIST_ITEM = re.compile(r"^(.*/li(?:\[\d+\])?)(?:/|$)")


def dump_text(blocks: list[Block]) -> str:
    """The dump of an HTML page's blocks (``html_blocks``' output, which keeps each block's xpath).

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
    for block in blocks:
        found = _LIST_ITEM.match(block.xpath)
        here = found.group(1) if found else None
        if here is None:
            lines.append(block.text)
        elif here != item:
            lines.append(f"  {BULLET} {block.text}")
        else:
            lines.append(f"    {block.text}")
        item = here
    return "\n\n".join(lines)
