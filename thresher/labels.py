"""The five block labels of the annotation guideline (``GUIDELINES.md``)."""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    """One label per block; the values are the strings used in every file format."""

    NEWS_BODY = "news_body"
    QUOTE = "quote"
    CASE_RECORD = "case_record"
    STATISTIC = "statistic"
    BOILERPLATE = "boilerplate"


#: Labels in the guideline's order; score dictionaries use this order.
LABELS: tuple[str, ...] = tuple(label.value for label in Label)
#: The boilerplate label as a str (an Enum's ``.value`` costs a call each time it is read).
BOILERPLATE: str = Label.BOILERPLATE.value
#: Labels that belong to the article (everything but boilerplate).
CONTENT_LABELS: tuple[str, ...] = tuple(v for v in LABELS if v != BOILERPLATE)
#: Not a sixth label: a content block whose kind was not decided. Training pages use it for blocks
#: known to be content whose kind nobody chose; ``SegmentOptions(kinds=False)`` for content blocks
#: whose kind was not asked for.
CONTENT = "content"
#: One line per label, shortened from the guideline's table (shown to annotators in doccano).
DEFINITIONS: dict[str, str] = {
    "news_body": "the article's own narrative: what happened, background, headline, dateline, byline",
    "quote": "a paragraph at least half of whose words are attributed direct speech or writing",
    "case_record": "what the justice system did about one identified person or organization",
    "statistic": "a paragraph that exists to report aggregate figures: counts, rates, totals",
    "boilerplate": "everything outside the article: navigation, ads, teasers, share buttons, footers",
}
#: Fixed colours, so every doccano project shows a label the same way.
COLOURS: dict[str, str] = {"news_body": "#1f77b4", "quote": "#ff7f0e", "case_record": "#2ca02c",
                           "statistic": "#d62728", "boilerplate": "#7f7f7f"}


def parse_labels(spec: str) -> tuple[str, ...]:
    """Parse a comma-separated label list such as ``"quote,statistic"``.

    Raises ``ValueError`` naming the unknown label and the valid ones.
    """
    out = []
    for part in spec.split(","):
        name = part.strip()
        if not name:
            continue
        if name not in LABELS:
            raise ValueError(f"unknown label {name!r}; choose from {', '.join(LABELS)}")
        out.append(name)
    if not out:
        raise ValueError(f"no label given; choose from {', '.join(LABELS)}")
    return tuple(out)
