"""The compiled model predicts what the scikit-learn estimator it came from predicts, on real
pages, to the last bit where later steps rank or threshold the scores."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from thresher.compiled import CompiledClassifier, by_kind
from thresher.features import context_features, local_features
from thresher.options import SegmentOptions
from thresher.segmenter import split_page
from thresher.tree_ensemble import TreeEnsemble
from thresher.typing_features import kind_context, type_features
from thresher.word_model import WordModel

from .conftest import ROOT, SEED, example_pages


@pytest.fixture(scope="module")
def pages() -> list[list]:
    """The shipped example pages (HTML and text), segmented."""
    out = [split_page(page, SegmentOptions())[0] for page in example_pages()]
    assert len(out) >= 5
    return out


def test_content_trees_give_scikit_learns_probabilities_bit_for_bit(small_model, pages):
    first, second = TreeEnsemble.from_sklearn(small_model.first_pass_), TreeEnsemble.from_sklearn(small_model.second_pass_)
    for blocks in pages:
        local = local_features(blocks)
        expected = small_model.first_pass_.predict_proba(local)
        assert np.array_equal(first.predict_proba(local), expected)
        stacked = np.hstack([local, context_features(blocks, expected[:, 1])])
        assert np.array_equal(second.predict_proba(stacked), small_model.second_pass_.predict_proba(stacked))


def test_missing_values_take_the_side_each_split_learned(small_model, pages):
    trees = TreeEnsemble.from_sklearn(small_model.first_pass_)
    local = local_features(pages[0]).copy()
    rng = np.random.default_rng(0)
    local[rng.random(local.shape) < 0.3] = np.nan
    assert np.array_equal(trees.predict_proba(local), small_model.first_pass_.predict_proba(local))


def test_kind_model_matches_the_estimators(small_model, pages):
    words = WordModel.from_sklearn(small_model.kind_words_, small_model.kind_text_model_)
    kinds = TreeEnsemble.from_sklearn(small_model.kind_model_)
    assert len(kinds.classes) > 2  # the multiclass (softmax) path
    for blocks in pages:
        texts = [b.text for b in blocks]
        expected = small_model.kind_text_model_.predict_proba(small_model.kind_words_.transform(texts))
        proba = words.predict_proba(texts)
        assert np.array_equal(proba, expected)
        context = kind_context(type_features(blocks, list(range(len(blocks))), len(blocks)),
                               by_kind(words.classes, proba))
        assert np.array_equal(kinds.predict_proba(context), small_model.kind_model_.predict_proba(context))


def test_a_binary_word_model_matches_too(small_model, pages):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [b.text for blocks in pages for b in blocks]
    quoted = ["“" in t or '"' in t for t in texts]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    model = LogisticRegression(max_iter=500).fit(vectorizer.fit_transform(texts), quoted)
    words = WordModel.from_sklearn(vectorizer, model)
    assert np.array_equal(words.predict_proba(texts), model.predict_proba(vectorizer.transform(texts)))


def test_parts_that_read_other_columns_are_refused(small_model):
    arrays = small_model.compiled().to_arrays()
    arrays["second_pass.feature"] = np.where(arrays["second_pass.feature"] == arrays["second_pass.feature"].max(),
                                             arrays["second_pass.feature"] + 1, arrays["second_pass.feature"])
    with pytest.raises(ValueError, match="second pass reads"):
        CompiledClassifier.from_arrays(arrays)


def test_arrays_round_trip_to_the_same_model(small_model, pages):
    compiled = small_model.compiled()
    again = CompiledClassifier.from_arrays(compiled.to_arrays())
    for blocks in pages:
        for a, b in zip(compiled.page_proba(blocks), again.page_proba(blocks)):
            assert np.array_equal(a, b)


def test_the_estimator_predicts_through_its_compiled_arrays(small_model, pages):
    assert small_model.compiled() is small_model.compiled()  # compiled once per fit
    blocks = pages[0]
    assert np.array_equal(small_model.page_proba(blocks)[1], small_model.compiled().page_proba(blocks)[1])


def test_labeling_a_page_never_imports_scikit_learn_or_scipy():
    code = ("import sys, thresher\n"
            f"text = thresher.load().clean(open({str(SEED)!r}, 'rb').read())\n"
            "assert text, 'no article text'\n"
            "print(sorted(m for m in ('sklearn', 'skops', 'pandas', 'scipy') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_content_word_model_is_a_column_of_both_passes_bit_for_bit(worded_model, pages):
    from thresher.features import LOCAL_NAMES, content_document

    vectorizer, words = worded_model.content_words_
    compiled = worded_model.compiled()
    assert compiled.first_pass.n_features == len(LOCAL_NAMES) + 1
    for blocks in pages:
        docs = [content_document(b) for b in blocks]
        column = words.predict_proba(vectorizer.transform(docs))[:, 1]
        assert np.array_equal(compiled.content_words.predict_proba(docs)[:, 1], column)
        local = np.hstack([local_features(blocks), column[:, None]])
        first = worded_model.first_pass_.predict_proba(local)[:, 1]
        second = worded_model.second_pass_.predict_proba(np.hstack([local, context_features(blocks, first)]))[:, 1]
        got_first, got_second = compiled.content_scores(blocks)
        assert np.array_equal(got_first, first) and np.array_equal(got_second, second)
    # the word model learned from these pages: its score separates them
    blocks = [b for page in pages for b in page]
    assert 0.0 < compiled.content_words.predict_proba([content_document(b) for b in blocks])[:, 1].std()


def test_content_word_model_round_trips_and_a_mismatch_is_refused(worded_model, pages):
    arrays = worded_model.compiled().to_arrays()
    assert {"content_words.coef", "content_words.terms"} <= set(arrays)
    again = CompiledClassifier.from_arrays(arrays)
    for blocks in pages:
        assert all(np.array_equal(a, b) for a, b in zip(again.content_scores(blocks),
                                                          worded_model.compiled().content_scores(blocks)))
    # trees that expect the word column, without the word model: refused at load, not per page
    del arrays["content_words.coef"]
    with pytest.raises(ValueError, match="columns"):
        CompiledClassifier.from_arrays({k: v for k, v in arrays.items() if not k.startswith("content_words.")})


def test_word_models_score_a_page_in_steps_as_in_one(worded_model, pages, monkeypatch):
    import thresher.word_model
    from thresher.features import content_document

    vectorizer, words = worded_model.content_words_
    compiled = worded_model.compiled().content_words
    docs = [content_document(b) for page in pages for b in page] + ["", "!!"]  # texts without a term too
    monkeypatch.setattr(thresher.word_model, "TEXTS_PER_STEP", 7)  # many steps, one ending mid-page
    assert len(docs) > 7 * 3
    np.testing.assert_array_equal(compiled.predict_proba(docs), words.predict_proba(vectorizer.transform(docs)))
    assert compiled.predict_proba([]).shape == (0, 2)


def test_a_page_without_blocks_scores_nothing(model):
    first, second = model.model.content_scores([])
    assert first.shape == second.shape == (0,)
    first, final = model.model.page_proba([])
    assert first.shape == final.shape == (0, 5)
