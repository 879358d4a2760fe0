"""Where the corpus lives, and readers for its benchmark sets."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ENV_VAR = "THRESHER_CORPUS_DIR"


def corpus_dir(given: str | os.PathLike | None = None) -> Path:
    """The corpus folder: ``given``, else ``$THRESHER_CORPUS_DIR``, else ``../shared/corpus``."""
    for candidate in (given, os.environ.get(ENV_VAR)):
        if candidate:
            path = Path(candidate)
            if not path.is_dir():
                raise FileNotFoundError(f"corpus folder {path} does not exist")
            return path
    here = Path(__file__).resolve().parent.parent
    for path in (here.parent / "shared" / "corpus", Path.cwd().parent / "shared" / "corpus"):
        if path.is_dir():
            return path
    raise FileNotFoundError(
        f"no corpus folder: pass --corpus-dir or set {ENV_VAR} (the benchmark sets are not shipped)"
    )


def read_bytes(path: Path) -> bytes:
    """A page's bytes, gunzipped when the name ends in .gz."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@dataclass(frozen=True, slots=True)
class BenchmarkPage:
    """One benchmark page: its HTML path, reference text and grouping facts."""

    page_id: str
    path: Path
    reference: str
    site: str
    page_type: str = "article"


def _domain(url: str) -> str:
    host = url.split("/")[2] if url.count("/") >= 2 else url
    return host.lower().removeprefix("www.")


def wcxb_pages(root: Path) -> Iterator[BenchmarkPage]:
    """All WCXB dev pages with their ``main_content``, domain (the CV group) and page type.

    ``metadata.json`` lists 1,358 of the 1,497 pages; the others carry their
    type in the ground truth's ``_internal.page_type`` and their domain in its URL.
    """
    base = root / "wcxb-dev"
    meta = json.loads((base / "metadata.json").read_text())["files"]
    for truth_path in sorted((base / "ground-truth").glob("*.json")):
        file_id = truth_path.stem
        truth = json.loads(truth_path.read_text())
        info = meta.get(file_id) or {}
        internal = (truth.get("_internal") or {}).get("page_type") or {}
        yield BenchmarkPage(
            page_id=file_id,
            path=base / "html" / f"{file_id}.html.gz",
            reference=(truth.get("ground_truth") or {}).get("main_content") or "",
            site=info.get("domain") or _domain(truth.get("url", file_id)),
            page_type=info.get("page_type") or internal.get("primary", "unknown"),
        )


def scrapinghub_pages(root: Path) -> Iterator[BenchmarkPage]:
    """ScrapingHub pages with their ``articleBody`` (never used for training)."""
    base = root / "scrapinghub"
    truth = json.loads((base / "ground-truth.json").read_text())
    for page_id in sorted(truth):
        site = _domain(truth[page_id].get("url", page_id))
        yield BenchmarkPage(page_id, base / "html" / f"{page_id}.html.gz", truth[page_id]["articleBody"], site)


@lru_cache(maxsize=4)
def _wcxb_meta(root: Path) -> dict:
    path = root / "wcxb-dev" / "metadata.json"
    return json.loads(path.read_text())["files"] if path.is_file() else {}


def _bare_name(path: Path) -> str:
    """The file name without ``.gz`` and the page suffix: ``0001.html.gz`` → ``0001``."""
    name = path.name.removesuffix(".gz")
    return name.rsplit(".", 1)[0] if "." in name else name


def page_identity(path: str | os.PathLike, root: Path | None) -> tuple[str, str, str]:
    """A page's ``(doc_id, source, site)``, named the way the gold annotations name them.

    Under the corpus ``root``, ``source`` is corpus-relative and the site is the
    office (``press-releases/<office>/``), the WCXB page's domain, or ``seed``.
    Elsewhere the source is the path as given and the site its folder's name.

    Examples
    --------
    >>> page_identity("pages/cook_il-task-force.txt", None)
    ('cook_il-task-force', 'pages/cook_il-task-force.txt', 'pages')
    """
    path = Path(path)
    rel = None
    if root is not None:
        try:
            rel = path.resolve().relative_to(Path(root).resolve())
        except ValueError:
            rel = None
    if rel is None or len(rel.parts) < 2:
        return _bare_name(path), str(path), path.resolve().parent.name
    top = rel.parts[0]
    if top == "press-releases" and len(rel.parts) >= 3:
        office = rel.parts[1]
        return f"{office}-{path.stem[:80]}", str(rel), office
    if top == "wcxb-dev":
        file_id = _bare_name(path)
        info = _wcxb_meta(Path(root)).get(file_id) or {}
        site = info.get("domain")
        if not site:
            truth = Path(root) / "wcxb-dev" / "ground-truth" / f"{file_id}.json"
            site = _domain(json.loads(truth.read_text()).get("url", file_id)) if truth.is_file() else "wcxb"
        return f"wcxb-{file_id}", str(rel), site
    return f"{top}-{_bare_name(path)}", str(rel), top
