"""Run pages through a model, in this process or in supervised workers, keeping input order.

Each worker process loads the model once (``cached_model``). An error on one page (bad
input, a time budget overrun, a crashed worker) becomes a result for that page; the batch goes on.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .errors import ThresherError
from .inputs import STDIN, Record, read_source
from .options import SegmentOptions
from .pipeline import Page, segment_page
from .workers import Task, run_supervised

# seconds a page may take by default: generous for a legitimate 20 MB page on a slow machine
TIMEOUT_DEFAULT = 30.0


@dataclass(slots=True)
class Result:
    """The outcome of one page: a labeled page or an error (type and message), and the page's
    extra facts (``meta``, e.g. its WARC-Record-ID).

    ``lines`` is the page as a rendering wrote it where it was labeled (``run_batch``'s ``finish``),
    which then drops the page: a page's blocks cost more to send between processes than to label.
    """

    source: str
    page: Page | None = None
    error_type: str = ""
    error: str = ""
    meta: dict = field(default_factory=dict)
    lines: list[str] | None = None

    @property
    def ok(self) -> bool:
        """The page was labeled (every failure names its error type)."""
        return not self.error_type

    @classmethod
    def of(cls, source: str | Record, page: Page | None = None, *, error_type: str = "", error: str = "") -> Result:
        """The result of the page read from ``source`` (a path or a Record): named, with the record's meta."""
        if isinstance(source, Record):
            return cls(source.source, page, error_type, error, source.meta)
        return cls(source, page, error_type, error)


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


def process_source(source: str | Record, model, options: SegmentOptions, stdin_data: bytes | None = None) -> Result:
    """Read and label one page (a path, ``-``, or a stream's Record); any failure becomes the
    page's error, never an exception."""
    try:
        if isinstance(source, Record):
            if source.error_type:
                return Result.of(source, error_type=source.error_type, error=source.error)
            data = source.data
            options = _record_options(source, options)
        else:
            data = read_source(source, max_bytes=options.max_input_bytes, stdin_data=stdin_data)
        return Result.of(source, segment_page(data, model, options))
    except ThresherError as exc:
        return Result.of(source, error_type=type(exc).__name__, error=str(exc))
    except RecursionError:
        return Result.of(source, error_type="InputError", error="page structure too deep")
    except MemoryError:
        return Result.of(source, error_type="LimitExceededError", error="out of memory on this page")
    except Exception as exc:  # a bug must cost one page, not the batch; the type names it
        return Result.of(source, error_type=type(exc).__name__, error=f"unexpected error: {exc}")


def _record_options(record: Record, options: SegmentOptions) -> SegmentOptions:
    """The stream's word on a record (HTML or text, its HTTP charset) over the command line's defaults."""
    changes = {}
    if record.input_format != "auto" and options.input_format == "auto":
        changes["input_format"] = record.input_format
    if record.encoding and not options.encoding:
        changes["encoding"] = record.encoding
    return dataclasses.replace(options, **changes) if changes else options


def run_batch(
    sources: Iterable[str | Record],
    *,
    model_path: str | None,
    options: SegmentOptions,
    jobs: int = 1,
    timeout: float | None = TIMEOUT_DEFAULT,
    load: Callable | None = None,
    stdin_data: bytes | None = None,
    finish: Callable[[Result], Result] | None = None,
) -> Iterator[Result]:
    """Yield one Result per source (a path, ``-`` or a Record), in input order, lazily.

    Parameters
    ----------
    sources : file paths, ``-`` for ``stdin_data``, or a stream's Records.
    model_path : the model file (None: the shipped model).
    options : segmentation options for every page.
    jobs : worker processes.
    timeout : seconds each page may take (None: no limit). A budget is enforced by
        running pages in supervised worker processes (see :mod:`thresher.workers`),
        which read at most ``jobs * 8`` pages ahead, so an endless stream runs in
        constant memory; with ``jobs=1`` and no timeout, pages run in this process.
    load : the model loader for the in-process path (tests pass a small model).
    finish : applied to each result where its page was labeled, in the worker that labeled it
        (e.g. ``outputs.Rendering.finisher``'s, writing the page's output lines); picklable.
    """
    if jobs <= 1 and not timeout:
        model = load(model_path) if load else cached_model(model_path)
        for source in sources:
            result = process_source(source, model, options, stdin_data if source == STDIN else None)
            yield finish(result) if finish else result
        return
    tasks = (Task(0, source, (stdin_data or b"") if source == STDIN else None) for source in sources)
    for _task, result in run_supervised(tasks, jobs=max(1, jobs), model_path=model_path,
                                        options=options, timeout=timeout, finish=finish):
        yield result
