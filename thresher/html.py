"""HTML page → ordered blocks with their DOM context (jusText's ParagraphMaker job)."""

from __future__ import annotations

import functools
import re
import sys
from itertools import repeat

from lxml import etree

from .blocks import Block
from .errors import EmptyInputError, LimitExceededError
from .options import MAX_BLOCKS_DEFAULT

try:  # the walk in C (optional, built at install): the Python walk below is its reference
    from . import _htmlwalk
except ImportError:
    _htmlwalk = None
try:  # class/id tokens of ASCII text in C (optional): _attr_tokens_re is its reference
    from ._features import attr_tokens_ascii as _attr_tokens_ascii
except ImportError:
    _attr_tokens_ascii = None

# Elements that start and end a block of text.
BLOCK_TAGS = frozenset(
    """address article aside blockquote body center dd details dialog dir div dl dt
    fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr
    html legend li main menu nav ol p pre section summary table tbody td tfoot th thead
    tr ul caption""".split()
)
# Elements whose text is never page text.
# noscript is kept: some sites (Discourse) serve their whole text inside it.
SKIP_TAGS = (
    "script", "style", "template", "svg", "math", "iframe", "object",
    "embed", "canvas", "select", "textarea", "head", "link", "meta", "input",
)
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
HIDDEN_TOKEN = "hiddenattr"  # marks hidden elements; kept, since scripts often reveal them
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"[a-z][a-z0-9]*")
_CAMEL = re.compile(r"([a-z])([A-Z])")
MAX_ATTR_TOKENS = 24
MAX_ANCESTORS = 12  # block ancestors remembered per block for the prose-share signals
ANCESTOR_LEVELS = 3  # block ancestors whose prose share becomes a feature


# Tags kept when a page nests too deeply for libxml2 (depth 2048): the rest are flattened.
_FLATTEN = re.compile(r"</?(?!(?:p|br|li|h[1-6]|a|title|meta|html|head|body|script|style)\b)[a-zA-Z][^>]{0,2000}>")


def parse_html(text: str, *, utf8: bytes | None = None) -> etree._Element:
    """Parse (possibly broken) HTML into an lxml tree; never recurses in Python.

    libxml2 stops at 2,048 nested elements and drops what is deeper; such a
    page is parsed again with its container tags flattened, so no text is lost.
    ``utf8`` is the text's UTF-8 encoding when the caller has it (not made again).
    """
    root, too_deep = _parse(text.encode("utf-8", "surrogatepass") if utf8 is None else utf8)
    if too_deep:
        root, _ = _parse(_FLATTEN.sub(" ", text).encode("utf-8", "surrogatepass"))
    if root is None:
        raise EmptyInputError("no HTML content")
    return root


def _parse(data: bytes) -> tuple[etree._Element | None, bool]:
    # plain etree elements: lxml.html's element-class lookup costs a call per node; no table of the
    # page's id attributes, which nothing looks up
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, default_doctype=False, huge_tree=True,
        collect_ids=False,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise EmptyInputError(f"no HTML content: {exc}") from exc
    too_deep = any("Excessive depth" in e.message for e in parser.error_log if e.level_name == "FATAL")
    return root, too_deep


def page_title(root: etree._Element) -> str:
    """The page's title: ``og:title`` when present, else ``<title>``."""
    for meta in root.iterfind(".//meta[@property='og:title']"):
        content = (meta.get("content") or "").strip()
        if content:
            return _SPACE.sub(" ", content)
    node = root.find(".//title")
    if node is not None and node.text:
        return _SPACE.sub(" ", node.text).strip()
    return ""


# Inline elements: their text joins the enclosing block's. Unwrapping them in C before
# the walk leaves the Python loop only block elements to visit (about 3x fewer events).
INLINE_TAGS = (
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font",
    "i", "img", "ins", "kbd", "label", "mark", "nobr", "picture", "q", "s", "samp", "small", "source",
    "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
)
# Link text is marked through the unwrapping with two private-use characters (removed from the input first).
LINK_START, LINK_END = "\ue001", "\ue002"
_LINK_MARKS = re.compile("[\ue001\ue002]")
_INVISIBLE = " \t\n\r\f\v\u00a0\ue001\ue002"


# texts holding a link mark that the page wrote itself (a character reference: the literal marks are
# removed from the page before parsing)
_MARKED_TEXTS = etree.XPath("//text()[contains(., '\ue001') or contains(., '\ue002')]")
# links not inside another link: a text inside nested links is marked once, as a page of a thousand
# nested links would otherwise hold a thousand marks around each of its texts
_OUTER_LINKS = etree.XPath("//a[not(ancestor::a)]")


def clean_tree(root: etree._Element) -> None:
    """Drop non-text elements and unwrap inline ones in place (text and tails are kept).

    The text must be as ``decoding.clean_characters`` leaves it (as ``split_page`` gives it): lxml
    refuses to set a text holding a control character."""
    etree.strip_elements(root, *SKIP_TAGS, with_tail=False)
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for text in _MARKED_TEXTS(root):
        parent = text.getparent()
        if text.is_tail:
            parent.tail = _LINK_MARKS.sub("", parent.tail)
        else:
            parent.text = _LINK_MARKS.sub("", parent.text)
    for link in _OUTER_LINKS(root):
        # every text piece inside the link is marked, so a link holding blocks (cards) still counts
        for node in link.iter():
            if node.text:
                node.text = LINK_START + node.text + LINK_END
            if node is not link and node.tail:
                node.tail = LINK_START + node.tail + LINK_END
    etree.strip_tags(root, *INLINE_TAGS)


def _attr_text(element: etree._Element) -> str:
    raw = element.get("class", "") + " " + element.get("id", "")
    style = element.get("style")
    if element.get("hidden") is not None or element.get("aria-hidden") == "true" or (
        style and _DISPLAY_NONE.search(style)
    ):
        raw += " " + HIDDEN_TOKEN
    return raw


ATTR_CHARS = 300  # class and id text read (the C walk truncates its cache keys to it too)


def attr_tokens(raw: str) -> tuple[str, ...]:
    """Lower-cased word tokens of class and id text (``mainNav`` → main, nav)."""
    if _attr_tokens_ascii is not None:
        found = _attr_tokens_ascii(raw, ATTR_CHARS)  # None unless raw is ASCII
        if found is not None:
            return found
    return _attr_tokens_re(raw)


def _attr_tokens_re(raw: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(_CAMEL.sub(r"\1 \2", raw[:ATTR_CHARS]).lower()))


class _Maker:
    """Collects blocks while walking the tree once (start/end events)."""

    def __init__(self, tree: etree._ElementTree, max_blocks: int) -> None:
        self.tree = tree
        self.max_blocks = max_blocks
        self.blocks: list[Block] = []
        self.ancestry: list[tuple[int, ...]] = []  # per block: ids of block ancestors, nearest first
        self.pieces: list[str] = []
        self.holder = None  # (element, node id, xpath) of the open block when text started
        self.open_blocks: list[tuple[etree._Element, int, str]] = []
        self.open_ids: list[int] = []
        self.path: list[str] = []
        # per open element: its xpath and, for its children, the tag counts seen and in all;
        # lxml's getpath() counts siblings on every call, quadratic on a page of 100,000 <p>
        self.frames: list[tuple[etree._Element | None, str, dict[str, int], dict[str, int]]] = [(None, "", {}, {})]
        # per open element: its tokens followed by its ancestors', nearest first, capped
        self.tokens: list[tuple[str, ...]] = [()]
        self.token_cache: dict[str, tuple[str, ...]] = {"": ()}
        self.brs = 0
        self.next_id = 0

    def add(self, text: str | None) -> None:
        if not text:
            return
        visible = text.strip(_INVISIBLE)
        if not self.pieces and not visible:
            return
        if self.holder is None and self.open_blocks:
            self.holder = self.open_blocks[-1]
        self.pieces.append(text)
        if visible:
            self.brs = 0

    def flush(self) -> None:
        if not self.pieces:
            return
        raw = "".join(self.pieces)
        self.pieces = []
        text, link_chars = _text_and_links(raw)
        holder = self.holder
        self.holder = None
        if not text:
            return
        if len(self.blocks) >= self.max_blocks:
            raise LimitExceededError(f"more than {self.max_blocks} blocks (max_blocks)")
        element, _, xpath = holder if holder else (None, -1, "")
        depth = len(self.path)
        self.blocks.append(
            Block(
                index=len(self.blocks),
                text=text,
                kind="html",
                tag=element.tag if element is not None else "body",
                dom_path="/".join(self.path[-8:]),
                xpath=xpath,
                attr_tokens=self.tokens[-1],
                link_chars=link_chars,
                depth=depth,
            )
        )
        self.ancestry.append(tuple(self.open_ids[: -MAX_ANCESTORS - 1: -1]))

    def _enter(self, element: etree._Element, tag: str) -> str:
        """Push the element's frame; return its positional xpath, written as lxml's getpath()."""
        parent, parent_path, seen, totals = self.frames[-1]
        seen[tag] = index = seen.get(tag, 0) + 1
        total = totals.get(tag)
        if total is None:
            total = totals[tag] = sum(1 for _ in parent.iterchildren(tag)) if parent is not None else 1
        xpath = f"{parent_path}/{tag}" if total == 1 else f"{parent_path}/{tag}[{index}]"
        self.frames.append((element, xpath, {}, {}))
        return xpath

    def _flush_at_br(self, element: etree._Element) -> None:
        """Flush as if inside the <br> (its path and class tokens), as the features were learned."""
        raw = _attr_text(element) if element.attrib else ""
        tokens = attr_tokens(raw) if raw else ()
        self.path.append("br")
        self.tokens.append((tokens + self.tokens[-1])[:MAX_ATTR_TOKENS] if tokens else self.tokens[-1])
        self.flush()
        self.tokens.pop()
        self.path.pop()

    def walk(self, root: etree._Element) -> None:
        for event, element in etree.iterwalk(root, events=("start", "end")):
            tag = element.tag
            if not isinstance(tag, str):
                continue
            if tag == "br":  # void: no children, no block, no xpath; a page may hold a million
                if event == "end":
                    self.add(element.tail)
                    continue
                self.brs += 1
                if self.brs >= 2:  # <br><br> separates paragraphs, as in jusText
                    self._flush_at_br(element)
                else:
                    self.add("\n")
                continue
            if event == "start":
                self.path.append(tag)
                xpath = self._enter(element, tag)
                raw = _attr_text(element) if element.attrib else ""
                tokens = self.token_cache.get(raw)
                if tokens is None:
                    tokens = self.token_cache[raw] = attr_tokens(raw)
                self.tokens.append((tokens + self.tokens[-1])[:MAX_ATTR_TOKENS] if tokens else self.tokens[-1])
                if tag in BLOCK_TAGS:
                    self.flush()
                    self.open_blocks.append((element, self.next_id, xpath))
                    self.open_ids.append(self.next_id)
                    self.next_id += 1
                self.add(element.text)
            else:
                if tag in BLOCK_TAGS:
                    self.flush()
                    if self.open_blocks:
                        self.open_blocks.pop()
                        self.open_ids.pop()
                self.path.pop()
                self.frames.pop()
                self.tokens.pop()
                self.add(element.tail)
        self.flush()


def _text_and_links(raw: str) -> tuple[str, int]:
    """A block's text, whitespace collapsed, and how many of its characters are link text."""
    if LINK_START in raw or LINK_END in raw:
        return _split_links(raw)
    return _SPACE.sub(" ", raw).strip(), 0


def c_walk_usable() -> bool:
    """Whether the C walk was built against this lxml's major version and the libxml2 (major.minor)
    this lxml was compiled with: it reads their node structs in place."""
    if _htmlwalk is None:
        return False
    built_lxml = int(_htmlwalk.LXML_VERSION.split(".")[0])
    built_libxml = divmod(_htmlwalk.LIBXML_VERSION // 100, 100)
    return built_lxml == etree.LXML_VERSION[0] and built_libxml == etree.LIBXML_COMPILED_VERSION[:2]


_C_WALK = c_walk_usable()
# class/id texts and styles repeat across a site's pages: their results are kept, within a bound on
# entries and on each key's size (the C walk passes class/id text cut to ATTR_CHARS, all attr_tokens reads)
_attr_tokens_cached = functools.lru_cache(maxsize=16384)(attr_tokens)
MAX_CACHED_STYLE = 256


def _hidden_style(style: str) -> bool:
    if len(style) > MAX_CACHED_STYLE:  # a hostile page's megabyte styles are not kept
        return _DISPLAY_NONE.search(style) is not None
    return _hidden_short_style(style)


@functools.lru_cache(maxsize=4096)
def _hidden_short_style(style: str) -> bool:
    return _DISPLAY_NONE.search(style) is not None


def walk_tree(root: etree._Element, max_blocks: int) -> tuple[list[Block], list[tuple[int, ...]]]:
    """The blocks of a tree that ``clean_tree`` cleaned and, per block, the ids of its block
    ancestors (nearest first).

    The tree must not change during the walk (it is the caller's own). The C walk takes the page
    when it was built for this lxml and knows every node of the tree; otherwise the Python walk
    does, with the same result (``tests/test_htmlwalk.py``).
    """
    found = _c_walk(root, max_blocks)
    return found if found is not None else _python_walk(root, max_blocks)


def _python_walk(root: etree._Element, max_blocks: int) -> tuple[list[Block], list[tuple[int, ...]]]:
    """The Python walk of a cleaned tree: the C walk's reference and fallback."""
    maker = _Maker(etree.ElementTree(root), max_blocks)
    maker.walk(root)  # iterwalk is iterative: no Python recursion however deep the page
    return maker.blocks, maker.ancestry


def _c_walk(root: etree._Element, max_blocks: int, *, raw: bool = False
            ) -> tuple[list[Block], list[tuple[int, ...]]] | None:
    """The C walk's blocks and ancestry, or None when it does not take the page. It reads a tree
    as ``clean_tree`` would leave it (skipped elements passed, inline ones unwrapped, link text
    marked), so a parsed tree (``raw``: the link marks in its text are the page's own, and go)
    needs no cleaning first, and a cleaned one reads the same."""
    if not (_C_WALK and _htmlwalk is not None and isinstance(max_blocks, int)):
        return None
    limit = min(max_blocks, sys.maxsize)  # the same limit, as a C size
    rows = _htmlwalk.walk(root, limit, _attr_tokens_cached, _hidden_style, LimitExceededError, raw)
    if rows is None:
        return None
    # positional: Block's fields in order (index, text, kind, tag, dom_path, xpath, attr_tokens,
    # link_chars, depth), a third faster than keywords on a page's hundreds of blocks
    blocks = [Block(index, text, "html", tag, dom_path, xpath, tokens, link_chars, depth)
              for index, (text, link_chars, tag, dom_path, xpath, tokens, depth, _) in enumerate(rows)]
    return blocks, [row[7] for row in rows]


def _split_links(raw: str) -> tuple[str, int]:
    """Collapse whitespace, count the characters inside link marks, drop the marks."""
    text = _SPACE.sub(" ", raw).strip()
    link_chars = 0
    depth = 0
    for part in re.split("([\ue001\ue002])", text):
        if part == LINK_START:
            depth += 1
        elif part == LINK_END:
            depth = max(depth - 1, 0)
        elif depth:
            link_chars += len(part.strip())
    return _SPACE.sub(" ", _LINK_MARKS.sub("", text)).strip(), link_chars


def html_blocks(text: str, *, max_blocks: int = MAX_BLOCKS_DEFAULT, utf8: bytes | None = None
                ) -> tuple[list[Block], str]:
    """Segment an HTML page into blocks; return ``(blocks, page_title)``.

    Parameters
    ----------
    text : the decoded HTML, as ``decoding.clean_characters`` leaves it (``split_page`` cleans first).
    max_blocks : refuse pages with more blocks than this.
    utf8 : ``text.encode("utf-8")`` when the caller has it (``decoding.clean_characters_utf8``'s).

    Examples
    --------
    >>> blocks, title = html_blocks("<title>T</title><p>One <a href=x>two</a>.</p><li>Three")
    >>> [(b.tag, b.text, b.link_chars) for b in blocks]
    [('p', 'One two.', 3), ('li', 'Three', 0)]
    """
    if LINK_START in text or LINK_END in text:
        text, utf8 = _LINK_MARKS.sub("", text), None
    root = parse_html(text, utf8=utf8)
    title = page_title(root)
    found = _c_walk(root, max_blocks, raw=True)  # the parsed tree, read as if cleaned
    if found is None:  # a node the C walk does not read (or no C walk): cleaned, for Python's
        clean_tree(root)
        found = _python_walk(root, max_blocks)
    blocks, ancestry = found
    add_prose_shares(blocks, ancestry)
    return blocks, title


def prose_weight(block: Block) -> float:
    """How much a block looks like article prose: long, punctuated, few links."""
    n = len(block.text)
    if n < 40 or block.link_density > 0.5:
        return 0.0
    punct = block.text.count(".") + block.text.count(",")
    return n * (1.0 - block.link_density) * (1.0 if punct else 0.3)


def add_prose_shares(blocks: list[Block], ancestry: list[tuple[int, ...]]) -> None:
    """Give each block the prose share of its ancestors and of the page's best container."""
    if _C_WALK and _htmlwalk is not None and _htmlwalk.prose_shares(blocks, ancestry, ANCESTOR_LEVELS):
        return  # the same sums in C (switched with the C walk, so that tests compare whole paths)
    weights = [prose_weight(b) for b in blocks]
    total = 0.0
    for weight in weights:  # left to right, as the C loop adds them (sum() compensates from Python 3.12)
        total += weight
    total = total or 1.0
    sums: dict[int, float] = {}
    scores: dict[int, float] = {}
    for weight, ancestors in zip(weights, ancestry):
        if not weight:
            continue
        for node_id in ancestors:
            sums[node_id] = sums.get(node_id, 0.0) + weight
        # readability: a paragraph credits its parent fully, its grandparent by half
        for k, node_id in enumerate(ancestors[1:4]):
            scores[node_id] = scores.get(node_id, 0.0) + weight * (1.0, 0.5, 0.25)[k]
    best = max(scores.values(), default=0.0) or 1.0
    share_of, score_of = sums.get, scores.get
    for block, ancestors in zip(blocks, ancestry):
        # map over the dicts' get: no generator frame per block (a page has thousands of blocks)
        shares = [value / total for value in map(share_of, ancestors[: ANCESTOR_LEVELS + 1], repeat(0.0))]
        shares += [shares[-1] if shares else 0.0] * (ANCESTOR_LEVELS + 1 - len(shares))
        block.shares = tuple(shares)
        block.best_share = max(map(score_of, ancestors, repeat(0.0)), default=0.0) / best
