"""BlockClassifier: the five-label block model, a scikit-learn estimator.

Two questions, two heads, as the data allows:

* is the block part of the article? A gradient-boosted first pass reads each
  block alone (``local_features``); a second pass reads the same features plus
  the neighbours' first-pass scores (``context_features``), as jusText revises
  a paragraph by its neighbours. Learned from every labeled block (benchmark
  pages aligned to their main content, and the hand annotations).
* which kind of content? A multinomial logistic regression over the block's
  words (TF-IDF) and named counts (``type_features``), learned from the hand
  annotations only.

``P(boilerplate) = 1 - P(content)`` and ``P(kind) = P(content) * P(kind | content)``.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from .blocks import Block
from .features import CONTEXT_NAMES, FEATURE_SET, LOCAL_NAMES, context_features, local_features
from .labels import CONTENT_LABELS, LABELS, Label
from .typing_features import TYPE_FEATURE_SET, type_features

#: A training label for a block known to be content whose kind nobody chose (benchmark pages).
CONTENT = "content"
BOILERPLATE = Label.BOILERPLATE.value


class BlockClassifier(ClassifierMixin, BaseEstimator):
    """Label the blocks of pages with the five guideline labels.

    ``X`` is a list of pages, each a list of :class:`~thresher.blocks.Block`;
    ``y`` a matching list of per-block labels, where a label is one of
    ``LABELS`` or ``"content"`` (article text of unknown kind).

    Parameters
    ----------
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization :
        the gradient-boosting settings of both content passes.
    type_c : inverse regularisation strength of the kind model.
    inner_folds : folds (grouped by site) giving the out-of-fold first-pass
        scores the second pass learns from.
    random_state : seed for every random step.

    Attributes
    ----------
    classes_ : the five labels, the order of ``predict_proba``'s columns.
    first_pass_, second_pass_ : the content models.
    kind_words_, kind_scaler_, kind_model_ : the kind model (None when no kind labels were given).
    feature_set_ : the feature-set names the model was fitted with.

    Examples
    --------
    >>> from thresher.text import text_blocks
    >>> page = text_blocks("Menu\\n\\nA man was sentenced to 5 years.\\n\\n“We are glad,” she said.")
    >>> model = BlockClassifier(max_iter=5, inner_folds=2)
    >>> labels = ["boilerplate", "case_record", "quote"]
    >>> _ = model.fit([page] * 4, [labels] * 4, groups=["a", "b", "c", "d"])
    >>> model.predict_proba([page])[0].shape
    (3, 5)
    """

    def __init__(
        self,
        *,
        max_iter: int = 200,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 63,
        min_samples_leaf: int = 40,
        l2_regularization: float = 1.0,
        type_c: float = 4.0,
        inner_folds: int = 3,
        random_state: int = 0,
    ) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.type_c = type_c
        self.inner_folds = inner_folds
        self.random_state = random_state

    # -- fitting -----------------------------------------------------------------
    def _booster(self) -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,  # every tree is kept: no random validation split, same model each run
            random_state=self.random_state,
        )

    def fit(self, X: list[list[Block]], y: list[list[str]], groups: list[str] | None = None,
            sample_weight: list[float] | None = None, progress=None):
        """Fit both heads.

        ``groups`` (one site per page) keeps a site's pages in one inner fold;
        ``sample_weight`` (one weight per page) applies to each of its blocks.
        """
        pages, labels = list(X), [list(v) for v in y]
        if len(pages) != len(labels) or any(len(p) != len(v) for p, v in zip(pages, labels)):
            raise ValueError("X and y must hold the same pages with one label per block")
        for page_labels in labels:
            for label in page_labels:
                if label != CONTENT and label not in LABELS:
                    raise ValueError(f"unknown label {label!r}")
        groups = np.asarray(groups if groups is not None else range(len(pages)))
        step = progress or (lambda name: None)
        local = [local_features(p) for p in pages]
        is_content = [np.array([v != BOILERPLATE for v in page], dtype=int) for page in labels]
        page_weights = np.ones(len(pages)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        weights = [np.full(len(p), w) for p, w in zip(pages, page_weights)]
        step("first pass")
        self.first_pass_ = self._booster().fit(np.vstack(local), np.concatenate(is_content),
                                               sample_weight=np.concatenate(weights))
        step("out-of-fold scores")
        oof = self._out_of_fold(local, is_content, weights, groups)
        step("second pass")
        stacked = np.vstack([np.hstack([x, context_features(p, s)]) for x, p, s in zip(local, pages, oof)])
        self.second_pass_ = self._booster().fit(stacked, np.concatenate(is_content), sample_weight=np.concatenate(weights))
        step("kind model")
        self._fit_kinds(pages, labels)
        self.classes_ = np.array(LABELS)
        self.feature_set_ = (FEATURE_SET, TYPE_FEATURE_SET)
        self.n_features_in_ = len(LOCAL_NAMES) + len(CONTEXT_NAMES)
        return self

    def _out_of_fold(self, local: list[np.ndarray], is_content: list[np.ndarray], weights: list[np.ndarray],
                     groups: np.ndarray) -> list[np.ndarray]:
        folds = min(self.inner_folds, len(set(groups.tolist())))
        if folds < 2:
            return [self.first_pass_.predict_proba(x)[:, 1] for x in local]
        scores: list[np.ndarray | None] = [None] * len(local)
        for train, test in GroupKFold(n_splits=folds).split(local, groups=groups):
            model = self._booster().fit(np.vstack([local[i] for i in train]), np.concatenate([is_content[i] for i in train]),
                                        sample_weight=np.concatenate([weights[i] for i in train]))
            for i in test:
                scores[i] = model.predict_proba(local[i])[:, 1]
        return scores  # type: ignore[return-value]

    def _fit_kinds(self, pages: list[list[Block]], labels: list[list[str]]) -> None:
        blocks, kinds, rows = [], [], []
        for page, page_labels in zip(pages, labels):
            chosen = [i for i, v in enumerate(page_labels) if v in CONTENT_LABELS]
            if chosen:
                blocks += [page[i] for i in chosen]
                kinds += [page_labels[i] for i in chosen]
                rows.append(type_features([page[i] for i in chosen], chosen, len(page)))
        if len(set(kinds)) < 2:
            self.kind_words_ = self.kind_scaler_ = self.kind_model_ = None
            return
        self.kind_words_ = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=20000, sublinear_tf=True)
        words = self.kind_words_.fit_transform([b.text for b in blocks])
        self.kind_scaler_ = StandardScaler().fit(np.vstack(rows))
        design = sparse.hstack([words, sparse.csr_matrix(self.kind_scaler_.transform(np.vstack(rows)))]).tocsr()
        self.kind_model_ = LogisticRegression(C=self.type_c, max_iter=2000, class_weight="balanced")
        self.kind_model_.fit(design, kinds)

    def compact(self) -> BlockClassifier:
        """Make the fitted state cheap to store: vocabulary indices as plain ints (skops
        would otherwise store one numpy scalar per term). Predictions are unchanged."""
        if getattr(self, "kind_words_", None) is not None:
            self.kind_words_.vocabulary_ = {term: int(i) for term, i in self.kind_words_.vocabulary_.items()}
        return self

    # -- prediction --------------------------------------------------------------
    def content_scores(self, blocks: list[Block]) -> tuple[np.ndarray, np.ndarray]:
        """First-pass and second-pass content probabilities of one page's blocks."""
        local = local_features(blocks)
        first = self.first_pass_.predict_proba(local)[:, 1]
        second = self.second_pass_.predict_proba(np.hstack([local, context_features(blocks, first)]))[:, 1]
        return first, second

    def kind_scores(self, blocks: list[Block], content: np.ndarray) -> np.ndarray:
        """P(kind | content) for each block, columns ``CONTENT_LABELS``.

        Blocks the content pass rejects with confidence are not tokenized (their
        kind does not change their label); they get a uniform distribution.
        """
        out = np.full((len(blocks), len(CONTENT_LABELS)), 1.0 / len(CONTENT_LABELS))
        if self.kind_model_ is None:
            out[:] = 0.0
            out[:, CONTENT_LABELS.index(Label.NEWS_BODY.value)] = 1.0
            return out
        chosen = [i for i in range(len(blocks)) if content[i] >= 0.05]
        if not chosen:
            return out
        rows = type_features([blocks[i] for i in chosen], chosen, len(blocks))
        words = self.kind_words_.transform([blocks[i].text for i in chosen])
        design = sparse.hstack([words, sparse.csr_matrix(self.kind_scaler_.transform(rows))]).tocsr()
        proba = self.kind_model_.predict_proba(design)
        columns = [list(self.kind_model_.classes_).index(k) if k in self.kind_model_.classes_ else None for k in CONTENT_LABELS]
        for j, column in enumerate(columns):
            out[chosen, j] = proba[:, column] if column is not None else 0.0
        return out

    def page_proba(self, blocks: list[Block]) -> tuple[np.ndarray, np.ndarray]:
        """First-pass and final probabilities of one page, columns ``classes_``."""
        if not blocks:
            empty = np.zeros((0, len(LABELS)))
            return empty, empty
        first, second = self.content_scores(blocks)
        kinds = self.kind_scores(blocks, np.maximum(first, second))
        return _combine(first, kinds), _combine(second, kinds)

    def predict_proba(self, X: list[list[Block]]) -> list[np.ndarray]:
        """Per page, a (blocks × 5) array of probabilities; columns follow ``classes_``."""
        return [self.page_proba(page)[1] for page in X]

    def predict(self, X: list[list[Block]]) -> list[list[str]]:
        """Per page, the most probable label of each block."""
        return [[LABELS[i] for i in proba.argmax(axis=1)] for proba in self.predict_proba(X)]


def _combine(content: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    out = np.empty((len(content), len(LABELS)))
    for j, label in enumerate(LABELS):
        if label == BOILERPLATE:
            out[:, j] = 1.0 - content
        else:
            out[:, j] = content * kinds[:, CONTENT_LABELS.index(label)]
    return out
