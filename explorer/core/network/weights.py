"""Read a PyTorch ``.pth`` file of the legacy (pre-1.6) format into NumPy, without PyTorch.

A ``.pth`` file is a pickle, and unpickling runs whatever callables the file names. So the file
is read by :class:`SafeUnpickler`, which resolves only the four globals a saved state dict needs
(an ``OrderedDict``, the tensor-rebuilding function and two storage types) and refuses any
other: a file that tries to run code raises :class:`UnsafeWeightsError` before anything runs.

The legacy layout is five pickles in a row (magic number, protocol, system info, the state dict
whose tensors point at storages by key, the list of storage keys), then every storage's raw
bytes, each after its element count as a little-endian int64.
"""

from __future__ import annotations

import io
import pickle
import struct
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.core.network.errors import UnsafeWeightsError, WeightsError

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class _StorageType:
    """Stands in for ``torch.FloatStorage`` and friends: only their element type matters."""

    dtype: np.dtype


@dataclass(frozen=True)
class _StorageRef:
    """A storage named in the state dict; its bytes follow the pickles."""

    key: str
    dtype: np.dtype
    count: int


@dataclass(frozen=True)
class _TensorRef:
    """A tensor as the pickle describes it: a strided view of a storage."""

    storage: _StorageRef
    offset: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]


def _rebuild_tensor(storage, offset, shape, strides, *_ignored) -> _TensorRef:
    """What ``torch._utils._rebuild_tensor_v2`` is called with; checked, nothing computed."""
    if not isinstance(storage, _StorageRef):
        raise WeightsError("a tensor in the weights file does not point at a storage")
    ints = (offset, *shape, *strides)
    if not all(type(v) is int and v >= 0 for v in ints) or len(shape) != len(strides):
        raise WeightsError("a tensor in the weights file has a malformed shape")
    return _TensorRef(storage, offset, tuple(shape), tuple(strides))


_ALLOWED = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch", "FloatStorage"): _StorageType(np.dtype("<f4")),
    ("torch", "LongStorage"): _StorageType(np.dtype("<i8")),
}


class SafeUnpickler(pickle.Unpickler):
    """An unpickler that knows a state dict's few globals and refuses every other one."""

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafeWeightsError(
                f"the weights file asks to run {module}.{name}, which a file of weights never "
                "needs; it was not opened, as it may be harmful") from None

    def persistent_load(self, pid):
        # ('storage', storage type, key, device, element count, view metadata)
        if (not isinstance(pid, tuple) or len(pid) != 6 or pid[0] != "storage"
                or not isinstance(pid[1], _StorageType) or not isinstance(pid[2], str)
                or type(pid[4]) is not int or pid[4] < 0 or pid[5] is not None):
            raise WeightsError("the weights file refers to its data in an unknown way")
        return _StorageRef(pid[2], pid[1].dtype, pid[4])


def read_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """The tensors of a legacy ``.pth`` state dict as float32/int64 NumPy arrays, by key.

    Raises :class:`UnsafeWeightsError` for a file that would run code and
    :class:`WeightsError` for any other file that is not such a state dict.
    """
    p = Path(path)
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise WeightsError(f"{p.name} is too large to be these weights")
        data = p.read_bytes()
    except FileNotFoundError:
        raise WeightsError(f"the weights file {p.name} is missing") from None
    except OSError as exc:
        raise WeightsError(f"the weights file {p.name} cannot be read: {exc.strerror}") from None
    try:
        return parse_state_dict(data)
    except (UnsafeWeightsError, WeightsError) as exc:
        raise type(exc)(f"{p.name}: {exc}") from None


def parse_state_dict(data: bytes) -> dict[str, np.ndarray]:
    """:func:`read_state_dict` on the bytes of a file."""
    stream = io.BytesIO(data)

    def next_pickle():
        try:
            return SafeUnpickler(stream).load()
        except (UnsafeWeightsError, WeightsError):
            raise
        except Exception as exc:  # truncated, garbled, wrong opcodes …
            raise WeightsError(f"the file is damaged or not a PyTorch weights file "
                               f"({type(exc).__name__})") from None

    if next_pickle() != LEGACY_MAGIC:
        raise WeightsError("this is not a PyTorch weights file of the old format")
    if next_pickle() != PROTOCOL_VERSION:
        raise WeightsError("the weights file has an unknown format version")
    info = next_pickle()
    if not isinstance(info, dict) or not info.get("little_endian", False):
        raise WeightsError("the weights file was written on a big-endian machine")
    state = next_pickle()
    keys = next_pickle()
    if not isinstance(state, dict) or not isinstance(keys, list):
        raise WeightsError("the weights file holds no state dict")
    storages = _read_storages(stream, keys, state)
    tensors = {}
    for name, ref in state.items():
        if not isinstance(ref, _TensorRef) or not isinstance(name, str):
            raise WeightsError(f"the entry {name!r} of the weights file is not a tensor")
        tensors[name] = _materialise(name, ref, storages[ref.storage.key])
    return tensors


def _read_storages(stream: io.BytesIO, keys: list, state: dict) -> dict[str, np.ndarray]:
    wanted = {ref.storage.key: ref.storage for ref in state.values()
              if isinstance(ref, _TensorRef)}
    storages = {}
    for key in keys:
        ref = wanted.get(key)
        if ref is None:
            raise WeightsError("the weights file lists data no tensor uses")
        head = stream.read(8)
        if len(head) != 8:
            raise WeightsError("the weights file is cut short")
        (count,) = struct.unpack("<q", head)
        if count != ref.count:
            raise WeightsError("the weights file's data do not match its tensors")
        raw = stream.read(count * ref.dtype.itemsize)
        if len(raw) != count * ref.dtype.itemsize:
            raise WeightsError("the weights file is cut short")
        storages[key] = np.frombuffer(raw, dtype=ref.dtype)
    missing = set(wanted) - set(storages)
    if missing:
        raise WeightsError("the weights file lacks the data of some tensors")
    if stream.read(1):
        raise WeightsError("the weights file has unexpected bytes at its end")
    return storages


def _materialise(name: str, ref: _TensorRef, storage: np.ndarray) -> np.ndarray:
    last = ref.offset + sum((n - 1) * s for n, s in zip(ref.shape, ref.strides, strict=True))
    if any(n == 0 for n in ref.shape):
        return np.zeros(ref.shape, storage.dtype)
    if last >= storage.size:
        raise WeightsError(f"the tensor {name} reaches past its data")
    item = storage.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage[ref.offset:], shape=ref.shape, strides=tuple(s * item for s in ref.strides),
        writeable=False)
    dtype = np.float32 if storage.dtype.kind == "f" else np.int64
    return np.array(view, dtype=dtype)  # a native-order copy the caller owns
