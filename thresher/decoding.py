"""Bytes to text: BOM, declared charset, then detection; binary data is refused."""

from __future__ import annotations

import codecs
import re

from .errors import BinaryInputError, EmptyInputError

try:
    from . import _textscan
except ImportError:  # pragma: no cover - a build without a C compiler
    _textscan = None

# _textscan.scan's flags: a C0 control _NOT_TEXT finds, U+FFFE or U+FFFF, a control _CONTROL finds
_SCAN_NOT_TEXT, _SCAN_NONCHARACTER, _SCAN_CONTROL = 1, 2, 4

# File signatures of formats that are never a web page's text.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"RIFF", "RIFF media"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x1aE\xdf\xa3", "Matroska/WebM video"),
    (b"SQLite format 3", "SQLite database"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{2,40})""", re.I)
# Share of control bytes (other than \t \n \r \f) above which data is not text.
MAX_CONTROL_SHARE = 0.10
SNIFF_BYTES = 8192
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # C0 controls but \t \n \f \r


def sniff_binary(data: bytes) -> str | None:
    """Name the binary format of ``data``, or None when it may be text."""
    head = data[:16]
    for magic, name in _MAGIC:
        if head.startswith(magic):
            # "MZ"/"ID3"/"RIFF" are short: insist on a control byte early as well
            if len(magic) >= 4 or any(b < 9 for b in data[:64]):
                return name
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """Detect UTF-16 text with no BOM by its pattern of zero bytes."""
    if len(sample) < 8:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    zeros_even = even.count(0) / len(even)
    zeros_odd = odd.count(0) / len(odd)
    if zeros_odd > 0.4 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.4 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


# What XML (and so lxml) refuses: C0 controls but \t \n \r, lone surrogates (from str built
# with surrogateescape) and the non-characters U+FFFE/U+FFFF. Form and line feeds become newlines.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BREAKS = str.maketrans("\x0b\x0c", "\n\n")


def clean_characters(text: str) -> str:
    """Drop characters no page can mean; vertical tabs and form feeds become line breaks.

    Examples
    --------
    >>> clean_characters("a\\x00b\\x07c\\udc80d\\x0ce")
    'abcd\\ne'
    """
    return clean_characters_utf8(text)[0]


def clean_characters_utf8(text: str, utf8: bytes | None = None) -> tuple[str, bytes | None]:
    """``clean_characters(text)``, and its UTF-8 bytes when the text was already clean (the check
    encodes it; the HTML parser reads those bytes rather than encoding the page again), else None.

    ``utf8`` is ``text.encode("utf-8")`` when the caller has it (a page decoded from strict UTF-8).
    """
    data = _utf8(text) if utf8 is None else utf8
    if data is not None and not _has_not_text(text, data):
        return text, data
    return _NOT_TEXT.sub("", text.translate(_BREAKS)), None


_C0_NOT_TEXT = bytes(c for c in range(32) if c not in (9, 10, 13))  # _NOT_TEXT's ASCII part


def has_not_text(text: str) -> bool:
    """Whether ``_NOT_TEXT`` finds a character in ``text``, in about half the regex's time:
    UTF-8 refuses lone surrogates, and deleting the C0 controls from the bytes shows any.

    Examples
    --------
    >>> has_not_text("caf\\u00e9\\n"), has_not_text("a\\x0cb"), has_not_text("\\ud800"), has_not_text("\\uffff")
    (False, True, True, True)
    """
    data = _utf8(text)
    return data is None or _has_not_text(text, data)


def _utf8(text: str) -> bytes | None:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return None


def _has_not_text(text: str, data: bytes) -> bool:
    """``has_not_text`` of a text whose UTF-8 encoding (``data``) exists: one C pass over the
    bytes, or (without it) deleting the C0 controls and looking for the two non-characters."""
    if _textscan is not None:
        return _textscan.scan(data) & (_SCAN_NOT_TEXT | _SCAN_NONCHARACTER) != 0
    return len(data.translate(None, _C0_NOT_TEXT)) != len(data) or "\ufffe" in text or "\uffff" in text


def _control_share(text: str) -> float:
    """Share of control characters (other than tab, line feed, form feed and carriage return)
    in the text's first ``SNIFF_BYTES`` characters; counted by a regex, about 7x faster
    than a character loop on every page."""
    sample = text[:SNIFF_BYTES]
    if not sample:
        return 0.0
    return len(_CONTROL.findall(sample)) / len(sample)


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes, *, declared: str | None = None) -> tuple[str, str]:
    """Decode a page's bytes; return ``(text, encoding_used)``.

    Order: byte-order mark, then a declared charset (HTTP header or ``<meta>``)
    that decodes cleanly, then strict UTF-8, then charset-normalizer's guess,
    and last cp1252 with replacement characters so that no page is lost.

    Raises
    ------
    BinaryInputError
        When the bytes are an image, a PDF, an archive or other binary data.
    EmptyInputError
        When there are no bytes.
    """
    if not data:
        raise EmptyInputError("empty input: no bytes")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(encoding, errors="replace")
            return _check_text(text), encoding
    kind = sniff_binary(data)
    if kind:
        raise BinaryInputError(f"binary input ({kind}), not a web page")
    utf16 = _utf16_without_bom(data[:SNIFF_BYTES])
    if utf16:
        return _check_text(data.decode(utf16, errors="replace")), utf16
    candidates = []
    if declared:
        candidates.append(declared)
    match = _META_CHARSET.search(data[:SNIFF_BYTES])
    if match:
        candidates.append(match.group(1).decode("ascii", "ignore"))
    for encoding in candidates:
        encoding = _normalise_charset(encoding)
        text = _try(data, encoding)
        if text is not None:
            return _check_text(text, data if encoding == "utf-8" else None), encoding
    text = _try(data, "utf-8")
    if text is not None:
        return _check_text(text, data), "utf-8"
    guess = _guess(data)
    if guess:
        text = _try(data, guess)
        if text is not None:
            return _check_text(text), guess
    return _check_text(data.decode("cp1252", errors="replace")), "cp1252"


def charset_of(content_type: str | bytes | None) -> str | None:
    """The ``charset`` parameter of an HTTP Content-Type header, if any (for ``declared``).

    Examples
    --------
    >>> charset_of('text/html; charset="ISO-8859-1"'), charset_of(b"text/html"), charset_of(None)
    ('ISO-8859-1', None, None)
    """
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        value = value.strip().strip("\"'")
        if key.strip().lower() == "charset" and value:
            return value
    return None


def _normalise_charset(name: str) -> str:
    name = name.strip().lower()
    # Browsers read latin-1 and ascii labels as windows-1252 (WHATWG Encoding).
    if name in {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "iso8859-1"}:
        return "cp1252"
    return name


def _guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes  # imported late: only needed for odd pages

    best = from_bytes(data[: 256 * 1024]).best()
    return best.encoding if best is not None else None


def _check_text(text: str, utf8: bytes | None = None) -> str:
    """``text``, unless control characters make it binary; ``utf8`` is its UTF-8 when the caller
    has it (a page decoded from strict UTF-8): a page without one control needs no count."""
    if utf8 is not None and _textscan is not None and not _textscan.scan(utf8) & _SCAN_CONTROL:
        return text
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise BinaryInputError("binary input (too many control characters), not a web page")
    return text
