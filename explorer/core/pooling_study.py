"""Pooling looked at up close: one feature map before and after, a zoom, storage and time.

The lecture's point about pooling is a trade: the map gets smaller ("decreases the amount of
storage and processing") at the price of the lesser values in each window. A
:class:`PoolingStudy` holds what makes that visible for one filter of one stage:

- the feature map and its pooled map, coloured on one colour scale (the pooled map's own
  values never get a brighter scale than the map they came from);
- a zoom on a few windows: the values under each window and the value that survived (for max
  pooling, where the winner sits; for average pooling, the mean);
- the whole stage's storage before and after pooling (values, and bytes as float32);
- times measured while the stage is computed: the convolution and activation that make the
  maps, the pooling, and a following layer's convolution run on the maps before and after
  pooling (the processing pooling saves).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from explorer.core.activations import activation as activation_fn
from explorer.core.cancel import CancelToken, check
from explorer.core.convolution import convolve
from explorer.core.levels import colorize, map_levels
from explorer.core.pipeline import LayerSpec, prepare_input, run_stack
from explorer.core.pooling import pool, pool_winners

BYTES_PER_VALUE = 4  # float32, as the engine stores every map
ZOOM_WINDOWS = 4  # windows across (and down) the zoom
TIMING_REPEATS = 5  # a following layer is timed this often; the fastest run counts


@dataclass(frozen=True)
class Storage:
    """How much a stage's maps hold: ``values`` numbers of ``BYTES_PER_VALUE`` bytes."""

    shape: tuple[int, int, int]  # (H, W, K)

    @property
    def values(self) -> int:
        h, w, k = self.shape
        return h * w * k

    @property
    def bytes(self) -> int:
        return self.values * BYTES_PER_VALUE


@dataclass(frozen=True, eq=False)
class PoolingZoom:
    """A block of ``rows × cols`` pooling windows, from window (``top``, ``left``) on.

    ``cells`` are the feature-map values the windows cover, from feature-map position
    ``origin`` on; ``pooled[i, j]`` is window (top + i, left + j)'s result and, for max
    pooling, ``winners[i, j]`` the (row, col) on the feature map of the value that survived
    (the first largest in reading order); ``winners`` is None for average pooling.
    """

    top: int
    left: int
    rows: int
    cols: int
    size: int
    stride: int
    mode: str
    origin: tuple[int, int]
    cells: np.ndarray  # float32
    pooled: np.ndarray  # float32 (rows, cols)
    winners: np.ndarray | None  # int (rows, cols, 2)

    def window(self, i: int, j: int) -> tuple[int, int, int, int]:
        """Window (top + i, left + j)'s rows and columns on the feature map: r0, r1, c0, c1."""
        r0 = (self.top + i) * self.stride
        c0 = (self.left + j) * self.stride
        return r0, r0 + self.size, c0, c0 + self.size


def zoom_windows(feature_map: np.ndarray, size: int, stride: int, mode: str,
                 top: int, left: int, windows: int = ZOOM_WINDOWS) -> PoolingZoom:
    """The zoom on one 2-D feature map: up to ``windows × windows`` pooling windows from
    window (``top``, ``left``), moved back inside the pooled map where it would run off. A
    negative ``top`` or ``left`` centres the zoom on that axis."""
    plane = np.asarray(feature_map, np.float32)
    if plane.ndim != 2:
        raise ValueError(f"the zoom looks at one feature map (2-D), not shape {plane.shape}")
    if mode not in ("max", "avg"):
        raise ValueError(f"the zoom shows max or average pooling, not {mode!r}")
    h, w = plane.shape
    if size > h or size > w:
        raise ValueError(f"the {size}×{size} pooling window is larger than the {h}×{w} "
                         "feature map")
    out_h, out_w = (h - size) // stride + 1, (w - size) // stride + 1
    rows, cols = min(windows, out_h), min(windows, out_w)
    top = (out_h - rows) // 2 if top < 0 else min(int(top), out_h - rows)
    left = (out_w - cols) // 2 if left < 0 else min(int(left), out_w - cols)
    r0, c0 = top * stride, left * stride
    cells = plane[r0 : r0 + (rows - 1) * stride + size, c0 : c0 + (cols - 1) * stride + size]
    pooled = pool(cells, size, stride, mode)[:, :, 0]
    winners = None
    if mode == "max":
        winners = pool_winners(cells, size, stride)[:, :, 0, :] + np.array([r0, c0])
    return PoolingZoom(top, left, rows, cols, size, stride, mode, (r0, c0),
                       np.ascontiguousarray(cells), np.ascontiguousarray(pooled), winners)


@dataclass(frozen=True, eq=False)
class PoolingStudy:
    """One stage's pooling, for one of its filters (see the module docstring)."""

    stage: int
    filter: int
    spec: LayerSpec
    feature_map: np.ndarray  # (H', W') float32, the filter's map before pooling
    pooled_map: np.ndarray  # (H'', W'') float32
    levels: tuple[float, float]  # the colour scale both pictures share
    signed: bool
    feature_rgb: np.ndarray  # (H', W', 3) uint8
    pooled_rgb: np.ndarray  # (H'', W'', 3) uint8
    zoom: PoolingZoom
    before: Storage
    after: Storage
    conv_seconds: float  # convolution + activation: the maps before pooling
    pool_seconds: float
    next_before_seconds: float  # a following layer's convolution on the maps before pooling
    next_after_seconds: float  # … and on the pooled maps
    next_layer: str  # which following layer was timed, in words


def _fastest(run: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _following_layer(layers: Sequence[LayerSpec], stage: int, count: int
                     ) -> tuple[np.ndarray, str]:
    """The next layer's kernels, or (for the last layer) a 3×3 layer with as many filters."""
    if stage + 1 < len(layers):
        weights = layers[stage + 1].weights
        kh, kw = weights.shape[1:3]
        return weights, (f"layer {stage + 2} ({weights.shape[0]} filters "
                         f"{kh}×{kw}×{weights.shape[3]})")
    weights = np.full((count, 3, 3, count), 1.0 / (9 * count), np.float32)
    return weights, f"a following 3×3 layer of {count} filter{'s' if count > 1 else ''}"


def pooling_study(picture: np.ndarray, layers: Sequence[LayerSpec], stage: int, filter_index: int,
                  zoom_at: tuple[int, int], levels_mode: str, fixed_limit: float,
                  luts: tuple[np.ndarray, np.ndarray], cancel: CancelToken | None = None,
                  windows: int = ZOOM_WINDOWS) -> PoolingStudy:
    """Run the stack up to ``stage`` on ``picture`` (at processing size) and study its pooling.

    ``zoom_at`` is the zoom's first window (pooled row, column); ``luts`` the (signed,
    non-negative) colour tables. Raises ValueError when the stage does not pool.
    """
    if not 0 <= stage < len(layers):
        raise ValueError(f"there is no layer {stage + 1}: the stack has {len(layers)}")
    spec = layers[stage]
    if spec.pool_mode == "none":
        raise ValueError(f"layer {stage + 1} has no pooling: choose max or average pooling "
                         "for it in the Layers panel")
    x = prepare_input(picture, layers[0].channels)
    if stage:
        x = run_stack(x, layers[:stage], cancel=cancel)[-1].output
    check(cancel)
    start = time.perf_counter()
    pre = convolve(x, spec.weights, bias=spec.bias, stride=spec.stride, padding=spec.padding,
                   pad_mode=spec.pad_mode, dilation=spec.dilation, flip=spec.flip, cancel=cancel)
    maps = activation_fn(spec.activation)(pre)
    conv_seconds = time.perf_counter() - start
    start = time.perf_counter()
    pooled = pool(maps, spec.pool_size, spec.pool_stride, spec.pool_mode)
    pool_seconds = time.perf_counter() - start
    check(cancel)

    count = maps.shape[2]
    k = min(max(int(filter_index), 0), count - 1)
    weights, next_layer = _following_layer(layers, stage, count)
    next_before = _fastest(lambda: convolve(maps, weights, padding="same"), TIMING_REPEATS)
    check(cancel)
    next_after = _fastest(lambda: convolve(pooled, weights, padding="same"), TIMING_REPEATS)

    feature = np.ascontiguousarray(maps[:, :, k])
    small = np.ascontiguousarray(pooled[:, :, k])
    # one scale for both: taken from the map before pooling, which holds every value
    scale = map_levels([feature], levels_mode, fixed_limit)
    lo, hi = (float(v) for v in scale.levels[0])
    lut = luts[0] if scale.signed else luts[1]
    zoom = zoom_windows(feature, spec.pool_size, spec.pool_stride, spec.pool_mode, *zoom_at,
                        windows=windows)
    return PoolingStudy(
        stage, k, spec, feature, small, (lo, hi), scale.signed,
        colorize(feature, (lo, hi), lut), colorize(small, (lo, hi), lut), zoom,
        Storage(tuple(maps.shape)), Storage(tuple(pooled.shape)),
        conv_seconds, pool_seconds, next_before, next_after, next_layer)
