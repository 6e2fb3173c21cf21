"""A real pretrained CNN, EfficientNet-Lite0 trained on ImageNet, without PyTorch.

``net = load_pretrained()``; ``net.classify(rgb)`` gives the top-5 (class, probability);
``net.layer_names`` are the stem, the 16 blocks and the head; ``net.activations(rgb, name)``
gives a layer's (H, W, C) feature maps; ``net.conv_weights(name)`` a convolution's kernels.
The weights come from the optional ``pretrained`` extra; every failure is a
:class:`NetworkError` (a ``ValueError``) whose message says what to do.
"""

from explorer.core.network.architecture import LayerInfo
from explorer.core.network.errors import (
    CacheError,
    MissingPackageError,
    NetworkError,
    UnsafeWeightsError,
    WeightsError,
)
from explorer.core.network.runtime import Network, Prediction, load_pretrained

__all__ = [
    "CacheError",
    "LayerInfo",
    "MissingPackageError",
    "Network",
    "NetworkError",
    "Prediction",
    "UnsafeWeightsError",
    "WeightsError",
    "load_pretrained",
]
