"""The annotation scores as one JSON-ready dict: what evaluate.py prints, metrics.json holds and the report draws."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from ..labels import LABELS
from .calibration import expected_calibration_error, reliability
from .scores import Scored, bootstrap_tables, content_f1_table, page_tables, paired_bootstrap_tables, prf_table

WORST_PAGES = 5  # pages shown block by block in the report


def figures(table: np.ndarray) -> dict[str, float]:
    """The figures bootstrapped per round: macro F1, accuracy, content F1 and each label's F1."""
    scores = prf_table(table)
    return {"macro_f1": scores["macro"]["f1"], "accuracy": scores["micro"]["f1"], "content_f1": content_f1_table(table),
            **{f"{label}_f1": scores[label]["f1"] for label in LABELS}}


def _level(tables: np.ndarray, rounds: int, seed: int) -> dict:
    """P/R/F1 per label, macro, micro and content F1 of summed tables, each F1 with its 95% interval."""
    table = tables.sum(axis=0)
    scores = prf_table(table)
    intervals = bootstrap_tables(tables, figures, rounds=rounds, seed=seed)
    for label in LABELS:
        scores[label]["f1_ci"] = list(intervals[f"{label}_f1"])
    scores["macro"]["f1_ci"] = list(intervals["macro_f1"])
    scores["micro"]["f1_ci"] = list(intervals["accuracy"])
    scores["content_f1"] = content_f1_table(table)
    scores["content_f1_ci"] = list(intervals["content_f1"])
    scores["confusion"] = table.tolist()
    return scores


def _groups(pages: Sequence[Scored], key: Callable[[Scored], str]) -> dict[str, dict]:
    """Macro F1, accuracy and word content F1 per group of pages (site, page type)."""
    members: dict[str, list[Scored]] = defaultdict(list)
    for page in pages:
        members[key(page)].append(page)
    out = {}
    for name, group in sorted(members.items()):
        block = page_tables(group).sum(axis=0)
        word = page_tables(group, by_words=True).sum(axis=0)
        out[name] = {"pages": len(group), "blocks": int(block.sum()), "macro_f1": prf_table(block)["macro"]["f1"],
                     "accuracy": prf_table(block)["micro"]["f1"], "word_content_f1": content_f1_table(word)}
    return out


def system_metrics(pages: Sequence[Scored], *, rounds: int = 1000, seed: int = 0) -> dict:
    """Block- and word-level scores of one system with page-bootstrap intervals, per site and per page type."""
    if not pages:
        return {"pages": 0}
    out = {
        "pages": len(pages),
        "blocks": sum(len(p.gold) for p in pages),
        "words": sum(len(p.word_gold) for p in pages),
        "block": _level(page_tables(pages), rounds, seed),
        "word": _level(page_tables(pages, by_words=True), rounds, seed),
        "per_site": _groups(pages, lambda p: p.site),
        "per_page_type": _groups(pages, lambda p: p.page_type or "unknown"),
    }
    if all(p.confidence for p in pages):
        confidence = [c for p in pages for c in p.confidence]
        correct = [t == g for p in pages for t, g in zip(p.top_label, p.gold)]
        bins = reliability(confidence, correct)
        out["calibration"] = {"ece": expected_calibration_error(bins), "blocks": len(confidence),
                              "bins": [{"low": b.low, "high": b.high, "count": b.count, "confidence": b.confidence,
                                        "accuracy": b.accuracy} for b in bins]}
    return out


def paired(ours: Sequence[Scored], theirs: Sequence[Scored], *, rounds: int = 1000, seed: int = 0) -> dict:
    """Paired page-bootstrap differences ours − theirs: block macro F1 and word content F1."""
    return {"block_macro_f1": paired_bootstrap_tables(page_tables(ours), page_tables(theirs),
                                                      lambda t: prf_table(t)["macro"]["f1"],
                                                      rounds=rounds, seed=seed),
            "word_content_f1": paired_bootstrap_tables(page_tables(ours, True), page_tables(theirs, True),
                                                       content_f1_table, rounds=rounds, seed=seed)}


def worst_pages(pages: Sequence[Scored], count: int = WORST_PAGES) -> list[Scored]:
    """The pages with the lowest block accuracy (more wrong blocks first on ties)."""
    def key(p: Scored) -> tuple[float, int]:
        wrong = sum(g != q for g, q in zip(p.gold, p.predicted))
        return (1 - wrong / len(p.gold) if p.gold else 1.0, -wrong)

    return sorted((p for p in pages if p.gold), key=key)[:count]


def annotation_metrics(runs: dict[str, list[Scored]], *, split: str, model: str,
                       rounds: int = 1000, seed: int = 0) -> dict:
    """Everything ``evaluate.py annotations`` reports, keyed for ``--fail-under`` by ``headline``.

    ``runs`` holds ``model``, ``keyword`` and ``second annotator``; the model is
    also scored on the doubly-labeled pages alone, so the human ceiling is
    compared on the same pages.
    """
    doubled = {p.page_id for p in runs.get("second annotator", [])}
    systems = {name: system_metrics(pages, rounds=rounds, seed=seed) for name, pages in runs.items()}
    if doubled:
        systems["model (doubly-labeled pages)"] = system_metrics(
            [p for p in runs["model"] if p.page_id in doubled], rounds=rounds, seed=seed)
    model_block, model_word = systems["model"]["block"], systems["model"]["word"]
    headline = {
        "macro_f1": model_block["macro"]["f1"],
        "accuracy": model_block["micro"]["f1"],
        "word_macro_f1": model_word["macro"]["f1"],
        "content_f1": model_word["content_f1"],
        "block_content_f1": model_block["content_f1"],
        **{f"{label}_f1": model_block[label]["f1"] for label in LABELS},
        "keyword_macro_f1": systems["keyword"]["block"]["macro"]["f1"],
        "margin_over_keyword": model_block["macro"]["f1"] - systems["keyword"]["block"]["macro"]["f1"],
    }
    if "calibration" in systems["model"]:
        headline["ece"] = systems["model"]["calibration"]["ece"]
    if systems.get("second annotator", {}).get("pages"):
        headline["human_macro_f1"] = systems["second annotator"]["block"]["macro"]["f1"]
    return {"kind": "annotations", "split": split, "model": model, "labels": list(LABELS), "headline": headline,
            "systems": systems, "model_vs_keyword": paired(runs["model"], runs["keyword"], rounds=rounds, seed=seed),
            "worst_pages": [p.page_id for p in worst_pages(runs["model"])]}
