"""train.py's choice of what it learns from."""

from __future__ import annotations

import importlib.util

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
