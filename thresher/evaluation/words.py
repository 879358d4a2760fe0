"""Word-level labels: align the gold blocks' words with a system's blocks' words.

Two segmentations of one page cut the same text at different places, and a
system may drop or add text. Scoring per word, each word carrying its block's
label, makes those differences cost what they weigh: the normalised word
sequences are aligned (``difflib``, no junk heuristic), aligned words compare
their labels, a gold word the system does not have counts as predicted
boilerplate (it was not extracted), and a system word the gold does not have
counts as gold boilerplate (it is not part of the labeled article).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

MISSING = "boilerplate"  # the label of a word one side does not have
_WORD = re.compile(r"\w+")


def word_labels(blocks: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The case-folded ``\\w+`` words of ``(text, label)`` blocks, and each word's block label.

    Examples
    --------
    >>> word_labels([("The Cat.", "quote"), ("Home", "boilerplate")])
    (['the', 'cat', 'home'], ['quote', 'quote', 'boilerplate'])
    """
    words: list[str] = []
    labels: list[str] = []
    for text, label in blocks:
        found = _WORD.findall(text.casefold())
        words += found
        labels += [label] * len(found)
    return words, labels


def align_words(gold: Sequence[tuple[str, str]], predicted: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """One ``(gold label, predicted label)`` pair per word of either side, in page order.

    Parameters
    ----------
    gold, predicted : ``(text, label)`` blocks in page order.

    Returns
    -------
    gold_labels, predicted_labels : equal-length lists; unmatched words take
        ``MISSING`` on the side that lacks them.

    Examples
    --------
    >>> g = [("A b c", "news_body"), ("d e", "quote")]
    >>> p = [("A b", "news_body"), ("c d e", "quote"), ("Share", "news_body")]
    >>> align_words(g, p)
    (['news_body', 'news_body', 'news_body', 'quote', 'quote', 'boilerplate'], \
['news_body', 'news_body', 'quote', 'quote', 'quote', 'news_body'])
    """
    g_words, g_labels = word_labels(gold)
    p_words, p_labels = word_labels(predicted)
    # integer codes: SequenceMatcher hashes them faster than strings
    codes: dict[str, int] = {}
    a = [codes.setdefault(w, len(codes)) for w in g_words]
    b = [codes.setdefault(w, len(codes)) for w in p_words]
    out_gold: list[str] = []
    out_predicted: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out_gold += g_labels[i1:i2]
            out_predicted += p_labels[j1:j2]
            continue
        out_gold += g_labels[i1:i2] + [MISSING] * (j2 - j1)
        out_predicted += [MISSING] * (i2 - i1) + p_labels[j1:j2]
    return out_gold, out_predicted
