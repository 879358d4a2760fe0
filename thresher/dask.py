"""Thresher on a Dask cluster: bags and data frames of pages, and folders or WARC files split
into parts, one output part per input part.

Tasks carry only the model's path; each worker process loads the model once
(``thresher.batch.cached_model``) and keeps it for every later task, so the
model is never shipped with the tasks. Requires ``pip install 'thresher[dask]'``.

Examples
--------
>>> import dask.bag as db  # doctest: +SKIP
>>> pages = db.read_text("pages-*.jsonl").map(json.loads)  # doctest: +SKIP
>>> clean_bag(pages).map(json.dumps).to_textfiles("cleaned-*.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .batch import Result, cached_model, process_source, run_batch
from .inputs import Record, iter_items, parse_json_record, stream_kind
from .integrations import missing
from .labels import CONTENT_LABELS
from .options import SegmentOptions
from .outputs import Rendering, Tally, clean_dict, error_dict, segment_dicts, write_results
from .pipeline import needs_kinds


def as_record(item: Record | dict | str | bytes, fallback: str = "") -> Record:
    """A bag element as a Record: a ``{"url", "html"|"text"}`` dict, a Record, or a page's bytes or text."""
    if isinstance(item, Record):
        return item
    if isinstance(item, dict):
        return parse_json_record(item, fallback)
    if isinstance(item, bytes | str):
        return Record(fallback, item)
    return Record(fallback, error_type="InputError", error=f"not a page: {type(item).__name__}")


def _label(item, model_path: str | None, options: SegmentOptions) -> Result:
    return process_source(as_record(item), cached_model(model_path), options)


def _clean_options(options: dict, keep: tuple[str, ...]) -> SegmentOptions:
    """Cleaning needs each block's side only, unless some kinds are kept and not others (the text
    is the same either way, so ``keep`` decides, whatever ``kinds`` the options say), and no scores."""
    return SegmentOptions(**{**options, "kinds": needs_kinds(keep), "scores": False})


def _clean_one(item, model_path, options, keep, with_title) -> dict:
    result = _label(item, model_path, options)
    if result.page is None:
        return error_dict(result.source, result.error_type, result.error, result.meta)
    return clean_dict(result.source, result.page, keep=keep, with_title=with_title, meta=result.meta)


def _segment_one(item, model_path, options) -> list[dict]:
    result = _label(item, model_path, options)
    if result.page is None:
        return [error_dict(result.source, result.error_type, result.error, result.meta)]
    return segment_dicts(result.source, result.page, result.meta)


def clean_bag(bag, *, model: str | None = None, keep: tuple[str, ...] = CONTENT_LABELS, with_title: bool = False,
              **options):
    """Clean every page of a ``dask.bag``: one ``{"source", "title", "text"}`` dict per page, in order.

    Parameters
    ----------
    bag : a ``dask.bag.Bag`` of ``{"url", "html"|"text"}`` dicts (a JSON Lines record),
        :class:`~thresher.inputs.Record` objects, or pages as bytes or str.
    model : a model file's path (default: the shipped model), loaded once per worker.
    keep, with_title : as :meth:`thresher.Thresher.clean`.
    **options : :class:`~thresher.options.SegmentOptions` fields.

    Returns
    -------
    A bag of dicts; a page that fails gives ``{"source", "error": {"type", "message"}}``.
    """
    return bag.map(_clean_one, model, _clean_options(options, keep), tuple(keep), with_title)


def segment_bag(bag, *, model: str | None = None, **options):
    """Segment every page of a ``dask.bag``: one dict per block (as ``thresher segment``), flattened.

    Takes the same elements as :func:`clean_bag`; each block dict carries its page's ``source``.
    """
    return bag.map(_segment_one, model, SegmentOptions(**options)).flatten()


def _clean_partition(frame, column: str, model_path, options, keep, with_title):
    titles, texts, errors = [], [], []
    for value in frame[column]:
        if not isinstance(value, bytes | str):
            titles.append("")
            texts.append("")
            errors.append("InputError: no page in this row")
            continue
        result = process_source(Record("", value), cached_model(model_path), options)
        titles.append(result.page.title if result.page else "")
        texts.append(result.page.text(keep=keep, with_title=with_title) if result.page else "")
        errors.append(f"{result.error_type}: {result.error}" if result.page is None else "")
    return frame.assign(title=titles, article_text=texts, thresher_error=errors)


def clean_frame(ddf, column: str, *, model: str | None = None, keep: tuple[str, ...] = CONTENT_LABELS,
                with_title: bool = False, **options):
    """Add ``title``, ``article_text`` and ``thresher_error`` (empty when fine) columns to a
    ``dask.dataframe`` whose ``column`` holds pages (HTML or text, str or bytes).

    Examples
    --------
    >>> ddf = dd.from_pandas(pd.DataFrame({"html": pages}), npartitions=4)  # doctest: +SKIP
    >>> clean_frame(ddf, "html")[["article_text"]].compute()  # doctest: +SKIP
    """
    args = (column, model, _clean_options(options, keep), tuple(keep), with_title)
    meta = _clean_partition(ddf._meta, *args)  # empty frame: no model loaded
    return ddf.map_partitions(_clean_partition, *args, meta=meta)


# -- parts of a folder or of WARC files over a cluster ---------------------------------------
@dataclass(frozen=True, slots=True)
class Part:
    """One task's input: a run of page files, or one stream file; written to ``name``."""

    index: int
    sources: tuple[str, ...]
    name: str


def plan_parts(sources: Iterable[str], *, stream: str | None, pages_per_part: int, suffix: str) -> Iterator[Part]:
    """Split the inputs into parts, in input order: every stream file (WARC, JSON Lines) is a part,
    page files are grouped ``pages_per_part`` at a time."""
    index = 0
    pages: list[str] = []

    def part(members) -> Part:
        return Part(index, tuple(members), f"part-{index:05d}{suffix}")

    for source in sources:
        if stream_kind(source, stream):
            if pages:
                yield part(pages)
                index, pages = index + 1, []
            yield part([source])
            index += 1
        else:
            pages.append(source)
            if len(pages) >= pages_per_part:
                yield part(pages)
                index, pages = index + 1, []
    if pages:
        yield part(pages)


def process_part(part: Part, out_dir: str, *, model_path: str | None, options: SegmentOptions, rendering: Rendering,
                 stream: str | None = None) -> Tally:
    """Label one part on this worker and write its output file; return its tally.

    Written under a temporary name and renamed, so a part file is whole or absent.
    """
    tally = Tally()
    items = iter_items(list(part.sources), stream=stream, max_bytes=options.max_input_bytes, skipped=tally.skipped)
    target = Path(out_dir) / part.name
    temporary = target.with_name(target.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        # in this process: a Dask worker is daemonic and may not start the supervised page workers,
        # so the per-page time budget is not enforced on a cluster
        write_results(run_batch(items, model_path=model_path, options=options, timeout=None), out, rendering,
                      several=True, tally=tally)
    os.replace(temporary, target)
    return tally


def connect(scheduler: str | None = None, workers: int | None = None):
    """A ``distributed.Client``: to ``scheduler``, or to a new local cluster of ``workers`` processes
    (one thread each, listening on 127.0.0.1 only)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise missing("distributed", "dask") from None
    if scheduler:
        return Client(scheduler)
    cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    client = Client(cluster)
    return client


def run_on_cluster(sources: list[str], out_dir: str, *, scheduler: str | None = None, workers: int | None = None,
                   model_path: str | None = None, options: SegmentOptions, rendering: Rendering,
                   stream: str | None = None, pages_per_part: int = 100, client=None) -> Tally:
    """Spread ``sources`` (page files, WARC or JSON Lines files) over a cluster, one output file per part
    in ``out_dir`` (``part-00000.jsonl``... in input order); return the summed tally.

    A part whose task fails (a worker lost) is counted as a failure named ``part-NNNNN``; the others stand.
    """
    from distributed import as_completed

    Path(out_dir).mkdir(parents=True, exist_ok=True)
    parts = list(plan_parts(sources, stream=stream, pages_per_part=pages_per_part, suffix=rendering.suffix))
    own = client is None
    client = client or connect(scheduler, workers)
    tally = Tally()
    try:
        futures = client.map(process_part, parts, out_dir=str(out_dir), model_path=model_path, options=options,
                             rendering=rendering, stream=stream, pure=False)
        named = {future.key: part for future, part in zip(futures, parts)}
        for future in as_completed(futures):
            try:
                tally.add(future.result())
            except Exception as exc:  # one part lost must not lose the others
                tally.failures[f"part {named[future.key].name} failed ({type(exc).__name__}: {exc})"] += 1
    finally:
        if own:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None:
                cluster.close()
    return tally
