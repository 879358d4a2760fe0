"""Shared fixtures: the repository's example pages, the shared corpus when present, the model."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

# One OpenMP thread for the tests' fits, set before scikit-learn loads its OpenMP runtime (which reads
# it once). With a CPU-bound train.py beside it on a 2-core machine, the boosted trees' OpenMP threads
# spun in split_next for minutes on a fit that takes seconds alone; the tests' models are tiny.
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "corpus" / "examples"
SEED = EXAMPLES / "dhs-ice-operation-rise.txt"


def example_pages() -> list[bytes]:
    """The repository's own example pages (HTML and text scrapes, no corpus needed), as bytes."""
    paths = sorted(p for p in EXAMPLES.iterdir() if p.name.endswith((".html.gz", ".txt")))
    return [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in paths]


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


def quick_model(**params):
    """A quick model from a dozen gold pages (no corpus needed: the stored block texts are used)."""
    from thresher.annotations import read_dir
    from thresher.model import BlockClassifier
    from thresher.training import gold_examples

    pages = [p for p in read_dir(ROOT / "annotations") if p.split == "train"][:14]
    examples = gold_examples(pages, corpus=None)
    model = BlockClassifier(max_iter=20, inner_folds=2, random_state=3, **params)
    return model.fit([e.blocks for e in examples], [e.labels for e in examples], groups=[e.site for e in examples])


@pytest.fixture(scope="session")
def small_model():
    """A quick model without the content word model: tests of the trees feed them local_features alone."""
    return quick_model(content_words=0)


@pytest.fixture(scope="session")
def worded_model():
    """A quick model with the content word model (the default settings)."""
    return quick_model()


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    return SEED.read_bytes()


DOCCANO_KEYS = ("DOCCANO_URL", "DOCCANO_USERNAME", "DOCCANO_PASSWORD",
                "DOCCANO_ANNOTATOR_USERNAME", "DOCCANO_ANNOTATOR_PASSWORD")


def _doccano_env_file() -> dict[str, str]:
    """The logins scripts/doccano-server.sh wrote (``export KEY=value`` lines), if it runs here."""
    import tempfile

    folder = os.environ.get("DOCCANO_RUN_DIR") or os.path.join(tempfile.gettempdir(), "thresher-doccano")
    path = Path(folder) / "doccano.env"
    if not path.is_file():
        return {}
    pairs = (line.removeprefix("export ").split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def require_doccano() -> bool:
    """In CI (or when asked) the doccano tests must run: a missing server or extra is a failure."""
    return bool(os.environ.get("CI") or os.environ.get("THRESHER_REQUIRE_DOCCANO"))


def import_doccano():
    """``thresher.doccano``: skipped without the doccano extra, except where it is required."""
    if require_doccano():
        import thresher.doccano

        return thresher.doccano
    return pytest.importorskip("thresher.doccano", reason="the doccano extra is not installed")


@pytest.fixture(scope="session")
def doccano_env() -> dict[str, str]:
    """URL and logins (admin, annotator) of the doccano started by ``scripts/doccano-server.sh``.

    Taken from the environment (``.ci/run`` sources the server's ``doccano.env``), else
    from that file in the default run folder. When the server is unreachable the test
    fails if ``CI`` or ``THRESHER_REQUIRE_DOCCANO`` is set, and is skipped otherwise.
    """
    env = {k: os.environ[k] for k in DOCCANO_KEYS if os.environ.get(k)}
    if "DOCCANO_URL" not in env:
        env = _doccano_env_file()
    problem = ""
    if not all(env.get(k) for k in DOCCANO_KEYS):
        problem = ("no doccano server: run `bash scripts/doccano-server.sh start` and "
                   "`. $DOCCANO_RUN_DIR/doccano.env` (default run dir /tmp/thresher-doccano)")
    else:
        try:
            import requests

            answer = requests.get(env["DOCCANO_URL"] + "/v1/health/", headers={"Accept": "application/json"},
                                  timeout=20)
            if answer.status_code != 200:
                problem = f"doccano at {env['DOCCANO_URL']} is not healthy (HTTP {answer.status_code})"
        except Exception as exc:  # requests missing or the server down: the same verdict
            problem = f"doccano at {env['DOCCANO_URL']} is unreachable: {type(exc).__name__}: {exc}"
    if problem:
        if require_doccano():
            pytest.fail(problem)
        pytest.skip(problem)
    return env


def c_extension(module, name: str, fallback: str):
    """A built C extension module, or a skip saying what runs instead; a failure where the
    extensions are required built (``THRESHER_REQUIRE_EXTENSIONS``, as ``.ci/run`` sets it)."""
    if module is None:
        if os.environ.get("THRESHER_REQUIRE_EXTENSIONS"):
            pytest.fail(f"{name} was not built (a C compiler is needed at install)")
        pytest.skip(f"{name} was not built: {fallback}")
    return module


def c_and_python(compute, module, name: str):
    """``compute()`` with the C function ``module.name``, then with it switched off (Python's path)."""
    fast = compute()
    saved = getattr(module, name)
    setattr(module, name, None)
    try:
        return fast, compute()
    finally:
        setattr(module, name, saved)


def same_bits(a, b) -> None:
    """Two float arrays equal to the bit (NaN-safe, and -0.0 is not 0.0)."""
    import numpy as np

    assert a.shape == b.shape
    np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64))


def fnv1a(text: str) -> int:
    """The unkeyed 64-bit FNV-1a hash of ``text``'s UTF-8 bytes, as ``thresher/_buffer.h`` computes it."""
    h = 1469598103934665603
    for byte in text.encode():
        h = ((h ^ byte) * 1099511628211) & (2**64 - 1)
    return h


def colliding(make, count: int = 100, low: int = 0) -> list[str]:
    """``count`` strings ``make(k)`` whose FNV-1a hashes share their low ten bits (all ``low``): a
    hostile page's words or tag names that would all probe one run of an unkeyed table."""
    found, k = [], 0
    while len(found) < count:
        if fnv1a(make(k)) & 1023 == low:
            found.append(make(k))
        k += 1
    return found
