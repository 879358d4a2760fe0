"""Run pages through a model, in this process or in worker processes, keeping input order.

Each worker process loads the model once (``cached_model``). An error on one
page becomes a result for that page; the batch goes on.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from .errors import ThresherError
from .inputs import STDIN, Record, read_source
from .options import SegmentOptions
from .pipeline import Page, segment_page


@dataclass(slots=True)
class Result:
    """The outcome of one page: a labeled page or an error (type and message), and the page's
    extra facts (``meta``, e.g. its WARC-Record-ID)."""

    source: str
    page: Page | None = None
    error_type: str = ""
    error: str = ""
    meta: dict = field(default_factory=dict)


_MODELS: dict = {}  # per process: model path → loaded model, so workers load it once
_MODELS_LOCK = threading.Lock()
MODEL_LOADS = {"count": 0}  # loads done in this process (tests check once per worker)


def cached_model(model_path: str | None):
    """The model at ``model_path`` (None: the shipped one), loaded once per process.

    Thread-safe: a process running tasks in several threads (a Dask worker) still loads it once.
    """
    model = _MODELS.get(model_path)
    if model is None:
        with _MODELS_LOCK:
            model = _MODELS.get(model_path)
            if model is None:
                from .persistence import load_model

                model = _MODELS[model_path] = load_model(model_path)
                MODEL_LOADS["count"] += 1
    return model


def _init_worker(model_path: str | None, options: SegmentOptions) -> None:
    cached_model(model_path)  # load now, before the first page is waiting on it


def process_source(source: str | Record, model, options: SegmentOptions, stdin_data: bytes | None = None) -> Result:
    """Read and label one page (a path, ``-``, or a stream's Record); any failure becomes the
    page's error, never an exception."""
    name = source.source if isinstance(source, Record) else source
    meta = source.meta if isinstance(source, Record) else {}
    try:
        if isinstance(source, Record):
            if source.error_type:
                return Result(name, error_type=source.error_type, error=source.error, meta=meta)
            data = source.data
            options = _record_options(source, options)
        else:
            data = read_source(source, max_bytes=options.max_input_bytes, stdin_data=stdin_data)
        return Result(name, segment_page(data, model, options), meta=meta)
    except ThresherError as exc:
        return Result(name, error_type=type(exc).__name__, error=str(exc), meta=meta)
    except RecursionError:
        return Result(name, error_type="InputError", error="page structure too deep", meta=meta)
    except MemoryError:
        return Result(name, error_type="LimitExceededError", error="out of memory on this page", meta=meta)
    except Exception as exc:  # a bug must cost one page, not the batch; the type names it
        return Result(name, error_type=type(exc).__name__, error=f"unexpected error: {exc}", meta=meta)


def _record_options(record: Record, options: SegmentOptions) -> SegmentOptions:
    """The stream's word on a record (HTML or text, its HTTP charset) over the command line's defaults."""
    changes = {}
    if record.input_format != "auto" and options.input_format == "auto":
        changes["input_format"] = record.input_format
    if record.encoding and not options.encoding:
        changes["encoding"] = record.encoding
    return dataclasses.replace(options, **changes) if changes else options


def _work(source: str | Record, model_path: str | None, options: SegmentOptions) -> Result:
    return process_source(source, cached_model(model_path), options)


def run_batch(
    sources: Iterable[str | Record],
    *,
    model_path: str | None,
    options: SegmentOptions,
    jobs: int = 1,
    load: Callable | None = None,
    stdin_data: bytes | None = None,
) -> Iterator[Result]:
    """Yield one Result per source (a path, ``-`` or a Record), in input order, lazily.

    ``jobs`` > 1 uses worker processes with a bounded look-ahead, so an endless
    stream of sources runs in constant memory.
    """
    if jobs <= 1:
        model = load(model_path) if load else cached_model(model_path)
        for source in sources:
            yield process_source(source, model, options, stdin_data if source == STDIN else None)
        return
    window = jobs * 8  # bounded look-ahead: memory stays flat on endless inputs
    # spawn, not fork: a parent that has already labeled pages holds OpenMP threads, and a forked child hangs on them
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(model_path, options)) as pool:
        pending: deque = deque()
        for source in sources:
            if source == STDIN:
                pending.append(("stdin", source))
            else:
                pending.append(("future", pool.submit(_work, source, model_path, options)))
            if len(pending) >= window:
                yield _resolve(pending.popleft(), model_path, options, stdin_data)
        while pending:
            yield _resolve(pending.popleft(), model_path, options, stdin_data)


def _resolve(item, model_path, options, stdin_data) -> Result:
    kind, value = item
    if kind == "stdin":
        return process_source(STDIN, cached_model(model_path), options, stdin_data)
    return value.result()
