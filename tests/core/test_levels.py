"""Colour levels and colouring of maps against plain loops over the values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explorer.core.levels import (
    LEVEL_PERCENTILE,
    colorize,
    compute_levels,
    map_levels,
)

# a table whose entries are easy to tell apart: entry i is (i, 255 − i, i // 2)
LUT = np.stack([np.arange(256), 255 - np.arange(256), np.arange(256) // 2], axis=1).astype(
    np.uint8)


def colour_loops(plane: np.ndarray, lo: float, hi: float, lut: np.ndarray) -> np.ndarray:
    """Each value clamped to [lo, hi] and mapped linearly onto the table's 256 entries."""
    out = np.zeros((*plane.shape, 3), np.uint8)
    for (r, c), v in np.ndenumerate(plane):
        v = min(max(float(v), lo), hi)
        index = math.floor((v - lo) / (hi - lo) * 255 + 0.5)
        out[r, c] = lut[index]
    return out


def high_loops(values, signed: bool) -> float:
    """The LEVEL_PERCENTILE of |values| (signed) or values, by nearest rank, sorting by hand."""
    ordered = sorted(abs(float(v)) if signed else float(v) for v in np.ravel(values))
    rank = math.ceil(LEVEL_PERCENTILE / 100 * (len(ordered) - 1))
    high = ordered[rank]
    if high <= 0:
        high = ordered[-1] if not signed else max(abs(float(v)) for v in np.ravel(values))
    return high


# --- colouring -----------------------------------------------------------------------------------
@pytest.mark.parametrize("levels", [(0.0, 10.0), (-4.0, 4.0), (2.5, 3.5), (-300.0, -100.0)])
def test_colorize_matches_the_loops(levels):
    rng = np.random.default_rng(1)
    lo, hi = levels
    span = hi - lo
    # values inside, at and beyond both levels, none exactly half-way between two entries
    plane = (rng.uniform(lo - span / 2, hi + span / 2, (9, 13))).astype(np.float32)
    plane[0, :4] = [lo, hi, lo - 1e6, hi + 1e6]
    got = colorize(plane, levels, LUT)
    expected = colour_loops(plane, lo, hi, LUT)
    step = 255 / span
    halfway = np.abs(((plane - lo) * step) % 1 - 0.5) < 1e-3  # rounding may go either way
    diff = np.abs(got.astype(int) - expected.astype(int)).max(axis=-1)
    assert (diff[~halfway] == 0).all()
    assert got.dtype == np.uint8 and got.shape == (9, 13, 3)


def test_a_flat_colour_scale_colours_everything_with_the_low_end():
    plane = np.array([[1.0, 5.0], [-2.0, 9.0]], np.float32)
    np.testing.assert_array_equal(colorize(plane, (3.0, 3.0), LUT),
                                  np.broadcast_to(LUT[0], (2, 2, 3)))


# --- ranges and levels ---------------------------------------------------------------------------
def test_the_signs_and_the_all_zero_maps_come_from_each_maps_whole_range():
    rng = np.random.default_rng(2)
    planes = [np.abs(rng.normal(size=(7, 5))).astype(np.float32) for _ in range(3)]
    planes[1][:] = 0
    levels = map_levels(planes, "per_map", 1.0)
    assert not levels.signed and levels.zero.tolist() == [False, True, False]
    planes[2][6, 4] = -1e-3  # one small negative value, in the last cell a scan reaches
    levels = map_levels(planes, "per_map", 1.0)
    assert levels.signed and levels.zero.tolist() == [False, True, False]


@pytest.mark.parametrize("signed", [False, True])
def test_robust_highs_ignore_the_strongest_few_values(signed):
    rng = np.random.default_rng(3)
    planes = []
    for scale in (1.0, 5.0):
        p = np.abs(rng.normal(size=(40, 50))) * scale
        if signed:
            p *= rng.choice([-1, 1], size=p.shape)
        p[3, 4] = 1e4  # a hot pixel
        planes.append(p.astype(np.float32))
    got = map_levels(planes, "per_map", 1.0).levels
    for k, p in enumerate(planes):
        high = high_loops(p, signed)
        assert got[k].tolist() == pytest.approx([-high if signed else 0.0, high], rel=1e-6)
        assert got[k][1] < 100  # not the hot pixel


def test_a_mostly_zero_map_gets_its_maximum():
    plane = np.zeros((30, 30), np.float32)
    plane[5, 5] = 7.0  # under 0.3 % of the values: the percentile alone would be 0
    assert map_levels([plane], "per_map", 1.0).levels.tolist() == [[0.0, 7.0]]
    assert map_levels([-plane], "per_map", 1.0).levels.tolist() == [[-7.0, 7.0]]


def test_large_maps_are_estimated_from_a_strided_sample():
    plane = np.tile(np.arange(100, dtype=np.float32), (200, 1))  # each column one value
    got = map_levels([plane], "per_map", 1.0, sample=2500).levels[0][1]
    step = int(math.sqrt(plane.size / 2500))  # every 2nd row and column
    assert got == high_loops(plane[::step, ::step], signed=False)


def test_the_three_level_modes():
    ranges = np.array([[0.0, 2.0], [0.0, 8.0], [0.0, 4.0]])
    per_map = compute_levels(ranges, "per_map", 1.0)
    assert per_map.levels.tolist() == [[0, 2], [0, 8], [0, 4]] and not per_map.signed
    assert compute_levels(ranges, "shared", 1.0).levels.tolist() == [[0, 8]] * 3
    assert compute_levels(ranges, "fixed", 3.0).levels.tolist() == [[0, 3]] * 3
    # one negative value anywhere makes every map signed: symmetric levels, one colormap
    signed = compute_levels(np.array([[0.0, 2.0], [-10.0, 1.0]]), "per_map", 1.0)
    assert signed.signed and signed.levels.tolist() == [[-2, 2], [-10, 10]]
    highs = compute_levels(ranges, "per_map", 1.0, highs=np.array([1.0, 0.0, np.nan]))
    assert highs.levels.tolist() == [[0, 1], [0, 1], [0, 1]]  # a flat map still gets a scale


@pytest.mark.parametrize(("mode", "limit", "message"), [
    ("fixed", 0.0, "positive"), ("fixed", float("nan"), "positive"), ("sideways", 1.0, "unknown"),
])
def test_bad_level_settings_are_refused(mode, limit, message):
    with pytest.raises(ValueError, match=message):
        compute_levels(np.zeros((1, 2)), mode, limit)


def test_clipped_share_counts_the_values_beyond_the_fixed_levels():
    rng = np.random.default_rng(5)
    planes = [rng.normal(scale=3, size=(11, 17)).astype(np.float32) for _ in range(2)]
    beyond = sum(1 for p in planes for v in p.ravel() if abs(float(v)) > 2.5)
    total = sum(p.size for p in planes)
    assert map_levels(planes, "fixed", 2.5).clipped == pytest.approx(beyond / total)
    assert map_levels([], "fixed", 2.5).clipped == 0.0


def test_map_levels_puts_it_together():
    rng = np.random.default_rng(6)
    planes = [np.abs(rng.normal(size=(20, 30))).astype(np.float32) * s for s in (1, 3)]
    per_map = map_levels(planes, "per_map", 1.0)
    assert per_map.clipped is None and not per_map.signed
    for k, p in enumerate(planes):
        assert per_map.levels[k].tolist() == pytest.approx([0.0, high_loops(p, False)])
    fixed = map_levels(planes, "fixed", 2.0)
    beyond = sum(1 for p in planes for v in p.ravel() if float(v) > 2.0)
    assert fixed.clipped == pytest.approx(beyond / sum(p.size for p in planes))
    assert fixed.levels.tolist() == [[0, 2], [0, 2]]


@pytest.mark.parametrize("threads", [False, True])
def test_one_signed_map_among_non_negative_ones_sets_the_diverging_levels(monkeypatch,
                                                                          threads):
    """A stack of maps where only one holds negative values: every map is levelled by its
    |values| (the non-negative ones are their own magnitudes), on the engine's threads too."""
    from explorer.core import convolution

    if threads:
        monkeypatch.setattr(convolution, "_PARALLEL_MIN_WORK", 1)
    rng = np.random.default_rng(12)
    planes = [np.abs(rng.normal(size=(30, 40))).astype(np.float32) * s for s in (1, 2, 5)]
    planes[1] = planes[1] - np.float32(1.5)  # the one signed map
    planes.append(np.zeros((30, 40), np.float32))  # an all-zero map: a placeholder scale
    levels = map_levels(planes, "per_map", 1.0)
    assert levels.signed
    for k, p in enumerate(planes[:3]):
        high = high_loops(p, True)
        assert levels.levels[k].tolist() == pytest.approx([-high, high])
    assert levels.levels[3].tolist() == [-1.0, 1.0] and levels.all_zero(3)
    shared = map_levels(planes, "shared", 1.0)
    top = max(high_loops(p, True) for p in planes[:3])
    np.testing.assert_allclose(shared.levels, [[-top, top]] * 4, rtol=1e-6)
