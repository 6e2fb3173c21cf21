"""The lecture's AlexNet figure from the pretrained network's own weights.

The figure puts the input-space filters of one early layer (block 2's depthwise convolution:
96 colour filters of 11×11, AlexNet's number and size) beside the 32 stem kernels of 3×3 they
are built from. Both become colour tiles as :mod:`explorer.core.filter_grid` draws them: zero
mid-grey, each tile its own symmetric scale. Built on the Network tab's worker; the view only
paints the tiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.filter_grid import filter_tiles
from explorer.core.network.runtime import Network
from explorer.core.network.unit_filters import FILTER_LAYERS


@dataclass(frozen=True, eq=False)
class FilterFigure:
    """One early layer's input-space filters and the stem's kernels, as colour tiles."""

    layer: str  # one of FILTER_LAYERS
    filters: np.ndarray  # (C, k, k, 3) float32: the gradients, in 0…255 input units
    tiles: np.ndarray  # (C, k, k, 3) uint8: each filter on its own symmetric scale
    stem_tiles: np.ndarray  # (32, 3, 3, 3) uint8: the stem's kernels, drawn the same way

    @property
    def field(self) -> int:
        return self.filters.shape[1]

    @property
    def count(self) -> int:
        return len(self.filters)

    def caption(self) -> str:
        """What the figure shows, in one sentence."""
        flat = int(np.count_nonzero(np.abs(self.filters).reshape(self.count, -1).max(axis=1)
                                    == 0))
        dead = (f"; {flat} flat grey: a ReLU6 before them is at its limit on grey, so no "
                "pixel moves them there") if flat else ""
        return (f"{self.layer}: {self.count} input-space filters of {self.field}×{self.field} "
                "pixels (how its centre unit answers each pixel and colour of a mid-grey "
                f"picture; grey is 0, each tile its own scale{dead})")


def resemblance(layer: str, field: int) -> str:
    """Why these filters look like AlexNet's first layer."""
    article = "an" if str(field).startswith("8") or field in (11, 18) else "a"
    alexnet = "as AlexNet's 11×11 filters do" if field == 11 else "AlexNet's see 11×11"
    return (f"Why they look like AlexNet's first layer: a unit of {layer} sees {article} "
            f"{field}×{field} colour patch ({alexnet}), and the same task "
            "(ImageNet) taught both what to look for there: oriented edges and bars at many "
            "angles, light or dark spots and colour-opponent blobs. AlexNet learned them as one "
            "large convolution; this network builds them from the small 3×3 stem kernels on "
            "the left, stacked.")


def filter_figure(net: Network, layer: str) -> FilterFigure:
    """The figure for ``layer`` (one of :data:`FILTER_LAYERS`). Raises NetworkError for a
    layer the network lacks and ValueError for one the figure does not offer."""
    if layer not in FILTER_LAYERS:
        raise ValueError(f"the learned-filter figure shows {', '.join(FILTER_LAYERS)}, "
                         f"not {layer!r}")
    filters = net.unit_filters(layer)
    stem = net.conv_weights("stem")
    return FilterFigure(layer, filters, filter_tiles(filters), filter_tiles(stem))
