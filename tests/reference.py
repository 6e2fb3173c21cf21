"""Slow, independent references for the engine: plain loops over every output and every tap.

Nothing here calls the code under test or copies its formulas: padding is found from the
definitions ("same" is the smallest padding that gives ⌈n/s⌉ outputs, the odd pixel after;
"full" lets every output touch at least one real pixel), out-of-picture taps are read by
walking the pad mode's rule one step at a time, and pooling takes each window's max or mean.
"""

from __future__ import annotations

import math

import numpy as np


def span(k: int, d: int) -> int:
    return (k - 1) * d + 1


def pads_by_definition(n: int, k: int, s: int, d: int, padding) -> tuple[int, int]:
    """(before, after) padding of one axis, found from what each padding name means."""
    if isinstance(padding, int):
        return padding, padding
    if padding == "valid":
        return 0, 0
    if padding == "full":
        # every window that overlaps the picture by one pixel: reach k_eff − 1 beyond it
        return span(k, d) - 1, span(k, d) - 1
    if padding == "same":
        wanted = -(-n // s)  # ⌈n/s⌉ without the formula under test
        total = 0
        while True:
            count = 0
            start = 0
            while start + span(k, d) <= n + total:
                count += 1
                start += s
            if count >= wanted:
                return total // 2, total - total // 2
            total += 1
    raise ValueError(padding)


def read(x: np.ndarray, r: int, c: int, mode: str) -> np.ndarray:
    """The input at (r, c), which may lie outside the picture: the pad mode's rule."""
    h, w = x.shape[:2]
    if 0 <= r < h and 0 <= c < w:
        return x[r, c]
    if mode == "zeros":
        return np.zeros(x.shape[2], np.float64)
    if mode == "replicate":
        return x[min(max(r, 0), h - 1), min(max(c, 0), w - 1)]
    if mode == "circular":
        return x[r % h, c % w]
    if mode == "reflect":  # mirror at the edge pixel without repeating it, step by step
        while not 0 <= r < h:
            r = -r if r < 0 else 2 * (h - 1) - r
        while not 0 <= c < w:
            c = -c if c < 0 else 2 * (w - 1) - c
        return x[r, c]
    raise ValueError(mode)


def conv_loops(x, weights, bias, stride, padding, pad_mode, dilation, flip) -> np.ndarray:
    """Cross-correlation (or true convolution) of (H, W, C) with (K, kh, kw, C), loops only."""
    x = np.asarray(x, np.float64)
    if x.ndim == 2:
        x = x[:, :, None]
    h, w, _ = x.shape
    k_count, kh, kw, _ = weights.shape
    sy, sx = stride
    dy, dx = dilation
    pad_r = pads_by_definition(h, kh, sy, dy, _axis(padding, 0))
    pad_c = pads_by_definition(w, kw, sx, dx, _axis(padding, 1))
    out_h = (h + sum(pad_r) - span(kh, dy)) // sy + 1
    out_w = (w + sum(pad_c) - span(kw, dx)) // sx + 1
    out = np.zeros((out_h, out_w, k_count))
    for k in range(k_count):
        kernel = np.asarray(weights[k], np.float64)
        if flip:
            kernel = kernel[::-1, ::-1]
        for i in range(out_h):
            for j in range(out_w):
                total = 0.0
                for a in range(kh):
                    for b in range(kw):
                        r = i * sy - pad_r[0] + a * dy
                        c = j * sx - pad_c[0] + b * dx
                        total += float(np.dot(read(x, r, c, pad_mode), kernel[a, b]))
                out[i, j, k] = total + float(bias[k])
    return out


def _axis(padding, axis: int):
    """One axis of a layer's padding: a name, or a count added on both sides."""
    if isinstance(padding, tuple):
        return int(padding[axis])
    return padding


def activation_loops(x: np.ndarray, name: str) -> np.ndarray:
    def one(v: float) -> float:
        if name == "relu":
            return v if v > 0 else 0.0
        if name == "leaky_relu":
            return v if v > 0 else 0.01 * v
        if name == "tanh":
            return math.tanh(v)
        if name == "sigmoid":
            return 1.0 / (1.0 + math.exp(-v))
        if name == "abs":
            return abs(v)
        if name == "identity":
            return v
        raise ValueError(name)

    return np.vectorize(one, otypes=[np.float64])(x)


def pool_loops(m: np.ndarray, size: int, stride: int, mode: str) -> np.ndarray:
    h, w, k = m.shape
    out_h, out_w = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((out_h, out_w, k))
    for c in range(k):
        for i in range(out_h):
            for j in range(out_w):
                values = [m[i * stride + a, j * stride + b, c]
                          for a in range(size) for b in range(size)]
                out[i, j, c] = max(values) if mode == "max" else sum(values) / len(values)
    return out


def bilinear_at(plane: np.ndarray, r: int, c: int, out_shape: tuple[int, int]) -> float:
    """Pixel (r, c) of ``plane`` resampled to ``out_shape``: the pixel's centre placed on the
    input, its value weighted from the 2×2 input pixels around it (at an edge, the edge
    pixel), as OpenCV's bilinear resize does."""
    (h, w), (oh, ow) = plane.shape, out_shape

    def taps(i: int, n: int, out_n: int) -> tuple[int, int, float]:
        x = (i + 0.5) * n / out_n - 0.5
        x0 = math.floor(x)
        if x0 < 0:
            return 0, 0, 0.0
        return x0, min(x0 + 1, n - 1), x - x0

    y0, y1, fy = taps(r, h, oh)
    x0, x1, fx = taps(c, w, ow)
    top = (1 - fx) * float(plane[y0, x0]) + fx * float(plane[y0, x1])
    bottom = (1 - fx) * float(plane[y1, x0]) + fx * float(plane[y1, x1])
    return (1 - fy) * top + fy * bottom


def bilinear_loops(plane: np.ndarray, out_shape: tuple[int, int]) -> np.ndarray:
    """``plane`` resampled to ``out_shape`` pixel by pixel (:func:`bilinear_at`)."""
    out = np.zeros(out_shape)
    for r in range(out_shape[0]):
        for c in range(out_shape[1]):
            out[r, c] = bilinear_at(plane, r, c, out_shape)
    return out
