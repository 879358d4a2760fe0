"""Bridges to other tools: WARC files, Scrapy, spaCy. Each imports its optional dependency itself."""

from __future__ import annotations


def missing(package: str, extra: str) -> ImportError:
    """The error for an optional dependency that is not installed, naming the extra that brings it."""
    return ImportError(f"{package} is not installed: pip install 'thresher[{extra}]'")
