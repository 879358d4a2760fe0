"""What-kind-of-paragraph features (quote, case record, statistic, narrative).

Tokens and sentences come from spaCy's blank English pipeline (tokenizer and
sentencizer: no model download). Each row is a fixed list of named counts and
shares, next to the block's words, which the model weighs by TF-IDF.
"""

from __future__ import annotations

import math
import re
import threading

import numpy as np

from .blocks import Block

TYPE_FEATURE_SET = "type_features.v1"
_LEGAL = frozenset(
    """sentenced sentence sentencing convicted conviction pleaded plead plea guilty charged charges
    charge indicted indictment arrested arrest arraigned arraignment prison jail probation parole
    bail court judge jury verdict defendant defendants custody removal deported detainer felony
    misdemeanor counts count trial acquitted dismissed faces faced booked warrant prosecuted
    extradited murder manslaughter robbery burglary assault fraud""".split()
)
_ATTRIBUTION = frozenset("said says stated added told explained noted according wrote remarked asked declared".split())
_AGE = re.compile(r",\s\d{1,2},|\b\d{1,2}-year-old\b")
_CASE_NUMBER = re.compile(r"\b(?:case|docket)\s*(?:no\.?|number|#)|\b\d{2}[A-Z]{1,3}\d{3,}\b", re.I)
_PERCENT = re.compile(r"\d\s?%|\bpercent\b|\bper cent\b", re.I)
_MONEY = re.compile(r"[$€£]\s?\d|\b\d[\d,.]*\s?(?:million|billion|thousand)\b", re.I)
_BIG = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d{4,}\b")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_OPEN_QUOTES = "“\"«„"
_CLOSE_QUOTES = "”\"»“"

TYPE_NAMES: tuple[str, ...] = (
    "log_tokens", "sentences", "quote_token_share", "starts_quote", "ends_quote", "quote_marks",
    "attribution", "number_share", "numbers", "percents", "money", "big_numbers", "years",
    "ages", "case_numbers", "legal_words", "legal_share", "titlecase_share", "is_title",
    "is_heading", "is_list_item", "relative_index",
)

_local = threading.local()


def blank_english():
    """One spaCy blank English pipeline with a sentencizer per thread (created on first use)."""
    nlp = getattr(_local, "nlp", None)
    if nlp is None:
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        _local.nlp = nlp
    return nlp


def _quote_share(tokens) -> float:
    """Share of word tokens that stand between quotation marks."""
    inside = False
    quoted = words = 0
    for token in tokens:
        if token.is_quote or token.text in _OPEN_QUOTES or token.text in _CLOSE_QUOTES:
            if token.text in "“«„":
                inside = True
            elif token.text in "”»":
                inside = False
            else:  # a straight quote toggles
                inside = not inside
            continue
        if token.is_punct or token.is_space:
            continue
        words += 1
        quoted += inside
    return quoted / words if words else 0.0


def type_features(blocks: list[Block], indices: list[int], n_blocks: int) -> np.ndarray:
    """Rows of ``TYPE_NAMES`` for ``blocks`` (their page positions in ``indices``)."""
    nlp = blank_english()
    rows = np.zeros((len(blocks), len(TYPE_NAMES)))
    texts = [b.text[:5000] for b in blocks]  # features saturate long before this
    for k, (block, doc) in enumerate(zip(blocks, nlp.pipe(texts, batch_size=64))):
        text = block.text
        tokens = [t for t in doc if not t.is_space]
        words = [t for t in tokens if not t.is_punct]
        n = len(words) or 1
        lower = [t.lower_ for t in words]
        legal = sum(1 for w in lower if w in _LEGAL)
        numbers = sum(1 for t in words if t.like_num and any(c.isdigit() for c in t.text))
        stripped = text.strip()
        rows[k] = (
            math.log1p(len(words)),
            sum(1 for _ in doc.sents),
            _quote_share(tokens),
            float(stripped[:1] in _OPEN_QUOTES or stripped[:1] == "'"),
            float(stripped[-1:] in _CLOSE_QUOTES or stripped[-2:-1] in _CLOSE_QUOTES),
            sum(1 for ch in text if ch in "“”\""),
            float(any(w in _ATTRIBUTION for w in lower)),
            numbers / n,
            numbers,
            len(_PERCENT.findall(text)),
            len(_MONEY.findall(text)),
            len(_BIG.findall(text)),
            len(_YEAR.findall(text)),
            len(_AGE.findall(text)),
            len(_CASE_NUMBER.findall(text)),
            legal,
            legal / n,
            sum(1 for t in words if t.text[:1].isupper()) / n,
            float(block.is_title),
            float(block.tag in ("h1", "h2", "h3", "h4", "h5", "h6")),
            float(block.tag == "li"),
            indices[k] / max(n_blocks - 1, 1),
        )
    return rows
