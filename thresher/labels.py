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
#: Labels that belong to the article (everything but boilerplate).
CONTENT_LABELS: tuple[str, ...] = tuple(v for v in LABELS if v != Label.BOILERPLATE.value)


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
