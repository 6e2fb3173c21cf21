"""The maps panel: tiles, colours, levels, pooled grid, hover readout and tile selection."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from explorer.core import kernels
from explorer.core.computer import StackComputer, StackRequest, StackResult
from explorer.core.display import DisplayPlanes, screen_pixels
from explorer.core.levels import map_levels
from explorer.core.pipeline import LayerSpec, StageResult
from explorer.core.render import RenderRequest, render
from explorer.state import Document
from explorer.ui.panels.maps_panel import MapsPanel, reduction_text
from explorer.ui.widgets.colormaps import (
    DIVERGING,
    LEVEL_PERCENTILE,
    SEQUENTIAL,
    compute_levels,
)
from explorer.ui.widgets.map_grid import MapGrid, best_columns, fit_titles
from explorer.ui.widgets.readout_view import format_value
from tests.reference import bilinear_at

pg.setConfigOptions(imageAxisOrder="row-major")


def _picture(h: int = 40, w: int = 60) -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.integers(0, 256, (h, w, 3)).astype(np.uint8)


def _render(panel: MapsPanel) -> RenderRequest:
    """What the controller would ask the render step for, for this panel now."""
    return RenderRequest(panel.map_style(), panel.document.selected_index, panel.feature_tile(),
                         panel.pooled_tile(), panel.strip_tiles())


def _result(panel: MapsPanel, image: np.ndarray | None = None, generation: int = 1
            ) -> StackResult:
    """The document's stack on a picture, rendered for the panel as the controller would."""
    image = _picture() if image is None else image
    return StackComputer().compute(StackRequest(
        generation, image, panel.document.stack_specs(), render=_render(panel)))


def _synthetic(panel: MapsPanel, maps: np.ndarray, pooled: np.ndarray | None = None
               ) -> StackResult:
    """A result with hand-made maps (the level and colour tests need known values)."""
    h, w, k = maps.shape
    spec = LayerSpec(weights=np.zeros((k, 1, 1, 1), np.float32), bias=np.zeros(k, np.float32),
                     pool_mode="none" if pooled is None else "max")
    maps = maps.astype(np.float32)
    picture = np.zeros((h, w), np.uint8)
    stage = StageResult(0, spec, picture[:, :, None], maps, maps, pooled)
    request = StackRequest(1, picture, (spec,))
    return StackResult(1, request, picture, (stage,), {}, render([stage], _render(panel)))


def _fm(result: StackResult) -> np.ndarray:
    return result.stages[0].feature_maps


def _pooled(result: StackResult) -> np.ndarray:
    return result.stages[0].pooled


def _planes(maps: list[np.ndarray], lut_signed: bool = False) -> DisplayPlanes:
    from explorer.core.levels import colorize
    from explorer.ui.widgets.colormaps import lookup_table

    pixels = [screen_pixels(colorize(m, (0.0, 1.0), lookup_table(lut_signed))) for m in maps]
    return DisplayPlanes(1, maps[0].shape, list(maps), pixels)


@pytest.fixture
def panel(qtbot):
    doc = Document()
    p = MapsPanel(doc)
    qtbot.addWidget(p)
    p.resize(1000, 800)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.cleanup()


def _levels(panel: MapsPanel, k: int) -> tuple[float, float]:
    lo, hi = panel.feature_grid.tile_levels(k)
    return float(lo), float(hi)


# --- tiles and layout --------------------------------------------------------------------

def test_one_titled_tile_per_filter(panel):
    doc = panel.document
    result = _result(panel)
    panel.show_result(result)
    h, w, k = _fm(result).shape
    assert panel.feature_grid.tile_count == k == doc.layer.n_filters
    human = [kernels.get(n).label for n in doc.filters.names()]  # "Vertical edge"
    assert panel.feature_grid.titles() == [f"{n} · {w}×{h}" for n in human]
    ph, pw = _pooled(result).shape[:2]
    assert panel.pooled_grid.titles() == [f"{n} · {pw}×{ph}" for n in human]


def test_relayout_when_the_filter_count_changes(panel, qtbot):
    doc = panel.document
    panel.show_result(_result(panel))
    assert panel.feature_grid.tile_count == 4
    doc.layer.n_filters = 9
    panel.show_result(_result(panel, generation=2))
    grid = panel.feature_grid
    assert grid.tile_count == 9
    assert len(grid.titles()) == 9 and all(grid.titles())
    # every tile sits in the layout, in a distinct cell, within the chosen columns
    cells = {grid.view_box(k).parentItem() for k in range(9)}
    assert len(cells) == 9
    assert 1 <= grid.columns <= 9
    doc.layer.n_filters = 2
    panel.show_result(_result(panel, generation=3))
    assert grid.tile_count == 2


def test_columns_follow_the_panel_shape():
    # 16 square maps: a wide strip wants one row, a tall one few columns
    assert best_columns(16, 100, 100, 1600, 200) == 16
    assert best_columns(16, 100, 100, 1600, 500) == 8
    assert best_columns(16, 100, 100, 200, 1600) == 2
    assert best_columns(16, 100, 100, 800, 800) == 4
    assert best_columns(1, 100, 100, 800, 800) == 1
    # wide 640×427 maps in a 1280×720-like area
    assert best_columns(4, 427, 640, 600, 500) == 2


def test_resizing_relays_out(qtbot):
    grid = MapGrid()
    qtbot.addWidget(grid)
    grid.resize(1400, 250)
    grid.show()
    planes = [np.zeros((50, 50), np.float32)] * 8
    grid.set_maps(_planes(planes), [f"map {k}" for k in range(8)], np.tile([0.0, 1.0], (8, 1)),
                  False)
    assert grid.columns == 8
    grid.resize(250, 1400)
    qtbot.waitUntil(lambda: grid.columns == 1)
    assert grid.tile_count == 8


def test_titles_fit_narrow_tiles(qtbot):
    long = ["a_rather_long_filter_name · 427×640", "sobel_x · 427×640"]
    assert fit_titles(long, 2000) == long
    short = fit_titles(long, 90)
    assert short[1] == "sobel_x"  # every tile drops the size once one title is too wide
    assert short[0].endswith("…") and short[0].startswith("a_rather")
    grid = MapGrid()
    qtbot.addWidget(grid)
    grid.resize(300, 200)
    grid.show()
    planes = [np.zeros((427, 640), np.float32)] * 2
    grid.set_maps(_planes(planes), long, np.tile([0.0, 1.0], (2, 1)), False)
    qtbot.waitUntil(lambda: grid.shown_titles() != long)
    assert grid.titles() == long  # the full titles stay known (tooltips, tests)


# --- colour ------------------------------------------------------------------------------

def _lut_of(panel: MapsPanel, k: int) -> str:
    cmap = panel.feature_grid.colormap()
    for name in (DIVERGING, SEQUENTIAL):
        if np.array_equal(cmap.getLookupTable(nPts=16), pg.colormap.get(name).getLookupTable(
                nPts=16)):
            return name
    return "other"


def test_signed_maps_get_a_diverging_colormap_and_symmetric_levels(panel):
    maps = np.zeros((8, 8, 2), np.float32)
    maps[0, 0, 0], maps[1, 1, 0] = -3.0, 1.0
    maps[2, 2, 1] = 5.0
    panel.show_result(_synthetic(panel, maps))
    assert _lut_of(panel, 0) == _lut_of(panel, 1) == DIVERGING
    assert _levels(panel, 0) == (-3.0, 3.0)
    assert _levels(panel, 1) == (-5.0, 5.0)


def test_non_negative_maps_get_a_sequential_colormap(panel):
    maps = np.zeros((8, 8, 2), np.float32)
    maps[0, 0, 0], maps[3, 3, 1] = 2.0, 6.0
    panel.show_result(_synthetic(panel, maps))
    assert _lut_of(panel, 0) == _lut_of(panel, 1) == SEQUENTIAL
    assert _levels(panel, 0) == (0.0, 2.0)
    assert _levels(panel, 1) == (0.0, 6.0)


def test_relu_result_is_sequential_identity_is_diverging(panel):
    doc = panel.document
    doc.filters.set_filter(0, np.array([[1, 0, -1]] * 3, np.float32))
    panel.show_result(_result(panel))
    assert _lut_of(panel, 0) == SEQUENTIAL
    doc.layer.activation = "identity"
    panel.show_result(_result(panel, generation=2))
    assert _lut_of(panel, 0) == DIVERGING


def test_level_modes(panel):
    doc = panel.document
    maps = np.zeros((10, 10, 3), np.float32)
    maps[:, :, 0] = np.linspace(0, 2, 100).reshape(10, 10)
    maps[:, :, 1] = np.linspace(0, 8, 100).reshape(10, 10)
    maps[:, :, 2] = np.linspace(0, 4, 100).reshape(10, 10)
    panel.show_result(_synthetic(panel, maps))
    assert [_levels(panel, k) for k in range(3)] == [(0, 2), (0, 8), (0, 4)]
    doc.display.levels = "shared"  # a new request: the render step takes the new levels
    panel.show_result(_synthetic(panel, maps))
    assert [_levels(panel, k) for k in range(3)] == [(0, 8)] * 3
    doc.display.fixed_limit = 3.0
    doc.display.levels = "fixed"
    panel.show_result(_synthetic(panel, maps))
    assert [_levels(panel, k) for k in range(3)] == [(0, 3)] * 3
    maps[0, 0, 2] = -1.0  # now signed: fixed levels become ±limit
    panel.show_result(_synthetic(panel, maps))
    assert [_levels(panel, k) for k in range(3)] == [(-3, 3)] * 3
    assert tuple(panel.feature_grid.colorbar().levels()) == (-3.0, 3.0)


def test_toolbar_writes_the_document_and_follows_it(panel):
    doc = panel.document
    panel.level_buttons["shared"].click()
    assert doc.display.levels == "shared"
    doc.display.levels = "fixed"
    assert panel.level_buttons["fixed"].isChecked()
    assert not panel.level_buttons["shared"].isChecked()
    assert panel.limit_spin.isEnabled()
    panel.limit_spin.setValue(12.5)
    assert doc.display.fixed_limit == 12.5
    doc.display.fixed_limit = 40.0
    assert panel.limit_spin.value() == 40.0


def test_clipped_share_of_a_known_map(panel):
    doc = panel.document
    maps = np.arange(100, dtype=np.float32).reshape(10, 10, 1)  # 0..99
    doc.display.fixed_limit = 89.5  # 90..99 are clipped: 10 of 100 values
    doc.display.levels = "fixed"
    panel.show_result(_synthetic(panel, maps))
    assert panel.map_levels.clipped == pytest.approx(0.10)
    assert panel.clipped_label.text() == "10.0 % clipped"
    assert not panel.clipped_label.isHidden()
    signed = np.linspace(-10, 10, 200, dtype=np.float32).reshape(10, 20, 1)
    expected = np.count_nonzero(np.abs(signed) > 7.0) / signed.size
    assert map_levels([signed[:, :, 0]], "fixed", 7.0).clipped == pytest.approx(expected)
    doc.display.levels = "per_map"
    assert panel.clipped_label.isHidden()  # at once: the label says what the mode is


def test_levels_ignore_a_few_outliers(panel):
    rng = np.random.default_rng(4)
    maps = np.abs(rng.normal(size=(50, 60, 1))).astype(np.float32)
    maps[7, 9, 0] = 1000.0  # one hot pixel must not leave the rest of the map black
    panel.show_result(_synthetic(panel, maps))
    expected = np.percentile(maps, LEVEL_PERCENTILE, method="higher")
    assert _levels(panel, 0) == pytest.approx((0.0, float(expected)))
    assert _levels(panel, 0)[1] < 10
    signed = maps.copy()
    signed[0, 0, 0] = -5.0
    panel.show_result(_synthetic(panel, signed))
    high = np.percentile(np.abs(signed), LEVEL_PERCENTILE, method="higher")
    assert _levels(panel, 0) == pytest.approx((-float(high), float(high)))


def test_flat_maps_still_get_a_colour_scale():
    levels = compute_levels(np.zeros((2, 2)), "per_map", 1.0)
    assert levels.levels.tolist() == [[0, 1], [0, 1]] and not levels.signed
    with pytest.raises(ValueError, match="positive"):
        compute_levels(np.zeros((1, 2)), "fixed", 0.0)


def test_large_maps_are_shrunk_to_the_pixels_their_tiles_show(panel, qtbot):
    maps = np.random.default_rng(1).normal(size=(900, 1200, 2)).astype(np.float32)
    panel.show_result(_synthetic(panel, maps))
    qtbot.wait(10)  # let the layout settle, then show again with real tile sizes
    result = _synthetic(panel, maps)
    panel.show_result(result)
    grid = panel.feature_grid
    shown = grid.shown_plane(0)
    # exactly the screen pixels the tile draws the map at, coloured as such by the worker
    assert shown.shape == grid.tile_pixels() and shown.shape[0] < 900
    assert grid.image_item(0).pixels.shape == (*shown.shape, 4)
    assert grid.image_item(0).pixels.dtype == np.uint8
    assert shown.flags.c_contiguous and shown.dtype == np.float32
    # whole blocks' means first, then the rest of the way bilinearly
    factor = result.display.large.feature.factor
    assert factor >= 2
    h, w = 900 // factor * factor, 1200 // factor * factor
    blocks = maps[:h, :w, 0].reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))
    for r, c in ((0, 0), (1, 2), (shown.shape[0] - 1, shown.shape[1] // 2)):
        assert shown[r, c] == pytest.approx(bilinear_at(blocks, r, c, shown.shape), abs=1e-4)
    # … covering the map's own extent, so view coordinates are map coordinates
    item = grid.image_item(0)
    rect = item.mapRectToParent(item.boundingRect())
    assert (rect.width(), rect.height()) == (w, h)
    assert 1200 - factor < rect.width() <= 1200 and 900 - factor < rect.height() <= 900


# --- pooled grid -------------------------------------------------------------------------

def test_pooled_grid_hidden_without_pooling(panel):
    doc = panel.document
    panel.show_result(_result(panel))
    assert not panel.pooled_box.isHidden()
    doc.layer.pool_mode = "none"
    panel.show_result(_result(panel, generation=2))
    assert panel.pooled_box.isHidden()
    doc.layer.pool_mode = "avg"
    panel.show_result(_result(panel, generation=3))
    assert not panel.pooled_box.isHidden()
    doc.display.show_pooled = False
    assert panel.pooled_box.isHidden() and not panel.pooled_check.isChecked()


def test_reduction_text(panel):
    assert reduction_text((240, 320), (120, 160)) == "320×240 → 160×120, 4× fewer values"
    assert reduction_text((7, 7), (3, 3)) == "7×7 → 3×3, 5.44× fewer values"
    panel.show_result(_result(panel, _picture(40, 60)))
    assert panel.pooled_caption.text() == (
        "Max pooling 2×2, stride 2: 60×40 → 30×20, 4× fewer values")


# --- hover readout -----------------------------------------------------------------------

def test_hover_feature_pixel_explains_the_value(panel):
    doc = panel.document
    doc.layer.activation = "identity"
    doc.filters.set_bias(1, 2.5)
    result = _result(panel)
    panel.show_result(result)
    k, row, col = 1, 7, 11
    panel.hover_feature(k, row, col)
    ex = panel.readout.explanation
    expected = _fm(result)[row, col, k]
    assert ex.value == pytest.approx(float(expected), rel=1e-5, abs=1e-3)
    assert format_value(ex.value) in panel.readout.headline.text()
    # "same" padding, stride 1, 3×3: the window is rows row-1..row+1, cols col-1..col+1
    assert panel.input_view.field_extent() == (row - 1, row + 2, col - 1, col + 2)
    window = result.picture[row - 1:row + 2, col - 1:col + 2].astype(np.float32)
    kernel = doc.filters.weights()[k]
    for c in range(3):
        np.testing.assert_array_equal(panel.readout.matrix("window", c).values(),
                                      window[:, :, c])
        np.testing.assert_array_equal(panel.readout.matrix("kernel", c).values(),
                                      kernel[:, :, c])
        np.testing.assert_allclose(panel.readout.matrix("products", c).values(),
                                   window[:, :, c] * kernel[:, :, c], rtol=1e-6)
    total = float((window * kernel).sum())
    assert panel.readout.formula.text() == (
        f"Σ = {format_value(total)} + bias 2.5 = {format_value(total + 2.5)} (no activation)")


def test_hover_readout_names_the_activation(panel):
    result = _result(panel)
    panel.show_result(result)
    panel.hover_feature(0, 3, 4)
    text = panel.readout.formula.text()
    assert "→ ReLU →" in text
    assert text.endswith(format_value(float(_fm(result)[3, 4, 0])))


def test_hover_follows_stride_dilation_and_padding(panel):
    doc = panel.document
    doc.layer.padding, doc.layer.pad_h, doc.layer.pad_w = "custom", 2, 2
    doc.layer.stride, doc.layer.dilation = 2, 2
    doc.layer.pad_mode = "reflect"
    result = _result(panel)
    panel.show_result(result)
    panel.hover_feature(2, 0, 3)
    # rows 0·2 − 2 + (0, 2, 4), cols 3·2 − 2 + (0, 2, 4)
    assert panel.input_view.field_extent() == (-2, 3, 4, 9)
    taps = panel.input_view.tap_positions()
    assert taps == [(r, c) for r in (-2, 0, 2) for c in (4, 6, 8)]
    assert panel.input_view.padding_frame.isVisible()
    assert panel.readout.explanation.value == pytest.approx(
        float(_fm(result)[0, 3, 2]), rel=1e-5, abs=1e-3)


def test_readout_follows_the_newest_result(panel):
    panel.show_result(_result(panel))
    panel.hover_feature(0, 5, 5)
    brighter = np.clip(_picture().astype(int) + 40, 0, 255).astype(np.uint8)
    newer = _result(panel, brighter, generation=2)
    panel.show_result(newer)
    assert panel.readout.explanation.value == pytest.approx(
        float(_fm(newer)[5, 5, 0]), rel=1e-5, abs=1e-3)
    np.testing.assert_array_equal(panel.readout.matrix("window", 0).values(),
                                  brighter[4:7, 4:7, 0].astype(np.float32))


def test_hover_pooled_pixel_marks_the_winner(panel):
    result = _result(panel)
    panel.show_result(result)
    k, row, col = 2, 4, 6
    panel.hover_pooled(k, row, col)
    window = _fm(result)[8:10, 12:14, k]
    i, j = np.unravel_index(np.argmax(window), window.shape)
    assert panel.readout.explanation.value == float(_pooled(result)[row, col, k])
    assert panel.readout.explanation.winner == (8 + i, 12 + j)
    rect = panel.feature_grid.window_rect(k)
    assert (rect.top(), rect.left(), rect.height(), rect.width()) == (8, 12, 2, 2)
    assert panel.feature_grid.marks(k) == [(8 + i, 12 + j)]
    assert panel.readout.pooled_matrix.marked() == {(int(i), int(j))}
    np.testing.assert_array_equal(panel.readout.pooled_matrix.values(), window)
    # the pooled pixel sees feature rows 8..9 → input rows 7..10 (3×3, same padding)
    assert panel.input_view.field_extent() == (7, 11, 11, 15)
    # hovering a feature pixel clears the pooling window
    panel.hover_feature(k, 0, 0)
    assert panel.feature_grid.window_rect(k) is None


def test_hover_average_pooling_shows_the_mean(panel):
    doc = panel.document
    doc.layer.pool_mode = "avg"
    result = _result(panel)
    panel.show_result(result)
    panel.hover_pooled(0, 1, 1)
    ex = panel.readout.explanation
    assert ex.winner is None
    assert ex.value == pytest.approx(float(_pooled(result)[1, 1, 0]), rel=1e-5)
    assert panel.readout.formula.text().startswith("mean = (")
    assert panel.readout.pooled_matrix.marked() == set()


def test_average_pooling_over_many_values_sums_them():
    from explorer.core.readout import PooledExplanation
    from explorer.ui.widgets.readout_view import ReadoutView

    values = np.arange(16, dtype=np.float32).reshape(4, 4)
    ex = PooledExplanation(0, 0, 0, "avg", np.arange(4), np.arange(4), values, None, 7.5, 7.5)
    assert ReadoutView.formula_text(ex) == "mean = 120.0 / 16 = 7.5"


def test_format_value():
    assert [format_value(v) for v in (42, -0.125, 1234.5678, 0, 2.5e-5, 3e6)] == [
        "42.0", "-0.125", "1234.6", "0.0", "2.5e-05", "3e+06"]


def test_input_picture_in_zero_to_one_is_shown_as_a_picture(qtbot):
    from explorer.ui.widgets.input_view import InputView

    view = InputView()
    qtbot.addWidget(view)
    picture = np.full((4, 6, 3), 0.5, np.float32)
    view.set_image(picture, (1, 1, 1, 1))
    assert view.image.image.dtype == np.uint8
    assert int(view.image.image[0, 0, 0]) in (127, 128)
    assert view.image_shape == (4, 6)


def test_mouse_position_maps_back_to_full_resolution(panel, qtbot):
    maps = np.random.default_rng(2).normal(size=(1000, 1500, 2)).astype(np.float32)
    panel.show_result(_synthetic(panel, maps))
    qtbot.wait(10)  # the tiles are laid out: maps rendered for their size are asked for
    panel.show_result(_synthetic(panel, maps))
    grid = panel.feature_grid
    assert grid.shown_plane(1).shape[0] < 1000  # shown shrunk
    view = grid.view_box(1)
    scene_pos = view.mapViewToScene(QPointF(456.5, 321.5))  # col 456, row 321
    assert grid.tile_at(scene_pos) == (1, 321, 456)
    with qtbot.waitSignal(grid.hovered) as blocker:
        grid._on_mouse_moved((scene_pos,))
    assert blocker.args == [1, 321, 456]


def test_clicking_a_tile_selects_the_filter(panel, qtbot):
    doc = panel.document
    panel.show_result(_result(panel))
    grid = panel.feature_grid
    qtbot.wait(10)
    center = grid.view_box(2).sceneBoundingRect().center()
    pos = grid.mapFromScene(center)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))
    assert doc.selection.filter == 2
    assert grid._tiles[2].selected and not grid._tiles[0].selected


def test_selection_from_the_document_moves_the_highlight_and_colour_bar(panel):
    doc = panel.document
    maps = np.zeros((6, 6, 2), np.float32)
    maps[0, 0, 0], maps[0, 0, 1] = 1.0, 9.0
    panel.show_result(_synthetic(panel, maps))
    assert tuple(panel.feature_grid.colorbar().levels()) == (0.0, 1.0)
    doc.selection.filter = 1
    assert tuple(panel.feature_grid.colorbar().levels()) == (0.0, 9.0)
    assert panel.feature_grid._tiles[1].selected


def test_names_follow_the_filter_bank(panel):
    doc = panel.document
    result = _result(panel)
    panel.show_result(result)
    doc.filters.set_name(0, "my edge")
    h, w = _fm(result).shape[:2]
    assert panel.feature_grid.titles()[0] == f"my edge · {w}×{h}"


def test_cleanup_disconnects_the_document(qtbot):
    doc = Document()
    p = MapsPanel(doc)
    qtbot.addWidget(p)
    p.cleanup()
    doc.display.levels = "shared"
    assert not p.level_buttons["shared"].isChecked()


def test_grayscale_input_has_one_channel_row(panel):
    doc = panel.document
    doc.input.grayscale = True
    gray = _picture()[:, :, 0]
    result = _result(panel, gray)
    panel.show_result(result)
    panel.hover_feature(0, 2, 2)
    assert panel.readout.explanation.window.shape == (3, 3, 1)
    assert len(panel.readout.channel_sum_texts()) == 1


def test_hovered_pixel_gone_from_the_newest_result_clears_the_readout(panel):
    # the layer shrank the maps (stride 2) while a far pixel was hovered
    doc = panel.document
    panel.show_result(_result(panel))
    panel.hover_feature(0, 39, 59)
    doc.layer.stride = 2
    smaller = _result(panel, generation=2)
    panel.show_result(smaller)
    assert panel.readout.explanation is None  # the pixel no longer exists: readout cleared
    assert panel.input_view.field_extent() is None


@pytest.mark.parametrize("levels", [(0.0, 4.0), (-4.0, 4.0), (2.0, 6.0)])
def test_colorize_maps_levels_to_the_ends_of_the_colormap(levels):
    from explorer.ui.widgets.colormaps import colorize, lookup_table

    lut = lookup_table(levels[0] < 0)
    lo, hi = levels
    plane = np.array([[lo - 1, lo, (lo + hi) / 2, hi, hi + 1]], np.float32)
    rgb = colorize(plane, levels, lut)
    assert rgb.shape == (1, 5, 3) and rgb.dtype == np.uint8
    expected = [lut[0], lut[0], lut[128], lut[255], lut[255]]  # clipped beyond the levels
    np.testing.assert_array_equal(rgb[0], np.array(expected))


# --- a stack ------------------------------------------------------------------------------
def _stacked(panel):
    from explorer.state.document import default_filter
    from explorer.state.presets import build_stack

    doc = panel.document
    doc.stack.replace(build_stack("lecture_x2", 3, default_filter))
    doc.selection.layer = 1
    return _result(panel, _picture(48, 64))


def test_a_deeper_unit_draws_its_receptive_field_and_its_window_on_the_maps_it_sees(panel):
    result = _stacked(panel)
    panel.show_result(result)
    assert panel.shown_stage() == 1
    panel.hover_feature(3, 5, 7)
    ex = panel.readout.explanation
    assert ex.window.shape == (3, 3, 4)  # the 4 maps of layer 1
    assert ex.value == pytest.approx(float(result.stages[1].feature_maps[5, 7, 3]),
                                     rel=1e-5, abs=1e-3)
    # 3×3 "same" after a 3×3 conv and a 2×2 pool: 8 input pixels, units 2 apart; row 5 sees
    # pooled rows 4–6, feature rows 8–13, picture rows 7–14
    assert panel.input_view.field_extent() == (7, 15, 11, 19)
    assert panel.strip._window == (0, (4, 7, 6, 9))  # the window on layer 1's output row
    panel.hover_pooled(3, 2, 3)
    # conv rows 4–5 → pooled rows 3–6 of layer 1 → its conv rows 6–13 → picture rows 5–14
    assert panel.input_view.field_extent() == (5, 15, 9, 19)  # 10 px: the pooled field


def test_the_strip_shows_every_stage_and_its_hover_explains_that_stage(panel, qtbot):
    panel.show_result(_stacked(panel))
    qtbot.wait(10)
    result = _result(panel, _picture(48, 64))  # rendered for the laid-out strip
    panel.show_result(result)
    assert [row.index for row in panel.strip.rows] == [0, 1]
    assert panel.strip.rows[0].lines[0].startswith("Layer 1: conv 4@3×3×3")
    panel.hover_strip(0, 2, 3, 4)  # layer 1's pooled map 2 at (3, 4)
    ex = panel.readout.explanation
    assert ex.value == pytest.approx(float(result.stages[0].pooled[3, 4, 2]))
    assert panel.input_view.field_extent() == (5, 9, 7, 11)  # 4 px, jump 2
