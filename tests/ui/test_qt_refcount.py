"""Guard the Qt pin: PySide6 6.12.0 leaks references to True/None in a live display loop.

Under Python 3.11, 6.12.0 drops a reference to ``True`` on every signal emit, ``setImage`` and
repaint, and ~5 to ``None`` per repaint, until the interpreter aborts with "Fatal Python error:
bool_dealloc". Any Qt upgrade must keep these counts from falling.
"""

from __future__ import annotations

import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal

CYCLES = 300


class _Emitter(QObject):
    ping = Signal(object)


def test_display_loop_keeps_true_and_none_alive(qtbot):
    pg.setConfigOptions(imageAxisOrder="row-major")
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    widget.resize(320, 240)
    widget.show()
    view = widget.addViewBox()
    item = pg.ImageItem()
    view.addItem(item)
    emitter = _Emitter()
    received = []
    emitter.ping.connect(received.append)
    frame = np.random.default_rng(0).random((48, 64), dtype=np.float32)

    def cycle() -> None:
        emitter.ping.emit(True)
        item.setImage(frame, autoLevels=False, levels=(0.0, 1.0))
        widget.repaint()

    for _ in range(20):  # warm up caches and lazily created objects
        cycle()
    true_before, none_before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(CYCLES):
        cycle()
    true_after, none_after = sys.getrefcount(True), sys.getrefcount(None)

    assert len(received) == CYCLES + 20
    # a leak loses at least one reference per cycle; allow small noise from caches
    assert true_after >= true_before - 10, (true_before, true_after)
    assert none_after >= none_before - 10, (none_before, none_after)
