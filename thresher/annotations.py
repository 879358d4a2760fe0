"""Gold annotations: one page per JSON Lines record, validated on read, written atomically.

Record::

    {"doc_id": str, "source": str (corpus-relative), "site": str, "split": "train"|"dev"|"test",
     "blocks": [{"text": str, "label": str, "annotator": str, "origin": "hand"|"accepted"|"corrected",
                 "suggested"?: str, "votes"?: [{"annotator": str, "label": str}], ...}]}

``origin`` says how the label was chosen: ``hand`` (a person read the block and
chose), ``accepted`` (a model suggestion an annotator kept) or ``corrected`` (a
suggestion an annotator changed). ``votes`` keeps every independent label of a
doubly-annotated block; ``label`` is then the adjudicated one. A page's
``conflicts`` (written by ``thresher doccano pull``) holds the blocks whose
annotators disagree, with every vote, until someone adjudicates them; they are
not in ``blocks``, so nothing learns from them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AnnotationError
from .labels import LABELS

ORIGINS = ("hand", "accepted", "corrected")
SPLITS = ("train", "dev", "test")
_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class GoldBlock:
    """One labeled block of a gold page."""

    text: str
    label: str
    annotator: str
    origin: str = "hand"
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"text": self.text, "label": self.label, "annotator": self.annotator, "origin": self.origin, **self.extra}


@dataclass(slots=True)
class GoldPage:
    """One annotated page: its identity, split and labeled blocks in page order."""

    doc_id: str
    source: str
    site: str
    split: str
    blocks: list[GoldBlock]
    extra: dict = field(default_factory=dict)

    @property
    def batch(self) -> int:
        """The annotation batch the page came in (``tools/annotation_batch.py``; 1 when unnamed)."""
        return int(self.extra.get("batch", 1))

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "source": self.source, "site": self.site, "split": self.split,
                **self.extra, "blocks": [b.to_dict() for b in self.blocks]}


def _fail(where: str, message: str) -> AnnotationError:
    return AnnotationError(f"{where}: {message}")


def parse_page(record: dict, where: str) -> GoldPage:
    """Validate one decoded record; ``where`` (``file:line``) prefixes every error."""
    if not isinstance(record, dict):
        raise _fail(where, "a record must be a JSON object")
    for key in ("doc_id", "source", "site", "split", "blocks"):
        if key not in record:
            raise _fail(where, f"missing key {key!r}")
    if record["split"] not in SPLITS:
        raise _fail(where, f"split {record['split']!r} is not one of {', '.join(SPLITS)}")
    conflicts = record.get("conflicts")
    if conflicts is not None and not isinstance(conflicts, list):
        raise _fail(where, "conflicts must be a list")
    # a page whose every pulled block is in conflict holds no label yet, only its conflicts
    if not isinstance(record["blocks"], list) or not (record["blocks"] or conflicts):
        raise _fail(where, "blocks must be a non-empty list")
    blocks = []
    for k, raw in enumerate(record["blocks"]):
        spot = f"{where} block {k}"
        if not isinstance(raw, dict):
            raise _fail(spot, "a block must be a JSON object")
        text, label = raw.get("text"), raw.get("label")
        if not isinstance(text, str) or not text.strip():
            raise _fail(spot, "empty text")
        if label not in LABELS:
            raise _fail(spot, f"unknown label {label!r} (labels: {', '.join(LABELS)})")
        origin = raw.get("origin", "hand")
        if origin not in ORIGINS:
            raise _fail(spot, f"origin {origin!r} is not one of {', '.join(ORIGINS)}")
        if not raw.get("annotator"):
            raise _fail(spot, "no annotator")
        extra = {k2: v for k2, v in raw.items() if k2 not in ("text", "label", "annotator", "origin")}
        blocks.append(GoldBlock(text, label, str(raw["annotator"]), origin, extra))
    extra = {k: v for k, v in record.items() if k not in ("doc_id", "source", "site", "split", "blocks")}
    return GoldPage(str(record["doc_id"]), str(record["source"]), str(record["site"]), record["split"], blocks, extra)


def read_pages(path: str | os.PathLike) -> list[GoldPage]:
    """Read and validate one annotation file.

    Raises ``AnnotationError`` naming the file and line for bad JSON, unknown
    labels, empty text, duplicate ``doc_id``s and sites found in two splits.
    """
    path = Path(path)
    pages: list[GoldPage] = []
    seen: dict[str, str] = {}
    site_split: dict[str, tuple[str, str]] = {}
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise _fail(where, f"not JSON ({exc.msg})") from None
            page = parse_page(record, where)
            if page.doc_id in seen:
                raise _fail(where, f"duplicate doc_id {page.doc_id!r} (first at {seen[page.doc_id]})")
            seen[page.doc_id] = where
            first = site_split.setdefault(page.site, (page.split, where))
            if first[0] != page.split:
                raise _fail(where, f"split leakage: site {page.site!r} is in {page.split} here and in {first[0]} at {first[1]}")
            pages.append(page)
    return pages


def parse_batches(spec: str | None) -> set[int] | None:
    """Annotation batches named on a command line (``"1,2"``); None (every batch) when not given."""
    return {int(b) for b in spec.split(",")} if spec else None


def in_batches(pages: Iterable[GoldPage], batches: set[int] | None) -> list[GoldPage]:
    """The pages of the annotation ``batches``; every page when None."""
    return [p for p in pages if batches is None or p.batch in batches]


def read_dir(path: str | os.PathLike) -> list[GoldPage]:
    """Read every ``*.jsonl`` file of an annotation folder, checked across files too."""
    files = sorted(Path(path).glob("*.jsonl"))
    pages = [page for f in files for page in read_pages(f)]
    check_pages(pages)
    return pages


def check_pages(pages: Iterable[GoldPage]) -> None:
    """Cross-file checks: duplicate doc_ids and split leakage."""
    ids: set[str] = set()
    sites: dict[str, str] = {}
    for page in pages:
        if page.doc_id in ids:
            raise AnnotationError(f"duplicate doc_id {page.doc_id!r} across annotation files")
        ids.add(page.doc_id)
        if sites.setdefault(page.site, page.split) != page.split:
            raise AnnotationError(f"split leakage: site {page.site!r} is in {sites[page.site]} and {page.split}")


def write_pages(path: str | os.PathLike, pages: Iterable[GoldPage]) -> None:
    """Write pages atomically: a temporary file in the same folder, fsync, then rename.

    The file replaced is kept as ``<name>.bak``; an interrupted write leaves the
    old file untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pages = list(pages)
    check_pages(pages)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for page in pages:
                fh.write(json.dumps(page.to_dict(), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            shutil.copy2(path, path.with_suffix(path.suffix + ".bak"))
            shutil.copymode(path, tmp)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def normalise(text: str) -> str:
    """The key blocks are matched by: case folded, whitespace removed (segmenters differ in spacing)."""
    return _SPACE.sub("", text).casefold()


def realign(gold: list[GoldBlock], texts: list[str]) -> list[GoldBlock | None]:
    """Re-attach gold labels to a new segmentation of the same page, by text.

    Both segmentations cut the same stream of text at different places. Each
    new block is located in the gold blocks' joined (normalised) text, searching
    forward from the previous block, and takes the gold block whose label holds
    most of its characters. Blocks whose text the gold does not contain get None.

    Examples
    --------
    >>> g = [GoldBlock("A b.", "news_body", "x"), GoldBlock("C d e f.", "quote", "x")]
    >>> [b.label if b else None for b in realign(g, ["A b. C d e f.", "A b.", "d e", "Menu"])]
    ['quote', 'news_body', 'quote', None]
    """
    spans: list[tuple[int, int, GoldBlock]] = []
    position = 0
    for block in gold:
        size = len(normalise(block.text))
        spans.append((position, position + size, block))
        position += size
    whole = "".join(normalise(b.text) for b in gold)
    out: list[GoldBlock | None] = []
    cursor = 0
    for text in texts:
        norm = normalise(text)
        start = whole.find(norm, cursor) if norm else -1
        if start < 0 and norm:
            start = whole.find(norm)  # out of order: search from the top
        if start < 0:
            out.append(None)
            continue
        end = start + len(norm)
        cursor = end
        by_label: dict[str, int] = {}
        first: dict[str, GoldBlock] = {}
        for a, b, block in spans:
            overlap = min(b, end) - max(a, start)
            if overlap > 0:
                by_label[block.label] = by_label.get(block.label, 0) + overlap
                first.setdefault(block.label, block)
        out.append(first[max(by_label, key=by_label.__getitem__)] if by_label else None)
    return out


def iter_blocks(pages: Iterable[GoldPage], split: str | None = None) -> Iterator[tuple[GoldPage, GoldBlock]]:
    """Every (page, block) pair, optionally of one split."""
    for page in pages:
        if split is None or page.split == split:
            for block in page.blocks:
                yield page, block
