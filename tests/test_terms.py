"""The word models' term lookup in C (``thresher/_terms.c``) against the regex and dict it
replaces: the same words and word pairs found, so the same scores to the bit."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher import features, word_model
from thresher.blocks import Block
from thresher.features import content_document
from thresher.segmenter import split_page
from thresher.stopwords import STOPWORDS

from .conftest import SEED, c_extension, colliding, example_pages

terms_c = word_model._terms


@pytest.fixture(scope="module")
def c_terms():
    return c_extension(terms_c, "thresher._terms", "Python's regex runs")


def _c_and_python(compute, module, name: str):
    """``compute()`` with the C function ``module.name``, then with it switched off (Python's path)."""
    fast = compute()
    saved = getattr(module, name)
    setattr(module, name, None)
    try:
        return fast, compute()
    finally:
        setattr(module, name, saved)


def _both(words, texts) -> tuple[tuple, tuple]:
    return _c_and_python(lambda: words._transform_rows(texts, 0), word_model, "_terms")


@pytest.fixture(scope="module")
def words(model):
    return model.model.content_words


# words of the vocabulary (so that many are found), joined by anything: spaces, punctuation,
# underscores, digits, accents, combining marks, other scripts, surrogates' neighbours
_PIECE = st.one_of(st.sampled_from(["court", "said", "the", "of the", "attr_content", "tag_p", "2024", "state's"]),
                   st.text(max_size=6))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECE, max_size=12).map("".join), max_size=6))
def test_c_finds_the_regexs_words_and_pairs(c_terms, words, texts):
    fast, slow = _both(words, texts)
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(codec=None, exclude_categories=())), max_size=5))
def test_c_finds_every_word_and_pair_the_regex_finds(c_terms, texts):
    # an index of every word and pair the regex finds (surrogates included), so each must be found
    lowered = [t.lower() for t in texts]
    expected = []
    for text in lowered:
        tokens = word_model._TOKEN.findall(text)  # each word, then its pair with the word before
        expected.append([t for k, w in enumerate(tokens) for t in ([w] if k == 0 else [w, f"{tokens[k - 1]} {w}"])])
    index = {term: i for i, term in enumerate(dict.fromkeys(t for terms in expected for t in terms))}
    ids, counts = c_terms.terms(lowered, c_terms.compile_index(index))
    found = np.frombuffer(ids, dtype=np.int64).tolist()
    assert np.frombuffer(counts, dtype=np.int64).tolist() == [len(terms) for terms in expected]
    assert found == [index[t] for terms in expected for t in terms]  # in the regex's order


def test_every_ascii_character_splits_or_joins_words_as_the_regex_does(c_terms):
    # ASCII is read from a table (not the Unicode tests): each character between two words, and
    # the long runs shuffled in a text, must give the regex's words and pairs
    texts = [f"ab{chr(c)}cd" for c in range(128)] + ["".join(chr(c) for c in range(128)) * 3,
                                                       "".join(chr(c) for c in range(127, -1, -1))]
    expected = [word_model._TOKEN.findall(t) for t in texts]
    terms = [[t for k, w in enumerate(ws) for t in ([w] if k == 0 else [w, f"{ws[k - 1]} {w}"])] for ws in expected]
    index = {term: i for i, term in enumerate(dict.fromkeys(t for ts in terms for t in ts))}
    ids, counts = c_terms.terms(texts, c_terms.compile_index(index))
    assert np.frombuffer(counts, dtype=np.int64).tolist() == [len(ts) for ts in terms]
    assert np.frombuffer(ids, dtype=np.int64).tolist() == [index[t] for ts in terms for t in ts]


def test_a_real_page_scores_the_same(c_terms, words, model):
    blocks = split_page(SEED.read_bytes(), model.options)[0]
    docs = [content_document(b) for b in blocks]
    fast, slow = _both(words, docs)
    assert len(fast[0]) > 100
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)


def test_bad_arguments_raise(c_terms):
    table = c_terms.compile_index({"ok": 1})
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        c_terms.terms(["ok", b"bytes"], table)
    with pytest.raises(TypeError):
        c_terms.terms(("a tuple",), table)
    assert c_terms.terms([], table) == (b"", b"")
    index = {"aa": 0, "aa bb": 1, "bb cc": 2, "cc": 3, "\udc80é": 4}
    ids, counts = c_terms.terms(["aa bb a cc", "x", "\udc80é aa"], c_terms.compile_index(index))
    # each word, then its pair with the word before; "a" is no word, so "bb cc" is a pair
    assert np.frombuffer(ids, dtype=np.int64).tolist() == [0, 1, 3, 2, 0]
    assert np.frombuffer(counts, dtype=np.int64).tolist() == [4, 0, 1]


def test_a_compiled_index_refuses_what_a_dict_lookup_would(c_terms):
    for value in (1.0, "x"):  # no __index__ runs
        with pytest.raises(TypeError, match="ints"):
            c_terms.compile_index({"aa": value})
    with pytest.raises(TypeError, match="str"):
        c_terms.compile_index({b"aa": 1})
    with pytest.raises(OverflowError):
        c_terms.compile_index({"aa": 2**70})
    with pytest.raises(ValueError, match="2\\*\\*31"):  # a column past what a slot holds
        c_terms.compile_index({"aa": 2**31})
    assert c_terms.terms(["aa"], c_terms.compile_index({"aa": 2**31 - 1}))[0] == np.array([2**31 - 1]).tobytes()
    with pytest.raises(TypeError, match="compiled index"):
        c_terms.terms(["aa"], ["aa"])
    ids, _ = c_terms.terms(["aa bb"], c_terms.compile_index({"aa": -5, "bb": 1}))  # negative: no column
    assert np.frombuffer(ids, dtype=np.int64).tolist() == [1]
    assert c_terms.terms(["aa"], c_terms.compile_index({})) == (b"", np.zeros(1, dtype=np.int64).tobytes())


def test_a_model_pickles_and_scores_the_same(model):
    # the C table is not pickled: it is made again from the terms
    import pickle

    again = pickle.loads(pickle.dumps(model))
    for page in example_pages():
        assert [b.scores for b in again.segment(page)] == [b.scores for b in model.segment(page)]


# ---- block counts: features._counted_rows (C) against features._block_row (Python) ----


def _rows_both(blocks) -> tuple[np.ndarray, np.ndarray]:
    return _c_and_python(lambda: features.local_features(blocks), features, "_block_counts")


def _same_bits(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape
    np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64))  # NaN-safe, and -0.0 is not 0.0


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
def test_block_counts_give_block_rows_to_the_bit(c_terms, texts, kinds):
    blocks = [Block(index=i, text=t, kind=k, link_chars=len(t) // 3, depth=i) for i, (t, k) in enumerate(zip(texts, kinds))]
    _same_bits(*_rows_both(blocks))


def test_block_counts_read_a_long_block_as_the_python_rows_do(c_terms):
    # past the sample of 200 words and 1,000 characters, and past the 20,000 characters read at all
    text = "The court said 4 of them. " * 1500
    blocks = [Block(index=0, text=text, kind="html"), Block(index=1, text="Él " * 300, kind="text")]
    _same_bits(*_rows_both(blocks))


def test_block_counts_on_every_example_page(c_terms, model):
    for page in example_pages():
        blocks = split_page(page, model.options)[0]
        _same_bits(*_rows_both(blocks))


def test_block_counts_refuse_bad_arguments(c_terms):
    with pytest.raises(TypeError, match=r"texts\[0\]"):
        c_terms.block_counts([b"x"], STOPWORDS, 10, 10, 10)
    with pytest.raises(TypeError):
        c_terms.block_counts(["x"], set(STOPWORDS), 10, 10, 10)
    # a table of another set is made for it, and a word of other characters is looked up in the set
    counts = np.frombuffer(c_terms.block_counts(["Zorro ÉTÉ été"], frozenset({"zorro", "été"}), 99, 99, 99),
                           dtype=np.int64)
    assert counts[:5].tolist() == [13, 3, 11, 3, 2]
    counts = np.frombuffer(c_terms.block_counts(["Zorro ÉTÉ été"], STOPWORDS, 99, 99, 99), dtype=np.int64)
    assert counts[3] == 0
    with pytest.raises(ValueError, match="characters or more"):  # not silently left out of the table
        c_terms.block_counts(["x"], frozenset({"a" * 32}), 10, 10, 10)
    with pytest.raises(ValueError, match="negative"):
        c_terms.block_counts(["x"], STOPWORDS, -1, 10, 10)
    with pytest.raises(ValueError, match="negative"):
        c_terms.page_words(["x"], STOPWORDS, -1)


# ---- a page's topical words: features._topic_words (C) against its Python lists ----


def _python_word_ids(texts, stopwords):
    lists = [[w for w in features._WORD.findall(t[: features.MAX_ANALYSED_CHARS].lower()) if len(w) > 2 and w not in stopwords]
             for t in texts]
    indices, indptr, n = features._word_ids(lists)
    return indices.tolist(), indptr.tolist(), n


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_FEATURE_PIECE, max_size=30).map("".join), max_size=8))
def test_page_words_are_the_python_lists(c_terms, texts):
    for stopwords in (STOPWORDS, frozenset({"été", "ǆungla", "the", "i̇t"})):  # stop words of other scripts too
        ids, indptr, n = c_terms.page_words(texts, stopwords, features.MAX_ANALYSED_CHARS)
        got = np.frombuffer(ids, dtype=np.int64).tolist(), np.frombuffer(indptr, dtype=np.int64).tolist(), n
        assert got == _python_word_ids(texts, stopwords)


def test_page_words_on_a_page_of_many_words(c_terms):
    # past the table's first sizes (it grows at half full) and past the characters read of a block
    texts = [" ".join(f"w{i}x{j}" for j in range(400)) for i in range(30)] + ["Abc " * 6000]
    ids, indptr, n = c_terms.page_words(texts, STOPWORDS, features.MAX_ANALYSED_CHARS)
    assert (np.frombuffer(ids, dtype=np.int64).tolist(), np.frombuffer(indptr, dtype=np.int64).tolist(), n) == \
        _python_word_ids(texts, STOPWORDS)
    assert n == 30 * 400 + 1


def test_context_features_are_the_same_to_the_bit(c_terms, model):
    rng = np.random.default_rng(0)
    for page in example_pages():
        blocks = split_page(page, model.options)[0]
        p = rng.random(len(blocks))
        _same_bits(*_c_and_python(partial(features.context_features, blocks, p), features, "_page_words"))


# ---- the word models' scores: WordModel.decision_function in C (decide) against its numpy path ----


def _decisions_both(words, texts) -> tuple[np.ndarray, np.ndarray]:
    return _c_and_python(lambda: words.decision_function(texts), word_model, "_terms")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_PIECE, max_size=40).map("".join), max_size=6))
def test_decide_gives_the_numpy_scores_to_the_bit(c_terms, model, texts):
    for words in (model.model.content_words, model.model.kind_words):  # two classes, and four
        _same_bits(*_decisions_both(words, texts))


def test_decide_on_repeated_terms_and_real_pages(c_terms, model):
    texts = ["court " * 3000, "the court said " * 200 + "state's attorney", ""]
    for page in example_pages():
        texts += [content_document(b) for b in split_page(page, model.options)[0]]
    for words in (model.model.content_words, model.model.kind_words):
        _same_bits(*_decisions_both(words, texts))


def test_decide_leaves_a_count_past_its_log_table_to_numpy(c_terms, model):
    words = model.model.content_words
    args = (words._table, words._idf, words._coef, words._intercept)
    assert c_terms.decide(["court court"], *args, np.log(np.arange(1.0, 3.0))) is not None
    assert c_terms.decide(["court court court"], *args, np.log(np.arange(1.0, 3.0))) is None
    with pytest.raises(TypeError, match="coef"):
        c_terms.decide(["court"], words._table, words._idf, words._coef.astype(np.float32), words._intercept,
                       np.log(np.arange(1.0, 3.0)))
    with pytest.raises(ValueError, match="classes, terms"):
        c_terms.decide(["court"], words._table, words._idf[:-1], words._coef, words._intercept, np.log(np.arange(1.0, 3.0)))


def test_page_words_made_to_collide_go_to_pythons_dict(c_terms):
    # the C table's hash is not keyed: a page could pick words that share their low bits and make every
    # insertion probe the same run; past a bound, page_words declines and the Python path numbers them
    words = colliding(lambda k: f"w{k}x")
    texts = [" ".join(words[:50]), " ".join(words[50:]) + " court"]
    assert c_terms.page_words(texts, STOPWORDS, 1000) is None
    blocks = [Block(index=i, text=t) for i, t in enumerate(texts)]
    indices, indptr, n = features._topic_words(blocks)
    assert (indices.tolist(), indptr.tolist(), n) == _python_word_ids(texts, STOPWORDS)
    assert c_terms.page_words([" ".join(words[:20])], STOPWORDS, 1000) is not None  # a short run is fine


def test_stop_words_must_be_an_exact_frozenset(c_terms):
    class Words(frozenset):
        def __iter__(self):  # could hand back new strings, any number of them
            return (f"wo{i}" for i in range(3000))

    for call in (lambda s: c_terms.page_words(["hello wo1"], s, 100),
                 lambda s: c_terms.block_counts(["hello wo1"], s, 100, 100, 100)):
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
def test_phrase_counts_are_the_regexs(c_terms, texts, limit):
    from thresher.features import _BOILER_PHRASE, _COPYRIGHT, _SENTENCE_END

    got = np.frombuffer(c_terms.phrase_counts(texts, limit), dtype=np.int64).reshape(len(texts), 3).tolist()
    assert got == [[len(_SENTENCE_END.findall(t[:limit])), int(bool(_COPYRIGHT.search(t[:limit]))),
                    len(_BOILER_PHRASE.findall(t[:limit]))] for t in texts]


def test_phrase_counts_refuse_bad_arguments(c_terms):
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        c_terms.phrase_counts(["a", 3], 10)
    with pytest.raises(ValueError, match="negative"):
        c_terms.phrase_counts(["a"], -1)
    assert c_terms.phrase_counts([], 10) == b""


_CLASS_PIECE = st.one_of(
    st.sampled_from(["mainNav", "post-content", "h2Title", "aBC", "x_y", "_wrap", "col-md-6", "isHidden", "NAV", " ", "\t"]),
    st.text(st.sampled_from(list("aAzZbY09_- .:/\u00e9\u212a\u0130")), max_size=5),
)


@settings(max_examples=400, deadline=None)
@given(raw=st.lists(_CLASS_PIECE, max_size=40).map("".join), limit=st.integers(0, 300))
def test_class_tokens_of_ascii_text_are_the_regexs(c_terms, raw, limit):
    from thresher.html import _attr_tokens_re

    got = c_terms.attr_tokens_ascii(raw, limit)
    if not raw.isascii():
        assert got is None  # lower() may make ASCII letters of others: the regexes' case
    else:
        assert got == tuple(_attr_tokens_re(raw[:limit]))


def test_class_tokens_refuse_bad_arguments(c_terms):
    with pytest.raises(ValueError, match="negative"):
        c_terms.attr_tokens_ascii("main", -1)
    with pytest.raises(TypeError):
        c_terms.attr_tokens_ascii(b"main", 10)
    assert c_terms.attr_tokens_ascii("x" * 600, 1000) == ("x" * 600,)  # a run longer than the C buffer
