"""Editing never loses work: committed fields, undo and redo, shortcuts, a busy bar to cancel."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt

from explorer.core.cancel import Cancelled
from tests.ui.results import wait_result


def _type_in_spin(qtbot, spin, text: str) -> None:
    """Select the spin box's text and type ``text`` digit by digit, then Enter."""
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def _settle(qtbot, window) -> None:
    """Let the edit's undo step be recorded (edits close together are one step)."""
    qtbot.waitUntil(lambda: not window._history_timer.isActive(), timeout=5_000)


def test_typing_a_two_digit_count_never_passes_through_one_filter(qtbot, window):
    doc = window.document
    doc.filters.set_filter(1, np.full((3, 3), 5.0), name="mine")
    counts: list[int] = []
    doc.stack.layer_changed.connect(lambda i, name: counts.append(doc.layer.n_filters)
                                    if name == "n_filters" else None)
    _type_in_spin(qtbot, window.layer_panel.filters_spin, "16")
    assert counts == [16]  # not 1 on the way
    assert doc.filters[1].name == "mine"


def test_typing_a_two_digit_kernel_size_keeps_the_kernels(qtbot, window):
    doc = window.document
    before = doc.filters.weights()
    _type_in_spin(qtbot, window.layer_panel.kernel_h_spin, "11")
    assert doc.filters.kernel_shape == (11, 11)  # square: both sides
    np.testing.assert_array_equal(doc.filters.weights()[:, 4:7, 4:7], before)
    _type_in_spin(qtbot, window.layer_panel.kernel_h_spin, "3")
    np.testing.assert_array_equal(doc.filters.weights(), before)


def test_undo_and_redo_every_kind_of_edit(qtbot, window):
    doc = window.document
    start = doc.filters.weights()
    doc.layer.stride = 2
    _settle(qtbot, window)
    window.kernel_editor.apply_preset("laplacian")
    _settle(qtbot, window)
    window.layer_panel.add_layer()
    _settle(qtbot, window)
    assert len(doc.stack) == 2
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(doc.stack) == 1
    assert doc.filters.names()[0] == "laplacian"
    window.undo()
    assert doc.filters.names()[0] == "vertical_edge" and doc.layer.stride == 2
    window.undo()
    assert doc.layer.stride == 1
    np.testing.assert_array_equal(doc.filters.weights(), start)
    assert not window.undo_action.isEnabled()
    window.redo()
    window.redo()
    assert doc.filters.names()[0] == "laplacian"
    qtbot.keyClick(window, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(doc.stack) == 2
    assert not window.redo_action.isEnabled()


def test_an_edit_after_undo_forgets_the_redo(qtbot, window):
    doc = window.document
    doc.layer.stride = 3
    _settle(qtbot, window)
    window.undo()
    doc.layer.dilation = 2
    _settle(qtbot, window)
    assert not window.history.can_redo
    window.undo()
    assert doc.layer.stride == 1 and doc.layer.dilation == 1


def test_a_grown_kernel_is_one_undo_step(qtbot, window):
    doc = window.document
    window.kernel_editor.apply_preset("gaussian_blur_5x5")
    assert doc.filters.kernel_shape == (5, 5)
    _settle(qtbot, window)
    window.undo()
    assert doc.filters.kernel_shape == (3, 3)
    assert doc.filters.names()[0] == "vertical_edge"


def test_shortcuts_work_from_a_kernel_cell(qtbot, window):
    doc = window.document
    cell = window.kernel_editor.slices.cell(0, 1, 1)
    cell.setFocus()
    cell.selectAll()
    qtbot.keyClicks(cell, "4")
    qtbot.keyClick(cell, Qt.Key.Key_Return)
    assert doc.filters[0].weights[1, 1, 0] == 4
    _settle(qtbot, window)
    cell.setFocus()
    qtbot.keyClick(cell, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert doc.filters[0].weights[1, 1, 0] == 0  # the document's undo, not the text's
    window.start_synthetic()
    qtbot.waitUntil(lambda: doc.live.frame_height > 0, timeout=20_000)
    cell.setFocus()
    qtbot.keyClick(cell, Qt.Key.Key_Space)
    assert doc.live.frozen  # Space freezes; the cell got no space
    assert " " not in cell.text()
    window.stop_live()


def test_reset_shows_square_kernels_as_square(qtbot, window):
    panel = window.layer_panel
    panel.square_check.setChecked(False)
    window.document.set_kernel_size(3, 5)
    window.reset_to_defaults()
    assert panel.square_check.isChecked()
    assert window.document.filters.kernel_shape == (3, 3)


def test_a_slow_computation_shows_the_busy_bar_and_cancel_stops_it(qtbot, window):
    """The worker is held until Cancel (a stand-in for a photo taking seconds)."""
    worker = window.controller.worker
    computer = worker._computer
    real = computer.compute
    entered = threading.Event()

    def slow(request, token=None):
        entered.set()
        while not token.cancelled:  # the engine checks the token between pieces of work
            threading.Event().wait(0.01)
        raise Cancelled()

    computer.compute = slow
    shown = window.last_result
    try:
        window.document.layer.stride = 2
        qtbot.waitUntil(entered.is_set, timeout=10_000)
        qtbot.waitUntil(window.busy_bar.isVisible, timeout=5_000)
        assert "s" in window.busy_bar.label.text()
        qtbot.mouseClick(window.busy_bar.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.busy_bar.isVisible(), timeout=5_000)
        assert window.last_result is shown  # the maps on screen stay
        assert "Stopped" in window.banner.text()
    finally:
        computer.compute = real
    result = wait_result(qtbot, window, window.banner.trigger)  # "Compute" after all
    assert result.stages[0].spec.stride == (2, 2)


def test_the_busy_bar_speaks_of_the_maps_only_over_the_explorer(qtbot, window):
    """A slow explorer computation on another tab shows no "Computing the maps" strip there;
    back on the explorer the strip is shown with its elapsed time."""
    worker = window.controller.worker
    computer = worker._computer
    real = computer.compute
    entered = threading.Event()

    def slow(request, token=None):
        entered.set()
        while not token.cancelled:
            threading.Event().wait(0.01)
        raise Cancelled()

    computer.compute = slow
    bar = window.tabs.tabBar()
    keys = list(window.tab_controllers)
    try:
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                         pos=bar.tabRect(window._tab_keys.index("translation")).center())
        assert window.document.display.tab == "translation" and "translation" in keys
        window.document.layer.stride = 2
        qtbot.waitUntil(entered.is_set, timeout=10_000)
        qtbot.waitUntil(lambda: window.busy_bar.elapsed() > 0.6, timeout=5_000)
        qtbot.wait(200)  # a few ticks of the strip's timer
        assert not window.busy_bar.isVisible()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                         pos=bar.tabRect(window._tab_keys.index("explorer")).center())
        qtbot.waitUntil(window.busy_bar.isVisible, timeout=5_000)
        assert "Computing the maps" in window.busy_bar.label.text()
        qtbot.mouseClick(window.busy_bar.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not window.busy_bar.isVisible(), timeout=5_000)
    finally:
        computer.compute = real


def test_the_engine_stops_between_pieces_when_cancelled():
    from explorer.core.cancel import CancelToken
    from explorer.core.convolution import convolve

    class AfterTwoChecks(CancelToken):
        checks = 0

        @property
        def cancelled(self) -> bool:
            self.checks += 1
            return self.checks > 2

    token = AfterTwoChecks()
    image = np.zeros((300, 300, 3), np.float32)
    with pytest.raises(Cancelled):
        convolve(image, np.ones((8, 3, 3, 3), np.float32), cancel=token)
    assert token.checks <= 2 + 4  # it stopped at the next piece of each thread, not the end


def test_a_new_start_after_live_shows_no_live_toolbar(qtbot, tmp_path):
    from explorer.ui.main_window import MainWindow

    first = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(first)
    first.show()
    first.start_synthetic()
    qtbot.waitUntil(lambda: first.document.live.frame_height > 0, timeout=20_000)
    assert first.live_toolbar.isVisible()
    first.close()  # saves the layout with the toolbar shown
    second = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(second)
    second.show()
    assert not second.live_toolbar.isVisible()
    assert not second.document.live.active
    second.shutdown()
    from explorer.ui import settings_io

    settings_io.settings().clear()
