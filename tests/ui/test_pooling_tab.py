"""The Pooling tab, used as a student uses it: reached from the pooled maps, a click moves the
zoom, the arrow keys step it; the survivors, storage and the grey colour map checked against
numbers worked out here."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from tests.ui.results import wait_result


def open_from_pooled_maps(qtbot, window):
    """Click the explorer's "up close…" beside the pooled maps; wait for the study."""
    window.tabs.setCurrentIndex(0)
    button = window.maps_panel.closer_button
    qtbot.waitUntil(button.isVisible, timeout=10_000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    tab = window.pooling_tab
    assert window.tabs.currentWidget() is tab.view
    assert window.document.display.tab == "pooling"
    qtbot.waitUntil(lambda: tab.is_settled() and tab.view.study is not None, timeout=30_000)
    return tab


def explorer_map(window, k):
    """The explorer's own feature map k, from its result (computed by another code path)."""
    stage = window.maps_panel._result.stages[window.document.selected_index]
    return stage.feature_maps[:, :, k], stage.spec


def loop_max_windows(plane, size, stride, top, left, rows, cols):
    values = np.zeros((rows, cols))
    where = np.zeros((rows, cols, 2), int)
    for i in range(rows):
        for j in range(cols):
            best, at = None, None
            for r in range((top + i) * stride, (top + i) * stride + size):
                for c in range((left + j) * stride, (left + j) * stride + size):
                    if best is None or plane[r, c] > best:
                        best, at = float(plane[r, c]), (r, c)
            values[i, j], where[i, j] = best, at
    return values, where


def test_a_click_on_the_map_zooms_there_and_the_ringed_winners_are_each_windows_max(
        qtbot, window):
    window.document.selection.filter = 2
    tab = open_from_pooled_maps(qtbot, window)
    pair = tab.view.pair
    before, after = pair._areas()
    # both maps drawn the same size: one pooled cell = stride map cells on screen
    assert before.size() == after.size()
    plane, spec = explorer_map(window, 2)
    w = plane.shape[1]
    # click at 70 % across and 40 % down the map before pooling
    point = QPoint(int(before.left() + 0.7 * before.width()),
                   int(before.top() + 0.4 * before.height()))
    qtbot.mouseClick(pair, Qt.MouseButton.LeftButton, pos=point)
    scale = before.width() / w
    row = int((point.y() - before.top()) / scale) // spec.pool_stride - 2  # 4 windows: centred
    col = int((point.x() - before.left()) / scale) // spec.pool_stride - 2
    assert (window.document.pooling.zoom_row, window.document.pooling.zoom_col) == (row, col)
    qtbot.waitUntil(lambda: tab.is_settled() and tab.view.study.zoom.left == col,
                    timeout=30_000)
    zoom = tab.view.zoom_view.zoom
    assert (zoom.top, zoom.left) == (row, col)
    values, where = loop_max_windows(plane, spec.pool_size, spec.pool_stride, row, col, 4, 4)
    np.testing.assert_allclose(zoom.pooled, values, rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(zoom.winners, where)

    # the arrow keys step the zoom by one window, with focus on the maps after the click
    assert pair.hasFocus()
    qtbot.keyClick(pair, Qt.Key.Key_Right)
    qtbot.keyClick(pair, Qt.Key.Key_Down)
    assert (window.document.pooling.zoom_row, window.document.pooling.zoom_col) == \
        (row + 1, col + 1)


def test_storage_before_and_after_is_written_in_values_and_bytes(qtbot, window):
    tab = open_from_pooled_maps(qtbot, window)
    stage = window.maps_panel._result.stages[window.document.selected_index]
    h, w, k = stage.feature_maps.shape
    ph, pw, _ = stage.pooled.shape
    text = tab.view.storage.text()
    assert f"{h}×{w}×{k}" in text and f"{ph}×{pw}×{k}" in text
    assert f"{h * w * k:,}" in text and f"{ph * pw * k:,}" in text
    assert f"{4 * h * w * k:,} bytes" in text and f"{4 * ph * pw * k:,} bytes" in text
    assert "the next layer takes" in text and "ms" in text
    assert tab.status_text().startswith("pooling study")


def test_the_layer_and_filter_choosers_are_the_explorers_selection(qtbot, window):
    tab = open_from_pooled_maps(qtbot, window)
    combo = tab.view.filter_combo
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # the next filter, as the keyboard chooses it
    assert window.document.selection.filter == 1
    qtbot.waitUntil(lambda: tab.is_settled() and tab.view.study.filter == 1, timeout=30_000)
    assert "filter 2" in tab.view.caption.text()


def test_a_layer_without_pooling_says_so_instead_of_showing_stale_maps(qtbot, window):
    tab = open_from_pooled_maps(qtbot, window)
    window.document.layer.pool_mode = "none"
    qtbot.waitUntil(lambda: tab.view.note.isVisible(), timeout=10_000)
    assert "has no pooling" in tab.view.note.text()
    assert tab.view.study is None


def test_average_pooling_writes_the_mean_of_each_window(qtbot, window):
    window.document.layer.pool_mode = "avg"
    tab = open_from_pooled_maps(qtbot, window)
    qtbot.waitUntil(lambda: tab.view.study is not None and tab.view.study.zoom.mode == "avg",
                    timeout=30_000)
    zoom = tab.view.zoom_view.zoom
    assert zoom.winners is None
    plane, spec = explorer_map(window, window.document.selected_filter())
    for i in range(zoom.rows):
        for j in range(zoom.cols):
            r0, c0 = (zoom.top + i) * spec.pool_stride, (zoom.left + j) * spec.pool_stride
            total = sum(float(plane[r, c]) for r in range(r0, r0 + spec.pool_size)
                        for c in range(c0, c0 + spec.pool_size))
            assert zoom.pooled[i, j] == pytest.approx(total / spec.pool_size ** 2, rel=1e-5,
                                                      abs=1e-3)
    assert "mean survives" in tab.view.zoom_caption.text()


def test_the_grey_button_greys_every_tile_and_the_colour_bar(qtbot, window):
    panel = window.maps_panel
    wait_result(qtbot, window,
                lambda: qtbot.mouseClick(panel.grey_button, Qt.MouseButton.LeftButton))
    assert window.document.display.colour_map == "grey"
    for grid in (panel.feature_grid, panel.pooled_grid):
        for tile in grid._tiles:
            rgb = tile.rgb.reshape(-1, 3).astype(int)
            assert rgb.size and (rgb[:, 0] == rgb[:, 1]).all() and (rgb[:, 1] == rgb[:, 2]).all()
            # brighter values are lighter grey: the colours sort as the values do
            order = np.argsort(tile.plane.ravel(), kind="stable")
            assert (np.diff(rgb[order, 0]) >= 0).all()
    lut = panel.feature_grid.colorbar().lookup.astype(int)  # black → grey → white
    np.testing.assert_array_equal(lut[[0, -1]], [[0, 0, 0], [255, 255, 255]])
    assert (lut[:, 0] == lut[:, 1]).all() and (lut[:, 1] == lut[:, 2]).all()
    assert (np.diff(lut[:, 0]) >= 0).all() and abs(int(lut[128, 0]) - 128) <= 2
    # the Pooling tab colours its maps the same way
    tab = open_from_pooled_maps(qtbot, window)
    rgb = tab.view.study.feature_rgb.reshape(-1, 3).astype(int)
    assert (rgb[:, 0] == rgb[:, 2]).all()
    window.tabs.setCurrentIndex(0)
    wait_result(qtbot, window,
                lambda: qtbot.mouseClick(panel.grey_button, Qt.MouseButton.LeftButton))
    assert window.document.display.colour_map == "auto"
