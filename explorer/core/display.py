"""Maps and pictures made ready for the screen, off the GUI thread.

A 1280×720 feature map shown in a 300-pixel tile needs only every fourth pixel's worth of
data. It is shrunk by a whole factor first (the mean of each block, OpenCV's fast integer
INTER_AREA path), then, if still larger, to the exact pixels its tile shows (:func:`to_exact`:
by less than half, bilinearly). Colours end as the screen's own 32-bit pixels
(:func:`screen_pixels`), which a painter copies as they are: an 8-bit RGB or grey picture
would be converted again on every paint (docs/architecture.md, "Speed").
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import cv2
import numpy as np

# 32-bit pixels 0xffRRGGBB in the machine's byte order: what Qt calls Format_RGB32
_LITTLE = sys.byteorder == "little"


def screen_pixels(image: np.ndarray) -> np.ndarray:
    """A uint8 RGB (H, W, 3) or grey (H, W) picture as (H, W, 4) uint8 screen pixels: the
    32-bit value 0xffRRGGBB each, in this machine's byte order."""
    img = np.asarray(image)
    if img.dtype != np.uint8 or not (img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 3)):
        raise ValueError(f"screen pixels are made from uint8 RGB or grey, not {img.dtype} "
                         f"{img.shape}")
    if _LITTLE:
        code = cv2.COLOR_GRAY2BGRA if img.ndim == 2 else cv2.COLOR_RGB2BGRA
        return cv2.cvtColor(np.ascontiguousarray(img), code)
    rgb = np.repeat(img[:, :, None], 3, axis=2) if img.ndim == 2 else img
    out = np.empty((*img.shape[:2], 4), np.uint8)
    out[:, :, 0] = 255
    out[:, :, 1:] = rgb
    return out


def rgb_view(pixels: np.ndarray) -> np.ndarray:
    """The red, green and blue of screen pixels as an (H, W, 3) view (no copy)."""
    return pixels[:, :, 2::-1] if _LITTLE else pixels[:, :, 1:]


def shown_size(shape: tuple[int, int], tile: tuple[int, int] | None) -> tuple[int, int]:
    """(rows, cols) of screen pixels a (rows, cols) map takes in a tile of ``tile`` pixels
    (its aspect kept); never more than the map's own size."""
    h, w = shape
    if tile is None or min(tile) < 1 or h < 1 or w < 1:
        return h, w
    scale = min(tile[0] / h, tile[1] / w)
    if scale >= 1:
        return h, w
    return max(1, min(h, round(h * scale))), max(1, min(w, round(w * scale)))


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
    """K maps shrunk for their tiles, each a C-contiguous float32 plane.

    ``factor`` is the whole factor of the first shrink (1: none); ``covered`` the (rows,
    cols) of the map the planes span (the rows and columns past the last whole block are cut
    off, less than a screen pixel).
    """

    factor: int
    full_shape: tuple[int, int]
    planes: list[np.ndarray]
    pixels: list[np.ndarray] | None = None  # the planes coloured, as screen pixels
    covered: tuple[int, int] | None = None  # None: the whole map

    @property
    def rgb(self) -> list[np.ndarray] | None:
        """The colours of ``pixels`` as (H, W, 3) RGB views."""
        return None if self.pixels is None else [rgb_view(p) for p in self.pixels]

    @property
    def extent(self) -> tuple[int, int]:
        """(rows, cols) of the map the shown planes cover."""
        return self.covered if self.covered is not None else self.full_shape


@dataclass(frozen=True, eq=False)
class MapStyle:
    """How the panels colour maps: the document's level mode and the two colour tables."""

    levels: str  # "per_map", "shared" or "fixed"
    fixed_limit: float
    signed_lut: np.ndarray  # (256, 3) uint8, diverging
    sequential_lut: np.ndarray  # (256, 3) uint8, for non-negative maps


def map_planes(maps: np.ndarray) -> list[np.ndarray]:
    """(H, W, K) maps as K C-contiguous float32 (H, W) planes.

    The engine lays its maps out map by map (``convolution.empty_feature_maps``): the planes
    are then views, nothing is copied. Maps stored channel-last hold one plane in every K-th
    value: copying planes one by one would read the whole stack K times over, so one
    transpose of the (H·W, K) matrix reads it once.
    """
    maps = np.asarray(maps, dtype=np.float32)
    h, w, k = maps.shape
    planes = [maps[:, :, i] for i in range(k)]
    if all(p.flags.c_contiguous for p in planes):
        return planes
    if k == 1:
        return [np.ascontiguousarray(planes[0])]
    if h * w == 0:
        return [np.zeros((h, w), np.float32) for _ in range(k)]
    stack = cv2.transpose(np.ascontiguousarray(maps).reshape(h * w, k)).reshape(k, h, w)
    return list(stack)


def shrink_to(plane: np.ndarray, factor: int, exact: tuple[int, int]) -> np.ndarray:
    """``plane`` shrunk by a whole ``factor``, then, if still larger, to the ``exact`` (rows,
    cols) (:func:`shrink_factor`, :func:`shown_size`)."""
    return to_exact(shrink(plane, factor), exact)


def to_exact(small: np.ndarray, exact: tuple[int, int]) -> np.ndarray:
    """A picture already shrunk by the whole factor :func:`shrink_factor` gives, to the
    ``exact`` (rows, cols) it is shown at.

    What is left is a shrink by less than half, so bilinear resampling (each pixel from the
    2×2 nearest, at OpenCV's pixel centres) still draws on every pixel; INTER_AREA at a
    fractional scale cost ten times as much (a 640×480 frame to a 333-pixel view: 1.9 ms
    against 0.2).
    """
    if small.shape[0] <= exact[0] and small.shape[1] <= exact[1]:
        return small
    return cv2.resize(small, (exact[1], exact[0]), interpolation=cv2.INTER_LINEAR)


def picture_levels(image: np.ndarray, own_range: bool) -> tuple[float, float]:
    """The picture values shown black and white: its own min and max (``own_range``), 0–1
    for a float picture scaled to 0..1, else 0–255."""
    img = np.asarray(image)
    if own_range and img.size:
        lo, hi = float(np.min(img)), float(np.max(img))
        return (lo, hi) if hi > lo else (lo, lo + 1.0)
    if img.dtype != np.uint8 and img.size and float(np.max(img)) <= 1.0:
        return 0.0, 1.0
    return 0.0, 255.0


def grey_levels(image: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """The picture as uint8 with ``levels`` mapped to 0 and 255 (uint8 0–255 as it is)."""
    img = np.asarray(image)
    lo, hi = levels
    if img.dtype == np.uint8 and (lo, hi) == (0.0, 255.0):
        return img
    alpha = 255.0 / (hi - lo)
    return cv2.convertScaleAbs(np.ascontiguousarray(img, np.float32), alpha=alpha,
                               beta=-lo * alpha)


@dataclass(frozen=True, eq=False)
class PictureDisplay:
    """A layer's input picture as the input view shows it when it shows all of it."""

    levels: tuple[float, float]  # the picture values shown black and white
    pixels: np.ndarray  # (h, w, 4) screen pixels
    full_shape: tuple[int, int]  # (rows, cols) of the picture
    covered: tuple[int, int]  # (rows, cols) of the picture the pixels span
    own_range: bool  # shaded over its own range (else 0–255, or 0–1 for a 0..1 picture)


def picture_display(image: np.ndarray, tile: tuple[int, int] | None,
                    own_range: bool = False) -> PictureDisplay:
    """The picture (H, W) or (H, W, C≥3, first three shown) shrunk to the ``tile`` (rows,
    cols) screen pixels it is shown at, in grey levels of its range, as screen pixels."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    elif img.ndim == 3:
        img = img[:, :, :3]
    h, w = img.shape[:2]
    levels = picture_levels(img, own_range)
    factor = shrink_factor((h, w), tile)
    exact = shown_size((h, w), tile)
    small = np.ascontiguousarray(img)
    if factor > 1:
        small = shrink(small, factor)
    small = to_exact(small, exact)
    return PictureDisplay(levels, screen_pixels(grey_levels(small, levels)), (h, w),
                          (h // factor * factor, w // factor * factor), own_range)
