"""One channel of the digit network over many digits: its feature maps, its receptive field,
and the digits that excite it most (see :mod:`explorer.core.top_patches`).

A unit of conv layer ``i`` is taken after its ReLU and before its pooling, as the explorer
shows that layer's feature maps.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from explorer.core import shapes
from explorer.core.blas import one_blas_thread
from explorer.core.top_patches import TopPatches, rank_patches, strongest_units
from explorer.core.training import layers

CHUNK = 256  # digits per pass: bounds the im2col buffer, as classifying does


def conv_count(params: Mapping[str, np.ndarray]) -> int:
    return sum(1 for key in params if key.startswith("conv") and key.endswith(".weights"))


def check_unit(params: Mapping[str, np.ndarray], layer: int, channel: int) -> None:
    """A ValueError unless conv ``layer`` (0 is the first) has a channel ``channel``."""
    n = conv_count(params)
    if isinstance(layer, bool) or not isinstance(layer, int | np.integer) or not 0 <= layer < n:
        raise ValueError(f"the network has conv layers 0 to {n - 1}, not {layer!r}")
    filters = params[f"conv{layer + 1}.weights"].shape[0]
    if (isinstance(channel, bool) or not isinstance(channel, int | np.integer)
            or not 0 <= channel < filters):
        raise ValueError(f"conv layer {layer} has channels 0 to {filters - 1}, not {channel!r}")


def feature_maps(params: Mapping[str, np.ndarray], x: np.ndarray, layer: int) -> np.ndarray:
    """(K, N, H, W) maps of conv ``layer`` after its ReLU, for an (N, 28, 28) input of 0…1."""
    maps = x[None]
    for i in range(layer + 1):
        maps, _ = layers.conv_forward(maps, params[f"conv{i + 1}.weights"],
                                      params[f"conv{i + 1}.bias"])
        maps, _ = layers.relu_forward(maps)
        if i < layer:
            maps, _ = layers.maxpool_forward(maps)
    return maps


def receptive_field(params: Mapping[str, np.ndarray], layer: int
                    ) -> tuple[shapes.RFInfo, shapes.RFInfo]:
    """The receptive field of a unit of conv ``layer`` along rows and along columns: valid
    convolutions, with a 2×2 pool of stride 2 after every earlier one."""
    rows: list[shapes.LayerGeometry] = []
    cols: list[shapes.LayerGeometry] = []
    for i in range(layer + 1):
        _, kh, kw, _ = params[f"conv{i + 1}.weights"].shape
        rows.append(shapes.LayerGeometry(kh))
        cols.append(shapes.LayerGeometry(kw))
        if i < layer:
            rows.append(shapes.LayerGeometry(2, 2))
            cols.append(shapes.LayerGeometry(2, 2))
    return shapes.receptive_field(rows)[-1], shapes.receptive_field(cols)[-1]


def top_patches(params: Mapping[str, np.ndarray], x: np.ndarray, images: np.ndarray,
                layer: int, channel: int, k: int) -> TopPatches:
    """The ``k`` digits of ``images`` (pixels 0…255; ``x`` the same as network input) whose
    strongest unit of conv ``layer``'s ``channel`` is largest, best first, with the patch
    each unit sees. Raises ValueError for a layer or channel the network lacks."""
    check_unit(params, layer, channel)
    if len(x) == 0:
        raise ValueError("there are no digits to search")
    values, rows, cols = [], [], []
    with one_blas_thread():  # small products: see explorer.core.blas
        for s in range(0, len(x), CHUNK):
            v, r, c = strongest_units(feature_maps(params, x[s:s + CHUNK], layer)[channel])
            values.append(v)
            rows.append(r)
            cols.append(c)
    return rank_patches(np.concatenate(values), np.concatenate(rows), np.concatenate(cols),
                        images, receptive_field(params, layer), k)
