"""One layer as a pure function: request → result.

Stills and live frames take the same path (DESIGN.md §3): the UI builds an immutable
:class:`Request`, a worker runs :func:`run_layer`, and the GUI drops results whose generation
is older than the newest one it has shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from explorer.core.activations import activation as activation_fn
from explorer.core.convolution import convolve
from explorer.core.pooling import pool


@dataclass(frozen=True)
class LayerSpec:
    """A convolution layer, its activation and an optional pooling, frozen for one request."""

    weights: np.ndarray  # (K, kh, kw, C) float32
    bias: np.ndarray  # (K,) float32
    stride: tuple[int, int] = (1, 1)
    padding: int | str | tuple[int, int] = 0
    pad_mode: str = "zeros"
    dilation: tuple[int, int] = (1, 1)
    flip: bool = False
    activation: str = "relu"
    pool_mode: str = "max"  # "none", "max" or "avg"
    pool_size: int = 2
    pool_stride: int = 2

    @property
    def n_filters(self) -> int:
        return int(self.weights.shape[0])

    @property
    def kernel_shape(self) -> tuple[int, int]:
        return (int(self.weights.shape[1]), int(self.weights.shape[2]))

    @property
    def channels(self) -> int:
        return int(self.weights.shape[3])


@dataclass(frozen=True)
class Request:
    """What to compute: the input picture and the layer, stamped with a generation number."""

    generation: int
    image: np.ndarray  # (H, W) or (H, W, C), already at processing size, channels = spec's
    layer: LayerSpec
    frame_time: float = 0.0  # time.perf_counter() when the picture was captured (live only)


@dataclass(frozen=True)
class LayerResult:
    """Everything the panels show for one request."""

    generation: int
    request: Request
    pre_activation: np.ndarray  # (H', W', K) float32: window ⊙ kernel summed + bias
    feature_maps: np.ndarray  # (H', W', K) float32: activation(pre_activation)
    pooled: np.ndarray | None  # (H'', W'', K) float32, None without pooling
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def total_ms(self) -> float:
        return sum(self.timings_ms.values())


def prepare_input(image: np.ndarray, channels: int) -> np.ndarray:
    """The picture as the layer sees it: (H, W, C) with the filters' channel count C."""
    img = np.asarray(image)
    if img.ndim == 2:
        img = img[:, :, None]
    if img.ndim != 3:
        raise ValueError(f"an image must be 2-D or 3-D, not of shape {img.shape}")
    if img.shape[2] == channels:
        return img  # convolve converts each plane itself; a float32 copy of the frame costs ms
    if channels == 1:
        # ITU-R BT.601 luma, the usual gray conversion of RGB
        luma = img[:, :, :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
        return luma[:, :, None]
    if img.shape[2] == 1 and channels == 3:
        return np.repeat(img.astype(np.float32), 3, axis=2)
    raise ValueError(f"cannot feed a {img.shape[2]}-channel image to {channels}-channel filters")


def run_layer(request: Request) -> LayerResult:
    """Convolution + bias → activation → pooling, timed per stage. Raises ValueError."""
    spec = request.layer
    t0 = time.perf_counter()
    x = prepare_input(request.image, spec.channels)
    t1 = time.perf_counter()
    pre = convolve(
        x, spec.weights, bias=spec.bias, stride=spec.stride, padding=spec.padding,
        pad_mode=spec.pad_mode, dilation=spec.dilation, flip=spec.flip,
    )
    t2 = time.perf_counter()
    maps = activation_fn(spec.activation)(pre)
    t3 = time.perf_counter()
    pooled = None
    if spec.pool_mode != "none":
        pooled = pool(maps, size=spec.pool_size, stride=spec.pool_stride, mode=spec.pool_mode)
    t4 = time.perf_counter()
    timings = {
        "input": (t1 - t0) * 1e3, "convolution": (t2 - t1) * 1e3,
        "activation": (t3 - t2) * 1e3, "pooling": (t4 - t3) * 1e3,
    }
    return LayerResult(request.generation, request, pre, maps, pooled, timings)
