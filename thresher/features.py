"""Block features: one numeric row per block, with readable names.

Two sets, both pure functions of the blocks:

* ``local_features`` describes a block alone and its place in the DOM (the
  first, context-free pass reads these);
* ``context_features`` describes a block's neighbours through their
  first-pass content scores (the second pass reads these, as jusText's revision
  reads its neighbours' classes);
* ``content_document`` is the text the content word model reads of a block (its
  score is a learned column the model adds to both passes).

``FEATURE_SET`` names what these functions compute; a model records it and
refuses to run with another. Change a feature → bump the version.
"""

from __future__ import annotations

import functools
import math
import re
from functools import reduce
from itertools import repeat
from operator import itemgetter, or_

import numpy as np

from .blocks import Block
from .stopwords import STOPWORDS

try:  # the scans in C (optional, built at install): the Python below is their reference
    from . import _features as _scans
except ImportError:
    _scans = None
_local_rows = getattr(_scans, "local_rows", None)  # local_features in one pass over the blocks
_context_rows = getattr(_scans, "context_rows", None)  # context_features' block-by-block columns
_page_words = getattr(_scans, "page_words", None)  # _topic_words' ids

FEATURE_SET = "block_features.v1"
# DOM features of a text page: a value no real feature takes (all are >= 0).
# Not NaN: a column that is NaN throughout breaks HistGradientBoosting's binning.
NOT_APPLICABLE = -1.0

_WORD = re.compile(r"\w+", re.U)
_NUMBER = re.compile(r"\d[\d,.]*")
# The lookaheads below name the characters a match can start with (under the same flags): the same
# matches, but the engine skips other positions at once, which halves the cost on long prose.
_COPYRIGHT = re.compile(r"(?=[©ac(])(?:©|\bcopyright\b|all rights reserved|\(c\)\s*\d{4})", re.I)
_TERMINAL = (".", "!", "?", '"', "”", "’", ":", ")")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]?\s+[A-Z“\"]")
_BOILER_PHRASE = re.compile(
    r"\b(?=[abcflnprsty])(?:read more|click here|sign up|subscribe|log ?in|sign in|cookies?|newsletter|share this|"
    r"follow us|all rights|privacy policy|terms of (?:use|service)|skip to|back to top|"
    r"related (?:articles|posts|stories)|advertisement|read now|learn more|contact us|"
    r"you may also like|recommended|trending|comments?)\b",
    re.I,
)

# class/id token groups: a block under an element named like this is likely…
TOKEN_GROUPS: dict[str, frozenset[str]] = {
    "nav": frozenset("nav navbar navigation menu menubar topnav subnav breadcrumb breadcrumbs crumbs pagination pager dropdown megamenu skip".split()),
    "header": frozenset("header masthead banner topbar toolbar brand logo".split()),
    "footer": frozenset("footer foot bottom copyright colophon legal".split()),
    "side": frozenset("sidebar side aside widget widgets rail secondary complementary".split()),
    "comment": frozenset("comment comments reply replies respond discussion disqus".split()),
    "social": frozenset("share sharing social follow facebook twitter linkedin pinterest whatsapp email print".split()),
    "related": frozenset("related recommended recommend popular trending more teaser teasers promo promoted outbrain taboola most read next prev previous".split()),
    "ad": frozenset("ad ads advert advertisement advertising sponsor sponsored dfp banner gpt adslot".split()),
    "consent": frozenset("cookie cookies consent gdpr privacy modal popup overlay newsletter subscribe subscription signup paywall".split()),
    "meta": frozenset("meta byline author date time dateline published timestamp tags tag category categories label".split()),
    "caption": frozenset("caption figcaption credit credits photo image img figure media gallery".split()),
    "article": frozenset("article post entry story blog hentry single".split()),
    "body": frozenset("content body text main prose richtext rte paragraph copy detail details description".split()),
    "title": frozenset("title headline heading h1 hed".split()),
    "form": frozenset("form search login signin register input field button btn".split()),
    "list": frozenset("list items item grid card cards tile tiles feed".split()),
    "hidden": frozenset("hiddenattr hidden collapse collapsed".split()),
}
_GROUP_NAMES = tuple(TOKEN_GROUPS)
NEAR_TOKENS = 6  # tokens of the nearest ancestors count as "near"
RATIO_SAMPLE_CHARS = 1000  # character shares (digits, capitals) are read on a block's first 1,000
RATIO_SAMPLE_WORDS = 200  # word shares (stop words, capitals, length) on its first 200 words
# No feature reads past a block's first 20,000 characters: no training block is that long,
# and a hostile 10 MB paragraph must cost milliseconds, not seconds.
MAX_ANALYSED_CHARS = 20_000

_TAG_GROUPS = {
    "p": "p", "li": "li", "dd": "li", "dt": "li", "h1": "h1", "h2": "h2", "h3": "h2", "h4": "h4",
    "h5": "h4", "h6": "h4", "td": "td", "th": "td", "caption": "td", "div": "div", "section": "div",
    "article": "div", "main": "div", "body": "div", "pre": "pre", "blockquote": "blockquote",
    "figcaption": "figcaption", "figure": "figcaption", "line": "line", "para": "line",
}
_TAG_NAMES = tuple(sorted(set(_TAG_GROUPS.values()))) + ("other",)
_PATH_TAGS = (
    "article", "main", "nav", "header", "footer", "aside", "form", "li", "table", "blockquote", "a",
    "button", "label", "time", "strong", "noscript",
)

LOCAL_NAMES: tuple[str, ...] = (
    ("log_chars", "log_words", "mean_word_len", "link_density", "stopword_density", "punct_density",
     "comma_per_word", "digit_share", "upper_share", "titlecase_share", "ends_terminal", "sentences",
     "has_copyright", "boiler_phrases", "is_title", "is_html", "depth", "relative_index",
     "relative_offset", "log_blocks", "share_of_page", "prose_share_0", "prose_share_1",
     "prose_share_2", "prose_share_3", "best_share", "same_text_count", "short_run")
    + tuple(f"tag_{t}" for t in _TAG_NAMES)
    + tuple(f"in_{t}" for t in _PATH_TAGS)
    + tuple(f"near_{g}" for g in _GROUP_NAMES)
    + tuple(f"far_{g}" for g in _GROUP_NAMES)
)
CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)
CONTEXT_NAMES: tuple[str, ...] = (
    tuple(f"p_content_{o:+d}" for o in CONTEXT_OFFSETS)
    + ("p_content_self", "p_window_5", "p_window_15", "p_page_mean", "p_before_max", "p_after_max",
       "p_same_parent", "p_content_rank", "topic_similarity", "title_overlap", "page_prose_share")
)


def _block_row(block: Block, words: list[str]) -> list[float]:
    text = block.text[:MAX_ANALYSED_CHARS]
    n_chars = len(text)
    n_words = len(words)
    # shares are read on the block's start: they settle long before, and long blocks are costly
    sample = text[:RATIO_SAMPLE_CHARS]
    some_words = words[:RATIO_SAMPLE_WORDS]
    n_sample = len(sample) or 1
    n_some = len(some_words) or 1
    letters, digits, capitals = _char_counts(sample)
    html = block.kind == "html"
    nan = NOT_APPLICABLE
    return [
        math.log1p(len(block.text)),
        math.log1p(n_words),
        sum(map(len, some_words)) / n_some,
        block.link_density if html else nan,
        sum(map(STOPWORDS.__contains__, map(str.lower, some_words))) / n_some,
        sum(map(text.count, ".,;:!?")) / n_chars if n_chars else 0.0,
        text.count(",") / n_words if n_words else 0.0,
        digits / n_sample,
        capitals / (letters or 1),
        sum(map(str.isupper, map(itemgetter(0), some_words))) / n_some,  # words are never empty
        float(text.endswith(_TERMINAL)),
        float(len(_SENTENCE_END.findall(text)) + 1),
        float(bool(_COPYRIGHT.search(text))),
        float(len(_BOILER_PHRASE.findall(text))),
        float(block.is_title),
        float(html),
        float(block.depth) if html else nan,
    ]


_ASCII_LETTERS = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))
_ASCII_DIGITS = b"0123456789"
_ASCII_CAPITALS = bytes(range(ord("A"), ord("Z") + 1))
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _char_counts(text: str) -> tuple[int, int, int]:
    """Letters, digits and capitals of ``text``, as ``str.isalpha``, ``isdigit`` and ``isupper`` count them.

    On ASCII those are the classes ``[A-Za-z]``, ``[0-9]`` and ``[A-Z]``: deleting a class from the
    bytes counts it at C speed. The few other characters are tested one by one.
    """
    ascii_part = text.encode("ascii", "ignore")
    n = len(ascii_part)
    letters = n - len(ascii_part.translate(None, _ASCII_LETTERS))
    digits = n - len(ascii_part.translate(None, _ASCII_DIGITS))
    capitals = n - len(ascii_part.translate(None, _ASCII_CAPITALS))
    if not text.isascii():
        others = "".join(_NOT_ASCII.findall(text))
        letters += sum(map(str.isalpha, others))
        digits += sum(map(str.isdigit, others))
        capitals += sum(map(str.isupper, others))
    return letters, digits, capitals


def local_features(blocks: list[Block]) -> np.ndarray:
    """The context-free feature matrix, one row per block, columns ``LOCAL_NAMES``."""
    n = len(blocks)
    rows = np.zeros((n, len(LOCAL_NAMES)), dtype=np.float64)
    if not n:
        return rows
    if _local_rows is not None:  # the same rows, to the bit (tests/test_features_c.py)
        _local_rows(blocks if isinstance(blocks, list) else list(blocks), rows, _LOCAL_CONFIG)
        return rows
    lengths = np.array([len(b.text) for b in blocks], dtype=np.float64)
    total = lengths.sum() or 1.0
    counts: dict[str, int] = {}
    for b in blocks:
        counts[b.text] = counts.get(b.text, 0) + 1
    nan = NOT_APPLICABLE
    html = np.array([b.kind == "html" for b in blocks])
    # one block's words at a time: a 40 MB page's word lists all at once would cost 400 MB
    n_words = []
    block_rows = []
    for b in blocks:
        words = _WORD.findall(b.text[:MAX_ANALYSED_CHARS])
        n_words.append(len(words))
        block_rows.append(_block_row(b, words))
    rows[:, :17] = block_rows
    rows[:, 17] = np.arange(n) / max(n - 1, 1)
    rows[:, 18] = (np.cumsum(lengths) - lengths) / total
    rows[:, 19] = math.log1p(n)
    rows[:, 20] = lengths / total
    rows[:, 21:25] = [(b.shares or (nan,) * 4)[:4] for b in blocks]
    rows[:, 25] = [b.best_share if h else nan for b, h in zip(blocks, html)]
    rows[:, 26] = [math.log1p(counts[b.text] - 1) for b in blocks]
    rows[:, 27] = _short_runs(n_words)
    tag_col = _TAG_COLUMN
    path_col = tag_col + len(_TAG_NAMES)
    other = _TAG_INDEX["other"]
    rows[np.arange(n), [tag_col + _TAG_INDEX.get(_TAG_GROUPS.get(b.tag, "other"), other) for b in blocks]] = 1.0
    rows[:, path_col:] = nan
    html_at = np.flatnonzero(html)
    if len(html_at):
        # a page's blocks share few paths and class lists: each distinct one is read once, as three
        # bit masks (in_*, near_*, far_*) that numpy spreads into the columns
        keys = [(blocks[i].dom_path, blocks[i].attr_tokens) for i in html_at.tolist()]
        dom = {key: _dom_masks(*key) for key in set(keys)}
        masks = np.array([dom[key] for key in keys], dtype=np.int64)
        rows[html_at, path_col:] = np.concatenate(
            [(masks[:, [k]] >> np.arange(width)) & 1 for k, width in enumerate(_DOM_WIDTHS)], axis=1)
    return rows


CONTENT_DOCUMENT_CHARS = 1000  # the words a block opens with say what it is; the rest costs time


def content_document(block: Block) -> str:
    """What the content word model reads of a block: its first words, then its tag and class/id
    tokens as pseudo-words (``attr_review``), so that names like "review" or "shipping" count
    wherever they appear."""
    text, end = content_document_parts(block)
    return f"{text} {end}"


def content_document_parts(block: Block) -> tuple[str, str]:
    """``content_document``'s two parts, which it joins with a space: the block's first words, and
    its tag and class/id pseudo-words, which the blocks of one container share (the word model
    reads each distinct end once a page)."""
    tokens = "attr_" + " attr_".join(block.attr_tokens) if block.attr_tokens else ""
    return block.text[:CONTENT_DOCUMENT_CHARS], f"tag_{block.tag} {tokens}"


def _dom_masks(dom_path: str, attr_tokens: tuple[str, ...]) -> tuple[int, int, int]:
    """The ``in_*``, ``near_*`` and ``far_*`` columns of an HTML block, as bit masks (bit k: column k)."""
    if len(dom_path) <= MAX_CACHED_PATH:  # a hostile page's long tag names are not kept
        return _cached_dom_masks(dom_path, attr_tokens)
    return _dom_masks_of(dom_path, attr_tokens)


def _dom_masks_of(dom_path: str, attr_tokens: tuple[str, ...]) -> tuple[int, int, int]:
    in_path = 0
    for tag in dom_path.split("/"):
        in_path |= _PATH_BITS.get(tag, 0)
    return (in_path, *_group_bits(attr_tokens))


# the pages of a site, and many sites, repeat their paths and class lists; a key is a path of at
# most MAX_CACHED_PATH characters and at most 24 tokens of at most 300 (html.MAX_ATTR_TOKENS,
# html.ATTR_CHARS), so the cache holds at most about 15 MB
MAX_CACHED_PATH = 256
_cached_dom_masks = functools.lru_cache(maxsize=2048)(_dom_masks_of)


_PATH_BITS = {tag: 1 << k for k, tag in enumerate(_PATH_TAGS)}


_TAG_INDEX = {t: i for i, t in enumerate(_TAG_NAMES)}
_DOM_WIDTHS = (len(_PATH_TAGS), len(_GROUP_NAMES), len(_GROUP_NAMES))  # the three masks' columns
_TOKEN_BITS: dict[str, int] = {}
for _k, _group in enumerate(_GROUP_NAMES):
    for _token in TOKEN_GROUPS[_group]:
        _TOKEN_BITS[_token] = _TOKEN_BITS.get(_token, 0) | (1 << _k)
_TAG_COLUMN = LOCAL_NAMES.index("tag_" + _TAG_NAMES[0])  # local_features' first tag_* column
# what _features.local_rows reads: the limits, stop words, column layout and lookup tables above
_LOCAL_CONFIG = (
    STOPWORDS, MAX_ANALYSED_CHARS, RATIO_SAMPLE_CHARS, RATIO_SAMPLE_WORDS,
    {tag: _TAG_COLUMN + _TAG_INDEX[group] for tag, group in _TAG_GROUPS.items()}, _TAG_COLUMN + _TAG_INDEX["other"],
    _TAG_COLUMN + len(_TAG_NAMES), _PATH_BITS, _TOKEN_BITS, NEAR_TOKENS, len(_PATH_TAGS), len(_GROUP_NAMES),
    NOT_APPLICABLE,
)


def _group_bits(tokens: tuple[str, ...]) -> tuple[int, int]:
    """Bit masks of the token groups met among the nearest tokens and among all of them."""
    bits = list(map(_TOKEN_BITS.get, tokens, repeat(0)))
    near = reduce(or_, bits[:NEAR_TOKENS], 0)
    return near, reduce(or_, bits[NEAR_TOKENS:], near)


def _short_runs(n_words: list[int]) -> list[float]:
    """Length (log) of the run of short blocks a block sits in: menus are long runs."""
    out = [0.0] * len(n_words)
    i = 0
    while i < len(n_words):
        if n_words[i] > 6:
            i += 1
            continue
        j = i
        while j < len(n_words) and n_words[j] <= 6:
            j += 1
        value = math.log1p(j - i)
        for k in range(i, j):
            out[k] = value
        i = j
    return out


def context_features(blocks: list[Block], p_content: np.ndarray) -> np.ndarray:
    """Neighbour features from first-pass content probabilities, columns ``CONTEXT_NAMES``."""
    n = len(blocks)
    out = np.zeros((n, len(CONTEXT_NAMES)), dtype=np.float64)
    if not n:
        return out
    p = np.ascontiguousarray(p_content, dtype=np.float64)
    col = len(CONTEXT_OFFSETS)
    if _context_rows is not None:  # the offsets, windows, maxima, parents and prose share, read in one C pass
        weights, is_title = np.empty(n), np.empty(n, dtype=bool)
        _context_rows(blocks if isinstance(blocks, list) else list(blocks), p, out, weights, is_title)
    else:
        lengths = np.array([len(b.text) for b in blocks], dtype=np.float64)
        weights = np.minimum(lengths, 400.0) + 1.0
        is_title = np.array([b.is_title for b in blocks], dtype=bool)
        for k, offset in enumerate(CONTEXT_OFFSETS):
            shifted = np.full(n, -1.0)  # -1 marks "no neighbour" (page edge)
            if offset < 0:
                shifted[-offset:] = p[:offset]
            else:
                shifted[:-offset] = p[offset:]
            out[:, k] = shifted
        out[:, col] = p
        out[:, col + 1] = _window_mean(p, weights, 5)
        out[:, col + 2] = _window_mean(p, weights, 15)
        before = np.maximum.accumulate(p)
        after = np.maximum.accumulate(p[::-1])[::-1]
        out[1:, col + 4] = before[:-1]
        out[:-1, col + 5] = after[1:]
        out[:, col + 6] = _parent_mean(blocks, p, weights)
        out[:, col + 10] = float((lengths * (p >= 0.5)).sum() / (lengths.sum() or 1.0))
    out[:, col + 3] = float(np.average(p, weights=weights))
    out[:, col + 7] = p.argsort().argsort() / max(n - 1, 1)
    indices, indptr, n_words = _topic_words(blocks)
    pairs = _block_words(indices, indptr, n_words)
    out[:, col + 8] = topic_similarity(indices, indptr, n_words, p * np.log1p(weights), pairs=pairs)
    out[:, col + 9] = title_overlap(is_title, *pairs[:2])
    return out


def _topic_words(blocks: list[Block]) -> tuple[np.ndarray, np.ndarray, int]:
    """Each block's topical words (lower-cased, longer than two characters, no stop words) as ids
    numbered in order of first appearance: (ids block after block, where each block's begin, how many)."""
    texts = [b.text for b in blocks]
    found = _page_words(texts, STOPWORDS, MAX_ANALYSED_CHARS) if _page_words is not None else None
    if found is not None:  # None: words made to collide in C's table; Python's dict numbers them
        ids, indptr, n_words = found
        return np.frombuffer(ids, dtype=np.int64), np.frombuffer(indptr, dtype=np.int64), n_words
    return _word_ids([[w for w in _WORD.findall(t[:MAX_ANALYSED_CHARS].lower()) if len(w) > 2 and w not in STOPWORDS]
                      for t in texts])


def _word_ids(words: list[list[str]]) -> tuple[np.ndarray, np.ndarray, int]:
    vocabulary: dict[str, int] = {}
    indptr, indices = [0], []
    for block_words in words:
        for w in block_words:
            indices.append(vocabulary.setdefault(w, len(vocabulary)))
        indptr.append(len(indices))
    return np.array(indices, dtype=np.int64), np.array(indptr, dtype=np.int64), len(vocabulary)


def _block_words(indices: np.ndarray, indptr: np.ndarray, n_words: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each (block, word) pair once, as (blocks, words, counts): blocks in order, each block's
    words in descending id order."""
    rows = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
    if not n_words:
        return rows, indices, np.zeros(0, dtype=np.int64)
    keys, counts = np.unique(rows * n_words + (n_words - 1 - indices), return_counts=True)
    rows, words = np.divmod(keys, n_words)
    return rows, n_words - 1 - words, counts


def topic_similarity(indices: np.ndarray, indptr: np.ndarray, n_words: int, weights: np.ndarray,
                     pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Cosine similarity of each block's words (``_topic_words``) to the rest of the page's likely content.

    Teasers, product blurbs and sidebars are about other things than the
    article: their words differ from the text the first pass believes in.
    ``pairs`` is ``_block_words``' output when the caller has it.
    """
    n = len(indptr) - 1
    if not n_words:
        return np.zeros(n)
    # each (block, word) pair once with its count, each block's words in descending id order: the
    # order in which scipy's sparse product (used before) added a block's terms, so that the sums,
    # and the scores, are the same to the bit
    rows, words, counts = pairs if pairs is not None else _block_words(indices, indptr, n_words)
    counts = counts.astype(np.float64)
    norms = np.sqrt(np.bincount(rows, weights=counts * counts, minlength=n))
    unit = (1.0 / np.where(norms > 0, norms, 1.0))[rows] * counts
    centroid = np.bincount(words, weights=unit * weights[rows], minlength=n_words)
    dots = np.bincount(rows, weights=unit * centroid[words], minlength=n)  # each block's share of the centroid, itself included
    self_dot = weights * (norms > 0)  # a unit row dotted with its own weighted copy
    rest = dots - self_dot
    rest_norm_sq = centroid @ centroid - 2 * weights * dots + weights**2 * (norms > 0)
    return np.where(rest_norm_sq > 1e-12, rest / np.sqrt(np.maximum(rest_norm_sq, 1e-12)), 0.0)


def title_overlap(is_title: np.ndarray, rows: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Share of the headline's words that a block uses (0 when the page's title blocks have no
    words); ``rows`` and ``words`` are ``_block_words``' distinct pairs."""
    title = np.unique(words[is_title[rows]])
    if not len(title):
        return np.zeros(len(is_title))
    in_title = np.zeros(int(words.max()) + 1, dtype=np.float64)
    in_title[title] = 1.0
    shares = np.bincount(rows, weights=in_title[words], minlength=len(is_title)) / len(title)
    shares[is_title] = 1.0
    return shares


def _window_mean(p: np.ndarray, weights: np.ndarray, radius: int) -> np.ndarray:
    pw = np.concatenate([[0.0], np.cumsum(p * weights)])
    w = np.concatenate([[0.0], np.cumsum(weights)])
    idx = np.arange(len(p))
    lo = np.clip(idx - radius, 0, len(p))
    hi = np.clip(idx + radius + 1, 0, len(p))
    return (pw[hi] - pw[lo]) / (w[hi] - w[lo])


def _parent_mean(blocks: list[Block], p: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Mean first-pass score of the blocks sharing the block's parent element."""
    parents: dict[str, int] = {}
    ids = []
    for i, b in enumerate(blocks):
        xpath = b.xpath
        cut = xpath.rfind("/")  # the parent's xpath: xpath.rsplit("/", 1)[0], without the list
        ids.append(parents.setdefault((xpath[:cut] if cut >= 0 else xpath) if xpath else f"#{i // 8}", len(parents)))
    # bincount adds each parent's terms in block order, as a running sum per parent would
    sums = np.bincount(ids, weights=p * weights, minlength=len(parents))
    totals = np.bincount(ids, weights=weights, minlength=len(parents))
    return (sums / totals)[ids]
