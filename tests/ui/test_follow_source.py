"""The explorer follows the source: what spoke of an edit, or of the old picture, goes with it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt


def _apply_larger_preset(qtbot, window) -> None:
    editor = window.kernel_editor
    combo = editor._preset_combo
    combo.setCurrentIndex(combo.findData("motion_blur"))  # 7×7 into the 3×3 layer
    with qtbot.waitSignal(window.result_shown, timeout=20_000):
        editor.apply_preset()
    assert "grew" in editor.status_text() and "Ctrl+Z" in editor.status_text()


def test_the_note_about_grown_kernels_goes_with_the_undo(qtbot, window):
    _apply_larger_preset(qtbot, window)
    window.activateWindow()
    window.maps_panel.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.document.filters.kernel_shape == (3, 3), timeout=5_000)
    assert window.kernel_editor.status_text() == ""
    assert not window.kernel_editor._status.isVisible()


def test_the_note_about_grown_kernels_goes_with_a_new_picture(qtbot, window):
    _apply_larger_preset(qtbot, window)
    window.set_image(np.zeros((40, 60, 3), np.uint8), "black")
    assert window.kernel_editor.status_text() == ""


def _cell_centre(grid, k: int, row: int, col: int) -> QPoint:
    scene = grid.view_box(k).mapViewToScene(QPointF(col + 0.5, row + 0.5))
    pos = grid.mapFromScene(scene)
    return QPoint(pos.x(), pos.y())


def test_the_readout_of_the_old_picture_goes_with_a_new_picture(qtbot, window):
    maps = window.maps_panel
    grid = maps.feature_grid
    qtbot.mouseMove(grid.viewport(), _cell_centre(grid, 0, 5, 5))
    qtbot.waitUntil(lambda: maps.readout.explanation is not None, timeout=5_000)
    with qtbot.waitSignal(window.result_shown, timeout=20_000):
        window.set_image(np.full((80, 120, 3), 200, np.uint8), "grey")
    assert maps.readout.explanation is None  # nothing of the coffee's numbers stays
    assert maps.input_view.field_extent() is None  # nor its receptive field
