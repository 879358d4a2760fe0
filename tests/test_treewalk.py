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
        # a matrix without NaN walks without the NaN test; NaN in its last row only brings it back
        finite = np.nan_to_num(X, nan=0.5)
        np.testing.assert_array_equal(*_both(trees, finite, monkeypatch))
        finite[-1] = np.nan  # (each part has splits that send NaN right, where "NaN > t" would not)
        assert not trees.missing_left[trees.feature < trees.n_features].all()
        np.testing.assert_array_equal(*_both(trees, finite, monkeypatch))


def _pack(c_walk, t, **changed):
    arrays = dict(feature=t.feature, threshold=t.threshold, child=t.child, missing_left=t.missing_left,
                  roots=t.roots, tree_depth=t.tree_depth, value=t.value)
    arrays.update(changed)
    return c_walk.pack(*arrays.values())


def test_out_of_range_indices_are_refused_when_packed_not_read(model, c_walk):
    t = model.model.first_pass
    X = np.zeros((3, t.n_features))
    out = np.empty((3, 1))
    c_walk.walk_sum(_pack(c_walk, t), X, t.baseline, out)
    child = t.child.copy()
    child[t.roots[0]] = len(child) - 1  # a split whose right child would be past the last node
    with pytest.raises(ValueError, match="out of range"):
        _pack(c_walk, t, child=child)
    child[t.roots[0]] = t.roots[0] - 1  # a child before its parent: a walk could cycle
    with pytest.raises(ValueError, match="out of range"):
        _pack(c_walk, t, child=child)
    child[t.roots[0]] = np.iinfo(np.int32).max  # no signed overflow on the way to the range check
    with pytest.raises(ValueError, match="out of range"):
        _pack(c_walk, t, child=child)
    feature = t.feature.copy()
    feature[t.roots[0]] = -1
    with pytest.raises(ValueError, match="out of range"):
        _pack(c_walk, t, feature=feature)
    roots = t.roots.copy()
    roots[-1] = -1
    with pytest.raises(ValueError, match="out of range"):
        _pack(c_walk, t, roots=roots)
    roots[-1] = len(t.feature)
    with pytest.raises(ValueError, match="out of range"):
        _pack(c_walk, t, roots=roots)
    with pytest.raises(TypeError, match="feature"):
        _pack(c_walk, t, feature=t.feature.astype(np.int64))
    with pytest.raises(TypeError, match="value"):
        _pack(c_walk, t, value=t.value.astype(np.float32))
    for name in ("feature", "value", "missing_left"):
        with pytest.raises(ValueError, match="differ in length"):
            _pack(c_walk, t, **{name: getattr(t, name)[:-1]})
    with pytest.raises(ValueError, match="column X lacks"):  # too narrow an X: an error, not a read past it
        c_walk.walk_sum(_pack(c_walk, t), X[:, :2].copy(), t.baseline, out)
    with pytest.raises(ValueError):  # not a packed capsule
        c_walk.walk_sum(object(), X, t.baseline, out)


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
    packed = _pack(c_walk, t)
    k = len(t.baseline)
    assert len(t.roots) % 7
    c_walk.walk_sum(packed, X, t.baseline, np.empty((3, k)))
    for baseline, out in ((np.zeros(7), np.empty((3, 7))),  # trees not a multiple of the outputs
                          (t.baseline, np.empty((2, k))),
                          (t.baseline, np.empty((3, k + 1)))):
        with pytest.raises(ValueError, match="do not match"):
            c_walk.walk_sum(packed, X, baseline, out)
    with pytest.raises(TypeError, match="X"):
        c_walk.walk_sum(packed, X.astype(np.float32), t.baseline, np.empty((3, k)))
    with pytest.raises(ValueError, match="X must be"):
        c_walk.walk_sum(packed, X[0], t.baseline, np.empty((3, k)))


def test_trees_of_leaves_only_and_empty_pages_walk(c_walk, monkeypatch):
    trees = tree_ensemble.TreeEnsemble(
        feature=np.array([0, 0]), threshold=np.array([np.inf, np.inf]), child=np.array([0, 1]),
        missing_left=np.array([True, True]), value=np.array([0.25, -1.0]), roots=np.array([0, 1]),
        baseline=np.array([0.5]), classes=("0", "1"), tree_depth=np.array([0, 0]))
    for X in (np.zeros((4, 0)), np.zeros((0, 0))):
        fast, slow = _both(trees, X, monkeypatch)
        np.testing.assert_array_equal(fast, slow)
        np.testing.assert_array_equal(fast, np.full((len(X), 1), -0.25))


def test_trees_pickle_and_walk_the_same_after(model, c_walk):
    import pickle

    t = model.model.second_pass
    copy = pickle.loads(pickle.dumps(t))
    X = np.random.default_rng(2).normal(size=(40, t.n_features))
    np.testing.assert_array_equal(copy.raw(X), t.raw(X))


def test_expit_in_c_is_math_exps_to_the_bit(c_walk, monkeypatch):
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(0, 4, 20_000), rng.normal(0, 400, 2_000),
                        [0.0, -0.0, np.inf, -np.inf, np.nan, 709.8, -709.8, -745.2, -746.0, 1e308, -1e308, 5e-324]])
    fast = tree_ensemble.expit_all(x[::2])  # a strided view is read as its values
    expected = np.array([tree_ensemble.expit(v) for v in x[::2].tolist()])
    assert fast.view(np.int64).tolist() == expected.view(np.int64).tolist()
    monkeypatch.setattr(tree_ensemble, "_treewalk", None)
    assert tree_ensemble.expit_all(x[::2]).view(np.int64).tolist() == expected.view(np.int64).tolist()
    with pytest.raises(ValueError, match="length"):
        c_walk.expit(np.zeros(3), np.zeros(2))
    with pytest.raises(TypeError):
        c_walk.expit(np.zeros(3, dtype=np.float32), np.zeros(3))
