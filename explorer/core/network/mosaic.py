"""A layer's feature maps as one picture of tiles, and one map laid over the input.

Plain numbers in, screen pixels out (:func:`explorer.core.display.screen_pixels`), on the
worker thread: the GUI only hands the finished picture to Qt, which copies it as it is.
Up to 1280 channels are tiled, so one picture with one paint is far cheaper than a widget per
map. Colours follow the explorer's rule: signed maps (a block's output has no activation) get a
diverging colormap symmetric about zero, non-negative maps (after ReLU6) a sequential one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from explorer.core.display import rgb_view, screen_pixels
from explorer.core.levels import LEVEL_PERCENTILE, MapLevels, colorize, compute_levels

BACKGROUND = (40, 40, 40)
SAMPLE_VALUES = 65536  # values a layer's colour levels are estimated from


@dataclass(frozen=True, eq=False)
class Mosaic:
    """C maps as square tiles of ``tile`` pixels, ``columns`` to a row, ``gap`` apart."""

    pixels: np.ndarray  # (height, width, 4) uint8 screen pixels
    tile: int
    gap: int
    columns: int
    count: int
    map_shape: tuple[int, int]  # (H, W) of each map
    levels: MapLevels

    @property
    def rgb(self) -> np.ndarray:
        """The mosaic's colours as an (height, width, 3) RGB view."""
        return rgb_view(self.pixels)

    def tile_origin(self, channel: int) -> tuple[int, int]:
        """(x, y) of the top-left pixel of a channel's tile."""
        row, col = divmod(channel, self.columns)
        return col * (self.tile + self.gap), row * (self.tile + self.gap)

    def unit_at(self, x: float, y: float) -> tuple[int, int, int] | None:
        """(channel, row, col) of the map unit under mosaic pixel (x, y); None in a gap."""
        step = self.tile + self.gap
        col, row = int(x // step), int(y // step)
        fx, fy = x - col * step, y - row * step
        channel = row * self.columns + col
        if (x < 0 or y < 0 or col >= self.columns or channel >= self.count
                or fx >= self.tile or fy >= self.tile):
            return None
        h, w = self.map_shape
        return channel, min(h - 1, int(fy * h / self.tile)), min(w - 1, int(fx * w / self.tile))


def mosaic_size(count: int, tile: int, columns: int, gap: int) -> tuple[int, int]:
    """(height, width) in pixels of a mosaic of ``count`` tiles."""
    rows = -(-count // columns)
    return rows * (tile + gap) - gap, columns * (tile + gap) - gap


def channel_levels(maps: np.ndarray, per_channel: bool) -> MapLevels:
    """Colour levels of (H, W, C) maps, as the explorer sets them (see ``core.levels``):
    signed maps symmetric about zero, each map's high value a robust percentile, shared by the
    whole layer unless ``per_channel``. Vectorised over channels: a layer has up to 1280."""
    h, w, count = maps.shape
    flat = maps.reshape(h * w, count)
    ranges = np.stack([flat.min(axis=0), flat.max(axis=0)], axis=1).astype(np.float64)
    signed = bool(ranges[:, 0].min() < 0)
    step = max(1, int(np.sqrt(h * w * count / SAMPLE_VALUES)))
    sample = maps[::step, ::step].reshape(-1, count)
    sample = np.abs(sample) if signed else sample
    rank = min(len(sample) - 1, int(np.ceil(LEVEL_PERCENTILE / 100 * (len(sample) - 1))))
    highs = np.partition(sample, rank, axis=0)[rank].astype(np.float64)
    tops = np.abs(ranges).max(axis=1) if signed else ranges[:, 1]
    highs = np.where(highs > 0, highs, tops)  # a map that is almost all zeros: its maximum
    return compute_levels(ranges, "per_map" if per_channel else "shared", 1.0, highs)


def colour_indices(maps: np.ndarray, levels: MapLevels) -> np.ndarray:
    """(C, H, W) uint8 positions in a colour table: each map's low level → 0, high → 255."""
    lo = levels.levels[:, 0].astype(np.float32)[:, None, None]
    span = (levels.levels[:, 1] - levels.levels[:, 0]).astype(np.float32)[:, None, None]
    scaled = (maps.transpose(2, 0, 1) - lo) * (255.0 / np.where(span > 0, span, 1.0))
    np.clip(scaled, 0.0, 255.0, out=scaled)
    return np.rint(scaled).astype(np.uint8)


@lru_cache(maxsize=4)
def _mosaic_sources(count: int, h: int, w: int, tile: int, columns: int, gap: int
                    ) -> np.ndarray:
    """For each mosaic pixel, the map unit it shows: an index into the C·h·w units laid out
    channel by channel, or C·h·w (one past the last) for the background. Each tile pixel
    takes the unit under its centre (nearest neighbour), so an enlarged unit is a crisp
    block. The same for every frame of a layout, so worked out once."""
    height, width = mosaic_size(count, tile, columns, gap)
    step = tile + gap
    ys, xs = np.arange(height), np.arange(width)
    row, fy = ys // step, ys % step
    col, fx = xs // step, xs % step
    unit_r = np.minimum(((fy + 0.5) * h / tile).astype(np.int64), h - 1)
    unit_c = np.minimum(((fx + 0.5) * w / tile).astype(np.int64), w - 1)
    channel = row[:, None] * columns + col[None, :]
    inside = (fy[:, None] < tile) & (fx[None, :] < tile) & (channel < count)
    index = (channel * h + unit_r[:, None]) * w + unit_c[None, :]
    return np.where(inside, index, count * h * w).astype(np.int32)


def channel_mosaic(maps: np.ndarray, tile: int, columns: int, *, gap: int = 4,
                   per_channel: bool = False, signed_lut: np.ndarray,
                   sequential_lut: np.ndarray) -> Mosaic:
    """Tile the (H, W, C) ``maps``: one ``tile``-pixel square per channel.

    Each tile pixel takes the unit under its centre (nearest neighbour), so an enlarged unit
    is a crisp block. ``per_channel`` gives every map its own colour scale; otherwise the
    layer shares one, so strong and weak channels compare. The maps are coloured at their own
    size (a 1280-channel layer is only 63 000 units), then one lookup per mosaic pixel
    enlarges and places them: per-channel Python loops would cost more than the network.
    """
    h, w, count = maps.shape
    if tile < 1 or columns < 1:
        raise ValueError("a mosaic needs tiles of at least one pixel and one column")
    levels = channel_levels(maps, per_channel)
    lut = signed_lut if levels.signed else sequential_lut
    index = colour_indices(maps, levels).reshape(count * h, w)
    units = screen_pixels(cv2.applyColorMap(index, lut.reshape(256, 1, 3)))
    background = screen_pixels(np.array([[BACKGROUND]], np.uint8))
    colours = np.concatenate([units.reshape(-1, 4), background.reshape(1, 4)])
    sources = _mosaic_sources(count, h, w, tile, columns, gap)
    pixels = colours.view(np.uint32).reshape(-1).take(sources).view(np.uint8)
    pixels = pixels.reshape(*sources.shape, 4)
    return Mosaic(pixels, tile, gap, columns, count, (h, w), levels)


def overlay(picture: np.ndarray, plane: np.ndarray, levels: tuple[float, float],
            lut: np.ndarray, opacity: float = 0.65) -> np.ndarray:
    """One feature map coloured, enlarged to the picture's size and blended over it.

    Enlarged with nearest neighbours: each block is one unit of the map.
    """
    h, w = picture.shape[:2]
    rgb = colorize(np.ascontiguousarray(plane, np.float32), levels, lut)
    big = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_NEAREST)
    return cv2.addWeighted(big, opacity, picture, 1.0 - opacity, 0.0)


def heat_overlay(picture: np.ndarray, heat: np.ndarray, limit: float, lut: np.ndarray,
                 opacity: float = 0.75) -> np.ndarray:
    """A signed heat map (e.g. the drop in probability) over the picture, colours at ±limit.

    Each pixel's colour covers the picture as much as its value is strong: where the value is
    near 0 the picture shows through unchanged, so the eye goes to what matters.
    """
    limit = limit if limit > 0 else 1.0
    heat = np.ascontiguousarray(heat, np.float32)
    rgb = colorize(heat, (-limit, limit), lut).astype(np.float32)
    alpha = (opacity * np.clip(np.abs(heat) / limit, 0.0, 1.0))[:, :, None]
    blended = picture.astype(np.float32) * (1.0 - alpha) + rgb * alpha
    return np.rint(blended).astype(np.uint8)
