"""Model files: skops (no pickle) plus a JSON manifest; nothing in a file can run code.

A model is two files side by side::

    NAME.skops   the fitted BlockClassifier, in skops' safe format
    NAME.json    manifest: format version, feature sets, labels, library versions, sha256

Loading checks the manifest, the checksum and the set of types the skops file
would build; a type outside ``TRUSTED_TYPES`` is refused before anything is loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
import zipfile
from pathlib import Path

from .errors import ModelFileError
from .features import FEATURE_SET
from .labels import LABELS
from .typing_features import TYPE_FEATURE_SET

FORMAT_VERSION = 1
#: The only non-default types a Thresher model file may contain.
TRUSTED_TYPES: tuple[str, ...] = (
    "thresher.model.BlockClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)
DEFAULT_MODEL_NAME = "thresher-default.skops"


def default_model_path() -> Path:
    """The shipped model: ``models/`` in a checkout, installed as ``thresher.models``."""
    from importlib.resources import files

    try:
        return Path(str(files("thresher.models") / DEFAULT_MODEL_NAME))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "models" / DEFAULT_MODEL_NAME


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(path: Path) -> Path:
    return path.with_suffix(".json")


def save_model(model, path: str | os.PathLike, *, card: dict | None = None) -> Path:
    """Write ``model`` to ``path`` (``.skops``) and its manifest beside it; return the path."""
    import sklearn
    import skops.io as sio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".skops.tmp")
    model.compact()
    sio.dump(model, tmp, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    os.replace(tmp, path)
    manifest = {
        "format_version": FORMAT_VERSION,
        "feature_set": FEATURE_SET,
        "type_feature_set": TYPE_FEATURE_SET,
        "labels": list(LABELS),
        "sklearn_version": sklearn.__version__,
        "sha256": _sha256(path),
        "card": card or {},
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return path


def read_manifest(path: str | os.PathLike) -> dict:
    """The manifest of a model file, validated; raises ``ModelFileError``."""
    path = Path(path)
    meta = manifest_path(path)
    try:
        manifest = json.loads(meta.read_text())
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no manifest {meta.name} beside the model file") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{meta}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{meta}: format version {manifest.get('format_version')!r}, expected {FORMAT_VERSION}")
    if manifest.get("labels") != list(LABELS):
        raise ModelFileError(f"{meta}: labels {manifest.get('labels')} differ from {list(LABELS)}")
    if (manifest.get("feature_set"), manifest.get("type_feature_set")) != (FEATURE_SET, TYPE_FEATURE_SET):
        raise ModelFileError(
            f"{meta}: made with features {manifest.get('feature_set')}/{manifest.get('type_feature_set')}, "
            f"this Thresher computes {FEATURE_SET}/{TYPE_FEATURE_SET}: retrain with train.py"
        )
    return manifest


def load_model(path: str | os.PathLike | None = None):
    """Load a BlockClassifier safely (default: the shipped model).

    Raises
    ------
    ModelFileError
        When the file is missing, its checksum or manifest does not match, or it
        holds any type outside ``TRUSTED_TYPES`` (it is then never loaded).
    """
    import sklearn
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    from .model import BlockClassifier

    path = Path(path) if path is not None else default_model_path()
    if not path.is_file():
        raise ModelFileError(f"model file {path} not found")
    manifest = read_manifest(path)
    if _sha256(path) != manifest.get("sha256"):
        raise ModelFileError(f"{path}: checksum does not match its manifest (corrupt or tampered file)")
    try:
        # skops builds only default-trusted types and TRUSTED_TYPES; anything else raises before it is built
        model = sio.load(path, trusted=list(TRUSTED_TYPES))
    except UntrustedTypesFoundException as exc:
        raise ModelFileError(f"{path}: refused, it holds types a Thresher model never has: {exc}") from None
    except Exception as exc:  # a foreign or broken file: skops raises many types
        raise ModelFileError(f"{path}: cannot be loaded ({type(exc).__name__}: {exc})") from None
    if not isinstance(model, BlockClassifier):
        raise ModelFileError(f"{path}: holds a {type(model).__name__}, not a BlockClassifier")
    if manifest.get("sklearn_version") != sklearn.__version__:
        warnings.warn(
            f"{path} was made with scikit-learn {manifest.get('sklearn_version')}, this is {sklearn.__version__}",
            stacklevel=2,
        )
    single_threaded_openmp()
    return model


def single_threaded_openmp() -> None:
    """Label with one OpenMP thread in this process, from now on.

    Pages run in parallel by processes (``--jobs``, Dask workers, spaCy's ``n_process``), not
    threads; and a process forked after a multi-threaded OpenMP region (libgomp) hangs on its
    first prediction, which is what spaCy's ``n_process`` does on Linux.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="openmp")
