"""Shrinking maps for their tiles against block means taken with plain loops."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.convolution import empty_feature_maps
from explorer.core.display import (
    DisplayPlanes,
    MapStyle,
    map_planes,
    picture_display,
    rgb_view,
    screen_pixels,
    shown_size,
    shrink,
    shrink_factor,
)
from explorer.core.pipeline import LayerSpec, StageResult
from explorer.core.render import RenderRequest, render
from tests.reference import bilinear_loops

GREY = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)


def display_planes(maps: np.ndarray, tile: tuple[int, int] | None) -> DisplayPlanes:
    """The (H, W, K) maps as the render step shows them large in tiles of ``tile`` pixels."""
    k = maps.shape[2]
    spec = LayerSpec(np.ones((k, 1, 1, 1), np.float32), np.zeros(k, np.float32),
                     activation="identity", pool_mode="none")  # 1×1, unpadded: no border
    stage = StageResult(0, spec, maps[:, :, :1], maps, maps, None)
    request = RenderRequest(MapStyle("per_map", 1.0, GREY, GREY), 0, tile)
    return render([stage], request).large.feature


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
    assert shown.factor == 3 and shown.full_shape == (60, 90)
    assert len(shown.planes) == 5
    for k, plane in enumerate(shown.planes):
        assert plane.flags.c_contiguous and plane.dtype == np.float32
        np.testing.assert_allclose(plane, block_means(maps[:, :, k], 3), rtol=1e-5, atol=1e-5)
    full = display_planes(maps, None)
    assert full.factor == 1
    for k, plane in enumerate(full.planes):
        np.testing.assert_array_equal(plane, maps[:, :, k])


@pytest.mark.parametrize(("shape", "tile", "shown"), [
    ((60, 90), (20, 30), (20, 30)),  # the tile's own aspect: all of it
    ((60, 90), (25, 30), (20, 30)),  # taller tile: the columns decide
    ((480, 640), (130, 500), (130, 173)),  # 173.3 columns round to 173
    ((10, 12), (300, 300), (10, 12)),  # never enlarged
    ((60, 90), None, (60, 90)),
])
def test_shown_size_fits_the_map_in_its_tile(shape, tile, shown):
    assert shown_size(shape, tile) == shown


def test_display_planes_end_at_the_exact_pixels_of_the_tile():
    maps = np.random.default_rng(3).normal(size=(50, 75, 2)).astype(np.float32)
    shown = display_planes(maps, (18, 27))  # 2.78×: a block of 2, then 25×37 → 18×27
    assert shown.factor == 2 and shown.covered == (50, 74) and shown.extent == (50, 74)
    for k, plane in enumerate(shown.planes):
        assert plane.shape == (18, 27) and plane.flags.c_contiguous
        expected = bilinear_loops(block_means(maps[:, :, k], 2), (18, 27))
        np.testing.assert_allclose(plane, expected, rtol=1e-4, atol=1e-4)


def test_screen_pixels_hold_the_picture_and_its_colours_read_back():
    rgb = np.random.default_rng(4).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    pixels = screen_pixels(rgb)
    assert pixels.shape == (5, 7, 4) and pixels.dtype == np.uint8
    np.testing.assert_array_equal(rgb_view(pixels), rgb)
    # each pixel is the 32-bit value 0xffRRGGBB in the machine's own byte order
    words = pixels.view(np.uint32)[:, :, 0]
    r, g, b = (rgb[:, :, i].astype(np.uint32) for i in range(3))
    np.testing.assert_array_equal(words, 0xFF000000 | (r << 16) | (g << 8) | b)
    grey = screen_pixels(rgb[:, :, 0])
    np.testing.assert_array_equal(rgb_view(grey), np.repeat(rgb[:, :, :1], 3, axis=2))
    with pytest.raises(ValueError, match="uint8"):
        screen_pixels(rgb.astype(np.float32))


def test_picture_display_shrinks_the_input_to_its_view_in_its_grey_levels():
    picture = np.random.default_rng(5).integers(0, 256, (40, 60), dtype=np.uint8)
    shown = picture_display(picture, (10, 15))
    assert shown.levels == (0.0, 255.0) and shown.full_shape == (40, 60)
    assert shown.covered == (40, 60) and shown.pixels.shape == (10, 15, 4)
    expected = block_means(picture, 4)
    got = rgb_view(shown.pixels)[:, :, 0].astype(float)
    assert np.abs(got - expected).max() <= 0.5 + 1e-9  # rounded to whole grey levels
    # 1.6× smaller than its view: no whole block, every view pixel from the 2×2 around it
    shown = picture_display(picture, (25, 37))
    assert shown.pixels.shape == (25, 37, 4) and shown.covered == (40, 60)
    got = rgb_view(shown.pixels)[:, :, 0].astype(float)
    assert np.abs(got - bilinear_loops(picture, (25, 37))).max() <= 1.0  # 8-bit weights
    dark = np.zeros((6, 6), np.uint8)
    dark[:, :3] = 10  # the lecture's picture of 10s and 0s, over its own range
    own = picture_display(dark, (60, 60), own_range=True)
    assert own.levels == (0.0, 10.0) and own.own_range
    assert (rgb_view(own.pixels)[:, :3] == 255).all() and (rgb_view(own.pixels)[:, 3:] == 0).all()


@pytest.mark.parametrize("k", [1, 5])
def test_map_planes_are_views_of_planar_maps_and_copies_of_channel_last_ones(k):
    rng = np.random.default_rng(k)
    planar = empty_feature_maps(7, 9, k)
    planar[...] = rng.normal(size=(7, 9, k))
    channel_last = np.ascontiguousarray(rng.normal(size=(7, 9, k)).astype(np.float32))
    # one channel-last map is a plane already; more are every k-th value: copied
    for maps, shared in ((planar, True), (channel_last, k == 1)):
        planes = map_planes(maps)
        assert len(planes) == k
        for i, plane in enumerate(planes):
            assert plane.shape == (7, 9) and plane.flags.c_contiguous
            assert np.shares_memory(plane, maps) == shared
            for r in range(7):
                for c in range(9):
                    assert plane[r, c] == maps[r, c, i]
