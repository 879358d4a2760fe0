"""A Scrapy item pipeline: ``article_text``, ``title`` and the labeled blocks for each scraped page.

Enable it in the project's settings (``pip install 'thresher[scrapy]'``)::

    ITEM_PIPELINES = {"thresher.integrations.scrapy.ThresherPipeline": 300}
    THRESHER_KEEP = ["news_body", "quote"]   # labels kept (default: every content label)

The page comes from the item's ``response`` field (the Response the spider got,
``yield {"response": response}``; the pipeline removes it, as it cannot be
exported) or else from its HTML field (``THRESHER_HTML_FIELD``, default ``"html"``).
Settings:

- ``THRESHER_MODEL``: a model file (default: the shipped model), loaded once when the spider opens.
- ``THRESHER_KEEP``: labels of ``article_text`` and of ``thresher_blocks`` (a list or ``"a,b"``).
- ``THRESHER_WITH_TITLE``: keep the headline in ``article_text`` (default False).
- ``THRESHER_HTML_FIELD``: the item field holding the page's HTML when there is no ``response``.

Fields added: ``article_text``, ``title``, ``thresher_blocks`` (``[{"text", "label"}]`` of the kept
labels, in page order) and, for a page that cannot be read, ``thresher_error`` (the item is kept).
Items that declare their fields (``scrapy.Item``) must declare these. Labeling runs in the
reactor thread, like any synchronous pipeline: a crawl spends about as long per page as
``thresher clean`` does.
"""

from __future__ import annotations

import logging

from ..batch import cached_model
from ..decoding import charset_of
from ..errors import ThresherError
from ..labels import CONTENT_LABELS, parse_labels
from ..options import SegmentOptions
from ..pipeline import segment_page
from . import missing

logger = logging.getLogger(__name__)


class ThresherPipeline:
    """Label each item's page; see the module docstring for the settings and the fields added."""

    def __init__(self, *, model: str | None = None, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False,
                 html_field: str = "html") -> None:
        try:
            from itemadapter import ItemAdapter
        except ImportError:
            raise missing("scrapy", "scrapy") from None
        self._adapter = ItemAdapter
        self.model_path = model
        self.keep = keep
        self.with_title = with_title
        self.html_field = html_field

    @classmethod
    def from_crawler(cls, crawler) -> ThresherPipeline:
        """Read the ``THRESHER_*`` settings."""
        settings = crawler.settings
        keep = settings.getlist("THRESHER_KEEP") or list(CONTENT_LABELS)
        return cls(model=settings.get("THRESHER_MODEL"), keep=parse_labels(",".join(keep)),
                   with_title=settings.getbool("THRESHER_WITH_TITLE"),
                   html_field=settings.get("THRESHER_HTML_FIELD", "html"))

    def open_spider(self, spider=None) -> None:
        """Load the model now, not on the first item."""
        cached_model(self.model_path)

    def process_item(self, item, spider=None):
        """Add the fields to ``item`` and return it."""
        adapter = self._adapter(item)
        response = adapter.get("response")
        if response is not None:
            del adapter["response"]
            page, encoding = response.body, charset_of(response.headers.get(b"Content-Type"))
        else:
            page, encoding = adapter.get(self.html_field), None
        if not isinstance(page, bytes | str):
            return self._failed(adapter, item, f"InputError: no response and no {self.html_field!r} field")
        try:
            labeled = segment_page(page, cached_model(self.model_path), SegmentOptions(encoding=encoding))
        except (ThresherError, RecursionError) as exc:
            return self._failed(adapter, item, f"{type(exc).__name__}: {exc}")
        adapter["title"] = labeled.title
        adapter["article_text"] = labeled.text(keep=self.keep, with_title=self.with_title)
        adapter["thresher_blocks"] = [{"text": b.text, "label": b.label} for b in labeled.blocks if b.label in self.keep]
        return item

    def _failed(self, adapter, item, message: str):
        logger.warning("thresher: %s", message)
        adapter["thresher_error"] = message
        return item
