"""Run pages through a model, in this process or in worker processes, keeping input order.

Each worker loads the model once. An error on one page becomes a result for
that page; the batch goes on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from .errors import ThresherError
from .inputs import STDIN, read_source
from .options import SegmentOptions
from .pipeline import Page, segment_page


@dataclass(slots=True)
class Result:
    """The outcome of one page: a labeled page or an error (type and message)."""

    source: str
    page: Page | None = None
    error_type: str = ""
    error: str = ""


_WORKER: dict = {}  # per worker process: the model, loaded once by _init_worker


def _init_worker(model_path: str | None, options: SegmentOptions) -> None:
    from .persistence import load_model

    _WORKER["model"] = load_model(model_path)
    _WORKER["options"] = options


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


def _work(source: str) -> Result:
    return process_source(source, _WORKER["model"], _WORKER["options"])


def run_batch(
    sources: Iterable[str],
    *,
    model_path: str | None,
    options: SegmentOptions,
    jobs: int = 1,
    load: Callable | None = None,
    stdin_data: bytes | None = None,
) -> Iterator[Result]:
    """Yield one Result per source, in input order; ``jobs`` > 1 uses worker processes."""
    if jobs <= 1:
        from .persistence import load_model

        model = (load or load_model)(model_path)
        for source in sources:
            yield process_source(source, model, options, stdin_data if source == STDIN else None)
        return
    window = jobs * 8  # bounded look-ahead: memory stays flat on endless inputs
    with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(model_path, options)) as pool:
        pending: deque = deque()
        for source in sources:
            if source == STDIN:
                pending.append(("stdin", source))
            else:
                pending.append(("future", pool.submit(_work, source)))
            if len(pending) >= window:
                yield _resolve(pending.popleft(), model_path, options, stdin_data)
        while pending:
            yield _resolve(pending.popleft(), model_path, options, stdin_data)


def _resolve(item, model_path, options, stdin_data) -> Result:
    kind, value = item
    if kind == "stdin":
        from .persistence import load_model

        return process_source(STDIN, load_model(model_path), options, stdin_data)
    return value.result()
