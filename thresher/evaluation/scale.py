"""Scale: pages per second on a folder, a WARC file, a JSON Lines stream (with its peak memory)
and a Dask LocalCluster of 1 and 2 workers, on the same corpus pages.

The pages are WCXB dev and ScrapingHub HTML pages, repeated as needed: only their
speed is measured, nothing is scored. Runs that are compared take turns (``--rounds``), so that other load on the machine weighs on
both alike; each figure is printed as soon as it is measured.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..corpus import corpus_dir, read_bytes, scrapinghub_pages, wcxb_pages

STREAM_BAR = 0.10  # issue 7: peak memory within 10% between the short and the long stream
SPEEDUP_BAR = 1.6  # issue 7: 2 workers at least 1.6 times 1 worker
WARC_BAR = 0.20  # issue 7: WARC throughput within 20% of the folder's


def corpus_pages(corpus: Path, count: int) -> list[bytes]:
    """``count`` HTML pages: WCXB dev then ScrapingHub, repeated from the start as needed."""
    paths = [p.path for p in wcxb_pages(corpus)] + [p.path for p in scrapinghub_pages(corpus)]
    return [read_bytes(path) for path in itertools.islice(itertools.cycle(paths), count)]


def write_folder(folder: Path, pages: list[bytes]) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i, page in enumerate(pages):
        path = folder / f"{i:05d}.html"
        path.write_bytes(page)
        names.append(str(path))
    return names


def write_warc(path: Path, pages: list[bytes]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i, page in enumerate(pages):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://example.org/{i}", "response",
                                                          payload=io.BytesIO(page), http_headers=headers))


def write_stream(path: Path, pages: list[bytes], count: int) -> None:
    """A JSON Lines stream of ``count`` records, cycling through ``pages``."""
    from ..decoding import decode_bytes

    texts = [decode_bytes(p)[0] for p in pages]
    with open(path, "w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps({"url": f"https://example.org/{i}", "html": texts[i % len(texts)]}) + "\n")


def in_process(sources: list[str], model_path: str | None) -> tuple[int, float]:
    """Pages and seconds through ``run_batch`` in this process, model loaded and warm."""
    from ..batch import cached_model, run_batch
    from ..inputs import iter_items
    from ..options import SegmentOptions

    options = SegmentOptions()
    cached_model(model_path)
    list(run_batch(iter_items(sources[:1], max_bytes=options.max_input_bytes), model_path=model_path,
                   options=options, timeout=None))  # warm-up: spaCy builds its pipeline on the first page
    count = 0
    start = time.perf_counter()
    for _ in run_batch(iter_items(sources, max_bytes=options.max_input_bytes), model_path=model_path,
                       options=options, timeout=None):
        count += 1
    return count, time.perf_counter() - start


def stream_run(path: Path, model_path: str | None) -> tuple[float, float, str]:
    """``thresher clean --format json STREAM`` in a fresh process: seconds, peak RSS (MB), summary line."""
    code = (
        "import resource, sys, time\n"
        "from thresher.cli import main\n"
        "from thresher.evaluation.memory import peak_mb\n"
        "start = time.perf_counter()\n"
        "code = main(sys.argv[1:])\n"
        "print('SCALE', time.perf_counter() - start, peak_mb(),"
        " file=sys.stderr)\n"
    )
    command = [sys.executable, "-c", code, "clean", "--format", "json", str(path), "-o", os.devnull, "--progress", "never"]
    if model_path:
        command += ["--model", model_path]
    done = subprocess.run(command, capture_output=True, text=True)
    lines = done.stderr.strip().splitlines()
    marks = [line for line in lines if line.startswith("SCALE ")]
    if not marks:
        raise RuntimeError(f"the stream run failed: {lines[-3:]}")
    _, seconds, rss = marks[-1].split()
    return float(seconds), float(rss), next((line for line in lines if "pages ok" in line), "")


def cluster_run(client, sources: list[str], model_path: str | None, out_dir: Path) -> tuple[int, float]:
    """Pages and seconds on the cluster behind ``client``."""
    from ..dask import run_on_cluster
    from ..options import SegmentOptions
    from ..outputs import Rendering

    start = time.perf_counter()
    tally = run_on_cluster(sources, str(out_dir), model_path=model_path, options=SegmentOptions(),
                           rendering=Rendering("clean", "json"), pages_per_part=50, client=client)
    return tally.ok + sum(tally.failures.values()), time.perf_counter() - start


def alternated(runs: dict, rounds: int) -> dict:
    """Pages per second of each run, taking turns ``rounds`` times: other load on the machine
    then weighs on every run alike, not on whichever ran first."""
    pages = dict.fromkeys(runs, 0)
    seconds = dict.fromkeys(runs, 0.0)
    for _ in range(rounds):
        for name, run in runs.items():
            n, s = run()
            pages[name] += n
            seconds[name] += s
    return {name: pages[name] / seconds[name] for name in runs}


def _clients(model_path: str | None) -> dict:
    from ..batch import cached_model
    from ..dask import connect

    clients = {}
    for workers in (1, 2):
        clients[workers] = connect(workers=workers)
        clients[workers].run(cached_model, model_path)  # model loading is start-up cost, not throughput
    return clients


def main(args) -> int:
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core per worker: the cluster's speed-up is then fair
    corpus = corpus_dir(args.corpus_dir)
    model = args.model
    print(f"CPU cores: {os.cpu_count()}; load average at start: {os.getloadavg()[0]:.1f} "
          "(other processes share these cores: figures may be depressed)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pages = corpus_pages(corpus, args.pages)
        folder = write_folder(tmp / "pages", pages)
        print(f"\n{len(pages)} corpus pages (WCXB dev, then ScrapingHub), {sum(map(len, pages)) / 1e6:.0f} MB of HTML")
        write_warc(tmp / "pages.warc.gz", pages)
        rates = alternated({"folder": lambda: in_process(folder, model),
                            "warc": lambda: in_process([str(tmp / "pages.warc.gz")], model)}, args.rounds)
        gap = abs(rates["warc"] - rates["folder"]) / rates["folder"]
        print(f"  one process, folder:          {rates['folder']:6.1f} pages/s")
        print(f"  one process, WARC (.warc.gz): {rates['warc']:6.1f} pages/s   WARC/folder {rates['warc'] / rates['folder']:.2f} "
              f"(bar: within {WARC_BAR:.0%}: {'met' if gap <= WARC_BAR else 'NOT met'})")
        clients = _clients(model)
        try:
            rates = alternated({w: functools.partial(cluster_run, c, folder, model, tmp / f"out-{w}")
                                for w, c in clients.items()}, args.rounds)
        finally:
            for client in clients.values():
                cluster = client.cluster
                client.close()
                cluster.close()
        for workers in (1, 2):
            print(f"  LocalCluster, {workers} worker{'s' if workers > 1 else ' '}:      {rates[workers]:6.1f} pages/s")
        speedup = rates[2] / rates[1]
        print(f"  speed-up 2 vs 1 workers: {speedup:.2f}x (bar: {SPEEDUP_BAR}x: {'met' if speedup >= SPEEDUP_BAR else 'NOT met'})")
        peaks = {}
        distinct = pages[: args.short_stream]  # both streams cycle the same pages: only the length differs
        for count in (args.short_stream, args.stream):
            write_stream(tmp / "stream.jsonl", distinct, count)
            seconds, peaks[count], summary = stream_run(tmp / "stream.jsonl", model)
            print(f"\nJSON Lines stream of {count:,} pages ({len(distinct):,} distinct), "
                  "thresher clean --format json in a fresh process:")
            print(f"  {count / seconds:6.1f} pages/s (start-up included), peak memory {peaks[count]:.0f} MB; {summary}")
        growth = (peaks[args.stream] - peaks[args.short_stream]) / peaks[args.short_stream]
        print(f"  peak memory {args.stream:,} vs {args.short_stream:,} pages: {growth:+.1%} "
              f"(bar: within {STREAM_BAR:.0%}: {'met' if abs(growth) <= STREAM_BAR else 'NOT met'})")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return 0
