"""Where pages come from: files, folders (walked lazily), gzip files, stdin, and streams of
many pages in one file (JSON Lines; WARC through ``thresher.integrations.warc``).

A stream is never read whole: its records are yielded one at a time, so memory stays
flat whatever its length.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .errors import InputError, LimitExceededError

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".txt", ".text")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
WARC_SUFFIXES = (".warc",)
STREAM_KINDS = ("jsonl", "warc")
STDIN = "-"
GZIP_CHUNK = 1 << 16
#: A JSON line may hold a page escaped (``\u00e9``, ``\"``): allow that much more than the page limit.
JSON_ESCAPE_FACTOR = 2


@dataclass(frozen=True, slots=True)
class Record:
    """One page read out of a stream: its bytes or text, ready for a worker.

    Attributes
    ----------
    source : the page's URL (else ``file:line``), written as ``source`` in the output.
    data : the page, bytes (WARC) or str (JSON Lines).
    input_format : ``"html"``, ``"text"`` or ``"auto"``, as the stream says.
    encoding : the charset the stream declares (an HTTP header), if any.
    meta : extra facts kept in the output, e.g. ``{"warc_record_id": ...}``.
    error_type, error : a record that could not be read (bad JSON, too long): its error.
    """

    source: str
    data: bytes | str = b""
    input_format: str = "auto"
    encoding: str | None = None
    meta: dict = field(default_factory=dict)
    error_type: str = ""
    error: str = ""


def _strip_gz(path: str | Path) -> str:
    name = str(path).lower()
    return name[:-3] if name.endswith(".gz") else name


def stream_kind(source: str, forced: str | None = None) -> str | None:
    """``"jsonl"`` or ``"warc"`` when ``source`` is a stream of pages, else None (one page).

    The suffix decides (``.jsonl``, ``.ndjson``, ``.warc``, any of them ``.gz``);
    ``forced`` (``--stream``) makes every file and stdin a stream of that kind.

    Examples
    --------
    >>> stream_kind("crawl.warc.gz"), stream_kind("pages.jsonl"), stream_kind("a.html"), stream_kind("-", "jsonl")
    ('warc', 'jsonl', None, 'jsonl')
    """
    if forced:
        return forced
    if source == STDIN:
        return None
    name = _strip_gz(source)
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    return None


def is_page_file(path: Path) -> bool:
    """Whether a file found in a folder is a page (``.html``, ``.htm``, ``.txt``, any of them ``.gz``)
    or a stream of pages (``.jsonl``, ``.ndjson``, ``.warc``, any of them ``.gz``)."""
    name = _strip_gz(path.name)
    return name.endswith(PAGE_SUFFIXES) or stream_kind(name) is not None


def iter_sources(paths: list[str]) -> Iterator[str]:
    """Expand the command line's paths: folders are walked (sorted), ``-`` is stdin.

    A path that does not exist is still yielded, so that it is reported as a
    failed page, in order, like any other unreadable input.
    """
    for given in paths:
        if given == STDIN:
            yield STDIN
            continue
        path = Path(given)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    candidate = Path(root) / name
                    if is_page_file(candidate):
                        yield str(candidate)
        else:
            yield given


def read_source(source: str, *, max_bytes: int, stdin_data: bytes | None = None) -> bytes:
    """The bytes of one page, gunzipped when needed, never more than ``max_bytes``.

    Raises ``InputError`` (or its ``LimitExceededError``) with a message fit for the user.
    """
    if source == STDIN:
        data = stdin_data or b""
    else:
        try:
            size = os.path.getsize(source)
            if size > max_bytes and not source.endswith(".gz"):
                raise LimitExceededError(f"file of {size:,} bytes is over the limit of {max_bytes:,} (max_input_bytes)")
            with open(source, "rb") as fh:
                data = fh.read(max_bytes + 1)
        except FileNotFoundError:
            raise InputError("no such file") from None
        except IsADirectoryError:
            raise InputError("is a directory") from None
        except PermissionError:
            raise InputError("permission denied") from None
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if data[:2] == b"\x1f\x8b":
        return gunzip_limited(data, max_bytes)
    if len(data) > max_bytes:
        raise LimitExceededError(f"input is over the limit of {max_bytes:,} bytes (max_input_bytes)")
    return data


def gunzip_limited(data: bytes, max_bytes: int) -> bytes:
    """Inflate gzip data chunk by chunk, refusing past ``max_bytes`` (a gzip bomb stops early)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    view = memoryview(data)
    try:
        for start in range(0, len(view), GZIP_CHUNK):
            out += inflater.decompress(view[start: start + GZIP_CHUNK], max_bytes + 1 - len(out))
            while inflater.unconsumed_tail and len(out) <= max_bytes:
                out += inflater.decompress(inflater.unconsumed_tail, max_bytes + 1 - len(out))
            if len(out) > max_bytes:
                raise LimitExceededError(f"gzip data inflates past the limit of {max_bytes:,} bytes (max_input_bytes)")
            if inflater.eof:
                break
    except zlib.error as exc:
        raise InputError(f"broken gzip data ({exc})") from None
    if not inflater.eof:
        raise InputError("truncated gzip data")
    return bytes(out)



def iter_items(sources: list[str], *, stream: str | None = None, max_bytes: int,
               skipped: Counter | None = None, stdin: BinaryIO | None = None) -> Iterator[str | Record]:
    """The work items of ``sources``: a page file's path as is, a stream's pages as Records.

    ``skipped`` counts the stream records that are not pages (WARC requests,
    non-HTML responses...), by reason. A stream that cannot be opened becomes
    one failed Record, so the batch goes on.
    """
    for source in sources:
        kind = stream_kind(source, stream)
        if kind is None:
            yield source
        else:
            yield from iter_stream(source, kind, max_bytes=max_bytes, skipped=skipped, stdin=stdin)


def iter_stream(source: str, kind: str, *, max_bytes: int, skipped: Counter | None = None,
                stdin: BinaryIO | None = None) -> Iterator[Record]:
    """The pages of one stream file (or stdin), one Record at a time."""
    try:
        fh = stdin if source == STDIN else open(source, "rb")  # noqa: SIM115
    except OSError as exc:
        yield Record(source, error_type="InputError", error=f"cannot read: {exc.strerror or exc}")
        return
    try:
        if kind == "warc":
            from .integrations.warc import iter_warc

            yield from iter_warc(fh, source, max_bytes=max_bytes, skipped=skipped)
        else:
            yield from iter_jsonl(_maybe_gunzip(fh), source, max_bytes=max_bytes)
    except (OSError, EOFError, zlib.error) as exc:  # a truncated or broken file: its pages so far stand
        yield Record(source, error_type="InputError", error=f"broken stream: {exc}")
    finally:
        if fh is not stdin:
            fh.close()


def _maybe_gunzip(fh: BinaryIO) -> BinaryIO:
    """Gzip-compressed or not, told by the first two bytes (works on stdin too)."""
    import io

    buffered = fh if hasattr(fh, "peek") else io.BufferedReader(fh)  # type: ignore[arg-type]
    return gzip.GzipFile(fileobj=buffered) if buffered.peek(2)[:2] == b"\x1f\x8b" else buffered


def iter_jsonl(fh: BinaryIO, name: str, *, max_bytes: int) -> Iterator[Record]:
    """Records of a JSON Lines stream: ``{"url": ..., "html": ...}`` or ``{"url": ..., "text": ...}``.

    Blank lines are ignored. A line that is not such an object, or longer than
    the page limit allows, becomes a failed Record named ``NAME:LINE``.
    """
    limit = max_bytes * JSON_ESCAPE_FACTOR + 4096
    number = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the line, a chunk at a time
                line = fh.readline(GZIP_CHUNK)
            yield Record(f"{name}:{number}", error_type="LimitExceededError",
                         error=f"line longer than {limit:,} bytes (max_input_bytes)")
            continue
        if line.strip():
            yield parse_json_record(line, f"{name}:{number}")


def parse_json_record(line: bytes | str | dict, fallback: str) -> Record:
    """One JSON Lines record (or an already parsed dict) as a Record; bad ones carry their error."""
    try:
        obj = json.loads(line) if isinstance(line, bytes | str) else line
    except ValueError as exc:
        return Record(fallback, error_type="InputError", error=f"not JSON: {exc}")
    if not isinstance(obj, dict):
        return Record(fallback, error_type="InputError", error='not a JSON object with "html" or "text"')
    url = obj.get("url")
    source = url if isinstance(url, str) and url else fallback
    for key in ("html", "text"):
        value = obj.get(key)
        if isinstance(value, str):
            return Record(source, value, input_format=key)
    return Record(source, error_type="InputError", error='no "html" or "text" string in the record')
