"""Worker processes that label pages under a per-page time budget, keeping input order.

A page that runs past its budget is stopped where it is, even inside lxml's C
parser, by killing the worker that holds it; a worker that dies (a crash in a
C library, the kernel's OOM killer) costs only the page it held. Either way the
page gets an error result and a fresh worker takes its place: the batch goes on.

Workers come from a fork server with Thresher already imported, so a replacement
starts in about a model load, and no worker inherits OpenMP threads from a parent that
has them (scikit-learn in evaluate.py; forking those can hang the child).
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING

from .errors import ModelFileError, PageTimeoutError, WorkerCrashError
from .options import SegmentOptions

if TYPE_CHECKING:
    from .batch import Result
    from .inputs import Record

# a model that takes longer than this to load in a worker is not going to
STARTUP_TIMEOUT = 300.0
# pages a worker holds at once: the next is in its pipe when it sends a result, so it never waits for
# the parent's answer (a round trip between processes, which cost 0.7 ms a page here)
DEPTH = 2
_PRELOAD = ["thresher.batch", "thresher.persistence"]


@dataclass(slots=True)
class Task:
    """One page to label: its name, and its bytes when the worker should not read the file itself."""

    seq: int
    source: str | Record  # a path, ``-``, or a stream's record
    data: bytes | None = None


def _serve(conn: Connection, model_path: str | None, options: SegmentOptions,
           finish: Callable[[Result], Result] | None = None) -> None:
    """A worker's life: load the model once, then label pages until told to stop (each result
    through ``finish`` before it is sent back)."""
    from .batch import cached_model, process_source
    from .typing_features import english_tokens

    try:
        model = cached_model(model_path)
        english_tokens()  # spaCy and its tokenizer, which nearly every page needs, before the freeze below
    except Exception as exc:  # reported to the parent, which stops the batch with it
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    # what a worker has loaded lives as long as it does: out of the garbage collector's sight, a
    # page's collections scan that page's objects only (a full one scanned ~90,000 others, 0.3 ms a page)
    gc.freeze()
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if task is None:
            return
        result = process_source(task.source, model, options, task.data)
        conn.send((task.seq, finish(result) if finish else result))


class _Worker:
    def __init__(self, context, model_path: str | None, options: SegmentOptions,
                 finish: Callable[[Result], Result] | None = None) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, model_path, options, finish), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.started = time.monotonic()
        self.tasks: deque[Task] = deque()  # given and not answered, in order: the first is being labeled
        self.budget: float | None = None
        self.deadline = float("inf")  # the first task's

    def give(self, task: Task, timeout: float | None) -> None:
        self.tasks.append(task)
        self.budget = timeout
        if len(self.tasks) == 1:
            self.deadline = time.monotonic() + timeout if timeout else float("inf")
        self.conn.send(task)

    def answered(self) -> Task:
        """The first task is done: the next one, already in the worker's pipe, starts its budget now."""
        task = self.tasks.popleft()
        self.deadline = time.monotonic() + self.budget if self.tasks and self.budget else float("inf")
        return task

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(2)
        self.kill()


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def run_supervised(
    tasks: Iterable[Task],
    *,
    jobs: int,
    model_path: str | None,
    options: SegmentOptions,
    timeout: float | None,
    window: int | None = None,
    finish: Callable[[Result], Result] | None = None,
) -> Iterator[tuple[Task, Result]]:
    """Yield ``(task, Result)`` for each task, in input order, from ``jobs`` supervised workers.

    Parameters
    ----------
    tasks : the pages, in order (consumed lazily: at most ``window`` are held at once).
    jobs : worker processes.
    model_path : the model each worker loads (None: the shipped model).
    options : segmentation options for every page.
    timeout : seconds a page may take in its worker (None: no limit).
    window : most pages read ahead of the one being yielded (default ``jobs * 8``).
    finish : applied to each labeled page's result in its worker (``run_batch``'s); picklable.

    Raises ``ModelFileError`` when a worker cannot load the model.
    """
    from .batch import Result  # batch imports this module

    context = _context()
    window = window or jobs * 8
    def spawn() -> _Worker:
        return _Worker(context, model_path, options, finish)

    workers = [spawn() for _ in range(jobs)]
    queue: deque[Task] = deque()
    done: dict[int, tuple[Task, Result]] = {}
    source = iter(tasks)
    exhausted = False
    taken = 0  # tasks drawn from the input
    next_out = 0
    try:
        while True:
            while not exhausted and taken - next_out < window:
                try:
                    task = next(source)
                except StopIteration:
                    exhausted = True
                    break
                task.seq = taken
                queue.append(task)
                taken += 1
            for depth in range(1, DEPTH + 1):  # one page to each worker first, then a second each
                for worker in workers:
                    if worker.ready and len(worker.tasks) < depth and queue and (depth == 1 or _light(queue[0])):
                        worker.give(queue.popleft(), timeout)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if exhausted and next_out == taken:
                return
            if all(w.ready and not w.tasks for w in workers):
                continue  # all idle: the window has room again, read more pages
            _wait_and_collect(workers, done, queue, spawn, Result)
    finally:
        for worker in workers:
            worker.stop()


def _light(task: Task) -> bool:
    """A task that fits in a pipe's buffer (a path, no page bytes): sending it to a busy worker cannot
    block this process, which must stay free to stop a page that overruns its budget."""
    return task.data is None and isinstance(task.source, str)


def _wait_and_collect(workers, done, queue, spawn, result_type) -> None:
    """Block until a worker answers, dies or overruns; record what happened. A dead or stopped
    worker's first page gets the error; the pages queued behind it go back to the queue's front."""
    now = time.monotonic()
    deadlines = [w.deadline for w in workers if w.tasks and w.deadline < float("inf")]
    deadlines += [w.started + STARTUP_TIMEOUT for w in workers if not w.ready]
    wait_for = max(0.0, min(deadlines) - now) if deadlines else None
    watched = [w.conn for w in workers] + [w.process.sentinel for w in workers]
    ready = set(wait(watched, wait_for))
    now = time.monotonic()
    for i, worker in enumerate(workers):
        message = None
        if worker.conn in ready:
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                message = None
        if message is not None:
            kind, value = message
            if kind == "ready":
                worker.ready = True
            elif kind == "failed":
                raise ModelFileError(f"a worker could not load the model: {value}")
            else:
                task = worker.answered()
                done[kind] = (task, value)
            continue
        died = worker.process.sentinel in ready or worker.conn in ready
        overran = bool(worker.tasks) and now >= worker.deadline
        if not worker.ready and now >= worker.started + STARTUP_TIMEOUT:
            raise ModelFileError(f"a worker did not load the model within {STARTUP_TIMEOUT:.0f} s")
        if not (died or overran):
            continue
        if died:
            worker.process.join(1)  # so that its exit code is known
        if worker.tasks:
            task = worker.tasks.popleft()
            if overran and not died:
                error = (PageTimeoutError.__name__, f"page took longer than its time budget of {worker.budget:g} s (timeout)")
            else:
                code = worker.process.exitcode
                error = (WorkerCrashError.__name__, f"the worker processing this page died (exit code {code})")
            done[task.seq] = (task, result_type.of(task.source, error_type=error[0], error=error[1]))
            queue.extendleft(reversed(worker.tasks))  # not started: another worker labels them
            worker.tasks.clear()
        elif not worker.ready:
            raise ModelFileError(f"a worker died while loading the model (exit code {worker.process.exitcode})")
        worker.kill()
        workers[i] = spawn()
