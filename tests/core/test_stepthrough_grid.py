"""The step-through's grid and steps in the settings its built-in examples leave out: uneven
transposed strides, output padding, dilation with "same" padding, pooling over several
channels, and the precision of every number, each against a plain loop."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explorer.core.stepthrough import INPUT, INSERTED, PADDING, Example, walk


def scatter(x, w, b, stride, padding, output_padding):
    """A transposed convolution as the lecture draws it: each input pixel stamps the kernel,
    scaled by itself, stride apart; ``padding`` crops the stamped sheet's border and
    ``output_padding`` adds rows and columns at its bottom and right (PyTorch's rule)."""
    n_r, n_c, channels = x.shape
    filters, kh, kw, _ = w.shape
    sr, sc = stride
    sheet = np.zeros(((n_r - 1) * sr + kh, (n_c - 1) * sc + kw, filters))
    for f in range(filters):
        for i in range(n_r):
            for j in range(n_c):
                for c in range(channels):
                    for a in range(kh):
                        for bb in range(kw):
                            sheet[i * sr + a, j * sc + bb, f] += x[i, j, c] * w[f, a, bb, c]
    out_h = sheet.shape[0] - 2 * padding + output_padding
    out_w = sheet.shape[1] - 2 * padding + output_padding
    out = np.zeros((out_h, out_w, filters))
    for f in range(filters):
        for r in range(out_h):
            for c in range(out_w):
                inside = r + padding < sheet.shape[0] and c + padding < sheet.shape[1]
                out[r, c, f] = b[f] + (sheet[r + padding, c + padding, f] if inside else 0.0)
    return out


@pytest.mark.parametrize(("stride", "padding", "output_padding", "pad_mode"), [
    ((2, 1), 0, 0, "zeros"),
    ((1, 2), 0, 0, "zeros"),
    ((2, 2), 1, 1, "zeros"),
    # a transposed convolution pads with zeros whatever the padding mode says
    ((3, 2), 0, 1, "replicate"),
])
def test_transposed_grids_and_values_match_the_scatter_loop(stride, padding, output_padding,
                                                             pad_mode):
    x = np.array([[1, -2, 6], [4, -5, 3]], np.float32)[:, :, None]  # no two pixels alike
    w = np.array([[1, 2, 0], [0, -1, 3], [4, 0, 1]], np.float32)[None, :, :, None]
    b = np.array([0.5], np.float32)
    ex = Example("t", "t", "", "transpose", x, w, b, stride=stride,
                 padding=(padding, padding), output_padding=output_padding, pad_mode=pad_mode)
    walkthrough = walk(ex)
    want = scatter(x, w, b, stride, padding, output_padding)
    assert walkthrough.output_shape == want.shape
    np.testing.assert_allclose(walkthrough.output(), want)
    # the grid: input pixels stride apart, zeros between them, k − 1 − p zeros around
    assert walkthrough.grid.dtype == np.float32 and walkthrough.kinds.dtype == np.uint8
    edge = 3 - 1 - padding
    spans = [(x.shape[a] - 1) * stride[a] + 1 for a in range(2)]
    assert walkthrough.grid.shape[:2] == (spans[0] + 2 * edge + output_padding,
                                          spans[1] + 2 * edge + output_padding)
    for r in range(walkthrough.grid.shape[0]):
        for c in range(walkthrough.grid.shape[1]):
            i, j = r - edge, c - edge
            inside = 0 <= i < spans[0] and 0 <= j < spans[1]
            on_pixel = inside and i % stride[0] == 0 and j % stride[1] == 0
            source = (i // stride[0], j // stride[1]) if on_pixel else None
            assert walkthrough.input_index(r, c) == source, (r, c)
            assert walkthrough.grid[r, c, 0] == (x[source][0] if on_pixel else 0.0), (r, c)
            kind = INPUT if on_pixel else (INSERTED if inside else PADDING)
            assert walkthrough.kinds[r, c] == kind, (r, c)


def test_a_transposed_output_padding_the_stride_cannot_give_is_refused():
    ex = Example("t", "t", "", "transpose", np.ones((2, 2, 1), np.float32),
                 np.ones((1, 3, 3, 1), np.float32), stride=(2, 2), output_padding=2)
    with pytest.raises(ValueError) as info:
        walk(ex)
    assert str(info.value) == "the output padding (2) must be smaller than the stride (2)"


def test_same_padding_with_dilation_pads_the_dilated_window():
    x = np.arange(30, dtype=np.float32).reshape(5, 6, 1) % 7
    w = np.array([[1, 0, 2], [0, -1, 0], [3, 0, 1]], np.float32)[None, :, :, None]
    ex = Example("d", "d", "", "conv", x, w, padding=("same", "same"), dilation=(2, 2))
    walkthrough = walk(ex)
    # the dilated window spans 5 pixels: "same" puts 2 zeros on each side, keeping 5×6
    assert walkthrough.output_shape == (5, 6, 1)
    for step in walkthrough.steps:
        i, j = step.out
        assert step.rows == (i, i + 2, i + 4) and step.cols == (j, j + 2, j + 4)
        total = 0.0
        for a in range(3):
            for bb in range(3):
                r, c = i - 2 + 2 * a, j - 2 + 2 * bb
                if 0 <= r < 5 and 0 <= c < 6:
                    total += float(x[r, c, 0]) * float(w[0, a, bb, 0])
        assert step.value == total


@pytest.mark.parametrize("operation", ["max", "avg"])
def test_pooling_keeps_each_channel_apart_and_adds_no_bias(operation):
    x = (np.arange(32, dtype=np.float32).reshape(4, 4, 2) * 5) % 7  # two different channels
    ex = Example("p", "p", "", operation, x, pool_size=(3, 3), stride=(1, 1))
    walkthrough = walk(ex)
    assert walkthrough.output_shape == (2, 2, 2)
    steps = iter(walkthrough.steps)
    for m in range(2):
        for i in range(2):
            for j in range(2):
                step = next(steps)
                assert (step.map, step.out) == (m, (i, j))
                assert step.taps.shape == (3, 3, 1)
                best, winner, total = -1.0, None, 0.0
                for a in range(3):
                    for bb in range(3):
                        v = float(x[i + a, j + bb, m])
                        assert step.taps[a, bb, 0] == v
                        total += v
                        if v > best:
                            best, winner = v, (a, bb)
                # the mean is exact: 31 / 9 is not rounded to a float32 on the way
                want = best if operation == "max" else total / 9
                assert step.value == want and step.total == want
                assert step.winner == (winner if operation == "max" else None)
                assert step.weights is None and step.products is None
                assert step.bias == 0 and step.pre_activation == want


def test_products_are_float32_as_the_engines_and_each_sum_is_exact():
    """The products are the float32 numbers the engine multiplies; their sum is taken in
    float64, so it is the sum of the products listed, and the activation's value is again a
    float32 number, as a feature map holds it."""
    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, (5, 5, 3)).astype(np.float32)
    w = rng.normal(size=(2, 3, 3, 3)).astype(np.float32) / 50
    b = np.array([0.25, -0.5], np.float32)
    ex = Example("f", "f", "", "conv", x, w, b, padding=(1, 1), activation="tanh")
    for step in walk(ex).steps:
        i, j = step.out
        products = []
        for a in range(3):
            for bb in range(3):
                for c in range(3):
                    r, col = i - 1 + a, j - 1 + bb
                    tap = x[r, col, c] if 0 <= r < 5 and 0 <= col < 5 else np.float32(0)
                    products.append(float(np.float32(tap) * w[step.map, a, bb, c]))
        total = math.fsum(products)
        assert step.total == pytest.approx(total, rel=1e-12, abs=1e-12)
        assert step.pre_activation == pytest.approx(total + float(b[step.map]), rel=1e-12,
                                                    abs=1e-12)
        assert float(np.float32(step.value)) == step.value
        assert step.value == pytest.approx(math.tanh(step.pre_activation), abs=1e-6)
