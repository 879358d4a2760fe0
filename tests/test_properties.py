"""Properties that hold for any page: labels or our own error, no invented words, determinism.

Hypothesis draws bytes, strings, scraped-text pages and HTML trees; each property is
checked on the shipped model, end to end (decode, segment, classify, revise).
"""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thresher.errors import ThresherError
from thresher.labels import CONTENT_LABELS, LABELS

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_WORD = re.compile(r"\w+")

words = st.sampled_from(
    "the court said defendant sentenced years prison “We will appeal,” she said. 42% of cases rose "
    "Share Subscribe Menu Home © 2024 Jr. Smith pleaded guilty $5,000 fine José Zoë 東京".split()
)
sentences = st.lists(words, min_size=1, max_size=30).map(" ".join)
text_pages = st.lists(
    st.tuples(st.sampled_from(["", "• ", "- ", "* ", "  "]), sentences, st.sampled_from(["\n", "\n\n", "\n\n\n"])),
    min_size=1, max_size=25,
).map(lambda parts: "".join(prefix + s + end for prefix, s, end in parts))

BLOCK_TAGS = ["p", "div", "li", "h1", "h2", "td", "blockquote", "section", "article", "nav", "footer", "ul"]
INLINE_TAGS = ["a", "b", "span", "em", "strong"]


def _html(tree) -> str:
    if isinstance(tree, str):
        return f" {tree} "  # words are separated from their neighbours, as rendered
    tag, children = tree
    return f"<{tag}>" + "".join(_html(c) for c in children) + f"</{tag}>"


html_trees = st.recursive(
    sentences,
    lambda inner: st.tuples(st.sampled_from(BLOCK_TAGS + INLINE_TAGS), st.lists(inner, min_size=1, max_size=5)),
    max_leaves=40,
)
html_pages = st.tuples(sentences, html_trees).map(
    lambda t: f"<!DOCTYPE html><html><head><title>{t[0]}</title></head><body>{_html(t[1])}</body></html>"
)


def _labels_or_our_error(model, page):
    try:
        blocks = model.segment(page)
    except ThresherError:
        return None
    assert blocks
    for block in blocks:
        assert block.label in LABELS
        assert abs(sum(block.scores.values()) - 1.0) < 1e-6
        assert block.text.strip()
    return blocks


@SETTINGS
@given(page=st.binary(max_size=4000))
def test_any_bytes_give_labels_or_our_own_error(model, page):
    _labels_or_our_error(model, page)


@SETTINGS
@given(page=st.text(max_size=4000))
def test_any_string_gives_labels_or_our_own_error(model, page):
    _labels_or_our_error(model, page)


def _no_invented_words(page_words: list[str], blocks) -> None:
    out = Counter(w for b in blocks for w in _WORD.findall(b.text))
    missing = out - Counter(page_words)
    assert not missing, f"words not in the page: {dict(missing)}"


@SETTINGS
@given(page=text_pages)
def test_text_output_words_come_from_the_page(model, page):
    blocks = _labels_or_our_error(model, page)
    if blocks is not None:
        _no_invented_words(_WORD.findall(page), blocks)


@SETTINGS
@given(page=html_pages)
def test_html_output_words_come_from_the_page(model, page):
    blocks = _labels_or_our_error(model, page)
    if blocks is not None:
        _no_invented_words(_WORD.findall(re.sub(r"<[^>]*>", " ", page)), blocks)


@SETTINGS
@given(page=st.one_of(text_pages, html_pages))
def test_results_are_deterministic(model, page):
    first = _labels_or_our_error(model, page)
    second = _labels_or_our_error(model, page)
    if first is None:
        assert second is None
        return
    assert [(b.text, b.label, b.scores) for b in first] == [(b.text, b.label, b.scores) for b in second]


@SETTINGS
@given(page=st.one_of(text_pages, html_pages), keep=st.sets(st.sampled_from(CONTENT_LABELS), min_size=1))
def test_clean_never_returns_more_than_segment_labels_content(model, page, keep):
    blocks = _labels_or_our_error(model, page)
    if blocks is None:
        return
    text = model.clean(page, keep=tuple(keep), with_title=True)
    kept = [b.text for b in blocks if b.label in keep]
    assert len(text) <= sum(map(len, kept)) + 2 * max(len(kept) - 1, 0)
    assert Counter(_WORD.findall(text)) <= Counter(w for t in kept for w in _WORD.findall(t))
