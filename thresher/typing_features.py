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
from .features import MAX_ANALYSED_CHARS

TYPE_FEATURE_SET = "type_features.v4"
_LEGAL = frozenset(
    """sentenced sentence sentencing convicted conviction pleaded plead plea guilty charged charges
    charge indicted indictment arrested arrest arraigned arraignment prison jail probation parole
    bail court judge jury verdict defendant defendants custody removal deported detainer felony
    misdemeanor counts count trial acquitted dismissed faces faced booked warrant prosecuted
    extradited murder manslaughter robbery burglary assault fraud
    sentenciado sentenciada culpable prisión acusado acusada condenado condenada cargos arrestado arrestada""".split()
)
# Words of aggregate reporting (the guideline's "counts, percentages, rates, totals ... about a
# population, a programme or a period"): what separates a statistic from narrative with a number.
_AGGREGATE = frozenset(
    """average averages median total totals totaled percent percentage rate rates per increase increased
    decrease decreased rose fell declined grew drop dropped majority share survey surveyed respondents
    data statistics annual annually fiscal nationally nationwide compared overall estimated approximately
    nearly roughly million billion thousand""".split()
)
# "Name Surname, 28," / "Name Surname, 28 years old": a described person, the head of a case record.
_NAMED_AGE = re.compile(r"\b[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3},?\s+(?:(?:age|aged|de)\s+)?\d{1,2}(?:,|\s+(?:years?|años))")
_LEGAL_PHRASE = re.compile(
    r"\b(?:counts? of|(?:years?|months?|days?) (?:in|of) (?:state |federal |county )?(?:prison|jail)|"
    r"(?:pleaded|pled) (?:guilty|no contest|not guilty)|faces? (?:a maximum|up to)|sentenced to|held on|"
    r"bail (?:was )?set|(?:was|were) (?:arrested|charged|convicted|sentenced|indicted|arraigned))\b",
    re.I,
)

_ATTRIBUTION = frozenset("said says stated added told explained noted according wrote remarked asked declared".split())
_AGE = re.compile(r",\s\d{1,2},|\b\d{1,2}-year-old\b")
_CASE_NUMBER = re.compile(r"\b(?:case|docket)\s*(?:no\.?|number|#)|\b\d{2}[A-Z]{1,3}\d{3,}\b", re.I)
_PERCENT = re.compile(r"\d\s?%|\bpercent\b|\bper cent\b", re.I)
_MONEY = re.compile(r"[$€£]\s?\d|\b\d[\d,.]*\s?(?:million|billion|thousand)\b", re.I)
_BIG = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d{4,}\b")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_FIGURE = re.compile(r"\d\s?%|\bpercent\b|[$€£]\s?\d|\b\d{1,3}(?:,\d{3})+\b|\b\d+(?:\.\d+)?\s?(?:million|billion)\b|"
                     r"\b(?!(?:19|20)\d{2}\b)\d{2,}\b", re.I)
# Dates, ages, times and durations (a prison term) are not figures (the guideline's rule 4): masked before counting figures.
_NOT_FIGURE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s*\d{4})?"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b\d{1,3}-year-old\b|,\s\d{1,2},|\b\d{1,3}\s+(?:years?|months?|weeks?|days?|hours?)\b|\b\d{1,2}:\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    re.I,
)
_OPEN_QUOTES = "“\"«„"
_CLOSE_QUOTES = "”\"»“"

TYPE_NAMES: tuple[str, ...] = (
    "log_tokens", "sentences", "quote_token_share", "starts_quote", "ends_quote", "quote_marks",
    "attribution", "number_share", "numbers", "percents", "money", "big_numbers", "years",
    "ages", "case_numbers", "legal_words", "legal_share", "titlecase_share", "is_title",
    "is_heading", "is_list_item", "relative_index", "in_table",
    "figure_sentence_words", "legal_sentence_words", "figures_per_sentence",
    "figures", "aggregate_words", "aggregate_share", "named_ages", "legal_phrases",
)

# Neighbour columns: what the previous and next content blocks look like (a table's cells,
# a quote broken over lines, a run of defendants' records).
NEIGHBOUR_COLUMNS = (
    "quote_token_share", "number_share", "numbers", "legal_share", "log_tokens", "is_list_item", "figure_sentence_words",
    "legal_sentence_words",
)
_NEIGHBOUR_INDEX = [TYPE_NAMES.index(c) for c in NEIGHBOUR_COLUMNS]

# A block's kind is read on its first 1,500 characters: the shares settle long before, and the
# tokenizer is the costliest step of a page.
MAX_KIND_CHARS = 1500

_local = threading.local()


MAX_VOCAB = 500_000  # spaCy keeps every word it meets: a fresh pipeline keeps long runs' memory flat


def blank_english():
    """One spaCy blank English pipeline with a sentencizer per thread (created on first use)."""
    nlp = getattr(_local, "nlp", None)
    if nlp is None or len(nlp.vocab) > MAX_VOCAB:
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


def _sentence_shares(doc) -> tuple[float, float, float]:
    """Which kind holds most of the words (the guideline's test for mixed paragraphs):
    the share of words in sentences that state a figure, or a justice-system act, and
    the figures per sentence. Dates, ages and years do not count as figures."""
    words = figure_words = legal_words = figures = sentences = 0
    for sentence in doc.sents:
        n = sum(1 for t in sentence if not (t.is_punct or t.is_space))
        found = len(_FIGURE.findall(_NOT_FIGURE.sub(" ", sentence.text)))
        words += n
        sentences += 1
        figures += found
        figure_words += n if found else 0
        legal_words += n if any(t.lower_ in _LEGAL for t in sentence) else 0
    if not words:
        return 0.0, 0.0, 0.0
    return figure_words / words, legal_words / words, figures / sentences


def type_features(blocks: list[Block], indices: list[int], n_blocks: int) -> np.ndarray:
    """Rows of ``TYPE_NAMES`` for ``blocks`` (their page positions in ``indices``)."""
    nlp = blank_english()
    rows = np.zeros((len(blocks), len(TYPE_NAMES)))
    texts = [b.text[:MAX_KIND_CHARS] for b in blocks]
    for k, (block, doc) in enumerate(zip(blocks, nlp.pipe(texts, batch_size=64))):
        text = block.text[:MAX_ANALYSED_CHARS]
        tokens = [t for t in doc if not t.is_space]
        words = [t for t in tokens if not t.is_punct]
        n = len(words) or 1
        lower = [t.lower_ for t in words]
        legal = sum(1 for w in lower if w in _LEGAL)
        numbers = sum(1 for t in words if t.like_num and any(c.isdigit() for c in t.text))
        stripped = text.strip()
        figure_words, legal_words, figures = _sentence_shares(doc)
        sample = texts[k]
        aggregate = sum(1 for w in lower if w in _AGGREGATE)
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
            float(block.tag in ("td", "th") or "/table" in f"/{block.dom_path}"),
            figure_words,
            legal_words,
            figures,
            len(_FIGURE.findall(_NOT_FIGURE.sub(" ", sample))),
            aggregate,
            aggregate / n,
            len(_NAMED_AGE.findall(sample)),
            len(_LEGAL_PHRASE.findall(sample)),
        )
    return rows


def kind_context(rows: np.ndarray, word_proba: np.ndarray) -> np.ndarray:
    """A block's own rows and word-model probabilities, beside its content neighbours'.

    ``rows`` and ``word_proba`` are in page order over the page's content blocks.
    """
    n = len(rows)
    own = rows[:, _NEIGHBOUR_INDEX]
    pad_rows = np.full((1, own.shape[1]), -1.0)
    pad_proba = np.zeros((1, word_proba.shape[1]))
    before = np.vstack([pad_rows, own[:-1]]) if n else own
    after = np.vstack([own[1:], pad_rows]) if n else own
    proba_before = np.vstack([pad_proba, word_proba[:-1]]) if n else word_proba
    proba_after = np.vstack([word_proba[1:], pad_proba]) if n else word_proba
    return np.hstack([rows, word_proba, before, after, proba_before, proba_after])

