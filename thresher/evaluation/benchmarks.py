"""The benchmarks: ScrapingHub (never trained on) and WCXB dev (cross-validated by domain)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import GroupKFold

from ..corpus import BenchmarkPage, read_bytes
from ..decoding import decode_bytes
from ..errors import InputError
from ..model import BlockClassifier
from ..options import SegmentOptions
from ..pipeline import Page, label_blocks, segment_page
from ..training import Example, fit_examples
from .metrics import scrapinghub_page, scrapinghub_score, wcxb_page, wcxb_score


@dataclass(slots=True)
class SystemRun:
    """One system's extractions on a benchmark's pages."""

    name: str
    version: str
    predictions: list[str] = field(default_factory=list)


def thresher_extract(model) -> Callable[[bytes], str]:
    """Thresher as a benchmark system: HTML bytes → article text (title excluded)."""
    def run(data: bytes) -> str:
        try:
            return segment_page(data, model, SegmentOptions(kinds=False, scores=False)).text()
        except InputError:
            return ""

    return run


def html_text(page: BenchmarkPage) -> tuple[bytes, str]:
    data = read_bytes(page.path)
    try:
        return data, decode_bytes(data)[0]
    except InputError:
        return data, ""


_WORKER: dict = {}  # per worker process: the system's extract function, built once


def _init_system(system: str, model_path: str | None) -> None:
    if system == "thresher":
        from ..persistence import load_model

        _WORKER["extract"] = thresher_extract(load_model(model_path))
    else:
        from .peers import forbid_network, load_peer, safe

        forbid_network()
        extract, reason = load_peer(system)
        if extract is None:
            raise ImportError(reason)
        _WORKER["extract"] = safe(extract)
    _WORKER["system"] = system


def _extract_page(page: BenchmarkPage) -> str:
    data, text = html_text(page)
    # Thresher decodes bytes itself; the peers get the text decoded once, the same for all
    return _WORKER["extract"](data if _WORKER["system"] == "thresher" else text)


def extract_all(system: str, pages: Sequence[BenchmarkPage], *, model_path: str | None = None, jobs: int = 1,
                progress: Callable | None = None) -> list[str]:
    """One system's extraction of every page, in page order; ``jobs`` > 1 uses worker processes.

    ``system`` is ``thresher`` (with ``model_path``) or a peer's name; ``progress``
    wraps the iterator of results (e.g. a tqdm bar).
    """
    wrap = progress or (lambda it, n: it)
    if jobs > 1 or system != "thresher":  # peers always in workers: forbid_network() must not outlive them
        with ProcessPoolExecutor(max(jobs, 1), initializer=_init_system, initargs=(system, model_path)) as pool:
            return list(wrap(pool.map(_extract_page, pages, chunksize=4), len(pages)))
    _init_system(system, model_path)
    return [_extract_page(p) for p in wrap(pages, len(pages))]


def score(benchmark: str, predictions: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    pairs = list(zip(predictions, references))
    return scrapinghub_score(pairs) if benchmark == "scrapinghub" else wcxb_score(pairs)


def page_values(benchmark: str, predictions: Sequence[str], references: Sequence[str]) -> list[tuple]:
    """Per-page values the benchmark's average is made of, computed once for bootstrapping."""
    if benchmark == "scrapinghub":
        return [scrapinghub_page(p, r) for p, r in zip(predictions, references)]
    return [wcxb_page(p, r) for p, r in zip(predictions, references)]


def f1_of(benchmark: str, values: Sequence[tuple]) -> float:
    """The benchmark's F1 from per-page values (ScrapingHub: F1 of averaged P and R)."""
    if benchmark == "scrapinghub":
        precisions = [1.0 if fp == 0 and fn == 0 else tp / (tp + fp) for tp, fp, fn in values if tp + fp > 0]
        recalls = [tp / (tp + fn) for tp, fp, fn in values if tp + fn > 0]
        p = sum(precisions) / len(precisions) if precisions else 0.0
        r = sum(recalls) / len(recalls) if recalls else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0
    return sum(v.f1 for v in values) / max(len(values), 1)


def bootstrap_f1(benchmark: str, predictions: Sequence[str], references: Sequence[str],
                 *, rounds: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95% interval of the benchmark's F1, resampling pages."""
    rng = random.Random(seed)
    values = page_values(benchmark, predictions, references)
    n = len(values)
    samples = sorted(f1_of(benchmark, [values[rng.randrange(n)] for _ in range(n)]) for _ in range(rounds))
    return samples[int(0.025 * rounds)], samples[int(0.975 * rounds) - 1]


def paired_difference(benchmark: str, ours: Sequence[str], theirs: Sequence[str], references: Sequence[str],
                      *, rounds: int = 1000, seed: int = 0) -> dict[str, float]:
    """Paired bootstrap of F1(ours) − F1(theirs): the mean, a 95% interval and P(diff ≤ 0)."""
    rng = random.Random(seed)
    a = page_values(benchmark, ours, references)
    b = page_values(benchmark, theirs, references)
    n = len(a)
    diffs = []
    for _ in range(rounds):
        idx = [rng.randrange(n) for _ in range(n)]
        diffs.append(f1_of(benchmark, [a[i] for i in idx]) - f1_of(benchmark, [b[i] for i in idx]))
    diffs.sort()
    return {"diff": float(np.mean(diffs)), "low": diffs[int(0.025 * rounds)],
            "high": diffs[int(0.975 * rounds) - 1], "p_not_better": sum(d <= 0 for d in diffs) / rounds}


def page_f1(benchmark: str, prediction: str, reference: str) -> float:
    if benchmark == "wcxb-dev":
        return wcxb_page(prediction, reference).f1
    tp, fp, fn = scrapinghub_page(prediction, reference)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def cross_validate_wcxb(
    html_examples: list[Example],
    extra_examples: list[Example],
    references: dict[str, str],
    *,
    folds: int = 5,
    seed: int = 0,
    params: dict | None = None,
    progress: Callable | None = None,
) -> dict[str, str]:
    """Out-of-fold WCXB predictions: each fold's model never saw the fold's domains.

    ``html_examples`` are the WCXB pages (scored); ``extra_examples`` (text
    copies, gold pages) join the training side unless their site is in the fold.
    ``params`` are BlockClassifier parameters of the fold models.
    """
    sites = np.array([e.site for e in html_examples])
    predictions: dict[str, str] = {}
    for k, (train, test) in enumerate(GroupKFold(n_splits=folds).split(sites, groups=sites)):
        held_out = set(sites[test].tolist())
        chosen = [html_examples[i] for i in train] + [e for e in extra_examples if e.site not in held_out]
        model = fit_examples(BlockClassifier(**{"random_state": seed, **(params or {})}), chosen)
        for i in test:
            example = html_examples[i]
            label_blocks(example.blocks, model)
            predictions[example.page_id] = Page(example.blocks).text()
        if progress:
            progress(k + 1, folds)
    return {pid: predictions.get(pid, "") for pid in references}


def by_group(values: dict[str, float], groups: dict[str, str]) -> dict[str, tuple[float, int]]:
    """Mean value and count per group (e.g. per WCXB page type)."""
    acc: dict[str, list[float]] = defaultdict(list)
    for key, value in values.items():
        acc[groups[key]].append(value)
    return {g: (float(np.mean(v)), len(v)) for g, v in sorted(acc.items())}


WORST_PAGES = 10  # Thresher's lowest-scoring pages listed in the report


def benchmark_metrics(benchmark: str, runs: Sequence[SystemRun], pages: Sequence[BenchmarkPage],
                      skipped: dict[str, str] | None = None, *, rounds: int = 1000, seed: int = 0) -> dict:
    """Every figure ``evaluate.py benchmark`` prints and reports; the first run is Thresher.

    ``headline`` holds Thresher's precision, recall and F1 (the names ``--fail-under`` takes).
    """
    references = [p.reference for p in pages]
    ours = runs[0]
    systems: dict[str, dict] = {}
    per_page: dict[str, list[float]] = {}
    for run in runs:
        s = score(benchmark, run.predictions, references)
        entry = {"version": run.version, **s,
                 "f1_ci": list(bootstrap_f1(benchmark, run.predictions, references, rounds=rounds, seed=seed))}
        if run is not ours:
            entry["paired_difference"] = paired_difference(benchmark, ours.predictions, run.predictions, references,
                                                           rounds=rounds, seed=seed)
        systems[run.name] = entry
        per_page[run.name] = [page_f1(benchmark, p, r) for p, r in zip(run.predictions, references)]
    out = {"kind": "benchmark", "benchmark": benchmark, "pages": len(pages),
           "headline": {k: systems[ours.name][k] for k in ("precision", "recall", "f1")},
           "systems": systems, "skipped": dict(skipped or {})}
    types = {p.page_id: p.page_type for p in pages}
    if len(set(types.values())) > 1:
        out["per_page_type"] = {name: {t: list(v) for t, v in by_group(dict(zip(types, values)), types).items()}
                                for name, values in per_page.items()}
    worst = sorted(range(len(pages)), key=lambda i: per_page[ours.name][i])[:WORST_PAGES]
    others = [n for n in per_page if n != ours.name]
    out["worst_pages"] = []
    for i in worst:
        best = max(others, key=lambda n: per_page[n][i]) if others else ""
        out["worst_pages"].append({"page_id": pages[i].page_id, "site": pages[i].site, "f1": per_page[ours.name][i],
                                   "best_other": best, "best_other_f1": per_page[best][i] if best else float("nan")})
    return out
