"""BlockClassifier: the five-label block model, a scikit-learn estimator.

Two questions, two heads, as the data allows:

* is the block part of the article? A gradient-boosted first pass reads each
  block alone (``local_features``); a second pass reads the same features plus
  the neighbours' first-pass scores (``context_features``), as jusText revises
  a paragraph by its neighbours. Learned from every labeled block (benchmark
  pages aligned to their main content, and the hand annotations).
* which kind of content? A logistic regression over the block's words
  (TF-IDF), then a boosted model over named counts (``type_features``), the
  word model's probabilities, and the same for the previous and next content
  blocks (a table's cells, a quote broken over lines). Learned from the hand
  annotations only.

``P(boilerplate) = 1 - P(content)`` and ``P(kind) = P(content) * P(kind | content)``.
The label is decided in the guideline's order, content or not first, then the kind
(:func:`~thresher.revision.decide`), not as the most probable of the five.

The estimator is for training: once fitted, it predicts through its arrays
(:meth:`BlockClassifier.compiled`, a :class:`~thresher.compiled.CompiledClassifier`),
which are what a model file holds and what ``thresher.load()`` returns.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from .blocks import Block
from .compiled import BOILERPLATE, CompiledClassifier, by_kind
from .features import (
    CONTEXT_NAMES,
    FEATURE_SET,
    LOCAL_NAMES,
    MAX_ANALYSED_CHARS,
    content_document,
    context_features,
    local_features,
)
from .labels import CONTENT, CONTENT_LABELS, LABELS
from .typing_features import TYPE_FEATURE_SET, kind_context, type_features


class BlockClassifier(ClassifierMixin, BaseEstimator):
    """Label the blocks of pages with the five guideline labels.

    ``X`` is a list of pages, each a list of :class:`~thresher.blocks.Block`;
    ``y`` a matching list of per-block labels, where a label is one of
    ``LABELS`` or ``"content"`` (article text of unknown kind).

    Parameters
    ----------
    max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization :
        the gradient-boosting settings of both content passes.
    type_c : inverse regularisation strength of the kind model's word model.
    kind_balance : how far rare kinds are up-weighted in the kind model: class weights
        are ``(n / (k * n_class)) ** kind_balance`` (0: none, 1: "balanced").
    content_words : inverse regularisation strength of the content word model, whose
        out-of-fold score is one more column of both content passes (0: no word model).
    inner_folds : folds (grouped by site) giving the out-of-fold first-pass
        scores the second pass learns from.
    random_state : seed for every random step.

    Attributes
    ----------
    classes_ : the five labels, the order of ``predict_proba``'s columns.
    first_pass_, second_pass_ : the content models.
    kind_words_, kind_text_model_, kind_model_ : the kind model: TF-IDF words, a logistic
        regression over them, and a boosted model over named counts, the word model's
        probabilities and the neighbours' (None when no kind labels were given).
    content_words_ : the content word model, a ``(TfidfVectorizer, LogisticRegression)`` pair
        (None when ``content_words`` is 0).
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
        type_c: float = 1.0,
        kind_balance: float = 1.0,
        content_words: float = 1.0,
        inner_folds: int = 3,
        random_state: int = 0,
    ) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.type_c = type_c
        self.kind_balance = kind_balance
        self.content_words = content_words
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
            sample_weight: list[float] | None = None, progress=None, kind_only: list[bool] | None = None):
        """Fit both heads.

        ``groups`` (one site per page) keeps a site's pages in one inner fold;
        ``sample_weight`` (one weight per page) applies to each of its blocks;
        ``kind_only`` (one flag per page) marks pages that teach the kind model alone: the
        content passes skip them (e.g. hand-labeled pages whose content/boilerplate sides
        another example of the same page already teaches).
        """
        pages, labels = list(X), [list(v) for v in y]
        if len(pages) != len(labels) or any(len(p) != len(v) for p, v in zip(pages, labels)):
            raise ValueError("X and y must hold the same pages with one label per block")
        for page_labels in labels:
            for label in page_labels:
                if label != CONTENT and label not in LABELS:
                    raise ValueError(f"unknown label {label!r}")
        groups = np.asarray(groups if groups is not None else range(len(pages)))
        page_weights = np.ones(len(pages)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if kind_only is not None and len(kind_only) != len(pages):
            raise ValueError("kind_only must hold one flag per page")
        step = progress or (lambda name: None)
        sides = [i for i in range(len(pages)) if not (kind_only and kind_only[i])]
        if not sides:
            raise ValueError("every page is kind_only: the content passes have nothing to learn from")
        self._fit_content([pages[i] for i in sides], [labels[i] for i in sides], groups[sides], page_weights[sides], step)
        step("kind model")
        self._fit_kinds(pages, labels, groups, page_weights)
        self.classes_ = np.array(LABELS)
        self.feature_set_ = (FEATURE_SET, TYPE_FEATURE_SET)
        self.n_features_in_ = len(LOCAL_NAMES) + len(CONTEXT_NAMES) + (1 if self.content_words_ else 0)
        return self

    def _fit_content(self, pages: list[list[Block]], labels: list[list[str]], groups: np.ndarray,
                     page_weights: np.ndarray, step) -> None:
        """Both content passes (and the content word model) from these pages."""
        local = [local_features(p) for p in pages]
        is_content = [np.array([v != BOILERPLATE for v in page], dtype=int) for page in labels]
        weights = [np.full(len(p), w) for p, w in zip(pages, page_weights)]
        if self.content_words:
            step("content words")
            local = self._fit_content_words(pages, is_content, weights, groups, local)
        else:
            self.content_words_ = None
        step("first pass")
        self.first_pass_ = self._booster().fit(np.vstack(local), np.concatenate(is_content),
                                               sample_weight=np.concatenate(weights))
        step("out-of-fold scores")
        oof = self._out_of_fold(local, is_content, weights, groups)
        step("second pass")
        stacked = np.vstack([np.hstack([x, context_features(p, s)]) for x, p, s in zip(local, pages, oof)])
        self.second_pass_ = self._booster().fit(stacked, np.concatenate(is_content), sample_weight=np.concatenate(weights))

    def _site_folds(self, groups: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """The inner folds, grouped by site; none when fewer than two sites can be held out."""
        folds = min(self.inner_folds, len(set(groups.tolist())))
        return list(GroupKFold(n_splits=folds).split(groups, groups=groups)) if folds >= 2 else []

    def _kind_word_model(self):
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=20000, sublinear_tf=True)
        return vectorizer, LogisticRegression(C=self.type_c, max_iter=2000, class_weight="balanced")

    def _content_word_model(self):
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=3, max_features=50000, sublinear_tf=True)
        model = LogisticRegression(C=self.content_words, solver="liblinear", max_iter=200, random_state=self.random_state)
        return vectorizer, model

    def _fit_content_words(self, pages, is_content, weights, groups, local) -> list[np.ndarray]:
        """Fit the content word model; return ``local`` with its out-of-fold score appended (a
        score from a model that never saw the page's site, as the second pass's inputs are)."""
        docs = [[content_document(b) for b in page] for page in pages]
        vectorizer, model = self._content_word_model()
        words = vectorizer.fit_transform([d for page in docs for d in page])
        self.content_words_ = (vectorizer, model.fit(words, np.concatenate(is_content), sample_weight=np.concatenate(weights)))
        # a page whose site no inner fold can hold out (one site in all) keeps the full model's score
        scores = [model.predict_proba(vectorizer.transform(d))[:, 1] for d in docs]
        for train, test in self._site_folds(groups):
            train_labels = np.concatenate([is_content[i] for i in train])
            if len(set(train_labels.tolist())) < 2:
                continue  # a fold of one class has nothing to learn: its pages keep the full model's score
            vectorizer, model = self._content_word_model()
            fold_words = vectorizer.fit_transform([d for i in train for d in docs[i]])
            model.fit(fold_words, train_labels, sample_weight=np.concatenate([weights[i] for i in train]))
            for i in test:
                scores[i] = model.predict_proba(vectorizer.transform(docs[i]))[:, 1]
        return [np.hstack([x, s[:, None]]) for x, s in zip(local, scores)]

    def _out_of_fold(self, local: list[np.ndarray], is_content: list[np.ndarray], weights: list[np.ndarray],
                     groups: np.ndarray) -> list[np.ndarray]:
        folds = self._site_folds(groups)
        if not folds:
            return [self.first_pass_.predict_proba(x)[:, 1] for x in local]
        scores: list[np.ndarray | None] = [None] * len(local)
        for train, test in folds:
            model = self._booster().fit(np.vstack([local[i] for i in train]), np.concatenate([is_content[i] for i in train]),
                                        sample_weight=np.concatenate([weights[i] for i in train]))
            for i in test:
                scores[i] = model.predict_proba(local[i])[:, 1]
        return scores  # type: ignore[return-value]

    def _fit_kinds(self, pages: list[list[Block]], labels: list[list[str]], groups: np.ndarray,
                   page_weights: np.ndarray | None = None) -> None:
        """The kind model: words (TF-IDF, logistic regression), then a boosted model over the
        named counts, the word model's out-of-fold probabilities and the neighbours' of both."""
        if page_weights is None:
            page_weights = np.ones(len(pages))
        per_page = []  # (blocks, kinds, rows, site) of each page's content blocks, in page order
        block_weights = []
        for page, page_labels, group, weight in zip(pages, labels, groups, page_weights):
            chosen = [i for i, v in enumerate(page_labels) if v in CONTENT_LABELS]
            if chosen:
                rows = type_features([page[i] for i in chosen], chosen, len(page))
                per_page.append(([page[i] for i in chosen], [page_labels[i] for i in chosen], rows, group))
                block_weights += [weight] * len(chosen)
        kinds = [k for _, page_kinds, _, _ in per_page for k in page_kinds]
        if len(set(kinds)) < 2:
            self.kind_words_ = self.kind_text_model_ = self.kind_model_ = None
            return
        texts = [[b.text[:MAX_ANALYSED_CHARS] for b in blocks] for blocks, _, _, _ in per_page]
        word_proba = self._word_out_of_fold(texts, [k for _, k, _, _ in per_page], np.array([g for *_, g in per_page]))
        self.kind_words_, self.kind_text_model_ = self._kind_word_model()
        self.kind_text_model_.fit(self.kind_words_.fit_transform([t for page in texts for t in page]), kinds)
        design = np.vstack([kind_context(rows, proba) for (_, _, rows, _), proba in zip(per_page, word_proba)])
        counts = {k: kinds.count(k) for k in set(kinds)}
        weights = np.array([(len(kinds) / (len(counts) * counts[k])) ** self.kind_balance for k in kinds])
        weights *= np.asarray(block_weights)
        self.kind_model_ = HistGradientBoostingClassifier(
            max_iter=150, learning_rate=0.08, max_leaf_nodes=15, min_samples_leaf=10, l2_regularization=1.0,
            early_stopping=False, random_state=self.random_state,
        ).fit(design, kinds, sample_weight=weights)

    def _word_out_of_fold(self, texts: list[list[str]], kinds: list[list[str]], groups: np.ndarray) -> list[np.ndarray]:
        """Word-model probabilities of each page's blocks from a model that never saw its site."""
        out: list[np.ndarray] = [np.full((len(t), len(CONTENT_LABELS)), 1.0 / len(CONTENT_LABELS)) for t in texts]
        for train, test in self._site_folds(groups):
            train_kinds = [k for i in train for k in kinds[i]]
            if len(set(train_kinds)) < 2:
                continue
            vectorizer, model = self._kind_word_model()
            model.fit(vectorizer.fit_transform([t for i in train for t in texts[i]]), train_kinds)
            for i in test:
                out[i] = _by_kind(model, model.predict_proba(vectorizer.transform(texts[i])))
        return out

    # -- prediction --------------------------------------------------------------
    def compiled(self) -> CompiledClassifier:
        """The fitted model as arrays (:class:`~thresher.compiled.CompiledClassifier`), what a
        model file holds; every prediction below goes through it. Built once per fit."""
        parts = (getattr(self, "first_pass_", None), getattr(self, "second_pass_", None), getattr(self, "kind_words_", None),
                 getattr(self, "content_words_", None),
                 getattr(self, "kind_text_model_", None), getattr(self, "kind_model_", None))
        cached = self.__dict__.get("_compiled")
        if cached is None or any(a is not b for a, b in zip(cached[0], parts)):
            cached = self.__dict__["_compiled"] = (parts, CompiledClassifier.from_estimator(self))
        return cached[1]

    def content_scores(self, blocks: list[Block]) -> tuple[np.ndarray, np.ndarray]:
        """First-pass and second-pass content probabilities of one page's blocks."""
        return self.compiled().content_scores(blocks)

    def kind_scores(self, blocks: list[Block], content: np.ndarray, needed: np.ndarray | None = None) -> np.ndarray:
        """P(kind | content) for each block, columns ``CONTENT_LABELS``
        (:meth:`CompiledClassifier.kind_scores <thresher.compiled.CompiledClassifier.kind_scores>`)."""
        return self.compiled().kind_scores(blocks, content, needed)

    def page_proba(self, blocks: list[Block], *, needed=None) -> tuple[np.ndarray, np.ndarray]:
        """First-pass and final probabilities of one page, columns ``classes_``
        (:meth:`CompiledClassifier.page_proba <thresher.compiled.CompiledClassifier.page_proba>`)."""
        return self.compiled().page_proba(blocks, needed=needed)

    def predict_proba(self, X: list[list[Block]]) -> list[np.ndarray]:
        """Per page, a (blocks × 5) array of probabilities; columns follow ``classes_``."""
        return self.compiled().predict_proba(X)

    def predict(self, X: list[list[Block]]) -> list[list[str]]:
        """Per page, each block's label: content or not first, then its most probable kind
        (:func:`~thresher.revision.decide`; no neighbour revision)."""
        return self.compiled().predict(X)


def _by_kind(model, proba: np.ndarray) -> np.ndarray:
    """Reorder a classifier's probability columns to ``CONTENT_LABELS`` (absent kinds get 0)."""
    return by_kind(tuple(str(c) for c in model.classes_), proba)
