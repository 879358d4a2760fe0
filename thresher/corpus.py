"""Where the corpus lives, and readers for its benchmark sets."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
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


def wcxb_pages(root: Path) -> Iterator[BenchmarkPage]:
    """WCXB dev pages with their ``main_content`` and domain (the CV group)."""
    base = root / "wcxb-dev"
    meta = json.loads((base / "metadata.json").read_text())["files"]
    for file_id in sorted(meta):
        info = meta[file_id]
        truth = json.loads((base / "ground-truth" / f"{file_id}.json").read_text())
        yield BenchmarkPage(
            page_id=file_id,
            path=base / "html" / f"{file_id}.html.gz",
            reference=truth["ground_truth"].get("main_content") or "",
            site=info["domain"],
            page_type=info["page_type"],
        )


def scrapinghub_pages(root: Path) -> Iterator[BenchmarkPage]:
    """ScrapingHub pages with their ``articleBody`` (never used for training)."""
    base = root / "scrapinghub"
    truth = json.loads((base / "ground-truth.json").read_text())
    for page_id in sorted(truth):
        url = truth[page_id].get("url", "")
        site = url.split("/")[2] if url.count("/") >= 2 else page_id
        yield BenchmarkPage(page_id, base / "html" / f"{page_id}.html.gz", truth[page_id]["articleBody"], site)
