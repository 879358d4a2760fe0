"""Merge annotators' votes into gold pages without losing any label.

A vote is one annotator's label for one block, with its origin (``accepted`` or
``corrected`` against the suggestion that was shown). Votes that agree become a
gold block; votes that disagree, between themselves or with the label already in
the file, become a *conflict* on the page (``conflicts``) and leave ``blocks``
until someone adjudicates them. Nothing is resolved by last-writer-wins, and a
merge never removes a page, a block or a vote from the existing file: a block
that falls into conflict is kept whole inside its conflict (``was``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .annotations import GoldBlock, GoldPage, normalise


@dataclass(frozen=True, slots=True)
class Vote:
    """One annotator's label for one block."""

    annotator: str
    label: str
    origin: str  # "accepted" or "corrected" (against the suggestion shown), or "hand"

    def to_dict(self) -> dict:
        return {"annotator": self.annotator, "label": self.label, "origin": self.origin}


@dataclass(slots=True)
class PulledBlock:
    """A block read back from the annotation tool: its text, the suggestion shown, the votes."""

    index: int
    text: str
    votes: list[Vote]
    suggested: str | None = None
    score: float | None = None


@dataclass(slots=True)
class PulledPage:
    """A page read back from the annotation tool, named as gold pages are."""

    doc_id: str
    source: str
    site: str
    blocks: list[PulledBlock]


@dataclass(slots=True)
class MergeReport:
    """What a merge changed: counts and the conflicts found, as ``(doc_id, block index)``."""

    pages_added: int = 0
    pages_updated: int = 0
    blocks_added: int = 0
    votes_added: int = 0
    conflicts: list[tuple[str, int]] = field(default_factory=list)


def _votes_of(block: GoldBlock) -> list[dict]:
    if block.extra.get("votes"):
        return [dict(v) for v in block.extra["votes"]]
    return [{"annotator": block.annotator, "label": block.label, "origin": block.origin}]


def _new_votes(known: list[dict], votes: Iterable[Vote]) -> list[dict]:
    seen = {(v["annotator"], v["label"]) for v in known}
    out = []
    for vote in votes:
        if (vote.annotator, vote.label) not in seen:
            seen.add((vote.annotator, vote.label))
            out.append(vote.to_dict())
    return out


def _suggestion(pulled: PulledBlock) -> dict:
    out: dict = {"index": pulled.index}
    if pulled.suggested is not None:
        out["suggested"] = pulled.suggested
    if pulled.score is not None:
        out["score"] = round(pulled.score, 4)
    return out


def _find(items: list[dict], pulled: PulledBlock, key: Callable[[dict], tuple]) -> int | None:
    """The position of the entry for ``pulled``: same index and text, or same text where no index is known.

    A page may repeat a block's text ("Share", "Read more"): the index tells the copies apart.
    """
    text = normalise(pulled.text)
    for position, item in enumerate(items):
        if key(item) == (pulled.index, text):
            return position
    for position, item in enumerate(items):
        if key(item) == (None, text):
            return position
    return None


def _block_key(block: GoldBlock) -> tuple:
    return block.extra.get("index"), normalise(block.text)


def merge_page(page: GoldPage, pulled: PulledPage, report: MergeReport) -> None:
    """Add ``pulled``'s votes to ``page`` in place (see the module docstring for the rules)."""
    conflicts: list[dict] = page.extra.setdefault("conflicts", [])
    for block in pulled.blocks:
        if not block.votes:
            continue
        where = _find(conflicts, block, lambda c: (c.get("index"), normalise(c["text"])))
        if where is not None:  # already in conflict: it only gains votes
            added = _new_votes(conflicts[where]["votes"], block.votes)
            conflicts[where]["votes"] += added
            report.votes_added += len(added)
            continue
        keyed = [{"key": _block_key(b)} for b in page.blocks]
        where = _find(keyed, block, lambda c: c["key"])
        if where is not None:
            existing = page.blocks[where]
            known = _votes_of(existing)
            added = _new_votes(known, block.votes)
            if not added:
                continue
            report.votes_added += len(added)
            if all(v["label"] == existing.label for v in added):
                existing.extra["votes"] = known + added
                continue
            del page.blocks[where]
            conflicts.append({"index": block.index, "text": existing.text, **_suggestion(block),
                              "votes": known + added, "was": existing.to_dict()})
            report.conflicts.append((page.doc_id, block.index))
            continue
        votes = _new_votes([], block.votes)
        report.votes_added += len(votes)
        if len({v["label"] for v in votes}) == 1:
            first = votes[0]
            extra = _suggestion(block) | ({"votes": votes} if len(votes) > 1 else {})
            page.blocks.append(GoldBlock(block.text, first["label"], first["annotator"], first["origin"], extra))
            report.blocks_added += 1
        else:
            conflicts.append({"index": block.index, "text": block.text, **_suggestion(block), "votes": votes})
            report.conflicts.append((page.doc_id, block.index))
    if all(isinstance(b.extra.get("index"), int) for b in page.blocks):
        page.blocks.sort(key=lambda b: b.extra["index"])
    conflicts.sort(key=lambda c: (c.get("index") is None, c.get("index") or 0))
    if not conflicts:
        del page.extra["conflicts"]


def merge_pages(existing: list[GoldPage], pulled: Iterable[PulledPage], split_of: Callable[[str], str],
                extra: dict | None = None) -> tuple[list[GoldPage], MergeReport]:
    """Merge pulled pages into ``existing`` (kept in order, new pages appended).

    ``split_of(site)`` gives a new page its split; ``extra`` is added to new pages' records.
    """
    report = MergeReport()
    pages = list(existing)
    by_id = {page.doc_id: page for page in pages}
    for item in pulled:
        page = by_id.get(item.doc_id)
        if page is None:
            page = GoldPage(item.doc_id, item.source, item.site, split_of(item.site), [], dict(extra or {}))
            merge_page(page, item, report)
            if page.blocks or page.extra.get("conflicts"):
                pages.append(page)
                by_id[page.doc_id] = page
                report.pages_added += 1
            continue
        before = (report.votes_added, len(report.conflicts))
        merge_page(page, item, report)
        if (report.votes_added, len(report.conflicts)) != before:
            report.pages_updated += 1
    return pages, report
