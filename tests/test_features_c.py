"""The block features' scans in C (``thresher/_features.c``) against the Python and regexes they
replace (``features._block_row``, ``_topic_words``, the phrase regexes, ``html.attr_tokens``): the
same counts, words and tokens, so the same feature rows to the bit."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher import features
from thresher.blocks import Block
from thresher.segmenter import split_page
from thresher.stopwords import STOPWORDS

from .conftest import c_and_python, c_extension, colliding, example_pages, same_bits

features_c = features._scans


@pytest.fixture(scope="module")
def c_features():
    return c_extension(features_c, "thresher._features", "Python's regex runs")




# ---- block counts: the C rows (block_counts' scans in local_rows) against features._block_row (Python) ----


def _rows_both(blocks) -> tuple[np.ndarray, np.ndarray]:
    return c_and_python(lambda: features.local_features(blocks), features, "_local_rows")




# capitals, title-case and stop words of other scripts and cases ("İ", Kelvin sign, "ǅ"), digits that are
# not ASCII, words of underscores, long words, the punctuation counted, terminal marks
_FEATURE_PIECE = st.one_of(
    st.sampled_from(["The", "THE", "tHe", "of", "İt", "\u212a", "ǅungla", "٣٤", "²", "_", "a" * 40, ", ", ".", "?!",
                     ";:", "\u201d", " ", "\n", "©", "Copyright", "read more", "Ünder"]),
    st.text(st.characters(codec=None, exclude_categories=("Cs",)), max_size=5),
)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.lists(_FEATURE_PIECE, max_size=30).map("".join).filter(bool), min_size=1, max_size=8),
       kinds=st.lists(st.sampled_from(["html", "text"]), min_size=8, max_size=8))
def test_block_counts_give_block_rows_to_the_bit(c_features, texts, kinds):
    blocks = [Block(index=i, text=t, kind=k, link_chars=len(t) // 3, depth=i) for i, (t, k) in enumerate(zip(texts, kinds))]
    same_bits(*_rows_both(blocks))


def test_block_counts_read_a_long_block_as_the_python_rows_do(c_features):
    # past the sample of 200 words and 1,000 characters, and past the 20,000 characters read at all
    text = "The court said 4 of them. " * 1500
    blocks = [Block(index=0, text=text, kind="html"), Block(index=1, text="Él " * 300, kind="text")]
    same_bits(*_rows_both(blocks))


def test_block_counts_on_every_example_page(c_features, model):
    for page in example_pages():
        blocks = split_page(page, model.options)[0]
        same_bits(*_rows_both(blocks))


def test_block_counts_refuse_bad_arguments(c_features):
    with pytest.raises(TypeError, match=r"texts\[0\]"):
        c_features.block_counts([b"x"], STOPWORDS, 10, 10, 10)
    with pytest.raises(TypeError):
        c_features.block_counts(["x"], set(STOPWORDS), 10, 10, 10)
    # a table of another set is made for it, and a word of other characters is looked up in the set
    counts = np.frombuffer(c_features.block_counts(["Zorro ÉTÉ été"], frozenset({"zorro", "été"}), 99, 99, 99),
                           dtype=np.int64)
    assert counts[:5].tolist() == [13, 3, 11, 3, 2]
    counts = np.frombuffer(c_features.block_counts(["Zorro ÉTÉ été"], STOPWORDS, 99, 99, 99), dtype=np.int64)
    assert counts[3] == 0
    with pytest.raises(ValueError, match="characters or more"):  # not silently left out of the table
        c_features.block_counts(["x"], frozenset({"a" * 32}), 10, 10, 10)
    with pytest.raises(ValueError, match="negative"):
        c_features.block_counts(["x"], STOPWORDS, -1, 10, 10)
    with pytest.raises(ValueError, match="negative"):
        c_features.page_words(["x"], STOPWORDS, -1)


# ---- a page's topical words: features._topic_words (C) against its Python lists ----


def _python_word_ids(texts, stopwords):
    lists = [[w for w in features._WORD.findall(t[: features.MAX_ANALYSED_CHARS].lower()) if len(w) > 2 and w not in stopwords]
             for t in texts]
    indices, indptr, n = features._word_ids(lists)
    return indices.tolist(), indptr.tolist(), n


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_FEATURE_PIECE, max_size=30).map("".join), max_size=8))
def test_page_words_are_the_python_lists(c_features, texts):
    for stopwords in (STOPWORDS, frozenset({"été", "ǆungla", "the", "i̇t"})):  # stop words of other scripts too
        ids, indptr, n = c_features.page_words(texts, stopwords, features.MAX_ANALYSED_CHARS)
        got = np.frombuffer(ids, dtype=np.int64).tolist(), np.frombuffer(indptr, dtype=np.int64).tolist(), n
        assert got == _python_word_ids(texts, stopwords)


def test_page_words_on_a_page_of_many_words(c_features):
    # past the table's first sizes (it grows at half full) and past the characters read of a block
    texts = [" ".join(f"w{i}x{j}" for j in range(400)) for i in range(30)] + ["Abc " * 6000]
    ids, indptr, n = c_features.page_words(texts, STOPWORDS, features.MAX_ANALYSED_CHARS)
    assert (np.frombuffer(ids, dtype=np.int64).tolist(), np.frombuffer(indptr, dtype=np.int64).tolist(), n) == \
        _python_word_ids(texts, STOPWORDS)
    assert n == 30 * 400 + 1


def test_context_features_are_the_same_to_the_bit(c_features, model):
    rng = np.random.default_rng(0)
    for page in example_pages():
        blocks = split_page(page, model.options)[0]
        p = rng.random(len(blocks))
        same_bits(*c_and_python(partial(features.context_features, blocks, p), features, "_page_words"))


def test_page_words_made_to_collide_go_to_pythons_dict(c_features):
    # the C table's hash is not keyed: a page could pick words that share their low bits and make every
    # insertion probe the same run; past a bound, page_words declines and the Python path numbers them
    words = colliding(lambda k: f"w{k}x")
    texts = [" ".join(words[:50]), " ".join(words[50:]) + " court"]
    assert c_features.page_words(texts, STOPWORDS, 1000) is None
    blocks = [Block(index=i, text=t) for i, t in enumerate(texts)]
    indices, indptr, n = features._topic_words(blocks)
    assert (indices.tolist(), indptr.tolist(), n) == _python_word_ids(texts, STOPWORDS)
    assert c_features.page_words([" ".join(words[:20])], STOPWORDS, 1000) is not None  # a short run is fine


def test_stop_words_must_be_an_exact_frozenset(c_features):
    class Words(frozenset):
        def __iter__(self):  # could hand back new strings, any number of them
            return (f"wo{i}" for i in range(3000))

    for call in (lambda s: c_features.page_words(["hello wo1"], s, 100),
                 lambda s: c_features.block_counts(["hello wo1"], s, 100, 100, 100)):
        with pytest.raises(TypeError, match="frozenset"):
            call(Words(["abc"]))


_PHRASE_PIECE = st.one_of(
    st.sampled_from(["read more", "Read More", "COOKIES", "cookie", "login", "log in", "Log  in", "sign up", "terms of use",
                     "Terms of Service", "terms of", "related posts", "Related Stories", "comments", "Comment",
                     "copyright", "Copyrights", "all rights reserved", "All Rights", "(c) 2024", "(C)\u2003\u0663\u0664\u0665\u0666",
                     "(c)199", "\u00a9", "recommended", "you may also like", "ſubscribe", "coo\u212aie", "s\u0131gn in",
                     "l\u0130nk", "Trending", "newsletters", "e.g. Then", '." The', ".) A", "!  \u201cNo", "? x", ".\u2019 B"]),
    st.text(st.sampled_from(list(" _-.!?\"\u201d\u2019)\u201c\n\u00a0\u2003\x1c0123456789Aaxé\u0130\u0131\u212a\u017f")), max_size=4),
)


@settings(max_examples=400, deadline=None)
@given(texts=st.lists(st.lists(_PHRASE_PIECE, max_size=10).map("".join), max_size=6), limit=st.integers(0, 80))
def test_phrase_counts_are_the_regexs(c_features, texts, limit):
    from thresher.features import _BOILER_PHRASE, _COPYRIGHT, _SENTENCE_END

    got = np.frombuffer(c_features.phrase_counts(texts, limit), dtype=np.int64).reshape(len(texts), 3).tolist()
    assert got == [[len(_SENTENCE_END.findall(t[:limit])), int(bool(_COPYRIGHT.search(t[:limit]))),
                    len(_BOILER_PHRASE.findall(t[:limit]))] for t in texts]


def test_phrase_counts_refuse_bad_arguments(c_features):
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        c_features.phrase_counts(["a", 3], 10)
    with pytest.raises(ValueError, match="negative"):
        c_features.phrase_counts(["a"], -1)
    assert c_features.phrase_counts([], 10) == b""


_CLASS_PIECE = st.one_of(
    st.sampled_from(["mainNav", "post-content", "h2Title", "aBC", "x_y", "_wrap", "col-md-6", "isHidden", "NAV", " ", "\t"]),
    st.text(st.sampled_from(list("aAzZbY09_- .:/\u00e9\u212a\u0130")), max_size=5),
)


@settings(max_examples=400, deadline=None)
@given(raw=st.lists(_CLASS_PIECE, max_size=40).map("".join), limit=st.integers(0, 300))
def test_class_tokens_of_ascii_text_are_the_regexs(c_features, raw, limit):
    from thresher.html import _attr_tokens_re

    got = c_features.attr_tokens_ascii(raw, limit)
    if not raw.isascii():
        assert got is None  # lower() may make ASCII letters of others: the regexes' case
    else:
        assert got == tuple(_attr_tokens_re(raw[:limit]))


def test_class_tokens_refuse_bad_arguments(c_features):
    with pytest.raises(ValueError, match="negative"):
        c_features.attr_tokens_ascii("main", -1)
    with pytest.raises(TypeError):
        c_features.attr_tokens_ascii(b"main", 10)
    assert c_features.attr_tokens_ascii("x" * 600, 1000) == ("x" * 600,)  # a run longer than the C buffer


# ---- a page's local rows in one C pass (features.local_features) against the Python path ----

_TAGS = st.sampled_from(["p", "li", "h1", "h3", "td", "div", "pre", "blockquote", "figcaption", "line", "para", "span",
                         "x-custom", "LI"])
_PATHS = st.lists(st.sampled_from(["html", "body", "article", "main", "nav", "div", "li", "a", "table", "", "articles",
                                   "form", "noscript", "é"]), max_size=8).map("/".join)
_TOKENS = st.lists(st.sampled_from(["content", "nav", "menu", "footer", "x", "related", "ad", "share", "byline",
                                    "hiddenattr", "caption", "list", "zzz"]), max_size=26).map(tuple)
_BLOCK_TEXT = st.lists(_FEATURE_PIECE, min_size=1, max_size=12).map("".join).filter(bool)


@st.composite
def _blocks(draw) -> list[Block]:
    n = draw(st.integers(1, 12))
    texts = draw(st.lists(_BLOCK_TEXT, min_size=n, max_size=n))
    if n > 2 and draw(st.booleans()):
        texts[-1] = texts[0]  # a repeated text
    out = []
    for i, text in enumerate(texts):
        html = draw(st.booleans())
        out.append(Block(
            i, text, kind="html" if html else "text", tag=draw(_TAGS), dom_path=draw(_PATHS) if html else "",
            attr_tokens=draw(_TOKENS) if html else (), link_chars=draw(st.integers(0, len(text))),
            depth=draw(st.integers(0, 40)), is_title=draw(st.booleans()),
            shares=draw(st.one_of(st.just(()), st.tuples(*[st.floats(0, 1)] * 4), st.tuples(*[st.floats(0, 1)] * 5))),
            best_share=draw(st.floats(0, 1))))
    return out


@settings(max_examples=300, deadline=None)
@given(blocks=_blocks())
def test_local_rows_in_c_are_the_python_rows(c_features, blocks):
    same_bits(*c_and_python(lambda: features.local_features(blocks), features, "_local_rows"))


def test_local_rows_on_every_example_page_and_a_long_block(c_features, model):
    pages = [split_page(page, model.options)[0] for page in example_pages()]
    pages.append([Block(0, "A long one. " * 3000, kind="html", tag="p", dom_path="html/body/p"), Block(1, "x")])
    for blocks in pages:
        same_bits(*c_and_python(lambda: features.local_features(blocks), features, "_local_rows"))  # noqa: B023


def test_local_rows_refuse_what_the_python_path_refuses(c_features):
    short_shares = [Block(0, "Text.", kind="html", shares=(0.5, 0.5))]
    for rows in (features._local_rows, None):
        with pytest.MonkeyPatch.context() as m:
            m.setattr(features, "_local_rows", rows)
            with pytest.raises(ValueError):
                features.local_features(short_shares)
    with pytest.raises(TypeError, match="text"):
        c_features.local_rows([Block(0, b"bytes")], np.zeros((1, len(features.LOCAL_NAMES))), features._LOCAL_CONFIG)
    with pytest.raises(ValueError, match="out"):
        c_features.local_rows([Block(0, "x")], np.zeros((2, len(features.LOCAL_NAMES))), features._LOCAL_CONFIG)
    with pytest.raises(TypeError):
        c_features.local_rows([Block(0, "x")], np.zeros((1, len(features.LOCAL_NAMES))), features._LOCAL_CONFIG[:-1])


def test_local_rows_refuse_a_text_that_changes_between_reads(c_features):
    class Shifty(Block):  # a property where the slot was: each read hands back something else
        __slots__ = ("reads",)

        @property
        def text(self):
            self.reads += 1
            return "steady text." if self.reads == 1 else b"bytes now"

        @text.setter
        def text(self, value):
            self.reads = 0

    rows = np.zeros((1, len(features.LOCAL_NAMES)))
    with pytest.raises(TypeError, match="not a str"):
        c_features.local_rows([Shifty(0, "x")], rows, features._LOCAL_CONFIG)


# ---- a page's neighbour columns in one C pass (features.context_features) against numpy ----

_XPATHS = st.sampled_from(["", "/html/body/p[1]", "/html/body/p[2]", "/html/body/div/p", "/html/body/div/ul/li[3]", "p",
                           "/", "//x", "/html/body/div[2]/p[1]"])


@settings(max_examples=300, deadline=None)
@given(blocks=_blocks(), xpaths=st.lists(_XPATHS, min_size=12, max_size=12),
       p=st.lists(st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.5, 1.0, float("nan")])), min_size=12, max_size=12))
def test_context_rows_in_c_are_the_numpy_columns(c_features, blocks, xpaths, p):
    for block, xpath in zip(blocks, xpaths):
        block.xpath = xpath
    scores = np.array(p[:len(blocks)])
    same_bits(*c_and_python(lambda: features.context_features(blocks, scores), features, "_context_rows"))


def test_context_rows_on_every_example_page(c_features, model):
    rng = np.random.default_rng(3)
    for page in example_pages():
        blocks = split_page(page, model.options)[0]
        p = rng.random(len(blocks))
        same_bits(*c_and_python(lambda: features.context_features(blocks, p), features, "_context_rows"))  # noqa: B023


def test_context_rows_refuse_arrays_that_do_not_fit(c_features):
    blocks = [Block(0, "One."), Block(1, "Two.")]
    out, weights, titles = np.zeros((2, len(features.CONTEXT_NAMES))), np.zeros(2), np.zeros(2, dtype=bool)
    with pytest.raises(ValueError, match="p:"):
        c_features.context_rows(blocks, np.zeros(3), out, weights, titles)
    with pytest.raises(TypeError, match="is_title"):  # floats where bools go: the wrong kind, as elsewhere
        c_features.context_rows(blocks, np.zeros(2), out, weights, np.zeros(2))
    with pytest.raises(TypeError, match="xpath"):
        c_features.context_rows([Block(0, "x", xpath=None)], np.zeros(1), out[:1], weights[:1], titles[:1])
