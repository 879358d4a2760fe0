"""tools/decision_cv.py's comparison of two out-of-fold builds."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np

from thresher.labels import LABELS

from .conftest import ROOT


def _decision_cv():
    sys.path.insert(0, str(ROOT))  # it imports train.py as a module
    try:
        spec = importlib.util.spec_from_file_location("thresher_decision_cv", ROOT / "tools" / "decision_cv.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT))
    return module


def _build(path, gold: list[str], predicted: list[str], doc_ids=("a", "b")) -> str:
    proba = np.full((len(gold), len(LABELS)), 0.01)
    for row, label in zip(proba, predicted):
        row[LABELS.index(label)] = 0.96
    page = np.arange(len(gold)) % len(doc_ids)
    np.savez_compressed(path, proba=proba, gold=np.array(gold), page=page, doc_id=np.array(doc_ids))
    return str(path)


def test_compare_prints_both_builds_and_a_paired_difference(tmp_path, capsys):
    tool = _decision_cv()
    gold = ["news_body", "statistic", "boilerplate", "quote", "case_record", "news_body"] * 4
    worse = ["news_body" if g == "statistic" else g for g in gold]
    base = _build(tmp_path / "base.npz", gold, worse)
    candidate = _build(tmp_path / "cand.npz", gold, gold)
    assert tool.main(["compare", base, candidate]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()
            if line.startswith(("base ", "candidate ")) and " - base" not in line}
    assert rows["candidate"] == "1.0000" and float(rows["base"]) < 1.0
    difference = float(out.split("candidate - base: ")[1].split()[0])
    assert difference > 0.1


def test_compare_refuses_builds_of_different_pages(tmp_path, capsys):
    tool = _decision_cv()
    gold = ["news_body", "boilerplate"] * 3
    base = _build(tmp_path / "base.npz", gold, gold)
    other = _build(tmp_path / "other.npz", gold, gold, doc_ids=("a", "c"))
    assert tool.main(["compare", base, other]) == 2
    assert "same pages" in capsys.readouterr().err
