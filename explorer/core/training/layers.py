"""The layers of the digit network, forward and backward, in plain NumPy.

Arrays are channels-last, as everywhere in the explorer: a batch of feature maps is
``(N, H, W, C)`` and a filter bank ``(K, kh, kw, C)``. Each ``*_forward`` returns its output and
a cache; the matching ``*_backward`` takes the gradient of the loss with respect to that output
and returns the gradients with respect to the inputs and parameters.

The convolution is an im2col: every kh×kw×C window becomes a row of a matrix, so the whole
layer is one matrix product with the (K, kh·kw·C) filter matrix. It computes cross-correlation
with "valid" padding and stride 1, as the explorer's default layer does.
"""

from __future__ import annotations

import numpy as np

# --- convolution ------------------------------------------------------------------------------


def im2col(x: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """(N, H, W, C) → (N·H'·W', kh·kw·C): one row per window, taps in (row, col, channel) order.

    The order matches a (K, kh, kw, C) filter bank flattened row by row, so
    ``im2col(x) @ w.reshape(K, -1).T`` is the correlation of every window with every filter.
    """
    n, h, w, c = x.shape
    oh, ow = h - kh + 1, w - kw + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"a {kh}×{kw} kernel does not fit a {h}×{w} input")
    cols = np.empty((n, oh, ow, kh, kw, c), x.dtype)
    # one copy per kernel tap: kh·kw large block copies instead of N·H'·W' small ones
    for i in range(kh):
        for j in range(kw):
            cols[:, :, :, i, j, :] = x[:, i:i + oh, j:j + ow, :]
    return cols.reshape(n * oh * ow, kh * kw * c)


def col2im(cols: np.ndarray, x_shape: tuple[int, ...], kh: int, kw: int) -> np.ndarray:
    """The adjoint of :func:`im2col`: each window's gradient added back where it came from."""
    n, h, w, c = x_shape
    oh, ow = h - kh + 1, w - kw + 1
    windows = cols.reshape(n, oh, ow, kh, kw, c)
    dx = np.zeros(x_shape, cols.dtype)
    for i in range(kh):
        for j in range(kw):
            dx[:, i:i + oh, j:j + ow, :] += windows[:, :, :, i, j, :]
    return dx


def conv_forward(x: np.ndarray, weights: np.ndarray, bias: np.ndarray
                 ) -> tuple[np.ndarray, tuple]:
    """Valid cross-correlation plus bias: (N, H, W, C) → (N, H − kh + 1, W − kw + 1, K)."""
    k, kh, kw, _ = weights.shape
    n, h, w, _ = x.shape
    cols = im2col(x, kh, kw)
    y = cols @ weights.reshape(k, -1).T
    y += bias
    return y.reshape(n, h - kh + 1, w - kw + 1, k), (cols, x.shape, weights)


def conv_backward(dy: np.ndarray, cache: tuple, input_grad: bool = True
                  ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """(dx, dweights, dbias). The first layer needs no dx (``input_grad=False`` saves its cost)."""
    cols, x_shape, weights = cache
    k, kh, kw, _ = weights.shape
    dy2 = dy.reshape(-1, k)
    dweights = (dy2.T @ cols).reshape(weights.shape)
    dbias = dy2.sum(axis=0)
    dx = col2im(dy2 @ weights.reshape(k, -1), x_shape, kh, kw) if input_grad else None
    return dx, dweights, dbias


# --- activation and pooling -------------------------------------------------------------------


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.maximum(x, 0), x > 0


def relu_backward(dy: np.ndarray, positive: np.ndarray) -> np.ndarray:
    return dy * positive


def maxpool_forward(x: np.ndarray) -> tuple[np.ndarray, tuple]:
    """2×2 max pooling, stride 2, on (N, H, W, C); an odd last row or column is dropped."""
    n, h, w, c = x.shape
    ph, pw = h // 2, w // 2
    # the four taps of each window side by side: (N, H/2, W/2, C, 4) in reading order
    taps = (x[:, :2 * ph, :2 * pw, :].reshape(n, ph, 2, pw, 2, c)
            .transpose(0, 1, 3, 5, 2, 4).reshape(n, ph, pw, c, 4))
    winner = taps.argmax(axis=-1)  # the first maximum in reading order, as the explorer's
    y = np.take_along_axis(taps, winner[..., None], axis=-1)[..., 0]
    return y, (x.shape, winner)


def maxpool_backward(dy: np.ndarray, cache: tuple) -> np.ndarray:
    """Each window's gradient goes to its winner only; the other three taps get zero."""
    (n, h, w, c), winner = cache
    ph, pw = h // 2, w // 2
    taps = np.zeros((n, ph, pw, c, 4), dy.dtype)
    np.put_along_axis(taps, winner[..., None], dy[..., None], axis=-1)
    dx = np.zeros((n, h, w, c), dy.dtype)
    dx[:, :2 * ph, :2 * pw, :] = (taps.reshape(n, ph, pw, c, 2, 2)
                                  .transpose(0, 1, 4, 2, 5, 3).reshape(n, 2 * ph, 2 * pw, c))
    return dx


# --- the classifier ---------------------------------------------------------------------------


def dense_forward(x: np.ndarray, weights: np.ndarray, bias: np.ndarray
                  ) -> tuple[np.ndarray, tuple]:
    """A fully connected layer: (N, D) @ (D, classes) + bias."""
    return x @ weights + bias, (x, weights)


def dense_backward(dy: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, weights = cache
    return dy @ weights.T, x.T @ dy, dy.sum(axis=0)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities per row; the row maximum is subtracted first so exp never overflows."""
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of a batch and its gradient with respect to the logits."""
    n = logits.shape[0]
    p = softmax(logits)
    rows = np.arange(n)
    loss = float(-np.log(np.maximum(p[rows, labels], 1e-12)).mean())
    dlogits = p
    dlogits[rows, labels] -= 1
    dlogits /= n
    return loss, dlogits
