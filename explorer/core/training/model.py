"""The digit network: conv → ReLU → 2×2 max pool (once per conv layer) → dense → softmax.

A :class:`DigitModel` is a frozen snapshot of the weights. It classifies batches with the
im2col layers of :mod:`explorer.core.training.layers` (fast, what training uses), and shows a
single digit's feature maps with the explorer's own engine (:func:`run_stack`), so what a
student sees in the explorer is exactly what the network computes.

Training feeds pixels scaled to 0…1. The explorer feeds raw pixel values 0…255, so the stack
handed to it has every bias multiplied by 255: ReLU and max pooling commute with a positive
scale, hence each stage then computes 255 × the network's maps, with the learned kernels
unchanged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from explorer.core import params as counts
from explorer.core import shapes
from explorer.core.kernels import MAX_KERNEL_SIDE
from explorer.core.pipeline import LayerSpec, NamedStack, StageResult, run_stack
from explorer.core.top_patches import TopPatches
from explorer.core.training import layers, units
from explorer.core.training.data import CLASSES, SIDE
from explorer.core.training.shuffle import check_order, shuffle_pixels

INPUT_SCALE = 255.0  # pixel value of full ink; the network sees pixels / INPUT_SCALE
MAX_CONV_LAYERS = 4
MAX_FILTERS = 128
PREDICT_CHUNK = 256  # images per matrix product: bounds the im2col buffer (~15 MB)

_CONV_KEY = re.compile(r"conv(\d+)\.(weights|bias)")


@dataclass(frozen=True)
class ArchitectureRow:
    """One line of the architecture summary: a layer, what it outputs, what it costs."""

    name: str
    output: tuple[int, ...]  # (H, W, K) for maps, (classes,) for the dense layer
    params: int
    macs: int  # multiply-accumulates per image


def _pooled(n: int) -> int:
    return shapes.output_size(n, 2, stride=2)


def architecture(filters: tuple[int, ...] = (8, 16), kernel_size: int = 5,
                 side: int = SIDE) -> list[ArchitectureRow]:
    """Sizes, parameters and MACs of every layer for a (side, side) gray input.

    Raises ValueError when the maps shrink to nothing before the dense layer.
    """
    rows: list[ArchitectureRow] = []
    h = w = side
    channels = 1
    for i, k in enumerate(filters, start=1):
        if kernel_size > min(h, w):
            raise ValueError(f"conv {i}'s {kernel_size}×{kernel_size} kernels are too large "
                             f"for its {h}×{w} input: the maps became too small")
        h = shapes.output_size(h, kernel_size)
        w = shapes.output_size(w, kernel_size)
        rows.append(ArchitectureRow(
            f"conv{i} {k}@{kernel_size}×{kernel_size}", (h, w, k),
            counts.conv_params(kernel_size, channels, k),
            counts.conv_macs((h + kernel_size - 1, w + kernel_size - 1, channels), kernel_size, k)))
        rows.append(ArchitectureRow("ReLU", (h, w, k), 0, 0))
        if h < 2 or w < 2:
            raise ValueError(f"after conv {i} the maps are {h}×{w}: too small for 2×2 pooling")
        h, w = _pooled(h), _pooled(w)
        rows.append(ArchitectureRow("pool 2×2", (h, w, k), 0, 0))
        channels = k
    rows.append(ArchitectureRow(f"dense {CLASSES}", (CLASSES,),
                                counts.dense_params((h, w, channels), CLASSES),
                                counts.dense_macs((h, w, channels), CLASSES)))
    return rows


def init_params(rng: np.random.Generator, filters: tuple[int, ...] = (8, 16),
                kernel_size: int = 5, first_scale: float = 0.1) -> dict[str, np.ndarray]:
    """He-initialised float32 weights, zero biases; the first layer's weights × ``first_scale``.

    He initialisation (std √(2 / fan_in)) keeps ReLU signals from fading layer after layer.
    The first layer starts much smaller: its kernels then grow only where the data pushes
    them, into smooth stroke and edge detectors instead of staying noisy.
    """
    rows = architecture(filters, kernel_size)  # checks the maps still fit
    p: dict[str, np.ndarray] = {}
    channels = 1
    for i, k in enumerate(filters, start=1):
        fan_in = kernel_size * kernel_size * channels
        std = math.sqrt(2.0 / fan_in) * (first_scale if i == 1 else 1.0)
        p[f"conv{i}.weights"] = rng.normal(0, std, (k, kernel_size, kernel_size, channels)
                                           ).astype(np.float32)
        p[f"conv{i}.bias"] = np.zeros(k, np.float32)
        channels = k
    features = math.prod(rows[-2].output)
    p["dense.weights"] = rng.normal(0, math.sqrt(2.0 / features), (features, CLASSES)
                                    ).astype(np.float32)
    p["dense.bias"] = np.zeros(CLASSES, np.float32)
    return p


def read_weights(params: Mapping[str, object], keys: Sequence[str]) -> dict[str, np.ndarray]:
    """``params[key]`` for every key as a read-only float32 array, or a ValueError naming
    the array that is missing, not of real numbers, or not finite."""
    out: dict[str, np.ndarray] = {}
    for key in keys:
        if key not in params:
            raise ValueError(f"the weights {key!r} are missing")
        a = np.asarray(params[key])
        if a.dtype.kind not in "iuf":
            raise ValueError(f"{key} must hold real numbers, not {a.dtype}")
        a = np.array(a, np.float32)
        if not np.isfinite(a).all():
            raise ValueError(f"{key} contains NaN or infinite numbers")
        a.flags.writeable = False
        out[key] = a
    return out


def check_params(params: Mapping[str, object]) -> dict[str, np.ndarray]:
    """The weights as read-only float32 arrays, or a ValueError saying what does not fit."""
    conv_numbers = set()
    for key in params:
        m = _CONV_KEY.fullmatch(key)
        if m:
            conv_numbers.add(int(m.group(1)))
        elif key not in ("dense.weights", "dense.bias"):
            raise ValueError(f"unknown weights {key!r}: a digit network has conv1, conv2 … "
                             "and dense weights and biases")
    n = len(conv_numbers)
    if not 1 <= n <= MAX_CONV_LAYERS or conv_numbers != set(range(1, n + 1)):
        raise ValueError(f"a digit network has 1 to {MAX_CONV_LAYERS} conv layers numbered "
                         f"from 1, not {sorted(conv_numbers) or 'none'}")
    out = read_weights(params, (*(f"conv{i}.{part}" for i in range(1, n + 1)
                                  for part in ("weights", "bias")),
                                "dense.weights", "dense.bias"))
    h = w = SIDE
    channels = 1
    for i in range(1, n + 1):
        wts, bias = out[f"conv{i}.weights"], out[f"conv{i}.bias"]
        if wts.ndim != 4:
            raise ValueError(f"conv{i}'s weights must be (filters, height, width, channels), "
                             f"not of shape {wts.shape}")
        k, kh, kw, c = wts.shape
        if not (1 <= k <= MAX_FILTERS and 1 <= kh <= MAX_KERNEL_SIDE
                and 1 <= kw <= MAX_KERNEL_SIDE):
            raise ValueError(f"conv{i} has {k} filters of {kh}×{kw}: a digit network has 1 to "
                             f"{MAX_FILTERS} filters of at most {MAX_KERNEL_SIDE}×"
                             f"{MAX_KERNEL_SIDE}")
        if c != channels:
            raise ValueError(f"conv{i}'s kernels are {c} channels deep but its input has "
                             f"{channels}")
        if bias.shape != (k,):
            raise ValueError(f"conv{i} has {k} filters but its bias has shape {bias.shape}")
        h, w = h - kh + 1, w - kw + 1
        if h < 2 or w < 2:
            raise ValueError(f"conv{i}'s {kh}×{kw} kernels leave maps too small to pool")
        h, w, channels = h // 2, w // 2, k
    features = h * w * channels
    if out["dense.weights"].shape != (features, CLASSES):
        raise ValueError(f"the dense weights must be ({features}, {CLASSES}) for these conv "
                         f"layers, not {out['dense.weights'].shape}")
    if out["dense.bias"].shape != (CLASSES,):
        raise ValueError(f"the dense bias must have {CLASSES} values, not shape "
                         f"{out['dense.bias'].shape}")
    return out


def as_pictures(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) or one (28, 28) picture → (N, 28, 28), or a ValueError for other shapes."""
    x = np.asarray(images)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3 or x.shape[1:] != (SIDE, SIDE):
        raise ValueError(f"the network reads {SIDE}×{SIDE} digit pictures, not shape {x.shape}")
    return x


def as_input(images: np.ndarray, pixel_order: np.ndarray | None = None) -> np.ndarray:
    """(N, 28, 28) pixels 0…255 → (N, 28, 28) float32 0…1, the network's input; with a
    ``pixel_order``, shuffled by it (see :mod:`.shuffle`)."""
    x = as_pictures(images)
    if pixel_order is not None:
        x = shuffle_pixels(x, pixel_order)
    return x.astype(np.float32) * np.float32(1.0 / INPUT_SCALE)


def forward(params: Mapping[str, np.ndarray], x: np.ndarray, keep: bool = False
            ) -> tuple[np.ndarray, list]:
    """Logits (N, 10) of an (N, 28, 28) float batch, and the caches backward needs.

    Inside, maps are (C, N, H, W) (see :mod:`.layers`); the dense layer reads each digit's
    last maps in (H, W, K) order, as :func:`run_stack`'s (H, W, K) output flattens.
    """
    caches: list = []
    x = x[None]  # one input channel
    i = 1
    while f"conv{i}.weights" in params:
        x, c_conv = layers.conv_forward(x, params[f"conv{i}.weights"], params[f"conv{i}.bias"])
        x, c_relu = layers.relu_forward(x)
        x, c_pool = layers.maxpool_forward(x)
        if keep:
            caches.append((c_conv, c_relu, c_pool))
        i += 1
    flat = x.transpose(1, 2, 3, 0).reshape(x.shape[1], -1)
    logits, c_dense = layers.dense_forward(flat, params["dense.weights"], params["dense.bias"])
    if keep:
        caches.append((c_dense, x.shape))
    return logits, caches


def backward(caches: list, dlogits: np.ndarray) -> dict[str, np.ndarray]:
    """The gradient of every weight from the gradient of the logits."""
    c_dense, (k, n, h, w) = caches[-1]
    dflat, dw, db = layers.dense_backward(dlogits, c_dense)
    grads = {"dense.weights": dw, "dense.bias": db}
    dx = np.ascontiguousarray(dflat.reshape(n, h, w, k).transpose(3, 0, 1, 2))
    for i in range(len(caches) - 1, 0, -1):
        c_conv, c_relu, c_pool = caches[i - 1]
        dx = layers.relu_backward(layers.maxpool_backward(dx, c_pool), c_relu)
        dx, grads[f"conv{i}.weights"], grads[f"conv{i}.bias"] = layers.conv_backward(
            dx, c_conv, input_grad=i > 1)
    return grads


class DigitNetwork:
    """What the digit CNN and the perceptron share: frozen, checked weights (read-only
    copies), an optional ``pixel_order`` (see :mod:`.shuffle`: trained on shuffled pixels, it
    shuffles every picture it is given the same way) and predictions in chunks. A subclass
    gives its ``kind``, its ``architecture()`` and its batch ``_forward``."""

    kind = ""

    def __init__(self, params: dict[str, np.ndarray], pixel_order: np.ndarray | None) -> None:
        self._params = params
        self.pixel_order = None if pixel_order is None else check_order(pixel_order)

    def __reduce__(self) -> tuple:
        # unpickled (from a training process) through __init__: checked and read-only again
        return (type(self), (self._params, self.pixel_order))

    @staticmethod
    def _forward(params: Mapping[str, np.ndarray], x: np.ndarray) -> tuple:
        raise NotImplementedError

    def architecture(self) -> list[ArchitectureRow]:
        raise NotImplementedError

    @property
    def shuffled(self) -> bool:
        """Whether it was trained on shuffled pixels."""
        return self.pixel_order is not None

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Every weight array by name (read-only)."""
        return dict(self._params)

    def parameter_count(self) -> int:
        return sum(row.params for row in self.architecture())

    def network_input(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) pixels 0…255 → the network's input: 0…1, shuffled if it was trained so."""
        return as_input(images, self.pixel_order)

    def seen(self, images: np.ndarray) -> np.ndarray:
        """The pictures (pixels 0…255) as the network sees them: shuffled if it was trained
        so, else themselves."""
        x = np.asarray(images)
        return x if self.pixel_order is None else shuffle_pixels(x, self.pixel_order)

    def logits(self, images: np.ndarray) -> np.ndarray:
        """(N, 10) scores for (N, 28, 28) pictures with pixels 0…255 (white ink on black)."""
        x = self.network_input(images)
        parts = [self._forward(self._params, x[s:s + PREDICT_CHUNK])[0]
                 for s in range(0, len(x), PREDICT_CHUNK)]
        return np.concatenate(parts) if parts else np.zeros((0, CLASSES), np.float32)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 10) softmax probabilities."""
        return layers.softmax(self.logits(images))

    def predict(self, images: np.ndarray) -> np.ndarray:
        """(N,) the digit each picture most likely shows."""
        return self.logits(images).argmax(axis=1)


class DigitModel(DigitNetwork):
    """A trained (or training) digit CNN; see :class:`DigitNetwork`."""

    kind = "cnn"
    _forward = staticmethod(forward)

    def __init__(self, params: Mapping[str, object], pixel_order: np.ndarray | None = None
                 ) -> None:
        super().__init__(check_params(params), pixel_order)
        self.conv_layers = sum(1 for key in self._params if key.endswith(".weights")) - 1

    def conv_weights(self, i: int) -> np.ndarray:
        """Conv layer ``i``'s kernels (0 is the first layer), (K, kh, kw, C) float32."""
        if not 0 <= i < self.conv_layers:
            raise ValueError(f"the network has conv layers 0 to {self.conv_layers - 1}, not {i}")
        return self._params[f"conv{i + 1}.weights"]

    def conv_bias(self, i: int) -> np.ndarray:
        self.conv_weights(i)  # checks i
        return self._params[f"conv{i + 1}.bias"]

    def architecture(self) -> list[ArchitectureRow]:
        filters = tuple(self.conv_weights(i).shape[0] for i in range(self.conv_layers))
        return architecture(filters, self.conv_weights(0).shape[1])

    def top_patches(self, layer: int, channel: int, images: np.ndarray, k: int = 9
                    ) -> TopPatches:
        """The ``k`` digits whose strongest unit of conv ``layer``'s ``channel`` (after the
        ReLU; ``layer`` 0 is the first, as in :meth:`conv_weights`) is largest, best first:
        their indices in ``images`` (N, 28, 28, pixels 0…255), each unit's value and (row,
        column), and the receptive field's crop of each digit around it (of the digit as the
        network sees it: see :meth:`seen`). ValueError for a layer or channel the network
        lacks, or no digits."""
        pictures = as_pictures(images)
        return units.top_patches(self._params, self.network_input(pictures),
                                 self.seen(pictures), layer, channel, k)

    # --- one digit through the explorer's engine ---------------------------------------------
    def stack(self) -> tuple[LayerSpec, ...]:
        """The conv part as explorer layers (valid padding, ReLU, 2×2 max pool), for pixels
        0…255: the biases are scaled by 255 (see the module docstring)."""
        return tuple(
            LayerSpec(np.array(self.conv_weights(i)),
                      np.array(self.conv_bias(i) * np.float32(INPUT_SCALE)),
                      padding=0, activation="relu", pool_mode="max", pool_size=2, pool_stride=2)
            for i in range(self.conv_layers))

    def named_stack(self, layers_wanted: int | None = None,
                    title: str = "the kernels learned on MNIST") -> NamedStack:
        """The first ``layers_wanted`` conv layers (all by default) with a name per filter."""
        spec = self.stack()[:layers_wanted]
        names = tuple(tuple(f"learned {i + 1}.{k + 1}" for k in range(s.n_filters))
                      for i, s in enumerate(spec))
        return NamedStack(spec, names, title)

    def stages(self, image: np.ndarray) -> tuple[list[StageResult], np.ndarray]:
        """One (28, 28) picture through :func:`run_stack`: every stage's maps, and the ten
        probabilities the dense layer gives the last stage's output. The stages start from
        the picture as the network sees it (:meth:`seen`)."""
        picture = np.asarray(image)
        if picture.shape != (SIDE, SIDE):
            raise ValueError(f"the network reads {SIDE}×{SIDE} digit pictures, "
                             f"not shape {picture.shape}")
        results = run_stack(self.seen(picture), self.stack())
        features = results[-1].output.reshape(1, -1) * np.float32(1.0 / INPUT_SCALE)
        logits = features @ self._params["dense.weights"] + self._params["dense.bias"]
        return results, layers.softmax(logits)[0]
