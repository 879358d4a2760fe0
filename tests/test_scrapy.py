"""The Scrapy pipeline in a real crawl of corpus pages served on 127.0.0.1 (the crawl runs in a subprocess)."""

from __future__ import annotations

import functools
import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import EXAMPLES, ROOT, SEED

pytest.importorskip("scrapy", reason="the [scrapy] extra is not installed")

SBA = gzip.decompress((EXAMPLES / "wcxb-4101-sba.html.gz").read_bytes())
RUSSIAN = ("<html><head><title>Городской совет</title></head><body>"
           "<p>Городской совет утвердил бюджет на следующий год, сообщили в мэрии в четверг вечером.</p>"
           "<p>Расходы на школы и больницы вырастут, а налоги останутся прежними, заявил мэр города.</p></body></html>")

SPIDER = '''
import scrapy


class Pages(scrapy.Spider):
    name = "pages"

    def __init__(self, start, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]

    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.page)

    def page(self, response):
        if response.url.endswith("field.html"):  # a spider that keeps the HTML itself
            yield {"url": response.url, "html": response.text}
        else:
            yield {"url": response.url, "response": response}
'''


class Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".koi8": "text/html; charset=koi8-r",
                      ".png": "text/html"}  # an image served as HTML: a hostile page

    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture()
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "sba.html").write_bytes(SBA)
    (root / "field.html").write_bytes(SBA)
    (root / "ru.koi8").write_bytes(RUSSIAN.encode("koi8-r"))
    (root / "dhs.txt").write_bytes(SEED.read_bytes())
    (root / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300))
    links = "".join(f'<a href="{name}">{name}</a>' for name in ("sba.html", "field.html", "ru.koi8", "dhs.txt", "broken.png"))
    (root / "index.html").write_text(f"<html><body>{links}</body></html>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def crawl(tmp_path, start: str, *settings: str) -> tuple[dict, str]:
    spider = tmp_path / "spider.py"
    spider.write_text(SPIDER)
    out = tmp_path / "items.jsonl"
    args = [sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", f"start={start}", "-O", str(out),
            "-s", 'ITEM_PIPELINES={"thresher.integrations.scrapy.ThresherPipeline": 300}',
            "-s", "ROBOTSTXT_OBEY=False", "-s", "TELNETCONSOLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]
    for setting in settings:
        args += ["-s", setting]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return {item["url"].rsplit("/", 1)[-1]: item for item in map(json.loads, out.read_text().splitlines())}, done.stderr


def test_a_crawl_gets_article_text_title_and_blocks(tmp_path, site, model):
    items, log = crawl(tmp_path, site)
    assert set(items) == {"sba.html", "field.html", "ru.koi8", "dhs.txt", "broken.png"}
    sba = items["sba.html"]
    assert "response" not in sba
    assert sba["article_text"] == model.clean(SBA) and sba["title"]
    assert [b["text"] for b in sba["thresher_blocks"]] == [b.text for b in model.segment(SBA) if b.label != "boilerplate"]
    assert items["field.html"]["article_text"] == sba["article_text"]  # from the html field
    assert "Расходы на школы и больницы вырастут" in items["ru.koi8"]["article_text"]
    assert items["dhs.txt"]["article_text"] == model.clean(SEED.read_bytes())
    assert items["broken.png"]["thresher_error"].startswith("BinaryInputError") and "article_text" not in items["broken.png"]
    assert "BinaryInputError" in log


def test_keep_setting_selects_labels(tmp_path, site, model):
    items, _ = crawl(tmp_path, site, "THRESHER_KEEP=quote", "THRESHER_WITH_TITLE=True")
    dhs = items["dhs.txt"]
    assert dhs["article_text"] == model.clean(SEED.read_bytes(), keep=("quote",), with_title=True)
    assert {b["label"] for b in dhs["thresher_blocks"]} == {"quote"} and len(dhs["thresher_blocks"]) == 2
