"""The hostile-input catalogue: pages built at run time to break a cleaner, and how Thresher fares.

``python evaluate.py hostile`` writes every case to a temporary folder and runs each
in a fresh process with the default limits, timing the page (model loading excluded)
and reading the process's peak memory; then the whole catalogue through the command
line as one batch; then a large batch with a share of bad pages, checking that
exactly those are reported.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024
_WORDS = ("the court said on monday that the defendant who was arrested in march had been charged "
          "with fraud and will appear before a judge next week according to officials").split()


@dataclass(frozen=True)
class Case:
    """One hostile input: a file name (its suffix matters) and the code that makes its bytes."""

    name: str
    file: str
    make: Callable[[], bytes]
    limits: dict = field(default_factory=dict)  # SegmentOptions that differ from the defaults
    note: str = ""


def _prose(n_bytes: int, seed: int = 0, sep: str = " ") -> str:
    rng = random.Random(seed)
    words, size = [], 0
    while size < n_bytes:
        word = rng.choice(_WORDS)
        words.append(word)
        size += len(word) + 1
    return sep.join(words)


def _paragraphs(n_bytes: int | None = None, seed: int = 0, *, count: int | None = None) -> str:
    """Paragraphs of 200-900 bytes of prose: ``n_bytes`` of them, or ``count`` paragraphs."""
    rng = random.Random(seed)
    out, size = [], 0
    while (size < n_bytes) if count is None else (len(out) < count):
        p = "<p>" + _prose(rng.randint(200, 900), rng.randint(0, 10**6)).capitalize() + ".</p>\n"
        out.append(p)
        size += len(p)
    return "".join(out)


def _page(body: str, head: str = "<title>A page</title>") -> bytes:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


def _gzip_bomb(inflated: int) -> bytes:
    """A gzip stream of ``inflated`` zero bytes (about 1,000 times smaller), built chunk by chunk."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * MB
    parts = [packer.compress(chunk) for _ in range(inflated // MB)]
    return b"".join(parts) + packer.flush()


def _nested(tag: str, depth: int, inner: str = "deep text") -> bytes:
    return _page(f"<{tag}>" * depth + inner + f"</{tag}>" * depth)


def _mixed_encodings() -> bytes:
    utf8 = "<p>Café owner José Núñez was charged — the court said.</p>".encode()
    cp1252 = "<p>The “defendant” paid €500 in fines.</p>".encode("cp1252")
    latin = "<p>Straße, Öl, Ärger.</p>".encode("latin-1")
    return b"<html><body>" + (utf8 + cp1252 + latin) * 200 + b"</body></html>"


def catalogue() -> list[Case]:
    """Every hostile case, cheapest first."""
    article = _paragraphs(30_000)
    return [
        Case("empty file", "empty.html", lambda: b""),
        Case("whitespace only", "blank.html", lambda: b" \n\t\r\n" * 1000),
        Case("PNG named .html", "image.html", lambda: b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(200_000)),
        Case("PDF named .html", "doc.html", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + random.Random(2).randbytes(200_000)),
        Case("random bytes named .html", "noise.html", lambda: random.Random(3).randbytes(MB)),
        Case("gzip bomb (1 GB of zeros)", "bomb.html.gz", lambda: _gzip_bomb(1024 * MB)),
        Case("truncated gzip", "cut.html.gz", lambda: gzip.compress(_page(article))[:5_000]),
        Case("truncated download (cut mid-tag, mid-character)", "cut.html",
             lambda: _page(article + "<p>Zoë said “yes”</p>")[:-40] + b"<a hr" + "é".encode()[:1]),
        Case("HTML with no body", "nobody.html", lambda: b"<html><head><title>Only a head</title></head></html>"),
        Case("text with no newlines", "oneline.txt", lambda: _prose(20_000).encode()),
        Case("one 10 MB line of text", "line10mb.txt", lambda: _prose(10 * MB).encode()),
        Case("one 10 MB line of HTML (a single paragraph)", "line10mb.html", lambda: _page("<p>" + _prose(10 * MB) + "</p>")),
        Case("a 2 MB word without spaces", "word.html", lambda: _page("<p>" + "x" * (2 * MB) + "</p>")),
        Case("NUL bytes throughout (one in six bytes)", "nul.html", lambda: _page(article).replace(b" ", b" \0")),
        Case("NUL bytes here and there", "somenul.html", lambda: _page(article).replace(b"the ", b"the\0 ")),
        Case("control characters throughout", "control.html",
             lambda: _page(article).replace(b"e", b"e\x07").replace(b"a", b"a\x1b\x0c")),
        Case("control characters here and there", "somecontrol.html",
             lambda: _page(article).replace(b"court ", b"court\x07 ").replace(b"judge ", b"judge\x0c\x1b ")),
        Case("mixed encodings in one page", "mixed.html", _mixed_encodings),
        Case("UTF-16 without BOM", "utf16.html", lambda: _page(article).decode().encode("utf-16-le")),
        Case("declares Shift_JIS, is UTF-8", "wrongcharset.html",
             lambda: _page(article.replace("court", "cour—t"), "<meta charset='shift_jis'><title>T</title>")),
        Case("100,000 nested divs", "deepdiv.html", lambda: _nested("div", 100_000)),
        Case("100,000 nested inline elements", "deepspan.html", lambda: _nested("span", 100_000)),
        Case("5,000 nested tables", "deeptable.html", lambda: _nested("table><tr><td", 5_000).replace(
            b"</table><tr><td>", b"</td></tr></table>")),
        Case("10,000 unclosed tags", "unclosed.html",
             lambda: b"<html><body>" + b"".join(f"<div><p><b><li>open {i} ".encode() for i in range(10_000))),
        Case("100,000 paragraphs (past max_blocks)", "manyblocks.html",
             lambda: _page("".join(f"<p>Paragraph {i}.</p>" for i in range(100_000)))),
        Case("a million <br>", "br.html", lambda: _page("<p>" + "line<br>" * 1_000_000 + "</p>")),
        Case("a 5 MB class attribute", "attr.html", lambda: _page(f"<div class='{'x ' * (5 * MB // 2)}'>{article}</div>")),
        Case("unclosed comment", "comment.html", lambda: _page(article[:5000] + "<!-- " + _prose(5 * MB))),
        Case("unclosed script", "script.html", lambda: _page(article[:5000] + "<script>var a='" + _prose(5 * MB))),
        Case("entity expansion (billion laughs)", "laughs.html", lambda: (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                       for i in range(1, 10))
            + b"]><html><body><p>&lol9;</p></body></html>")),
        Case("an article of 9,990 paragraphs (just under max_blocks)", "manyparas.html",
             lambda: _page(_paragraphs(seed=5, count=9_990))),
        Case("a 19 MB article (just under the size limit)", "big19mb.html", lambda: _page(_paragraphs(19 * MB))),
        Case("a 40 MB page (over the size limit)", "big40mb.html", lambda: _page(_paragraphs(40 * MB, 1))),
        Case("a 40 MB page, size limit raised to 64 MB", "big40mb-allowed.html", lambda: _page(_paragraphs(40 * MB, 1)),
             limits={"max_input_bytes": 64 * MB, "max_blocks": 500_000},
             note="limits raised on purpose: what a 40 MB page costs"),
    ]


# Runs in a fresh interpreter per case: load the model and label one ordinary page (untimed:
# it imports spaCy and builds its tokenizer once per process), then time the hostile page.
_ONE = """
import json, resource, sys, time
from thresher.batch import process_source
from thresher.options import SegmentOptions
from thresher.persistence import load_model
from thresher.pipeline import segment_page
from thresher.evaluation.memory import peak_mb
model = load_model(None)
segment_page(_WARM_UP, model)
options = SegmentOptions(**json.loads(sys.argv[2]))
start = time.perf_counter()
result = process_source(sys.argv[1], model, options)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "error_type": result.error_type, "error": result.error,
                  "blocks": len(result.page.blocks) if result.page else 0,
                  "peak_mb": peak_mb()}))
""".replace("_WARM_UP", repr(
    "Court sentences man for fraud\n\nA man was sentenced on Monday to five years in prison for fraud, "
    "prosecutors said.\n\n“Justice was served,” the district attorney said.\n\nCrime fell 12% last year."))


def run_case(path: Path, limits: dict, hard_limit: float = 600.0) -> dict:
    """One page in a fresh process: outcome, seconds for the page, peak memory, any traceback."""
    proc = subprocess.run([sys.executable, "-c", _ONE, str(path), json.dumps(limits)],
                          capture_output=True, text=True, timeout=hard_limit)
    traceback = "Traceback" in proc.stderr
    if proc.returncode != 0 or not proc.stdout.strip():
        return {"outcome": f"CRASH (exit {proc.returncode})", "traceback": traceback, "seconds": None, "peak_mb": None,
                "stderr": proc.stderr[-2000:]}
    record = json.loads(proc.stdout.strip().splitlines()[-1])
    record["outcome"] = record["error_type"] or f"ok ({record['blocks']} blocks)"
    record["traceback"] = traceback
    return record


def _cli(*args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "thresher", *args], capture_output=True, text=True, timeout=timeout)


def run_catalogue(folder: Path, *, progress: bool = True) -> Iterator[tuple[Case, dict]]:
    """Write each case to ``folder`` and run it alone; yield ``(case, record)``."""
    for case in catalogue():
        path = folder / case.file
        path.write_bytes(case.make())
        record = run_case(path, case.limits)
        record["bytes"] = path.stat().st_size
        yield case, record
        if progress:
            print(f"  done: {case.name}", file=sys.stderr)


def run_catalogue_batch(folder: Path, jobs: int = 2) -> dict:
    """The catalogue (default limits only) as one command-line batch: every page reported, no traceback."""
    out = folder / "batch.jsonl"
    start = time.perf_counter()
    proc = _cli("clean", "--format", "json", "--jobs", str(jobs), "-o", str(out),
                *[str(folder / c.file) for c in catalogue() if not c.limits])
    records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    return {"seconds": time.perf_counter() - start, "exit": proc.returncode, "records": len(records),
            "errors": sum("error" in r for r in records), "traceback": "Traceback" in proc.stderr,
            "summary": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""}


_BAD_KINDS: list[tuple[str, bytes]] = [
    ("empty.html", b""),
    ("binary.html", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20),
    ("pdf.txt", b"%PDF-1.4\n" + bytes(range(256)) * 20),
    # cut at half: a whole stream of repeated words would fit in the first bytes and be valid
    ("truncated.html.gz", (lambda z: z[: len(z) // 2])(gzip.compress(_page(_paragraphs(20_000, 7))))),
    ("blank.txt", b"\n \n\t\n"),
]


def make_batch(folder: Path, pages: int, bad_share: float, examples: list[Path]) -> set[str]:
    """Write ``pages`` pages, ``bad_share`` of them bad, spread through the batch; return the bad paths."""
    rng = random.Random(0)
    folder.mkdir(parents=True, exist_ok=True)
    contents = [p.read_bytes() if p.suffix != ".gz" else gzip.decompress(p.read_bytes()) for p in examples]
    n_bad = round(pages * bad_share)
    bad_at = set(rng.sample(range(pages), n_bad))
    bad: set[str] = set()
    for i in range(pages):
        sub = folder / f"{i // 1000:02d}"
        sub.mkdir(exist_ok=True)
        if i in bad_at:
            name, data = _BAD_KINDS[i % len(_BAD_KINDS)]
            path = sub / f"{i:05d}-{name}"
            bad.add(str(path))
        else:
            source = examples[i % len(examples)]
            data = contents[i % len(examples)]
            suffix = ".html" if ".html" in source.name else ".txt"
            path = sub / f"{i:05d}{suffix}"
        path.write_bytes(data)
    return bad


def run_big_batch(folder: Path, pages: int, bad_share: float, examples: list[Path], jobs: int) -> dict:
    """A batch with bad pages mixed in: did it finish, and are exactly the bad pages reported?"""
    bad = make_batch(folder / "pages", pages, bad_share, examples)
    out = folder / "batch.jsonl"
    start = time.perf_counter()
    proc = _cli("clean", "--format", "json", "--jobs", str(jobs), "-o", str(out), str(folder / "pages"))
    seconds = time.perf_counter() - start
    records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    reported = {r["source"] for r in records if "error" in r}
    return {"pages": pages, "bad": len(bad), "records": len(records), "reported": len(reported),
            "exactly_the_bad_pages": reported == bad, "exit": proc.returncode, "seconds": seconds,
            "pages_per_second": pages / seconds if seconds else 0.0, "traceback": "Traceback" in proc.stderr,
            "summary": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""}


def environment_note() -> str:
    return f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"


def main(args) -> int:
    """Print the catalogue's table, the catalogue as one batch, and the big batch; 1 when a bar is missed."""
    import tempfile

    from ..options import MAX_INPUT_BYTES_DEFAULT

    examples = sorted(Path(args.examples).glob("*.txt")) + sorted(Path(args.examples).glob("*.html.gz"))
    failed: list[str] = []
    print(f"hostile inputs, default limits (size {MAX_INPUT_BYTES_DEFAULT // MB} MB), {environment_note()}")
    print("each page in a fresh process; seconds = the page alone (model loaded before); peak = whole process\n")
    print(f"{'case':<52} {'size':>9} {'outcome':<28} {'seconds':>8} {'peak MB':>8}")
    with tempfile.TemporaryDirectory(prefix="thresher-hostile-") as tmp:
        folder = Path(tmp)
        for case, r in run_catalogue(folder, progress=False) if args.catalogue else ():
            seconds = f"{r['seconds']:.2f}" if r["seconds"] is not None else "-"
            peak = f"{r['peak_mb']:.0f}" if r["peak_mb"] is not None else "-"
            print(f"{case.name:<52} {r['bytes'] / MB:>7.2f}MB {r['outcome'][:28]:<28} {seconds:>8} {peak:>8}", flush=True)
            if r["outcome"].startswith("CRASH") or r["traceback"]:
                failed.append(f"{case.name}: crash or traceback")
            elif not case.limits and r["seconds"] > 5:
                failed.append(f"{case.name}: {r['seconds']:.1f} s > 5 s")
            if "40 MB" in case.name and r["peak_mb"] and r["peak_mb"] > 1024:
                failed.append(f"{case.name}: peak {r['peak_mb']:.0f} MB > 1 GB")
        if args.catalogue:
            batch = run_catalogue_batch(folder, jobs=args.jobs)
            print(f"\ncatalogue as one batch (thresher clean --format json --jobs {args.jobs}): {batch['records']} "
                  f"records, {batch['errors']} errors, exit {batch['exit']}, traceback: {batch['traceback']}, "
                  f"{batch['seconds']:.1f} s")
            print(f"  {batch['summary']}")
            if batch["traceback"] or batch["exit"] not in (0, 1):
                failed.append("catalogue batch: traceback or bad exit status")
        for path in folder.iterdir():
            path.unlink()
        if args.batch_pages:
            big = run_big_batch(folder, args.batch_pages, args.bad_share, examples, args.jobs)
            print(f"\n{big['pages']:,}-page batch, {big['bad']} bad pages ({args.bad_share:.0%}), --jobs {args.jobs}: "
                  f"{big['records']:,} records, {big['reported']} reported, exactly the bad pages: "
                  f"{big['exactly_the_bad_pages']}, exit {big['exit']}, {big['seconds']:.0f} s "
                  f"({big['pages_per_second']:.1f} pages/s)")
            print(f"  {big['summary']}")
            if not big["exactly_the_bad_pages"] or big["records"] != big["pages"] or big["traceback"]:
                failed.append("big batch: not exactly the bad pages reported")
    print("\nbars: no crash or traceback; each page < 5 s with default limits; 40 MB page < 1 GB; "
          "batch reports exactly its bad pages")
    print("all bars met" if not failed else "missed:\n  " + "\n  ".join(failed))
    return 0 if not failed else 1
