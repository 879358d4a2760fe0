"""CompiledClassifier: a fitted BlockClassifier as plain arrays, for labeling pages.

What a model file holds and what ``thresher.load()`` returns. It predicts exactly what
the estimator it was compiled from predicts (``tests/test_compiled.py``), imports
neither scikit-learn nor SciPy's estimators, and so loads in a fraction of the time and
memory. The estimator (:class:`~thresher.model.BlockClassifier`) is for training; its
own predictions go through this class too, so there is one prediction path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .blocks import Block
from .features import (
    CONTEXT_NAMES,
    LOCAL_NAMES,
    MAX_ANALYSED_CHARS,
    content_document_parts,
    context_features,
    local_features,
)
from .labels import BOILERPLATE, CONTENT_LABELS, LABELS, Label
from .revision import decide
from .tree_ensemble import TreeEnsemble
from .typing_features import KIND_CONTEXT_WIDTH, TYPE_NAMES, kind_context, type_features
from .word_model import WordModel

# Blocks below this content probability are not given a kind (not tokenized: the kind model is
# most of the time spent on a page); their label is boilerplate whatever their kind. One that
# revision moves to content gets news_body. No higher than the decision's lowest content threshold
# (revision.KIND_MIN_CONTENT_DEFAULT's case_record 0.2) so every block labeled content keeps a real kind.
MIN_CONTENT_FOR_KIND = 0.2
# The named counts cost about 1 ms a block (spaCy tokens): on a page of thousands of article
# paragraphs, those past the first MAX_KIND_BLOCKS take their kind from the word model alone,
# so that a page's cost stays bounded. The most any of the 1,669 benchmark pages has is 1,361.
MAX_KIND_BLOCKS = 1_500
#: every array a model file may hold, by part
_TREE_FIELDS = ("feature", "threshold", "child", "missing_left", "value", "roots", "baseline", "tree_depth", "classes")
ARRAY_NAMES = frozenset(
    [f"{part}.{name}" for part in ("first_pass", "second_pass", "kind_trees") for name in _TREE_FIELDS]
    + [f"{part}.{name}" for part in ("kind_words", "content_words")
       for name in ("terms", "idf", "coef", "intercept", "classes")]
)


@dataclass(frozen=True, eq=False)
class CompiledClassifier:
    """The five-label block model: two content passes, then the kind of each content block.

    Attributes
    ----------
    first_pass, second_pass : the content trees (``local_features``; then the same plus
        ``context_features`` of the first pass's scores).
    kind_words : the word model of the kind head (None: every content block is news_body).
    kind_trees : the kind head's trees over named counts and the word model's scores.
    content_words : a word model of content against boilerplate whose score is one more
        column of both content passes (None: the passes read ``local_features`` alone).
    classes_ : the five labels, the order of ``predict_proba``'s columns.
    """

    first_pass: TreeEnsemble | None
    second_pass: TreeEnsemble | None
    kind_words: WordModel | None
    kind_trees: TreeEnsemble | None
    content_words: WordModel | None = None

    classes_ = np.array(LABELS)

    @classmethod
    def from_estimator(cls, model) -> CompiledClassifier:
        """Compile a fitted :class:`~thresher.model.BlockClassifier` (the kind head alone when
        only it was fitted, as kind cross-validation does)."""
        has_kinds = getattr(model, "kind_model_", None) is not None
        has_content = hasattr(model, "second_pass_")
        return cls(
            TreeEnsemble.from_sklearn(model.first_pass_) if has_content else None,
            TreeEnsemble.from_sklearn(model.second_pass_) if has_content else None,
            WordModel.from_sklearn(model.kind_words_, model.kind_text_model_) if has_kinds else None,
            TreeEnsemble.from_sklearn(model.kind_model_) if has_kinds else None,
            WordModel.from_sklearn(*model.content_words_) if getattr(model, "content_words_", None) else None,
        )

    # -- prediction --------------------------------------------------------------
    def content_scores(self, blocks: list[Block]) -> tuple[np.ndarray, np.ndarray]:
        """First-pass and second-pass content probabilities of one page's blocks."""
        if self.first_pass is None or self.second_pass is None:
            raise ValueError("the content head was not fitted")
        local = local_features(blocks)
        if self.content_words is not None:
            parts = [content_document_parts(b) for b in blocks]
            words = self.content_words.predict_proba([t for t, _ in parts], [e for _, e in parts])[:, 1]
            local = np.hstack([local, words[:, None]])
        first = self.first_pass.predict_proba(local)[:, 1]
        second = self.second_pass.predict_proba(np.hstack([local, context_features(blocks, first)]))[:, 1]
        return first, second

    def word_scores(self, texts: list[str]) -> np.ndarray:
        """The word model's P(kind | content) of each text, columns ``CONTENT_LABELS``."""
        return by_kind(self.kind_words.classes, self.kind_words.predict_proba(
            [t[:MAX_ANALYSED_CHARS] for t in texts]))

    def kind_scores(self, blocks: list[Block], content: np.ndarray, needed: np.ndarray | None = None) -> np.ndarray:
        """P(kind | content) for each block, columns ``CONTENT_LABELS``.

        Blocks the content passes reject with confidence are not tokenized (their
        kind does not change their label); they get a uniform distribution. Past the
        page's first ``MAX_KIND_BLOCKS`` candidates, the word model alone decides.
        ``needed`` (a mask over blocks) asks for some blocks' kinds only: those are
        exactly what the whole page's call gives them, the others stay uniform.
        """
        out = np.full((len(blocks), len(CONTENT_LABELS)), 1.0 / len(CONTENT_LABELS))
        if self.kind_trees is None or self.kind_words is None:
            out[:] = 0.0
            out[:, CONTENT_LABELS.index(Label.NEWS_BODY.value)] = 1.0
            return out
        chosen = [i for i in range(len(blocks)) if content[i] >= MIN_CONTENT_FOR_KIND]
        wanted = [k for k, i in enumerate(chosen) if needed is None or needed[i]]
        if not wanted:
            return out
        n_counted = min(len(chosen), MAX_KIND_BLOCKS)
        # a candidate's kind reads its content neighbours' rows and word scores (kind_context):
        # those are computed too, each from its own block alone
        read = wanted if needed is None else sorted(
            {j for k in wanted for j in ((k - 1, k, k + 1) if k < n_counted else (k,))
             if 0 <= j < (n_counted if k < n_counted else len(chosen))})
        word_proba = np.zeros((len(chosen), len(CONTENT_LABELS)))
        word_proba[read] = self.word_scores([blocks[chosen[j]].text for j in read])
        counted = [j for j in read if j < n_counted]
        rows = np.zeros((n_counted, len(TYPE_NAMES)))
        if counted:
            # a neighbour's row is read only in NEIGHBOUR_COLUMNS: its regex counts are not made
            whole = None if needed is None else set(wanted)
            rows[counted] = type_features([blocks[chosen[j]] for j in counted], [chosen[j] for j in counted], len(blocks),
                                          scanned=None if whole is None else [j in whole for j in counted])
        context = kind_context(rows, word_proba[:n_counted])
        in_trees = [k for k in wanted if k < n_counted]
        alone = [k for k in wanted if k >= n_counted]
        if in_trees:
            out[[chosen[k] for k in in_trees]] = by_kind(self.kind_trees.classes, self.kind_trees.predict_proba(context[in_trees]))
        if alone:
            out[[chosen[k] for k in alone]] = word_proba[alone]
        return out

    def page_proba(self, blocks: list[Block], *, needed=None) -> tuple[np.ndarray, np.ndarray]:
        """First-pass and final probabilities of one page, columns ``classes_``.

        ``needed``, when given, is called with the final content scores and returns the mask
        of blocks whose kind is wanted (see :meth:`kind_scores`); by default, every block's.
        """
        if not blocks:
            empty = np.zeros((0, len(LABELS)))
            return empty, empty
        first, second = self.content_scores(blocks)
        kinds = self.kind_scores(blocks, second, None if needed is None else needed(second))
        return combine(first, kinds), combine(second, kinds)

    def predict_proba(self, X: list[list[Block]]) -> list[np.ndarray]:
        """Per page, a (blocks × 5) array of probabilities; columns follow ``classes_``."""
        return [self.page_proba(page)[1] for page in X]

    def predict(self, X: list[list[Block]]) -> list[list[str]]:
        """Per page, each block's label: content or not first, then its most probable kind
        (:func:`~thresher.revision.decide`; no neighbour revision)."""
        return [decide(proba) for proba in self.predict_proba(X)]

    # -- storage -----------------------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        if self.first_pass is None or self.second_pass is None:
            raise ValueError("the content head was not fitted: nothing to save")
        arrays = {**self.first_pass.to_arrays("first_pass"), **self.second_pass.to_arrays("second_pass")}
        if self.kind_words is not None and self.kind_trees is not None:
            arrays |= self.kind_words.to_arrays("kind_words") | self.kind_trees.to_arrays("kind_trees")
        if self.content_words is not None:
            arrays |= self.content_words.to_arrays("content_words")
        return arrays

    @classmethod
    def from_arrays(cls, arrays) -> CompiledClassifier:
        """Rebuild from :meth:`to_arrays`' output; raises ``ValueError``/``KeyError`` on a malformed
        set, or one whose trees read other feature columns than this Thresher computes."""
        has_kinds = "kind_trees.roots" in arrays
        model = cls(
            TreeEnsemble.from_arrays(arrays, "first_pass"),
            TreeEnsemble.from_arrays(arrays, "second_pass"),
            WordModel.from_arrays(arrays, "kind_words") if has_kinds else None,
            TreeEnsemble.from_arrays(arrays, "kind_trees") if has_kinds else None,
            WordModel.from_arrays(arrays, "content_words") if "content_words.coef" in arrays else None,
        )
        model.check()
        return model

    def check(self) -> None:
        """Raise ``ValueError`` unless each part reads the columns and gives the classes the
        prediction expects (a model file made by another feature set fails here, not per page)."""
        local, context = len(LOCAL_NAMES) + (self.content_words is not None), len(CONTEXT_NAMES)
        if self.content_words is not None and self.content_words.classes != ("0", "1"):
            raise ValueError(f"the content word model's classes are {self.content_words.classes}, expected ('0', '1')")
        for name, trees, width in (("first pass", self.first_pass, local),
                                   ("second pass", self.second_pass, local + context)):
            if trees is not None and (trees.n_features != width or trees.classes != ("0", "1")):
                raise ValueError(f"the {name} reads {trees.n_features} columns with classes {trees.classes}, "
                                 f"expected {width} and ('0', '1')")
        if self.kind_trees is not None and self.kind_words is not None:
            kinds = set(CONTENT_LABELS)
            if not set(self.kind_words.classes) <= kinds or not set(self.kind_trees.classes) <= kinds:
                raise ValueError("the kind head's classes are not content kinds")
            if self.kind_trees.n_features != KIND_CONTEXT_WIDTH:
                raise ValueError(f"the kind trees read {self.kind_trees.n_features} columns, expected {KIND_CONTEXT_WIDTH}")


def by_kind(classes: tuple[str, ...], proba: np.ndarray) -> np.ndarray:
    """Reorder probability columns to ``CONTENT_LABELS`` (absent kinds get 0)."""
    out = np.zeros((len(proba), len(CONTENT_LABELS)))
    for j, kind in enumerate(CONTENT_LABELS):
        if kind in classes:
            out[:, j] = proba[:, classes.index(kind)]
    return out


def combine(content: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """The five scores: ``P(boilerplate) = 1 - P(content)``, ``P(kind) = P(content) * P(kind | content)``."""
    out = np.empty((len(content), len(LABELS)))
    for j, label in enumerate(LABELS):
        if label == BOILERPLATE:
            out[:, j] = 1.0 - content
        else:
            out[:, j] = content * kinds[:, CONTENT_LABELS.index(label)]
    return out
