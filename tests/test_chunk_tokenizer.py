"""ChunkTokenizer's table is spaCy's own (TokenTable.from_docs), whatever it remembered before."""

from __future__ import annotations

import functools
from dataclasses import fields

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thresher.chunk_seed import read_seed, write_seed
from thresher.chunk_tokenizer import (
    _PROVED,
    _SPACE,
    ChunkTokenizer,
    _affix_patterns,
    letters_stay_whole,
    patterns_digest,
    prove_letters_stay_whole,
    straddle_pairs,
)
from thresher.token_table import TokenTable
from thresher.typing_features import MAX_KIND_CHARS, english_tokenizer

from .conftest import example_pages


def _reference(tokenizer, texts: list[str]) -> TokenTable:
    return TokenTable.from_docs([tokenizer(t) for t in texts], texts)


def _tables_equal(a: TokenTable, b: TokenTable) -> None:
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "texts":
            assert x == y
        else:
            assert x.dtype == y.dtype and np.array_equal(x, y), f.name


def test_corpus_blocks_give_spacys_table_first_met_and_remembered(model):
    from thresher.segmenter import split_page

    spacy_tokenizer = _english()
    tokenizer = ChunkTokenizer(spacy_tokenizer)
    pages = [[b.text[:MAX_KIND_CHARS] for b in split_page(page, model.options)[0]] for page in example_pages()]
    for texts in pages + pages:  # the second time every chunk is remembered
        _tables_equal(tokenizer.table(texts), _reference(spacy_tokenizer, texts))


def test_whitespace_runs_edges_empty_texts_and_special_cases():
    spacy_tokenizer = _english()
    texts = ["Don't stop.", "", "U.S. $5.00 — “quoted”", "a\nb", "x", "(1) 2% e-mail@x.org", "Jan. 5th",
             " leading", "trailing  ", "\tboth\n", "two  spaces", "nbsp\u00a0here", "line\r\nbreak", "   ",
             "\u3000ideographic\u2028line", "it's 5p.m. :) ok", "'s", " ", "\n"]
    tokenizer = ChunkTokenizer(spacy_tokenizer)
    for _ in range(2):
        _tables_equal(tokenizer.table(texts), _reference(spacy_tokenizer, texts))
    _tables_equal(tokenizer.table([]), _reference(spacy_tokenizer, []))


def test_a_special_case_found_across_a_space_is_tokenized_as_spacy_does():
    # spaCy's matcher finds the pattern ">:(" across the space; its match replaces nothing but hides
    # ":(", which the second chunk alone would become: the text must be tokenized whole
    spacy_tokenizer = _english()
    text = "> :(10a.m."
    alone = [t.text for chunk in text.split(" ") for t in spacy_tokenizer(chunk)]
    assert alone != [t.text for t in spacy_tokenizer(text)]
    tokenizer = ChunkTokenizer(spacy_tokenizer)
    tokenizer.table(text.split(" "))  # both chunks remembered first, alone
    _tables_equal(tokenizer.table(["ok " + text, text]), _reference(spacy_tokenizer, ["ok " + text, text]))


def test_only_the_straddling_run_is_tokenized_as_one_text():
    spacy_tokenizer = _english()
    texts = ["before > :(10a.m. middle words :) then >:( > :( : P end", "so > :(", "no pattern here at all"]
    tokenizer = ChunkTokenizer(spacy_tokenizer)
    _tables_equal(tokenizer.table(texts), _reference(spacy_tokenizer, texts))
    # the runs are remembered as keys of their own, not the texts around them
    with_space = {k for k in tokenizer._keys if " " in k}
    assert with_space == {"> :(10a.m.", "> :(", ">:( > :( : P"} and not with_space & set(texts)
    # many runs in one text (each rebuilt into the keys once)
    many = [" x ".join(["> :(", ":-) :P", "a.m. :D"] * 2_000)]
    _tables_equal(ChunkTokenizer(spacy_tokenizer).table(many), _reference(spacy_tokenizer, many))


@functools.cache
def _english():
    """One spaCy tokenizer for these tests (each new one starts an empty vocabulary)."""
    return english_tokenizer()


_PIECES = sorted({t for pair in straddle_pairs(_english()) for t in pair})
_PIECES += ["word", "Cases", "1,250", "5%", "$3", "U.S.", "don't", "—", "“", "”", "e-mail", "a.m.", "...", "(", ")"]
_SPACES = [" ", " ", " ", "  ", "\n", "\t", "\u00a0", "\r\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES) | st.sampled_from(_SPACES), max_size=12).map("".join),
                max_size=5))
def test_texts_of_pattern_pieces_and_spaces_give_spacys_table(texts):
    spacy_tokenizer = _english()
    _tables_equal(_shared_tokenizer(spacy_tokenizer).table(texts), _reference(spacy_tokenizer, texts))


@functools.cache
def _shared_tokenizer(spacy_tokenizer) -> ChunkTokenizer:
    """One tokenizer across examples: later ones meet remembered chunks."""
    return ChunkTokenizer(spacy_tokenizer)


def test_english_affixes_are_proved_unable_to_split_a_chunk_of_letters():
    patterns = _affix_patterns(_english())
    assert len(patterns) == 3 and all(map(prove_letters_stay_whole, patterns))
    # the proof of this spaCy's patterns is remembered; a change to them is proved again at run time
    assert patterns_digest(patterns) in _PROVED and letters_stay_whole(_english())


@pytest.mark.parametrize("pattern, proved", [
    (r"[0-9]+$", True), (r"(?<=[0-9])(?:km|kg)$", True), (r"\.\.+|…", True), (r"^[\(\[]", True),
    (r"(?<=[a-z])\.(?=[A-Z])", True),
    (r"'s$|ab$", False),  # a branch of letters
    (r"(?<=[a-z])\.|q", False),
    (r"x*", False),  # matches the empty string
    (r"[^0-9]", False), (r"\w", False), (r"(?i)\.", False), (r"(?=a)", False), (r"[\u00e0-\u00ff]", False),
    (r"(?i:\u0345)", False),  # U+0345, a mark, matches the letter iota when case is folded
    (r"(?i:[\u0345])", False),
    (r"(?<=[a-z])(?=[A-Z])", False),  # an empty infix between letters splits a chunk
    (r"(?<=[0-9])(?=[a-z])", True),  # needs a digit
])
def test_the_proof_refuses_what_can_match_letters(pattern, proved):
    import re

    assert prove_letters_stay_whole(re.compile(pattern)) is proved


def test_every_letter_alone_and_among_letters_gives_spacys_table():
    # str.isalpha's every code point, as a chunk alone and inside a word; and special cases of letters
    letters = [chr(c) for c in range(0x110000) if chr(c).isalpha()]
    chunks = letters + ["a" + c + "b" for c in letters] + ["cannot", "Cannot", "gonna", "ima", "whaddya"]
    texts = [" ".join(chunks[i:i + 400]) for i in range(0, len(chunks), 400)]
    spacy_tokenizer = english_tokenizer()  # its own vocabulary: every chunk new to both
    tokenizer = ChunkTokenizer(english_tokenizer())
    assert tokenizer._letters_whole
    _tables_equal(tokenizer.table(texts), _reference(spacy_tokenizer, texts))


def test_a_word_the_vocabulary_already_holds_keeps_its_lexemes_attributes():
    spacy_tokenizer = english_tokenizer()
    spacy_tokenizer.vocab["hello"].is_punct = True  # set by hand, not by the attribute getters
    texts = ["hello world", "Hello"]
    _tables_equal(ChunkTokenizer(spacy_tokenizer).table(texts), _reference(spacy_tokenizer, texts))


def test_memory_starts_again_past_its_limits():
    spacy_tokenizer = _english()
    tokenizer = ChunkTokenizer(spacy_tokenizer, max_chunks=3)
    texts = ["one two three four five", "six seven, eight.", "one two"]
    for text in texts * 2:
        _tables_equal(tokenizer.table([text]), _reference(spacy_tokenizer, [text]))
        assert len(tokenizer._ids) <= 3 + len(text.split())
    # a hostile page's long unique chunks: the characters remembered are bounded too
    tokenizer = ChunkTokenizer(spacy_tokenizer, max_chars=5_000)
    blobs = [f"{k:04d}" + "x/y-z" * 300 for k in range(12)]
    for blob in blobs:
        _tables_equal(tokenizer.table([blob]), _reference(spacy_tokenizer, [blob]))
        assert tokenizer._chars <= 5_000 + len(blob)
    assert tokenizer.learned_chars == sum(map(len, blobs))


def test_english_tokens_starts_a_fresh_tokenizer_past_its_budget(monkeypatch):
    from thresher import typing_features

    first = typing_features.english_tokens()
    assert typing_features.english_tokens() is first
    monkeypatch.setattr(typing_features, "MAX_LEARNED_CHARS", first.learned_chars + 10)
    first.table(["a never-seen-before-chunk-of-forty-characters"])
    fresh = typing_features.english_tokens()
    assert fresh is not first and fresh.tokenizer is not first.tokenizer and fresh.learned_chars == 0


def test_regex_whitespace_is_str_isspace():
    # chunks are split with \s, spaCy splits where str.isspace() changes
    assert all(bool(_SPACE.match(c)) == c.isspace() for c in map(chr, range(0x110000)))


def test_a_written_seed_reads_back_and_its_tokenizer_gives_spacys_table(tmp_path, model):
    from thresher.segmenter import split_page

    spacy_tokenizer = _english()
    pages = [[b.text[:MAX_KIND_CHARS] for b in split_page(page, model.options)[0]] for page in example_pages()]
    first = ChunkTokenizer(spacy_tokenizer)
    first.table(pages[0])
    write_seed(tmp_path / "seed.npz", spacy_tokenizer, first.memory())
    seed = read_seed(spacy_tokenizer, tmp_path / "seed.npz")
    assert seed is not None and seed.keys == first.memory().keys
    seeded = ChunkTokenizer(spacy_tokenizer, seed=seed, max_chunks=len(seed.keys) + 50)
    for texts in pages + [["Don't stop.", "> :(10a.m.", " edge ", ""]]:  # past max_chunks: the seed again
        _tables_equal(seeded.table(texts), _reference(spacy_tokenizer, texts))
    assert not seed.start.flags.writeable and len(seeded._ids) >= len(seed.keys)


def test_a_tokenizer_whose_patterns_hold_whitespace_gets_spacys_table_too():
    import spacy

    # a pattern token holding a line break could match across chunks: every text is tokenized whole
    custom = spacy.blank("en").tokenizer
    custom.add_special_case("(x\ny", [{"ORTH": "(x\n"}, {"ORTH": "y"}])
    texts = ["(x", "y", "(x\ny", "a (x\ny b"]
    _tables_equal(ChunkTokenizer(custom).table(texts), _reference(custom, texts))


def test_a_damaged_seed_file_is_ignored(tmp_path):
    spacy_tokenizer = _english()
    tokenizer = ChunkTokenizer(spacy_tokenizer)
    tokenizer.table(["two  spaces and a\nbreak", "> :(10a.m."])  # whitespace runs and a whole text kept too
    good = tmp_path / "seed.npz"
    write_seed(good, spacy_tokenizer, tokenizer.memory())  # the memory written is its plain chunks
    assert read_seed(spacy_tokenizer, good).keys == [k for k in tokenizer._keys if not k[0].isspace() and " " not in k]
    (tmp_path / "cut.npz").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert read_seed(spacy_tokenizer, tmp_path / "cut.npz") is None
    with np.load(good) as arrays:
        parts = dict(arrays)
    np.savez(tmp_path / "short.npz", **{**parts, "lower": parts["lower"][:-1]})
    assert read_seed(spacy_tokenizer, tmp_path / "short.npz") is None


def test_a_seed_made_by_another_tokenizer_is_ignored(tmp_path):
    import spacy

    other = spacy.blank("en").tokenizer
    other.add_special_case("thresher", [{"ORTH": "thr"}, {"ORTH": "esher"}])
    tokenizer = ChunkTokenizer(other)
    tokenizer.table(["thresher works"])
    write_seed(tmp_path / "seed.npz", other, tokenizer.memory())
    assert read_seed(other, tmp_path / "seed.npz") is not None
    assert read_seed(_english(), tmp_path / "seed.npz") is None
    assert read_seed(_english(), tmp_path / "missing.npz") is None
    (tmp_path / "bad.npz").write_bytes(b"not a seed")
    assert read_seed(_english(), tmp_path / "bad.npz") is None


def test_the_shipped_seed_holds_spacys_tokens_of_its_chunks():
    spacy_tokenizer = _english()
    seed = read_seed(spacy_tokenizer)
    if seed is None:
        pytest.skip("the shipped seed was made with another spaCy: tools/build_chunk_seed.py rebuilds it")
    keys = seed.keys
    reference = _reference(spacy_tokenizer, keys)
    assert np.array_equal(np.diff(reference.bounds), seed.chunk_tokens)
    for name in ("start", "length", "first", "lower"):
        assert np.array_equal(getattr(reference, name), getattr(seed, name)), name
    for name, flag in zip(("space", "punct", "quote", "like_num"), seed.flags):
        assert np.array_equal(getattr(reference, name), flag), name
