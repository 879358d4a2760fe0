"""Encodings: BOM, declared charset, detection, and binary refusal."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher import decoding
from thresher.decoding import _control_share, decode_bytes
from thresher.errors import BinaryInputError, EmptyInputError
from thresher.options import SegmentOptions
from thresher.segmenter import split_page

PAGE = "<html><head>{meta}<title>Café</title></head><body><p>Le café coûte 3 € — “déjà vu”.</p></body></html>"


def _text(page: bytes) -> str:
    blocks, _, _ = split_page(page, SegmentOptions())
    return blocks[0].text


def test_utf8_without_declaration():
    assert _text(PAGE.format(meta="").encode("utf-8")) == "Le café coûte 3 € — “déjà vu”."


def test_cp1252_declared_in_meta():
    page = PAGE.format(meta='<meta charset="windows-1252">').encode("cp1252")
    assert _text(page) == "Le café coûte 3 € — “déjà vu”."


def test_cp1252_undeclared_is_detected():
    page = (PAGE.format(meta="") * 3).encode("cp1252")
    assert "café" in _text(page)


def test_utf16_with_bom():
    page = codecs.BOM_UTF16_LE + PAGE.format(meta="").encode("utf-16-le")
    assert _text(page) == "Le café coûte 3 € — “déjà vu”."


def test_utf16_without_bom():
    text, encoding = decode_bytes(PAGE.format(meta="").encode("utf-16-le"))
    assert encoding == "utf-16-le" and "café" in text


def test_wrong_meta_charset_falls_back_to_what_decodes():
    # declared utf-8 but the bytes are cp1252: the declaration cannot decode them
    page = PAGE.format(meta='<meta charset="utf-8">').encode("cp1252")
    assert "caf" in _text(page)
    # declared latin-1 (read as windows-1252, as browsers do) on utf-8 bytes stays readable
    page = PAGE.format(meta='<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">').encode("utf-8")
    assert _text(page).startswith("Le caf")


@pytest.mark.parametrize("data,kind", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (bytes(range(256)) * 20, "control"),
])
def test_binary_is_refused(data, kind):
    with pytest.raises(BinaryInputError, match=kind):
        decode_bytes(data)


def test_empty_is_refused():
    with pytest.raises(EmptyInputError):
        decode_bytes(b"")
    with pytest.raises(EmptyInputError):
        split_page(b"   \n\n ", SegmentOptions())


@given(st.text(alphabet=st.characters(max_codepoint=0x40) | st.characters(), max_size=300))
def test_control_share_counts_c0_controls_but_the_four_layout_ones(text):
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    assert _control_share(text) == (bad / len(text) if text else 0.0)


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=40))
def test_the_quick_test_for_characters_no_page_means_agrees_with_the_regex(text):
    assert decoding.has_not_text(text) == (decoding._NOT_TEXT.search(text) is not None)
    for c in "\x00\x08\x0b\x0c\x0e\x1f\ud800\udfff\ufffe\uffff":
        assert decoding.has_not_text(text + c)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=40))
def test_clean_text_comes_with_its_utf8_and_changed_text_without(text):
    cleaned, data = decoding.clean_characters_utf8(text)
    assert cleaned == decoding._NOT_TEXT.sub("", text.translate(decoding._BREAKS))
    if decoding._NOT_TEXT.search(text) is None:
        assert cleaned is text and data == text.encode("utf-8")  # what the parser would have made
    else:
        assert data is None


def test_a_utf8_pages_own_bytes_are_parsed_as_its_text_would_be():
    # strict UTF-8 pages hand their bytes to the parser; a BOM, a replaced byte or cp1252 do not
    page = "<html><head><title>Café</title></head><body><p>Naïve “quotes” — 10 €.</p><p>二</p></body></html>"
    for data in (page.encode(), codecs.BOM_UTF8 + page.encode(), page.encode("cp1252", "replace"),
                 page.encode() + b"<p>\xff broken</p>"):
        text, _ = decode_bytes(data)
        from_bytes, title, _ = split_page(data, SegmentOptions())
        from_text, title_text, _ = split_page(text, SegmentOptions())
        assert [b.text for b in from_bytes] == [b.text for b in from_text] and title == title_text
        assert from_bytes[0].text.startswith("Na")


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 40), st.text(st.characters(codec=None, exclude_categories=(), exclude_characters="\ud800\udfff"
                                                 ) | st.sampled_from("\x00\x0c\x1f\t\n\r\ufffe\uffff\uefbf\ufeff"),
                                   max_size=60))
def test_the_c_scan_of_utf8_finds_what_the_python_checks_find(pad, text):
    """_textscan.scan against the translate, "in" and regex checks it replaces, at every place
    in its 16-byte steps (the padding moves the text across them)."""
    from .conftest import c_extension

    scan = c_extension(decoding._textscan, "thresher._textscan", "bytes.translate runs").scan
    text = "x" * pad + text
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: never a strictly decoded page's text
        return
    flags = scan(data)
    assert bool(flags & 1) == (len(data.translate(None, decoding._C0_NOT_TEXT)) != len(data))
    assert bool(flags & 2) == ("\ufffe" in text or "\uffff" in text)
    assert bool(flags & 4) == (decoding._CONTROL.search(text) is not None)


@pytest.mark.parametrize("page", [
    "<p>" + "ok " * 5000 + "</p>",                            # no control: no count
    "\x01" * 1000 + "<p>" + "ok " * 3000 + "</p>",            # controls early: binary
    "<p>" + "ok " * 5000 + "</p>" + "\x01" * 3000,            # past the first 8,192 characters: text
    "\x0c" * 2000 + "<p>ok</p>",                              # form feeds are not counted
])
def test_the_binary_check_reads_the_same_with_and_without_the_scan(page):
    from .conftest import c_and_python

    def verdict():
        try:
            return decode_bytes(page.encode("utf-8"))
        except BinaryInputError as exc:
            return str(exc)

    fast, slow = c_and_python(verdict, decoding, "_textscan")
    assert fast == slow
    assert isinstance(fast, str) == page.startswith("\x01")  # only early controls make a page binary
