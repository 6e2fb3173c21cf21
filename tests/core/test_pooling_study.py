"""The pooling study: the zoom's survivors against loops over windows, the storage numbers."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.pipeline import LayerSpec
from explorer.core.pooling_study import pooling_study, zoom_windows

GREY = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
LUTS = (GREY, GREY)


def brute_force_windows(plane, size, stride, top, left, rows, cols, mode):
    """Every window of the zoom by hand: its survivor, and where the largest value sits."""
    values = np.zeros((rows, cols))
    where = np.zeros((rows, cols, 2), int)
    for i in range(rows):
        for j in range(cols):
            r0, c0 = (top + i) * stride, (left + j) * stride
            best, best_at, total = None, None, 0.0
            for r in range(r0, r0 + size):
                for c in range(c0, c0 + size):
                    v = float(plane[r][c])
                    total += v
                    if best is None or v > best:  # the first largest in reading order
                        best, best_at = v, (r, c)
            values[i, j] = best if mode == "max" else total / (size * size)
            where[i, j] = best_at
    return values, where


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(("size", "stride", "top", "left"),
                         [(2, 2, 0, 0), (2, 2, 3, 5), (3, 2, 1, 2), (3, 3, 2, 0), (2, 1, 4, 4)])
def test_zoom_survivors_match_a_loop_over_each_window(mode, size, stride, top, left):
    rng = np.random.default_rng(size * 10 + stride)
    plane = rng.integers(-5, 6, size=(23, 29)).astype(np.float32)  # ties happen
    zoom = zoom_windows(plane, size, stride, mode, top, left, windows=4)
    values, where = brute_force_windows(plane, size, stride, top, left, 4, 4, mode)
    assert (zoom.top, zoom.left, zoom.rows, zoom.cols) == (top, left, 4, 4)
    np.testing.assert_allclose(zoom.pooled, values, rtol=1e-6, atol=1e-6)
    if mode == "max":
        np.testing.assert_array_equal(zoom.winners, where)
        for i in range(4):
            for j in range(4):
                r, c = zoom.winners[i, j]
                assert plane[r, c] == values[i, j]
    else:
        assert zoom.winners is None


def test_zoom_moves_back_inside_the_map():
    plane = np.arange(10 * 12, dtype=np.float32).reshape(10, 12)
    zoom = zoom_windows(plane, 2, 2, "max", 99, 99, windows=4)
    assert (zoom.top, zoom.left) == (1, 2)  # 5 × 6 windows: the last four of each
    assert zoom.origin == (2, 4)
    assert zoom.cells.shape == (8, 8)
    assert zoom.window(3, 3) == (8, 10, 10, 12)
    values, _ = brute_force_windows(plane, 2, 2, 1, 2, 4, 4, "max")
    np.testing.assert_array_equal(zoom.pooled, values)


def test_a_negative_corner_centres_the_zoom():
    plane = np.arange(20 * 30, dtype=np.float32).reshape(20, 30)
    zoom = zoom_windows(plane, 2, 2, "avg", -1, -1, windows=4)
    assert (zoom.top, zoom.left) == (3, 5)  # 10 × 15 windows: 4 of them in the middle
    zoom = zoom_windows(plane, 2, 2, "avg", 0, -1, windows=4)
    assert (zoom.top, zoom.left) == (0, 5)


def test_zoom_refuses_a_window_larger_than_the_map():
    with pytest.raises(ValueError, match="larger than the 3×3"):
        zoom_windows(np.zeros((3, 3), np.float32), 4, 4, "max", 0, 0)


def layer(filters, channels, pool_mode="max", size=2, stride=2, seed=0):
    rng = np.random.default_rng(seed)
    return LayerSpec(rng.normal(size=(filters, 3, 3, channels)).astype(np.float32),
                     np.zeros(filters, np.float32), padding="same", pool_mode=pool_mode,
                     pool_size=size, pool_stride=stride)


def test_storage_before_and_after_pooling_counts_every_value_as_four_bytes():
    picture = np.random.default_rng(1).integers(0, 256, (60, 90, 3)).astype(np.uint8)
    study = pooling_study(picture, [layer(8, 3)], 0, 2, (0, 0), "per_map", 255.0, LUTS)
    assert study.before.shape == (60, 90, 8)
    assert study.before.values == 60 * 90 * 8 == 43_200
    assert study.before.bytes == 172_800
    assert study.after.shape == (30, 45, 8)
    assert study.after.values == 10_800 and study.after.bytes == 43_200
    assert study.feature_map.shape == (60, 90) and study.pooled_map.shape == (30, 45)
    assert study.feature_rgb.shape == (60, 90, 3) and study.pooled_rgb.shape == (30, 45, 3)
    assert study.conv_seconds > 0 and study.pool_seconds > 0
    assert study.next_before_seconds > 0 and study.next_after_seconds > 0
    assert "3×3 layer of 8 filters" in study.next_layer


def test_study_of_a_deeper_stage_runs_the_layers_before_it():
    picture = np.random.default_rng(2).integers(0, 256, (40, 48)).astype(np.uint8)
    layers = [layer(4, 1, seed=3), layer(6, 4, "avg", size=3, stride=3, seed=4), layer(2, 6)]
    study = pooling_study(picture, layers, 1, 5, (1, 1), "shared", 255.0, LUTS)
    # layer 1 pools 40×48 to 20×24; layer 2's 3×3 windows, stride 3, give 6×8
    assert study.before.shape == (20, 24, 6) and study.after.shape == (6, 8, 6)
    assert study.filter == 5 and study.zoom.mode == "avg"
    assert study.next_layer.startswith("layer 3")
    values, _ = brute_force_windows(study.feature_map, 3, 3, 1, 1, study.zoom.rows,
                                    study.zoom.cols, "avg")
    np.testing.assert_allclose(study.zoom.pooled, values, rtol=1e-5, atol=1e-4)


def test_colours_share_one_scale_so_a_survivor_keeps_its_colour():
    picture = np.random.default_rng(3).integers(0, 256, (32, 32, 3)).astype(np.uint8)
    study = pooling_study(picture, [layer(2, 3)], 0, 0, (0, 0), "per_map", 255.0, LUTS)
    r, c = study.zoom.winners[1, 2]
    i, j = study.zoom.top + 1, study.zoom.left + 2
    np.testing.assert_array_equal(study.feature_rgb[r, c], study.pooled_rgb[i, j])


def test_a_layer_without_pooling_is_refused_with_a_sentence():
    picture = np.zeros((16, 16), np.uint8)
    with pytest.raises(ValueError, match="layer 1 has no pooling"):
        pooling_study(picture, [layer(2, 1, "none")], 0, 0, (0, 0), "per_map", 255.0, LUTS)
