"""One writer per output format: JSON Lines, text, Markdown, detailed; ``Rendering`` picks one
and ``write_results`` writes a batch's results with it as they come."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from .labels import CONTENT_LABELS
from .pipeline import Page, kept_blocks

if TYPE_CHECKING:
    from .batch import Result

_MARKDOWN_HEADINGS = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### "}


def segment_dicts(source: str, page: Page, meta: dict | None = None) -> list[dict]:
    """One dict per block, in page order: ``source``, the page's ``meta`` (e.g. ``warc_record_id``), the block."""
    return [{"source": source, **(meta or {}), **block.to_dict()} for block in page.blocks]


def segment_records(source: str, page: Page, meta: dict | None = None) -> list[str]:
    """``thresher segment``: one JSON object per block, in page order."""
    return [json.dumps(d, ensure_ascii=False) for d in segment_dicts(source, page, meta)]


def detailed_lines(source: str, page: Page) -> list[str]:
    """``--format detailed``: both passes' labels, the top score and the xpath, as in jusText."""
    lines = [f"# {source}"]
    for b in page.blocks:
        top = max(b.scores.values()) if b.scores else 0.0
        lines.append(f"{b.index}\t{b.first_label}\t{b.label}\t{top:.2f}\t{b.xpath or b.tag}\t{b.text}")
    return lines


def clean_text(page: Page, *, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False) -> str:
    """The article text, one paragraph per kept block (``Page.text``, as a writer)."""
    return page.text(keep=keep, with_title=with_title)


def clean_markdown(page: Page, *, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False) -> str:
    """The article as Markdown: headings, list items and quotes marked."""
    parts = []
    if with_title and page.title and not any(b.is_title for b in page.blocks):
        parts.append(f"# {page.title}")
    for b in kept_blocks(page, keep, with_title):
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


def clean_dict(source: str, page: Page, *, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False,
               meta: dict | None = None) -> dict:
    """One page's ``source``, ``meta``, ``title`` and article ``text``."""
    return {"source": source, **(meta or {}), "title": page.title,
            "text": clean_text(page, keep=keep, with_title=with_title)}


def clean_record(source: str, page: Page, *, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False,
                 meta: dict | None = None) -> str:
    """``thresher clean --format json``: one object per page."""
    return json.dumps(clean_dict(source, page, keep=keep, with_title=with_title, meta=meta), ensure_ascii=False)


def error_dict(source: str, error_type: str, message: str, meta: dict | None = None) -> dict:
    """A failed page: its source, meta and ``error: {type, message}``."""
    return {"source": source, **(meta or {}), "error": {"type": error_type, "message": message}}


def error_record(source: str, error_type: str, message: str, meta: dict | None = None) -> str:
    """A failed page in JSON output: the batch goes on and nothing is lost silently."""
    return json.dumps(error_dict(source, error_type, message, meta), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Rendering:
    """What a command writes for each result: ``command`` (segment or clean), ``format``, labels kept.

    Plain data, so that it travels to cluster workers with each part.
    """

    command: str
    format: str
    keep: tuple[str, ...] = CONTENT_LABELS
    with_title: bool = False

    @property
    def is_json(self) -> bool:
        """One JSON object per line (errors included as records)."""
        return (self.command == "segment" and self.format == "jsonl") or self.format == "json"

    @property
    def suffix(self) -> str:
        """The file suffix of one output part."""
        return {"markdown": ".md", "text": ".txt", "detailed": ".tsv"}.get(self.format, ".jsonl")

    def lines(self, result: Result, several: bool) -> list[str]:
        """The output lines of one result (an error gives a record in JSON formats, else nothing)."""
        page, source = result.page, result.source
        if page is None:
            return [error_record(source, result.error_type, result.error, result.meta)] if self.is_json else []
        if self.command == "segment":
            return detailed_lines(source, page) if self.format == "detailed" else segment_records(source, page, result.meta)
        if self.format == "json":
            return [clean_record(source, page, keep=self.keep, with_title=self.with_title, meta=result.meta)]
        render = clean_markdown if self.format == "markdown" else clean_text
        text = render(page, keep=self.keep, with_title=self.with_title)
        return [f"==> {source} <==\n{text}\n"] if several else [text]

    def finisher(self, several: bool) -> Callable[[Result], Result]:
        """``run_batch``'s ``finish``: each result's lines written where its page was labeled, the page
        dropped (a picklable callable, for worker processes)."""
        return functools.partial(_written, self, several)


def _written(rendering: Rendering, several: bool, result: Result) -> Result:
    return dataclasses.replace(result, page=None, lines=rendering.lines(result, several))


@dataclass(slots=True)
class Tally:
    """Pages done and failed (by error type), and stream records skipped (by reason)."""

    ok: int = 0
    failures: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        """Add another tally's counts (one part's) to this one."""
        self.ok += other.ok
        self.failures.update(other.failures)
        self.skipped.update(other.skipped)

    def summary(self) -> str:
        """``N pages ok, N failed (...)[, N records skipped (...)]``: the batch's last line."""
        failed = ", ".join(f"{n} {kind}" for kind, n in self.failures.most_common())
        line = f"{self.ok} pages ok, {sum(self.failures.values())} failed" + (f" ({failed})" if failed else "")
        if self.skipped:
            reasons = ", ".join(f"{n} {why}" for why, n in self.skipped.most_common())
            line += f", {sum(self.skipped.values())} records skipped ({reasons})"
        return line


def write_results(results: Iterable[Result], out: TextIO, rendering: Rendering, *, several: bool, tally: Tally,
                  on_failure: Callable[[Result], bool] | None = None) -> Tally:
    """Write each result as it comes (nothing is held back) and count it in ``tally``; a result
    that holds its lines (``Rendering.finisher``) is written as they are.

    ``on_failure`` is told of each failed page and returns True to stop the batch.
    """
    for result in results:
        if result.ok:
            tally.ok += 1
        else:
            tally.failures[result.error_type] += 1
        for line in rendering.lines(result, several) if result.lines is None else result.lines:
            out.write(line + "\n")
        if not result.ok and on_failure is not None and on_failure(result):
            break
    return tally
