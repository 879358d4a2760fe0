"""The kind features' values on crafted blocks, worked out by hand from the label guideline's
rules, and the token table's sentence split against spaCy's own sentencizer."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.blocks import Block
from thresher.token_table import TokenTable, member
from thresher.typing_features import TYPE_NAMES, english_tokenizer, type_features


def _rows(*texts: str) -> list[dict[str, float]]:
    blocks = [Block(i, t) for i, t in enumerate(texts)]
    rows = type_features(blocks, list(range(len(blocks))), len(blocks))
    return [dict(zip(TYPE_NAMES, row)) for row in rows]


def test_statistic_counts_figures_but_not_the_date():
    # 3 sentences, 8 + 4 + 4 words. "May 15" is a date (masked); "1,250", "12" and "percent"
    # are figures; "charged" is a legal word, "were charged" a legal phrase.
    row, = _rows("On May 15 the county recorded 1,250 arrests. Crime fell 12 percent. Two men were charged.")
    assert row["sentences"] == 3
    assert row["log_tokens"] == math.log1p(16)
    assert row["figures"] == 3
    assert row["figure_sentence_words"] == 12 / 16
    assert row["figures_per_sentence"] == 3 / 3
    assert row["legal_sentence_words"] == 4 / 16
    assert row["legal_words"] == 1 and row["legal_share"] == 1 / 16
    assert row["numbers"] == 3 and row["number_share"] == 3 / 16  # "Two" is number-like, but no digit
    assert row["percents"] == 1 and row["big_numbers"] == 1 and row["years"] == 0
    assert row["aggregate_words"] == 2 and row["aggregate_share"] == 2 / 16  # fell, percent
    assert row["legal_phrases"] == 1
    assert row["titlecase_share"] == 4 / 16  # On, May, Crime, Two
    assert row["quote_token_share"] == 0.0 and row["attribution"] == 0.0


def test_quote_share_counts_words_between_the_marks():
    # 6 words, 3 of them inside “ ”; "said" is an attribution verb
    row, = _rows("“We will appeal,” the lawyer said.")
    assert row["quote_token_share"] == 3 / 6
    assert row["starts_quote"] == 1.0 and row["ends_quote"] == 0.0
    assert row["quote_marks"] == 2
    assert row["attribution"] == 1.0
    assert row["sentences"] == 1


def test_an_unclosed_quote_ends_with_its_block():
    # straight quotes toggle; the second block must not inherit the first one's open quote
    first, second, third = _rows('He said "it is over', "plain words follow here", 'A "short" word')
    assert first["quote_token_share"] == 3 / 5
    assert second["quote_token_share"] == 0.0
    assert third["quote_token_share"] == 1 / 3


def test_a_block_without_words_has_zero_shares():
    row, = _rows("—")
    assert row["log_tokens"] == 0.0
    assert row["sentences"] == 1
    assert row["figure_sentence_words"] == row["legal_sentence_words"] == row["figures_per_sentence"] == 0.0


@pytest.mark.parametrize("text", [
    "Stop!! Now... then? Yes.",
    "He left. “Why?” she asked. (It was late.) Done",
    "U.S. Army officials said so. Mr. Smith agreed!",
    ". Leading mark. Then words 3.5 more",
    "Line one.\n\nLine two ... \"quoted.\" after",
    "句子。另一个句子！ Fin",
    "no marks at all",
    "Ends with marks?!",
])
def test_sentences_split_as_spacys_sentencizer(text):
    import spacy

    nlp = spacy.blank("en")
    sentencizer = nlp.create_pipe("sentencizer")
    expected = [s.start for s in sentencizer(nlp.make_doc(text)).sents]
    docs = [nlp.make_doc("First. Doc"), nlp.make_doc(text)]  # rows of a second doc start after the first's
    tokens = TokenTable.from_docs(docs, ["First. Doc", text])
    offset = len(docs[0])
    assert [int(s) - offset for s in tokens.sentence_starts() if s >= offset] == expected


def test_every_legal_phrase_and_case_number_counts_in_any_case():
    # the patterns skip positions by their first character: each form must still be met
    phrases = ["count of", "counts of", "years in prison", "months of county jail", "days in federal prison",
               "pleaded guilty", "pled no contest", "pleaded not guilty", "faces a maximum", "face up to",
               "sentenced to", "held on", "bail set", "bail was set", "was arrested", "were charged",
               "was convicted", "was sentenced", "were indicted", "was arraigned"]
    numbers = ["Case No. 5", "docket #", "case number", "21CR12345"]
    for change in (str.lower, str.upper, str.title):
        row, = _rows(" · ".join(map(change, phrases + numbers)))
        assert row["legal_phrases"] == len(phrases)
        assert row["case_numbers"] == len(numbers)


def test_figures_money_and_percents_whatever_the_case_and_dates_ages_times_masked():
    # figures: $5 €3 £2 4% PERCENT "7 million" 1,250 42; the date, ordinal date, time, numeric
    # date, age, duration and ", 34," are masked (they would add 2024, 12, 30, 34...)
    text = ("Costs: $5 · €3 · £2 · 4% · 9 PERCENT · 7 million · 1,250 · 42 · on Sept. 5, 2024 · the 5th of June · "
            "at 12:30 · on 1/2/2024 · a 30-year-old · for 3 years · Smith, 34, said")
    for change in (str, str.lower, str.upper):
        row, = _rows(change(text))
        assert row["figures"] == 8
        assert row["percents"] == 2  # 4%, PERCENT
        assert row["money"] == 4  # $5 €3 £2, 7 million
        assert row["years"] == 2 and row["big_numbers"] == 3  # 2024 twice; 1,250 and 2024 twice
        assert row["ages"] == (1 if change is str.upper else 2)  # ", 34," and 30-year-old (a lower-case pattern)


def test_english_tokenizer_is_spacys_blank_english_and_gives_its_token_table():
    # english_tokenizer is built without the pipeline and keeps only the lexical attributes the
    # table reads: the same tokenizer and the same table as spaCy's own
    import spacy

    from .conftest import example_pages

    texts = [line for page in example_pages() for line in page.decode("utf-8", "replace").splitlines() if line.strip()]
    texts = texts[:400] + ["“Quoted,” he said: 1,200 cases, 3.5% and ten (10) ¼ — ok…", "  \t ", "İstanbul ÉTÉ"]
    full = spacy.blank("en")
    trimmed = english_tokenizer()
    assert trimmed.to_bytes(exclude=["vocab"]) == full.tokenizer.to_bytes(exclude=["vocab"])
    assert len(trimmed.vocab.lex_attr_getters) < len(full.vocab.lex_attr_getters)
    assert all(full.vocab.lex_attr_getters[k] is f for k, f in trimmed.vocab.lex_attr_getters.items())
    a = TokenTable.from_docs(list(full.pipe(texts)), texts)
    b = TokenTable.from_docs([trimmed(t) for t in texts], texts)
    for name in ("bounds", "start", "length", "first", "lower", "space", "punct", "quote", "like_num"):
        assert (getattr(a, name) == getattr(b, name)).all(), name


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.integers(0, 2**64 - 1), max_size=50), keys=st.sets(st.integers(0, 2**64 - 1), max_size=20))
def test_member_is_numpys_isin(values, keys):
    v = np.array(values, dtype=np.uint64)
    k = np.array(sorted(keys), dtype=np.uint64)
    k_small = np.array(sorted(keys | set(values[:3])), dtype=np.uint64)  # some values present
    for keyset in (k, k_small):
        assert member(v, keyset).tolist() == np.isin(v, keyset).tolist()
    with pytest.raises(TypeError):
        member(v, k.astype(np.int64))


def test_a_row_only_neighbours_read_skips_the_regex_columns_alone():
    """``scanned=False`` rows: the regex-counted columns 0, every other column (the neighbour
    columns among them) as in the whole row."""
    from thresher.typing_features import NEIGHBOUR_COLUMNS, SCANNED_COLUMNS

    assert set(SCANNED_COLUMNS) <= set(TYPE_NAMES) and not set(SCANNED_COLUMNS) & set(NEIGHBOUR_COLUMNS)
    texts = ["He pleaded guilty to 3 counts of fraud, case no. 21CR0045, and was sentenced to 5 years in prison.",
             "Crime fell 12% in 2023, to 1,250 offences, compared with $4 million spent.",
             "“We are grateful,” said John Smith, 45, of Springfield."]
    blocks = [Block(i, t) for i, t in enumerate(texts)]
    whole = type_features(blocks, [0, 1, 2], 3)
    part = type_features(blocks, [0, 1, 2], 3, scanned=[False, True, False])
    scanned = [TYPE_NAMES.index(c) for c in SCANNED_COLUMNS]
    other = [i for i in range(len(TYPE_NAMES)) if i not in scanned]
    assert whole[:, scanned][[0, 1]].sum(axis=1).min() > 0  # the regexes find something to skip
    np.testing.assert_array_equal(part[:, other], whole[:, other])
    np.testing.assert_array_equal(part[1], whole[1])
    assert not part[[0, 2]][:, scanned].any()
