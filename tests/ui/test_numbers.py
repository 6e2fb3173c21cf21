"""Numbers a student can read: values in small maps' cells, the padded input, the readout
at 1280×800, one order for sizes, and tiles that keep a useful size."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from explorer.core.display import DisplayPlanes, screen_pixels
from explorer.core.levels import colorize
from explorer.core.pipeline import LayerSpec
from explorer.core.readout import explain_pixel
from explorer.state import Document
from explorer.ui.widgets.colormaps import lookup_table
from explorer.ui.widgets.map_grid import MapGrid
from explorer.ui.widgets.matrix_view import MatrixView, format_cell
from explorer.ui.widgets.readout_view import ReadoutView
from tests.reference import read
from tests.ui.results import wait_result

LECTURE = np.zeros((6, 6), np.uint8)
LECTURE[:, :3] = 10  # the lecture's picture: three columns of 10, three of 0


def _choose(combo, value) -> None:
    """What a click on the item carrying ``value`` does."""
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton,
                     pos=QPoint(widget.width() // 2, widget.height() // 2))


def _window(qtbot, tmp_path, size=(1600, 1000)):
    from explorer.ui.main_window import MainWindow

    win = MainWindow(restore_settings=False, library_path=tmp_path / "kernels.json")
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def lecture_window(qtbot, tmp_path):
    """The window on the lecture's 6×6 picture, opened from a file as a user would."""
    path = tmp_path / "lecture.png"
    cv2.imwrite(str(path), LECTURE)
    win = _window(qtbot, tmp_path)
    wait_result(qtbot, win, lambda: win.open_image(path))
    yield win
    win.shutdown()


def _cell_centre(grid: MapGrid, k: int, row: int, col: int) -> QPoint:
    scene = grid.view_box(k).mapViewToScene(QPointF(col + 0.5, row + 0.5))
    pos = grid.mapFromScene(scene)
    return QPoint(pos.x(), pos.y())


def _luma(rgb) -> float:
    r, g, b = (float(x) for x in rgb[:3])
    return (0.299 * r + 0.587 * g + 0.114 * b) / 255


def _planes(maps: list[np.ndarray], levels=(0.0, 30.0)) -> DisplayPlanes:
    pixels = [screen_pixels(colorize(m, levels, lookup_table(False))) for m in maps]
    return DisplayPlanes(1, maps[0].shape, list(maps), pixels)


# --- values in the cells of small maps ------------------------------------------------------

def test_a_small_map_writes_its_values_in_contrasting_colours(qtbot):
    grid = MapGrid(colorbar=True)
    qtbot.addWidget(grid)
    grid.resize(500, 400)
    grid.show()
    qtbot.waitExposed(grid)
    known = np.array([[0, 30, 30, 0], [0, 30, 30, 0], [2.5, -1.25, 0.333333, 1234.5]],
                     np.float32)
    grid.set_maps(_planes([known]), ["edge · 3×4"], np.array([[0.0, 30.0]]), False)
    qtbot.waitUntil(lambda: grid.values_shown)
    assert grid.cell_texts(0) == [["0", "30", "30", "0"], ["0", "30", "30", "0"],
                                  ["2.5", "-1.25", "0.333", "1234"]]
    grid.grab()  # paint: the numbers are really written, not only worked out
    assert grid.cell_labels(0).drawn == 12
    rgb = grid.image_item(0).image
    labels = grid.cell_labels(0)
    for r in range(3):
        for c in range(4):
            text = labels.text_colour(r, c)
            contrast = abs(_luma((text.red(), text.green(), text.blue())) - _luma(rgb[r, c]))
            assert contrast > 0.45, (r, c)


def test_large_maps_show_colours_only(qtbot):
    grid = MapGrid()
    qtbot.addWidget(grid)
    grid.resize(500, 400)
    grid.show()
    qtbot.waitExposed(grid)
    big = np.random.default_rng(1).random((120, 160)).astype(np.float32)
    grid.set_maps(_planes([big], (0.0, 1.0)), ["big"], np.array([[0.0, 1.0]]), False)
    grid.grab()
    assert not grid.values_shown
    assert grid.cell_texts(0) == []
    assert grid.cell_labels(0).drawn == 0  # no text, and no time spent on it


def test_a_sum_that_rounds_near_zero_shows_zero_in_its_cell(qtbot):
    grid = MapGrid()
    qtbot.addWidget(grid)
    grid.resize(400, 400)
    grid.show()
    qtbot.waitExposed(grid)
    maps = np.array([[9.54e-07, 30.0], [-2e-6, 12.0]], np.float32)
    grid.set_maps(_planes([maps]), ["m"], np.array([[0.0, 30.0]]), False)
    qtbot.waitUntil(lambda: grid.values_shown)
    assert grid.cell_texts(0) == [["0", "30"], ["0", "12"]]


# --- the lecture's example end to end -------------------------------------------------------

def test_the_lecture_example_reads_like_the_slide(qtbot, lecture_window):
    win = lecture_window
    doc, layer_panel, maps = win.document, win.layer_panel, win.maps_panel
    assert doc.input.grayscale  # a gray picture gives 1-channel kernels
    wait_result(qtbot, win, lambda: layer_panel.filters_spin.setValue(1))
    wait_result(qtbot, win, lambda: _choose(layer_panel.padding_combo, "valid"))
    result = wait_result(qtbot, win, lambda: _choose(layer_panel.pool_combo, "none"))
    np.testing.assert_array_equal(doc.filters.weights()[0][:, :, 0], [[1, 0, -1]] * 3)
    assert result.stages[0].feature_maps.shape == (4, 4, 1)
    grid = maps.feature_grid
    qtbot.waitUntil(lambda: grid.values_shown, timeout=5_000)
    assert grid.cell_texts(0) == [["0", "30", "30", "0"]] * 4
    # the input reads like the slide too: its 10s and 0s, with row and column indices
    assert maps.input_view.cell_texts() == [["10"] * 3 + ["0"] * 3] * 6
    # hovering the 30 at (2, 1) spells out its dot product
    qtbot.mouseMove(grid.viewport(), _cell_centre(grid, 0, 2, 1))
    qtbot.waitUntil(lambda: maps.readout.explanation is not None, timeout=5_000)
    assert maps.readout.formula.text().startswith("Σ = 30.0 + bias 0.0 = 30.0")
    assert maps.readout.matrix("window", 0).values().tolist() == [[10, 10, 0]] * 3


def test_dark_input_can_be_shown_over_its_own_range(qtbot, lecture_window):
    maps = lecture_window.maps_panel
    view = maps.input_view
    assert view.levels == (0.0, 255.0)
    assert int(view.shown_image().max()) == 10  # the 10s are all but black
    _click(qtbot, maps.stretch_button)
    assert lecture_window.document.display.input_range == "own"
    assert view.levels == (0.0, 10.0)
    shown = view.shown_image()
    assert shown[:, :3].tolist() == [[255] * 3] * 6 and shown[:, 3:].max() == 0
    assert view.cell_texts()[1][1:7] == ["10", "10", "10", "0", "0", "0"]  # values stay
    _click(qtbot, maps.stretch_button)
    assert int(view.shown_image().max()) == 10


def test_the_numbers_toggle_is_saved_in_the_document(qtbot, lecture_window):
    from explorer.state.session import apply_session, load_json_text, parse_session, session_text

    maps, doc = lecture_window.maps_panel, lecture_window.document
    qtbot.waitUntil(lambda: maps.feature_grid.values_shown, timeout=5_000)
    maps.values_check.click()
    assert doc.display.cell_values is False
    assert not maps.feature_grid.values_shown and maps.feature_grid.cell_texts(0) == []
    assert maps.input_view.cell_texts() == []
    restored = Document()
    apply_session(restored, parse_session(load_json_text(session_text(doc))))
    assert restored.display.cell_values is False
    maps.values_check.click()
    qtbot.waitUntil(lambda: maps.feature_grid.values_shown, timeout=5_000)


# --- the padding drawn on the input ----------------------------------------------------------

@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_the_padded_ring_shows_what_the_pad_mode_puts_there(qtbot, lecture_window, mode):
    win = lecture_window
    picture = np.arange(36, dtype=np.uint8).reshape(6, 6) + 1  # every pixel differs, no 0
    wait_result(qtbot, win, lambda: win.set_image(picture, "numbered"))
    wait_result(qtbot, win, lambda: _choose(win.layer_panel.padding_combo, "same"))
    wait_result(qtbot, win, lambda: _choose(win.layer_panel.pad_mode_combo, mode))
    view = win.maps_panel.input_view
    assert "padding 1" in view.title.text
    ring = view.ring_image()
    assert ring is not None and ring.shape == (8, 8)
    expected = [[int(read(picture[:, :, None], r, c, mode)[0]) for c in range(-1, 7)]
                for r in range(-1, 7)]
    assert ring.tolist() == expected
    texts = view.cell_texts()
    assert texts[0] == [str(v) for v in expected[0]]  # the ring's own numbers are written
    assert texts[3][0] == str(expected[3][0]) and texts[3][7] == str(expected[3][7])


# --- the hover readout ------------------------------------------------------------------------

def test_a_zero_sum_reads_zero(qtbot):
    # 1/3 weights on a window whose left and right columns add up alike (234 each): the
    # float32 products leave the residue of 9.54e-07
    window = np.array([[138, 0, 123], [20, 0, 108], [76, 0, 3]], np.float32)
    spec = LayerSpec(weights=np.array([[[1 / 3, 0, -1 / 3]] * 3], np.float32)[..., None],
                     bias=np.zeros(1, np.float32), padding="valid", activation="identity")
    ex = explain_pixel((window[:, :, None], spec), 0, 0, 0)
    assert ex.total == pytest.approx(9.54e-07, rel=1e-3)  # the case the readout must settle
    readout = ReadoutView()
    qtbot.addWidget(readout)
    readout.show()
    readout.show_pixel(ex, "edge", ["gray"])
    assert readout.formula.text() == "Σ = 0.0 + bias 0.0 = 0.0 (no activation)"
    assert readout.headline.text().endswith("= 0.0")
    assert readout.channel_sum_texts() == ["0.0"]
    assert "e-" not in readout.formula.text() + readout.headline.text()


def test_a_true_small_sum_is_kept(qtbot):
    window = np.full((3, 3), 0.01, np.float32)
    spec = LayerSpec(weights=np.full((1, 3, 3, 1), 0.5, np.float32),
                     bias=np.zeros(1, np.float32), padding="valid", activation="identity")
    readout = ReadoutView()
    qtbot.addWidget(readout)
    readout.show_pixel(explain_pixel((window[:, :, None], spec), 0, 0, 0), "blur")
    assert readout.formula.text().startswith("Σ = 0.045 +")


def test_readout_numbers_fit_at_1280_by_800(qtbot, tmp_path):
    from explorer.resources import resource_path

    win = _window(qtbot, tmp_path, (1280, 800))
    try:
        wait_result(qtbot, win, lambda: win.open_image(resource_path("samples",
                                                                      "astronaut.png")))
        maps = win.maps_panel
        grid = maps.feature_grid
        qtbot.mouseMove(grid.viewport(), _cell_centre(grid, 0, 200, 200))
        qtbot.waitUntil(lambda: maps.readout.explanation is not None, timeout=5_000)
        readout = maps.readout
        for c in range(3):
            for quantity in ("window", "kernel", "products"):
                assert readout.matrix(quantity, c).shown_texts(), (quantity, c)
        assert readout.matrix("kernel", 0).shown_texts()[0][0] in ("0.333", ".333")
    finally:
        win.shutdown()


@pytest.mark.qt_log_ignore("does not support raise")  # the cell's tooltip, offscreen
def test_a_15_by_15_kernel_is_read_one_cell_at_a_time(qtbot, tmp_path):
    from explorer.resources import resource_path

    win = _window(qtbot, tmp_path, (1280, 800))
    try:
        wait_result(qtbot, win, lambda: win.open_image(resource_path("samples",
                                                                      "astronaut.png")))
        wait_result(qtbot, win, lambda: win.document.set_kernel_size(15, 15))
        maps = win.maps_panel
        maps.hover_feature(0, 100, 120)
        readout = maps.readout
        qtbot.wait(50)  # the tables take their size for 15×15
        assert maps.input_view.height() >= 250  # the tables do not squeeze the picture
        assert not readout.tables_fit_numbers()
        assert "hover a cell" in readout.cell_line.text()
        table = readout.matrix("products", 1)
        x0, y0, cw, ch = table._cell_rect()
        # tap (7, 6): the vertical edge's 1/3, in the middle of the 15×15 kernel
        qtbot.mouseMove(table, QPoint(int(x0 + 6.5 * cw), int(y0 + 7.5 * ch)))
        ex = readout.explanation
        qtbot.waitUntil(lambda: readout.cell_line.text().startswith("G · "), timeout=5_000)
        window, weight = float(ex.window[7, 6, 1]), float(ex.kernel[7, 6, 1])
        assert weight == pytest.approx(1 / 3)
        assert readout.cell_line.text() == (
            f"G · input row {ex.rows[7]}, col {ex.cols[6]} (tap 7, 6): "
            f"{window:.1f} × 0.333 = {_value(window * weight)}")
        assert table.tip == readout.cell_line.text()  # its tooltip says the same
    finally:
        win.shutdown()


def _value(v: float) -> str:
    from explorer.ui.widgets.readout_view import format_value

    return format_value(v)


def test_narrow_cells_drop_leading_zeros_before_their_numbers(qtbot):
    view = MatrixView("signed")
    qtbot.addWidget(view)
    view.set_values(np.array([[1 / 3, 0, -1 / 3]] * 3, np.float32))
    view.resize(150, 70)
    view.show()
    assert view.shown_texts()[0] == ["0.333", "0", "-0.333"]
    view.resize(84, 70)
    assert view.shown_texts()[0] == [".333", "0", "-.333"]
    view.resize(30, 70)
    assert view.shown_texts() == []  # colours and the hover line only


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"), (-0.0, "0"), (30.0, "30"), (-1 / 3, "-0.333"), (12.345, "12.3"),
    (123.456, "123"), (99999.4, "99999"), (2.5e6, "2.5e6"), (4.2e-5, "4.2e-5"),
    (float("nan"), "nan"),
])
def test_format_cell(value, text):
    assert format_cell(value) == text


# --- one order for sizes: width × height -------------------------------------------------------

def test_every_size_label_says_width_by_height(qtbot, tmp_path):
    picture = np.random.default_rng(2).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    path = tmp_path / "wide.png"
    cv2.imwrite(str(path), picture)  # 60 wide, 40 high
    win = _window(qtbot, tmp_path)
    try:
        wait_result(qtbot, win, lambda: win.open_image(path))
        wait_result(qtbot, win, lambda: win.layer_panel.use_stack_preset("lecture_x2"))
        maps, layers = win.maps_panel, win.layer_panel
        qtbot.waitUntil(lambda: len(maps.strip.rows) == 2, timeout=10_000)
        assert layers.size_label.text() == "60×40 px"
        assert maps.input_view.title.text.startswith("input · 60×40")
        assert "feature maps 60×40 (width×height)" in maps.fm_caption.text()
        assert all(t.endswith("· 60×40") for t in maps.feature_grid.titles())
        assert all(t.endswith("· 30×20") for t in maps.pooled_grid.titles())
        assert "60×40 → 30×20" in maps.pooled_caption.text()
        assert win.status_sizes.text() == "input 60×40 → 30×20×4 → 15×10×8"
        table = layers.stack_table
        assert [table.item(r, 1).text() for r in range(2)] == ["30×20×4", "15×10×8"]
        assert maps.strip.rows[0].lines[1].startswith("→ 30×20×4")
        assert maps.strip.rows[1].lines[1].startswith("→ 15×10×8")
    finally:
        win.shutdown()


# --- tiles at 1280×800 -------------------------------------------------------------------------

def test_tiles_keep_a_useful_size_at_1280_by_800(qtbot, tmp_path):
    from explorer.resources import resource_path

    win = _window(qtbot, tmp_path, (1280, 800))
    try:
        wait_result(qtbot, win, lambda: win.open_image(resource_path("samples",
                                                                      "astronaut.png")))
        grid = win.maps_panel.feature_grid
        qtbot.waitUntil(lambda: grid.tile_count == 4)
        assert min(grid.tile_pixels()) >= 128  # were ~110 before the layout was reworked
        for g in (grid, win.maps_panel.pooled_grid):
            assert not any(t.endswith("…") for t in g.shown_titles()), g.shown_titles()
        wait_result(qtbot, win, lambda: win.layer_panel.use_stack_preset("tinyvgg"))
        strip = win.maps_panel.strip
        qtbot.waitUntil(lambda: len(strip.rows) == 3, timeout=10_000)
        qtbot.waitUntil(lambda: strip.height() <= 0.22 * win.maps_panel.height())
        assert not any(t.endswith("…") for t in grid.shown_titles()), grid.shown_titles()
        assert win.width() <= 1280  # nothing in the panel widens the window
    finally:
        win.shutdown()
