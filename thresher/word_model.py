"""The kind model's word model as arrays: TF-IDF over words and word pairs, then a
logistic regression, computed as scikit-learn's ``TfidfVectorizer`` and
``LogisticRegression`` do (``sublinear_tf``, l2 norm, softmax), without scikit-learn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

# TfidfVectorizer's default token pattern, on lowercased text
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True, eq=False)
class WordModel:
    """Words and word pairs weighted by TF-IDF, scored by a linear model per class.

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
    _coef_by_term: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {t: i for i, t in enumerate(self.terms)})
        # a term's weights side by side: one row gather per term found in a block
        object.__setattr__(self, "_coef_by_term", np.ascontiguousarray(self.coef.T))

    @classmethod
    def from_sklearn(cls, vectorizer, model) -> WordModel:
        """From a fitted ``TfidfVectorizer`` (word n-grams up to 2, as the kind model makes it)
        and the ``LogisticRegression`` fitted on its output."""
        params = vectorizer.get_params()
        expected = {"analyzer": "word", "lowercase": True, "ngram_range": (1, 2), "norm": "l2", "use_idf": True,
                    "sublinear_tf": True, "binary": False, "strip_accents": None, "stop_words": None,
                    "token_pattern": _TOKEN.pattern, "tokenizer": None, "preprocessor": None}
        differ = {k: params[k] for k, v in expected.items() if params[k] != v}
        if differ:
            raise ValueError(f"unsupported TfidfVectorizer settings: {differ}")
        terms = [""] * len(vectorizer.vocabulary_)
        for term, i in vectorizer.vocabulary_.items():
            terms[i] = term
        return cls(tuple(terms), np.asarray(vectorizer.idf_, dtype=np.float64),
                   np.asarray(model.coef_, dtype=np.float64), np.asarray(model.intercept_, dtype=np.float64),
                   tuple(str(c) for c in model.classes_))

    def transform(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each text's terms as (row, column, TF-IDF weight) triples, rows l2-normalised."""
        rows, cols, counts = [], [], []
        index = self._index
        for r, text in enumerate(texts):
            tokens = _TOKEN.findall(text.lower())
            found: dict[int, int] = {}
            for term in (*tokens, *(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))):
                j = index.get(term)
                if j is not None:
                    found[j] = found.get(j, 0) + 1
            rows += [r] * len(found)
            cols += found.keys()
            counts += found.values()
        row, col = np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)
        weight = (1.0 + np.log(np.array(counts, dtype=np.float64))) * self.idf[col]
        norms = np.sqrt(np.bincount(row, weights=weight**2, minlength=len(texts)))
        weight /= norms[row]
        return row, col, weight

    def decision_function(self, texts: list[str]) -> np.ndarray:
        row, col, weight = self.transform(texts)
        out = np.zeros((len(texts), len(self.intercept)))
        np.add.at(out, row, self._coef_by_term[col] * weight[:, None])
        return out + self.intercept

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Class probabilities, columns ``classes``."""
        scores = self.decision_function(texts)
        if len(self.classes) == 2:
            p = 1.0 / (1.0 + np.exp(-scores[:, 0]))
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
        """Rebuild from :meth:`to_arrays`' output, checking that the shapes agree."""
        raw = arrays[f"{prefix}.terms"]
        terms = tuple(raw.astype(np.uint8).tobytes().decode("utf-8").split("\n")) if raw.size else ()
        model = cls(terms, arrays[f"{prefix}.idf"].astype(np.float64), arrays[f"{prefix}.coef"].astype(np.float64),
                    arrays[f"{prefix}.intercept"].astype(np.float64).ravel(),
                    tuple(str(c) for c in arrays[f"{prefix}.classes"].tolist()))
        rows = model.coef.shape[0] if model.coef.ndim == 2 else -1
        if (model.coef.ndim != 2 or model.coef.shape[1] != len(terms) or len(model.idf) != len(terms)
                or len(model.intercept) != rows or len(model.classes) != max(rows, 2) or len(model._index) != len(terms)):
            raise ValueError("word model arrays do not agree in shape")
        return model
