"""The estimator: fit on real pages, save → load gives identical scores, unsafe files are refused."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from thresher.errors import ModelFileError
from thresher.persistence import load_model, save_model
from thresher.text import text_blocks

from .conftest import ROOT, SEED, quick_model


def test_probabilities_are_per_label_and_sum_to_one(small_model):
    proba = small_model.predict_proba([text_blocks(SEED.read_text())])[0]
    assert proba.shape == (21, 5)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert list(small_model.classes_) == ["news_body", "quote", "case_record", "statistic", "boilerplate"]


def test_predict_decides_content_first_and_every_content_block_has_a_real_kind(small_model):
    from thresher.compiled import MIN_CONTENT_FOR_KIND
    from thresher.revision import KIND_MIN_CONTENT_DEFAULT, MIN_CONTENT_DEFAULT, decide

    pages = [text_blocks(SEED.read_text(encoding="utf-8"))]
    proba = small_model.predict_proba(pages)[0]
    assert small_model.predict(pages) == [decide(proba)]
    # blocks below MIN_CONTENT_FOR_KIND get no kind scores: none of them may be labeled content
    assert MIN_CONTENT_FOR_KIND <= min(MIN_CONTENT_DEFAULT, *KIND_MIN_CONTENT_DEFAULT.values())


def test_fit_is_deterministic(worded_model):
    again = quick_model()  # the default settings, the content word model included
    assert again.content_words_ is not None
    page = [text_blocks(SEED.read_text())]
    assert np.array_equal(again.predict_proba(page)[0], worded_model.predict_proba(page)[0])


def test_save_load_round_trip_gives_identical_scores(small_model, tmp_path):
    path = save_model(small_model, tmp_path / "m.npz", card={"note": "test"})
    loaded = load_model(path)
    page = [text_blocks(SEED.read_text())]
    assert np.array_equal(loaded.predict_proba(page)[0], small_model.predict_proba(page)[0])
    assert json.loads(path.with_suffix(".json").read_text())["card"] == {"note": "test"}


def test_tampered_file_is_refused(small_model, tmp_path):
    path = save_model(small_model, tmp_path / "m.npz")
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(path)


class Payload:
    """An object whose unpickling runs code."""

    def __reduce__(self):
        return (exec, ("open('PWNED', 'w').write('x')",))


def _forge_manifest(path):
    """A manifest that matches ``path``: a forger can fix the checksum too."""
    import hashlib

    manifest = json.loads((ROOT / "models" / "thresher-default.json").read_text())
    manifest["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_suffix(".json").write_text(json.dumps(manifest))


def test_pickle_payload_is_never_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps(Payload()))
    _forge_manifest(path)
    with pytest.raises(ModelFileError):
        load_model(path)
    assert not (tmp_path / "PWNED").exists()


def test_arrays_that_need_pickle_are_refused(small_model, tmp_path, monkeypatch):
    """A model's own arrays with one of them swapped for an object array holding the payload."""
    monkeypatch.chdir(tmp_path)
    arrays = small_model.compiled().to_arrays()
    arrays["first_pass.threshold"] = np.array([Payload()], dtype=object)
    path = tmp_path / "evil.npz"
    np.savez(path, **arrays)
    _forge_manifest(path)
    with pytest.raises(ModelFileError, match="pickle"):
        load_model(path)
    assert not (tmp_path / "PWNED").exists()


def test_trees_that_point_outside_their_arrays_are_refused(small_model, tmp_path):
    arrays = small_model.compiled().to_arrays()
    arrays["second_pass.child"] = arrays["second_pass.child"] + 10**6
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    _forge_manifest(path)
    with pytest.raises(ModelFileError, match="out of range"):
        load_model(path)
    del arrays["second_pass.child"]
    np.savez(path, **arrays)
    _forge_manifest(path)
    with pytest.raises(ModelFileError, match="cannot be loaded"):
        load_model(path)


def test_missing_and_foreign_manifests(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path / "none.npz")
    (tmp_path / "x.npz").write_bytes(b"junk")
    with pytest.raises(ModelFileError, match="no manifest"):
        load_model(tmp_path / "x.npz")
    (tmp_path / "x.json").write_text(json.dumps({"format_version": 99}))
    with pytest.raises(ModelFileError, match="format version"):
        load_model(tmp_path / "x.npz")
    (tmp_path / "x.json").write_text(json.dumps({"format_version": 1}))
    with pytest.raises(ModelFileError, match="retrain"):
        load_model(tmp_path / "x.npz")


def test_a_hostile_tree_depth_is_refused_before_anything_is_allocated_for_it(small_model, tmp_path):
    arrays = small_model.compiled().to_arrays()
    arrays["first_pass.tree_depth"] = arrays["first_pass.tree_depth"].copy()
    arrays["first_pass.tree_depth"][0] = 2**31 - 1
    path = tmp_path / "deep.npz"
    np.savez(path, **arrays)
    _forge_manifest(path)
    with pytest.raises(ModelFileError, match="depths out of range"):
        load_model(path)


def test_content_word_model_fits_pages_of_one_site():
    # no inner fold can hold a site out: the trees learn from the full word model's scores
    from thresher.annotations import read_dir
    from thresher.model import BlockClassifier
    from thresher.training import gold_examples

    pages = [p for p in read_dir(ROOT / "annotations") if p.split == "train"][:4]
    examples = gold_examples(pages, corpus=None)
    model = BlockClassifier(max_iter=20, inner_folds=2).fit(
        [e.blocks for e in examples], [e.labels for e in examples], groups=["one site"] * len(examples))
    proba = model.predict_proba([examples[0].blocks])[0]
    assert model.content_words_ is not None and proba.shape == (len(examples[0].blocks), 5)
    boiler = np.array([label == "boilerplate" for label in examples[0].labels])
    assert proba[boiler, -1].mean() > proba[~boiler, -1].mean() + 0.3  # it still tells them apart


def test_kind_only_pages_teach_the_kinds_and_leave_the_content_passes_alone():
    from thresher.annotations import read_dir
    from thresher.model import BlockClassifier
    from thresher.training import gold_examples

    pages = [p for p in read_dir(ROOT / "annotations") if p.split == "train"][:10]
    examples = gold_examples(pages, corpus=None)
    base, extra = examples[:7], examples[7:]

    def fit(chosen, kind_only=None):
        model = BlockClassifier(max_iter=10, inner_folds=2, content_words=0, random_state=1)
        return model.fit([e.blocks for e in chosen], [e.labels for e in chosen], groups=[e.site for e in chosen],
                         kind_only=kind_only).compiled().to_arrays()

    alone, with_kinds = fit(base), fit(base + extra, [False] * len(base) + [True] * len(extra))
    content = [k for k in alone if k.startswith(("first_pass.", "second_pass."))]
    kinds = [k for k in alone if k.startswith(("kind_words.", "kind_trees."))]
    assert content and kinds
    assert all(np.array_equal(alone[k], with_kinds[k]) for k in content)
    assert not all(alone[k].shape == with_kinds[k].shape and np.array_equal(alone[k], with_kinds[k]) for k in kinds)
    with pytest.raises(ValueError, match="one flag per page"):
        fit(base, [True])
    with pytest.raises(ValueError, match="nothing to learn"):
        fit(base, [True] * len(base))
