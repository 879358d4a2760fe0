"""WARC files → pages: HTML response records, decoded by their HTTP charset (warcio).

Every other record (requests, metadata, non-HTML or non-2xx responses) is
skipped and counted by reason, so a summary can say what was left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

from ..decoding import charset_of
from ..inputs import Record
from . import missing

HTML_TYPES = ("text/html", "application/xhtml+xml")


def _archive_iterator():
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError:
        raise missing("warcio", "warc") from None
    return ArchiveIterator


def skip_reason(record) -> str | None:
    """Why a WARC record is not a page to clean, or None when it is one."""
    if record.rec_type != "response":
        return f"{record.rec_type} record"
    if record.http_headers is None:
        return "response without HTTP headers"
    status = record.http_headers.get_statuscode() or ""
    if not status.startswith("2"):
        return "non-2xx response"
    media = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if media not in HTML_TYPES:
        return "non-HTML response"
    return None


def iter_warc(fh: BinaryIO, name: str, *, max_bytes: int, skipped: Counter | None = None) -> Iterator[Record]:
    """The HTML pages of a WARC stream (``.warc`` or ``.warc.gz``), one Record at a time.

    Each Record's ``source`` is the WARC-Target-URI and its ``meta`` holds the
    WARC-Record-ID; the body is dechunked and uncompressed by warcio and
    decoded later by the HTTP charset (``Record.encoding``). A body over
    ``max_bytes`` becomes a failed Record; other records are counted in ``skipped``.
    """
    skipped = skipped if skipped is not None else Counter()
    for record in _archive_iterator()(fh, arc2warc=True):
        url = record.rec_headers.get_header("WARC-Target-URI") or name
        meta = {"warc_record_id": record.rec_headers.get_header("WARC-Record-ID") or ""}
        reason = skip_reason(record)
        page = None if reason else _page(record, url, meta, max_bytes)
        missing_bytes = _drain(record)
        # warcio reads a record cut short without a word: say so, once. (A file cut inside a
        # record's WARC headers still ends silently, at the last whole record.)
        if missing_bytes:
            yield Record(url, meta=meta, error_type="InputError",
                         error=f"truncated WARC record ({missing_bytes:,} bytes missing): the file ends here")
            return
        if reason:
            skipped[reason] += 1
        else:
            yield page


def _page(record, url: str, meta: dict, max_bytes: int) -> Record:
    try:
        body = record.content_stream().read(max_bytes + 1)
    except Exception as exc:  # broken chunking or Content-Encoding: this record only
        return Record(url, meta=meta, error_type="InputError", error=f"unreadable response body: {exc}")
    if len(body) > max_bytes:
        return Record(url, meta=meta, error_type="LimitExceededError",
                      error=f"response body over the limit of {max_bytes:,} bytes (max_input_bytes)")
    return Record(url, body, input_format="html", meta=meta,
                  encoding=charset_of(record.http_headers.get_header("Content-Type")))


def _drain(record) -> int:
    """Read the rest of the record; return how many of its declared bytes the file lacks."""
    while record.raw_stream.read(1 << 16):
        pass
    return record.raw_stream.limit
