"""Kernels in and out of the explorer: NumPy files, the kernel library's JSON, ONNX models.

A file holds a *filter bank*: K filters of one shape (kh, kw, C), a bias each and a name each,
read as a :class:`KernelBank`. Every filter passes the same checks as a kernel saved in the
library (:class:`explorer.core.kernels.UserKernel`: finite weights, sides 1…15, 1 or 3
channels), so anything read here fits the explorer's layer.

Formats, chosen by the file's suffix:

- ``.npy``: one array, (kh, kw) or (kh, kw, C) for one filter, (K, kh, kw, C) for several;
  the biases are zero.
- ``.npz``: ``weights`` as in ``.npy``, optional ``bias`` (K,) and ``names`` (K,) text; a
  saved digit network (``explorer.core.training``) gives its first layer's kernels.
- ``.json``: the kernel library's format (``{"format": "cnn-explorer-kernels", …}``); all
  kernels in it must share one shape.
- ``.onnx`` (read only): the weights and bias of the first ``Conv`` node of the model, turned
  from ONNX's (K, C, kh, kw) to (K, kh, kw, C); needs the optional ``onnx`` package.

NumPy files are read with ``allow_pickle=False``: a file holding Python objects is refused,
never unpickled.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.core import kernels
from explorer.core.pipeline import LayerSpec, NamedStack
from explorer.core.safe_files import (
    atomic_write,
    check_target,
    read_npy_array,
    read_npz_arrays,
    regular_file_size,
)

MAX_FILTERS = 256
MAX_FILE_BYTES = 64 * 1024 * 1024  # .npy, .npz, .json: a filter bank is kilobytes
MAX_ONNX_BYTES = 512 * 1024 * 1024  # a whole model is read to reach its first Conv
SUFFIXES = (".npy", ".npz", ".json", ".onnx")
WRITABLE = (".npy", ".npz", ".json")


@dataclass(frozen=True, eq=False)
class KernelBank:
    """K filters of one shape: ``weights`` (K, kh, kw, C) float32, ``bias`` (K,), ``names``.

    ``stride``, ``padding`` and ``dilation`` are set when the file says how the filters were
    used (an ONNX Conv node does); None otherwise.
    """

    weights: np.ndarray
    bias: np.ndarray
    names: tuple[str, ...]
    source: str = ""  # what was read, for a status message: "first Conv of alexnet.onnx"
    stride: tuple[int, int] | None = None
    padding: tuple[int, int] | None = None
    dilation: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        w = np.asarray(self.weights)
        if w.ndim != 4:
            raise ValueError(f"a filter bank is (filters, height, width, channels), "
                             f"not of shape {w.shape}")
        k = w.shape[0]
        if not 1 <= k <= MAX_FILTERS:
            raise ValueError(f"a filter bank has 1 to {MAX_FILTERS} filters, not {k}")
        b = np.zeros(k, np.float32) if self.bias is None else np.asarray(self.bias)
        if b.dtype.kind not in "iuf" or b.shape != (k,):
            raise ValueError(f"there are {k} filters but the biases have shape {b.shape}")
        if len(self.names) != k:
            raise ValueError(f"there are {k} filters but {len(self.names)} names")
        checked = [_checked(name, w[i], float(b[i])) for i, name in enumerate(self.names)]
        weights = np.stack([c.weights.reshape((*c.weights.shape[:2], -1)) for c in checked])
        bias = np.array([c.bias for c in checked], np.float32)
        weights.flags.writeable = bias.flags.writeable = False
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "bias", bias)
        object.__setattr__(self, "names", tuple(c.name for c in checked))

    @property
    def count(self) -> int:
        return int(self.weights.shape[0])

    @property
    def channels(self) -> int:
        return int(self.weights.shape[3])

    def with_channels(self, channels: int) -> KernelBank:
        """The bank for a gray (1) or colour (3) input: gray kernels are spread over the three
        channels (each a third, so a gray picture gives the same maps), colour ones summed."""
        if channels == self.channels:
            return self
        if (self.channels, channels) == (1, 3):
            weights = np.repeat(self.weights / 3.0, 3, axis=3)
        elif (self.channels, channels) == (3, 1):
            weights = self.weights.sum(axis=3, keepdims=True)
        else:
            raise ValueError(f"{self.channels}-channel kernels cannot be used on a "
                             f"{channels}-channel input")
        return KernelBank(weights, self.bias, self.names, self.source, self.stride,
                          self.padding, self.dilation)

    def named_stack(self) -> NamedStack:
        """The bank as a one-layer stack for the explorer (its stride and padding if known)."""
        spec = LayerSpec(np.array(self.weights), np.array(self.bias),
                         stride=self.stride or (1, 1), padding=self.padding or 0,
                         dilation=self.dilation or (1, 1))
        return NamedStack((spec,), (self.names,), self.source)


# --- reading ------------------------------------------------------------------------------------

def read_kernels(path: str | os.PathLike) -> KernelBank:
    """The filter bank in a .npy, .npz, .json or .onnx file. Raises ValueError saying why not."""
    p = Path(path)
    name = p.name or str(p)
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"{name}: kernels are read from {', '.join(SUFFIXES)} files, not "
                         f"{suffix or 'a file without a suffix'}")
    # a pipe, a device or a huge file is refused before NumPy or ONNX opens it
    regular_file_size(p, MAX_ONNX_BYTES if suffix == ".onnx" else MAX_FILE_BYTES)
    try:
        if suffix == ".npy":
            return _bank_from_array(read_npy_array(p, MAX_FILE_BYTES), None, None, name)
        if suffix == ".npz":
            return _read_npz(p)
        if suffix == ".json":
            return _read_json(p)
        return read_onnx_kernels(p)
    except ValueError as exc:
        text = str(exc)
        raise ValueError(text if name in text else f"{name}: {text}") from None


def _as_filters(a: np.ndarray) -> np.ndarray:
    """An array of weights as (K, kh, kw, C), or a ValueError naming the shapes that work."""
    if a.dtype.kind not in "iuf":
        raise ValueError(f"the weights must be real numbers, not {a.dtype}")
    if a.ndim == 2:
        return a[None, :, :, None]
    if a.ndim == 3:
        if a.shape[2] not in kernels.CHANNEL_COUNTS:
            raise ValueError(f"a 3-D array is one filter (height, width, channels) with 1 or 3 "
                             f"channels, not of shape {a.shape}; save several filters as "
                             "(filters, height, width, channels)")
        return a[None]
    if a.ndim == 4:
        return a
    raise ValueError(f"the weights must be (height, width), (height, width, channels) or "
                     f"(filters, height, width, channels), not of shape {a.shape}")


def _bank_from_array(weights: np.ndarray, bias: np.ndarray | None, names: object,
                     source: str) -> KernelBank:
    w = _as_filters(np.asarray(weights))
    k = w.shape[0]
    if not 1 <= k <= MAX_FILTERS:
        raise ValueError(f"a filter bank has 1 to {MAX_FILTERS} filters, not {k}")
    if names is None:
        labels = tuple(f"filter {i + 1}" for i in range(k))
    else:
        arr = np.asarray(names)
        if arr.dtype.kind != "U" or arr.shape != (k,):
            raise ValueError(f"the names must be {k} pieces of text, one per filter")
        labels = tuple(str(n) for n in arr)
    return KernelBank(w, bias, labels, source)


def _read_npz(p: Path) -> KernelBank:
    name = p.name
    arrays = read_npz_arrays(p, MAX_FILE_BYTES)
    if "conv1.weights" in arrays:  # a saved digit network: its first layer
        from explorer.core.training.io import load_model

        stack = load_model(p).named_stack(1, f"the first layer of {name}")
        spec = stack.layers[0]
        return KernelBank(spec.weights, spec.bias, stack.filter_names[0], stack.title)
    if "weights" in arrays:
        weights = arrays["weights"]
    elif len(arrays) == 1:
        weights = next(iter(arrays.values()))
    else:
        raise ValueError(f"it has no array called 'weights' (it has "
                         f"{', '.join(sorted(arrays)) or 'none'})")
    bias = arrays.get("bias")
    if bias is not None:
        bias = bias.reshape(-1) if bias.ndim == 0 else bias
    return _bank_from_array(weights, bias, arrays.get("names"), name)


def _read_json(p: Path) -> KernelBank:
    library = kernels.KernelLibrary(p).load()  # the library's own checks and messages
    if not library:
        raise ValueError("it holds no kernels")
    saved = list(library.values())
    shapes = {k.weights.shape for k in saved}
    if len(shapes) > 1:
        listed = ", ".join("×".join(map(str, s)) for s in sorted(shapes))
        raise ValueError(f"its kernels have different shapes ({listed}); the filters of "
                         "one layer share one shape")
    weights = np.stack([k.weights if k.weights.ndim == 3 else k.weights[:, :, None]
                        for k in saved])
    return KernelBank(weights, np.array([k.bias for k in saved], np.float32),
                      tuple(k.name for k in saved), p.name)


def read_onnx_kernels(path: str | os.PathLike) -> KernelBank:
    """The first Conv node's kernels (and bias, stride, padding, dilation) of an ONNX model."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise ValueError("reading ONNX models needs the onnx package "
                         "(pip install onnx)") from None
    p = Path(path)
    try:
        model = onnx.load(str(p), load_external_data=False)
    except Exception as exc:  # protobuf raises its own DecodeError for a file of other bytes
        raise ValueError(f"it is not an ONNX model ({type(exc).__name__})") from None
    graph = model.graph
    conv = next((node for node in graph.node if node.op_type == "Conv"), None)
    if conv is None:
        raise ValueError("the model has no Conv layer")
    where = f"the first Conv ({conv.name or 'unnamed'})"
    constants = {t.name: t for t in graph.initializer}
    for node in graph.node:  # weights may also come from Constant nodes
        if node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value":
                    constants[node.output[0]] = attr.t

    def tensor(input_name: str, what: str) -> np.ndarray:
        if input_name not in constants:
            raise ValueError(f"{where} takes its {what} from the network's input, not from "
                             "weights stored in the file")
        t = constants[input_name]
        if t.data_location == onnx.TensorProto.EXTERNAL:
            raise ValueError(f"{where} keeps its {what} in a separate data file, which is "
                             "not read")
        try:
            return numpy_helper.to_array(t)
        except Exception as exc:  # an unsupported or inconsistent tensor
            raise ValueError(f"{where}'s {what} cannot be read ({exc})") from None

    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in conv.attribute}
    if len(conv.input) < 2:
        raise ValueError(f"{where} has no weights")
    w = tensor(conv.input[1], "weights")
    if w.dtype.kind not in "iuf":
        raise ValueError(f"{where}'s weights are {w.dtype.name} values, not numbers")
    if w.ndim < 3:
        raise ValueError(f"{where}'s weights have the shape {w.shape}; a convolution's have "
                         "(filters, channels, height, width)")
    if w.ndim != 4:
        kind = {3: "1-D", 5: "3-D"}.get(w.ndim, f"{w.ndim - 2}-D")
        raise ValueError(f"{where} is a {kind} convolution (weights of shape {w.shape}); "
                         "the explorer shows 2-D kernels")
    if int(attrs.get("group", 1)) != 1:
        raise ValueError(f"{where} is a grouped convolution ({attrs['group']} groups): each "
                         "filter sees only part of the channels, which the explorer cannot "
                         "show")
    bias = tensor(conv.input[2], "bias") if len(conv.input) > 2 and conv.input[2] else None
    bank = _bank_from_array(np.transpose(w, (0, 2, 3, 1)), bias, None,
                            f"the first Conv of {p.name}")
    pads = attrs.get("pads")
    padding = None
    if pads is not None and len(pads) == 4:
        # ONNX gives (top, left, bottom, right); the explorer pads both sides alike
        padding = (int(pads[0]), int(pads[1])) if (pads[0], pads[1]) == (pads[2], pads[3]) \
            else None
    return KernelBank(bank.weights, bank.bias, bank.names, bank.source,
                      _pair_attr(attrs.get("strides")), padding,
                      _pair_attr(attrs.get("dilations")))


def _pair_attr(values: object) -> tuple[int, int] | None:
    if values is None or len(values) != 2:
        return None
    return int(values[0]), int(values[1])


# --- writing ------------------------------------------------------------------------------------

def write_kernels(path: str | os.PathLike, bank: KernelBank) -> Path:
    """Write ``bank`` as .npy (weights only), .npz or .json, chosen by the suffix.

    The file is written whole or not at all (a temporary file renamed into place).
    Raises ValueError saying why it could not be written.
    """
    p = check_target(path, WRITABLE, what="a filter bank")  # a WriteFailed is a ValueError
    suffix = p.suffix.lower()

    def write(fh) -> None:
        if suffix == ".npy":
            np.save(fh, np.asarray(bank.weights), allow_pickle=False)
        elif suffix == ".npz":
            np.savez(fh, weights=np.asarray(bank.weights), bias=np.asarray(bank.bias),
                     names=np.array(bank.names, dtype=str))
        else:
            fh.write(_library_json(bank).encode("utf-8"))

    return atomic_write(p, write)  # a WriteFailed (a ValueError) says the cause


def _checked(name: str, volume: np.ndarray, bias: float) -> kernels.UserKernel | _Deep:
    """One filter, checked as the library checks a saved kernel. A deeper layer's filter
    (more input maps than a picture's 1 or 3 channels) is checked slice by slice."""
    volume = np.asarray(volume)
    if volume.ndim == 3 and volume.shape[2] not in (1, 3):
        slices = [kernels.UserKernel(name, volume[:, :, c], bias)
                  for c in range(volume.shape[2])]
        return _Deep(slices[0].name, volume.astype(np.float32), slices[0].bias)
    return kernels.UserKernel(name, volume, bias)


@dataclass(frozen=True, eq=False)
class _Deep:
    """A checked filter of a deeper layer (the library itself keeps only 1 or 3 channels)."""

    name: str
    weights: np.ndarray
    bias: float


def _library_json(bank: KernelBank) -> str:
    """The bank in the kernel library's format; repeated names get a number."""
    if bank.channels not in (1, 3):
        raise ValueError(f"the kernel library's .json keeps gray or colour kernels, not "
                         f"{bank.channels}-deep ones: save a deeper layer's kernels as .npz")
    entries, used = [], set()
    for i, name in enumerate(bank.names):
        unique, n = name, 1
        while unique in used:
            n += 1
            unique = f"{name} ({n})"
        used.add(unique)
        w = bank.weights[i]
        w = w[:, :, 0] if w.shape[2] == 1 else w  # gray kernels as the library keeps them
        entries.append({"name": unique, "description": "", "bias": float(bank.bias[i]),
                        "weights": w.astype(float).tolist()})
    doc = {"format": kernels.LIBRARY_FORMAT, "version": kernels.LIBRARY_VERSION,
           "kernels": entries}
    return json.dumps(doc, indent=1, allow_nan=False) + "\n"
