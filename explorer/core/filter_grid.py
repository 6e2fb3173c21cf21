"""Filters as the lecture shows AlexNet's: a grid of small pictures, zero drawn mid-grey.

Each tile is one filter with its own symmetric scale, shared by its three colours: the value
of largest magnitude goes to black or full colour, zero to mid-grey, so a weak filter's pattern
shows as clearly as a strong one's and the colour of a tile is the colour that excites it.
Tiles are enlarged by a whole factor with every filter pixel a crisp block, as in the figure.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

GAP_COLOUR = (255, 255, 255)  # the figure's white lines between filters
TILE_PIXELS = 66  # about how large one filter is drawn: an 11×11 filter at 6× its size


def tile_scale(filter_side: int, tile_pixels: int = TILE_PIXELS) -> int:
    """The whole enlargement that draws a filter of ``filter_side`` pixels about
    ``tile_pixels`` wide (at least 1)."""
    return max(1, round(tile_pixels / max(1, filter_side)))


def filter_tiles(filters: np.ndarray) -> np.ndarray:
    """(N, k, k, 3) or (N, k, k) filters → (N, k, k, 3) uint8 tiles, each tile's zero at 128
    and its largest magnitude at 0 or 255 (a filter of zeros is flat grey)."""
    f = np.asarray(filters, np.float64)
    if f.ndim == 3:
        f = np.repeat(f[..., None], 3, axis=3)
    if f.ndim != 4 or f.shape[3] not in (1, 3) or 0 in f.shape:
        raise ValueError(f"filters must be (N, k, k, 3) or (N, k, k), not of shape {f.shape}")
    if not np.isfinite(f).all():
        raise ValueError("the filters contain NaN or infinite numbers")
    if f.shape[3] == 1:
        f = np.repeat(f, 3, axis=3)
    peak = np.abs(f).reshape(len(f), -1).max(axis=1)
    scaled = f / np.where(peak > 0, peak, 1.0)[:, None, None, None]  # −1 … 1 per tile
    return np.clip(np.rint(128.0 + 127.0 * scaled), 0, 255).astype(np.uint8)


def filter_grid(filters: np.ndarray, columns: int | None = None, scale: int | None = None,
                gap: int = 2) -> np.ndarray:
    """The filters laid out as a grid of colour tiles: an RGB uint8 picture.

    ``columns`` defaults to a grid about twice as wide as high (AlexNet's 96 filters are 12 ×
    8); ``scale`` to :func:`tile_scale`. Tiles are ``gap`` pixels apart on white, and the
    picture has a ``gap`` border. Raises ValueError for filters of the wrong shape.
    """
    tiles = filter_tiles(filters)
    n, h, w, _ = tiles.shape
    columns = columns if columns is not None else max(1, math.ceil(math.sqrt(2 * n)))
    columns = min(max(1, int(columns)), n)
    scale = scale if scale is not None else tile_scale(max(h, w))
    if scale < 1 or gap < 0:
        raise ValueError("a filter grid needs a scale of at least 1 and a gap of at least 0")
    rows = math.ceil(n / columns)
    th, tw = h * scale, w * scale
    out = np.empty((rows * (th + gap) + gap, columns * (tw + gap) + gap, 3), np.uint8)
    out[:] = GAP_COLOUR
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        y, x = gap + r * (th + gap), gap + c * (tw + gap)
        out[y:y + th, x:x + tw] = cv2.resize(tile, (tw, th), interpolation=cv2.INTER_NEAREST)
    return out
