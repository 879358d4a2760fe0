"""The trees' walk in C (``thresher/_treewalk.c``) against the numpy walk it replaces: the same
leaves, so the same scores to the bit, and no read outside an array whatever the arrays hold."""

from __future__ import annotations

import numpy as np
import pytest

from thresher import tree_ensemble
from thresher.features import local_features
from thresher.segmenter import split_page

from .conftest import SEED, c_extension

treewalk = tree_ensemble._treewalk


@pytest.fixture()
def c_walk():
    return c_extension(treewalk, "thresher._treewalk", "the numpy walk runs")


def _both(trees, X, monkeypatch) -> tuple[np.ndarray, np.ndarray]:
    fast = trees.raw(X)
    with monkeypatch.context() as m:
        m.setattr(tree_ensemble, "_treewalk", None)
        slow = trees.raw(X)
    return fast, slow


def test_c_and_numpy_walks_give_the_same_sums_on_a_real_page(model, c_walk, monkeypatch):
    blocks = split_page(SEED.read_bytes(), model.options)[0]
    compiled = model.model
    local = local_features(blocks)
    words = compiled.content_words.predict_proba([b.text for b in blocks])[:, 1:]
    X = np.hstack([local, words])
    fast, slow = _both(compiled.first_pass, X, monkeypatch)
    np.testing.assert_array_equal(fast, slow)


def test_missing_values_and_every_model_part_agree(model, c_walk, monkeypatch):
    rng = np.random.default_rng(0)
    for trees in (model.model.first_pass, model.model.second_pass, model.model.kind_trees):
        X = rng.normal(size=(300, trees.n_features)) * rng.choice([0.1, 1, 10], size=(300, 1))
        X[rng.random(X.shape) < 0.1] = np.nan  # NaN goes where each split learned
        fast, slow = _both(trees, X, monkeypatch)
        np.testing.assert_array_equal(fast, slow)
        assert len(trees.classes) == 2 or fast.shape[1] == len(trees.classes)


def test_out_of_range_indices_are_refused_not_read(model, c_walk):
    t = model.model.first_pass
    X = np.zeros((3, t.n_features))
    out = np.empty((3, 1))

    def walk(feature=t.feature, child=t.child, roots=t.roots, X=X, out=out):
        c_walk.walk_sum(feature, t.threshold, child, t.missing_left, roots, t.tree_depth, X, t.value, t.baseline, out)

    walk()
    child = t.child.copy()
    child[t.roots[0]] = len(child) + 5  # a split sending rows past the last node
    with pytest.raises(ValueError, match="out of range"):
        walk(child=child)
    roots = t.roots.copy()
    roots[-1] = -1
    with pytest.raises(ValueError, match="out of range"):
        walk(roots=roots)
    with pytest.raises(TypeError, match="feature"):
        walk(feature=t.feature.astype(np.int64))
    with pytest.raises(ValueError, match="differ in length"):
        walk(feature=t.feature[:-1])
    with pytest.raises(ValueError, match=r"out \(rows, outputs\)"):
        walk(out=np.empty((2, 1)))
    with pytest.raises(ValueError, match="column X lacks"):  # too narrow an X: an error, not leaves
        walk(X=X[:, :2].copy())
    child = t.child.copy()
    child[t.roots[0]] = np.iinfo(np.int32).max  # no signed overflow on the way to the range check
    with pytest.raises(ValueError, match="out of range"):
        walk(child=child)


def test_arrays_of_other_types_and_layouts_walk_as_numpy_does(model, c_walk, monkeypatch):
    import dataclasses

    t = model.model.second_pass
    odd = dataclasses.replace(t, feature=t.feature.astype(np.int64), threshold=t.threshold.astype(">f8"),
                              child=np.repeat(t.child, 2)[::2], tree_depth=t.tree_depth.astype(np.int64))
    X = np.asfortranarray(np.random.default_rng(1).normal(size=(50, t.n_features)))
    fast, slow = _both(odd, X, monkeypatch)
    np.testing.assert_array_equal(fast, slow)
    np.testing.assert_array_equal(fast, t.raw(X))


def test_walk_sum_refuses_what_does_not_match(model, c_walk):
    t = model.model.kind_trees  # several outputs
    X = np.zeros((3, t.n_features))
    args = (t.feature, t.threshold, t.child, t.missing_left, t.roots, t.tree_depth, X)
    k = len(t.baseline)
    assert len(t.roots) % 7
    c_walk.walk_sum(*args, t.value, t.baseline, np.empty((3, k)))
    for value, baseline, out in ((t.value[:-1], t.baseline, np.empty((3, k))),
                                 (t.value, np.zeros(7), np.empty((3, 7))),  # trees not a multiple of the outputs
                                 (t.value, t.baseline, np.empty((2, k)))):
        with pytest.raises(ValueError, match="do not match"):
            c_walk.walk_sum(*args, value, baseline, out)
    roots = t.roots.copy()
    roots[3] = len(t.feature)
    with pytest.raises(ValueError, match="out of range"):
        c_walk.walk_sum(*args[:4], roots, *args[5:], t.value, t.baseline, np.empty((3, k)))
    with pytest.raises(TypeError, match="value"):
        c_walk.walk_sum(*args, t.value.astype(np.float32), t.baseline, np.empty((3, k)))
