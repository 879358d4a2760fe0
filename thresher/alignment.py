"""Word alignment between blocks and a reference text (a benchmark's main content)."""

from __future__ import annotations

import re

from .blocks import Block

_WORD = re.compile(r"\w+")
SHINGLE = 3  # words per shingle: long enough to be specific, short enough for short blocks
MIN_SHARE = 0.5  # a block is content when at least half its shingles are in the reference


def _shingles(words: list[str], size: int) -> list[tuple[str, ...]]:
    if len(words) < size:
        return [tuple(words)] if words else []
    return [tuple(words[i: i + size]) for i in range(len(words) - size + 1)]


def content_mask(blocks: list[Block], reference: str) -> list[bool]:
    """Which blocks hold reference text: derive content/boilerplate labels for training.

    A block of three words or more is content when most of its word trigrams
    occur in the reference. Shorter blocks ("Home", "Share") occur everywhere,
    so they count only where their words occur in the reference *and* a
    neighbouring block is content.

    Examples
    --------
    >>> from thresher.blocks import Block
    >>> bl = [Block(0, "Home"), Block(1, "The cat sat on the mat."), Block(2, "Share this")]
    >>> content_mask(bl, "The cat sat on the mat. Then it slept.")
    [False, True, False]
    """
    ref_words = _WORD.findall(reference.lower())
    trigrams = set(_shingles(ref_words, SHINGLE))
    vocabulary = set(ref_words)
    ref_norm = " " + " ".join(ref_words) + " "
    mask: list[bool | None] = []
    for block in blocks:
        words = _WORD.findall(block.text.lower())
        if len(words) >= SHINGLE:
            grams = _shingles(words, SHINGLE)
            mask.append(sum(g in trigrams for g in grams) / len(grams) >= MIN_SHARE)
        elif words and all(w in vocabulary for w in words) and f" {' '.join(words)} " in ref_norm:
            mask.append(None)  # decided by the neighbours below
        else:
            mask.append(False)
    out = []
    for i, value in enumerate(mask):
        if value is None:
            near = [mask[j] for j in (i - 2, i - 1, i + 1, i + 2) if 0 <= j < len(mask)]
            value = any(v is True for v in near)
        out.append(bool(value))
    return out
