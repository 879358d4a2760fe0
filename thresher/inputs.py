"""Where pages come from: files, folders (walked lazily), gzip files and stdin."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError, LimitExceededError

PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".txt", ".text")
STDIN = "-"
GZIP_CHUNK = 1 << 16


def is_page_file(path: Path) -> bool:
    """Whether a file found in a folder is a page (``.html``, ``.htm``, ``.txt``, any of them ``.gz``)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(PAGE_SUFFIXES)


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

