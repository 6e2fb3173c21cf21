"""Shrinking maps for their tiles against block means taken with plain loops."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.display import display_planes, shrink, shrink_factor


def block_means(plane: np.ndarray, f: int) -> np.ndarray:
    """The mean of each whole f×f block, rows and columns past the last block dropped."""
    h, w = plane.shape[0] // f, plane.shape[1] // f
    out = np.zeros((h, w))
    for r in range(h):
        for c in range(w):
            total = 0.0
            for i in range(f):
                for j in range(f):
                    total += float(plane[r * f + i, c * f + j])
            out[r, c] = total / (f * f)
    return out


@pytest.mark.parametrize(("shape", "tile", "factor"), [
    ((480, 640), (120, 160), 4),  # exactly four times the tile
    ((480, 640), (130, 160), 3),  # the rows decide: never fewer map pixels than tile pixels
    ((100, 100), (300, 300), 1),  # a small map is never enlarged here
    ((99, 640), (50, 64), 1),  # 99 rows in a 50-row tile: shrinking by 2 would leave 49
    ((480, 640), None, 1), ((480, 640), (0, 160), 1), ((0, 5), (1, 1), 1),
])
def test_shrink_factor_keeps_a_map_pixel_for_every_tile_pixel(shape, tile, factor):
    assert shrink_factor(shape, tile) == factor
    if tile is not None and min(tile) > 0 and min(shape) > 0:
        assert shape[0] // factor >= tile[0] or factor == 1
        assert shape[1] // factor >= tile[1] or factor == 1


@pytest.mark.parametrize("factor", [2, 3, 5])
def test_shrink_is_the_mean_of_each_block(factor):
    plane = np.random.default_rng(factor).normal(size=(23, 31)).astype(np.float32)
    np.testing.assert_allclose(shrink(plane, factor), block_means(plane, factor),
                               rtol=1e-5, atol=1e-5)


def test_shrink_by_one_gives_the_map_itself():
    plane = np.ones((4, 4), np.float32)
    assert shrink(plane, 1) is plane


def test_display_planes_shrinks_every_map_for_its_tile():
    maps = np.random.default_rng(9).normal(size=(60, 90, 5)).astype(np.float32)
    shown = display_planes(maps, (20, 30))
    assert shown.factor == 3 and shown.full_shape == (60, 90) and shown.rgb is None
    assert len(shown.planes) == 5
    for k, plane in enumerate(shown.planes):
        assert plane.flags.c_contiguous and plane.dtype == np.float32
        np.testing.assert_allclose(plane, block_means(maps[:, :, k], 3), rtol=1e-5, atol=1e-5)
    full = display_planes(maps, None)
    assert full.factor == 1
    for k, plane in enumerate(full.planes):
        np.testing.assert_array_equal(plane, maps[:, :, k])
