"""The tools users would otherwise pick, each wrapped to take HTML and return article text.

All are optional (``pip install .[compare]``); a missing one is skipped with a note.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata

PEER_NAMES = ("trafilatura", "readability", "justext", "boilerpy3", "resiliparse", "newspaper4k", "goose3")
_BLOCK_TAGS = ("p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "blockquote", "pre",
               "table", "ul", "ol", "section", "article", "header", "footer", "figure", "figcaption", "dd", "dt")
_DISTRIBUTIONS = {"readability": "readability-lxml", "justext": "jusText"}


def _trafilatura() -> Callable[[str], str]:
    import trafilatura

    return lambda html: trafilatura.extract(html, include_comments=False) or ""


def _readability() -> Callable[[str], str]:
    import lxml.html
    from readability import Document

    def run(html: str) -> str:
        summary = Document(html).summary(html_partial=True)
        if not summary.strip():
            return ""
        root = lxml.html.fromstring(summary)
        # text_content() glues adjacent paragraphs ("end.Next"), which costs readability shingles it got right
        for element in root.iter(*_BLOCK_TAGS):
            element.tail = "\n" + (element.tail or "")
        return root.text_content()

    return run


def _justext() -> Callable[[str], str]:
    import justext

    stoplist = justext.get_stoplist("English")
    return lambda html: "\n\n".join(p.text for p in justext.justext(html.encode("utf-8"), stoplist) if not p.is_boilerplate)


def _boilerpy3() -> Callable[[str], str]:
    from boilerpy3 import extractors

    extractor = extractors.ArticleExtractor(raise_on_failure=False)
    return lambda html: extractor.get_content(html) or ""


def _resiliparse() -> Callable[[str], str]:
    from resiliparse.extract.html2text import extract_plain_text

    return lambda html: extract_plain_text(html, main_content=True)


def _newspaper4k() -> Callable[[str], str]:
    import warnings

    with warnings.catch_warnings():  # "nltk is not installed": only its NLP extras need it, not extraction
        warnings.simplefilter("ignore", UserWarning)
        import newspaper

    def run(html: str) -> str:
        # fetch_images=False: by default it downloads the page's images to pick a top image
        article = newspaper.Article("https://example.invalid/", fetch_images=False)
        article.download(input_html=html)
        article.parse()
        return article.text or ""

    return run


def _goose3() -> Callable[[str], str]:
    from goose3 import Goose

    goose = Goose()
    return lambda html: goose.extract(raw_html=html).cleaned_text or ""


_FACTORIES = {"trafilatura": _trafilatura, "readability": _readability, "justext": _justext,
              "boilerpy3": _boilerpy3, "resiliparse": _resiliparse, "newspaper4k": _newspaper4k, "goose3": _goose3}


def load_peer(name: str) -> tuple[Callable[[str], str] | None, str]:
    """The peer's extract function and version, or ``(None, reason)`` when it is not installed."""
    if name not in _FACTORIES:
        raise ValueError(f"unknown peer {name!r}; choose from {', '.join(PEER_NAMES)}")
    try:
        extract = _FACTORIES[name]()
    except ImportError as exc:
        return None, f"not installed ({exc.name}); pip install '.[compare]'"
    try:
        version = metadata.version(_DISTRIBUTIONS.get(name, name))
    except metadata.PackageNotFoundError:
        version = "?"
    return extract, version


def forbid_network() -> None:
    """Make any outbound connection in this process fail at once.

    The peers are given the page's HTML, yet some would fetch (newspaper4k's top
    image, by default): the benchmark must not touch the network, nor wait on DNS.
    """
    import socket

    def refuse(*args, **kwargs):
        raise OSError("network access is disabled during the benchmark")

    socket.getaddrinfo = refuse
    socket.create_connection = refuse
    socket.socket.connect = refuse


def safe(extract: Callable[[str], str]) -> Callable[[str], str]:
    """A peer's failure on one page counts as an empty extraction, as in the benchmarks."""
    def run(html: str) -> str:
        try:
            return extract(html)
        except Exception:
            return ""

    return run
