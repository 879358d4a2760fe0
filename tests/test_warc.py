"""WARC files: HTML responses cleaned with their URL and record id, other records skipped and counted."""

from __future__ import annotations

import gzip
import io
import json
from collections import Counter

import pytest

from .conftest import EXAMPLES
from .test_cli import thresher

warcio = pytest.importorskip("warcio", reason="the [warc] extra is not installed")
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from thresher.integrations.warc import iter_warc  # noqa: E402

SBA = gzip.decompress((EXAMPLES / "wcxb-4101-sba.html.gz").read_bytes())
RUSSIAN = ("<html><head><title>Городской совет</title></head><body><h1>Городской совет утвердил бюджет</h1>"
           "<p>Городской совет утвердил бюджет на следующий год, сообщили в мэрии в четверг вечером.</p>"
           "<p>Расходы на школы и больницы вырастут, а налоги останутся прежними, заявил мэр города.</p>"
           "</body></html>")


def write_warc(path, *, compress: bool) -> list[str]:
    """A small crawl: warcinfo, a request, two HTML pages, an image, a 404, a KOI8-R page; the page ids."""
    ids = []
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=compress)
        writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "test"}))

        def response(url, body, content_type, status="200 OK"):
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(record)
            return record.rec_headers.get_header("WARC-Record-ID")

        request = StatusAndHeaders("GET /sba HTTP/1.1", [("Host", "example.org")], is_http_request=True)
        writer.write_record(writer.create_warc_record("https://example.org/sba", "request",
                                                      payload=io.BytesIO(b""), http_headers=request))
        ids.append(response("https://example.org/sba", SBA, "text/html; charset=utf-8"))
        response("https://example.org/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png")
        response("https://example.org/gone", b"<html><body><p>Not found</p></body></html>", "text/html", "404 Not Found")
        ids.append(response("https://example.org/ru", RUSSIAN.encode("koi8-r"), 'text/html; charset="KOI8-R"'))
        ids.append(response("https://example.org/xhtml", SBA, "application/xhtml+xml"))
    return ids


@pytest.mark.parametrize("name, compress", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_clean_a_warc(tmp_path, model, name, compress):
    path = tmp_path / name
    ids = write_warc(path, compress=compress)
    done = thresher("clean", "--format", "json", str(path))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["source"] for r in rows] == ["https://example.org/sba", "https://example.org/ru", "https://example.org/xhtml"]
    assert [r["warc_record_id"] for r in rows] == ids
    assert rows[0]["text"] == model.clean(SBA) == rows[2]["text"]
    assert "Расходы на школы и больницы вырастут" in rows[1]["text"]
    summary = done.stderr.decode().strip().splitlines()[-1]
    assert "3 pages ok, 0 failed" in summary
    assert "4 records skipped" in summary and "1 non-HTML response" in summary and "1 non-2xx response" in summary


def test_segment_a_warc_keeps_the_record_id_on_every_block(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    ids = write_warc(path, compress=True)
    done = thresher("segment", str(path))
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert {r["warc_record_id"] for r in rows} == set(ids)
    assert all(r["source"].startswith("https://example.org/") for r in rows)


def test_records_carry_the_http_charset_and_skips_are_counted(tmp_path):
    path = tmp_path / "crawl.warc"
    write_warc(path, compress=False)
    skipped = Counter()
    with open(path, "rb") as fh:
        records = list(iter_warc(fh, str(path), max_bytes=1_000_000, skipped=skipped))
    assert [r.encoding for r in records] == ["utf-8", "KOI8-R", None]
    assert records[1].data == RUSSIAN.encode("koi8-r")
    assert skipped == Counter({"warcinfo record": 1, "request record": 1, "non-HTML response": 1, "non-2xx response": 1})
    with open(path, "rb") as fh:
        small = list(iter_warc(fh, str(path), max_bytes=1000))
    assert small[0].error_type == "LimitExceededError" and small[1].data  # too big alone; the next one stands


def test_a_truncated_warc_fails_as_one_record_after_its_pages(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, compress=True)
    data = path.read_bytes()
    for cut in (200, 2000):  # inside the last page's body
        sources = ["sba", "ru", "xhtml"]
        path.write_bytes(data[: len(data) - cut])
        with open(path, "rb") as fh:
            records = list(iter_warc(fh, str(path), max_bytes=1_000_000))
        assert [r.source.rsplit("/", 1)[-1] for r in records] == sources
        assert "truncated WARC record" in records[-1].error and not any(r.error for r in records[:-1])
    done = thresher("clean", "--format", "json", str(path))
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert rows[0]["source"] == "https://example.org/sba" and "text" in rows[0]
    assert done.returncode == 1 and "Traceback" not in done.stderr.decode()
    assert rows[-1]["error"]["type"] == "InputError"
