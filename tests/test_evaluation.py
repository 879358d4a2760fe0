"""Scores and benchmark plumbing: per-page values give the same F1 as the direct metric."""

from __future__ import annotations

import pytest

from thresher.blocks import Block
from thresher.evaluation import benchmarks
from thresher.evaluation.baseline import keyword_label
from thresher.evaluation.scores import content_f1, prf

PREDICTIONS = ["a b c d e", "", "x y z w", "one two three four five six"]
REFERENCES = ["a b c d x", "w x y z", "x y z w", "one two three four"]


@pytest.mark.parametrize("name", ["scrapinghub", "wcxb-dev"])
def test_per_page_values_reproduce_the_metric(name):
    direct = benchmarks.score(name, PREDICTIONS, REFERENCES)["f1"]
    assert benchmarks.f1_of(name, benchmarks.page_values(name, PREDICTIONS, REFERENCES)) == pytest.approx(direct)
    low, high = benchmarks.bootstrap_f1(name, PREDICTIONS, REFERENCES, rounds=200)
    assert low <= direct <= high


def test_paired_difference_against_itself_is_zero():
    d = benchmarks.paired_difference("scrapinghub", PREDICTIONS, PREDICTIONS, REFERENCES, rounds=50)
    assert d["diff"] == 0.0 and d["p_not_better"] == 1.0


def test_block_scores_and_content_f1():
    gold = ["news_body", "quote", "boilerplate", "statistic"]
    predicted = ["news_body", "news_body", "boilerplate", "boilerplate"]
    s = prf(gold, predicted)
    assert s["news_body"]["precision"] == 0.5 and s["quote"]["recall"] == 0.0 and s["micro"]["f1"] == 0.5
    assert content_f1(gold, predicted) == pytest.approx(0.8)
    assert content_f1(gold, predicted, weights=[10, 1, 1, 1]) == pytest.approx(2 * 11 / 12 / (11 / 12 + 1))


def test_keyword_baseline_follows_the_decision_order():
    assert keyword_label(Block(0, "Share")) == "boilerplate"
    assert keyword_label(Block(0, "“We will not stop,” said the District Attorney on Monday morning.")) == "quote"
    assert keyword_label(Block(0, "John Doe, 34, was sentenced to 12 years in state prison on Friday.")) == "case_record"
    assert keyword_label(Block(0, "Arrests rose 12% to 1,200 while thefts fell 8% across the county.")) == "statistic"
    assert keyword_label(Block(0, "The task force met for the first time at the courthouse this week.")) == "news_body"


def test_benchmark_metrics_headline_pairs_and_worst_pages():
    from pathlib import Path

    from thresher.corpus import BenchmarkPage

    pages = [BenchmarkPage(str(i), Path("x"), r, f"site{i}", "article" if i % 2 else "listing")
             for i, r in enumerate(REFERENCES)]
    runs = [benchmarks.SystemRun("thresher", "m", PREDICTIONS), benchmarks.SystemRun("peer", "1.0", REFERENCES)]
    m = benchmarks.benchmark_metrics("wcxb-dev", runs, pages, {"absent": "not installed"}, rounds=50)
    assert m["headline"]["f1"] == pytest.approx(benchmarks.score("wcxb-dev", PREDICTIONS, REFERENCES)["f1"])
    assert m["systems"]["peer"]["f1"] == 1.0 and m["systems"]["peer"]["paired_difference"]["diff"] < 0
    assert "paired_difference" not in m["systems"]["thresher"] and m["skipped"] == {"absent": "not installed"}
    assert m["worst_pages"][0]["page_id"] == "1" and m["worst_pages"][0]["best_other"] == "peer"  # empty prediction
    assert set(m["per_page_type"]["thresher"]) == {"article", "listing"}


def test_peers_cannot_reach_the_network():
    import subprocess
    import sys

    code = ("from thresher.evaluation.peers import forbid_network; forbid_network(); import socket\n"
            "try:\n    socket.create_connection(('127.0.0.1', 9))\nexcept OSError as e:\n    print(e)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "network access is disabled" in done.stdout
