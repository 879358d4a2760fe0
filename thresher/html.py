"""HTML page → ordered blocks with their DOM context (jusText's ParagraphMaker job)."""

from __future__ import annotations

import re

from lxml import etree

from .blocks import Block
from .errors import EmptyInputError, InputError, LimitExceededError

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
ANCESTOR_LEVELS = 3  # block ancestors whose prose share becomes a feature


def parse_html(text: str) -> etree._Element:
    """Parse (possibly broken) HTML into an lxml tree; never recurses in Python."""
    # plain etree elements: lxml.html's element-class lookup costs a call per node
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, default_doctype=False, huge_tree=True
    )
    try:
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise EmptyInputError(f"no HTML content: {exc}") from exc
    if root is None:
        raise EmptyInputError("no HTML content")
    return root


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


def clean_tree(root: etree._Element) -> None:
    """Drop non-text elements in place (tails are kept)."""
    etree.strip_elements(root, *SKIP_TAGS, with_tail=False)
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)


def _attr_text(element: etree._Element) -> str:
    raw = element.get("class", "") + " " + element.get("id", "")
    style = element.get("style")
    if element.get("hidden") is not None or element.get("aria-hidden") == "true" or (
        style and _DISPLAY_NONE.search(style)
    ):
        raw += " " + HIDDEN_TOKEN
    return raw


def attr_tokens(raw: str) -> tuple[str, ...]:
    """Lower-cased word tokens of class and id text (``mainNav`` → main, nav)."""
    return tuple(_TOKEN.findall(_CAMEL.sub(r"\1 \2", raw[:300]).lower()))


class _Maker:
    """Collects blocks while walking the tree once (start/end events)."""

    def __init__(self, tree: etree._ElementTree, max_blocks: int) -> None:
        self.tree = tree
        self.max_blocks = max_blocks
        self.blocks: list[Block] = []
        self.ancestry: list[tuple[int, ...]] = []  # per block: ids of block ancestors, nearest first
        self.pieces: list[str] = []
        self.link_chars = 0
        self.holder = None  # (element, node id, depth) of the open block when text started
        self.open_blocks: list[tuple[etree._Element, int]] = []
        self.path: list[str] = []
        self.tokens: list[tuple[str, ...]] = []
        self.token_cache: dict[str, tuple[str, ...]] = {"": ()}
        self.links = 0
        self.brs = 0
        self.next_id = 0

    def add(self, text: str | None) -> None:
        if not text:
            return
        if not self.pieces and not text.strip():
            return
        if self.holder is None and self.open_blocks:
            self.holder = self.open_blocks[-1]
        self.pieces.append(text)
        if self.links:
            self.link_chars += len(text.strip())
        if text.strip():
            self.brs = 0

    def flush(self) -> None:
        if not self.pieces:
            return
        text = _SPACE.sub(" ", "".join(self.pieces)).strip()
        self.pieces = []
        link_chars = min(self.link_chars, len(text))
        self.link_chars = 0
        holder = self.holder
        self.holder = None
        if not text:
            return
        if len(self.blocks) >= self.max_blocks:
            raise LimitExceededError(f"more than {self.max_blocks} blocks (max_blocks)")
        element, _ = holder if holder else (None, -1)
        depth = len(self.path)
        tokens: list[str] = []
        for group in reversed(self.tokens):
            tokens.extend(group)
            if len(tokens) >= MAX_ATTR_TOKENS:
                break
        self.blocks.append(
            Block(
                index=len(self.blocks),
                text=text,
                kind="html",
                tag=element.tag if element is not None else "body",
                dom_path="/".join(self.path[-8:]),
                xpath=self.tree.getpath(element) if element is not None else "",
                attr_tokens=tuple(tokens[:MAX_ATTR_TOKENS]),
                link_chars=link_chars,
                depth=depth,
            )
        )
        self.ancestry.append(tuple(node_id for _, node_id in reversed(self.open_blocks)))

    def walk(self, root: etree._Element) -> None:
        for event, element in etree.iterwalk(root, events=("start", "end")):
            tag = element.tag
            if not isinstance(tag, str):
                continue
            if event == "start":
                self.path.append(tag)
                raw = _attr_text(element) if element.attrib else ""
                tokens = self.token_cache.get(raw)
                if tokens is None:
                    tokens = self.token_cache[raw] = attr_tokens(raw)
                self.tokens.append(tokens)
                if tag in BLOCK_TAGS:
                    self.flush()
                    self.open_blocks.append((element, self.next_id))
                    self.next_id += 1
                elif tag == "br":
                    self.brs += 1
                    if self.brs >= 2:  # <br><br> separates paragraphs, as in jusText
                        self.flush()
                    else:
                        self.add("\n")
                elif tag == "a":
                    self.links += 1
                self.add(element.text)
            else:
                if tag in BLOCK_TAGS:
                    self.flush()
                    if self.open_blocks:
                        self.open_blocks.pop()
                elif tag == "a":
                    self.links -= 1
                self.path.pop()
                self.tokens.pop()
                self.add(element.tail)
        self.flush()


def html_blocks(text: str, *, max_blocks: int = 20_000) -> tuple[list[Block], str]:
    """Segment an HTML page into blocks; return ``(blocks, page_title)``.

    Parameters
    ----------
    text : the decoded HTML.
    max_blocks : refuse pages with more blocks than this.

    Examples
    --------
    >>> blocks, title = html_blocks("<title>T</title><p>One <a href=x>two</a>.</p><li>Three")
    >>> [(b.tag, b.text, b.link_chars) for b in blocks]
    [('p', 'One two.', 3), ('li', 'Three', 0)]
    """
    root = parse_html(text)
    title = page_title(root)
    clean_tree(root)
    maker = _Maker(etree.ElementTree(root), max_blocks)
    try:
        maker.walk(root)
    except RecursionError as exc:  # pragma: no cover - iterwalk is iterative
        raise InputError("page structure too deep") from exc
    add_prose_shares(maker.blocks, maker.ancestry)
    return maker.blocks, title


def prose_weight(block: Block) -> float:
    """How much a block looks like article prose: long, punctuated, few links."""
    n = len(block.text)
    if n < 40 or block.link_density > 0.5:
        return 0.0
    punct = block.text.count(".") + block.text.count(",")
    return n * (1.0 - block.link_density) * (1.0 if punct else 0.3)


def add_prose_shares(blocks: list[Block], ancestry: list[tuple[int, ...]]) -> None:
    """Give each block the prose share of its ancestors and of the page's best container."""
    weights = [prose_weight(b) for b in blocks]
    total = sum(weights) or 1.0
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
    for block, ancestors in zip(blocks, ancestry):
        shares = [sums.get(a, 0.0) / total for a in ancestors[: ANCESTOR_LEVELS + 1]]
        shares += [shares[-1] if shares else 0.0] * (ANCESTOR_LEVELS + 1 - len(shares))
        block.shares = tuple(shares)
        block.best_share = max((scores.get(a, 0.0) for a in ancestors), default=0.0) / best
