"""Which units see zero padding, against loops over a picture of ones; colour levels that a
frame of padding stripes cannot set."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.computer import StackComputer, StackRequest
from explorer.core.display import MapStyle
from explorer.core.padding_border import clean_units, interior
from explorer.core.pipeline import LayerSpec
from explorer.core.render import RenderRequest
from tests.reference import conv_loops, pool_loops

GREY = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
VERTICAL_EDGE = np.array([[1, 0, -1]] * 3, np.float32)


def unclean_by_loops(shape: tuple[int, int], specs: list[LayerSpec]) -> list[np.ndarray]:
    """Each stage's feature-map units that see zero padding: with every weight 1 and a
    picture of ones, a unit reaches the full product of its windows' sizes only when no tap
    down to the picture read a padding zero (average pooling keeps a full value only when
    its whole window is full)."""
    x = np.ones((*shape, 1))
    full = 1.0
    out = []
    for spec in specs:
        kh, kw = spec.kernel_shape
        ones = np.ones((1, kh, kw, x.shape[2]), np.float32)
        maps = conv_loops(x, ones, np.zeros(1), spec.stride, spec.padding, spec.pad_mode,
                          spec.dilation, False)
        full *= kh * kw * x.shape[2]
        out.append(maps[:, :, 0] < full - 1e-6)
        x = maps / full  # ones where clean
        if spec.pool_mode != "none":
            x = pool_loops(x, spec.pool_size, spec.pool_stride, "avg")
        full = 1.0
    return out


def _spec(k: int, stride: int, padding, pad_mode: str, dilation: int = 1, pool: str = "none",
          pool_size: int = 2) -> LayerSpec:
    return LayerSpec(np.ones((1, k, k, 1), np.float32), np.zeros(1, np.float32),
                     (stride, stride), padding, pad_mode, (dilation, dilation), False,
                     "identity", pool, pool_size, 2)


@pytest.mark.parametrize("specs", [
    [_spec(3, 1, "same", "zeros")],
    [_spec(3, 1, "valid", "zeros")],
    [_spec(5, 2, "same", "zeros"), _spec(3, 1, "same", "reflect")],
    [_spec(3, 1, "same", "zeros", pool="avg"), _spec(3, 1, "same", "zeros")],
    [_spec(3, 1, "same", "reflect"), _spec(3, 2, "full", "zeros", dilation=2)],
    [_spec(3, 1, (2, 1), "circular"), _spec(2, 1, "same", "zeros", pool="max", pool_size=3)],
    [_spec(3, 1, "same", "zeros"), _spec(3, 1, "same", "replicate"),
     _spec(3, 1, "same", "circular")],
])
def test_the_units_that_see_zero_padding_match_loops(specs):
    shape = (13, 17)
    borders = clean_units(specs, shape)
    for border, want in zip(borders, unclean_by_loops(shape, specs), strict=True):
        got = border.feature_rows[:, None] | border.feature_cols[None, :]
        np.testing.assert_array_equal(got, want)


def test_interior_keeps_the_clean_block_and_falls_back_to_everything():
    maps = np.arange(5 * 6 * 2, dtype=np.float32).reshape(5, 6, 2)
    rows = np.array([True, False, False, False, True])
    cols = np.array([True, True, False, False, False, True])
    np.testing.assert_array_equal(interior(maps, rows, cols), maps[1:4, 2:5])
    assert interior(maps, np.ones(5, bool), cols) is maps  # nothing clean: all of it
    assert interior(maps, rows[:4], cols) is maps  # masks of another size: all of it


def _edge_picture() -> np.ndarray:
    """200 everywhere, 240 right of column 40: a photo's bright frame against the padding
    zeros, and one gentle edge inside (3 × 40 = 120 for the vertical-edge kernel)."""
    picture = np.full((60, 80), 200, np.uint8)
    picture[:, 40:] = 240
    return picture


def test_the_colour_range_comes_from_the_picture_not_the_padding_stripes():
    spec = LayerSpec(VERTICAL_EDGE[None, :, :, None], np.zeros(1, np.float32), (1, 1), "same",
                     "zeros", (1, 1), False, "identity", "none", 2, 2)
    style = MapStyle("per_map", 1.0, GREY, GREY)
    result = StackComputer().compute(StackRequest(
        1, _edge_picture(), (spec,), render=RenderRequest(style, 0, (60, 80))))
    maps = result.stages[0].feature_maps[:, :, 0]
    # the stripes: the left column sees 0 | 200 200 → −600 (3 rows × 200; corners 400)
    assert abs(maps).max() == pytest.approx(720)
    lo, hi = result.display.large.levels.levels[0]
    assert (lo, hi) == pytest.approx((-120, 120))
    assert result.display.large.levels.border == 1


def test_without_padding_nothing_is_left_out_of_the_range():
    spec = LayerSpec(VERTICAL_EDGE[None, :, :, None], np.zeros(1, np.float32), (1, 1), "valid",
                     "zeros", (1, 1), False, "identity", "none", 2, 2)
    style = MapStyle("per_map", 1.0, GREY, GREY)
    result = StackComputer().compute(StackRequest(
        1, _edge_picture(), (spec,), render=RenderRequest(style, 0, (58, 78))))
    assert result.display.large.levels.border == 0
    assert tuple(result.display.large.levels.levels[0]) == pytest.approx((-120, 120))


def _six_by_six(picture: np.ndarray):
    spec = LayerSpec(VERTICAL_EDGE[None, :, :, None], np.zeros(1, np.float32), (1, 1), "same",
                     "zeros", (1, 1), False, "identity", "none", 2, 2)
    style = MapStyle("per_map", 1.0, GREY, GREY)
    return StackComputer().compute(StackRequest(
        1, picture, (spec,), render=RenderRequest(style, 0, (6, 6)))).display.large.levels


def test_a_negative_border_keeps_the_diverging_colours_and_the_inside_sets_the_range():
    picture = np.zeros((6, 6), np.uint8)
    picture[:, :3] = 10  # inside: 0 30 30 0; the left border sees 0 | 10 10: −30
    levels = _six_by_six(picture)
    assert levels.signed
    assert tuple(levels.levels[0]) == pytest.approx((-30, 30))
    assert not levels.all_zero(0)


def test_a_map_zero_inside_but_not_at_its_border_is_not_called_all_zero():
    levels = _six_by_six(np.full((6, 6), 10, np.uint8))  # flat: only the border answers
    assert levels.signed and not levels.all_zero(0)
    assert tuple(levels.levels[0]) == pytest.approx((-30, 30))  # its range from all of it
