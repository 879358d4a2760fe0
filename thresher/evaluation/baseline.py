"""A keyword-rule baseline: what a scraper would write in an afternoon.

It exists to be beaten: the evaluation prints its scores beside the model's.
"""

from __future__ import annotations

import re

from ..blocks import Block

_BOILER = re.compile(
    r"^(?:home|menu|search|share|print|email|tweet|contact( us)?|subscribe|sign in|log ?in|skip to.*|"
    r"read more|read now|back to top|follow us|privacy policy|terms.*|cookies?.*|###?|# # #)$|"
    r"©|copyright|all rights reserved|for immediate release|^contact:",
    re.I,
)
_QUOTE_START = re.compile(r'^\s*[“"]')
_SAID = re.compile(r"\b(said|says|stated|added)\b", re.I)
_CASE = re.compile(r"\b(sentenced|convicted|pleaded|indicted|charged|arrested|arraigned|found guilty)\b", re.I)
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s?%|\bpercent\b|\$\s?\d|\b\d{1,3}(?:,\d{3})+\b")
MIN_WORDS_CONTENT = 8  # shorter blocks are taken for menus and buttons


def keyword_label(block: Block) -> str:
    """Label one block by keyword rules, in the guideline's decision order."""
    text = block.text.strip()
    words = len(text.split())
    if _BOILER.search(text) or words < MIN_WORDS_CONTENT and not block.is_title:
        return "boilerplate"
    if block.link_density > 0.5:
        return "boilerplate"
    if _QUOTE_START.match(text) and _SAID.search(text) or text.count("“") + text.count('"') >= 2 and _SAID.search(text):
        return "quote"
    if _CASE.search(text):
        return "case_record"
    if len(_FIGURE.findall(text)) >= 2:
        return "statistic"
    return "news_body"
