"""A window that holds still: its tab bar, its size on each screen, the maps under a message.

The screens (a 1024×768 projector, a 1280×800 laptop, a 1600×1000 desktop) are the offscreen
platform's, set up in the tests' conftest; a window is moved onto one as a user drags it.
"""

from __future__ import annotations

import itertools
import threading
from contextlib import contextmanager

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QHelpEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton, QScrollArea, QToolTip

from explorer.core.cancel import Cancelled
from explorer.core.training import load_digits
from explorer.core.training.io import save_model
from explorer.core.training.model import DigitModel, init_params
from explorer.resources import resource_path
from explorer.ui.controllers import training as training_controller
from explorer.ui.widgets.kernel_grid import KernelGrid
from tests.conftest import SCREEN_SIZES

TIMEOUT = 20_000


def _screen(size: tuple[int, int]):
    return next(s for s in QGuiApplication.screens() if s.size() == QSize(*size))


def _wait_result(qtbot, window, action, wanted=lambda result: True):
    """Do ``action``; return the first result shown afterwards that is ``wanted`` (one
    rendered for a new tile size may land first)."""
    shown = []
    window.result_shown.connect(shown.append)
    try:
        action()
        qtbot.waitUntil(lambda: any(wanted(r) for r in shown), timeout=TIMEOUT)
    finally:
        window.result_shown.disconnect(shown.append)
    return next(r for r in shown if wanted(r))


def _type_in_spin(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _click_tab(qtbot, window, index: int) -> None:
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.tabs.currentIndex() == index
    qtbot.wait(20)  # the docks hide or show, the layouts settle


def _settle(qtbot, window) -> None:
    """Let any request the last change made run, until the maps on screen are the newest."""
    qtbot.wait(50)
    qtbot.waitUntil(lambda: not (window.controller.scheduled or window.controller.waiting),
                    timeout=TIMEOUT)


@pytest.fixture(params=SCREEN_SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def screen_window(request, qtbot, tmp_path):
    """A window dragged onto a screen of each size and made to fill it, a picture shown."""
    from explorer.ui.main_window import MainWindow

    win = MainWindow(restore_settings=False, library_path=tmp_path / "kernels.json")
    qtbot.addWidget(win)
    win.show()
    screen = _screen(request.param)
    free = screen.availableGeometry()
    frame = win.frameGeometry().size() - win.size()
    win.move(free.topLeft())
    qtbot.waitUntil(lambda: win.screen() is screen)
    win.resize(free.size() - frame)  # maximised: the frame fills the free area
    _wait_result(qtbot, win, lambda: win.open_image(resource_path("samples", "coffee.png")))
    yield win
    win.shutdown()


def test_the_tab_bar_stays_put_on_every_tab(qtbot, screen_window):
    window = screen_window
    bar = window.tabs.tabBar()
    seen = set()
    for i in [*range(window.tabs.count()), 0]:
        _click_tab(qtbot, window, i)
        corner = bar.mapToGlobal(QPoint(0, 0))
        tabs = tuple(bar.tabRect(j).getRect() for j in range(bar.count()))
        seen.add(((corner.x(), corner.y()), tabs))
    assert len(seen) == 1, seen


def test_the_window_keeps_its_size_and_its_screen(qtbot, screen_window, tmp_path, monkeypatch):
    window = screen_window
    free = window.screen().availableGeometry()
    size = window.size()

    def check(after: str) -> None:
        qtbot.wait(20)
        assert window.size() == size, after
        assert free.contains(window.frameGeometry()), after

    check("the start")
    for i in range(window.tabs.count()):
        _click_tab(qtbot, window, i)
        check(window.tabs.tabText(i))

    # the Training tab's "Use the first-layer kernels", with a network loaded there
    _, test = load_digits()
    few = test.subset(slice(0, 40))
    monkeypatch.setattr(training_controller, "load_digits", lambda: (few, few))
    path = save_model(DigitModel(init_params(np.random.default_rng(0))), tmp_path / "net.npz")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    view = window.training_tab.view
    _click_tab(qtbot, window, window.tabs.indexOf(view))
    _click(qtbot, view.load_button)  # Load model…, and the file chosen
    qtbot.waitUntil(view.use_first_button.isEnabled, timeout=TIMEOUT)
    _wait_result(qtbot, window, lambda: _click(qtbot, view.use_first_button),
                 lambda r: r.stages[0].spec.kernel_shape == (5, 5))
    assert window.tabs.currentWidget() is window.maps_panel
    check("the learned kernels")

    panel = window.layer_panel
    _wait_result(qtbot, window, lambda: _type_in_spin(qtbot, panel.kernel_h_spin, "11"),
                 lambda r: r.stages[0].spec.kernel_shape[0] == 11)
    check("an 11×11 kernel")

    combo = panel.stack_preset_combo
    combo.setFocus()
    _wait_result(qtbot, window, lambda: qtbot.keyClicks(combo, "TinyVGG"),  # "Start from…"
                 lambda r: len(r.stages) == 3)
    check("a TinyVGG stack")
    for layer in (1, 2):  # a deeper layer's filters are pictured one per input map
        window.document.selection.layer = layer
        check(f"layer {layer + 1} selected")
    for i in range(window.tabs.count()):
        _click_tab(qtbot, window, i)
        check(f"{window.tabs.tabText(i)} with TinyVGG")


def test_a_window_moved_onto_a_small_screen_shrinks_to_fit_it(qtbot, window):
    free = _screen((1024, 768)).availableGeometry()
    window.move(free.topLeft())  # from a large screen onto a projector
    qtbot.waitUntil(lambda: free.contains(window.frameGeometry()))


@contextmanager
def _slow_computations(window):
    """The worker holds every request until it is cancelled (a photo taking seconds)."""
    computer = window.controller.worker._computer
    real = computer.compute
    entered = threading.Event()

    def slow(request, token=None):
        entered.set()
        while not token.cancelled:  # the engine checks the token between pieces of work
            threading.Event().wait(0.01)
        raise Cancelled()

    computer.compute = slow
    try:
        yield entered
    finally:
        computer.compute = real


def test_a_message_or_the_busy_bar_never_resizes_the_maps(qtbot, window, tmp_path):
    _settle(qtbot, window)
    grid = window.maps_panel.feature_grid
    size, generation = grid.size(), window.controller.generation
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    assert not window.open_image(broken)
    qtbot.wait(100)
    assert window.banner.isVisible()
    assert grid.size() == size
    assert window.controller.generation == generation and not window.controller.scheduled

    with _slow_computations(window) as entered:
        _type_in_spin(qtbot, window.layer_panel.stride_spin, "2")
        qtbot.waitUntil(entered.is_set, timeout=TIMEOUT)
        qtbot.waitUntil(window.busy_bar.isVisible, timeout=TIMEOUT)
        generation = window.controller.generation
        qtbot.wait(100)
        assert grid.size() == size
        assert window.controller.generation == generation and not window.controller.scheduled
        _click(qtbot, window.busy_bar.cancel_button)


def test_cancel_sticks_until_the_next_edit(qtbot, window):
    _settle(qtbot, window)
    shown = window.last_result
    grid = window.maps_panel.feature_grid
    with _slow_computations(window) as entered:
        _type_in_spin(qtbot, window.layer_panel.stride_spin, "2")
        qtbot.waitUntil(entered.is_set, timeout=TIMEOUT)
        qtbot.waitUntil(window.busy_bar.isVisible, timeout=TIMEOUT)
        generation = window.controller.generation
        _click(qtbot, window.busy_bar.cancel_button)
        qtbot.waitUntil(lambda: not window.busy_bar.isVisible(), timeout=TIMEOUT)
        qtbot.wait(200)  # what a resize would ask for, it would have asked by now
        _click_tab(qtbot, window, window.tabs.indexOf(window.params_panel))
        _click_tab(qtbot, window, window.tabs.indexOf(window.maps_panel))
        qtbot.wait(200)
        assert window.controller.generation == generation  # nothing computed again
        assert not (window.controller.scheduled or window.controller.waiting)
        assert not window.busy_bar.isVisible()
        assert window.last_result is shown and grid.isVisible()
        assert window.banner.isVisible() and "Stopped" in window.banner.text()
    # the next edit computes, and its result makes the message out of date
    _wait_result(qtbot, window, lambda: _type_in_spin(qtbot, window.layer_panel.stride_spin, "3"),
                 lambda r: r.stages[0].spec.stride == (3, 3))
    assert not window.banner.isVisible()


def test_a_file_error_stays_until_dismissed(qtbot, window, tmp_path):
    broken = tmp_path / "holiday.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    assert not window.open_image(broken)
    assert window.banner.isVisible() and "holiday.png" in window.banner.text()
    _wait_result(qtbot, window, lambda: _type_in_spin(qtbot, window.layer_panel.stride_spin, "2"),
                 lambda r: r.stages[0].spec.stride == (2, 2))
    qtbot.wait(200)
    assert window.banner.isVisible() and "holiday.png" in window.banner.text()
    dismiss = next(b for b in window.banner.findChildren(QPushButton) if b.text() == "Dismiss")
    _click(qtbot, dismiss)
    assert not window.banner.isVisible()


def _slices_on_screen(qtbot, window) -> list[QRect]:
    """Where the shown channel slices' grids are, in the scroll area that holds them; each
    must be whole in its view."""
    qtbot.wait(50)
    grids = [g for g in window.kernel_editor.findChildren(KernelGrid) if g.isVisible()]
    scroll = grids[0].parentWidget()
    while not isinstance(scroll, QScrollArea):
        scroll = scroll.parentWidget()
    view = scroll.viewport()
    rects = sorted((QRect(g.mapTo(view, QPoint(0, 0)), g.size()) for g in grids),
                   key=QRect.top)
    for rect in rects:
        assert view.rect().contains(rect), (rect, view.rect())
    return rects


def test_the_kernel_dock_shows_every_slice_after_another_shape(qtbot, window):
    panel = window.layer_panel
    for kernel in (11, 3):
        _wait_result(qtbot, window, lambda k=kernel: _type_in_spin(qtbot, panel.kernel_h_spin,
                                                                    str(k)),
                     lambda r, k=kernel: r.stages[0].spec.kernel_shape == (k, k))
    rects = _slices_on_screen(qtbot, window)
    assert len(rects) == 3 and all(r.height() >= 3 * 20 for r in rects)
    assert all(b.top() - a.bottom() <= 10 for a, b in itertools.pairwise(rects))

    combo = panel.channels_combo
    _wait_result(qtbot, window, lambda: combo.setCurrentIndex(combo.findData(True)),
                 lambda r: r.picture.ndim == 2 or r.picture.shape[2] == 1)
    assert len(_slices_on_screen(qtbot, window)) == 1
    _wait_result(qtbot, window, lambda: combo.setCurrentIndex(combo.findData(False)),
                 lambda r: r.picture.ndim == 3 and r.picture.shape[2] == 3)
    rects = _slices_on_screen(qtbot, window)
    assert len(rects) == 3
    assert all(b.top() - a.bottom() <= 10 for a, b in itertools.pairwise(rects))


@pytest.mark.qt_log_ignore("does not support raise")  # the tooltip, offscreen
def test_a_long_filter_name_is_elided_with_the_whole_name_in_its_tooltip(qtbot, window):
    size = window.size()
    minimum = window.minimumSizeHint().width()
    name = "a filter named at great length by a student who likes long names"
    window.document.filters.set_name(0, name)  # as a script or a kernel library may
    qtbot.wait(20)
    combo = window.kernel_editor._filter_combo
    assert name in combo.currentText()
    assert combo.shown_text().endswith("…") and len(combo.shown_text()) < len(name)
    assert window.minimumSizeHint().width() == minimum and window.size() == size
    centre = combo.rect().center()
    QApplication.sendEvent(combo, QHelpEvent(QEvent.Type.ToolTip, centre,
                                             combo.mapToGlobal(centre)))
    assert name in QToolTip.text()
