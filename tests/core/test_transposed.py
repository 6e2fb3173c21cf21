"""Transposed convolution against a plain scatter loop, and as the adjoint of convolve."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.convolution import convolve
from explorer.core.transposed import convolve_transpose, transposed_size


def scatter_reference(x, w, bias, stride, padding, output_padding):
    """Each input pixel times the kernel, added into the output where it lands."""
    h, wd, c = x.shape
    k, kh, kw, _ = w.shape
    out_h = (h - 1) * stride - 2 * padding + kh + output_padding
    out_w = (wd - 1) * stride - 2 * padding + kw + output_padding
    out = np.zeros((out_h, out_w, k))
    for i in range(h):
        for j in range(wd):
            for ch in range(c):
                for f in range(k):
                    for a in range(kh):
                        for b in range(kw):
                            y, z = i * stride + a - padding, j * stride + b - padding
                            if 0 <= y < out_h and 0 <= z < out_w:
                                out[y, z, f] += x[i, j, ch] * w[f, a, b, ch]
    for f in range(k):
        out[:, :, f] += bias[f]
    return out


@pytest.mark.parametrize(("h", "w", "kh", "kw", "stride", "padding", "output_padding"), [
    (2, 2, 3, 3, 1, 0, 0),  # conv_arithmetic: 2×2 → 4×4
    (2, 2, 3, 3, 2, 0, 0),  # … and its stride-2 case: 5×5
    (3, 4, 3, 2, 2, 1, 1),
    (4, 3, 4, 4, 3, 2, 2),
    (1, 1, 2, 3, 1, 0, 0),
    (5, 5, 3, 3, 2, 1, 0),
])
def test_matches_the_scatter_loop(h, w, kh, kw, stride, padding, output_padding):
    rng = np.random.default_rng(h * 100 + kh * 10 + stride)
    x = rng.normal(size=(h, w, 2)).astype(np.float32)
    weights = rng.normal(size=(3, kh, kw, 2)).astype(np.float32)
    bias = rng.normal(size=3).astype(np.float32)
    got = convolve_transpose(x, weights, bias, stride, padding, output_padding)
    want = scatter_reference(x, weights, bias, stride, padding, output_padding)
    assert got.dtype == np.float32
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_the_conv_arithmetic_sizes():
    x = np.ones((2, 2, 1), np.float32)
    w = np.ones((1, 3, 3, 1), np.float32)
    assert convolve_transpose(x, w).shape == (4, 4, 1)
    assert convolve_transpose(x, w, stride=2).shape == (5, 5, 1)
    # every output of the stride-1 case counts the input pixels whose stamp covers it
    assert convolve_transpose(x, w)[:, :, 0].tolist() == [[1, 2, 2, 1], [2, 4, 4, 2],
                                                          [2, 4, 4, 2], [1, 2, 2, 1]]


@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (2, 0), (2, 1), (3, 1)])
def test_is_the_adjoint_of_the_strided_convolution(stride, padding):
    # <conv(a), b> = <a, conv_transpose(b)> with the filters' in and out channels swapped
    rng = np.random.default_rng(stride * 7 + padding)
    w = rng.normal(size=(4, 3, 3, 2)).astype(np.float32)  # conv: 2 channels in, 4 maps out
    a = rng.normal(size=(9, 9, 2)).astype(np.float32)
    conv_a = convolve(a, w, stride=stride, padding=padding)
    b = rng.normal(size=conv_a.shape).astype(np.float32)
    output_padding = (9 + 2 * padding - 3) % stride  # the size the convolution came from
    back = convolve_transpose(b, w.transpose(3, 1, 2, 0), stride=stride, padding=padding,
                              output_padding=output_padding)
    assert back.shape == a.shape
    np.testing.assert_allclose(np.vdot(conv_a, b), np.vdot(a, back), rtol=1e-4)


def test_bad_settings_say_what_is_wrong():
    x = np.ones((2, 2, 1), np.float32)
    w = np.ones((1, 3, 3, 1), np.float32)
    with pytest.raises(ValueError, match="output padding"):
        convolve_transpose(x, w, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="crops away"):
        convolve_transpose(x, w, padding=3)
    with pytest.raises(ValueError, match="channels deep"):
        convolve_transpose(np.ones((2, 2, 3)), w)
    with pytest.raises(ValueError, match="biases"):
        convolve_transpose(x, w, bias=[1, 2])
    with pytest.raises(ValueError, match="stride"):
        transposed_size(2, 3, 0)
