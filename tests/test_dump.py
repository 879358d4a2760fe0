"""HTML-to-text dumps (``thresher.dump``): the shape of the seed page, and batch 5's gold pages."""

from __future__ import annotations

import pytest

from thresher.annotations import read_dir
from thresher.dump import dump_text
from thresher.html import html_blocks
from thresher.options import SegmentOptions
from thresher.segmenter import split_page
from thresher.training import segment_gold

from .conftest import ROOT

CARDS = """<html><body><article><h1>Council passes budget</h1><p>The council passed the budget on Monday.</p>
<ul><li>Roads get more money.</li><li>Parks get less.</li></ul></article>
<aside><h2>Featured</h2><ul>
<li><h3><a href="/a">The Evolution of IP Camera Intelligence</a></h3><p>As the 30th anniversary of the IP camera approaches, a look back.</p></li>
<li><h3><a href="/b">Achieving Clear Audio</a></h3><p>In today's world of security, effective communication matters.</p></li>
</ul></aside></body></html>"""


def test_a_teaser_card_reads_as_one_bulleted_paragraph_as_in_the_seed_page():
    blocks, _ = html_blocks(CARDS)
    dumped, _, form = split_page(dump_text(blocks), SegmentOptions())
    assert form == "text"
    assert [(b.tag, b.text) for b in dumped] == [
        ("line", "Council passes budget"),
        ("line", "The council passed the budget on Monday."),
        ("li", "Roads get more money."),
        ("li", "Parks get less."),
        ("line", "Featured"),
        ("li", "The Evolution of IP Camera Intelligence As the 30th anniversary of the IP camera approaches, a look back."),
        ("li", "Achieving Clear Audio In today's world of security, effective communication matters."),
    ]


def test_the_seed_page_has_the_shape_a_dump_gives():
    """The seed's teasers are bulleted titles with their lead indented beneath: one li block each."""
    blocks, _, _ = split_page((ROOT / "corpus" / "examples" / "dhs-ice-operation-rise.txt").read_bytes(), SegmentOptions())
    teaser = next(b for b in blocks if b.text.startswith("The Evolution of IP Camera Intelligence"))
    assert teaser.tag == "li" and "As the 30th anniversary" in teaser.text


def test_dump_gold_pages_are_re_segmented_as_the_dump_they_were_labeled_on(corpus):
    pages = [p for p in read_dir(ROOT / "annotations") if p.extra.get("rendering") == "dump"]
    if not pages:
        pytest.skip("no gold page labeled as a dump")
    for page in pages[:5]:
        blocks, matched = segment_gold(page, corpus)
        assert all(m is not None for m in matched), page.doc_id
        assert [b.text for b in blocks] == [g.text for g in page.blocks]
        assert any(b.tag == "li" for b in blocks) and all(b.kind == "text" for b in blocks)
