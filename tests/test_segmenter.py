"""Format detection, forcing a format, and the title."""

from __future__ import annotations

import gzip

from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.options import SegmentOptions
from thresher.segmenter import _norm, _norms, detect_format, split_page

from .conftest import EXAMPLES, SEED


def test_detects_html_and_text():
    assert detect_format("<!doctype html><html><p>x</p></html>") == "html"
    assert detect_format('<script>var a = 1;</script>\n<!DOCTYPE html><html><body>x') == "html"
    assert detect_format(SEED.read_text()) == "text"
    html = gzip.decompress((EXAMPLES / "wcxb-4101-sba.html.gz").read_bytes()).decode()
    assert detect_format(html) == "html"


def test_format_can_be_forced():
    page = "<p>one</p>\n<p>two</p>"
    as_text, _, fmt = split_page(page, SegmentOptions(input_format="text"))
    assert fmt == "text" and as_text[0].text == "<p>one</p>"
    as_html, _, fmt = split_page(page, SegmentOptions(input_format="html"))
    assert fmt == "html" and [b.text for b in as_html] == ["one", "two"]


def test_title_blocks_are_flagged():
    blocks, title, _ = split_page((EXAMPLES / "cook_il-regional-transit-task-force.txt").read_bytes(), SegmentOptions())
    assert title.startswith("CCSAO Regional Transit Task Force Holds Inaugural Meeting |")
    flagged = [b.text for b in blocks if b.is_title]
    assert flagged == [title, "CCSAO Regional Transit Task Force Holds Inaugural Meeting"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(st.characters(max_codepoint=127), max_size=12),
                          st.text(st.sampled_from(list("aZ \u03a3'\u2019._\u0130\u212a\u0301!\x1c0")), max_size=12)),
                max_size=6))
def test_title_candidates_are_normalised_as_the_regex_does(texts):
    # ASCII texts skip the regex: every control, punctuation and underscore must fall as it would
    assert _norms(texts) == [_norm(t) for t in texts]
