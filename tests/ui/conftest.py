"""Fixtures for the window tests."""

from __future__ import annotations

import pyqtgraph as pg
import pytest

pg.setConfigOptions(imageAxisOrder="row-major")


@pytest.fixture
def window(qtbot, tmp_path):
    """A main window with default settings, its own kernel library, and a first result shown."""
    from explorer.resources import resource_path
    from explorer.ui.main_window import MainWindow

    win = MainWindow(restore_settings=False, library_path=tmp_path / "kernels.json")
    qtbot.addWidget(win)
    win.resize(1600, 1000)
    win.show()
    with qtbot.waitSignal(win.result_shown, timeout=20_000):
        win.open_image(resource_path("samples", "coffee.png"))
    # and whatever the first maps set off (new tile sizes) is on screen too: a test's own
    # wait for maps must not catch one of these
    qtbot.waitUntil(lambda: not win.controller.scheduled
                    and win.last_result.generation >= win.controller.generation,
                    timeout=20_000)
    yield win
    win.shutdown()


@pytest.fixture
def projector_window(qtbot, window):
    """The window dragged onto the 1280×720 projector, where presentation mode opens."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QGuiApplication

    from tests.conftest import PROJECTOR_SIZE

    screen = next(s for s in QGuiApplication.screens() if s.size() == QSize(*PROJECTOR_SIZE))
    window.move(screen.availableGeometry().topLeft())
    qtbot.waitUntil(lambda: window.screen() is screen)
    return window
