"""The filter grid: each tile its filter, zero mid-grey, its own symmetric scale, in place."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.filter_grid import filter_grid


def test_every_tile_shows_its_filter_on_its_own_symmetric_scale():
    rng = np.random.default_rng(0)
    filters = rng.normal(0, 1, (5, 3, 3, 3))
    filters[1] *= 1000.0  # a strong filter does not wash out the others
    filters[2] = 0.0  # nothing: flat grey
    filters[3] = np.abs(filters[3])  # only positive: its zero is still grey
    grid = filter_grid(filters, columns=3, scale=4, gap=2)
    assert grid.dtype == np.uint8 and grid.shape == (2 + 2 * (12 + 2), 2 + 3 * (12 + 2), 3)
    for n in range(5):
        row, col = divmod(n, 3)
        top, left = 2 + row * 14, 2 + col * 14
        peak = max(abs(float(v)) for v in filters[n].ravel()) or 1.0
        for i in range(12):
            for j in range(12):
                for c in range(3):
                    want = round(128 + 127 * float(filters[n, i // 4, j // 4, c]) / peak)
                    assert int(grid[top + i, left + j, c]) == pytest.approx(want, abs=1), (n, i, j)
    # the white lines between tiles and the empty place after the last tile
    assert (grid[:, :2] == 255).all() and (grid[:2] == 255).all()
    assert (grid[14:16] == 255).all()
    assert (grid[16:28, 30:42] == 255).all()


def test_gray_filters_are_drawn_gray_and_bad_filters_are_refused():
    grid = filter_grid(np.array([[[-1.0, 0.0], [0.5, 1.0]]]), scale=1, gap=0)
    np.testing.assert_array_equal(grid[..., 0], [[1, 128], [192, 255]])
    assert (grid[..., 0] == grid[..., 1]).all() and (grid[..., 1] == grid[..., 2]).all()
    with pytest.raises(ValueError, match="shape"):
        filter_grid(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        filter_grid(np.full((1, 3, 3, 3), np.nan))
