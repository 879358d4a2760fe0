"""HTML segmentation: blocks, DOM context, broken markup."""

from __future__ import annotations

import gzip
import json

from thresher.html import html_blocks

from .conftest import EXAMPLES


def test_blocks_in_reading_order_with_context():
    html = """<html><head><title>T</title><script>var x = "<p>no</p>";</script></head><body>
    <nav class="mainNav"><ul><li><a href="/">Home</a></li><li><a href="/n">News</a></li></ul></nav>
    <article><h1>Headline</h1><p>First <b>bold</b> paragraph with a <a href="#">link</a>.</p>
    <div>Loose text run<br><br>after a double break</div></article></body></html>"""
    blocks, title = html_blocks(html)
    assert title == "T"
    assert [b.text for b in blocks] == ["Home", "News", "Headline", "First bold paragraph with a link.",
                                         "Loose text run", "after a double break"]
    home = blocks[0]
    assert home.tag == "li" and home.link_chars == 4 and "nav" in home.attr_tokens and "main" in home.attr_tokens
    para = blocks[3]
    assert para.tag == "p" and para.link_chars == len("link") and "article" in para.dom_path
    assert para.xpath.endswith("/article/p")


def test_broken_markup_is_accepted():
    blocks, _ = html_blocks("<div><p>one<p>two</div><li>three<td>four</b></i>")
    assert [b.text for b in blocks] == ["one", "two", "three", "four"]


def test_real_page_segments_and_covers_its_main_content():
    html = gzip.decompress((EXAMPLES / "wcxb-4101-sba.html.gz").read_bytes()).decode("utf-8")
    truth = json.loads((EXAMPLES / "wcxb-4101-sba.ground-truth.json").read_text())["ground_truth"]["main_content"]
    blocks, title = html_blocks(html)
    assert len(blocks) > 20 and title
    text = " ".join(b.text for b in blocks)
    first_paragraph = truth.split("\n\n")[1] if "\n\n" in truth else truth
    assert " ".join(first_paragraph.split()[:8]) in text


def test_deep_nesting_does_not_recurse():
    html = "<div>" * 50_000 + "deep text" + "</div>" * 50_000
    blocks, _ = html_blocks(html)
    assert [b.text for b in blocks] == ["deep text"]
