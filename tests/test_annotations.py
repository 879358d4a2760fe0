"""The gold format: validation names the line, writes are atomic, labels re-attach by text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thresher.annotations import GoldBlock, read_dir, read_pages, realign, write_pages
from thresher.errors import AnnotationError
from thresher.labels import LABELS
from thresher.text import text_blocks

from .conftest import ROOT, SEED


def _record(doc_id="d1", site="s1", split="train", label="news_body", text="Some text."):
    return {"doc_id": doc_id, "source": "x.txt", "site": site, "split": split,
            "blocks": [{"text": text, "label": label, "annotator": "A", "origin": "hand"}]}


def _write(tmp_path: Path, records) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.mark.parametrize("records,message", [
    ([_record(label="ad")], r"gold.jsonl:1 block 0: unknown label 'ad'"),
    ([_record(text="  ")], r"gold.jsonl:1 block 0: empty text"),
    ([_record(), _record()], r"gold.jsonl:2: duplicate doc_id 'd1'"),
    ([_record(), _record(doc_id="d2", split="test")], r"gold.jsonl:2: split leakage: site 's1'"),
])
def test_bad_records_are_refused_naming_the_line(tmp_path, records, message):
    with pytest.raises(AnnotationError, match=message):
        read_pages(_write(tmp_path, records))


def test_not_json_names_the_line(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(_record()) + "\n{oops\n")
    with pytest.raises(AnnotationError, match="gold.jsonl:2: not JSON"):
        read_pages(path)


def test_write_is_atomic_and_keeps_a_backup(tmp_path, monkeypatch):
    path = tmp_path / "gold.jsonl"
    pages = read_pages(_write(tmp_path, [_record()]))
    write_pages(path, pages + [read_pages(_write(tmp_path / "..", [_record(doc_id="d2")]))[0]])
    assert len(read_pages(path)) == 2 and len(read_pages(path.with_suffix(".jsonl.bak"))) == 1
    before = path.read_bytes()

    class Crash(RuntimeError):
        pass

    def crash(*args, **kwargs):
        raise Crash("power cut")

    monkeypatch.setattr("os.replace", crash)  # the write dies after the temp file, before the rename
    with pytest.raises(Crash):
        write_pages(path, pages)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".gold.jsonl.*.tmp"))


def test_realign_follows_a_changed_segmentation():
    gold = [GoldBlock("Headline", "news_body", "A"), GoldBlock("“We won,” she said.", "quote", "A"),
            GoldBlock("Share", "boilerplate", "A")]
    new = ["Headline “We won,” she", "said.", "Share", "Unseen block"]
    labels = [g.label if g else None for g in realign(gold, new)]
    assert labels == ["quote", "quote", "boilerplate", None]


def test_the_shipped_gold_set_loads_and_meets_its_brief():
    pages = read_dir(ROOT / "annotations")
    blocks = [b for p in pages for b in p.blocks]
    assert len(pages) >= 150 and len(blocks) >= 4000
    for label in LABELS:
        assert sum(b.label == label for b in blocks) >= 150, label
    assert sum(b.origin == "hand" for b in blocks) >= len(blocks) / 2
    assert sum(1 for p in pages if all("votes" in b.extra for b in p.blocks)) >= 20
    sites = {}
    for p in pages:
        assert sites.setdefault(p.site, p.split) == p.split


def test_seed_page_gold_matches_the_guideline_example():
    pages = {p.doc_id: p for p in read_dir(ROOT / "annotations")}
    seed = pages["seed-dhs-ice-operation-rise"]
    texts = [b.text for b in text_blocks(SEED.read_text())]
    assert [b.text for b in seed.blocks] == texts
    assert [b.label for b in seed.blocks][:11] == [
        "news_body", "news_body", "news_body", "quote", "quote", "news_body", "statistic",
        "case_record", "case_record", "statistic", "statistic"]
    assert {b.label for b in seed.blocks[11:]} == {"boilerplate"}


_SLOW_WRITER = """
import dataclasses, json, sys, time
from thresher import annotations
from thresher.annotations import read_pages, write_pages
pages = [dataclasses.replace(p, doc_id=f"{p.doc_id}-{i}") for i, p in enumerate(read_pages(sys.argv[1]) * 400)]
real_dumps = json.dumps
def slow_dumps(*args, **kwargs):  # the write takes long enough to be killed halfway
    time.sleep(0.005)
    return real_dumps(*args, **kwargs)
annotations.json.dumps = slow_dumps
print("writing", flush=True)
write_pages(sys.argv[2], pages)
"""


def test_a_writer_killed_mid_write_leaves_the_old_file_intact(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    source = _write(tmp_path / "..", [_record(doc_id=f"s{i}") for i in range(3)])
    path = tmp_path / "gold.jsonl"
    write_pages(path, read_pages(_write(tmp_path, [_record()])))
    before = path.read_bytes()
    writer = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(source), str(path)],
                              stdout=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert writer.stdout.readline().strip() == b"writing"
    deadline = time.monotonic() + 60
    while not any(p.stat().st_size > 1000 for p in tmp_path.glob(".gold.jsonl.*.tmp")):
        assert time.monotonic() < deadline and writer.poll() is None, "the writer never started its temp file"
        time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)  # a power cut, halfway through the temp file
    writer.wait()
    assert path.read_bytes() == before
    assert len(read_pages(path)) == 1
