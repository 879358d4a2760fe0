"""evaluate.py annotations end to end on a tiny gold set: --report, --fail-under, and the report in Chromium."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from thresher.annotations import GoldBlock, GoldPage, read_dir, write_pages

ROOT = Path(__file__).resolve().parent.parent
# headless, offline, no first-run or background chatter; a fresh profile per run (see _render)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]
_CONSOLE = re.compile(r":CONSOLE[:(]")


def _evaluate():
    spec = importlib.util.spec_from_file_location("evaluate_script", ROOT / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gold_dir(tmp_path_factory) -> Path:
    """Two test-split pages made from the worked example: one labeled twice, with two disagreements."""
    seed = next(p for p in read_dir(ROOT / "annotations") if p.doc_id == "seed-dhs-ice-operation-rise")
    folder = tmp_path_factory.mktemp("gold")
    first = GoldPage("page-one", seed.source, "site-one", "test", [GoldBlock(b.text, b.label, "A") for b in seed.blocks])
    blocks = []
    for k, b in enumerate(seed.blocks):
        second = "boilerplate" if k in (1, 2) else b.label
        blocks.append(GoldBlock(b.text, b.label, "A", extra={"votes": [{"annotator": "A", "label": b.label},
                                                                      {"annotator": "H", "label": second}]}))
    write_pages(folder / "gold.jsonl", [first, GoldPage("page-two", seed.source, "site-two", "test", blocks)])
    return folder


@pytest.fixture(scope="module")
def report_dir(gold_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    empty_corpus = tmp_path_factory.mktemp("corpus")  # pages fall back to their stored blocks
    code = _evaluate().main(["--corpus-dir", str(empty_corpus), "--annotations", str(gold_dir), "annotations",
                             "--split", "test", "--jobs", "1", "--report", str(out)])
    assert code == 0
    return out


def test_report_files_and_metrics(report_dir):
    metrics = json.loads((report_dir / "metrics.json").read_text())
    systems = metrics["systems"]
    assert systems["model"]["pages"] == 2 and systems["second annotator"]["pages"] == 1
    # the second annotator differs on two of the page's blocks
    assert systems["second annotator"]["block"]["micro"]["f1"] < 1.0
    assert 0.0 <= metrics["headline"]["ece"] <= 1.0
    html = (report_dir / "index.html").read_text()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert html.count("<svg") >= 8 and "<script" not in html


def test_fail_under_exits_non_zero_and_names_the_figure(gold_dir, tmp_path, capsys):
    code = _evaluate().main(["--corpus-dir", str(tmp_path), "--annotations", str(gold_dir), "annotations",
                             "--split", "test", "--jobs", "1", "--fail-under", "macro_f1=1.01,content_f1=0.0"])
    err = capsys.readouterr().err
    assert code == 1 and "macro_f1" in err and "below 1.0100" in err and "content_f1" not in err


def test_fail_under_on_the_written_metrics(report_dir, capsys):
    evaluate = _evaluate()
    metrics = json.loads((report_dir / "metrics.json").read_text())
    macro = metrics["headline"]["macro_f1"]
    assert evaluate._gate(metrics, {"macro_f1": macro, "systems.keyword.block.macro.f1": 0.0}) == 0
    assert evaluate._gate(metrics, {"content_f1": metrics["headline"]["content_f1"] + 0.001}) == 1
    assert "content_f1" in capsys.readouterr().err
    assert evaluate._gate(metrics, {"macro_fl": 0.5}) == 2
    assert "macro_fl" in capsys.readouterr().err


def test_a_malformed_floor_stops_before_the_run(gold_dir, tmp_path):
    with pytest.raises(SystemExit, match="not a number"):
        _evaluate().main(["--annotations", str(gold_dir), "annotations", "--fail-under", "macro_f1=high"])


# -- the report in a real browser -----------------------------------------------------------------
def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it and runs this test")
    return path


def _render(page: Path, tmp_path: Path, *, height: int = 5000) -> tuple[str, list[str], Path]:
    """The page's DOM after load, its console messages, and a screenshot of it."""
    browser = _chromium()
    url = page.resolve().as_uri()
    shot = tmp_path / f"{page.stem}.png"
    console: list[str] = []
    outputs = []
    for k, action in enumerate((["--dump-dom"], [f"--screenshot={shot}", f"--window-size=1280,{height}"])):
        done = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / f'profile-{page.stem}-{k}'}",
                               *action, url], capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-2000:]
        console += [line for line in done.stderr.splitlines() if _CONSOLE.search(line)]
        outputs.append(done.stdout)
    return outputs[0], console, shot


def _ink_share(png: Path) -> float:
    """Share of the screenshot's pixels that are not the page's white background."""
    from PIL import Image

    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
        return 1 - sum(histogram[250:]) / (grey.width * grey.height)


def test_the_console_check_catches_errors(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><body><p>x</p><script>throw new Error("boom")</script></body>')
    _, console, _ = _render(bad, tmp_path, height=300)
    assert any("boom" in line for line in console)


def test_report_renders_in_headless_chromium(report_dir, tmp_path):
    dom, console, shot = _render(report_dir / "index.html", tmp_path)
    assert console == [], console
    assert dom.count("<svg") >= 8 and dom.count("<table") >= 8
    assert dom.count('class="bar"') >= 20 and "Worst pages" in dom and 'class="miss"' in dom
    # kept beside the report for a human to look at
    shutil.copy(shot, report_dir / "screenshot.png")
    assert _ink_share(shot) > 0.03, "the screenshot is (nearly) blank"
    blank = tmp_path / "blank.html"
    blank.write_text("<!doctype html><title>blank</title><body></body>")
    _, _, blank_shot = _render(blank, tmp_path, height=300)
    assert _ink_share(blank_shot) < 0.001  # the measure itself sees a blank page as blank


def test_benchmark_report_renders_in_headless_chromium(tmp_path):
    from thresher.corpus import BenchmarkPage
    from thresher.evaluation import benchmarks, report

    references = ["a b c d e f", "w x y z v", "one two three four five", "the cat sat on the mat"]
    pages = [BenchmarkPage(str(i), tmp_path, r, f"site{i}", ("article", "listing")[i % 2]) for i, r in enumerate(references)]
    runs = [benchmarks.SystemRun("thresher", "m", ["a b c d e f", "", "one two three", "the cat sat on the mat"]),
            benchmarks.SystemRun("peer <b>", "1.0", ["a b c", "w x y z v", "", "the cat"])]
    metrics = benchmarks.benchmark_metrics("wcxb-dev", runs, pages, {"goose3": "not installed"}, rounds=50)
    page = report.write(tmp_path / "bench", report.benchmark_report(metrics), metrics)
    dom, console, shot = _render(page, tmp_path, height=1600)
    assert console == [], console
    assert dom.count("<svg") == 3 and dom.count("<table") == 3 and "peer &lt;b&gt;" in dom
    assert "goose3: not installed" in dom
    assert _ink_share(shot) > 0.03
