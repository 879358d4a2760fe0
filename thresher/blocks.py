"""The block: one paragraph of a page, with the facts features need."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Block:
    """One paragraph of a page, in reading order.

    Attributes
    ----------
    index : position of the block in its page (0-based).
    text : the paragraph's text, whitespace collapsed.
    kind : ``"html"`` or ``"text"``, the segmenter that made it.
    tag : the block element that holds it (``p``, ``li``, ``h2``...; ``line`` or
        ``para`` for text pages).
    dom_path : ancestor tags from the root, e.g. ``"html/body/div/article/p"``.
    xpath : a positional xpath of the holding element (HTML only).
    attr_tokens : lower-cased class/id tokens of the element and its ancestors,
        nearest first.
    link_chars : characters of the text inside ``<a>`` links.
    depth : depth of the holding element in the DOM.
    is_title : the block repeats the page title (the headline).
    shares : share of the page's prose held by the element and by each of its
        three nearest block ancestors (a readability-style density signal).
    best_share : the highest prose score among its ancestors, relative to the
        page's best container (1.0 inside the best container).
    first_label : the label of the first, context-free pass.
    label : the final label after revision.
    scores : per-label probabilities, keyed by label.
    """

    index: int
    text: str
    kind: str = "text"
    tag: str = "para"
    dom_path: str = ""
    xpath: str = ""
    attr_tokens: tuple[str, ...] = ()
    link_chars: int = 0
    depth: int = 0
    is_title: bool = False
    shares: tuple[float, ...] = ()
    best_share: float = 0.0
    first_label: str | None = None
    label: str | None = None
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def link_density(self) -> float:
        """Share of the text's characters that are inside links."""
        return self.link_chars / len(self.text) if self.text else 0.0

    def to_dict(self) -> dict:
        """The block as a JSON-ready dict (the ``segment`` output, without ``source``)."""
        return {
            "index": self.index,
            "text": self.text,
            "label": self.label,
            "first_label": self.first_label,
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "kind": self.kind,
            "tag": self.tag,
            "xpath": self.xpath,
            "is_title": self.is_title,
        }
