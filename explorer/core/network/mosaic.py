"""A layer's feature maps as one picture of tiles, and one map laid over the input.

Plain numbers in, RGB out, on the worker thread: the GUI only hands the finished picture to Qt.
Up to 1280 channels are tiled, so one picture with one paint is far cheaper than a widget per
map. Colours follow the explorer's rule: signed maps (a block's output has no activation) get a
diverging colormap symmetric about zero, non-negative maps (after ReLU6) a sequential one.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from explorer.core.levels import MapLevels, colorize, map_levels

BACKGROUND = (40, 40, 40)


@dataclass(frozen=True, eq=False)
class Mosaic:
    """C maps as square tiles of ``tile`` pixels, ``columns`` to a row, ``gap`` apart."""

    rgb: np.ndarray  # (height, width, 3) uint8
    tile: int
    gap: int
    columns: int
    count: int
    map_shape: tuple[int, int]  # (H, W) of each map
    levels: MapLevels

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


def channel_levels(maps: np.ndarray, per_channel: bool) -> tuple[list[np.ndarray], MapLevels]:
    """(H, W, C) maps as C contiguous planes and their colour levels."""
    planes = list(np.ascontiguousarray(maps.transpose(2, 0, 1)))
    return planes, map_levels(planes, "per_map" if per_channel else "shared", 1.0)


def channel_mosaic(maps: np.ndarray, tile: int, columns: int, *, gap: int = 4,
                   per_channel: bool = False, signed_lut: np.ndarray,
                   sequential_lut: np.ndarray) -> Mosaic:
    """Tile the (H, W, C) ``maps``: one ``tile``-pixel square per channel.

    A map smaller than its tile is enlarged with nearest neighbours, so each unit stays a
    crisp block; a larger one is shrunk by area averaging. ``per_channel`` gives every map its
    own colour scale; otherwise the layer shares one, so strong and weak channels compare.
    """
    h, w, count = maps.shape
    if tile < 1 or columns < 1:
        raise ValueError("a mosaic needs tiles of at least one pixel and one column")
    planes, levels = channel_levels(maps, per_channel)
    lut = signed_lut if levels.signed else sequential_lut
    height, width = mosaic_size(count, tile, columns, gap)
    out = np.empty((height, width, 3), np.uint8)
    out[:] = BACKGROUND
    method = cv2.INTER_NEAREST if tile >= max(h, w) else cv2.INTER_AREA
    for c, plane in enumerate(planes):
        rgb = colorize(plane, (float(levels.levels[c][0]), float(levels.levels[c][1])), lut)
        row, col = divmod(c, columns)
        x, y = col * (tile + gap), row * (tile + gap)
        out[y:y + tile, x:x + tile] = cv2.resize(rgb, (tile, tile), interpolation=method)
    return Mosaic(out, tile, gap, columns, count, (h, w), levels)


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
                 opacity: float = 0.6) -> np.ndarray:
    """A signed heat map (e.g. the drop in probability) blended over the picture, ±limit."""
    limit = limit if limit > 0 else 1.0
    rgb = colorize(np.ascontiguousarray(heat, np.float32), (-limit, limit), lut)
    return cv2.addWeighted(rgb, opacity, picture, 1.0 - opacity, 0.0)
