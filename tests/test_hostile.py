"""Hostile pages: regression tests for what the fuzzer and the hostile catalogue found."""

from __future__ import annotations

import pytest

from thresher.errors import ThresherError
from thresher.options import SegmentOptions
from thresher.segmenter import split_page

HTML = SegmentOptions(input_format="html")


@pytest.mark.parametrize("page", [
    "<p>Read <a href=x>the\x07 ruling</a> here.</p>",          # fuzz: a control character inside a link
    "<p>Read <a href=x>the\udc80 ruling</a> here.</p>",         # fuzz: a lone surrogate from surrogateescape
    b"<p>Read <a href=x>the\x00\x1b ruling</a> here.</p>",
    "<p>Read <a href=x>the\x0c ruling</a> here.</p>",          # fuzz: a form feed is no XML character
    "<p>Read <a href=x>the\uffff ruling</a> here.</p>",
])
def test_characters_lxml_refuses_are_dropped_not_fatal(page):
    blocks, _, _ = split_page(page, HTML)
    assert [b.text for b in blocks] == ["Read the ruling here."]


def test_a_page_of_only_control_characters_is_refused_with_our_error():
    with pytest.raises(ThresherError):
        split_page("\x01\x02\x03" * 100, SegmentOptions())
