"""Supervised workers: a page past its time budget, or whose worker dies, costs that page only."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from thresher.cli import main
from thresher.options import SegmentOptions
from thresher.workers import Task, run_supervised

from .conftest import EXAMPLES

PAGES = sorted(EXAMPLES.glob("*.txt"))


def test_a_page_over_its_time_budget_is_reported_and_the_batch_goes_on(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    # no page is labeled in a millisecond: each overruns, is stopped, and a new worker takes the next
    status = main(["clean", "--format", "json", "--timeout", "0.001", "-o", str(out), *map(str, PAGES[:3])])
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert status == 1
    assert [r["source"] for r in records] == [str(p) for p in PAGES[:3]]
    assert {r["error"]["type"] for r in records} == {"PageTimeoutError"}
    assert "0.001 s" in records[0]["error"]["message"]
    assert "3 failed (3 PageTimeoutError)" in capsys.readouterr().err


def test_the_same_pages_within_budget_are_labeled(tmp_path):
    out = tmp_path / "out.jsonl"
    status = main(["clean", "--format", "json", "--timeout", "120", "--jobs", "2", "-o", str(out), *map(str, PAGES)])
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert status == 0
    assert [r["source"] for r in records] == [str(p) for p in PAGES]
    assert all(r["text"] for r in records)


def _workers_of(pid: int) -> list[int]:
    """Grandchildren of ``pid``: the fork server's workers."""
    def children(p: int) -> list[int]:
        try:
            return [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            return []
    return [g for c in children(pid) for g in children(c)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the workers through /proc")
def test_a_worker_that_dies_costs_only_its_page(tmp_path):
    # a big page keeps its worker busy long enough to be killed mid-page, as the OOM killer would
    big = tmp_path / "big.html"
    # (13 MB: labeling it takes about a second here, three times the wait below)
    paragraph = "<p>" + "The court heard the case of the defendant again today. " * 40 + "</p>\n"
    big.write_text("<html><body>" + paragraph * 6000 + "</body></html>")
    killed: list[int] = []

    def kill_workers() -> None:
        time.sleep(0.3)  # the big page is in its worker by now, and takes far longer than this
        for worker in _workers_of(os.getpid()):
            os.kill(worker, signal.SIGKILL)
            killed.append(worker)

    tasks = [Task(0, str(PAGES[0])), Task(0, str(big)), Task(0, str(PAGES[1]))]
    results = []
    for item in run_supervised(tasks, jobs=1, model_path=None, options=SegmentOptions(), timeout=None):
        results.append(item[1])
        if len(results) == 1:  # the worker is loaded and has taken the big page
            threading.Thread(target=kill_workers, daemon=True).start()
    assert killed, "the big page finished before it could be killed"
    before, crashed, after = results
    assert before.page is not None and after.page is not None and after.page.blocks
    assert crashed.source == str(big) and crashed.error_type == "WorkerCrashError"
    assert "died (exit code -9)" in crashed.error


def test_a_batch_longer_than_the_look_ahead_window_finishes_in_order(tmp_path):
    # the window fills, every page in it finishes, and the pool must read on rather than wait
    pages = []
    for i in range(7):
        page = tmp_path / f"{i}.txt"
        page.write_text(f"Headline {i}\n\nThe court heard case number {i} on Monday, officials said.\n")
        pages.append(str(page))
    tasks = [Task(0, p) for p in pages]
    results = [r for _, r in run_supervised(tasks, jobs=1, model_path=None, options=SegmentOptions(),
                                              timeout=60, window=1)]
    assert [r.source for r in results] == pages
    assert all(r.page is not None for r in results)


def test_a_worker_writes_its_pages_lines_and_sends_those_not_the_blocks():
    from thresher.batch import run_batch
    from thresher.outputs import Rendering

    rendering = Rendering("clean", "json", with_title=True)
    sources = [str(p) for p in PAGES[:2]] + [str(EXAMPLES / "no-such-page.html")]
    in_process = list(run_batch(sources, model_path=None, options=SegmentOptions(), timeout=None))
    written = list(run_batch(sources, model_path=None, options=SegmentOptions(), timeout=60,
                             finish=rendering.finisher(several=True)))
    assert [r.page for r in written] == [None] * 3  # the blocks stayed in the worker
    assert [r.lines for r in written] == [rendering.lines(r, True) for r in in_process]
    assert [r.ok for r in written] == [True, True, False]
    assert json.loads(written[0].lines[0])["text"]
    assert json.loads(written[2].lines[0])["error"]["type"] == in_process[2].error_type != ""


def test_only_a_path_waits_in_a_busy_workers_pipe():
    # a page's bytes could fill the pipe and block the parent, which must stay free to stop an overrun
    from thresher.inputs import Record
    from thresher.workers import _light

    assert _light(Task(0, "page.html"))
    assert not _light(Task(0, "-", b"<p>stdin page</p>"))
    assert not _light(Task(0, Record("stream.warc#1", b"<p>x</p>")))
