"""train.py's choice of what it learns from."""

from __future__ import annotations

import importlib.util

import pytest

from thresher.annotations import read_dir

from .conftest import ROOT


def _train_module():
    spec = importlib.util.spec_from_file_location("thresher_train_script", ROOT / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_batches_choose_the_gold_pages_learned_from():
    train = _train_module()
    batch = {p.doc_id: (p.batch, p.split) for p in read_dir(ROOT / "annotations")}
    args = train.parse_args(["--no-benchmark", "--batches", "2", "--jobs", "1", "--annotations", str(ROOT / "annotations")])
    examples, notes = train.load_examples(args)
    learned = {e.page_id for e in examples}
    expected = {doc for doc, (b, split) in batch.items() if b == 2 and split in ("train", "dev")}
    assert learned == expected and len(expected) == 40
    assert "annotation batches [2] only" in notes


def test_gold_weight_sets_every_hand_labeled_page_but_the_worked_example():
    from thresher.training import WORKED_EXAMPLES

    train = _train_module()
    args = train.parse_args(["--no-benchmark", "--batches", "1", "--gold-weight", "2.5", "--jobs", "1",
                             "--annotations", str(ROOT / "annotations")])
    examples, _ = train.load_examples(args)
    weights = {e.page_id: e.weight for e in examples}
    assert weights.pop("seed-dhs-ice-operation-rise") == WORKED_EXAMPLES["seed-dhs-ice-operation-rise"]
    assert weights and set(weights.values()) == {2.5}


def test_left_out_pages_are_not_learned_and_an_unknown_one_is_refused():
    train = _train_module()
    pages = sorted(p.doc_id for p in read_dir(ROOT / "annotations") if p.batch == 6)
    base = ["--no-benchmark", "--batches", "6", "--jobs", "1", "--annotations", str(ROOT / "annotations")]
    examples, notes = train.load_examples(train.parse_args(base + ["--leave-out-pages", ",".join(pages[:2])]))
    assert {e.page_id for e in examples} == set(pages[2:]) and len(pages) > 2
    assert any(note.startswith("left out annotation pages") for note in notes)
    with pytest.raises(SystemExit, match="no annotation page"):
        train.load_examples(train.parse_args(base + ["--leave-out-pages", "no-such-page"]))


def test_threads_cap_openmp_while_fitting_and_restore_it_after():
    from threadpoolctl import threadpool_info

    import thresher.training

    def openmp_threads() -> set[int]:
        return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "openmp"}

    before = openmp_threads()
    assert before, "scikit-learn's OpenMP runtime is loaded with thresher.model"
    seen = []

    class Recorder:
        def fit(self, *args, **kwargs):
            seen.append(openmp_threads())
            return self

    wanted = 2 if before != {2} else 1
    thresher.training.fit_examples(Recorder(), [], threads=wanted)
    thresher.training.fit_examples(Recorder(), [])
    assert seen == [{wanted}, before]
    assert openmp_threads() == before
    assert _train_module().parse_args(["--threads", "1"]).threads == 1


def test_fitting_runs_blas_on_one_thread_whatever_the_machine_and_restores_it():
    # a threaded BLAS sums the word models' dot products in another order, and the fitted model
    # then depends on the machine's core count (the shipped model is rebuilt only on one thread)
    import numpy  # noqa: F401  (its BLAS is what the word models' solvers call)
    from threadpoolctl import threadpool_info, threadpool_limits

    import thresher.training

    def blas_threads() -> set[int]:
        return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}

    assert blas_threads(), "numpy's BLAS is loaded"
    seen = []

    class Recorder:
        def fit(self, *args, **kwargs):
            seen.append(blas_threads())
            return self

    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        thresher.training.fit_examples(Recorder(), [])
        thresher.training.fit_examples(Recorder(), [], threads=2)
        assert blas_threads() == before
    assert seen == [{1}, {1}]
