"""evaluate.py speed's breakdown of a page's time: the model's own path, timed step by step."""

from __future__ import annotations

import dataclasses
import gzip

import numpy as np

import thresher
import thresher.compiled
import thresher.pipeline
from thresher.evaluation.stages import STAGES, stage_seconds
from thresher.segmenter import split_page

from .conftest import EXAMPLES, SEED


def test_stages_time_the_labeling_path_without_changing_it():
    model = thresher.load()
    pages = [SEED.read_bytes(), gzip.decompress((EXAMPLES / "wcxb-4101-sba.html.gz").read_bytes())]
    functions = {name: getattr(thresher.compiled, name) for name in ("local_features", "type_features")}
    segment = thresher.pipeline.split_page
    seconds, scores = stage_seconds(model.model, pages, model.options)
    assert list(seconds) == list(STAGES)
    # every step a page goes through was timed (kind steps included: both pages have content)
    assert all(seconds[stage] > 0 for stage in STAGES if stage != "the rest")
    for page, got in zip(pages, scores):
        np.testing.assert_array_equal(got, model.model.page_proba(split_page(page, model.options)[0])[1])
    # the timed feature functions were put back
    assert all(getattr(thresher.compiled, name) is f for name, f in functions.items())
    assert thresher.pipeline.split_page is segment


def test_stages_time_cleans_path_too():
    model = thresher.load()
    pages = [SEED.read_bytes(), gzip.decompress((EXAMPLES / "wcxb-4101-sba.html.gz").read_bytes())]
    options = dataclasses.replace(model.options, kinds=False)
    seconds, scores = stage_seconds(model.model, pages, options)
    assert seconds["kind trees"] > 0  # some block's side needed its kind
    for page, got in zip(pages, scores):
        whole = model.model.page_proba(split_page(page, model.options)[0])[1]
        given = ~np.isnan(got[:, 0])
        assert given.sum() < len(got)
        np.testing.assert_array_equal(got[given], whole[given])
        np.testing.assert_array_equal(got[~given, -1], whole[~given, -1])
