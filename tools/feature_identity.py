"""Check that this tree's block features equal a git ref's, bit for bit, and time them.

    PYTHONPATH=$PWD python tools/feature_identity.py                    # against the fork point from main
    PYTHONPATH=$PWD python tools/feature_identity.py --ref main --wcxb 300 --press 40
    PYTHONPATH=$PWD python tools/feature_identity.py --time-only        # stage times only

A speed-up of ``local_features``, ``context_features`` or ``type_features`` must leave the shipped model's
scores unchanged, so the rows must be identical (compared as bytes: -0.0 and 0.0 differ,
NaN equals NaN). The reference modules are read with ``git show`` and loaded beside this
tree's, so both run in one process on the same blocks. Times are process CPU time
(``time.process_time``): the machine is shared, and wall time measures the neighbours.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np

from thresher import features, typing_features
from thresher.blocks import Block
from thresher.corpus import corpus_dir
from thresher.errors import InputError
from thresher.evaluation.hostile import _page, _paragraphs
from thresher.options import SegmentOptions
from thresher.segmenter import split_page

_MODULES = {"features": "thresher/features.py", "typing_features": "thresher/typing_features.py"}


def load_reference(ref: str, tmp: Path) -> dict[str, ModuleType]:
    """The two feature modules as they are at ``ref``, loaded as ``thresher._ref_*``.

    Their relative imports (``.blocks``, ``.features``) resolve to this tree's package:
    only the constants they read from there are shared.
    """
    out = {}
    for name, path in _MODULES.items():
        source = subprocess.run(["git", "show", f"{ref}:{path}"], check=True, capture_output=True, text=True).stdout
        file = tmp / f"_ref_{name}.py"
        file.write_text(source)
        spec = importlib.util.spec_from_file_location(f"thresher._ref_{name}", file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        out[name] = module
    return out


def pages(root: Path, n_wcxb: int, n_press: int) -> list[tuple[str, bytes]]:
    """(name, bytes) of the corpus pages to compare on, and the hostile 2 MB page."""
    out = [(f"scrapinghub/{p.name}", gzip.decompress(p.read_bytes()))
           for p in sorted((root / "scrapinghub" / "html").glob("*.html.gz"))]
    out += [(f"wcxb/{p.name}", gzip.decompress(p.read_bytes()))
            for p in sorted((root / "wcxb-dev" / "html").glob("*.html.gz"))[:n_wcxb]]
    for county in sorted((root / "press-releases").iterdir()):
        out += [(f"press/{county.name}/{p.name}", p.read_bytes()) for p in sorted(county.glob("*.txt"))[:n_press]]
    out += [(f"seed/{p.name}", p.read_bytes()) for p in sorted((root / "seed").glob("*.txt"))]
    out.append(("hostile/2mb-prose", hostile_page()))
    return out


def hostile_page() -> bytes:
    """The all-prose 2 MB page of the hostile suite."""
    return _page(_paragraphs(2 * 1024 * 1024))


# Pieces of hostile blocks: quotes of every kind, sentence marks (astral ones too), figures,
# dates, legal and aggregate words, odd spaces, letters beyond ASCII. (No lone surrogate: the
# segmenter drops them, and spaCy's tokenizer cannot hash one.)
_PIECES = ["“", "”", '"', "'", "«", "»", "„", "‘", "’", "``", "''", ".", "!", "?", "...", "!!", "。", "𑁇", "؟", ",",
           ";", ":", "(", ")", "-", "—", "%", "$", "€", "5", "12", "1,250", "2024", "3.5", "21CR12345", "May 15",
           "12:30", "1/2/2024", "28-year-old", ", 34,", "percent", "per cent", "million", "court", "Sentenced",
           "guilty", "said", "Average", "rose", "Case No.", "was charged", "years in prison", "Ünited", "crêpes",
           "²", "Ⅻ", "ǅ", "İ", "ß", "ſ", "K", "😀", "word", "The", "Mr.", "U.S.", "e.g.", " ", " ", "  ",
           "\n", "\t", "\u00a0", "\u2009", "\r\n"]


def fuzz_blocks(n: int, seed: int = 0) -> list[Block]:
    """``n`` random blocks stitched from ``_PIECES``, empty and whitespace-only ones included."""
    rng = random.Random(seed)
    out = [Block(0, ""), Block(1, " "), Block(2, "\n\n"), Block(3, "“"), Block(4, ".")]
    while len(out) < n:
        text = "".join(rng.choice(_PIECES) + rng.choice(["", " ", " ", ""]) for _ in range(rng.randint(1, 60)))
        html = rng.random() < 0.5
        out.append(Block(len(out), text, kind="html" if html else "text", tag=rng.choice(["p", "li", "td", "h2"]),
                         dom_path="html/body/div/p" if html else "", attr_tokens=("content", "share") if html else ()))
    return out


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def compare(corpus: list[tuple[str, bytes | list[Block]]], ref: dict[str, ModuleType]) -> int:
    """Compare both feature sets on every page (bytes, or blocks already made); print the
    differing pages; return how many."""
    bad = n_pages = n_blocks = 0
    for name, data in corpus:
        try:
            blocks = data if isinstance(data, list) else split_page(data, SegmentOptions())[0]
        except InputError:
            continue
        n_pages += 1
        n_blocks += len(blocks)
        indices = list(range(len(blocks)))
        p_content = np.random.default_rng(len(blocks)).random(len(blocks))  # stands for first-pass scores
        checks = {
            "local": (ref["features"].local_features(blocks), features.local_features(blocks)),
            "type": (ref["typing_features"].type_features(blocks, indices, len(blocks)),
                     typing_features.type_features(blocks, indices, len(blocks))),
            "context": (ref["features"].context_features(blocks, p_content), features.context_features(blocks, p_content)),
        }
        for stage, (old, new) in checks.items():
            if not same(old, new):
                bad += 1
                rows, cols = np.nonzero(~np.isclose(old, new, rtol=0, atol=0, equal_nan=True))
                print(f"DIFF {stage} {name}: {len(set(rows.tolist()))} rows, columns {sorted(set(cols.tolist()))}")
    print(f"compared {n_pages} pages, {n_blocks:,} blocks: {bad} differing (page, stage) pairs")
    return bad


def cpu(fn, calls: list[tuple]) -> float:
    """Process CPU seconds of ``fn(*args)`` for each ``args`` of ``calls``."""
    start = time.process_time()
    for args in calls:
        fn(*args)
    return time.process_time() - start


def timings(ref: dict[str, ModuleType], name: str, pages_blocks: list[list], repeat: int = 5) -> None:
    """Per-block CPU milliseconds of each stage over ``pages_blocks``, reference and this tree.

    The two alternate and the best of ``repeat`` passes counts: the first pass of each warms
    spaCy's caches, and a neighbour's burst should not decide the ratio.
    """
    n = sum(map(len, pages_blocks))
    print(f"{name}: {len(pages_blocks)} pages, {n:,} blocks; CPU ms per block (best of {repeat}, time.process_time)")
    for stage, old, new, calls in (
        ("local_features", ref["features"].local_features, features.local_features, [(b,) for b in pages_blocks]),
        ("context_features", ref["features"].context_features, features.context_features,
         [(b, np.random.default_rng(len(b)).random(len(b))) for b in pages_blocks]),
        ("type_features", ref["typing_features"].type_features, typing_features.type_features,
         [(b, list(range(len(b))), len(b)) for b in pages_blocks]),
    ):
        t_old, t_new = zip(*[(cpu(old, calls), cpu(new, calls)) for _ in range(repeat)])
        t_old, t_new = min(t_old), min(t_new)
        print(f"  {stage:16s} ref {1000 * t_old / n:.3f}  now {1000 * t_new / n:.3f}  ({t_old / t_new:.2f}x)")


def kind_timing(ref: dict[str, ModuleType], pages_blocks: list[list], repeat: int = 5) -> None:
    """``type_features`` as a page run meets it: on the blocks the shipped model's content passes
    send to the kind model."""
    from thresher.compiled import MIN_CONTENT_FOR_KIND
    from thresher.persistence import load_model

    model = load_model(None)
    calls = []
    for blocks in pages_blocks:
        chosen = [i for i, p in enumerate(model.content_scores(blocks)[1]) if p >= MIN_CONTENT_FOR_KIND]
        calls.append(([blocks[i] for i in chosen], chosen, len(blocks)))
    n = sum(len(c[1]) for c in calls)
    t_old, t_new = zip(*[(cpu(ref["typing_features"].type_features, calls), cpu(typing_features.type_features, calls))
                         for _ in range(repeat)])
    t_old, t_new = min(t_old), min(t_new)
    print(f"  {'type_features':16s} ref {1000 * t_old / n:.3f}  now {1000 * t_new / n:.3f}  ({t_old / t_new:.2f}x)"
          f" on the {n:,} blocks the model sends to the kind model")


def segmented(corpus: list[tuple[str, bytes]]) -> list[list]:
    """The blocks of each page that segments."""
    out = []
    for _, data in corpus:
        try:
            out.append(split_page(data, SegmentOptions())[0])
        except InputError:
            continue
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", help="git ref of the reference features (default: fork point from main)")
    parser.add_argument("--wcxb", type=int, default=300, help="WCXB dev pages to compare on")
    parser.add_argument("--press", type=int, default=40, help="press-release pages per county")
    parser.add_argument("--time-only", action="store_true", help="only time the stages")
    parser.add_argument("--fuzz-pages", type=int, default=50, help="pages of 200 random hostile blocks")
    args = parser.parse_args(argv)
    ref = args.ref or subprocess.run(["git", "merge-base", "HEAD", "main"], check=True, capture_output=True,
                                     text=True).stdout.strip()
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        reference = load_reference(ref, Path(tmp))
        print(f"reference: {ref}")
        # timed first: after the comparison's 100,000 blocks both run slower, and unevenly
        timings(reference, "hostile 2 MB page", segmented([("hostile", hostile_page())]))
        root = corpus_dir(None)
        scrapinghub = segmented(pages(root, 0, 0)[:181])
        timings(reference, "ScrapingHub", scrapinghub, repeat=3)
        kind_timing(reference, scrapinghub)
        if not args.time_only:
            fuzz = [(f"fuzz/{k}", fuzz_blocks(200, seed=k)) for k in range(args.fuzz_pages)]
            bad = compare(pages(root, args.wcxb, args.press) + fuzz, reference)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
