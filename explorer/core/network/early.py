"""The pretrained network's first two convolutions as the lecture's stack of learned kernels.

The lecture's alternating stack (conv → ReLU → 2×2 max pool, twice) with kernels learned on
ImageNet rather than drawn at random, for demonstrations where random kernels would leave the
point to chance (the translation study). Layer 1 is the network's stem (32 kernels 3×3×3,
stride 2, rewritten for pictures of 0…255 values as :mod:`explorer.core.network.stem` does);
layer 2 is block 1's depthwise convolution: each of the 32 maps filtered by its own 3×3
kernel, written as a full convolution whose kernel k is zero except on input map k. Both keep
their folded BatchNorm; ReLU stands in for ReLU6, and the 2×2 max pools are the lecture's, not
the network's (which has none there).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from explorer.core.network.architecture import CONVS
from explorer.core.network.onnx_graph import fold_batchnorm
from explorer.core.network.runtime import read_weights, weights_path
from explorer.core.network.stem import stem_layer
from explorer.core.pipeline import LayerSpec, NamedStack

EARLY_TITLE = ("the pretrained network's first two convolutions (EfficientNet-Lite0 stem and "
               "block 1 depthwise, learned on ImageNet), each with ReLU and a 2×2 max pool")


def _conv(name: str):
    return next(conv for conv in CONVS if conv.name == name)


def early_stack(state: dict[str, np.ndarray] | None = None) -> NamedStack:
    """The two learned layers; ``state`` is the network's weights (read from the installed
    package when None). Raises a NetworkError (a ValueError) when they cannot be read."""
    if state is None:
        state = read_weights(weights_path())
    w, b = fold_batchnorm(state, _conv("stem"))
    first = dataclasses.replace(stem_layer(w.transpose(0, 2, 3, 1), b), pool_mode="max",
                                pool_size=2, pool_stride=2)
    dw, dw_bias = fold_batchnorm(state, _conv("block 1 depthwise"))  # (32, 1, 3, 3)
    count, _, kh, kw = dw.shape
    full = np.zeros((count, kh, kw, count), np.float32)
    for k in range(count):
        full[k, :, :, k] = dw[k, 0]
    second = LayerSpec(full, dw_bias.astype(np.float32), padding="same", activation="relu",
                       pool_mode="max", pool_size=2, pool_stride=2)
    names = (tuple(f"stem {i + 1}" for i in range(len(w))),
             tuple(f"depthwise {i + 1}" for i in range(count)))
    return NamedStack((first, second), names, EARLY_TITLE)
