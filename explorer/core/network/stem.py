"""The network's first layer as an explorer layer: its 32 learned 3×3×3 kernels.

The network computes its stem on the picture scaled to (x − 127) / 128, with BatchNorm after
the convolution. The explorer convolves the picture's own 0…255 values, so the kernels are
rewritten for that input: with the BatchNorm folded into kernels ``w`` and bias ``b``,
``w·(x − 127)/128 + b = (w/128)·x + (b − 127/128·Σw)``. The explorer's feature maps are then
exactly the network's stem before its activation, except along the bottom and right border,
where the network pads with grey (its zero) and the explorer with black.

ReLU6 (``min(max(x, 0), 6)``) is not among the explorer's activations; the explorer runs the
kernels with ReLU, which differs only where a response exceeds 6.
"""

from __future__ import annotations

import numpy as np

from explorer.core.network.preprocess import MEAN, SCALE
from explorer.core.pipeline import LayerSpec, NamedStack

STEM_TITLE = "the pretrained network's first layer (EfficientNet-Lite0 stem; ReLU in place of " \
             "its ReLU6)"


def stem_layer(kernels: np.ndarray, bias: np.ndarray) -> LayerSpec:
    """The stem's folded ``kernels`` (K, 3, 3, 3) and ``bias`` for pictures of 0…255 values:
    stride 2, TensorFlow's "same" padding, ReLU, no pooling."""
    k = np.asarray(kernels, np.float64)
    weights = k / SCALE
    shifted = np.asarray(bias, np.float64) - MEAN / SCALE * k.sum(axis=(1, 2, 3))
    return LayerSpec(weights.astype(np.float32), shifted.astype(np.float32), stride=(2, 2),
                     padding="same", activation="relu", pool_mode="none")


def stem_stack(kernels: np.ndarray, bias: np.ndarray, count: int | None = None) -> NamedStack:
    """The stem as a one-layer stack for the explorer; ``count`` keeps only the first kernels
    (the explorer may hold fewer filters than the network has)."""
    n = len(kernels) if count is None else max(1, min(count, len(kernels)))
    spec = stem_layer(kernels[:n], bias[:n])
    names = tuple(f"stem {i + 1}" for i in range(n))
    title = STEM_TITLE if n == len(kernels) else f"{STEM_TITLE}, kernels 1–{n}"
    return NamedStack((spec,), (names,), title)
