"""The benchmarks: ScrapingHub (never trained on) and WCXB dev (cross-validated by domain)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import GroupKFold

from ..corpus import BenchmarkPage, read_bytes
from ..decoding import decode_bytes
from ..errors import InputError
from ..model import BlockClassifier
from ..pipeline import Page, label_blocks, segment_page
from ..training import Example
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
            return segment_page(data, model).text()
        except InputError:
            return ""

    return run


def html_text(page: BenchmarkPage) -> tuple[bytes, str]:
    data = read_bytes(page.path)
    try:
        return data, decode_bytes(data)[0]
    except InputError:
        return data, ""


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
    progress: Callable | None = None,
) -> dict[str, str]:
    """Out-of-fold WCXB predictions: each fold's model never saw the fold's domains.

    ``html_examples`` are the WCXB pages (scored); ``extra_examples`` (text
    copies, gold pages) join the training side unless their site is in the fold.
    """
    sites = np.array([e.site for e in html_examples])
    predictions: dict[str, str] = {}
    for k, (train, test) in enumerate(GroupKFold(n_splits=folds).split(sites, groups=sites)):
        held_out = set(sites[test].tolist())
        chosen = [html_examples[i] for i in train] + [e for e in extra_examples if e.site not in held_out]
        model = BlockClassifier(random_state=seed)
        model.fit([e.blocks for e in chosen], [e.labels for e in chosen], groups=[e.site for e in chosen],
                  sample_weight=[e.weight for e in chosen])
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
