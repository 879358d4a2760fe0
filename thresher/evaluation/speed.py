"""Speed: pages per second in one process, whole-process time on a folder, peak memory."""

from __future__ import annotations

import dataclasses
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..corpus import corpus_dir, read_bytes, scrapinghub_pages, wcxb_pages
from .stages import print_stages, stage_seconds

if TYPE_CHECKING:
    from ..api import Thresher

# whole processes on the folder: each tool three times, as often first as second in its pair; the
# figure is the ratio of medians, so that one process caught in a slow spell of the host does not
# decide it (session 21: one of twenty took 11.7 s, the others 7.7-8.8)
FOLDER_ORDER = ("thresher clean", "trafilatura --input-dir", "trafilatura --input-dir", "thresher clean",
                "thresher clean", "trafilatura --input-dir")


def _single_thread() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def pages_per_second(extract, pages: list, *, repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        for page in pages:
            extract(page)
    return repeat * len(pages) / (time.perf_counter() - start)


SLICE_PAGES = 10  # a turn of the one-process measure: a few tenths of a second of either tool


def alternated_pages_per_second(extracts: dict[str, Callable], pages: list, *,
                                slice_pages: int = SLICE_PAGES) -> dict[str, float]:
    """Pages per second of each extractor, timed in turn on the same slices of ``pages``.

    Timed one after the other, a slow spell of the host (its speed moves by a third over seconds)
    lands on one tool only and moves their ratio; in turns of a few tenths of a second, it lands
    on both. The order of the turns flips each slice, so neither tool always runs first.
    """
    spent = dict.fromkeys(extracts, 0.0)
    names = list(extracts)
    for k, start in enumerate(range(0, len(pages), slice_pages)):
        part = pages[start:start + slice_pages]
        for name in names if k % 2 == 0 else names[::-1]:
            extract = extracts[name]
            began = time.perf_counter()
            for page in part:
                extract(page)
            spent[name] += time.perf_counter() - began
    return {name: len(pages) / spent[name] for name in names}


def build_folder(folder: Path, count: int, corpus: Path) -> int:
    """A folder of ``count`` HTML pages: all ScrapingHub pages, then WCXB pages."""
    written = 0
    for page in list(scrapinghub_pages(corpus)) + list(wcxb_pages(corpus)):
        if written >= count:
            break
        (folder / f"{written:04d}.html").write_bytes(read_bytes(page.path))
        written += 1
    return written


def folder_ratios(ours: list[float], theirs: list[float]) -> tuple[float, float]:
    """Their time over ours, of the medians (the figure) and of the sums, from whole-process runs.

    >>> [round(ratio, 2) for ratio in folder_ratios([8.0, 12.0, 8.0], [18.0, 18.0, 18.0])]
    [2.25, 1.93]
    """
    return statistics.median(theirs) / statistics.median(ours), sum(theirs) / sum(ours)


def timed(command: list[str], env: dict | None = None) -> tuple[float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, done.returncode, done.stderr[-500:]


def peak_memory_mb(size_mb: int, model_path: str | None) -> tuple[float, list[str]]:
    """Peak RSS of a fresh process that labels one generated page of ``size_mb`` MB, and which of
    the heavy libraries labeling should not need (scikit-learn, pandas) it imported."""
    code = (
        "import sys\n"
        "import thresher\n"
        "from thresher.evaluation.memory import peak_mb\n"
        # its 16,000 short blocks are past the default max_blocks: every one is labeled, not refused
        f"model = thresher.load({model_path!r}, max_blocks=10**6)\n"
        "para = '<p>' + 'The council said the budget rose by 4 percent this year, officials reported. ' * 8 + '</p>\\n'\n"
        "nav = '<ul>' + '<li><a href=\"/x\">Section</a></li>' * 10 + '</ul>\\n'\n"
        f"page = '<html><body>' + (nav + para * 10) * ({size_mb} * 1024 * 1024 // len(nav + para * 10)) + '</body></html>'\n"
        "text = model.clean(page)\n"
        "print(len(page), len(text), peak_mb(), ','.join(m for m in ('sklearn', 'pandas', 'scipy') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"the memory probe failed: {done.stderr.strip().splitlines()[-1:]}")
    fields = done.stdout.split()
    return float(fields[2]), [m for m in (fields[3:] or [""])[0].split(",") if m]


def _pages_and_model(model_path: str | None, corpus: Path) -> tuple[list[bytes], Thresher]:
    """The ScrapingHub pages' bytes and the model, warmed on the first page, in a process held to one thread."""
    import thresher

    _single_thread()
    pages = [read_bytes(p.path) for p in scrapinghub_pages(corpus)]
    model = thresher.load(model_path)
    model.clean(pages[0])  # warm-up: spaCy's pipeline is built on first use
    return pages, model


def back_to_back(model_path: str | None, corpus: str | None) -> tuple[float, float | None]:
    """Pages per second of thresher, then of trafilatura, each over all the ScrapingHub pages (the
    measure of sessions before 21); run in a fresh process so that both see the pages first."""
    pages, model = _pages_and_model(model_path, corpus_dir(corpus))
    ours = pages_per_second(model.clean, pages)
    try:
        import trafilatura
    except ImportError:
        return ours, None
    return ours, pages_per_second(trafilatura.extract, pages)


def _back_to_back_process(model_path: str | None, corpus: str | None) -> tuple[float, float | None]:
    code = ("from thresher.evaluation.speed import back_to_back\n"
            f"print(*back_to_back({model_path!r}, {corpus!r}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"the back-to-back probe failed: {done.stderr.strip().splitlines()[-1:]}")
    ours, theirs = done.stdout.split()
    return float(ours), None if theirs == "None" else float(theirs)


def main(args) -> int:
    corpus = corpus_dir(args.corpus_dir)
    pages, model = _pages_and_model(args.model, corpus)
    print(f"in one process, single-threaded, {len(pages)} ScrapingHub pages, each seen once by each tool:")
    try:
        import trafilatura
    except ImportError:
        trafilatura = None
    if trafilatura is None:
        print(f"  thresher     {pages_per_second(model.clean, pages):7.1f} pages/s")
        print("  trafilatura not installed: pip install '.[compare]'")
    else:
        trafilatura.extract(pages[0])  # its warm-up too
        rates = alternated_pages_per_second({"thresher": model.clean, "trafilatura": trafilatura.extract}, pages)
        ours, theirs = rates["thresher"], rates["trafilatura"]
        print(f"  in turns of {SLICE_PAGES} pages: thresher {ours:6.1f}, trafilatura {theirs:6.1f} pages/s   "
              f"(thresher / trafilatura: {ours / theirs:.2f})")
        ours, theirs = _back_to_back_process(args.model, args.corpus_dir)
        print(f"  one after the other (a fresh process): thresher {ours:6.1f}, trafilatura {theirs:6.1f} pages/s   "
              f"(thresher / trafilatura: {ours / theirs:.2f})")
    print()
    # the path model.clean takes (no kind where a block's side does not need one)
    print_stages(stage_seconds(model.model, pages, dataclasses.replace(model.options, kinds=False, scores=False))[0], len(pages))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        n = build_folder(folder, args.folder_pages, corpus)
        print(f"\nwhole process on a folder of {n} pages (import and model loading included), "
              f"each tool {len(FOLDER_ORDER) // 2} times in turns:")
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        ours_cmd = [sys.executable, "-m", "thresher", "clean", str(folder), "-o", os.devnull, "--progress", "never"]
        if args.model:
            ours_cmd += ["--model", args.model]
        # the script beside this interpreter first: a virtualenv run without activating it has no PATH entry
        beside = Path(sys.executable).parent / "trafilatura"
        script = str(beside) if beside.is_file() else shutil.which("trafilatura")
        if not script:
            ours_s, code, _ = timed(ours_cmd, env)
            print(f"  thresher clean          {ours_s:6.1f} s  ({n / ours_s:.0f} pages/s, exit {code})")
            print("  trafilatura's command line not found: pip install '.[compare]'")
        else:
            commands = {"thresher clean": ours_cmd, "trafilatura --input-dir": [
                script, "--input-dir", str(folder), "--parallel", "1", "--output-dir"]}
            times = {name: [] for name in commands}
            for turn, name in enumerate(FOLDER_ORDER):
                command = commands[name] + ([str(Path(tmp) / f"out{turn}")] if name != "thresher clean" else [])
                seconds, code, _ = timed(command, env)
                times[name].append(seconds)
                print(f"  {name:23s} {seconds:6.1f} s  ({n / seconds:.0f} pages/s, exit {code})")
            medians, summed = folder_ratios(times["thresher clean"], times["trafilatura --input-dir"])
            print(f"  time ratio trafilatura / thresher, medians: {medians:.2f}   (summed: {summed:.2f})")
    rss, heavy = peak_memory_mb(5, args.model)
    print(f"\npeak memory, one 5 MB page in a fresh process: {rss:.0f} MB "
          f"({'it imported ' + ', '.join(heavy) if heavy else 'scikit-learn, pandas and scipy not imported'})")
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    return 0
