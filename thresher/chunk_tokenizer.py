"""spaCy's tokens of many texts, each whitespace-free chunk tokenized once per process.

spaCy's tokenizer splits a text at whitespace first, then splits each chunk on its own
(prefixes, suffixes, infixes, special cases), then runs a phrase matcher for special cases
over the whole doc. Its own cache of chunks is of little use here: it stops filling at 10,000
chunks, and a doc stops filling it at its first special case, which the line breaks between
a page's blocks are. So nearly every chunk ran its regexes again, the costliest step of the
kind features. ``ChunkTokenizer`` remembers each chunk's tokens and builds a page's table
from them; it gives spaCy's table exactly (``tests/test_chunk_tokenizer.py``):

- a chunk's tokens do not depend on the chunks around it, except where the phrase matcher
  finds a special case across the whitespace between two of them (such a match replaces
  nothing, but can hide a shorter one that would have): a run of neighbouring chunks where each
  two could form a pattern's two neighbouring tokens is tokenized as one text by spaCy instead.
  Its matches overlap no match outside it, and spaCy chooses among matches by length and
  order, each against those that overlap it: the run alone gets the tokens it gets in its text;
- new chunks are tokenized together, one doc joined by line breaks: a line break is a token
  of its own, and no pattern holds one, so no match crosses it.

Both rest on the patterns' tokens holding no whitespace, as spaCy's languages' do: for a
tokenizer whose special cases break that, every text is tokenized whole (no memory).

A new chunk of letters alone that is no special case is one token, where the tokenizer's affix
patterns cannot match within a string of letters (``letters_stay_whole`` proves it from the
patterns): its row comes from a doc of such words, each word's lexeme spaCy's vocabulary finds or
makes, without spaCy's regexes; about half the chunks a page brings are such words.
"""

from __future__ import annotations

import functools
import hashlib
import re
from itertools import accumulate, repeat

import numpy as np

from .chunk_seed import FLAGS as _FLAGS
from .chunk_seed import Seed
from .token_table import COLUMNS, TokenTable, member, running_totals

# spaCy splits where str.isspace() changes; Python's \s is the same class (tests check every code point)
_RUNS = re.compile(r"\s+|\S+")
_SPACE = re.compile(r"\s")
JOIN = "\n"
# past either, the memory starts again: a long run's memory stays flat, and a hostile page's
# long unique chunks (a 1,500-character blob a block) cannot grow it by more than tens of MB
MAX_CHUNKS = 200_000
MAX_CHARS = 1_000_000
_COLUMN = {name: COLUMNS.index(name) for name in COLUMNS}


def straddle_pairs(tokenizer) -> set[tuple[str, str]]:
    """Neighbouring tokens of the special-case patterns spaCy's phrase matcher looks for.

    ``Tokenizer.add_special_case`` gives the matcher the rules that hold an affix or a space (all of
    them without its ``faster_heuristics``), as split without special cases: a tokenizer with the same
    affixes and no rules splits them the same way.
    """
    from spacy.tokenizer import Tokenizer

    bare = Tokenizer(tokenizer.vocab, rules={}, prefix_search=tokenizer.prefix_search,
                     suffix_search=tokenizer.suffix_search, infix_finditer=tokenizer.infix_finditer,
                     token_match=tokenizer.token_match, url_match=tokenizer.url_match)
    pairs: set[tuple[str, str]] = set()
    for key in tokenizer.rules:
        if (not tokenizer.faster_heuristics or tokenizer.find_prefix(key) or tokenizer.find_infix(key)
                or tokenizer.find_suffix(key) or " " in key):
            words = [t.text for t in bare(key)]
            pairs.update(zip(words, words[1:]))
    return pairs


class ChunkTokenizer:
    """A ``TokenTable`` of texts as spaCy's ``tokenizer`` splits each, from remembered chunks.

    Not thread-safe: one per thread (``typing_features.english_tokens``).
    ``seed`` (``chunk_seed.read_seed``): chunks it knows from the start, and again whenever its
    memory, past ``max_chunks`` chunks or ``max_chars`` characters learned, starts again.
    ``learned_chars`` counts every character spaCy tokenized for it: spaCy's vocabulary keeps
    each new word, so its owner makes a fresh tokenizer past a budget (``english_tokens``).

    Examples
    --------
    >>> import spacy
    >>> tokens = ChunkTokenizer(spacy.blank("en").tokenizer).table(["Don't stop.", "U.S. 5%"])
    >>> [tokens.text(p) for p in range(len(tokens))]
    ['Do', "n't", 'stop', '.', 'U.S.', '5', '%']
    """

    def __init__(self, tokenizer, *, seed: Seed | None = None, max_chunks: int = MAX_CHUNKS,
                 max_chars: int = MAX_CHARS) -> None:
        self.tokenizer = tokenizer
        self.seed = seed
        self.max_chunks = max_chunks
        self.max_chars = max_chars
        self.learned_chars = 0
        self._pairs = straddle_pairs(tokenizer)
        # a pattern token with whitespace could match across a whitespace token: no chunk is its own
        self._chunked = not any(_SPACE.search(t) for pair in self._pairs for t in pair)
        self._longest = max((len(t) for pair in self._pairs for t in pair), default=0)
        # a pair's last and first characters, as _straddling codes them: a sieve before the pairs
        self._char_pairs = np.array(sorted({ord(a[-1]) << 21 | ord(b[0]) for a, b in self._pairs}), dtype=np.int64)
        self._letters_whole = letters_stay_whole(tokenizer)
        self._specials = frozenset(tokenizer.rules)
        self._clear()

    def _clear(self) -> None:
        seed = self.seed or _empty_seed()
        self._chars = 0  # characters learned since the memory started
        self._ids: dict[str, int] = seed.ids.copy()  # chunk -> its id
        self._keys: list[str] = list(seed.keys)  # id -> chunk
        # per chunk id: its first token row, its tokens, its first and last characters' code points
        self._chunk_row = _Column(seed.chunk_row)
        self._chunk_tokens = _Column(seed.chunk_tokens)
        self._head = _Column(seed.head)
        self._last = _Column(seed.last)
        # per token row: its place in its chunk, length, first character's code point, lower-case hash, flags
        self._start = _Column(seed.start)
        self._length = _Column(seed.length)
        self._first = _Column(seed.first)
        self._lower = _Column(seed.lower)
        self._flags = [_Column(flag) for flag in seed.flags]

    def memory(self) -> Seed:
        """The whitespace-free chunks the tokenizer remembers, as a seed (``chunk_seed.write_seed``
        writes it); not the runs of whitespace and whole texts it also keeps."""
        keep = np.array([not _SPACE.search(k) for k in self._keys], dtype=bool)
        rows = np.repeat(keep, self._chunk_tokens.values)
        return Seed([k for k, kept in zip(self._keys, keep.tolist()) if kept], self._chunk_tokens.values[keep],
                    *(column.values[rows] for column in (self._start, self._length, self._first, self._lower)),
                    tuple(flag.values[rows] for flag in self._flags))

    def table(self, texts: list[str]) -> TokenTable:
        """The table of ``texts``, as ``TokenTable.from_docs`` gives it for spaCy's docs of them."""
        if not self._chunked:
            self.learned_chars += sum(map(len, texts))
            return TokenTable.from_docs([self.tokenizer(t) for t in texts], texts)
        if len(self._ids) > self.max_chunks or self._chars > self.max_chars:
            self._clear()
        keys: list[str] = []
        offsets: list[int] = []
        per_text = []
        for text in texts:
            k, o = _spans(text)
            keys += k
            offsets += o
            per_text.append(len(k))
        ids = self._lookup(keys)
        chunk_bounds = running_totals(per_text)
        runs = self._straddling(ids, chunk_bounds)
        if runs:  # each run one key, its text's span: it holds whitespace, which a chunk never does
            # rebuilt in one pass: a slice assignment per run would move every key after it, each time
            run_keys: list[str] = []
            run_offsets: list[int] = []
            at = 0
            for first, last, d in runs:
                run_keys += keys[at:first]
                run_offsets += offsets[at:first]
                run_keys.append(texts[d][offsets[first]:offsets[last] + len(keys[last])])
                run_offsets.append(offsets[first])
                per_text[d] -= last - first
                at = last + 1
            keys, offsets = run_keys + keys[at:], run_offsets + offsets[at:]
            ids = self._lookup(keys)
        counts = self._chunk_tokens.values[ids]
        so_far = running_totals(counts)
        chunk_bounds = running_totals(per_text)
        bounds = so_far[chunk_bounds]
        # a token's row: its chunk's first row plus its place among the chunk's tokens
        rows = np.arange(bounds[-1], dtype=np.int64) + np.repeat(self._chunk_row.values[ids] - so_far[:-1], counts)
        return TokenTable(
            texts, bounds, np.repeat(np.arange(len(texts)), np.diff(bounds)),
            self._start.values[rows] + np.repeat(np.array(offsets, dtype=np.int64), counts),
            self._length.values[rows], self._first.values[rows], self._lower.values[rows],
            *(flag.values[rows] for flag in self._flags),
        )

    def _lookup(self, keys: list[str]) -> np.ndarray:
        """The ids of ``keys``, tokenizing those not met before."""
        ids = np.array(list(map(self._ids.get, keys, repeat(-1))), dtype=np.int64)
        if (ids < 0).any():
            self._learn({keys[i] for i in np.flatnonzero(ids < 0).tolist()})
            ids = np.array(list(map(self._ids.__getitem__, keys)), dtype=np.int64)
        return ids

    def _straddling(self, ids: np.ndarray, chunk_bounds: np.ndarray) -> list[tuple[int, int, int]]:
        """Runs of chunks ``(first, last, text)`` in which each two neighbours could hold a pattern's
        two neighbouring tokens, the first ending one chunk, the second starting the next (a
        whitespace token between them would stop a match, and is a chunk of its own)."""
        if len(ids) < 2:
            return []
        # first the chunks' last and first characters, then the pattern tokens they end and start with
        near = member(self._last.values[ids[:-1]] << 21 | self._head.values[ids[1:]], self._char_pairs)
        between = chunk_bounds[1:-1]  # a text's last chunk and the next text's first are not neighbours
        near[between[(between > 0) & (between < len(ids))] - 1] = False
        runs: list[tuple[int, int, int]] = []
        for i in np.flatnonzero(near).tolist():
            left, right = self._keys[ids[i]], self._keys[ids[i + 1]]
            ends = [left[-k:] for k in range(1, min(self._longest, len(left)) + 1)]
            starts = [right[:k] for k in range(1, min(self._longest, len(right)) + 1)]
            if any((a, b) in self._pairs for a in ends for b in starts):
                if runs and runs[-1][1] == i:  # chunk i ends the run before: the run goes on
                    runs[-1] = (runs[-1][0], i + 1, runs[-1][2])
                else:
                    runs.append((i, i + 1, int(np.searchsorted(chunk_bounds, i, side="right")) - 1))
        return runs

    def _learn(self, keys: set[str]) -> None:
        """Tokenize ``keys``: chunks of letters as words, the other chunks free of whitespace as one doc,
        the rest one by one."""
        chars = sum(map(len, keys))
        self._chars += chars
        self.learned_chars += chars
        plain, letters = [], []
        for key in sorted(keys):
            if _SPACE.search(key):  # a run of whitespace, or a whole text
                self._tokenize([key])
            elif self._letters_whole and key.isalpha() and key not in self._specials:
                letters.append(key)
            else:
                plain.append(key)
        if letters:
            self._one_token_each(letters)
        if plain:
            self._tokenize(plain)

    def _tokenize(self, keys: list[str]) -> None:
        """Tokenize ``keys`` as one doc joined by ``JOIN`` (a key holding whitespace alone) and remember
        each key's own tokens."""
        joined = JOIN.join(keys)
        table = self.tokenizer(joined).to_array(COLUMNS)
        at = table[:, _COLUMN["IDX"]].astype(np.int64)
        offsets = running_totals([len(k) + len(JOIN) for k in keys])
        owner = np.searchsorted(offsets, at, side="right") - 1
        sizes = np.array([len(k) for k in keys] + [0], dtype=np.int64)
        keep = at < offsets[owner] + sizes[owner]  # the keys' own tokens, not the joiner's
        at, owner = at[keep], owner[keep]
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        self._add(keys, table[keep], at - offsets[owner], codes[at], np.searchsorted(owner, np.arange(len(keys) + 1)))

    def _one_token_each(self, keys: list[str]) -> None:
        """Remember ``keys``, each one token (all letters, no special case, ``letters_stay_whole``):
        a doc of them as words gives the rows, each word's lexeme found or made by spaCy's vocabulary."""
        from spacy.tokens import Doc

        table = Doc(self.tokenizer.vocab, words=keys, spaces=[False] * len(keys)).to_array(COLUMNS)
        first = np.array([ord(k[0]) for k in keys], dtype=np.uint32)
        self._add(keys, table, np.zeros(len(keys), dtype=np.int64), first, np.arange(len(keys) + 1))

    def _add(self, keys: list[str], table: np.ndarray, starts: np.ndarray, first: np.ndarray,
             bounds: np.ndarray) -> None:
        """Remember ``keys``, whose tokens are ``table``'s rows ``bounds[k]:bounds[k + 1]`` (``first``:
        their first characters' code points)."""
        base = len(self._start)
        self._start.extend(starts)
        self._length.extend(table[:, _COLUMN["LENGTH"]].astype(np.int64))
        self._first.extend(first)
        self._lower.extend(table[:, _COLUMN["LOWER"]])
        for flag, name in zip(self._flags, _FLAGS):
            flag.extend(table[:, _COLUMN[name]] == 1)
        self._chunk_row.extend(base + bounds[:-1])
        self._chunk_tokens.extend(np.diff(bounds))
        self._head.extend(np.array([ord(k[0]) for k in keys], dtype=np.int64))
        self._last.extend(np.array([ord(k[-1]) for k in keys], dtype=np.int64))
        self._ids.update(zip(keys, range(len(self._keys), len(self._keys) + len(keys))))
        self._keys += keys


# digests of affix patterns ``prove_letters_stay_whole`` proved (spaCy 3.8's English): a tokenizer
# with other patterns is proved once per process (about 10 ms)
_PROVED = frozenset({
    "68adc8b8cf64bd82ecdb12499fceefda618969311f94f8e37789c4685cf919a3",
})


def _affix_patterns(tokenizer) -> tuple[re.Pattern, ...] | None:
    """The compiled patterns behind the tokenizer's prefix and suffix search and infix finditer (a
    callable that is not such a bound method: ``None``)."""
    found = []
    for f, method in ((tokenizer.prefix_search, "search"), (tokenizer.suffix_search, "search"),
                      (tokenizer.infix_finditer, "finditer")):
        if f is None:
            continue  # no affix of that kind
        owner = getattr(f, "__self__", None)
        if not isinstance(owner, re.Pattern) or getattr(f, "__name__", "") != method:
            return None
        found.append(owner)
    return tuple(found)


def patterns_digest(patterns: tuple[re.Pattern, ...]) -> str:
    return hashlib.sha256("\0".join(f"{p.flags}:{p.pattern}" for p in patterns).encode("utf-8", "surrogatepass")).hexdigest()


def letters_stay_whole(tokenizer) -> bool:
    """Whether no prefix, suffix or infix of ``tokenizer`` can be found in a string of letters alone
    (``str.isalpha``): such a chunk is then one token unless it is a special case."""
    patterns = _affix_patterns(tokenizer)
    if patterns is None:
        return False
    return patterns_digest(patterns) in _PROVED or all(map(_proved, patterns))


@functools.lru_cache(maxsize=64)
def _proved(pattern: re.Pattern) -> bool:
    return prove_letters_stay_whole(pattern)


def prove_letters_stay_whole(pattern: re.Pattern) -> bool:
    """True when ``pattern`` can match nowhere in a string of letters alone; False when that is not
    proved (a pattern that can match the empty string, or one the proof does not read, is never).

    Read from the pattern's parse: every way through it needs a character, or a lookaround's
    character, that no letter is (a literal, or a class with no letter in it). A lookbehind at the
    string's start fails too, which the proof does not count on.
    """
    from re import _constants as c
    from re import _parser

    if pattern.flags & (re.IGNORECASE | re.VERBOSE) or not isinstance(pattern.pattern, str):
        return False

    def can(items) -> bool:  # the sequence can match within a string of letters
        return all(item_can(op, av) for op, av in items)

    def class_has_letter(items) -> bool:
        for op, av in items:
            if op is c.NEGATE or (op is c.CATEGORY and av not in (c.CATEGORY_DIGIT, c.CATEGORY_SPACE)):
                return True
            if op is c.LITERAL and chr(av).isalpha():
                return True
            if op is c.RANGE and any(chr(x).isalpha() for x in range(av[0], av[1] + 1)):
                return True
            if op not in (c.LITERAL, c.RANGE, c.CATEGORY):
                return True
        return False

    def item_can(op, av) -> bool:
        if op is c.LITERAL:
            return chr(av).isalpha()
        if op is c.IN:
            return class_has_letter(av)
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            return av[0] == 0 or can(av[2])
        if op is c.SUBPATTERN:  # (group, add_flags, del_flags, items): a scoped (?i:...) folds case
            return bool(av[1] & re.IGNORECASE) or can(av[-1])
        if op is c.ATOMIC_GROUP:
            return can(av)
        if op is c.BRANCH:
            return any(can(branch) for branch in av[1])
        if op is c.ASSERT:  # a lookahead or lookbehind reads characters of the string too
            return can(av[1])
        return True  # anything else (a negative lookaround, an anchor, a group reference) may

    return not can(_parser.parse(pattern.pattern, pattern.flags))


@functools.cache
def _empty_seed() -> Seed:
    return Seed([], *(np.zeros(0, dtype=t) for t in (np.int64, np.int64, np.int64, np.uint32, np.uint64)),
                tuple(np.zeros(0, dtype=bool) for _ in _FLAGS))


class _Column:
    """A growing numpy column: ``values`` is a view of what was added. It starts as ``initial``,
    which it never writes to (a seed's, shared): the first addition copies it."""

    def __init__(self, initial: np.ndarray) -> None:
        self._data = initial
        self._n = len(initial)
        self.values = initial

    def __len__(self) -> int:
        return self._n

    def extend(self, values: np.ndarray) -> None:
        n = self._n + len(values)
        if n > len(self._data) or not self._data.flags.writeable:
            data = np.zeros(max(n, 2 * len(self._data), 1024), dtype=self._data.dtype)
            data[: self._n] = self._data[: self._n]
            self._data = data
        self._data[self._n: n] = values
        self._n = n
        self.values = self._data[:n]


_OTHER_SPACE = re.compile(r"[^\S ]|  |^ | $")  # whitespace that is not a lone space between chunks


def _spans(text: str) -> tuple[list[str], list[int]]:
    """The spans spaCy tokenizes one by one, and where each starts: the runs of whitespace and of
    other characters, less the one space that follows a token (its ``whitespace_``)."""
    if not text:
        return [], []
    if not _OTHER_SPACE.search(text):  # chunks between lone spaces: the common case
        keys = text.split(" ")
        return keys, list(accumulate((len(k) + 1 for k in keys[:-1]), initial=0))
    keys, offsets = [], []
    for match in _RUNS.finditer(text):
        key, at = match.group(), match.start()
        if key[0] == " " and at:
            key, at = key[1:], at + 1
            if not key:
                continue
        keys.append(key)
        offsets.append(at)
    return keys, offsets


def chunks_of(text: str) -> list[str]:
    """The whitespace-free chunks spaCy tokenizes ``text``'s words from, in order."""
    return [key for key in _spans(text)[0] if not key[0].isspace()]
