"""Which colormap a feature map gets: diverging for signed maps, perceptual for the rest.

The document's ``display.colour_map`` can ask for grey instead ("grey"): black at the low
level, white at the high one (mid-grey at zero for signed maps), the way image processing shows
a filter's output, so a blurred photo looks like a blurred photo.

Signed maps (any negative value: identity, tanh, an edge filter's raw response) get a
diverging colormap with levels symmetric about zero, so zero is always the neutral middle
colour and the sign reads at a glance. Non-negative maps (after ReLU) get a perceptual
sequential colormap from zero up. The levels themselves are computed in
:mod:`explorer.core.levels` (re-exported here), off the GUI thread for live frames.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyqtgraph as pg

from explorer.core.levels import (
    LEVEL_PERCENTILE,
    MapLevels,
    colorize,
    compute_levels,
)

__all__ = [
    "DIVERGING",
    "GREY",
    "LEVEL_PERCENTILE",
    "SEQUENTIAL",
    "MapLevels",
    "colorize",
    "colormap",
    "compute_levels",
    "lookup_table",
]

DIVERGING = "CET-D1A"  # blue – white – red, perceptually even on both sides of zero
SEQUENTIAL = "viridis"
GREY = "grey"  # the document's display.colour_map for black-to-white maps


@cache
def colormap(signed: bool, scheme: str = "auto") -> pg.ColorMap:
    """The diverging colormap for signed maps, the sequential one for non-negative maps; or
    black to white for either when ``scheme`` is "grey"."""
    if scheme == GREY:
        return pg.ColorMap([0.0, 1.0], [(0, 0, 0), (255, 255, 255)], name=GREY)
    return pg.colormap.get(DIVERGING if signed else SEQUENTIAL)


@cache
def lookup_table(signed: bool, scheme: str = "auto") -> np.ndarray:
    """The colormap as a (256, 3) uint8 table, index 0 at the low level."""
    lut = colormap(signed, scheme).getLookupTable(nPts=256, alpha=False)
    return np.ascontiguousarray(lut, dtype=np.uint8)
