"""The neighbour features' topical similarity: a block's words against the rest of the page's
likely content, checked against the cosine worked out densely, and, to the bit, against the
sparse product the shipped model was trained with."""

from __future__ import annotations

import numpy as np
import pytest

from thresher.blocks import Block
from thresher.corpus import read_bytes, scrapinghub_pages
from thresher.features import _topic_words, topic_similarity
from thresher.segmenter import split_page


def _dense(indices, indptr, n_words, weights) -> np.ndarray:
    counts = np.zeros((len(indptr) - 1, n_words))
    for r in range(len(indptr) - 1):
        np.add.at(counts[r], indices[indptr[r]:indptr[r + 1]], 1.0)
    norms = np.linalg.norm(counts, axis=1, keepdims=True)
    unit = np.divide(counts, norms, out=np.zeros_like(counts), where=norms > 0)
    centroid = weights @ unit
    out = []
    for r in range(len(unit)):
        rest = centroid - weights[r] * unit[r]  # the page's content without the block itself
        size = np.linalg.norm(rest)
        out.append(unit[r] @ rest / size if size**2 > 1e-12 else 0.0)
    return np.array(out)


def test_similarity_is_the_cosine_to_the_rest_of_the_content():
    blocks = [Block(0, "Council budget rises budget"), Block(1, "The council approved the budget"),
              Block(2, "Subscribe newsletter"), Block(3, "...")]
    indices, indptr, n_words = _topic_words(blocks)
    weights = np.array([1.0, 2.0, 0.5, 1.0])
    got = topic_similarity(indices, indptr, n_words, weights)
    np.testing.assert_allclose(got, _dense(indices, indptr, n_words, weights), rtol=1e-12, atol=1e-12)
    # shared words; none shared (zero up to the rounding of dots minus its own share); no words
    assert got[1] > 0.5 and abs(got[2]) < 1e-12 and got[3] == 0.0
    assert not topic_similarity(np.zeros(0, np.int64), np.zeros(3, np.int64), 0, np.ones(2)).any()


def test_sums_are_scipys_sparse_product_to_the_bit(corpus, model):
    sparse = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(0)
    for page in list(scrapinghub_pages(corpus))[:40]:
        blocks = split_page(read_bytes(page.path), model.options)[0]
        indices, indptr, n_words = _topic_words(blocks)
        weights = rng.random(len(blocks)) * 3
        counts = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(blocks), n_words))
        counts.sum_duplicates()
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        unit = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ counts
        centroid = np.asarray(unit.T @ weights).ravel()
        dots = unit @ centroid
        rest_norm_sq = centroid @ centroid - 2 * weights * dots + weights**2 * (norms > 0)
        expected = np.where(rest_norm_sq > 1e-12,
                            (dots - weights * (norms > 0)) / np.sqrt(np.maximum(rest_norm_sq, 1e-12)), 0.0)
        np.testing.assert_array_equal(topic_similarity(indices, indptr, n_words, weights), expected)
