"""The HTML segmenter's tree walk in C (``thresher/_htmlwalk.c``) against the Python walk it
replaces (``html._Maker``): the same blocks, field for field, and the same block ancestry, on real
pages, on generated markup, on pages built to be deep or wide, and at the block limit."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from thresher import html
from thresher.corpus import read_bytes, scrapinghub_pages, wcxb_pages
from thresher.decoding import clean_characters, decode_bytes
from thresher.errors import LimitExceededError

from .conftest import c_extension, colliding, example_pages

htmlwalk = html._htmlwalk


@pytest.fixture(scope="module")
def c_walk():
    module = c_extension(htmlwalk, "thresher._htmlwalk", "the Python walk runs")
    if not html.c_walk_usable():
        pytest.fail("thresher._htmlwalk was built against another lxml or libxml2 than the one installed")
    return module


def _segment(page: str, *, c: bool, max_blocks: int = 10**6) -> list[tuple]:
    saved, html._C_WALK = html._C_WALK, c
    try:  # the characters split_page drops first (C0 controls, lone surrogates) never reach the tree
        blocks, title = html.html_blocks(clean_characters(page), max_blocks=max_blocks)
    finally:
        html._C_WALK = saved
    return [dataclasses.astuple(b) for b in blocks] + [title]


def _same(page: str) -> list[tuple]:
    fast = _segment(page, c=True)
    assert fast == _segment(page, c=False)
    return fast


def _rows(page: str):
    root = html.parse_html(page)
    html.clean_tree(root)
    return htmlwalk.walk(root, 10**6, html.attr_tokens, html._hidden_style, LimitExceededError)


def test_tag_tables_are_html_pys(c_walk):
    # the C walk's own copies: a tag added to html.py's lists must be added there too
    assert set(c_walk.BLOCK_TAGS) == html.BLOCK_TAGS
    assert set(c_walk.SKIP_TAGS) == set(html.SKIP_TAGS)
    assert set(c_walk.INLINE_TAGS) == set(html.INLINE_TAGS)
    for table in (c_walk.BLOCK_TAGS, c_walk.SKIP_TAGS, c_walk.INLINE_TAGS):
        assert list(table) == sorted(table)  # bsearch reads them sorted


def test_example_pages_segment_alike(c_walk):
    pages = [p.decode("utf-8") for p in example_pages() if p.lstrip()[:1] == b"<"]
    assert pages
    for page in pages:
        assert _rows(page) is not None  # the C walk took the page, not the fallback
        assert len(_same(page)) > 50


def test_corpus_pages_segment_alike(c_walk, corpus):
    pages = list(scrapinghub_pages(corpus))[::3] + list(wcxb_pages(corpus))[::20]
    assert len(pages) > 100
    for page in pages:
        text = clean_characters(decode_bytes(read_bytes(page.path))[0])
        assert _rows(text) is not None, page.path
        assert _segment(text, c=True) == _segment(text, c=False), page.path


_WORDS = st.sampled_from(["", "Budget", "rose", "4%", "said", "the", "Council", "a", "é", "日本", "x", "&amp;", "&lt;", "1,000"])
_SPACES = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u2003", "\r\n", "", "\ue001", "\x1c"])
_TEXT = st.lists(st.tuples(_WORDS, _SPACES), max_size=6).map(lambda parts: "".join(w + s for w, s in parts))
_TAGS = st.sampled_from(
    ["div", "p", "span", "a", "br", "li", "ul", "td", "tr", "table", "h2", "b", "em", "section", "foo", "x-y",
     "font", "img", "article", "blockquote", "pre", "noscript", "figcaption", "nav", "script", "style", "html", "body"]
)
_ATTRS = st.lists(
    st.sampled_from(
        ['class="mainNav item"', 'class="Story-body"', "class=''", 'id="content"', 'id="x1_y2"', "hidden",
         'aria-hidden="true"', 'aria-hidden="false"', 'style="display: none"', 'style="DISPLAY:NONE"',
         'style="color:red"', 'style="visibility :hidden"', 'style=""', 'data-x="1"', 'class="caf\u00e9 \u212aelvin"']
    ),
    max_size=3,
)


def _element(children):
    return st.tuples(_TAGS, _ATTRS, st.lists(children, max_size=5), _TEXT).map(
        lambda t: f"<{t[0]} {' '.join(t[1])}>{''.join(t[2])}</{t[0]}>{t[3]}"
    )


_MARKUP = st.recursive(_TEXT, _element, max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(body=st.lists(_MARKUP, min_size=1, max_size=4), title=_TEXT)
def test_generated_markup_segments_alike(c_walk, body, title):
    page = f"<html><head><title>{title}</title></head><body>{''.join(body)}</body></html>"
    try:
        _same(page)
    except html.EmptyInputError:
        with pytest.raises(html.EmptyInputError):
            _segment(page, c=False)


# <br><br> splits a block unless visible text stands between; what counts as visible differs from
# what whitespace collapsing removes (U+2003 is visible, U+00A0 and the link marks are not)
_GAP = st.text(alphabet=" \t\n\u00a0\u2003\ue001\ue002x", max_size=3)
_RUN = st.lists(st.one_of(_GAP, st.just("<br>"), st.just("<a href=x>"), st.just("</a>"), st.just("<p>")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(run=_RUN)
def test_line_breaks_and_invisible_text_segment_alike(c_walk, run):
    _same(f"<html><body><div class=c>a{''.join(run)}b</div></body></html>")


@pytest.mark.parametrize("between", ["\u00a0", "\u2003", " \n", "\ue001\ue002", "<a href=x>\u00a0</a>", ""])
def test_double_breaks(c_walk, between):
    blocks = _same(f"<html><body><div>one<br>{between}<br>two</div></body></html>")
    assert len(blocks) - 1 == (1 if between == "\u2003" else 2)


def test_deep_and_wide_pages(c_walk):
    deep = "<html><body>" + "<div class='d'>x " * 3000 + "end" + "</div>" * 3000 + "</body></html>"
    wide = "<html><body><div>" + "<p>One paragraph.</p><br><br><span>tail</span>" * 20000 + "</div></body></html>"
    assert len(_same(deep)) > 1
    blocks = _same(wide)
    assert len(blocks) > 20000
    assert blocks[-3][1:6:4] == ("One paragraph.", "/html/body/div/p[20000]")  # positions counted once per parent


def test_many_distinct_tag_names_segment_alike(c_walk):
    # the walk's table of tag names grows and rehashes many times (a hostile page may hold a million
    # names; looked up one by one, they cost quadratic time)
    page = "<html><body>" + "".join(f"<div><t{i} class=c{i % 7}>word {i}</t{i}></div>" for i in range(5000)) + "</body></html>"
    blocks = _same(page)
    assert len(blocks) - 1 == 5000 and blocks[1234][1] == "word 1234"


def test_link_marks_the_page_writes_are_dropped_on_both_paths(c_walk):
    # character references give the private marks back after parsing: they are the page's, not links
    for page in ("<p>&#xe001;<b>abc</b></p>", "<p>x &#57346;<a href=x>l&#xE001;ink</a> y&#xe002;</p>",
                 "<ul><li><a href=x>&#xe002;one</a>&#xe001;</li><li>&#xe001; two</li></ul>"):
        blocks = _same(f"<html><body>{page}</body></html>")
        assert all("\ue001" not in b[1] and "\ue002" not in b[1] for b in blocks[:-1])
    texts = [(b[1], b[7]) for b in _same("<html><body><p>x &#57346;<a href=x>l&#xE001;ink</a> y</p></body></html>")[:-1]]
    assert texts == [("x link y", 4)]


def test_nested_links_mark_each_text_once(c_walk):
    # a thousand nested links must not put a thousand marks around each text (memory grows with them)
    page = "<html><body><p>" + "<a href=x><b>" * 300 + "<i>word</i> " * 50 + "</p></body></html>"
    blocks = _same(page)
    assert [(b[1], b[7]) for b in blocks[:-1]] == [(" ".join(["word"] * 50), 200)]  # each marked part stripped
    root = html.parse_html(page)
    html.clean_tree(root)
    assert not any(html.LINK_START * 2 in t for t in root.itertext())  # one mark, not one per link


def test_tag_names_made_to_collide_go_to_the_python_walk(c_walk):
    # the children's names are hashed to count same-tag siblings; a page choosing colliding names
    # would make that quadratic: past 64 probes the C walk declines and Python's dict counts them
    names = colliding(lambda k: f"t{k}", low=7)
    page = "<html><body><div>" + "".join(f"<{n}>w{k}</{n}>" for k, n in enumerate(names)) + "</div></body></html>"
    assert _rows(page) is None
    assert len(_same(page)) == 2


def test_the_block_limit_is_the_same(c_walk):
    page = "<html><body>" + "<p>Para.</p><p> \u00a0 </p>" * 50 + "</body></html>"
    assert len(_segment(page, c=True, max_blocks=50)) == 51
    for c in (True, False):
        with pytest.raises(LimitExceededError, match="more than 49 blocks"):
            _segment(page, c=c, max_blocks=49)


def test_a_node_it_does_not_read_leaves_the_page_to_the_python_walk(c_walk):
    root = etree.fromstring("<html><body><p>One two</p><p>Three</p></body></html>", etree.HTMLParser())
    root.find(".//p").append(etree.Entity("amp"))  # an entity reference: the parser never makes one
    assert htmlwalk.walk(root, 100, html.attr_tokens, html._hidden_style, LimitExceededError) is None
    saved, html._C_WALK = html._C_WALK, True
    try:
        blocks, _ = html.walk_tree(root, 100)
    finally:
        html._C_WALK = saved
    assert [b.text for b in blocks] == ["One two", "Three"]  # the Python walk read it


def test_an_uncleaned_tree_reads_as_clean_tree_leaves_it(c_walk):
    page = ("<html><head><title>T</title></head><body><p>One <!-- note --> two<script>x()</script> three"
            "<a href=x>link <b>bold</b><?pi?> <span class=s>in <style>p{}</style> </span>end</a> out</p>"
            "<div>a<i><p>card <a>one</a></p></i>b<br><span><br></span>c</div></body></html>")
    parser = etree.HTMLParser(remove_comments=False, remove_pis=False)
    raw = htmlwalk.walk(etree.fromstring(page, parser), 100, html.attr_tokens, html._hidden_style, LimitExceededError)
    cleaned = etree.fromstring(page, parser)
    html.clean_tree(cleaned)
    saved, html._C_WALK = html._C_WALK, False
    try:
        blocks, ancestry = html.walk_tree(cleaned, 100)
    finally:
        html._C_WALK = saved
    assert raw is not None
    assert [(b.text, b.link_chars, b.tag, b.dom_path, b.xpath, b.attr_tokens, b.depth) for b in blocks] == [
        (text, links, tag, path, xpath, tokens, depth) for text, links, tag, path, xpath, tokens, depth, _ in raw]
    assert ancestry == [row[7] for row in raw]
    assert [b.text for b in blocks] == ["One two threelink bold in end out", "a", "card one", "b", "c"]


def test_wrong_arguments_are_refused(c_walk):
    with pytest.raises(TypeError):
        c_walk.walk("<p>x</p>", 10, html.attr_tokens, html._hidden_style, LimitExceededError)
    with pytest.raises(TypeError):  # only lxml's _Element is read as one
        c_walk.walk(etree.ElementTree(), 10, html.attr_tokens, html._hidden_style, LimitExceededError)
    root = etree.fromstring("<html><body><p class='a'>x</p></body></html>", etree.HTMLParser())
    with pytest.raises(TypeError, match="tuple"):
        c_walk.walk(root, 10, lambda raw: ["a"], html._hidden_style, LimitExceededError)


def test_limits_past_a_c_size_are_the_same(c_walk):
    page = "<html><body><p>One.</p><p>Two.</p></body></html>"
    for limit in (2**63, 10**30):
        assert _segment(page, c=True, max_blocks=limit) == _segment(page, c=False, max_blocks=limit)


def test_huge_class_and_style_texts_are_not_kept_whole(c_walk):
    # the caches across pages hold class/id text cut to what attr_tokens reads, and no long style
    html._attr_tokens_cached.cache_clear()
    html._hidden_short_style.cache_clear()
    big = "x" * 100_000
    page = f"<html><body><div class='{big} main' style='color:red;{big}'><p class='a{big}'>Text here.</p></div></body></html>"
    _same(page)
    assert html._hidden_short_style.cache_info().currsize == 0
    kept = html._attr_tokens_cached.cache_info()
    html._attr_tokens_cached("x" * html.ATTR_CHARS)  # the div's class text, cut: found
    assert html._attr_tokens_cached.cache_info().hits == kept.hits + 1
    html._attr_tokens_cached(f"{big} main ")  # the whole text: not kept
    assert html._attr_tokens_cached.cache_info().misses == kept.misses + 1


def test_prose_shares_declines_what_the_walk_does_not_make(c_walk):
    page = "<div><p>" + "A sentence of prose, long enough to weigh. " * 3 + "</p><p>Short</p></div>"
    blocks, ancestry = html.walk_tree(html.parse_html(page), 10**6)
    assert htmlwalk.prose_shares(blocks, ancestry, html.ANCESTOR_LEVELS) is True
    expected = [(b.shares, b.best_share) for b in blocks]
    assert expected[0][0][0] > 0 and expected[0][1] == 1.0
    for bad in ([list(a) for a in ancestry], [(-1,)] + ancestry[1:], [(2**40,)] + ancestry[1:],
                [tuple(range(13))] + ancestry[1:], [("0",)] + ancestry[1:]):
        fresh = [dataclasses.replace(b, shares=(), best_share=0.0) for b in blocks]
        assert htmlwalk.prose_shares(fresh, bad, html.ANCESTOR_LEVELS) is None
        assert all(b.shares == () for b in fresh)  # nothing set: the Python loop takes the page
    odd = [dataclasses.replace(b, shares=()) for b in blocks]
    odd[1].link_chars = 1.5  # not an int the walk makes
    assert htmlwalk.prose_shares(odd, ancestry, html.ANCESTOR_LEVELS) is None
    with pytest.raises(ValueError, match="differ in length"):
        htmlwalk.prose_shares(blocks, ancestry[:-1], html.ANCESTOR_LEVELS)
    with pytest.raises(ValueError, match="levels"):
        htmlwalk.prose_shares(blocks, ancestry, -1)
    with pytest.raises(AttributeError):
        htmlwalk.prose_shares([object()] * len(ancestry), ancestry, html.ANCESTOR_LEVELS)
    html.add_prose_shares(blocks, ancestry)  # the whole path gives what the C call gave
    assert [(b.shares, b.best_share) for b in blocks] == expected
