"""One picture through the network, made ready for the Network tab: a pure request → result.

The tab's worker thread runs :func:`compute_view` for the newest picture: the forward pass,
the top-5, the chosen layer's maps tiled and coloured, and the chosen channel laid over the
picture. The GUI thread only draws the result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from explorer.core.network.mosaic import Mosaic, channel_mosaic, overlay
from explorer.core.network.preprocess import Crop
from explorer.core.network.runtime import TOP_K, Network, Prediction


@dataclass(frozen=True, eq=False)
class ViewRequest:
    """What to show for one picture; ``generation`` orders requests, newest wins."""

    generation: int
    image: np.ndarray  # the source picture: RGB or gray uint8, any size
    layer: str
    tile: int  # px of one channel's tile
    columns: int
    signed_lut: np.ndarray  # (256, 3) uint8 colour tables
    sequential_lut: np.ndarray
    per_channel: bool = False  # each channel its own colour scale
    channel: int | None = None  # the channel to lay over the picture
    frame_time: float = 0.0  # time.perf_counter() when the picture arrived


@dataclass(frozen=True)
class Guess:
    index: int  # ImageNet class index
    label: str  # short name, with the index where two classes share it
    synonyms: tuple[str, ...]
    probability: float


@dataclass(frozen=True, eq=False)
class ViewResult:
    """Everything the tab draws for one picture."""

    request: ViewRequest
    picture: np.ndarray  # (224, 224, 3) uint8: what the network saw
    crop: Crop
    top: list[Guess]
    maps: np.ndarray  # (H, W, C) float32: the layer's feature maps
    mosaic: Mosaic
    overlay: np.ndarray | None  # (224, 224, 3) uint8: the chosen channel over the picture
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def generation(self) -> int:
        return self.request.generation


def compute_view(net: Network, request: ViewRequest, prediction: Prediction | None = None,
                 network_ms: float = 0.0) -> ViewResult:
    """Run the network on the request's picture and draw the layer's maps; ``prediction``:
    the pass already made (with the request's layer among its maps), which took
    ``network_ms``. Raises ValueError."""
    t0 = time.perf_counter() - network_ms / 1e3
    if prediction is None:
        prediction = net.run(request.image, [request.layer])
    t1 = time.perf_counter()
    maps = prediction.maps[request.layer]
    mosaic = channel_mosaic(maps, request.tile, request.columns, per_channel=request.per_channel,
                            signed_lut=request.signed_lut, sequential_lut=request.sequential_lut)
    shown = None
    if request.channel is not None and 0 <= request.channel < maps.shape[2]:
        lut = request.signed_lut if mosaic.levels.signed else request.sequential_lut
        lo, hi = mosaic.levels.levels[request.channel]
        shown = overlay(prediction.picture, maps[:, :, request.channel], (float(lo), float(hi)),
                        lut)
    t2 = time.perf_counter()
    classes = net.classes
    top = [Guess(i, classes.label(i), classes.synonyms[i], float(prediction.probabilities[i]))
           for i in prediction.top(TOP_K)]
    return ViewResult(request, prediction.picture, prediction.crop, top, maps, mosaic, shown,
                      {"network": (t1 - t0) * 1e3, "drawing": (t2 - t1) * 1e3})
