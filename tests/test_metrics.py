"""The benchmarks' metrics, on cases worked by hand."""

from __future__ import annotations

import pytest

from thresher.evaluation.agreement import cohen_kappa
from thresher.evaluation.metrics import scrapinghub_page, scrapinghub_score, shingles, wcxb_page, wcxb_score


def test_shingles():
    assert sum(shingles("a b c d e").values()) == 2
    assert list(shingles("a b")) == [("a", "b")]
    assert not shingles("  ,, ")


def test_scrapinghub_page_shares():
    tp, fp, fn = scrapinghub_page("a b c d e", "a b c d x")
    assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))


def test_scrapinghub_score_averages_pages():
    s = scrapinghub_score([("a b c d", "a b c d"), ("", "w x y z")])
    assert s["precision"] == 1.0 and s["recall"] == 0.5 and s["f1"] == pytest.approx(2 / 3)
    assert s["accuracy"] == 0.5


def test_wcxb_page_bag_of_words():
    s = wcxb_page("The cat the", "the cat sat")
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)
    assert wcxb_page("", "").f1 == 1.0 and wcxb_page("x", "").f1 == 0.0 and wcxb_page("", "x").f1 == 0.0
    assert wcxb_score([("a", "a"), ("", "b")])["f1"] == 0.5


def test_kappa():
    assert cohen_kappa(list("aabb"), list("aabb")) == 1.0
    assert cohen_kappa(list("aabb"), list("abab")) == 0.0
