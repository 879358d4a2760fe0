"""The kind features' token counts in C (``thresher/_kindcounts.c``) against their numpy reference
(``typing_features._token_counts_numpy``): the same counts for every doc, so the same kind rows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher import typing_features as tf
from thresher.corpus import read_bytes, scrapinghub_pages
from thresher.segmenter import split_page
from thresher.token_table import TokenTable, string_hashes

from .conftest import c_extension, example_pages


@pytest.fixture(scope="module")
def kindcounts():
    return c_extension(tf._kindcounts, "thresher._kindcounts", "numpy's counts run")


def _both(texts: list[str], table: TokenTable | None = None) -> tuple[list, list]:
    hinted = [tf._FIGURE_HINT.search(t) is not None for t in texts]
    table = tf.english_tokens().table(texts) if table is None else table
    return tf._token_counts(table, hinted), tf._token_counts_numpy(table, hinted)


def _page_texts(pages: list[bytes], options) -> list[list[str]]:
    return [[b.text[:tf.MAX_KIND_CHARS] for b in split_page(page, options)[0]] for page in pages]


def test_example_pages_count_the_same(kindcounts, model):
    for texts in _page_texts(example_pages(), model.options):
        fast, reference = _both(texts)
        assert fast == reference
        # and from spaCy's own docs, the table's reference
        tokenizer = tf.english_tokenizer()
        assert _both(texts, TokenTable.from_docs([tokenizer(t) for t in texts], texts)) == (reference, reference)


def test_scrapinghub_pages_count_the_same(kindcounts, model, corpus):
    pages = [read_bytes(p.path) for p in scrapinghub_pages(corpus)][::6]
    docs = 0
    for texts in _page_texts(pages, model.options):
        fast, reference = _both(texts)
        assert fast == reference
        docs += len(texts)
    assert docs > 1000


_PIECES = ["“", "”", '"', "«", "»", "„", "‘", "’", "'", "``", "''", ".", "!", "?", "...", "。", ";", ",", " ", "  ",
           "\n", "\t", "\u3000", "5", "٣", "1,200", "12%", "$3", "İ", "ǅ", "Ⅻ", "said", "Said", "SENTENCED", "guilty",
           "percent", "total", "average", "according", "one", "million", "Smith", "a", "b.", "U.S.", "don't", "—", "-"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join), min_size=1, max_size=8))
def test_mixed_texts_count_the_same(kindcounts, texts):
    fast, reference = _both(texts)
    assert fast == reference


def test_a_hash_alone_is_not_a_legal_word(kindcounts):
    """A token whose lower-case hash is a legal word's, but whose text is not that word (a 64-bit
    collision), is not counted: the text confirms the hash, in C as in numpy."""
    texts = ["He was sentenced today.", "Nothing here at all."]
    table = tf.english_tokens().table(texts)
    forged = table.lower.copy()
    nothing = next(p for p in range(len(table)) if table.text(p) == "Nothing")
    forged[nothing] = string_hashes(frozenset({"sentenced"}))[0]
    fast, reference = _both(texts, dataclasses.replace(table, lower=forged))
    assert fast == reference
    assert [c.legal for c in fast] == [1, 0]


@pytest.mark.parametrize("damage", ["short_length", "outside", "bounds"])
def test_a_malformed_table_is_refused_not_read(kindcounts, damage):
    texts = ["One two three.", "Four."]
    table = tf.english_tokens().table(texts)
    if damage == "short_length":
        table = dataclasses.replace(table, length=table.length[:-1])
    elif damage == "outside":
        table = dataclasses.replace(table, start=table.start + 100)
    else:
        table = dataclasses.replace(table, bounds=np.array([0, 1, len(table) + 5], dtype=np.int64))
    with pytest.raises(ValueError):
        tf._token_counts(table, [False, False])
