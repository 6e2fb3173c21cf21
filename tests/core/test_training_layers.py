"""The digit network's layers: forward passes against slow loops, backward passes against
finite differences of the forward pass.

The references loop over (N, H, W, C) arrays, the explorer's layout; the layers work on
(C, N, H, W), so inputs and outputs are transposed on the way.
"""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.training import layers

RNG = np.random.default_rng(7)


def cnhw(a):
    return np.ascontiguousarray(a.transpose(3, 0, 1, 2))


def nhwc(a):
    return a.transpose(1, 2, 3, 0)


def slow_conv(x, w, b):
    """Valid cross-correlation, one output value at a time."""
    n, h, wd, c = x.shape
    k, kh, kw, _ = w.shape
    out = np.zeros((n, h - kh + 1, wd - kw + 1, k))
    for i in range(n):
        for y in range(h - kh + 1):
            for xx in range(wd - kw + 1):
                for f in range(k):
                    total = b[f]
                    for dy in range(kh):
                        for dx in range(kw):
                            for ch in range(c):
                                total += x[i, y + dy, xx + dx, ch] * w[f, dy, dx, ch]
                    out[i, y, xx, f] = total
    return out


def slow_maxpool(x):
    n, h, w, c = x.shape
    out = np.zeros((n, h // 2, w // 2, c))
    for i in range(n):
        for y in range(h // 2):
            for xx in range(w // 2):
                for ch in range(c):
                    out[i, y, xx, ch] = max(x[i, 2 * y + a, 2 * xx + d, ch]
                                            for a in range(2) for d in range(2))
    return out


def numeric_gradient(f, a, count=25):
    """Central differences of the scalar f() with respect to ``count`` entries of ``a``."""
    flat = a.reshape(-1)
    picks = RNG.choice(flat.size, size=min(count, flat.size), replace=False)
    grads = {}
    for p in picks:
        old = flat[p]
        flat[p] = old + 1e-6
        up = f()
        flat[p] = old - 1e-6
        down = f()
        flat[p] = old
        grads[int(p)] = (up - down) / 2e-6
    return grads


def assert_gradient(analytic, numeric):
    flat = analytic.reshape(-1)
    for p, value in numeric.items():
        assert flat[p] == pytest.approx(value, rel=1e-5, abs=1e-7), p


@pytest.mark.parametrize("shape,filters", [((2, 7, 6, 1), (3, 3, 3, 1)),
                                           ((1, 9, 9, 3), (2, 5, 4, 3)),
                                           ((3, 5, 5, 2), (4, 1, 1, 2))])
def test_conv_forward_matches_loops(shape, filters):
    x, w, b = RNG.normal(size=shape), RNG.normal(size=filters), RNG.normal(size=filters[0])
    y, _ = layers.conv_forward(cnhw(x), w, b)
    np.testing.assert_allclose(nhwc(y), slow_conv(x, w, b), rtol=1e-10, atol=1e-10)


def test_conv_forward_in_float32_keeps_float32():
    x = RNG.normal(size=(2, 8, 8, 1)).astype(np.float32)
    w = RNG.normal(size=(3, 5, 5, 1)).astype(np.float32)
    y, _ = layers.conv_forward(cnhw(x), w, np.zeros(3, np.float32))
    assert y.dtype == np.float32
    np.testing.assert_allclose(nhwc(y), slow_conv(x, w, np.zeros(3)), rtol=1e-4, atol=1e-4)


def test_a_kernel_larger_than_the_input_is_refused():
    with pytest.raises(ValueError, match="does not fit"):
        layers.conv_forward(np.zeros((1, 4, 4, 1)), np.zeros((1, 5, 5, 1)), np.zeros(1))


def test_conv_backward_matches_finite_differences():
    x, w, b = RNG.normal(size=(3, 2, 7, 6)), RNG.normal(size=(4, 3, 2, 3)), RNG.normal(size=4)
    weights_out = RNG.normal(size=(4, 2, 5, 5))  # L = Σ y · R: dL/dy = R

    def loss():
        return float((layers.conv_forward(x, w, b)[0] * weights_out).sum())

    _, cache = layers.conv_forward(x, w, b)
    dx, dw, db = layers.conv_backward(weights_out, cache)
    assert_gradient(dx, numeric_gradient(loss, x))
    assert_gradient(dw, numeric_gradient(loss, w))
    assert_gradient(db, numeric_gradient(loss, b))
    no_dx, dw_again, _ = layers.conv_backward(weights_out, cache, input_grad=False)
    assert no_dx is None
    np.testing.assert_array_equal(dw_again, dw)


def test_im2col_columns_are_the_windows():
    x = RNG.normal(size=(2, 2, 5, 6))  # (C, N, H, W)
    cols = layers.im2col(x, 3, 2)
    col = 0
    for i in range(2):
        for y in range(3):
            for xx in range(5):
                # the window's taps, channel by channel, row by row
                np.testing.assert_array_equal(cols[:, col], x[:, i, y:y + 3, xx:xx + 2].ravel())
                col += 1
    assert col == cols.shape[1]


@pytest.mark.parametrize("shape", [(2, 6, 8, 3), (1, 7, 5, 2)])
def test_maxpool_forward_matches_loops(shape):
    x = RNG.normal(size=shape)
    y, _ = layers.maxpool_forward(cnhw(x))
    np.testing.assert_array_equal(nhwc(y), slow_maxpool(x))


@pytest.mark.parametrize("shape", [(2, 6, 8, 3), (1, 7, 5, 2)])
def test_maxpool_backward_matches_finite_differences(shape):
    x = RNG.normal(size=shape)  # distinct values: no ties, so the max is differentiable
    r = RNG.normal(size=(*shape[:2], shape[2] // 2, shape[3] // 2))

    def loss():
        return float((layers.maxpool_forward(x)[0] * r).sum())

    _, cache = layers.maxpool_forward(x)
    assert_gradient(layers.maxpool_backward(r, cache), numeric_gradient(loss, x, count=40))


def test_maxpool_gives_a_tied_window_s_gradient_to_its_first_maximum_only():
    x = np.zeros((1, 1, 2, 2))
    _, cache = layers.maxpool_forward(x)
    dx = layers.maxpool_backward(np.ones((1, 1, 1, 1)), cache)
    assert dx[0, 0].tolist() == [[1, 0], [0, 0]]
    x = np.array([[[[1.0, 3.0], [3.0, 0.0]]]])
    _, cache = layers.maxpool_forward(x)
    dx = layers.maxpool_backward(np.ones((1, 1, 1, 1)), cache)
    assert dx[0, 0].tolist() == [[0, 1], [0, 0]]


def test_relu_and_dense_backward_match_finite_differences():
    x = RNG.normal(size=(3, 6))
    w, b = RNG.normal(size=(6, 4)), RNG.normal(size=4)
    r = RNG.normal(size=(3, 4))

    def loss():
        h, _ = layers.relu_forward(x)
        return float((layers.dense_forward(h, w, b)[0] * r).sum())

    h, positive = layers.relu_forward(x)
    _, cache = layers.dense_forward(h, w, b)
    dh, dw, db = layers.dense_backward(r, cache)
    dx = layers.relu_backward(dh, positive)
    assert_gradient(dx, numeric_gradient(loss, x))
    assert_gradient(dw, numeric_gradient(loss, w))
    assert_gradient(db, numeric_gradient(loss, b))


def test_cross_entropy_value_and_gradient():
    logits = RNG.normal(size=(4, 10))
    labels = np.array([3, 0, 9, 3])
    loss, grad = layers.cross_entropy(logits.copy(), labels)
    # by hand: −log of each right class's softmax probability, averaged
    expected = np.mean([-(logits[i, c] - np.log(np.exp(logits[i]).sum()))
                        for i, c in enumerate(labels)])
    assert loss == pytest.approx(expected, rel=1e-12)

    def f():
        return layers.cross_entropy(logits.copy(), labels)[0]

    assert_gradient(grad, numeric_gradient(f, logits, count=40))


def test_softmax_of_huge_logits_does_not_overflow():
    p = layers.softmax(np.array([[1000.0, 0.0, -1000.0]]))
    assert np.isfinite(p).all() and p[0, 0] == pytest.approx(1.0)
