"""The whole loop against a real doccano: push uncertain pages → annotate → pull → train.py → evaluate.py.

A small model (M0) is trained on a few gold pages; it pre-labels the cook_il test pages it is
least sure about; the annotator corrects its suggestions to the gold labels through doccano's
API; the pulled corrections train M1 the same way. M1 must score better than M0 on those pages
and give the corrected labels more probability. Needs ``scripts/doccano-server.sh start``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import numpy as np
import pytest

import thresher
from thresher.annotations import read_pages, realign
from thresher.corpus import read_bytes
from thresher.uncertainty import page_uncertainty

from .conftest import ROOT, import_doccano

pytestmark = pytest.mark.doccano
doccano = import_doccano()

GOLD = ROOT / "annotations" / "gold.jsonl"
BASE_PAGES = 13  # the seed page and twelve orange_ca releases: M0 trains in seconds
BUDGET = 3
CANDIDATES = 8  # short cook_il releases of the test split, never trained on by M0


def run(*args: str, env: dict) -> str:
    started = time.time()
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    print(f"{' '.join(args[:4])}: {time.time() - started:.1f} s")
    assert done.returncode == 0, f"{args[:3]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


def test_uncertain_pages_corrected_in_doccano_make_a_better_model(doccano_env, corpus, tmp_path):
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    gold = {p.doc_id: p for p in read_pages(GOLD)}
    annotations = tmp_path / "annotations"
    annotations.mkdir()
    (annotations / "base.jsonl").write_text("\n".join(lines[:BASE_PAGES]) + "\n", encoding="utf-8")
    candidates = sorted((p for p in gold.values() if p.site == "cook_il" and len(p.blocks) <= 25),
                        key=lambda p: p.doc_id)[:CANDIDATES]
    assert len(candidates) == CANDIDATES
    already = json.loads(lines[1])["source"]  # a base page: --select must skip it
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "THRESHER_CORPUS_DIR": str(corpus),
           **{k: doccano_env[k] for k in ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD")}}
    train = ("train.py", "--no-benchmark", "--annotations", str(annotations), "--jobs", "1")
    m0, m1 = tmp_path / "m0.npz", tmp_path / "m1.npz"
    run(*train, "--splits", "train", "--out", str(m0), env=env)

    project = f"loop-{uuid.uuid4().hex[:8]}"
    annotator_name = doccano_env["DOCCANO_ANNOTATOR_USERNAME"]
    log = run("-m", "thresher", "doccano", "push", *(str(corpus / p.source) for p in candidates), str(corpus / already),
              "--project", project, "--select", "uncertain", "--budget", str(BUDGET), "--model", str(m0),
              "--annotations", str(annotations), "--member", annotator_name, env=env)
    assert doccano_env["DOCCANO_PASSWORD"] not in log
    assert f"skipped {corpus / already}: already in the annotations" in log

    model0 = thresher.load(m0)
    ranked = sorted(candidates, key=lambda p: -page_uncertainty(model0.segment(read_bytes(corpus / p.source))))
    annotator = doccano.DoccanoClient(doccano.Credentials(doccano_env["DOCCANO_URL"], annotator_name,
                                                          doccano_env["DOCCANO_ANNOTATOR_PASSWORD"]))
    pid = annotator.find_project(project)["id"]
    examples = annotator.examples(pid)
    assert sorted(e["meta"]["doc_id"] for e in examples) == sorted(p.doc_id for p in ranked[:BUDGET])

    # the annotator corrects every suggestion that differs from the gold label, then confirms
    ids = annotator.label_types(pid, "page")
    corrections = []  # (doc_id, block index, corrected label)
    for example in examples:
        meta = example["meta"]
        texts = [example["text"][start:end] for start, end, _, _ in meta["blocks"]]
        truth = realign(gold[meta["doc_id"]].blocks, texts)
        spans = {s["start_offset"]: s for s in annotator.labels(pid, example["id"], "page")}
        for k, ((start, end, suggested, _), right) in enumerate(zip(meta["blocks"], truth)):
            if right is not None and right.label != suggested:
                annotator.delete_label(pid, example["id"], "page", spans[start]["id"])
                annotator.add_label(pid, example["id"], "page", ids[right.label], start=start, end=end)
                corrections.append((meta["doc_id"], k, right.label))
        annotator.confirm(pid, example["id"])
    assert corrections, "M0 agreed with the gold everywhere: nothing to learn"

    pulled = annotations / "doccano.jsonl"
    run("-m", "thresher", "doccano", "pull", "--project", project, "-o", str(pulled), "--only-confirmed",
        "--split", "dev", env=env)
    pages = read_pages(pulled)
    assert {p.split for p in pages} == {"dev"} and len(pages) == BUDGET
    origins = {(p.doc_id, b.extra["index"]): (b.label, b.origin) for p in pages for b in p.blocks}
    assert all(origins[doc_id, k] == (label, "corrected") for doc_id, k, label in corrections)

    run(*train, "--splits", "train,dev", "--out", str(m1), env=env)
    scores = {}
    for name, path in (("m0", m0), ("m1", m1)):
        out = tmp_path / f"scores-{name}.json"
        run("evaluate.py", "--annotations", str(annotations), "--corpus-dir", str(corpus), "annotations",
            "--split", "dev", "--model", str(path), "--json", str(out), env=env)
        scores[name] = json.loads(out.read_text())["systems"]["model"]["block"]
    print(f"pulled pages: {len(corrections)} corrections; accuracy M0 {scores['m0']['micro']['f1']:.3f} → "
          f"M1 {scores['m1']['micro']['f1']:.3f}, macro F1 {scores['m0']['macro']['f1']:.3f} → "
          f"{scores['m1']['macro']['f1']:.3f}")
    assert scores["m1"]["micro"]["f1"] > scores["m0"]["micro"]["f1"]

    # and on the corrected blocks themselves, the corrected label gained probability
    model1 = thresher.load(m1)
    sources = {p.doc_id: corpus / p.source for p in pages}
    labeled = {doc_id: (model0.segment(read_bytes(path)), model1.segment(read_bytes(path)))
               for doc_id, path in sources.items()}
    before = [labeled[doc_id][0][k].scores[label] for doc_id, k, label in corrections]
    after = [labeled[doc_id][1][k].scores[label] for doc_id, k, label in corrections]
    print(f"P(corrected label) on {len(corrections)} blocks: {np.mean(before):.3f} → {np.mean(after):.3f}")
    assert np.mean(after) > np.mean(before)
