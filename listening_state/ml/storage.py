"""Model files: numpy arrays and a JSON header in an .npz archive, checked by SHA-256.

No pickle anywhere: a model file holds numbers and strings only, and is read with
``allow_pickle=False``, so even a file that passed the hash check cannot run code. The hash
is checked first all the same, so a tampered or truncated file is refused before parsing.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import platform
import zipfile
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy
import sklearn

from listening_state.ml.features import FeatureSpec, Vocabulary

FORMAT = "listening-state-router"
FORMAT_VERSION = 1
_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


class ModelIntegrityError(Exception):
    """The model bytes are not the ones recorded, or not a model file at all."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": str(scipy.__version__),
        "scikit-learn": str(sklearn.__version__),
    }


def pack(arrays: dict[str, npt.NDArray[Any]], header: dict[str, object]) -> bytes:
    """Arrays plus a JSON header, as the bytes of an .npz archive (what np.load reads).

    Written by hand rather than with np.savez so that entries carry a fixed timestamp: the
    same model gives the same bytes, hence the same SHA-256, whenever it is saved.
    """
    text = json.dumps({"format": FORMAT, "version": FORMAT_VERSION, **header}, sort_keys=True)
    entries = {"header": np.frombuffer(text.encode("utf-8"), dtype=np.uint8), **arrays}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in entries.items():
            with archive.open(
                zipfile.ZipInfo(f"{name}.npy", _EPOCH), "w", force_zip64=True
            ) as entry:
                np.lib.format.write_array(entry, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def unpack(
    data: bytes, *, expected_sha256: str
) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
    """Check the hash, then read the archive; ModelIntegrityError if either fails."""
    actual = sha256_hex(data)
    if not hmac.compare_digest(actual, expected_sha256.strip().lower()):
        raise ModelIntegrityError(
            f"model SHA-256 is {actual}, expected {expected_sha256}: refusing to load it"
        )
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        header = json.loads(arrays.pop("header").tobytes().decode("utf-8"))
    except (ValueError, OSError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as error:
        raise ModelIntegrityError(f"not a model file: {error}") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelIntegrityError("not a model file: unknown format")
    if header.get("version") != FORMAT_VERSION:
        raise ModelIntegrityError(f"model file format {header.get('version')} is not supported")
    return arrays, header


def vocabulary_header(vocabulary: Vocabulary) -> dict[str, object]:
    """The feature settings of a vocabulary, for a model file's JSON header."""
    spec = vocabulary.spec
    return {
        "word_max_n": spec.word_max_n,
        "char_mode": spec.char_mode,
        "char_range": list(spec.char_range),
        "sublinear_tf": spec.sublinear_tf,
        "min_df": spec.min_df,
        "max_word_features": spec.max_word_features,
        "max_char_features": spec.max_char_features,
    }


def vocabulary_arrays(vocabulary: Vocabulary) -> dict[str, npt.NDArray[Any]]:
    return {
        "word_keys": vocabulary.word_keys,
        "word_idf": vocabulary.word_idf,
        "char_keys": vocabulary.char_keys,
        "char_idf": vocabulary.char_idf,
    }


def load_vocabulary(arrays: dict[str, npt.NDArray[Any]], features: dict[str, Any]) -> Vocabulary:
    """The vocabulary stored by `vocabulary_header` and `vocabulary_arrays`."""
    settings = dict(features)
    settings["char_range"] = tuple(settings["char_range"])
    return Vocabulary(
        FeatureSpec(**settings),
        word_keys=arrays["word_keys"].astype(np.int64),
        word_idf=arrays["word_idf"].astype(np.float64),
        char_keys=arrays["char_keys"].astype(np.int64),
        char_idf=arrays["char_idf"].astype(np.float64),
    )
