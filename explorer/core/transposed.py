"""Transposed convolution: every input pixel stamps a weighted copy of the kernel on the output.

It runs a convolution's geometry backwards (PyTorch's ``ConvTranspose2d``): input pixel
``(i, j)`` adds ``x[i, j, c] · w[k, a, b, c]`` to output pixel ``(i·s + a − p, j·s + b − p)``
of map ``k``. Each axis grows to ``(n − 1)·s − 2p + k + output_padding``: a stride-s convolution
of that output would give back ``n`` pixels. The same sums can be read as an ordinary
convolution, stride 1, of the input spread out with ``s − 1`` zeros between pixels and padded
by ``k − 1 − p``, with the kernel turned by 180°: that is how the step-through view shows it.

Weight layout: ``(K, kh, kw, C)`` like :func:`explorer.core.convolution.convolve`: K output
maps, C input channels. A PyTorch ``ConvTranspose2d`` weight ``(C, K, kh, kw)`` becomes this
layout with ``weight.permute(1, 2, 3, 0)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from explorer.core.shapes import whole_number


def transposed_size(n: int, kernel: int, stride: int = 1, padding: int = 0,
                    output_padding: int = 0) -> int:
    """Pixels along one axis after a transposed convolution: (n − 1)·s − 2p + k + op.

    Raises ValueError when the padding crops everything away or ``output_padding`` is not
    below the stride (PyTorch's rule: it only picks among the sizes a stride-s convolution
    maps back to n).
    """
    n = whole_number(n, "the input size", 1)
    kernel = whole_number(kernel, "the kernel size", 1)
    stride = whole_number(stride, "the stride", 1)
    padding = whole_number(padding, "the padding", 0)
    output_padding = whole_number(output_padding, "the output padding", 0)
    if output_padding >= stride:
        raise ValueError(f"the output padding ({output_padding}) must be smaller than the "
                         f"stride ({stride})")
    size = (n - 1) * stride - 2 * padding + kernel + output_padding
    if size < 1:
        raise ValueError(f"a padding of {padding} crops away the whole {n - 1}·{stride} + "
                         f"{kernel} pixel output")
    return size


def convolve_transpose(
    image: np.ndarray,
    filters: np.ndarray,
    bias: np.ndarray | Sequence[float] | None = None,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
) -> np.ndarray:
    """The transposed convolution of an ``(H, W, C)`` input with ``(K, kh, kw, C)`` filters.

    Returns float32 ``(H', W', K)`` with ``H' = (H − 1)·s − 2p + kh + output_padding`` (and
    likewise W'), plus ``bias[k]`` on map k. ``stride``, ``padding`` and ``output_padding``
    apply to both axes. Raises ValueError with a sentence when the shapes do not fit.
    """
    x = np.asarray(image)
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3 or x.size == 0 or x.dtype.kind not in "biuf":
        raise ValueError(f"the input must be a non-empty (height, width, channels) array of "
                         f"numbers, not {x.dtype} {x.shape}")
    w = np.asarray(filters)
    if w.ndim != 4 or w.size == 0 or w.dtype.kind not in "biuf":
        raise ValueError(f"the filters must be a non-empty (K, kh, kw, C) array of numbers, "
                         f"not {w.dtype} {w.shape}")
    h, wd, c = x.shape
    count, kh, kw, depth = w.shape
    if depth != c:
        raise ValueError(f"the filters are {depth} channels deep but the input has {c}")
    b = np.zeros(count) if bias is None else np.asarray(bias, np.float64).reshape(-1)
    if b.shape != (count,):
        raise ValueError(f"there are {count} filters but {b.size} biases")
    out_h = transposed_size(h, kh, stride, padding, output_padding)
    out_w = transposed_size(wd, kw, stride, padding, output_padding)
    # Accumulate on the uncropped output, one kernel tap at a time: tap (a, b) moves the whole
    # input, times w[:, a, b, :], to rows a, a + s, a + 2s … and columns b, b + s …
    full = np.zeros(((h - 1) * stride + kh + output_padding,
                     (wd - 1) * stride + kw + output_padding, count), np.float64)
    xs = x.astype(np.float64)
    span_h, span_w = (h - 1) * stride + 1, (wd - 1) * stride + 1
    for a in range(kh):
        for bb in range(kw):
            full[a : a + span_h : stride, bb : bb + span_w : stride] += xs @ w[:, a, bb, :].T
    # padding p crops p pixels from each side (output_padding was added at the bottom/right)
    cropped = full[padding : padding + out_h, padding : padding + out_w]
    return (cropped + b).astype(np.float32)
