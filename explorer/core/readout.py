"""What lies behind one feature-map or pooled pixel, number by number.

Hovering a pixel in the explorer shows the dot product that made it: the input window the
kernel was laid on (padding filled in as the layer fills it), the kernel as applied, their
element-wise products, the sum, the bias and the activation. These functions recompute that one
pixel from the layer's input and settings, independently of the fast engine, so the readout
doubles as a check on it (the tests compare both).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core import shapes
from explorer.core.activations import activation as activation_fn
from explorer.core.pipeline import LayerSpec, StageResult, prepare_input

__all__ = [
    "PixelExplanation",
    "PooledExplanation",
    "explain_pixel",
    "explain_pooled",
    "layer_padding",
    "source_indices",
]


# eq=False: generated comparisons would compare arrays, which NumPy refuses
@dataclass(frozen=True, eq=False)
class PixelExplanation:
    """Feature map ``k`` at output ``(row, col)``: window ⊙ kernel summed + bias, activated."""

    k: int
    row: int
    col: int
    window: np.ndarray  # (kh, kw, C) float32: the input values multiplied, padding filled in
    kernel: np.ndarray  # (kh, kw, C) float32: the weights as applied (flipped for convolution)
    products: np.ndarray  # (kh, kw, C) float32: window ⊙ kernel
    channel_sums: np.ndarray  # (C,) float32: the products summed per input channel
    total: float  # Σ of all products
    bias: float
    pre_activation: float  # total + bias
    activation: str
    value: float  # activation(pre_activation): the feature-map pixel
    rows: np.ndarray  # (kh,) int: input row of each tap; outside [0, H) means padding
    cols: np.ndarray  # (kw,) int: input column of each tap
    in_padding: np.ndarray  # (kh, kw) bool: the tap falls on the padding, not the picture
    input_shape: tuple[int, int]  # (H, W) of the input picture
    pad: tuple[int, int, int, int]  # (top, bottom, left, right) padding of the layer

    @property
    def touches_padding(self) -> bool:
        return bool(self.in_padding.any())

    @property
    def extent(self) -> tuple[int, int, int, int]:
        """The window's input rows and columns as half-open ranges: (r0, r1, c0, c1)."""
        return (int(self.rows[0]), int(self.rows[-1]) + 1, int(self.cols[0]),
                int(self.cols[-1]) + 1)


@dataclass(frozen=True, eq=False)
class PooledExplanation:
    """Pooled map ``k`` at ``(row, col)``: its window on the feature map and how it reduced."""

    k: int
    row: int
    col: int
    mode: str  # "max" or "avg"
    rows: np.ndarray  # (size,) int: feature-map rows of the window
    cols: np.ndarray  # (size,) int: feature-map columns of the window
    values: np.ndarray  # (size, size) float32: the feature-map values in the window
    winner: tuple[int, int] | None  # (row, col) on the feature map of the max; None for avg
    mean: float | None  # the window's mean for avg pooling; None for max
    value: float  # the pooled pixel

    @property
    def extent(self) -> tuple[int, int, int, int]:
        """The window's feature-map rows and columns as half-open ranges: (r0, r1, c0, c1)."""
        return (int(self.rows[0]), int(self.rows[-1]) + 1, int(self.cols[0]),
                int(self.cols[-1]) + 1)


def source_indices(taps: np.ndarray, n: int, pad_mode: str) -> np.ndarray:
    """Where each (possibly out-of-picture) tap reads from, for a picture ``n`` pixels long.

    Inside the picture a tap reads itself. Outside, "replicate" repeats the edge pixel,
    "circular" wraps round to the other side and "reflect" mirrors the picture without
    repeating the edge (``dcb|abcd|cba``). "zeros" reads nothing: those taps are clipped here
    and the caller puts zeros there.
    """
    taps = np.asarray(taps, np.int64)
    if pad_mode in ("zeros", "replicate"):
        return np.clip(taps, 0, n - 1)
    if pad_mode == "circular":
        return np.mod(taps, n)
    if pad_mode == "reflect":
        if n == 1:
            return np.zeros_like(taps)
        period = 2 * (n - 1)
        m = np.mod(taps, period)
        return np.where(m < n, m, period - m)
    raise ValueError(f"unknown padding mode {pad_mode!r}: use zeros, reflect, replicate "
                     "or circular")


def _axis_padding(padding: int | str | tuple[int, int], axis: int) -> int | str:
    if isinstance(padding, tuple | list):
        return int(padding[axis])
    return padding


def _unpack(source: StageResult | tuple[np.ndarray, LayerSpec]) -> tuple[np.ndarray, LayerSpec]:
    if isinstance(source, StageResult):
        return source.input, source.spec
    image, spec = source
    return np.asarray(image), spec


def layer_padding(spec: LayerSpec, input_shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right): the pixels the layer adds round an input of this shape."""
    h, w = input_shape
    kh, kw = spec.kernel_shape
    top, bottom = shapes.pad_amounts(h, kh, spec.stride[0], _axis_padding(spec.padding, 0),
                                     spec.dilation[0])
    left, right = shapes.pad_amounts(w, kw, spec.stride[1], _axis_padding(spec.padding, 1),
                                     spec.dilation[1])
    return int(top), int(bottom), int(left), int(right)


def explain_pixel(
    source: StageResult | tuple[np.ndarray, LayerSpec], k: int, row: int, col: int
) -> PixelExplanation:
    """The dot product behind feature map ``k`` at output ``(row, col)``.

    ``source`` is a stage of a stack result or an ``(input, spec)`` pair; the input is what
    the layer got: the picture at processing size, or the previous stage's maps. Raises
    ValueError for a pixel outside the map.
    """
    image, spec = _unpack(source)
    h, w = image.shape[:2]
    kh, kw = spec.kernel_shape
    sy, sx = spec.stride
    dy, dx = spec.dilation
    top, bottom, left, right = layer_padding(spec, (h, w))
    out_h = shapes.output_size(h, kh, sy, _axis_padding(spec.padding, 0), dy)
    out_w = shapes.output_size(w, kw, sx, _axis_padding(spec.padding, 1), dx)
    if not 0 <= k < spec.n_filters:
        raise ValueError(f"there is no filter {k}: the layer has {spec.n_filters}")
    if not (0 <= row < out_h and 0 <= col < out_w):
        raise ValueError(f"({row}, {col}) lies outside the {out_h}×{out_w} feature map")

    # tap t of output pixel o reads input o·stride − pad_before + t·dilation
    rows = np.array(shapes.input_window(row, kh, sy, top, dy), np.int64)
    cols = np.array(shapes.input_window(col, kw, sx, left, dx), np.int64)
    outside_r = (rows < 0) | (rows >= h)
    outside_c = (cols < 0) | (cols >= w)
    in_padding = outside_r[:, None] | outside_c[None, :]

    # Gather the raw window first and convert only it: cheap enough to redo on every frame.
    raw = image[np.ix_(source_indices(rows, h, spec.pad_mode),
                       source_indices(cols, w, spec.pad_mode))]
    window = prepare_input(raw, spec.channels).astype(np.float32)  # a copy, 8-bit or not
    if spec.pad_mode == "zeros":
        window[in_padding] = 0.0

    kernel = np.asarray(spec.weights[k], np.float32)
    if spec.flip:
        # true convolution turns the kernel by 180° before laying it on the window
        kernel = kernel[::-1, ::-1]
    kernel = np.ascontiguousarray(kernel)
    products = window * kernel
    channel_sums = products.sum(axis=(0, 1), dtype=np.float64).astype(np.float32)
    total = float(products.sum(dtype=np.float64))
    bias = float(spec.bias[k])
    pre = np.float32(total + bias)
    value = activation_fn(spec.activation)(np.array([pre], np.float32))
    return PixelExplanation(
        k=k, row=row, col=col, window=window, kernel=kernel, products=products,
        channel_sums=channel_sums, total=total, bias=bias, pre_activation=float(pre),
        activation=spec.activation, value=float(np.asarray(value).reshape(-1)[0]),
        rows=rows, cols=cols, in_padding=in_padding, input_shape=(h, w),
        pad=(top, bottom, left, right),
    )


def explain_pooled(
    feature_maps: np.ndarray, spec: LayerSpec, k: int, row: int, col: int
) -> PooledExplanation:
    """The pooling window behind pooled map ``k`` at ``(row, col)`` and how it reduced.

    Windows are ``spec.pool_size`` square, ``spec.pool_stride`` apart, without padding. For
    max pooling the winner is the first largest value in row-major order (NumPy's argmax).
    """
    if spec.pool_mode not in ("max", "avg"):
        raise ValueError("this layer has no pooling, so there is no pooled pixel to explain")
    maps = np.asarray(feature_maps)
    h, w, n_maps = maps.shape
    size, stride = int(spec.pool_size), int(spec.pool_stride)
    out_h = shapes.output_size(h, size, stride) if h >= size else 0
    out_w = shapes.output_size(w, size, stride) if w >= size else 0
    if not 0 <= k < n_maps:
        raise ValueError(f"there is no feature map {k}: the layer has {n_maps}")
    if not (0 <= row < out_h and 0 <= col < out_w):
        raise ValueError(f"({row}, {col}) lies outside the {out_h}×{out_w} pooled map")
    rows = row * stride + np.arange(size)
    cols = col * stride + np.arange(size)
    values = np.array(maps[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1, k], np.float32)
    if spec.pool_mode == "max":
        i, j = np.unravel_index(int(np.argmax(values)), values.shape)
        winner = (int(rows[i]), int(cols[j]))
        return PooledExplanation(k, row, col, "max", rows, cols, values, winner, None,
                                 float(values[i, j]))
    mean = float(values.mean(dtype=np.float64))
    return PooledExplanation(k, row, col, "avg", rows, cols, values, None, mean, mean)
