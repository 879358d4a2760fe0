"""Plain-text dumps of HTML pages (``thresher.dump``), and batch 5's gold pages labeled on them."""

from __future__ import annotations

import pytest

from thresher.annotations import read_dir
from thresher.blocks import Block
from thresher.dump import dump_blocks, dump_text
from thresher.html import html_blocks
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
    assert [(b.tag, b.text) for b in dump_blocks(blocks)] == [
        ("line", "Council passes budget"),
        ("line", "The council passed the budget on Monday."),
        ("li", "Roads get more money."),
        ("li", "Parks get less."),
        ("line", "Featured"),
        ("li", "The Evolution of IP Camera Intelligence As the 30th anniversary of the IP camera approaches, a look back."),
        ("li", "Achieving Clear Audio In today's world of security, effective communication matters."),
    ]


def test_text_after_a_nested_list_starts_a_new_bullet():
    blocks, _ = html_blocks("<ul><li>Outer<ul><li>Inner</li></ul>after</li></ul>")
    assert dump_text(blocks) == "  • Outer\n\n  • Inner\n\n  • after"


def test_blocks_without_an_xpath_are_bulleted_by_their_tag():
    blocks = [Block(0, "Menu", tag="li"), Block(1, "Home", tag="li"), Block(2, "Story.", tag="line")]
    assert dump_text(blocks) == "  • Menu\n\n  • Home\n\nStory."


def test_dump_gold_pages_are_re_segmented_as_the_dump_they_were_labeled_on(corpus):
    pages = [p for p in read_dir(ROOT / "annotations") if p.extra.get("rendering") == "dump"]
    if not pages:
        pytest.skip("no gold page labeled as a dump")
    for page in pages:
        assert (corpus / page.source).is_file(), page.source  # else segment_gold falls back to the stored texts
        blocks, matched = segment_gold(page, corpus)
        assert all(m is not None for m in matched), page.doc_id
        assert [b.text for b in blocks] == [g.text for g in page.blocks]
        assert any(b.tag == "li" for b in blocks) and all(b.kind == "text" for b in blocks)
