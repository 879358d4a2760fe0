"""Run pages through a model, in this process or in supervised workers, keeping input order.

Each worker loads the model once. An error on one page (bad input, a time
budget overrun, a crashed worker) becomes a result for that page; the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .errors import ThresherError
from .inputs import STDIN, read_source
from .options import SegmentOptions
from .pipeline import Page, segment_page
from .workers import Task, run_supervised

# seconds a page may take by default: generous for a legitimate 20 MB page on a slow machine
TIMEOUT_DEFAULT = 30.0


@dataclass(slots=True)
class Result:
    """The outcome of one page: a labeled page or an error (type and message)."""

    source: str
    page: Page | None = None
    error_type: str = ""
    error: str = ""


def process_source(source: str, model, options: SegmentOptions, stdin_data: bytes | None = None) -> Result:
    """Read and label one page; any failure becomes the page's error, never an exception."""
    try:
        data = read_source(source, max_bytes=options.max_input_bytes, stdin_data=stdin_data)
        return Result(source, segment_page(data, model, options))
    except ThresherError as exc:
        return Result(source, error_type=type(exc).__name__, error=str(exc))
    except RecursionError:
        return Result(source, error_type="InputError", error="page structure too deep")
    except MemoryError:
        return Result(source, error_type="LimitExceededError", error="out of memory on this page")
    except Exception as exc:  # a bug must cost one page, not the batch; the type names it
        return Result(source, error_type=type(exc).__name__, error=f"unexpected error: {exc}")


def run_batch(
    sources: Iterable[str],
    *,
    model_path: str | None,
    options: SegmentOptions,
    jobs: int = 1,
    timeout: float | None = TIMEOUT_DEFAULT,
    load: Callable | None = None,
    stdin_data: bytes | None = None,
) -> Iterator[Result]:
    """Yield one Result per source, in input order.

    Parameters
    ----------
    sources : file paths, or ``-`` for ``stdin_data``.
    model_path : the model file (None: the shipped model).
    options : segmentation options for every page.
    jobs : worker processes.
    timeout : seconds each page may take (None: no limit). A budget is enforced by
        running pages in supervised worker processes (see :mod:`thresher.workers`);
        with ``jobs=1`` and no timeout, pages run in this process.
    load : the model loader for the in-process path (tests pass a stub-free small model).
    """
    if jobs <= 1 and not timeout:
        from .persistence import load_model

        model = (load or load_model)(model_path)
        for source in sources:
            yield process_source(source, model, options, stdin_data if source == STDIN else None)
        return
    tasks = (Task(0, source, (stdin_data or b"") if source == STDIN else None) for source in sources)
    for _task, result in run_supervised(tasks, jobs=max(1, jobs), model_path=model_path,
                                        options=options, timeout=timeout):
        yield result
