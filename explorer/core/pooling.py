"""Pooling: shrink each feature map by summarising small windows of it.

Max pooling keeps the strongest response in each window (where the feature was found best);
average pooling keeps the mean. Either way the map gets smaller (less storage, less work for the
next layer) and the lesser values are lost. Output sizes round down, as PyTorch's do by default:
pixels that do not fill a whole window at the bottom/right edge are dropped.
"""

from __future__ import annotations

import threading
from functools import partial

import cv2
import numpy as np

from explorer.core.convolution import share_out
from explorer.core.shapes import whole_pair

POOL_MODES = ("max", "avg")

_local = threading.local()


def _scratch(shape: tuple[int, int]) -> np.ndarray:
    """A float32 buffer private to the calling thread, reused while the shape stays."""
    buf = getattr(_local, "buffer", None)
    if buf is None or buf.shape != shape:
        buf = _local.buffer = np.empty(shape, np.float32)
    return buf


def _geometry(
    maps: np.ndarray, size: int | tuple[int, int], stride: int | tuple[int, int] | None
) -> tuple[np.ndarray, tuple[int, int], tuple[int, int], tuple[int, int]]:
    """(maps as 3-D, window size, stride, pooled size), or a ValueError saying what is wrong."""
    m = np.asarray(maps)
    if m.dtype.kind not in "biuf":
        raise ValueError(f"feature maps must hold real numbers, not {m.dtype}")
    if m.ndim == 2:
        m = m[:, :, np.newaxis]
    if m.ndim != 3:
        raise ValueError(f"feature maps must be (height, width) or (height, width, K), "
                         f"not {m.shape}")
    h, w, k = m.shape
    if m.size == 0:
        raise ValueError(f"the feature maps are empty ({h}×{w}, {k} maps)")
    window = whole_pair(size, "the pooling window", 1)
    step = window if stride is None else whole_pair(stride, "the pooling stride", 1)
    if window[0] > h or window[1] > w:
        raise ValueError(
            f"the {window[0]}×{window[1]} pooling window is larger than the {h}×{w} feature map"
        )
    pooled = ((h - window[0]) // step[0] + 1, (w - window[1]) // step[1] + 1)
    return m, window, step, pooled


def _phase(m: np.ndarray, i: int, j: int, step: tuple[int, int], pooled: tuple[int, int]
           ) -> np.ndarray:
    """The input under window tap (i, j) for every window: a strided view of ``m``."""
    return m[i : i + (pooled[0] - 1) * step[0] + 1 : step[0],
             j : j + (pooled[1] - 1) * step[1] + 1 : step[1]]


def pool(
    maps: np.ndarray,
    size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    mode: str = "max",
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Max or average of each ``size`` window, windows ``stride`` apart (default: ``size``).

    ``maps`` is ``(H, W)`` or ``(H, W, K)``, any real dtype. Returns float32
    ``(H'', W'', K)`` with ``H'' = ⌊(H − size) / stride⌋ + 1``, each pooled map ``[:, :, k]``
    C-contiguous; ``out``, if given, is written and returned.
    """
    if mode not in POOL_MODES:
        raise ValueError(f"unknown pooling mode {mode!r}: use one of "
                         + ", ".join(map(repr, POOL_MODES)))
    m, window, step, pooled = _geometry(maps, size, stride)
    shape = (*pooled, m.shape[2])
    if out is None:
        out = np.empty((shape[2], *pooled), np.float32).transpose(1, 2, 0)
    elif not (isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == shape):
        raise ValueError(f"out must be a float32 array of shape {shape}")
    m = m.astype(np.float32, copy=False)
    # the fast paths work map by map on C-contiguous maps (what convolve returns)
    planar = all(m[:, :, k].flags.c_contiguous for k in range(m.shape[2]))
    if planar and mode == "max" and window == step == (2, 2):
        task = partial(_max_2x2, m, out)
    elif planar and mode == "avg" and window == step:
        task = partial(_average_blocks, m, out, step)
    else:
        task = partial(_by_taps, m, out, window, step, mode)
    share_out(task, pooled[0], m.size)  # pooled rows shared between threads
    return out


def _max_2x2(m: np.ndarray, out: np.ndarray, rows: range) -> None:
    r0, r1 = rows.start, rows.stop
    pairs = _scratch((out.shape[0], m.shape[1]))[: r1 - r0]
    for k in range(m.shape[2]):
        a = m[2 * r0 : 2 * r1, :, k]
        cv2.max(a[0::2], a[1::2], dst=pairs)  # the larger of each pair of rows …
        width = 2 * out.shape[1]
        np.maximum(pairs[:, 0:width:2], pairs[:, 1:width:2], out=out[r0:r1, :, k])  # … columns


def _average_blocks(m: np.ndarray, out: np.ndarray, step: tuple[int, int], rows: range) -> None:
    # INTER_AREA by a whole factor is exactly the mean of each window
    r0, r1 = rows.start, rows.stop
    for k in range(m.shape[2]):
        a = m[r0 * step[0] : r1 * step[0], : out.shape[1] * step[1], k]
        target = out[r0:r1, :, k]
        dst = target if target.flags.c_contiguous else _scratch(out.shape[:2])[: r1 - r0]
        cv2.resize(a, (out.shape[1], r1 - r0), dst=dst, interpolation=cv2.INTER_AREA)
        if dst is not target:
            np.copyto(target, dst)


def _by_taps(m: np.ndarray, out: np.ndarray, window: tuple[int, int], step: tuple[int, int],
             mode: str, rows: range) -> None:
    """Any size, stride and layout: one pass per window tap over all maps at once."""
    part = m[rows.start * step[0] :]
    dst = out[rows.start : rows.stop]
    pooled = (len(rows), out.shape[1])
    np.copyto(dst, _phase(part, 0, 0, step, pooled))
    for i in range(window[0]):
        for j in range(window[1]):
            if i or j:
                tap = _phase(part, i, j, step, pooled)
                if mode == "max":
                    np.maximum(dst, tap, out=dst)
                else:
                    np.add(dst, tap, out=dst)
    if mode == "avg":
        np.multiply(dst, np.float32(1.0 / (window[0] * window[1])), out=dst)


def pool_winners(
    maps: np.ndarray, size: int | tuple[int, int] = 2, stride: int | tuple[int, int] | None = None
) -> np.ndarray:
    """Where each max-pooling window's winner sits: int ``(H'', W'', K, 2)`` of (row, col).

    Positions are in the feature map's coordinates. On ties the first maximum in reading order
    (row by row, left to right) wins.
    """
    m, window, step, pooled = _geometry(maps, size, stride)
    best = _phase(m, 0, 0, step, pooled).copy()
    tap_index = np.zeros(best.shape, np.intp)
    for i in range(window[0]):
        for j in range(window[1]):
            if i or j:
                tap = _phase(m, i, j, step, pooled)
                better = tap > best  # strictly: an equal later value does not take over
                np.copyto(best, tap, where=better)
                tap_index[better] = i * window[1] + j
    rows = np.arange(pooled[0])[:, None, None] * step[0] + tap_index // window[1]
    cols = np.arange(pooled[1])[None, :, None] * step[1] + tap_index % window[1]
    return np.stack([rows, cols], axis=-1)
