"""Reading exported pictures as a viewer would: colour bars, colours present, backgrounds."""

from __future__ import annotations

import numpy as np

from explorer.core import images


def load(path) -> np.ndarray:
    """An exported picture as RGB uint8."""
    picture = images.load_image(path)
    assert picture.ndim == 3, "an export is a colour picture"
    return picture


def _codes(rgb: np.ndarray) -> np.ndarray:
    rgb = rgb.astype(np.int64)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def lut_index(picture: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """(H, W) index of each pixel's colour in the colour table, -1 where it is not in it."""
    codes = _codes(lut)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    pixels = _codes(picture)
    at = np.clip(np.searchsorted(sorted_codes, pixels), 0, len(codes) - 1)
    return np.where(sorted_codes[at] == pixels, order[at], -1)


def colour_bars(picture: np.ndarray, lut: np.ndarray, min_width: int = 40
                ) -> list[tuple[int, int, int, int]]:
    """Every colour bar in the picture as (top, bottom, left, right) pixel bounds.

    A bar row is a run of at least ``min_width`` pixels whose colours walk through the whole
    colour table in order, from its first entries to its last; rows of one bar lie on top of
    each other with the same ends.
    """
    index = lut_index(picture, lut)
    runs: dict[tuple[int, int], list[int]] = {}
    for y in range(index.shape[0]):
        row = index[y]
        x = 0
        while x < row.size:
            if row[x] < 0:
                x += 1
                continue
            end = x
            while end + 1 < row.size and row[end + 1] >= 0 and row[end + 1] >= row[end] - 2:
                end += 1
            run = row[x:end + 1]
            if run.size >= min_width and run[0] <= 8 and run[-1] >= 247 \
                    and len(np.unique(run)) >= min(run.size, 256) // 2:
                runs.setdefault((x, end), []).append(y)
            x = end + 1
    bars = []
    for (left, right), rows in runs.items():
        start = rows[0]
        for prev, y in zip(rows, [*rows[1:], None], strict=True):
            if y is None or y != prev + 1:
                bars.append((start, prev, left, right))
                if y is not None:
                    start = y
    return sorted(bars)


def has_colour(picture: np.ndarray, rgb, tolerance: int = 0) -> bool:
    diff = np.abs(picture.astype(int) - np.asarray(rgb, int)).max(axis=-1)
    return bool((diff <= tolerance).any())


def near(picture: np.ndarray, rgb, tolerance: int = 60) -> np.ndarray:
    """Mask of pixels within ``tolerance`` of a colour (text is anti-aliased)."""
    return np.abs(picture.astype(int) - np.asarray(rgb, int)).max(axis=-1) <= tolerance
