"""Dask: bags, data frames and parts of a folder on a real LocalCluster of two worker processes."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest

from .conftest import EXAMPLES

pytest.importorskip("distributed", reason="the [dask] extra is not installed")
import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402

from thresher.dask import clean_bag, clean_frame, connect, plan_parts, run_on_cluster, segment_bag  # noqa: E402
from thresher.options import SegmentOptions  # noqa: E402
from thresher.outputs import Rendering  # noqa: E402

NAMES = ["dhs-ice-operation-rise.txt", "cook_il-regional-transit-task-force.txt", "dallas_tx-steven-chaney.txt",
         "kings_ny-marcy-houses-conviction.txt"]
TEXTS = [(EXAMPLES / n).read_text() for n in NAMES]
HTML = gzip.decompress((EXAMPLES / "wcxb-4101-sba.html.gz").read_bytes())


@pytest.fixture(scope="module")
def client():
    client = connect(workers=2)
    yield client
    cluster = client.cluster
    client.close()
    cluster.close()


def records(n: int) -> list[dict]:
    return [{"url": f"https://example.org/{i}", "text": TEXTS[i % len(TEXTS)]} for i in range(n)]


def _loads() -> int:
    from thresher.batch import MODEL_LOADS  # the worker's own counter, not a copy of this process's

    return MODEL_LOADS["count"]


def loads_per_worker(client) -> dict:
    return client.run(_loads)


def test_clean_bag_in_order_with_the_model_loaded_once_per_worker(client, model):
    pages = records(16) + [{"url": "https://example.org/html", "html": HTML.decode()}, {"url": "x"}, HTML]
    out = clean_bag(db.from_sequence(pages, npartitions=10)).compute()
    assert [r["source"] for r in out] == [p["url"] if isinstance(p, dict) else "" for p in pages]
    assert [r["text"] for r in out[:16]] == [model.clean(TEXTS[i % 4]) for i in range(16)]
    assert out[16]["text"] == model.clean(HTML) == out[18]["text"]
    assert out[17]["error"]["type"] == "InputError"
    loads = loads_per_worker(client)
    # 10 partitions on 2 workers: some worker ran several, and each loaded the model at most once
    assert len(loads) == 2 and set(loads.values()) <= {0, 1} and 1 in loads.values()
    quotes = clean_bag(db.from_sequence(records(2), npartitions=2), keep=("quote",)).compute()
    assert quotes[0]["text"] == model.clean(TEXTS[0], keep=("quote",))
    assert set(loads_per_worker(client).values()) <= {0, 1}


def test_segment_bag_gives_the_blocks_of_every_page(client, model):
    blocks = segment_bag(db.from_sequence(records(4), npartitions=2)).compute()
    expected = [(f"https://example.org/{i}", b.index, b.label) for i in range(4) for b in model.segment(TEXTS[i])]
    assert [(b["source"], b["index"], b["label"]) for b in blocks] == expected


def test_clean_frame_adds_columns(client, model):
    frame = pd.DataFrame({"url": [f"u{i}" for i in range(6)], "page": TEXTS + [HTML, None]})
    out = clean_frame(dd.from_pandas(frame, npartitions=3), "page").compute()
    assert list(out.columns) == ["url", "page", "title", "article_text", "thresher_error"]
    assert list(out["article_text"][:4]) == [model.clean(t) for t in TEXTS]
    assert out["article_text"].iloc[4] == model.clean(HTML)
    assert list(out["thresher_error"][:5]) == [""] * 5 and out["thresher_error"].iloc[5].startswith("InputError")


def test_parts_follow_input_order():
    parts = list(plan_parts(["a.html", "b.txt", "c.warc.gz", "d.html", "e.html", "f.html"], stream=None,
                            pages_per_part=2, suffix=".jsonl"))
    assert [p.sources for p in parts] == [("a.html", "b.txt"), ("c.warc.gz",), ("d.html", "e.html"), ("f.html",)]
    assert [p.name for p in parts] == [f"part-{i:05d}.jsonl" for i in range(4)]


def test_a_folder_spread_over_the_cluster_writes_one_part_per_input_part(client, tmp_path, model):
    folder = tmp_path / "pages"
    folder.mkdir()
    for i in range(7):
        shutil.copy(EXAMPLES / NAMES[i % 4], folder / f"{i:02d}.txt")
    (folder / "99.html").write_bytes(b"")
    stream = tmp_path / "pages" / "zz.jsonl"
    stream.write_text("\n".join(json.dumps(r) for r in records(3)) + "\n")
    sources = sorted(str(p) for p in folder.iterdir())
    out = tmp_path / "out"
    tally = run_on_cluster(sources, str(out), options=SegmentOptions(), rendering=Rendering("clean", "json"),
                           pages_per_part=3, client=client)
    assert sorted(p.name for p in out.iterdir()) == [f"part-{i:05d}.jsonl" for i in range(4)]
    rows = [json.loads(line) for i in range(4) for line in (out / f"part-{i:05d}.jsonl").read_text().splitlines()]
    assert [r["source"] for r in rows] == sources[:-1] + [r["url"] for r in records(3)]
    assert rows[0]["text"] == model.clean(TEXTS[0]) and rows[-1]["text"] == model.clean(TEXTS[2])
    assert "error" in rows[7] and tally.ok == 10 and tally.failures == {"EmptyInputError": 1}


def test_the_command_line_spreads_a_folder_and_a_warc_over_two_workers(tmp_path, model):
    pytest.importorskip("warcio")
    from .test_cli import thresher
    from .test_warc import write_warc

    folder = tmp_path / "crawl"
    folder.mkdir()
    for i in range(3):
        shutil.copy(EXAMPLES / NAMES[i], folder / f"{i}.txt")
    ids = write_warc(folder / "z.warc.gz", compress=True)
    out = tmp_path / "out"
    done = thresher("clean", "--format", "json", "--workers", "2", "--pages-per-part", "2", str(folder), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["part-00000.jsonl", "part-00001.jsonl", "part-00002.jsonl"]
    pages = [json.loads(line) for line in (out / "part-00000.jsonl").read_text().splitlines()]
    assert [r["text"] for r in pages] == [model.clean(TEXTS[0]), model.clean(TEXTS[1])]
    warc = [json.loads(line) for line in (out / "part-00002.jsonl").read_text().splitlines()]
    assert [r["warc_record_id"] for r in warc] == ids
    assert "6 pages ok, 0 failed, 4 records skipped" in done.stderr.decode()
    usage = thresher("clean", "--workers", "2", str(folder))
    assert usage.returncode == 2 and "-o" in usage.stderr.decode()
