"""One writer per output format: JSON Lines, text, Markdown, detailed."""

from __future__ import annotations

import json

from .labels import CONTENT_LABELS
from .pipeline import Page

_MARKDOWN_HEADINGS = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### "}


def segment_records(source: str, page: Page) -> list[str]:
    """``thresher segment``: one JSON object per block, in page order."""
    return [json.dumps({"source": source, **block.to_dict()}, ensure_ascii=False) for block in page.blocks]


def detailed_lines(source: str, page: Page) -> list[str]:
    """``--format detailed``: both passes' labels, the top score and the xpath, as in jusText."""
    lines = [f"# {source}"]
    for b in page.blocks:
        top = max(b.scores.values()) if b.scores else 0.0
        lines.append(f"{b.index}\t{b.first_label}\t{b.label}\t{top:.2f}\t{b.xpath or b.tag}\t{b.text}")
    return lines


def _kept(page: Page, keep: tuple[str, ...], with_title: bool):
    return [b for b in page.blocks if b.label in keep and (with_title or not b.is_title)]


def clean_text(page: Page, *, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False) -> str:
    """The article text, one paragraph per kept block (``Page.text``, as a writer)."""
    return page.text(keep=keep, with_title=with_title)


def clean_markdown(page: Page, *, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False) -> str:
    """The article as Markdown: headings, list items and quotes marked."""
    parts = []
    if with_title and page.title and not any(b.is_title for b in page.blocks):
        parts.append(f"# {page.title}")
    for b in _kept(page, keep, with_title):
        if b.tag in _MARKDOWN_HEADINGS:
            parts.append(_MARKDOWN_HEADINGS[b.tag] + b.text)
        elif b.is_title:
            parts.append("# " + b.text)
        elif b.tag == "li":
            parts.append("- " + b.text)
        elif b.tag == "blockquote" or b.label == "quote":
            parts.append("> " + b.text)
        else:
            parts.append(b.text)
    return "\n\n".join(parts)


def clean_record(source: str, page: Page, *, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False) -> str:
    """``thresher clean --format json``: one object per page."""
    return json.dumps(
        {"source": source, "title": page.title, "text": clean_text(page, keep=keep, with_title=with_title)},
        ensure_ascii=False,
    )


def error_record(source: str, error_type: str, message: str) -> str:
    """A failed page in JSON output: the batch goes on and nothing is lost silently."""
    return json.dumps({"source": source, "error": {"type": error_type, "message": message}}, ensure_ascii=False)
