"""Chunks tokenized ahead of time and shipped: a new process need not tokenize the common ones.

A page's kind features spend most of their time in spaCy's tokenizer on chunks the process has
not met before (``chunk_tokenizer``); a common word is such a chunk on the first pages of every
process. The seed holds the most frequent chunks of the corpus's blocks with spaCy's token rows
for each (``tools/build_chunk_seed.py``), read into ``ChunkTokenizer``'s memory at its start.

It holds spaCy's output, so it is used only with the spaCy that made it: the tokenizer's
settings and rules, the lexical attributes kept and spaCy's version make a fingerprint, and a
seed with another one is ignored (its chunks are then tokenized as they are met).
"""

from __future__ import annotations

import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: the seed shipped in the package
SEED_PATH = Path(__file__).with_name("chunk_seed.npz")
FLAGS = ("IS_SPACE", "IS_PUNCT", "IS_QUOTE", "LIKE_NUM")  # one bit each in the file's ``flags``


def fingerprint(tokenizer) -> str:
    """What a seed's rows depend on: spaCy's version, the tokenizer's settings and special cases,
    which lexical attributes its vocabulary computes, and the Unicode version Python's regexes and
    ``str.lower`` follow."""
    import spacy

    digest = hashlib.sha256(tokenizer.to_bytes(exclude=["vocab"]))
    digest.update(f"|spacy {spacy.__version__}|attrs {sorted(tokenizer.vocab.lex_attr_getters)}"
                  f"|unicode {unicodedata.unidata_version}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Seed:
    """Chunks and their token rows, as ``ChunkTokenizer`` keeps them (``read_seed``'s arrays are
    read-only: every tokenizer of a process shares them)."""

    keys: list[str]
    chunk_tokens: np.ndarray  # per chunk, its tokens; its rows follow the previous chunk's
    start: np.ndarray  # per token: its place in its chunk,
    length: np.ndarray  # its length,
    first: np.ndarray  # its first character's code point,
    lower: np.ndarray  # the hash of its lower-case form,
    flags: tuple[np.ndarray, ...]  # and its FLAGS
    # made from the above: chunk -> index, and per chunk its first row, first and last characters
    ids: dict[str, int] = field(init=False, repr=False)
    chunk_row: np.ndarray = field(init=False, repr=False)
    head: np.ndarray = field(init=False, repr=False)
    last: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.start)
        if (len(self.keys) != len(self.chunk_tokens) or int(self.chunk_tokens.sum()) != n
                or any(len(a) != n for a in (self.length, self.first, self.lower, *self.flags))
                or len(self.flags) != len(FLAGS) or not all(self.keys)):
            raise ValueError("a chunk seed's chunks and tokens do not match")
        rows = np.zeros(len(self.keys), dtype=np.int64)
        np.cumsum(self.chunk_tokens[:-1], out=rows[1:])
        derived = {"ids": dict(zip(self.keys, range(len(self.keys)))), "chunk_row": rows,
                   "head": np.array([ord(k[0]) for k in self.keys], dtype=np.int64),
                   "last": np.array([ord(k[-1]) for k in self.keys], dtype=np.int64)}
        for name, value in derived.items():
            object.__setattr__(self, name, value)


def write_seed(path: Path, tokenizer, seed: Seed) -> None:
    """Write ``seed`` (made with spaCy's ``tokenizer``) as arrays; no pickle."""
    if any(not k or any(c.isspace() for c in k) for k in seed.keys):
        raise ValueError("seed chunks are free of whitespace: they are stored joined by line breaks")
    bits = sum(flag.astype(np.uint8) << j for j, flag in enumerate(seed.flags))
    np.savez_compressed(
        path, fingerprint=np.frombuffer(fingerprint(tokenizer).encode(), dtype=np.uint8),
        chunks=np.frombuffer("\n".join(seed.keys).encode("utf-8"), dtype=np.uint8),
        chunk_tokens=seed.chunk_tokens.astype(np.int32), start=seed.start.astype(np.int32),
        length=seed.length.astype(np.int32), first=seed.first.astype(np.uint32),
        lower=seed.lower.astype(np.uint64), flags=np.asarray(bits, dtype=np.uint8))


_read: dict[tuple[Path, str], Seed | None] = {}


def read_seed(tokenizer, path: Path = SEED_PATH) -> Seed | None:
    """The seed at ``path`` when it was made with this spaCy and ``tokenizer``'s settings, else
    None (also when it is missing or unreadable). Read once per process."""
    key = (Path(path), fingerprint(tokenizer))
    if key not in _read:
        _read[key] = _load(Path(path), key[1])
    return _read[key]


def _load(path: Path, expected: str) -> Seed | None:
    try:
        with np.load(path, allow_pickle=False) as arrays:
            if arrays["fingerprint"].tobytes().decode() != expected:
                return None
            chunks = arrays["chunks"].tobytes().decode("utf-8")
            columns = {name: arrays[name] for name in ("chunk_tokens", "start", "length", "first", "lower", "flags")}
        bits = columns["flags"]
        seed = Seed(chunks.split("\n") if chunks else [], columns["chunk_tokens"].astype(np.int64),
                    columns["start"].astype(np.int64), columns["length"].astype(np.int64),
                    columns["first"].astype(np.uint32), columns["lower"].astype(np.uint64),
                    tuple((bits >> j) & 1 == 1 for j in range(len(FLAGS))))
    except (OSError, EOFError, KeyError, ValueError, TypeError, UnicodeDecodeError, zipfile.BadZipFile):
        return None  # a damaged file: the chunks are tokenized as met
    for array in (seed.chunk_tokens, seed.start, seed.length, seed.first, seed.lower, *seed.flags,
                  seed.chunk_row, seed.head, seed.last):
        array.flags.writeable = False  # shared by every tokenizer of the process
    return seed
