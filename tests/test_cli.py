"""The command line: files, folders, stdin, .gz, formats and exit codes (run as a real process)."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys

import pytest

from .conftest import EXAMPLES, ROOT, SEED


def thresher(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "thresher", *args], input=stdin, capture_output=True, cwd=ROOT)


def test_segment_writes_one_json_object_per_block():
    done = thresher("segment", str(SEED))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert len(rows) == 21
    assert [r["index"] for r in rows] == list(range(21))
    for row in rows:
        assert row["source"] == str(SEED)
        assert set(row["scores"]) == {"news_body", "quote", "case_record", "statistic", "boilerplate"}
        assert row["label"] in row["scores"]
        assert abs(sum(row["scores"].values()) - 1.0) < 1e-3


def test_clean_keeps_content_and_drops_the_title():
    done = thresher("clean", str(SEED))
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    assert "Nationally, approximately 86%" in text
    assert "Read Now" not in text and "New Products" not in text
    assert "DHS Announces ICE Enforcement Actions" not in text
    with_title = thresher("clean", "--with-title", str(SEED)).stdout.decode()
    assert with_title.startswith("DHS Announces ICE Enforcement Actions")


def test_clean_keep_selects_labels():
    text = thresher("clean", "--keep", "quote", str(SEED)).stdout.decode()
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    assert len(paragraphs) == 2 and all(p.startswith("“") for p in paragraphs)


def test_stdin_gz_and_folder(tmp_path):
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEED, folder / "a.txt")
    (folder / "sub" / "b.txt.gz").write_bytes(gzip.compress(SEED.read_bytes()))
    (folder / "c.html.gz").write_bytes((EXAMPLES / "wcxb-4101-sba.html.gz").read_bytes())
    (folder / "ignored.json").write_text("{}")
    done = thresher("clean", "--format", "json", str(folder))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["source"].rsplit("/", 1)[-1] for r in rows] == ["a.txt", "c.html.gz", "b.txt.gz"]
    assert rows[0]["text"] == rows[2]["text"] and rows[1]["text"]
    assert rows[1]["title"]
    piped = thresher("clean", "-", stdin=SEED.read_bytes())
    assert piped.returncode == 0 and piped.stdout.decode().strip() == rows[0]["text"].strip()


def test_bad_inputs_are_named_and_the_batch_goes_on(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    png = tmp_path / "image.html"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    out = tmp_path / "out.jsonl"
    done = thresher("clean", "--format", "json", str(empty), str(SEED), str(png), str(tmp_path / "missing.txt"),
                    "-o", str(out))
    assert done.returncode == 1
    errors = done.stderr.decode().strip().splitlines()
    assert any("empty.html" in e and "EmptyInputError" in e for e in errors)
    assert any("image.html" in e and "PNG" in e for e in errors)
    assert any("missing.txt" in e and "no such file" in e for e in errors)
    assert "Traceback" not in done.stderr.decode()
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [("error" in r) for r in rows] == [True, False, True, True]
    assert "1 pages ok, 3 failed" in errors[-1]


def test_jobs_give_the_same_output_in_order(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for i, name in enumerate(["dhs-ice-operation-rise.txt", "cook_il-regional-transit-task-force.txt",
                              "dallas_tx-steven-chaney.txt", "kings_ny-marcy-houses-conviction.txt"]):
        shutil.copy(EXAMPLES / name, folder / f"{i}.txt")
    one = thresher("segment", str(folder))
    two = thresher("segment", "--jobs", "2", str(folder))
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout


@pytest.mark.parametrize("args", [["clean"], ["clean", "--keep", "ads", "x"], ["frobnicate", "x"],
                                  ["segment", "--jobs", "0", "x"]])
def test_usage_errors_exit_2(args):
    done = thresher(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr.decode()


def test_markdown_and_detailed_formats():
    md = thresher("clean", "--format", "markdown", "--with-title", str(SEED)).stdout.decode()
    assert md.startswith("# DHS Announces") and "\n> “Unfortunately" in md
    detailed = thresher("segment", "--format", "detailed", str(SEED)).stdout.decode().splitlines()
    assert detailed[0] == f"# {SEED}" and len(detailed) == 22
    assert len(detailed[1].split("\t")) == 6


def test_a_repeated_paragraph_is_cleaned_once_and_segmented_twice(tmp_path):
    """The seed page with a paragraph pasted again two paragraphs on (a page's second copy):
    clean gives the paragraph once, in every format; segment still labels both copies."""
    lines = SEED.read_text(encoding="utf-8").split("\n\n")
    lead = next(p for p in lines if p.startswith("In fiscal 2019, ICE arrested persons"))
    at = lines.index(lead)
    page = tmp_path / "twice.txt"
    page.write_text("\n\n".join(lines[: at + 2] + [lead] + lines[at + 2:]), encoding="utf-8")
    rows = [json.loads(line) for line in thresher("segment", str(page)).stdout.decode().splitlines()]
    copies = [r for r in rows if r["text"] == lead.strip()]
    assert len(copies) == 2 and all(r["label"] != "boilerplate" for r in copies)
    for fmt in ("text", "markdown"):
        done = thresher("clean", "--format", fmt, str(page))
        assert done.returncode == 0, done.stderr
        assert done.stdout.decode().count("In fiscal 2019, ICE arrested persons") == 1
    assert thresher("clean", str(page)).stdout == thresher("clean", str(SEED)).stdout
