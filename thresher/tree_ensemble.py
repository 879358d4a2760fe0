"""Boosted trees as flat arrays: a fitted ``HistGradientBoostingClassifier``'s predictions
without scikit-learn.

A model file is then plain arrays (nothing in it can run code), loading it imports no
estimator library, and a page's rows go down every tree in C (``_treewalk.c``), or, where
that extension was not built, all at once, one numpy step per tree level, instead of one
Python call per tree (1,000 trees a page).

Nodes are renumbered so that a node's right child directly follows its left one, and a
leaf is its own child reading a column that is always 0 against a threshold of +inf:
every step is the same few array operations for every (row, tree) pair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np

try:  # the walk in C, built with the package (an optional extension); the numpy walk below otherwise
    from . import _treewalk
except ImportError:  # pragma: no cover - a build without a C compiler
    _treewalk = None

#: rows taken down the trees together (bounds a page's memory; a few hundred is a typical page)
ROWS_PER_STEP = 2048
#: the most trees, nodes and tree depth a model file may hold (the shipped model: 1,000 trees,
#: 67,400 nodes, depth 26); a file past them is refused before its first page
MAX_TREES, MAX_NODES, MAX_DEPTH = 20_000, 4_000_000, 1_000


@dataclass(frozen=True, eq=False)
class TreeEnsemble:
    """The trees of a boosted classifier, iteration by iteration, one tree per output column.

    Attributes
    ----------
    feature : per node, the column it splits on (leaves: the appended zero column).
    threshold : per node, go left when ``x <= threshold`` (leaves: +inf).
    child : per node, its left child; the right child is ``child + 1`` (leaves: themselves).
    missing_left : per node, where a NaN goes.
    value : per node, the leaf value (0 at split nodes).
    roots : per tree, its root node; trees ordered iteration-major, output-minor.
    baseline : the raw prediction before any tree, one per output column.
    classes : the class names, ``predict_proba``'s column order.
    tree_depth : per tree, its deepest leaf's depth: the steps that bring every row to a leaf.
    """

    feature: np.ndarray
    threshold: np.ndarray
    child: np.ndarray
    missing_left: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    baseline: np.ndarray
    classes: tuple[str, ...]
    tree_depth: np.ndarray
    # the walk's order, fixed by the trees: shallow trees first, and per level the first tree
    # deep enough to need that step (a suffix of the trees takes it)
    _order: np.ndarray = field(init=False, repr=False)
    _first_at_level: np.ndarray = field(init=False, repr=False)
    # the trees as the C walk reads them (``_treewalk.pack``: checked once, 16-byte nodes), and
    # the baseline; None without the extension
    _packed: object = field(init=False, repr=False)
    _baseline: np.ndarray = field(init=False, repr=False)
    _n_features: int = field(init=False, repr=False)  # read on every call: a max over every node

    def __post_init__(self) -> None:
        # every ensemble is checked as made (a bad file gets check's message), so the walks, and
        # _treewalk.pack, read checked trees only
        self.check()  # depths within MAX_DEPTH among the rest, before np.arange(depth) below
        order = np.argsort(self.tree_depth, kind="stable")
        object.__setattr__(self, "_order", order)
        object.__setattr__(self, "_first_at_level",
                           np.searchsorted(self.tree_depth[order], np.arange(self.depth), side="right"))
        packed = None
        if _treewalk is not None:
            packed = _treewalk.pack(*(np.ascontiguousarray(a, dtype=t) for a, t in (
                (self.feature, np.int32), (self.threshold, np.float64), (self.child, np.int32),
                (self.missing_left, bool), (self.roots, np.int32), (self.tree_depth, np.int32),
                (self.value, np.float64))))
        object.__setattr__(self, "_packed", packed)
        object.__setattr__(self, "_baseline", np.ascontiguousarray(self.baseline, dtype=np.float64))
        object.__setattr__(self, "_n_features", int(self.feature.max(initial=0)))

    def __reduce__(self):
        # the packed capsule cannot be pickled: a copy (a Dask worker's) packs its own
        return type(self), tuple(getattr(self, f.name) for f in fields(self) if f.init)

    @property
    def depth(self) -> int:
        return int(self.tree_depth.max(initial=0))

    @property
    def n_features(self) -> int:
        """Columns the trees read (the zero column at index ``n_features`` is appended here)."""
        return self._n_features

    # -- from scikit-learn ---------------------------------------------------------
    @classmethod
    def from_sklearn(cls, model) -> TreeEnsemble:
        """The arrays of a fitted ``HistGradientBoostingClassifier`` (numerical features only)."""
        n_features = int(model.n_features_in_)
        feature, threshold, child, missing_left, value, roots = [], [], [], [], [], []
        depth = []
        for iteration in model._predictors:
            for predictor in iteration:
                nodes = predictor.nodes
                if nodes["is_categorical"].any():
                    raise ValueError("categorical splits are not supported")
                # breadth-first, so that siblings are numbered side by side
                start = len(feature)
                order, new_id = [0], {0: start}
                for old in order:
                    if not nodes[old]["is_leaf"]:
                        for kid in (int(nodes[old]["left"]), int(nodes[old]["right"])):
                            new_id[kid] = start + len(order)
                            order.append(kid)
                for old in order:
                    node = nodes[old]
                    if node["is_leaf"]:
                        feature.append(n_features)
                        threshold.append(np.inf)
                        child.append(new_id[old])
                        missing_left.append(True)
                        value.append(float(node["value"]))
                    else:
                        feature.append(int(node["feature_idx"]))
                        threshold.append(float(node["num_threshold"]))
                        child.append(new_id[int(node["left"])])
                        missing_left.append(bool(node["missing_go_to_left"]))
                        value.append(0.0)
                roots.append(start)
                depth.append(int(nodes["depth"].max()))
        return cls(
            feature=np.array(feature, dtype=np.int32),
            threshold=np.array(threshold, dtype=np.float64),
            child=np.array(child, dtype=np.int32),
            missing_left=np.array(missing_left, dtype=bool),
            value=np.array(value, dtype=np.float64),
            roots=np.array(roots, dtype=np.int32),
            baseline=np.asarray(model._baseline_prediction, dtype=np.float64).ravel(),
            classes=tuple(str(c) for c in model.classes_),
            tree_depth=np.array(depth, dtype=np.int32),
        )

    # -- prediction ----------------------------------------------------------------
    def raw(self, X: np.ndarray) -> np.ndarray:
        """The baseline plus each tree's leaf value, added in tree order as scikit-learn adds
        them (so the sums are the same to the last bit), shape (rows, outputs)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or (len(X) and X.shape[1] != self.n_features):
            raise ValueError(f"expected {self.n_features} feature columns, got shape {X.shape}")
        # a step holds about 45 bytes per (row, tree) pair: rows go in slices so that a page of
        # 100,000 blocks costs no more memory than one of 1,000
        return np.vstack([self._raw_rows(X[s:s + ROWS_PER_STEP]) for s in range(0, len(X), ROWS_PER_STEP)]
                         or [np.zeros((0, len(self.baseline)))])

    def _raw_rows(self, X: np.ndarray) -> np.ndarray:
        n, k = len(X), len(self.baseline)
        if self._packed is not None and _treewalk is not None:  # the same sums, each tree's value added in C
            out = np.empty((n, k))
            _treewalk.walk_sum(self._packed, np.ascontiguousarray(X, dtype=np.float64), self._baseline, out)
            return out
        leaves = np.empty((len(self.roots) + k, n))
        leaves[:k] = self.baseline[:, None]
        leaves[k:] = self.value[self._leaf_nodes(X)]
        # (1 + iterations, outputs, rows), summed in order along the iterations
        return np.add.accumulate(leaves.reshape(-1, k, n), axis=0)[-1].T

    def _leaf_nodes(self, X: np.ndarray) -> np.ndarray:
        """The node each row of ``X`` reaches in each tree, shape (trees, rows) (``walk_sum``'s walk in numpy)."""
        n, trees = len(X), len(self.roots)
        width = X.shape[1] + 1
        flat = np.zeros((n, width))
        flat[:, :-1] = X
        flat = flat.ravel()
        # one entry per (tree, row) pair, tree-major, in the walk's order
        order = self._order
        node = np.repeat(self.roots[order], n)
        row_start = np.tile(np.arange(n, dtype=np.int32) * width, trees)
        at, x, limit = np.empty_like(node), np.empty(len(node)), np.empty(len(node))
        right = np.empty(len(node), dtype=bool)
        missing = bool(np.isnan(X).any())
        for s in (self._first_at_level * n).tolist():
            nd, at_, x_, limit_, right_ = node[s:], at[s:], x[s:], limit[s:], right[s:]
            np.take(self.feature, nd, out=at_, mode="clip")  # indices checked on load: no bounds test
            at_ += row_start[s:]
            np.take(flat, at_, out=x_, mode="clip")
            np.take(self.threshold, nd, out=limit_, mode="clip")
            np.greater(x_, limit_, out=right_)  # a NaN compares False: its side is set below
            if missing:
                nan = np.isnan(x_)
                right_[nan] = ~self.missing_left[nd[nan]]
            np.take(self.child, nd, out=at_, mode="clip")
            np.add(at_, right_, out=nd)
        nodes = np.empty((trees, n), dtype=node.dtype)
        nodes[order] = node.reshape(trees, n)
        return nodes

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities, columns ``classes``: the logistic link (libm's exp, as SciPy's
        ``expit``), or softmax for 3+ classes."""
        raw = self.raw(X)
        if len(self.classes) == 2:
            p = expit_all(raw[:, 0])
            return np.column_stack([1.0 - p, p])
        raw = raw - raw.max(axis=1, keepdims=True)
        np.exp(raw, out=raw)
        raw /= raw.sum(axis=1, keepdims=True)
        return raw

    # -- storage -------------------------------------------------------------------
    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        fields = ("feature", "threshold", "child", "missing_left", "value", "roots", "baseline", "tree_depth")
        out = {f"{prefix}.{name}": getattr(self, name) for name in fields}
        out[f"{prefix}.classes"] = np.array(self.classes, dtype=str)
        return out

    @classmethod
    def from_arrays(cls, arrays, prefix: str) -> TreeEnsemble:
        """Rebuild from :meth:`to_arrays`' output, checking shapes and sizes before converting
        anything, then that every index stays in its array; raises ``ValueError``."""
        fields = {"feature": "iu", "threshold": "f", "child": "iu", "missing_left": "bui", "value": "f",
                  "roots": "iu", "baseline": "f", "tree_depth": "iu", "classes": "U"}
        raw = {}
        for name, kinds in fields.items():
            a = arrays[f"{prefix}.{name}"]
            if a.ndim != 1 or a.dtype.kind not in kinds:
                raise ValueError(f"{prefix}.{name}: a 1-D array of kind {kinds!r} expected, got {a.dtype} {a.shape}")
            raw[name] = a
        if len(raw["feature"]) > MAX_NODES or len(raw["roots"]) > MAX_TREES or len(raw["classes"]) > 64:
            raise ValueError(f"{prefix}: more trees, nodes or classes than a model has")
        trees = cls(
            feature=raw["feature"].astype(np.int32), threshold=raw["threshold"].astype(np.float64),
            child=raw["child"].astype(np.int32), missing_left=raw["missing_left"].astype(bool),
            value=raw["value"].astype(np.float64), roots=raw["roots"].astype(np.int32),
            baseline=raw["baseline"].astype(np.float64), classes=tuple(str(c) for c in raw["classes"].tolist()),
            tree_depth=raw["tree_depth"].astype(np.int32),
        )
        for a in (trees.feature, trees.threshold, trees.child, trees.missing_left, trees.value, trees.roots,
                  trees.baseline, trees.tree_depth):
            a.setflags(write=False)
        return trees

    def check(self) -> None:
        """Raise ``ValueError`` unless the arrays form trees a prediction can walk safely: every
        index inside its array, a leaf its own child reading the zero column, a split's two
        children after it (so no walk can cycle)."""
        n = len(self.feature)
        if not (len(self.threshold) == len(self.child) == len(self.missing_left) == len(self.value) == n):
            raise ValueError("node arrays differ in length")
        k = len(self.baseline)
        if k < 1 or len(self.roots) % k or len(self.classes) != (2 if k == 1 else k) or k == 2:
            raise ValueError("trees, outputs and classes do not match")
        if len(self.tree_depth) != len(self.roots) or (n and not 0 <= self.tree_depth.min() <= self.depth <= MAX_DEPTH):
            raise ValueError("tree depths out of range")
        if len(self.roots) and (n == 0 or self.roots.min() < 0 or self.roots.max() >= n):
            raise ValueError("a root index is out of range")
        if not n:
            return
        if self.feature.min() < 0:
            raise ValueError("a node index is out of range")
        nodes = np.arange(n)
        leaf = self.feature == self.feature.max()  # the zero column, n_features
        if (self.child[leaf] != nodes[leaf]).any() or (self.threshold[leaf] != np.inf).any():
            raise ValueError("a leaf is not its own child reading the zero column: a node index is out of range")
        if ((self.child[~leaf] <= nodes[~leaf]) | (self.child[~leaf] + 1 >= n)).any():
            raise ValueError("a split node's children are out of range")


def expit(v: float) -> float:
    """SciPy's ``expit`` to the last bit (numpy's vectorised ``exp`` rounds differently)."""
    try:
        return 1.0 / (1.0 + math.exp(-v))
    except OverflowError:  # exp(-v) past the largest float: SciPy's inf gives 0
        return 0.0


def expit_all(values: np.ndarray) -> np.ndarray:
    """``expit`` of each value (in C where built: the same libm ``exp``, without a call per value)."""
    if _treewalk is None:
        return np.array([expit(v) for v in values.tolist()])
    out = np.empty(len(values))
    _treewalk.expit(np.ascontiguousarray(values, dtype=np.float64), out)
    return out
