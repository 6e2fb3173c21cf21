"""Maps made ready for the screen, off the GUI thread.

A 1280×720 feature map shown in a 300-pixel tile needs only every fourth pixel's worth of
data. Shrinking by a whole factor (the mean of each block, OpenCV's fast integer INTER_AREA
path) on the compute worker keeps the GUI thread's share of a live frame small.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from explorer.core.convolution import share_out


def shrink_factor(shape: tuple[int, int], tile: tuple[int, int] | None) -> int:
    """Whole factor to shrink a (rows, cols) map by so it keeps ≥ 1 pixel per tile pixel."""
    if tile is None:
        return 1
    th, tw = tile
    if th < 1 or tw < 1 or shape[0] <= 0 or shape[1] <= 0:
        return 1
    return max(1, int(min(shape[0] / th, shape[1] / tw)))


def shrink(plane: np.ndarray, factor: int) -> np.ndarray:
    """Mean of each ``factor × factor`` block; rows and columns past the last block dropped.

    Cropping to whole blocks keeps OpenCV on its integer INTER_AREA path (about ten times
    faster than an arbitrary scale).
    """
    if factor <= 1:
        return plane
    h, w = plane.shape[0] // factor, plane.shape[1] // factor
    return cv2.resize(plane[: h * factor, : w * factor], (w, h), interpolation=cv2.INTER_AREA)


@dataclass(frozen=True, eq=False)
class DisplayPlanes:
    """K maps shrunk by ``factor`` for their tiles, each a C-contiguous float32 plane."""

    factor: int
    full_shape: tuple[int, int]
    planes: list[np.ndarray]
    rgb: list[np.ndarray] | None = None  # the planes coloured, when a MapStyle was given


@dataclass(frozen=True, eq=False)
class MapStyle:
    """How the panels colour maps: the document's level mode and the two colour tables."""

    levels: str  # "per_map", "shared" or "fixed"
    fixed_limit: float
    signed_lut: np.ndarray  # (256, 3) uint8, diverging
    sequential_lut: np.ndarray  # (256, 3) uint8, for non-negative maps


def display_planes(maps: np.ndarray, tile: tuple[int, int] | None) -> DisplayPlanes:
    """(H, W, K) maps as K planes shrunk for tiles of ``tile`` (rows, cols) screen pixels."""
    h, w, k = maps.shape
    factor = shrink_factor((h, w), tile)
    planes: list[np.ndarray] = [np.empty(0, np.float32)] * k

    def work(indices: range) -> None:
        for i in indices:
            plane = maps[:, :, i]
            if not plane.flags.c_contiguous:
                plane = np.ascontiguousarray(plane)
            planes[i] = shrink(plane, factor)

    if factor > 1:
        share_out(work, k, h * w * k)  # OpenCV releases the GIL: both cores shrink
    else:
        work(range(k))
    return DisplayPlanes(factor, (h, w), planes)
