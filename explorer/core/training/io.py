"""Save and load a trained digit network as a NumPy ``.npz`` file.

The file holds plain numeric arrays named after the weights (``conv1.weights``, ``conv1.bias``,
…, ``dense.weights``, ``dense.bias``) plus ``format`` and ``version``. Loading never unpickles
(``allow_pickle=False``) and checks every size before reading an array, so a damaged or
hostile file is refused with a sentence instead of running code or filling the memory.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np

from explorer.core.safe_files import (
    atomic_write,
    check_target,
    read_npz_arrays,
    regular_file_size,
)
from explorer.core.training.model import DigitModel

MODEL_FORMAT = "cnn-explorer-digit-network"
MODEL_VERSION = 1
MAX_MODEL_BYTES = 32 * 1024 * 1024  # a digit network is a few hundred KB at most


def save_model(model: DigitModel, path: str | os.PathLike, *, overwrite: bool = True) -> Path:
    """Write ``model`` to exactly ``path``, an ``.npz`` file; returns the path written.

    The name is never changed (``report.v2`` is refused, not saved as ``report.v2.npz``), and
    the file is written whole or not at all (:func:`~explorer.core.safe_files.atomic_write`):
    a full disk leaves an existing network as it was and no partial file behind. Raises
    ValueError (:class:`~explorer.core.safe_files.WriteFailed`) saying the cause.
    """
    target = check_target(path, (".npz",), what="a digit network", overwrite=overwrite)
    arrays = {name: np.asarray(a) for name, a in model.params.items()}

    def write(fh: BinaryIO) -> None:
        np.savez(fh, format=np.array(MODEL_FORMAT), version=np.array(MODEL_VERSION), **arrays)

    return atomic_write(target, write, overwrite=overwrite)


def load_model(path: str | os.PathLike) -> DigitModel:
    """Read a network saved by :func:`save_model`. Raises ValueError saying what is wrong."""
    p = Path(path)
    name = p.name or str(p)
    regular_file_size(p, MAX_MODEL_BYTES)  # a pipe, a device, a huge file: refused unopened
    if not zipfile.is_zipfile(p):
        raise ValueError(f"{name} is not a saved network (a NumPy .npz file)")
    arrays = read_npz_arrays(p, MAX_MODEL_BYTES)
    fmt = arrays.pop("format", None)
    version = arrays.pop("version", None)
    if fmt is None or fmt.shape != () or fmt.dtype.kind != "U" or str(fmt) != MODEL_FORMAT:
        raise ValueError(f"{name} is not a saved CNN Explorer digit network")
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise ValueError(f"{name} has no format version")
    if int(version) != MODEL_VERSION:
        newer = " (written by a newer CNN Explorer)" if int(version) > MODEL_VERSION else ""
        raise ValueError(f"{name} has format version {int(version)}{newer}; this version "
                         f"reads version {MODEL_VERSION}")
    try:
        return DigitModel(arrays)
    except ValueError as exc:
        raise ValueError(f"{name} does not hold a usable network: {exc}") from None
