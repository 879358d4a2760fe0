"""Where a page's time goes: the labeling steps timed one by one (printed by ``evaluate.py speed``).

Pages go through ``segment_page`` itself; the model's parts (trees, word models) are wrapped in
timers, and the functions ``segment_page`` and ``CompiledClassifier`` call are swapped for timed
ones while the pages run, so the breakdown cannot drift from what labeling does. The wrappers add
two clock reads a call.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from .. import compiled, pipeline
from ..compiled import CompiledClassifier
from ..labels import LABELS
from ..options import SegmentOptions

#: the steps, in the order a page meets them
STAGES = ("segmentation", "block features", "content word model", "first pass", "neighbour features",
          "second pass", "kind features", "kind word model", "kind trees", "revision", "the rest")
# the module functions segment_page and CompiledClassifier call, and the stage each belongs to
_FUNCTIONS = {(pipeline, "split_page"): "segmentation", (pipeline, "revise"): "revision",
              (compiled, "local_features"): "block features", (compiled, "content_document_parts"): "content word model",
              (compiled, "context_features"): "neighbour features", (compiled, "type_features"): "kind features",
              (compiled, "kind_context"): "kind features"}


class _Timed:
    """A model part (trees or a word model) whose ``predict_proba`` is timed; all else passes through."""

    def __init__(self, part, stage: str, seconds: dict[str, float]) -> None:
        self._part, self._stage, self._seconds = part, stage, seconds

    def predict_proba(self, *args):
        start = time.perf_counter()
        try:
            return self._part.predict_proba(*args)
        finally:
            self._seconds[self._stage] += time.perf_counter() - start

    def __getattr__(self, name: str):
        return getattr(self._part, name)


def _timed_function(function: Callable, stage: str, seconds: dict[str, float]) -> Callable:
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[stage] += time.perf_counter() - start
    return timed


@contextmanager
def _timed_functions(seconds: dict[str, float]) -> Iterator[None]:
    saved = {(module, name): getattr(module, name) for module, name in _FUNCTIONS}
    try:
        for (module, name), stage in _FUNCTIONS.items():
            setattr(module, name, _timed_function(saved[module, name], stage, seconds))
        yield
    finally:
        for (module, name), function in saved.items():
            setattr(module, name, function)


def stage_seconds(model: CompiledClassifier, pages: list[bytes | str], options: SegmentOptions | None = None
                  ) -> tuple[dict[str, float], list[np.ndarray]]:
    """Seconds spent in each of ``STAGES`` over ``pages``, and each page's final scores as the
    labeled blocks carry them (NaN where a block has none: a kind not given with ``kinds=False``,
    every label with ``scores=False``). "The rest" is writing the labels and the glue between steps.

    Not thread-safe: while it runs, ``thresher.pipeline``'s and ``thresher.compiled``'s functions are timed ones.
    A page that cannot be read raises, as ``segment_page`` would.
    """
    seconds: dict[str, float] = defaultdict(float)
    parts = {"first_pass": "first pass", "second_pass": "second pass", "kind_words": "kind word model",
             "kind_trees": "kind trees", "content_words": "content word model"}
    timed = dataclasses.replace(model, **{name: _Timed(getattr(model, name), stage, seconds)
                                          for name, stage in parts.items() if getattr(model, name) is not None})
    scores = []
    labeling = 0.0  # reading the scores back below is not labeling: it is left out
    with _timed_functions(seconds):
        for page in pages:
            start = time.perf_counter()
            blocks = pipeline.segment_page(page, timed, options or SegmentOptions()).blocks
            labeling += time.perf_counter() - start
            scores.append(np.array([[block.scores.get(label, np.nan) for label in LABELS] for block in blocks]))
    seconds["the rest"] = max(0.0, labeling - sum(seconds.values()))
    return {stage: seconds[stage] for stage in STAGES}, scores


def print_stages(seconds: dict[str, float], n_pages: int) -> None:
    total = sum(seconds.values())
    print(f"where the time goes, {n_pages} pages ({1000 * total / max(n_pages, 1):.1f} ms a page):")
    for stage in STAGES:
        print(f"  {stage:20s} {1000 * seconds[stage] / max(n_pages, 1):6.2f} ms a page  {seconds[stage] / (total or 1):6.1%}")
