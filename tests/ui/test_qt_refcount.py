"""Guard the Qt pin: PySide6 6.12.0 leaks references to True/None in a live display loop.

Under Python 3.11, 6.12.0 drops a reference to ``True`` on every signal emit, ``setImage`` and
repaint, and ~5 to ``None`` per repaint, until the interpreter aborts with "Fatal Python error:
bool_dealloc". Any Qt upgrade must keep these counts from falling.

From Python 3.12 on, ``True`` and ``None`` are immortal: their counts no longer move, so they
prove nothing there. The loop therefore also emits a mortal object and a mortal float each
cycle, whose counts move on every Python: a binding that drops or keeps a reference to what
it passes shows there.
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
    emitter.ping.connect(lambda value: received.append(value is not None))
    frame = np.random.default_rng(0).random((48, 64), dtype=np.float32)
    payload = object()  # mortal on every Python
    level = float("0.75")  # a float made at run time: no constant shared with other code

    def cycle() -> None:
        emitter.ping.emit(True)
        emitter.ping.emit(payload)
        item.setImage(frame, autoLevels=False, levels=(0.0, level))
        widget.repaint()

    for _ in range(20):  # warm up caches and lazily created objects
        cycle()
    counts_before = [sys.getrefcount(x) for x in (True, None, payload, level)]
    for _ in range(CYCLES):
        cycle()
    counts_after = [sys.getrefcount(x) for x in (True, None, payload, level)]

    assert len(received) == 2 * (CYCLES + 20)
    true_before, none_before, payload_before, level_before = counts_before
    true_after, none_after, payload_after, level_after = counts_after
    # a leak loses at least one reference per cycle; allow small noise from caches
    assert true_after >= true_before - 10, (true_before, true_after)
    assert none_after >= none_before - 10, (none_before, none_after)
    # the mortal objects: every reference taken is given back, none is dropped
    assert payload_after == payload_before, (payload_before, payload_after)
    assert abs(level_after - level_before) <= 2, (level_before, level_after)
