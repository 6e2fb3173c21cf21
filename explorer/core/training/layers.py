"""The layers of the digit network, forward and backward, in plain NumPy.

Inside the network a batch of feature maps is ``(C, N, H, W)``: map by map, each map of each
digit a contiguous block, as the explorer's engine lays out its feature maps. Window copies
then move whole rows of pixels, and a convolution's matrix product hands the next layer its
input in the same layout without a transpose. Filter banks are ``(K, kh, kw, C)`` as everywhere
in the explorer. Each ``*_forward`` returns its output and a cache; the matching ``*_backward``
takes the gradient of the loss with respect to that output and returns the gradients with
respect to the inputs and parameters.

The convolution is an im2col: every kh×kw×C window becomes a column of a matrix, so the whole
layer is one matrix product with the (K, C·kh·kw) filter matrix. It computes cross-correlation
with "valid" padding and stride 1, as the explorer's default layer does.
"""

from __future__ import annotations

import numpy as np

# --- convolution ------------------------------------------------------------------------------


def im2col(x: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """(C, N, H, W) → (C·kh·kw, N·H'·W'): one column per window, taps in (channel, row, col)
    order, which is a (K, kh, kw, C) filter bank's order once its channel axis comes first."""
    c, n, h, w = x.shape
    oh, ow = h - kh + 1, w - kw + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"a {kh}×{kw} kernel does not fit a {h}×{w} input")
    cols = np.empty((c, kh, kw, n, oh, ow), x.dtype)
    # one copy per kernel tap, whole rows of pixels at a time
    for i in range(kh):
        for j in range(kw):
            cols[:, i, j] = x[:, :, i:i + oh, j:j + ow]
    return cols.reshape(c * kh * kw, n * oh * ow)


def col2im(cols: np.ndarray, x_shape: tuple[int, ...], kh: int, kw: int) -> np.ndarray:
    """The adjoint of :func:`im2col`: each window's gradient added back where it came from."""
    c, n, h, w = x_shape
    oh, ow = h - kh + 1, w - kw + 1
    windows = cols.reshape(c, kh, kw, n, oh, ow)
    dx = np.zeros(x_shape, cols.dtype)
    for i in range(kh):
        for j in range(kw):
            dx[:, :, i:i + oh, j:j + ow] += windows[:, i, j]
    return dx


def _filter_matrix(weights: np.ndarray) -> np.ndarray:
    """(K, kh, kw, C) → (K, C·kh·kw), rows in :func:`im2col`'s tap order."""
    return weights.transpose(0, 3, 1, 2).reshape(weights.shape[0], -1)


def conv_forward(x: np.ndarray, weights: np.ndarray, bias: np.ndarray
                 ) -> tuple[np.ndarray, tuple]:
    """Valid cross-correlation plus bias: (C, N, H, W) → (K, N, H − kh + 1, W − kw + 1)."""
    k, kh, kw, _ = weights.shape
    _, n, h, w = x.shape
    cols = im2col(x, kh, kw)
    y = _filter_matrix(weights) @ cols
    y += bias[:, None]
    return y.reshape(k, n, h - kh + 1, w - kw + 1), (cols, x.shape, weights)


def conv_backward(dy: np.ndarray, cache: tuple, input_grad: bool = True
                  ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """(dx, dweights, dbias). The first layer needs no dx (``input_grad=False`` saves its cost)."""
    cols, x_shape, weights = cache
    k, kh, kw, c = weights.shape
    dy2 = dy.reshape(k, -1)
    dweights = (dy2 @ cols.T).reshape(k, c, kh, kw).transpose(0, 2, 3, 1)
    dbias = dy2.sum(axis=1)
    dx = col2im(_filter_matrix(weights).T @ dy2, x_shape, kh, kw) if input_grad else None
    return dx, np.ascontiguousarray(dweights), dbias


# --- activation and pooling -------------------------------------------------------------------


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.maximum(x, 0), x > 0


def relu_backward(dy: np.ndarray, positive: np.ndarray) -> np.ndarray:
    return dy * positive


def _taps(x: np.ndarray) -> list[np.ndarray]:
    """The four taps of every 2×2 window, in reading order, as strided views of x."""
    ph, pw = x.shape[-2] // 2, x.shape[-1] // 2
    return [x[..., i:2 * ph:2, j:2 * pw:2] for i in (0, 1) for j in (0, 1)]


def maxpool_forward(x: np.ndarray) -> tuple[np.ndarray, tuple]:
    """2×2 max pooling, stride 2, over the last two axes; an odd last row or column is dropped.

    The larger of each pair of rows, then of each pair of columns: two passes over the maps.
    """
    ph, pw = x.shape[-2] // 2, x.shape[-1] // 2
    rows = np.maximum(x[..., 0:2 * ph:2, :2 * pw], x[..., 1:2 * ph:2, :2 * pw])
    y = np.maximum(rows[..., 0::2], rows[..., 1::2])
    return y, (x, y)


def maxpool_backward(dy: np.ndarray, cache: tuple) -> np.ndarray:
    """Each window's gradient goes to its winner only; the other three taps get zero.

    On a tie the first maximum in reading order wins, as in the explorer's ``pool_winners``.
    """
    x, y = cache
    dx = np.zeros(x.shape, dy.dtype)
    taken = np.zeros(y.shape, bool)
    for tap, dtap in zip(_taps(x), _taps(dx), strict=True):
        win = tap == y
        win &= ~taken
        taken |= win
        np.multiply(dy, win, out=dtap)
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
