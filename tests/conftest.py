"""Shared fixtures: the repository's example pages, the shared corpus when present, the model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "corpus" / "examples"
SEED = EXAMPLES / "dhs-ice-operation-rise.txt"


def shared_corpus() -> Path | None:
    for candidate in (os.environ.get("THRESHER_CORPUS_DIR"), ROOT.parent / "shared" / "corpus"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = shared_corpus()
    if path is None:
        pytest.skip("the shared corpus is not beside this checkout")
    return path


@pytest.fixture(scope="session")
def model():
    import thresher

    return thresher.load()


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    return SEED.read_bytes()
