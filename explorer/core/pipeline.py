"""A stack of layers as a pure function: a picture in, every stage's maps out.

:func:`run_stack` runs conv → activation → pooling stages one after the other (stage n + 1
sees stage n's output) with the engine of :mod:`explorer.core.convolution`. The request path
around it (caches, the render step) is :mod:`explorer.core.computer`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from explorer.core.activations import activation as activation_fn
from explorer.core.cancel import Cancelled, CancelToken, check
from explorer.core.convolution import convolve, empty_feature_maps, output_shape
from explorer.core.images import resize_to_fit, to_gray
from explorer.core.pooling import pool
from explorer.core.shapes import output_size


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


@dataclass(frozen=True, eq=False)
class StageResult:
    """One stage of a stack: what it saw, its feature maps and its pooled maps."""

    index: int
    spec: LayerSpec
    input: np.ndarray  # (H, W, C) the stage's input: the picture, or the previous stage's output
    pre_activation: np.ndarray  # (H', W', K) float32: window ⊙ kernel summed + bias
    feature_maps: np.ndarray  # (H', W', K) float32: activation(pre_activation)
    pooled: np.ndarray | None  # (H'', W'', K) float32, None without pooling
    borrowed: tuple[np.ndarray, ...] = ()  # arrays on loan from a BufferPool (live frames)

    @property
    def output(self) -> np.ndarray:
        """What the next stage sees: the pooled maps, or the feature maps without pooling."""
        return self.feature_maps if self.pooled is None else self.pooled


@dataclass(frozen=True)
class NamedStack:
    """A stack of layers with a name for every filter: what a tab hands to the explorer."""

    layers: tuple[LayerSpec, ...]
    filter_names: tuple[tuple[str, ...], ...]  # one name per filter of each layer
    title: str = ""  # where it came from, e.g. "learned on MNIST"


class BufferPool:
    """Reusable map buffers for the live loop.

    Fresh 30 MB arrays every frame cost page faults (~10 ms a 720p frame; see
    docs/architecture.md, "Speed").
    A result borrows its buffers; whoever holds the result returns them once nothing shows
    it any more (the window does when a newer result replaces it on screen).
    """

    def __init__(self, keep: int = 4) -> None:
        self._free: dict[tuple[int, int, int], list[np.ndarray]] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def take(self, height: int, width: int, count: int) -> np.ndarray:
        with self._lock:
            free = self._free.get((height, width, count))
            if free:
                return free.pop()
        return empty_feature_maps(height, width, count)

    def release(self, buffers: tuple[np.ndarray, ...]) -> None:
        with self._lock:
            for b in buffers:
                free = self._free.setdefault(b.shape, [])
                if len(free) < self._keep:
                    free.append(b)


def fit_input(image: np.ndarray, max_side: int | None, grayscale: bool) -> np.ndarray:
    """The source picture at processing size (never enlarged), as gray luma if asked."""
    picture = image if max_side is None else resize_to_fit(image, max_side)
    if grayscale and picture.ndim == 3:
        picture = to_gray(picture)
    return picture


def prepare_input(image: np.ndarray, channels: int) -> np.ndarray:
    """The picture as the layer sees it: (H, W, C) with the filters' channel count C."""
    img = np.asarray(image)
    if img.ndim == 2:
        img = img[:, :, None]
    if img.ndim != 3:
        raise ValueError(f"an image must be 2-D or 3-D, not of shape {img.shape}")
    if img.dtype.kind == "f" and img.dtype != np.float32:
        big = float(np.abs(img).max(initial=0.0)) if img.size else 0.0
        if not np.isfinite(big) or big > np.finfo(np.float32).max:
            raise ValueError("the picture holds values beyond what 32-bit numbers can hold")
        img = img.astype(np.float32)
    if img.shape[2] == channels:
        return img  # convolve converts each plane itself; a float32 copy of the frame costs ms
    if channels == 1:  # float luma: no rounding to 8 bits on the way
        return to_gray(img[:, :, :3].astype(np.float32))[:, :, None]
    if img.shape[2] == 1 and channels == 3:
        return np.repeat(img.astype(np.float32), 3, axis=2)
    raise ValueError(f"cannot feed a {img.shape[2]}-channel image to {channels}-channel filters")


def run_stage(x: np.ndarray, spec: LayerSpec, index: int = 0,
              buffers: BufferPool | None = None, cancel: CancelToken | None = None
              ) -> StageResult:
    """One conv → activation → pooling stage on an (H, W, C) input. Raises ValueError.

    With ``buffers`` the maps are written into borrowed arrays (listed in ``borrowed``) and
    the activation is applied in place, so ``pre_activation`` is then ``feature_maps``.
    """
    if x.ndim == 2:
        x = x[:, :, None]
    if x.shape[2] != spec.channels:
        raise ValueError(f"its kernels are {spec.channels} deep but its input has "
                         f"{x.shape[2]} maps")
    conv_args = dict(bias=spec.bias, stride=spec.stride, padding=spec.padding,
                     pad_mode=spec.pad_mode, dilation=spec.dilation, flip=spec.flip,
                     cancel=cancel)
    borrowed: list[np.ndarray] = []
    act = activation_fn(spec.activation)
    if buffers is None:
        pre = convolve(x, spec.weights, **conv_args)
        maps = act(pre)
        pooled = None
        if spec.pool_mode != "none":
            pooled = pool(maps, size=spec.pool_size, stride=spec.pool_stride,
                          mode=spec.pool_mode)
        return StageResult(index, spec, x, pre, maps, pooled)
    # a live frame: borrowed buffers, and each map activated and pooled in place right after
    # the engine made it, while it is still in that core's cache
    h, w, k = output_shape(x.shape, spec.weights.shape, stride=spec.stride,
                           padding=spec.padding, dilation=spec.dilation)
    pre = buffers.take(h, w, k)
    borrowed.append(pre)
    pooled = None
    if spec.pool_mode != "none" and min(h, w) >= spec.pool_size:  # else pool() says why
        ph, pw = output_size(h, spec.pool_size, spec.pool_stride), \
            output_size(w, spec.pool_size, spec.pool_stride)
        pooled = buffers.take(ph, pw, k)
        borrowed.append(pooled)

    def finish(i: int) -> None:
        plane = pre[:, :, i:i + 1]
        act(plane, out=plane)
        if pooled is not None:
            pool(plane, size=spec.pool_size, stride=spec.pool_stride, mode=spec.pool_mode,
                 out=pooled[:, :, i:i + 1])

    try:
        convolve(x, spec.weights, out=pre, finish=finish, **conv_args)
        if spec.pool_mode != "none" and pooled is None:
            pool(pre, size=spec.pool_size, stride=spec.pool_stride, mode=spec.pool_mode)
    except BaseException:
        buffers.release(tuple(borrowed))
        raise
    return StageResult(index, spec, x, pre, pre, pooled, tuple(borrowed))


def run_stack(image: np.ndarray, layers: Sequence[LayerSpec],
              buffers: BufferPool | None = None, cancel: CancelToken | None = None
              ) -> list[StageResult]:
    """Every stage of a stack on a picture: stage n + 1 sees stage n's output.

    ``image`` is (H, W) or (H, W, C); a gray picture is spread over the first layer's three
    channels and a colour one turned to luma for a one-channel first layer
    (:func:`prepare_input`). Raises ValueError with a sentence naming the stage that does not
    fit.
    """
    if not layers:
        raise ValueError("the stack has no layers")
    x = prepare_input(image, layers[0].channels)
    stages: list[StageResult] = []
    for i, spec in enumerate(layers):
        try:
            check(cancel)
            stage = run_stage(x, spec, i, buffers, cancel)
        except (ValueError, Cancelled) as exc:
            if buffers is not None:
                for done in stages:
                    buffers.release(done.borrowed)
            if isinstance(exc, Cancelled) or len(layers) == 1:
                raise
            raise ValueError(f"layer {i + 1}: {exc}") from None
        stages.append(stage)
        x = stage.output
    return stages
