"""The word models' term lookup in C (``thresher/_terms.c``) against the regex and dict it
replaces: the same words and word pairs found, so the same scores to the bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher import word_model
from thresher.features import content_document
from thresher.segmenter import split_page

from .conftest import SEED, c_and_python, c_extension, example_pages, same_bits

terms_c = word_model._terms


@pytest.fixture(scope="module")
def c_terms():
    return c_extension(terms_c, "thresher._terms", "Python's regex runs")




def _both(words, texts) -> tuple[tuple, tuple]:
    return c_and_python(lambda: words._transform_rows(texts, 0), word_model, "_terms")


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


# ---- the word models' scores: WordModel.decision_function in C (decide) against its numpy path ----


def _decisions_both(words, texts) -> tuple[np.ndarray, np.ndarray]:
    return c_and_python(lambda: words.decision_function(texts), word_model, "_terms")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_PIECE, max_size=40).map("".join), max_size=6))
def test_decide_gives_the_numpy_scores_to_the_bit(c_terms, model, texts):
    for words in (model.model.content_words, model.model.kind_words):  # two classes, and four
        same_bits(*_decisions_both(words, texts))


def test_decide_on_repeated_terms_and_real_pages(c_terms, model):
    texts = ["court " * 3000, "the court said " * 200 + "state's attorney", ""]
    for page in example_pages():
        texts += [content_document(b) for b in split_page(page, model.options)[0]]
    for words in (model.model.content_words, model.model.kind_words):
        same_bits(*_decisions_both(words, texts))


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


def _with_ends(words, texts: list[str], ends: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """decide on each text + " " + end, whole (the reference) and in its two parts."""
    whole = words.decision_function([f"{t} {e}" for t, e in zip(texts, ends)])
    return words.decision_function(texts, ends), whole


# ends as content_document makes them (a tag, then class tokens), and others: no word, a word of one
# character first, words that run on from the text, pairs that repeat the text's
_END = st.one_of(st.sampled_from(["tag_p ", "tag_li attr_menu attr_nav", "tag_p attr_content attr_article", "",
                                  "x court", "said", "!! tag_p", "court said the"]),
                 st.lists(_PIECE, max_size=8).map("".join))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(_PIECE, max_size=30).map("".join), _END), max_size=8))
def test_decide_reads_a_text_and_its_end_as_the_whole_document(c_terms, model, pairs):
    texts, ends = [t for t, _ in pairs], [e for _, e in pairs]
    for words in (model.model.content_words, model.model.kind_words):
        same_bits(*_with_ends(words, texts, ends))


def test_pages_score_the_same_from_their_documents_parts(c_terms, model):
    from thresher.features import content_document_parts

    for page in example_pages():
        blocks = split_page(page, model.options)[0]
        texts, ends = map(list, zip(*map(content_document_parts, blocks)))
        assert len(set(ends)) < len(ends)  # blocks share ends: the cache is read
        fast, whole = _with_ends(model.model.content_words, texts, ends)
        same_bits(fast, whole)
        same_bits(whole, model.model.content_words.decision_function([content_document(b) for b in blocks]))
    with pytest.raises(ValueError, match="as long as texts"):
        model.model.content_words.decision_function(["a text"], ["one end", "two"])
