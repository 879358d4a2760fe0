"""What-kind-of-paragraph features (quote, case record, statistic, narrative).

Tokens come from spaCy's blank English tokenizer (no model download), read as one
table per chunk of blocks (``TokenTable``, made by ``ChunkTokenizer``), which also splits
sentences as spaCy's sentencizer does. Each row is a fixed list of named counts and shares, next to the
block's words, which the model weighs by TF-IDF.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from typing import NamedTuple

import numpy as np

from .blocks import Block
from .chunk_seed import read_seed
from .chunk_tokenizer import ChunkTokenizer
from .features import MAX_ANALYSED_CHARS
from .labels import CONTENT_LABELS
from .token_table import COLUMNS as TABLE_COLUMNS
from .token_table import TokenTable, member, running_totals, sentence_marks, string_hashes

try:
    from . import _kindcounts
except ImportError:  # pragma: no cover - a build without a C compiler
    _kindcounts = None

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
# A leading (?=[...]) names the characters a pattern's alternatives start with (checked over every code
# point under re.I): the same matches, but the engine skips other positions at once, 2-4x faster on prose.
_LEGAL_PHRASE = re.compile(
    r"\b(?=[bcdfhmpswy])(?:counts? of|(?:years?|months?|days?) (?:in|of) (?:state |federal |county )?(?:prison|jail)|"
    r"(?:pleaded|pled) (?:guilty|no contest|not guilty)|faces? (?:a maximum|up to)|sentenced to|held on|"
    r"bail (?:was )?set|(?:was|were) (?:arrested|charged|convicted|sentenced|indicted|arraigned))\b",
    re.I,
)

_ATTRIBUTION = frozenset("said says stated added told explained noted according wrote remarked asked declared".split())
_AGE = re.compile(r",\s\d{1,2},|\b\d{1,2}-year-old\b")
_CASE_NUMBER = re.compile(r"\b(?=[cd\d])(?:(?:case|docket)\s*(?:no\.?|number|#)|\d{2}[A-Z]{1,3}\d{3,}\b)", re.I)
_PERCENT = re.compile(r"(?=[\dp])(?:\d\s?%|\bpercent\b|\bper cent\b)", re.I)
_MONEY = re.compile(r"(?=[$€£\d])(?:[$€£]\s?\d|\b\d[\d,.]*\s?(?:million|billion|thousand)\b)", re.I)
_BIG = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d{4,}\b")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_FIGURE = re.compile(r"(?=[\d$€£p])(?:\d\s?%|\bpercent\b|[$€£]\s?\d|\b\d{1,3}(?:,\d{3})+\b|\b\d+(?:\.\d+)?\s?(?:million|billion)\b|"
                     r"\b(?!(?:19|20)\d{2}\b)\d{2,}\b)", re.I)
# Dates, ages, times and durations (a prison term) are not figures (the guideline's rule 4): masked before counting figures.
_NOT_FIGURE = re.compile(
    r"(?=[adfjmnos\d,])(?:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s*\d{4})?"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b\d{1,3}-year-old\b|,\s\d{1,2},|\b\d{1,3}\s+(?:years?|months?|weeks?|days?|hours?)\b|\b\d{1,2}:\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b)",
    re.I,
)
_OPEN_QUOTES = "“\"«„"
_CLOSE_QUOTES = "”\"»“"
# between quotation marks: one of these opens, one of these closes, any other toggles
_OPENING = "“«„"
_CLOSING = "”»"

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
#: the columns counted by regexes over a block's text (``_type_row``), not from its tokens: none is a
#: neighbour column, so a row only its neighbours read need not count them
SCANNED_COLUMNS = ("percents", "money", "big_numbers", "years", "ages", "case_numbers", "figures", "named_ages",
                   "legal_phrases")
#: columns of ``kind_context``: a block's rows and its kind scores, its neighbours' chosen rows
#: and their kind scores
KIND_CONTEXT_WIDTH = len(TYPE_NAMES) + len(CONTENT_LABELS) + 2 * (len(NEIGHBOUR_COLUMNS) + len(CONTENT_LABELS))

# A block's kind is read on its first 1,500 characters: the shares settle long before, and the
# tokenizer is the costliest step of a page.
MAX_KIND_CHARS = 1500

_local = threading.local()


# spaCy keeps every word it meets: a fresh tokenizer past either keeps long runs' memory flat (a
# hostile stream of unique blobs grows it by about 28 bytes a character)
MAX_VOCAB = 500_000
MAX_LEARNED_CHARS = 2_000_000


def english_tokenizer():
    """A new spaCy blank English tokenizer: ``spacy.blank("en").tokenizer``, built as spaCy's factory
    builds it without the pipeline around it (its registry and config cost a process 0.1 s). Its
    vocabulary computes only the lexical attributes the token table reads."""
    from spacy import attrs
    from spacy.lang.en import English
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
    from spacy.vocab import create_vocab

    defaults = English.Defaults
    vocab = create_vocab(English.lang, defaults)
    # a word first met costs one call per lexical attribute (shape, prefix, norm...): keep only
    # those the token table reads; the tokenizer reads none of them
    kept = {attrs.IDS[name] for name in TABLE_COLUMNS if name in attrs.IDS}
    vocab.lex_attr_getters = {k: f for k, f in vocab.lex_attr_getters.items() if k in kept}
    return Tokenizer(vocab, rules=defaults.tokenizer_exceptions,
                     prefix_search=compile_prefix_regex(defaults.prefixes).search,
                     suffix_search=compile_suffix_regex(defaults.suffixes).search,
                     infix_finditer=compile_infix_regex(defaults.infixes).finditer,
                     token_match=defaults.token_match, url_match=defaults.url_match)


def english_tokens() -> ChunkTokenizer:
    """The thread's tokenizer of many texts into one ``TokenTable`` (created on first use, and
    again when its vocabulary passes ``MAX_VOCAB`` words or ``MAX_LEARNED_CHARS`` characters),
    knowing the shipped seed's chunks when it was made with this spaCy."""
    tokens = getattr(_local, "tokens", None)
    if tokens is None or len(tokens.tokenizer.vocab) > MAX_VOCAB or tokens.learned_chars > MAX_LEARNED_CHARS:
        tokenizer = english_tokenizer()
        tokens = _local.tokens = ChunkTokenizer(tokenizer, seed=read_seed(tokenizer))
    return tokens


CHUNK_DOCS = 256  # texts read as one token table: numpy's cost per call is paid per chunk, not per block
# Every _FIGURE, _PERCENT, _MONEY, _BIG, _YEAR, _AGE and _NAMED_AGE match holds a digit or
# "per(ce)nt" under the same flags (so the same case folding): a text without one has none of them.
_FIGURE_HINT = re.compile(r"\d|per ?cent", re.I)
_QUOTE_CODES = np.array(sorted({ord(c) for c in _OPEN_QUOTES + _CLOSE_QUOTES}), dtype=np.uint32)
_QUOTE_CODES64 = _QUOTE_CODES.astype(np.uint64)  # as _kindcounts reads code points


@functools.cache
def _sentence_marks64() -> np.ndarray:
    return sentence_marks().astype(np.uint64)


class _Counts(NamedTuple):
    """What a row reads from a block's tokens and sentences (``_token_counts``)."""

    words: int
    numbers: int
    legal: int
    aggregate: int
    attribution: int
    titlecase: int
    quoted: int
    quote_words: int
    sentences: int
    figure_words: int
    legal_words: int
    figures: int


def type_features(blocks: list[Block], indices: list[int], n_blocks: int, *, scanned: list[bool] | None = None
                  ) -> np.ndarray:
    """Rows of ``TYPE_NAMES`` for ``blocks`` (their page positions in ``indices``).

    ``scanned`` (default: every block) says which blocks' rows are whole: a row that only its
    neighbours read (``kind_context`` reads ``NEIGHBOUR_COLUMNS`` of them) has its ``SCANNED_COLUMNS``,
    counted by regexes, left 0.
    """
    tokenizer = english_tokens()
    texts = [b.text[:MAX_ANALYSED_CHARS] for b in blocks]
    samples = [b.text[:MAX_KIND_CHARS] for b in blocks]  # what is tokenized; each starts its text
    hinted = [_FIGURE_HINT.search(t) is not None for t in texts]
    counts: list[_Counts] = []
    for first in range(0, len(blocks), CHUNK_DOCS):
        chunk = slice(first, first + CHUNK_DOCS)
        counts += _token_counts(tokenizer.table(samples[chunk]), hinted[chunk])
    last = max(n_blocks - 1, 1)
    scan = [True] * len(blocks) if scanned is None else scanned
    rows = [_type_row(*args, index / last) for *args, index in zip(blocks, texts, samples, hinted, counts, scan, indices)]
    return np.array(rows, dtype=np.float64).reshape(len(blocks), len(TYPE_NAMES))


def _type_row(block: Block, text: str, sample: str, hinted: bool, c: _Counts, scan: bool,
              relative_index: float) -> tuple[float, ...]:
    """One row of ``TYPE_NAMES``: ``text`` is the block's analysed text, ``sample`` its tokenized
    start, ``hinted`` whether ``text`` may hold figures, ``c`` its token counts; ``scan`` False
    leaves the ``SCANNED_COLUMNS`` 0."""
    stripped = text.strip()
    figures = hinted and scan
    words = c.words
    n = words or 1
    return (
        math.log1p(words),
        c.sentences,
        c.quoted / c.quote_words if c.quote_words else 0.0,
        float(stripped[:1] in _OPEN_QUOTES or stripped[:1] == "'"),
        float(stripped[-1:] in _CLOSE_QUOTES or stripped[-2:-1] in _CLOSE_QUOTES),
        text.count("“") + text.count("”") + text.count('"'),
        float(c.attribution > 0),
        c.numbers / n,
        c.numbers,
        len(_PERCENT.findall(text)) if figures else 0,
        len(_MONEY.findall(text)) if figures else 0,
        len(_BIG.findall(text)) if figures else 0,
        len(_YEAR.findall(text)) if figures else 0,
        len(_AGE.findall(text)) if figures else 0,
        len(_CASE_NUMBER.findall(text)) if scan else 0,
        c.legal,
        c.legal / n,
        c.titlecase / n,
        float(block.is_title),
        float(block.tag in ("h1", "h2", "h3", "h4", "h5", "h6")),
        float(block.tag == "li"),
        relative_index,
        float(block.tag in ("td", "th") or "/table" in f"/{block.dom_path}"),
        # which kind holds most of the words (the guideline's test for mixed paragraphs): the share
        # of words in sentences that state a figure, or a justice-system act; figures per sentence
        c.figure_words / words if words else 0.0,
        c.legal_words / words if words else 0.0,
        c.figures / c.sentences if words else 0.0,
        _figures(sample) if figures else 0,
        c.aggregate,
        c.aggregate / n,
        len(_NAMED_AGE.findall(sample)) if figures else 0,
        len(_LEGAL_PHRASE.findall(sample)) if scan else 0,
    )


def _figures(text: str) -> int:
    """Figures stated in ``text``; dates, ages and durations do not count."""
    return len(_FIGURE.findall(_NOT_FIGURE.sub(" ", text)))


def _token_counts(tokens: TokenTable, hinted: list[bool]) -> list[_Counts]:
    """What a row reads from each doc's tokens and sentences: ``_kindcounts.token_counts``'s one pass
    over the table, the figures of hinted sentences read by the regexes (``_token_counts_numpy``
    without the C extension, its reference)."""
    if _kindcounts is None:
        return _token_counts_numpy(tokens, hinted)
    columns = (tokens.bounds, tokens.start, tokens.length, tokens.first, tokens.lower, tokens.space, tokens.punct,
               tokens.quote, tokens.like_num)
    counts, sentences = _kindcounts.token_counts(
        tokens.texts, *map(np.ascontiguousarray, columns),  # from_docs' columns are views of one array
        tuple((string_hashes(words), words) for words in (_LEGAL, _AGGREGATE, _ATTRIBUTION)),
        _sentence_marks64(), _QUOTE_CODES64, (_OPEN_QUOTES, _CLOSE_QUOTES, _OPENING, _CLOSING))
    figure_words = [0] * len(tokens.texts)
    figures = [0] * len(tokens.texts)
    if any(hinted):
        for d, a, b, words in np.frombuffer(sentences, dtype=np.int64).reshape(-1, 4).tolist():
            if hinted[d] and _FIGURE_HINT.search(tokens.texts[d], a, b):
                found = _figures(tokens.texts[d][a:b])
                figures[d] += found
                figure_words[d] += words if found else 0
    # the C rows' columns: _Counts' fields but figure_words and figures
    rows = np.frombuffer(counts, dtype=np.int64).reshape(-1, 10).tolist()
    return [_Counts(*row[:9], fw, row[9], f) for row, fw, f in zip(rows, figure_words, figures)]


def _token_counts_numpy(tokens: TokenTable, hinted: list[bool]) -> list[_Counts]:
    """``_token_counts`` in numpy, the C pass's reference.

    Words are the tokens that are neither space nor punctuation; ``hinted`` says which docs
    may hold a figure.
    """
    word = ~(tokens.space | tokens.punct)
    numeric = word & tokens.like_num
    for p in np.flatnonzero(numeric).tolist():
        numeric[p] = any(ch.isdigit() for ch in tokens.text(p))
    upper = [code for code in np.unique(tokens.first[word]).tolist() if chr(code).isupper()]
    quote = _quote_marks(tokens)
    legal = tokens.lower_in(_LEGAL)
    counts = {
        "words": tokens.per_doc(word),
        "numbers": tokens.per_doc(numeric),
        "legal": tokens.per_doc(word & legal),
        "aggregate": tokens.per_doc(word & tokens.lower_in(_AGGREGATE)),
        "attribution": tokens.per_doc(word & tokens.lower_in(_ATTRIBUTION)),
        "titlecase": tokens.per_doc(word & member(tokens.first, np.array(upper, dtype=tokens.first.dtype))),
        "quoted": _quoted_words(tokens, quote, word & ~quote),
        "quote_words": tokens.per_doc(word & ~quote),
        **_sentence_counts(tokens, word, legal, hinted),
    }
    return list(map(_Counts._make, zip(*(counts[name] for name in _Counts._fields))))


def _quote_marks(tokens: TokenTable) -> np.ndarray:
    """Quotation-mark tokens: flagged as quotes by spaCy, or a run of ``_OPEN_QUOTES`` or
    ``_CLOSE_QUOTES`` (tested on the few tokens that start with one of their characters)."""
    quote = ~tokens.space & (tokens.quote | member(tokens.first, _QUOTE_CODES))
    for p in np.flatnonzero(quote & ~tokens.quote).tolist():
        text = tokens.text(p)
        quote[p] = text in _OPEN_QUOTES or text in _CLOSE_QUOTES
    return quote


def _quoted_words(tokens: TokenTable, quote: np.ndarray, words: np.ndarray) -> list[int]:
    """Per doc, the ``words`` between quotation marks: “ « „ open, ” » close, a straight
    quote toggles."""
    quoted = [0] * len(tokens.texts)
    so_far = running_totals(words)
    doc, inside, since = -1, False, 0
    for p in np.flatnonzero(quote).tolist():
        if tokens.doc_of[p] != doc:  # a doc's first mark: the previous doc's open quote runs to its end
            if inside:
                quoted[doc] += int(so_far[tokens.bounds[doc + 1]] - so_far[since])
            doc, inside = int(tokens.doc_of[p]), False
        if inside:
            quoted[doc] += int(so_far[p] - so_far[since])
        since = p
        text = tokens.text(p)
        inside = True if text in _OPENING else False if text in _CLOSING else not inside
    if inside:
        quoted[doc] += int(so_far[tokens.bounds[doc + 1]] - so_far[since])
    return quoted


def _sentence_counts(tokens: TokenTable, word: np.ndarray, legal: np.ndarray, hinted: list[bool]) -> dict[str, list[int]]:
    """Per doc: its sentences, the words of those that state a figure or name a justice-system
    act (a ``legal`` token), and the figures they state. Dates, ages and years are not figures."""
    starts = tokens.sentence_starts()
    ends = np.append(starts[1:], len(tokens))
    words_so_far, legal_so_far = running_totals(word), running_totals(legal)
    words = words_so_far[ends] - words_so_far[starts]
    found = np.zeros(len(starts), dtype=np.int64)
    at = np.searchsorted(starts, tokens.bounds)  # doc d's sentences are starts[at[d]:at[d + 1]]
    for d in np.flatnonzero(hinted).tolist():
        sample = tokens.texts[d]
        for j in range(at[d], at[d + 1]):
            last = ends[j] - 1  # a sentence's text runs from its first token to its last one's end
            a, b = tokens.start[starts[j]], tokens.start[last] + tokens.length[last]
            if _FIGURE_HINT.search(sample, a, b):
                found[j] = _figures(sample[a:b])

    def per_doc(values: np.ndarray) -> list[int]:
        totals = running_totals(values)
        return (totals[at[1:]] - totals[at[:-1]]).tolist()

    return {
        "sentences": np.diff(at).tolist(),
        "figure_words": per_doc(words * (found > 0)),
        "legal_words": per_doc(words * (legal_so_far[ends] > legal_so_far[starts])),
        "figures": per_doc(found),
    }


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

