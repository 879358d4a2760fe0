"""The tokens of many spaCy docs as one numpy table, with spaCy's sentence split.

``chunk_tokenizer.ChunkTokenizer`` makes the table from remembered chunks; ``TokenTable.from_docs``
from spaCy's docs, its reference.

``Doc.to_array`` copies a doc's token attributes in one C loop. Reading them from
``Token`` objects costs a Python object per token and per pass, which made the
tokenized features the costliest step of a page; so did spaCy's ``Sentencizer``,
which walks ``Token`` objects too. ``TokenTable.sentence_starts`` applies the
sentencizer's rule to the table instead.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

# Doc.to_array columns, read once per doc
COLUMNS = ("IS_SPACE", "IS_PUNCT", "IS_QUOTE", "LIKE_NUM", "IDX", "LENGTH", "LOWER")


def member(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``np.isin(values, keys)`` for sorted ``keys`` of ``values``' dtype, by binary search: a page's
    calls are on a few hundred tokens, where ``isin``'s own sorting costs more than the test.

    Examples
    --------
    >>> member(np.array([3, 1, 7], dtype=np.uint32), np.array([1, 2, 3], dtype=np.uint32)).tolist()
    [True, True, False]
    """
    if keys.dtype != values.dtype:  # searchsorted across int kinds could compare as floats
        raise TypeError(f"keys of {keys.dtype} for values of {values.dtype}")
    if not len(keys):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(keys, values)
    return keys[np.minimum(at, len(keys) - 1)] == values


def running_totals(values) -> np.ndarray:
    """Cumulative sums with a leading 0: ``out[j] - out[i]`` sums ``values[i:j]``.

    Examples
    --------
    >>> running_totals([True, False, True]).tolist()
    [0, 1, 1, 2]
    """
    out = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=out[1:])
    return out


@dataclass(frozen=True, slots=True)
class TokenTable:
    """One row per token of ``docs``, doc after doc.

    Attributes
    ----------
    texts : each doc's text.
    bounds : doc ``d``'s tokens are rows ``bounds[d]:bounds[d + 1]``.
    doc_of : each token's doc.
    start, length : each token's place in its doc's text, in characters.
    first : the code point of each token's first character.
    lower : the string-store hash of each token's lower-case form.
    space, punct, quote, like_num : spaCy's lexical flags (``Token.is_space``...).
    """

    texts: list[str]
    bounds: np.ndarray
    doc_of: np.ndarray
    start: np.ndarray
    length: np.ndarray
    first: np.ndarray
    lower: np.ndarray
    space: np.ndarray
    punct: np.ndarray
    quote: np.ndarray
    like_num: np.ndarray

    @classmethod
    def from_docs(cls, docs: list, texts: list[str]) -> TokenTable:
        """The table of ``docs``, the tokenized ``texts`` (``doc.text == text``)."""
        arrays = [doc.to_array(COLUMNS) for doc in docs]
        table = np.concatenate(arrays) if arrays else np.zeros((0, len(COLUMNS)), dtype=np.uint64)
        space, punct, quote, like_num, start, length, lower = table.T
        bounds = running_totals([len(a) for a in arrays])
        doc_of = np.repeat(np.arange(len(docs)), np.diff(bounds))
        start = start.astype(np.int64)
        # code points of the joined texts, to read each token's first character
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
        first = codes[running_totals([len(t) for t in texts])[doc_of] + start]
        return cls(texts, bounds, doc_of, start, length.astype(np.int64), first, lower,
                   space == 1, punct == 1, quote == 1, like_num == 1)

    def __len__(self) -> int:
        return len(self.doc_of)

    def text(self, p: int) -> str:
        """The text of token ``p``."""
        return self.texts[self.doc_of[p]][self.start[p]: self.start[p] + self.length[p]]

    def per_doc(self, values: np.ndarray) -> list[int]:
        """Sums of ``values`` (one per token) over each doc."""
        totals = running_totals(values)
        return (totals[self.bounds[1:]] - totals[self.bounds[:-1]]).tolist()

    def lower_in(self, words: frozenset[str]) -> np.ndarray:
        """Tokens whose lower-case form is one of ``words``: the hash matches, and the token's text
        confirms it (a 64-bit collision is unlikely, not impossible; a lexeme's ``lower`` is its
        text's ``str.lower``)."""
        found = member(self.lower, string_hashes(words))
        for p in np.flatnonzero(found).tolist():
            if self.text(p).lower() not in words:
                found[p] = False
        return found

    def sentence_starts(self) -> np.ndarray:
        """Rows of the tokens that open a sentence, as spaCy's ``Sentencizer`` splits a doc.

        Its rule: a doc's first token opens a sentence, and so does a "plain" token (neither
        punctuation nor a mark such as ``.``, ``!``, ``?``) after a mark, however much
        punctuation stands between. No mark is pending after a plain token, so a plain token
        opens a sentence exactly when a mark stands between it and the previous plain token
        of its doc.
        """
        mark = (self.length == 1) & member(self.first, sentence_marks())
        plain = np.flatnonzero(~(self.punct | mark))
        since = np.maximum(np.concatenate([[0], plain[:-1] + 1]), self.bounds[self.doc_of[plain]])
        marks = running_totals(mark)
        opens = plain[marks[plain] > marks[since]]
        return np.union1d(self.bounds[:-1][np.diff(self.bounds) > 0], opens)


@functools.cache
def string_hashes(words: frozenset[str]) -> np.ndarray:
    """The sorted string-store hashes of ``words`` (what a token's ``lower`` holds)."""
    from spacy.strings import get_string_id

    return np.array(sorted(get_string_id(w) for w in words), dtype=np.uint64)


@functools.cache
def sentence_marks() -> np.ndarray:
    """Code points of the characters that end a sentence for spaCy's ``Sentencizer``."""
    from spacy.pipeline import Sentencizer

    marks = Sentencizer.default_punct_chars
    if any(len(m) != 1 for m in marks):  # sentence_starts compares single code points
        raise RuntimeError("this spaCy's sentencizer has marks of several characters: update TokenTable")
    return np.array(sorted(ord(m) for m in marks), dtype=np.uint32)
