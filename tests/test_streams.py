"""JSON Lines streams: read a record at a time, labeled in order, errors per record."""

from __future__ import annotations

import gzip
import io
import itertools
import json

from thresher.batch import run_batch
from thresher.inputs import Record, iter_items, stream_kind
from thresher.options import SegmentOptions

from .conftest import EXAMPLES, SEED
from .test_cli import thresher

HTML = gzip.decompress((EXAMPLES / "wcxb-4101-sba.html.gz").read_bytes()).decode()
TEXTS = [(EXAMPLES / n).read_text() for n in ("dhs-ice-operation-rise.txt", "dallas_tx-steven-chaney.txt")]


def stream_lines() -> list[str]:
    return [
        json.dumps({"url": "https://example.org/sba", "html": HTML}),
        json.dumps({"url": "https://example.org/dhs", "text": TEXTS[0]}),
        "",
        "{not json",
        json.dumps({"url": "https://example.org/none", "title": "no page"}),
        json.dumps({"text": TEXTS[1]}),
    ]


def test_clean_json_stream_keeps_order_urls_and_errors(tmp_path, model):
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(stream_lines()) + "\n")
    done = thresher("clean", "--format", "json", str(path))
    assert done.returncode == 1  # two records fail, the others are cleaned
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["source"] for r in rows] == ["https://example.org/sba", "https://example.org/dhs", f"{path}:4",
                                           "https://example.org/none", f"{path}:6"]
    assert [("error" in r) for r in rows] == [False, False, True, True, False]
    assert rows[0]["text"] == model.clean(HTML) and rows[0]["title"]
    assert rows[1]["text"] == model.clean(TEXTS[0]) and "Nationally, approximately 86%" in rows[1]["text"]
    assert rows[4]["text"] == model.clean(TEXTS[1])
    assert "3 pages ok, 2 failed" in done.stderr.decode().splitlines()[-1]


def test_segment_gzipped_stream_from_stdin_matches_the_file(tmp_path):
    path = tmp_path / "pages.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(stream_lines()[:2]) + "\n").encode()))
    from_file = thresher("segment", str(path))
    from_stdin = thresher("segment", "--stream", "jsonl", "-", stdin=path.read_bytes())
    assert from_file.returncode == from_stdin.returncode == 0, from_stdin.stderr
    assert from_file.stdout == from_stdin.stdout
    rows = [json.loads(line) for line in from_file.stdout.decode().splitlines()]
    sources = [r["source"] for r in rows]
    assert sources == sorted(sources, key=["https://example.org/sba", "https://example.org/dhs"].index)
    assert len(set(sources)) == 2
    assert [r["index"] for r in rows if r["source"].endswith("dhs")] == list(range(21))


def test_stream_suffixes_and_the_forcing_flag():
    assert stream_kind("a.jsonl") == stream_kind("a.NDJSON.gz") == "jsonl"
    assert stream_kind("a.warc.gz") == "warc"
    assert stream_kind("a.html") is None and stream_kind("-") is None
    assert stream_kind("a.html", "jsonl") == "jsonl"


def test_a_line_over_the_limit_fails_alone():
    big = json.dumps({"url": "u1", "text": "word " * 5000})
    data = "\n".join([big, json.dumps({"url": "u2", "text": TEXTS[0]})]) + "\n"
    records = list(iter_items(["-"], stream="jsonl", max_bytes=4000, stdin=io.BytesIO(data.encode())))
    assert [r.source for r in records] == ["-:1", "u2"]
    assert records[0].error_type == "LimitExceededError" and not records[1].error_type


def endless_records():
    for i in itertools.count():
        yield Record(f"page-{i}", TEXTS[i % 2], input_format="text")


def test_an_endless_stream_is_labeled_lazily_in_order():
    """run_batch must not read its input ahead without bound, with or without worker processes."""
    for jobs in (1, 2):
        results = run_batch(endless_records(), model_path=None, options=SegmentOptions(), jobs=jobs)
        first = list(itertools.islice(results, 6))
        results.close()
        assert [r.source for r in first] == [f"page-{i}" for i in range(6)]
        assert all(r.page is not None and r.page.blocks for r in first)


def test_stream_records_keep_the_cli_input_format_over_their_key():
    from thresher.batch import process_source
    from thresher.persistence import load_model

    page = process_source(Record("x", SEED.read_text(), input_format="html"), load_model(), SegmentOptions()).page
    assert page.input_format == "html"
    forced = process_source(Record("x", SEED.read_text(), input_format="html"), load_model(),
                            SegmentOptions(input_format="text")).page
    assert forced.input_format == "text"
