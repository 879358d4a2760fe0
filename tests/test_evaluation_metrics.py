"""The harness's own metric code on hand-worked cases: word alignment, tables, calibration, the gate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from thresher.evaluation.calibration import expected_calibration_error, reliability
from thresher.evaluation.gate import failures, lookup, parse_fail_under
from thresher.evaluation.scores import (
    Scored,
    bootstrap_tables,
    confusion_table,
    content_f1_table,
    page_tables,
    paired_bootstrap_tables,
    prf,
    prf_table,
)
from thresher.evaluation.summary import annotation_metrics, worst_pages
from thresher.evaluation.words import align_words

NB, Q, BP = "news_body", "quote", "boilerplate"


# -- word alignment ---------------------------------------------------------------------------
def test_same_words_cut_differently_score_every_word():
    gold = [("The mayor spoke.", NB), ("“We act now,” she said.", Q)]
    predicted = [("The mayor spoke. “We", NB), ("act now,” she said.", Q)]
    g, p = align_words(gold, predicted)
    # 8 words on both sides; only "we" sits in a block of the other label
    assert len(g) == 8
    assert list(zip(g, p)).count((Q, NB)) == 1
    assert sum(a == b for a, b in zip(g, p)) == 7


def test_words_one_side_lacks_count_as_boilerplate_there():
    gold = [("Home", BP), ("Rain fell all day", NB)]
    predicted = [("Rain fell all day", NB), ("Share this story", NB)]
    g, p = align_words(gold, predicted)
    pairs = list(zip(g, p))
    assert pairs.count((BP, BP)) == 1          # "home": dropped by the system, boilerplate in gold: right
    assert pairs.count((NB, NB)) == 4          # the sentence
    assert pairs.count((BP, NB)) == 3          # "share this story": kept by the system, not in the gold
    assert len(pairs) == 8


def test_dropped_content_is_a_miss_and_case_and_punctuation_do_not_matter():
    g, p = align_words([("Arrests ROSE 12%.", "statistic")], [("arrests, rose", "statistic")])
    assert list(zip(g, p)) == [("statistic", "statistic")] * 2 + [("statistic", BP)]


def test_repeated_words_align_in_order():
    gold = [("a b a b", NB), ("a b", Q)]
    predicted = [("a b", NB), ("a b a b", Q)]
    g, p = align_words(gold, predicted)
    assert g == [NB, NB, NB, NB, Q, Q] and p == [NB, NB, Q, Q, Q, Q]


def test_word_tables_pool_aligned_words():
    page = Scored("p", "s", [NB], [NB], [3], [NB, NB, BP], [NB, BP, BP])
    table = page_tables([page], by_words=True)[0]
    assert table[0, 0] == 1 and table[0, 4] == 1 and table[4, 4] == 1
    assert content_f1_table(table) == pytest.approx(2 / 3)  # tp 1, fn 1, fp 0


# -- tables and intervals ------------------------------------------------------------------------
def test_table_scores_match_the_direct_scores():
    gold = [NB, Q, BP, "statistic", NB, Q]
    predicted = [NB, NB, BP, BP, Q, Q]
    direct = prf(gold, predicted)
    via = prf_table(confusion_table(gold, predicted))
    assert via == direct
    assert direct[Q]["precision"] == 0.5 and direct[Q]["recall"] == 0.5 and direct["micro"]["f1"] == 0.5
    # macro over the four labels present in the gold: news_body 0.5, quote 0.5, statistic 0, boilerplate 2/3
    assert direct["macro"]["f1"] == pytest.approx((0.5 + 0.5 + 0 + 2 / 3) / 4)


def test_bootstrap_of_tables_brackets_the_value_and_paired_self_difference_is_zero():
    pages = [Scored(str(i), "s", [Q, NB], [Q, NB if i % 3 else Q]) for i in range(30)]
    tables = page_tables(pages)
    accuracy = prf_table(tables.sum(axis=0))["micro"]["f1"]
    low, high = bootstrap_tables(tables, lambda t: {"acc": prf_table(t)["micro"]["f1"]}, rounds=300)["acc"]
    assert low <= accuracy <= high and low < high
    d = paired_bootstrap_tables(tables, tables, lambda t: prf_table(t)["micro"]["f1"], rounds=50)
    assert d["diff"] == 0.0 and d["low"] == d["high"] == 0.0 and d["p_not_better"] == 1.0


# -- calibration --------------------------------------------------------------------------------
def test_reliability_bins_by_hand():
    bins = reliability([0.05, 0.15, 0.55, 0.95, 1.0], [False, True, True, True, False], bins=10)
    assert [b.count for b in bins] == [1, 1, 0, 0, 0, 1, 0, 0, 0, 2]
    assert bins[9].confidence == pytest.approx(0.975) and bins[9].accuracy == 0.5
    # |0 − .05| + |1 − .15| + |1 − .55| + 2·|.5 − .975|, over 5 blocks
    assert expected_calibration_error(bins) == pytest.approx((0.05 + 0.85 + 0.45 + 2 * 0.475) / 5)


def test_perfect_calibration_has_zero_error_and_bad_input_is_refused():
    confidence = [0.75] * 4 + [0.25] * 4
    correct = [True, True, True, False, True, False, False, False]
    assert expected_calibration_error(reliability(confidence, correct)) == pytest.approx(0.0)
    assert expected_calibration_error([]) == 0.0
    with pytest.raises(ValueError):
        reliability([1.5], [True])
    with pytest.raises(ValueError):
        reliability([0.5, 0.5], [True])


# -- summary ------------------------------------------------------------------------------------
def _pages() -> dict[str, list[Scored]]:
    model = [Scored("a", "s1", [NB, Q, BP], [NB, Q, BP], [3, 3, 1], [NB] * 3 + [Q] * 3 + [BP], [NB] * 3 + [Q] * 3 + [BP],
                    ["x"] * 3, [0.9, 0.8, 0.95], [NB, Q, BP], "press release"),
             Scored("b", "s2", [NB, BP], [BP, BP], [2, 1], [NB, NB, BP], [BP, BP, BP], ["y"] * 2, [0.6, 0.7], [BP, BP],
                    "wcxb article")]
    keyword = [Scored("a", "s1", [NB, Q, BP], [NB, NB, BP]), Scored("b", "s2", [NB, BP], [NB, NB])]
    second = [Scored("a", "s1", [NB, Q, BP], [NB, Q, NB], [3, 3, 1], [NB] * 3 + [Q] * 3 + [BP], [NB] * 3 + [Q] * 3 + [NB])]
    return {"model": model, "keyword": keyword, "second annotator": second}


def test_annotation_metrics_by_hand():
    runs = _pages()
    m = annotation_metrics(runs, split="test", model="m", rounds=50)
    model = m["systems"]["model"]
    assert model["block"]["micro"]["f1"] == pytest.approx(4 / 5)
    assert model["word"]["content_f1"] == pytest.approx(2 * 6 / (2 * 6 + 0 + 2))  # two news words missed
    assert model["per_site"]["s2"]["accuracy"] == 0.5 and model["per_page_type"]["press release"]["macro_f1"] == 1.0
    assert m["systems"]["model (doubly-labeled pages)"]["pages"] == 1
    assert m["headline"]["human_macro_f1"] == m["systems"]["second annotator"]["block"]["macro"]["f1"]
    # calibration: top labels right on a (3 blocks), b: NB→BP wrong at 0.6, BP right at 0.7
    assert model["calibration"]["blocks"] == 5
    assert worst_pages(runs["model"], 1)[0].page_id == "b" and m["worst_pages"][0] == "b"


# -- --fail-under ---------------------------------------------------------------------------------
def test_parse_fail_under():
    assert parse_fail_under("macro_f1=0.80,content_f1=0.95") == {"macro_f1": 0.8, "content_f1": 0.95}
    assert parse_fail_under(" macro_f1 = 1 ,") == {"macro_f1": 1.0}
    for bad in ("macro_f1", "=0.8", "macro_f1=high", "macro_f1=nan", "", ","):
        with pytest.raises(ValueError, match="--fail-under"):
            parse_fail_under(bad)


def test_failures_name_the_figure_below_its_floor():
    metrics = {"headline": {"macro_f1": 0.79, "content_f1": 0.96},
               "systems": {"keyword": {"block": {"macro": {"f1": 0.5}}}}}
    assert failures(metrics, {"macro_f1": 0.80, "content_f1": 0.95}) == ["macro_f1 = 0.7900 is below 0.8000"]
    assert failures(metrics, {"macro_f1": 0.79}) == []  # a floor met exactly passes
    assert lookup(metrics, "systems.keyword.block.macro.f1") == 0.5
    assert failures({"headline": {"macro_f1": math.nan}}, {"macro_f1": 0.0}) != []
    with pytest.raises(KeyError, match="no figure"):
        failures(metrics, {"macro_f11": 0.8})
    with pytest.raises(KeyError, match="not a number"):
        lookup(metrics, "systems.keyword")


def test_headline_names_are_all_numbers():
    m = annotation_metrics(_pages(), split="test", model="m", rounds=20)
    assert {"macro_f1", "content_f1", "ece", "margin_over_keyword", "human_macro_f1"} <= set(m["headline"])
    assert all(isinstance(v, float) and np.isfinite(v) for v in m["headline"].values())
