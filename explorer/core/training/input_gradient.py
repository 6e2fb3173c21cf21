"""How the digit network's answers change with each pixel: gradients back to the input.

Training needs the gradient of the loss with respect to the weights; visualising a network
needs it with respect to the picture. The same backward passes of :mod:`.layers` give it, run
one step further, through the first convolution to its input. Two quantities are
differentiated: a class score (the logit before the softmax, as saliency maps use) and one
unit of a feature map.

Inputs are network inputs, (N, 28, 28) with pixels scaled to 0…1.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from explorer.core.training import layers
from explorer.core.training.data import CLASSES
from explorer.core.training.model import forward
from explorer.core.training.units import check_unit


def _back_through_convs(dmaps: np.ndarray, caches: list) -> np.ndarray:
    """From the gradient (C, N, H, W) at the last cached conv layer's pooled output back
    through each pool, ReLU and convolution to the (N, 28, 28) input."""
    d = dmaps
    for c_conv, c_relu, c_pool in reversed(caches):
        d = layers.maxpool_backward(d, c_pool)
        d = layers.relu_backward(d, c_relu)
        d, _, _ = layers.conv_backward(d, c_conv, input_grad=True)
    return d[0]


def class_score_gradient(params: Mapping[str, np.ndarray], x: np.ndarray, digit: int
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Every class score (N, 10 logits) of each picture, and the gradient of the score of
    ``digit`` with respect to the picture, (N, 28, 28)."""
    if isinstance(digit, bool) or not isinstance(digit, int | np.integer) \
            or not 0 <= digit < CLASSES:
        raise ValueError(f"the digit must be 0 to {CLASSES - 1}, not {digit!r}")
    logits, caches = forward(params, x, keep=True)
    dlogits = np.zeros_like(logits)
    dlogits[:, digit] = 1.0
    c_dense, (k, n, h, w) = caches[-1]
    dflat, _, _ = layers.dense_backward(dlogits, c_dense)
    # the dense layer read each digit's maps in (H, W, K) order
    dmaps = np.ascontiguousarray(dflat.reshape(n, h, w, k).transpose(3, 0, 1, 2))
    return logits, _back_through_convs(dmaps, caches[:-1])


def unit_gradient(params: Mapping[str, np.ndarray], x: np.ndarray, layer: int, channel: int,
                  row: int, col: int) -> tuple[np.ndarray, np.ndarray]:
    """The value of unit (``row``, ``col``) of ``channel`` of conv ``layer``, before its ReLU
    (so a unit that is off still has a gradient to climb), for each picture (N,), and its
    gradient (N, 28, 28)."""
    check_unit(params, layer, channel)
    maps = x[None]
    caches = []
    for i in range(layer + 1):
        maps, c_conv = layers.conv_forward(maps, params[f"conv{i + 1}.weights"],
                                           params[f"conv{i + 1}.bias"])
        if i < layer:
            maps, c_relu = layers.relu_forward(maps)
            maps, c_pool = layers.maxpool_forward(maps)
            caches.append((c_conv, c_relu, c_pool))
    _, _, h, w = maps.shape
    if not (0 <= row < h and 0 <= col < w):
        raise ValueError(f"conv layer {layer}'s maps are {h}×{w}: there is no unit ({row}, {col})")
    dmaps = np.zeros_like(maps)
    dmaps[channel, :, row, col] = 1.0
    d, _, _ = layers.conv_backward(dmaps, c_conv, input_grad=True)
    return maps[channel, :, row, col], _back_through_convs(d, caches)
