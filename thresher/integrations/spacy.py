"""A spaCy pipeline component: ``nlp.add_pipe("thresher")`` labels each paragraph of a text page.

It reads ``doc.text`` and writes ``doc.spans["thresher"]`` (one span per block, its
``label_`` the block's label, aligned to the characters of ``doc.text``) and
``doc._.article_text`` (the content blocks, as ``thresher clean`` gives them).
It is registered on import of this module and through the ``spacy_factories``
entry point, so an installed Thresher needs no import. The component holds only
its settings: each process loads the model once, on first use, so ``nlp.pipe``
with ``n_process`` works.

Examples
--------
>>> import spacy
>>> nlp = spacy.blank("en")
>>> _ = nlp.add_pipe("thresher", config={"keep": ["quote"]})
>>> doc = nlp(open("corpus/examples/dhs-ice-operation-rise.txt").read())  # doctest: +SKIP
>>> [(s.label_, s.text[:20]) for s in doc.spans["thresher"]][:2]  # doctest: +SKIP
[('news_body', 'DHS Announces ICE En'), ('boilerplate', 'Read Now')]
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..batch import cached_model
from ..labels import CONTENT_LABELS, parse_labels
from ..options import SegmentOptions
from ..pipeline import segment_page

if not Doc.has_extension("article_text"):
    Doc.set_extension("article_text", default=None)


def align(text: str, block_text: str, start: int) -> tuple[int, int] | None:
    """Where ``block_text`` (whitespace collapsed, lines rejoined) sits in ``text`` at or after ``start``.

    Non-space characters must match in order; any whitespace in ``text`` is skipped, so a
    paragraph rejoined across line breaks or a dehyphenated wrap still aligns.

    Examples
    --------
    >>> align("• one\\n  two\\nwrap-\\nped.", "one two", 0), align("x", "y", 0)
    ((2, 11), None)
    """
    chars = "".join(block_text.split())
    if not chars:
        return None
    pos = text.find(chars[0], start)
    while pos != -1:
        end = _match_from(text, pos, chars)
        if end is not None:
            return pos, end
        pos = text.find(chars[0], pos + 1)
    return None


def _match_from(text: str, pos: int, chars: str) -> int | None:
    i = pos
    for char in chars:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text) or text[i] != char:
            return None
        i += 1
    return i


class ThresherComponent:
    """Labels the blocks of ``doc.text``; see the module docstring. Settings only, no model inside."""

    def __init__(self, name: str, *, model: str | None, keep: tuple[str, ...], with_title: bool,
                 input_format: str, spans_key: str) -> None:
        self.name = name
        self.model = model
        self.keep = parse_labels(",".join(keep))
        self.with_title = with_title
        self.options = SegmentOptions(input_format=input_format)
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        if doc.text.strip():
            page = segment_page(doc.text, cached_model(self.model), self.options)
            cursor = 0
            for block in page.blocks:
                where = align(doc.text, block.text, cursor)
                if where is None:  # text the segmenter rewrote beyond whitespace: no span rather than a wrong one
                    continue
                span = doc.char_span(where[0], where[1], label=block.label, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
                    cursor = where[1]
            doc._.article_text = page.text(keep=self.keep, with_title=self.with_title)
        else:
            doc._.article_text = ""
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory(
    "thresher",
    assigns=["doc.spans", "doc._.article_text"],
    default_config={"model": None, "keep": list(CONTENT_LABELS), "with_title": False, "input_format": "text",
                    "spans_key": "thresher"},
)
def make_thresher(nlp: Language, name: str, model: str | None, keep: list[str], with_title: bool,
                  input_format: str, spans_key: str) -> ThresherComponent:
    """The ``thresher`` factory: ``model`` a model file (None: the shipped one), ``keep`` the labels of
    ``doc._.article_text``, ``input_format`` ``"text"`` (default), ``"html"`` or ``"auto"``."""
    return ThresherComponent(name, model=model, keep=tuple(keep), with_title=with_title,
                             input_format=input_format, spans_key=spans_key)
