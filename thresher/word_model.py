"""The kind model's word model as arrays: TF-IDF over words and word pairs, then a
logistic regression, computed as scikit-learn's ``TfidfVectorizer`` and
``LogisticRegression`` do (``sublinear_tf``, l2 norm, softmax), without scikit-learn.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

from .tree_ensemble import expit_all

try:  # the term lookup in C, built with the package (an optional extension); Python's below otherwise
    from . import _terms
except ImportError:  # pragma: no cover - a build without a C compiler
    _terms = None

# TfidfVectorizer's default token pattern, on lowercased text
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
#: texts whose terms are listed at once: a page of 16,000 blocks holds a few hundred at a time in memory
TEXTS_PER_STEP = 512
#: the most terms and classes a model file's word model may hold (the shipped one: 20,000 and 4)
MAX_TERMS, MAX_CLASSES = 2_000_000, 64


LOG_COUNTS = 1 << 16  # term counts whose log the C scoring looks up (a text of 130,000 characters)


@functools.cache
def _log_counts() -> np.ndarray:
    """numpy's log of 1..LOG_COUNTS: the values transform() computes for term counts, looked up."""
    return np.log(np.arange(1, LOG_COUNTS + 1, dtype=np.float64))


@dataclass(frozen=True, eq=False)
class WordModel:
    """Words and word pairs weighted by TF-IDF, scored by a linear model per class, with the
    sums taken in scikit-learn's order (columns ascending), so the scores are its scores to the bit.

    Attributes
    ----------
    terms : the vocabulary, in column order (a word, or two words joined by a space).
    idf : per term, its inverse document frequency.
    coef : (classes or 1, terms) weights; one row means a binary model for ``classes[1]``.
    intercept : per row of ``coef``.
    classes : the class names, ``predict_proba``'s column order.
    """

    terms: tuple[str, ...]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    classes: tuple[str, ...]
    _index: dict[str, int] = field(init=False, repr=False)
    _table: object = field(init=False, repr=False, compare=False)
    _idf: np.ndarray = field(init=False, repr=False, compare=False)
    _coef: np.ndarray = field(init=False, repr=False, compare=False)
    _intercept: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {t: i for i, t in enumerate(self.terms)})
        # the C lookup's own table of the same terms: no str is made per word of a page
        object.__setattr__(self, "_table", _terms.compile_index(self._index) if _terms is not None else None)
        for name in ("idf", "coef", "intercept"):  # as the C scoring reads them
            object.__setattr__(self, f"_{name}", np.ascontiguousarray(getattr(self, name), dtype=np.float64))

    def __reduce__(self):
        # the lookup tables are rebuilt from the terms (a C table cannot be pickled)
        return type(self), (self.terms, self.idf, self.coef, self.intercept, self.classes)

    @classmethod
    def from_sklearn(cls, vectorizer, model) -> WordModel:
        """From a fitted ``TfidfVectorizer`` (word n-grams up to 2, as the kind model makes it)
        and the ``LogisticRegression`` fitted on its output."""
        params = vectorizer.get_params()
        expected = {"dtype": np.float64, "analyzer": "word", "lowercase": True, "ngram_range": (1, 2), "norm": "l2", "use_idf": True,
                    "sublinear_tf": True, "binary": False, "strip_accents": None, "stop_words": None,
                    "token_pattern": _TOKEN.pattern, "tokenizer": None, "preprocessor": None}
        differ = {k: params[k] for k, v in expected.items() if params[k] != v}
        if differ:
            raise ValueError(f"unsupported TfidfVectorizer settings: {differ}")
        # one row of weights means the logistic link; several, softmax (scikit-learn < 1.8 could also
        # fit one-vs-rest, or softmax over two classes: neither is what predict_proba here computes)
        multi_class = getattr(model, "multi_class", "auto")
        if multi_class == "ovr" or (multi_class == "multinomial" and len(model.classes_) == 2):
            raise ValueError(f"unsupported LogisticRegression multi_class={multi_class!r}")
        terms = [""] * len(vectorizer.vocabulary_)
        for term, i in vectorizer.vocabulary_.items():
            terms[i] = term
        return cls(tuple(terms), np.asarray(vectorizer.idf_, dtype=np.float64),
                   np.asarray(model.coef_, dtype=np.float64), np.asarray(model.intercept_, dtype=np.float64),
                   tuple(str(c) for c in model.classes_))

    def transform(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each text's terms as (row, column, TF-IDF weight) triples, rows l2-normalised, in row
        then column order (scikit-learn's sparse rows are in column order, and so its sums)."""
        parts = [self._transform_rows(texts[s:s + TEXTS_PER_STEP], s) for s in range(0, len(texts), TEXTS_PER_STEP)]
        if not parts:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0)
        return tuple(np.concatenate(arrays) for arrays in zip(*parts))  # type: ignore[return-value]

    def _transform_rows(self, texts: list[str], first_row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if _terms is not None:
            found_ids, found_counts = _terms.terms([text.lower() for text in texts], self._table)
            ids = np.frombuffer(found_ids, dtype=np.int64).astype(np.intp, copy=False)
            rows = np.repeat(np.arange(len(texts), dtype=np.intp), np.frombuffer(found_counts, dtype=np.int64))
        else:
            ids, rows = self._term_ids(texts)
        width = max(len(self.terms), 1)
        keys, counts = np.unique(rows * width + ids, return_counts=True)
        row, col = keys // width, keys % width
        weight = (1.0 + np.log(counts.astype(np.float64))) * self.idf[col]
        norms = np.sqrt(np.bincount(row, weights=weight**2, minlength=len(texts)))
        weight /= norms[row]
        return row + first_row, col, weight

    def _term_ids(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The columns of the words and word pairs of ``texts`` found in the vocabulary, and their rows."""
        get = self._index.get
        terms: list[str] = []
        lengths = []
        for text in texts:
            tokens = _TOKEN.findall(text.lower())
            before = len(terms)
            terms += tokens
            terms += map(" ".join, zip(tokens, tokens[1:]))
            lengths.append(len(terms) - before)
        # the lookups run in C: one map over the texts' terms
        ids = np.fromiter(map(get, terms, repeat(-1)), dtype=np.intp, count=len(terms))
        rows = np.repeat(np.arange(len(texts), dtype=np.intp), lengths)
        found = ids >= 0
        return ids[found], rows[found]

    def decision_function(self, texts: list[str], ends: list[str] | None = None) -> np.ndarray:
        """Decision values of ``texts``; with ``ends``, of each ``texts[i] + " " + ends[i]`` (the C
        lookup then reads each distinct end once: a page's blocks share their tag and class tokens)."""
        if self._table is not None and _terms is not None:
            # the same steps in C, each addition in the order below (tests/test_terms.py holds them equal)
            found = _terms.decide([text.lower() for text in texts], self._table, self._idf, self._coef,
                                  self._intercept, _log_counts(),
                                  *([[end.lower() for end in ends]] if ends is not None else []))
            if found is not None:
                return np.frombuffer(found, dtype=np.float64).reshape(len(texts), len(self.intercept)).copy()
        if ends is not None:
            texts = [f"{text} {end}" for text, end in zip(texts, ends, strict=True)]
        row, col, weight = self.transform(texts)
        out = np.empty((len(texts), len(self.intercept)))
        for c in range(len(self.intercept)):  # bincount adds in the triples' order, as scikit-learn's sums do
            out[:, c] = np.bincount(row, weights=self.coef[c, col] * weight, minlength=len(texts))
        return out + self.intercept

    def predict_proba(self, texts: list[str], ends: list[str] | None = None) -> np.ndarray:
        """Class probabilities, columns ``classes`` (``ends``: as :meth:`decision_function`)."""
        scores = self.decision_function(texts, ends)
        if len(self.classes) == 2:
            p = expit_all(scores[:, 0])
            return np.column_stack([1.0 - p, p])
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    # -- storage -------------------------------------------------------------------
    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            # one UTF-8 string, terms separated by newlines (a term never holds one): no per-term padding
            f"{prefix}.terms": np.frombuffer("\n".join(self.terms).encode("utf-8"), dtype=np.uint8),
            f"{prefix}.idf": self.idf, f"{prefix}.coef": self.coef, f"{prefix}.intercept": self.intercept,
            f"{prefix}.classes": np.array(self.classes, dtype=str),
        }

    @classmethod
    def from_arrays(cls, arrays, prefix: str) -> WordModel:
        """Rebuild from :meth:`to_arrays`' output, checking kinds and shapes before converting
        anything; raises ``ValueError``."""
        raw, idf, coef = arrays[f"{prefix}.terms"], arrays[f"{prefix}.idf"], arrays[f"{prefix}.coef"]
        intercept, classes = arrays[f"{prefix}.intercept"], arrays[f"{prefix}.classes"]
        if (raw.ndim != 1 or raw.dtype != np.uint8 or idf.ndim != 1 or coef.ndim != 2 or intercept.ndim != 1
                or classes.ndim != 1 or classes.dtype.kind != "U"
                or any(a.dtype.kind != "f" for a in (idf, coef, intercept))):
            raise ValueError(f"{prefix}: word model arrays of the wrong kind or shape")
        n_terms = int(np.count_nonzero(raw == 10)) + 1 if raw.size else 0
        rows = coef.shape[0]
        if (n_terms > MAX_TERMS or len(classes) > MAX_CLASSES or len(idf) != n_terms or coef.shape[1] != n_terms
                or len(intercept) != rows or len(classes) != (2 if rows == 1 else rows) or rows == 2):
            raise ValueError(f"{prefix}: word model arrays do not agree in shape")
        terms = tuple(raw.tobytes().decode("utf-8").split("\n")) if raw.size else ()
        model = cls(terms, idf.astype(np.float64), coef.astype(np.float64), intercept.astype(np.float64),
                    tuple(str(c) for c in classes.tolist()))
        if len(model._index) != len(terms):
            raise ValueError(f"{prefix}: a term is listed twice")
        return model
