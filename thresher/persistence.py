"""Model files: plain arrays plus a JSON manifest; nothing in a file can run code.

A model is two files side by side::

    NAME.npz    the compiled model's arrays (numpy's zip of .npy files, read with pickle off)
    NAME.json   manifest: format version, feature sets, labels, versions, sha256, model card

Loading reads the file once, checks the manifest and the checksum of those bytes, reads only
the arrays a model has (an object array, which would need pickle, is refused by numpy
itself), checks each array's kind, shape and size before converting it, and checks that every
index in the trees stays inside its array before anything is predicted. Loading
imports neither scikit-learn nor any estimator: a model file is data.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

from .errors import ModelFileError
from .features import FEATURE_SET
from .labels import LABELS
from .typing_features import TYPE_FEATURE_SET

FORMAT_VERSION = 2  # 1 was a skops file of the scikit-learn estimator
DEFAULT_MODEL_NAME = "thresher-default.npz"
# a model file is a few MB (the shipped one 2.7 MB of arrays); this bounds what a hostile one can
# make the loader read or decompress
MAX_ARRAYS_BYTES = 64 << 20


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
    """Write ``model`` (a fitted :class:`~thresher.model.BlockClassifier`, or its
    :class:`~thresher.compiled.CompiledClassifier`) to ``path`` (``.npz``) and its manifest
    beside it; return the path."""
    import numpy as np

    from .compiled import CompiledClassifier

    compiled = model if isinstance(model, CompiledClassifier) else model.compiled()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, **compiled.to_arrays())
    os.replace(tmp, path)
    manifest = {
        "format_version": FORMAT_VERSION,
        "feature_set": FEATURE_SET,
        "type_feature_set": TYPE_FEATURE_SET,
        "labels": list(LABELS),
        "trained_with": _versions(),
        "sha256": _sha256(path),
        "card": card or {},
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return path


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("thresher", "scikit-learn", "numpy", "spacy"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def read_manifest(path: str | os.PathLike) -> dict:
    """The manifest of a model file, validated; raises ``ModelFileError``."""
    path = Path(path)
    meta = manifest_path(path)
    try:
        manifest = json.loads(meta.read_text())
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no manifest {meta.name} beside the model file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{meta}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        version = manifest.get("format_version") if isinstance(manifest, dict) else None
        hint = ": a skops model of Thresher 0.1's first format; retrain with train.py" if version == 1 else ""
        raise ModelFileError(f"{meta}: format version {version!r}, expected {FORMAT_VERSION}{hint}")
    if manifest.get("labels") != list(LABELS):
        raise ModelFileError(f"{meta}: labels {manifest.get('labels')} differ from {list(LABELS)}")
    if (manifest.get("feature_set"), manifest.get("type_feature_set")) != (FEATURE_SET, TYPE_FEATURE_SET):
        raise ModelFileError(
            f"{meta}: made with features {manifest.get('feature_set')}/{manifest.get('type_feature_set')}, "
            f"this Thresher computes {FEATURE_SET}/{TYPE_FEATURE_SET}: retrain with train.py"
        )
    return manifest


def load_model(path: str | os.PathLike | None = None):
    """Load a model safely (default: the shipped one) as a
    :class:`~thresher.compiled.CompiledClassifier`.

    Raises
    ------
    ModelFileError
        When the file is missing, its checksum or manifest does not match, it is not a
        zip of plain arrays (pickle is never enabled), or its arrays do not form a model.
    """
    import numpy as np

    from .compiled import ARRAY_NAMES, CompiledClassifier

    path = Path(path) if path is not None else default_model_path()
    if not path.is_file():
        raise ModelFileError(f"model file {path} not found")
    manifest = read_manifest(path)
    if path.stat().st_size > MAX_ARRAYS_BYTES:
        raise ModelFileError(f"{path}: refused, larger than {MAX_ARRAYS_BYTES >> 20} MB")
    data = path.read_bytes()  # read once: what is checked is what is loaded
    if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
        raise ModelFileError(f"{path}: checksum does not match its manifest (corrupt or tampered file)")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            if sum(info.file_size for info in arrays.zip.infolist()) > MAX_ARRAYS_BYTES:
                raise ModelFileError(f"{path}: refused, its arrays would take more than {MAX_ARRAYS_BYTES >> 20} MB")
            return CompiledClassifier.from_arrays({name: arrays[name] for name in arrays.files if name in ARRAY_NAMES})
    except ModelFileError:
        raise
    except ValueError as exc:  # numpy's refusal of object arrays lands here too
        reason = "refused, it holds objects that need pickle" if "pickle" in str(exc) else f"not a model ({exc})"
        raise ModelFileError(f"{path}: {reason}") from None
    except Exception as exc:  # a foreign or broken file: zip, npy and key errors
        raise ModelFileError(f"{path}: cannot be loaded ({type(exc).__name__}: {exc})") from None
