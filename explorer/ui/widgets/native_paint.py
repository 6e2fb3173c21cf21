"""A pyqtgraph layout widget that Qt paints without holding Python's interpreter lock.

pyqtgraph's ``GraphicsView.paintEvent`` is a Python method: it lets the view boxes update their
transforms, then Qt paints the whole scene inside that Python call, holding the interpreter
lock throughout. The compute worker's threads need the lock between two OpenCV calls, so
every millisecond the window spends painting maps stalled the next frame's maps too. Here
Qt's own ``paintEvent`` is restored and the view boxes are prepared by an event filter that
returns before the paint: only the items' own Python ``paint`` methods take the lock, each
for one ``drawImage`` (docs/architecture.md, "Speed").
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QGraphicsView

__all__ = ["NativePaintLayout"]


class _PrepareBeforePaint(QObject):
    """Runs the scene's preparation (view box transforms, auto ranges) before each paint."""

    def __init__(self, view: pg.GraphicsView) -> None:
        super().__init__(view)
        self._view = view

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            scene = self._view.scene()
            if scene is not None:  # None once the view is closed
                scene.prepareForPaint()
        return False


class NativePaintLayout(pg.GraphicsLayoutWidget):
    """``pg.GraphicsLayoutWidget`` painted by Qt's C++ ``paintEvent``."""

    # the C++ method itself: PySide then finds no Python override and paints without the lock
    paintEvent = QGraphicsView.paintEvent

    def __init__(self, parent=None, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self._prepare = _PrepareBeforePaint(self)
        self.viewport().installEventFilter(self._prepare)
