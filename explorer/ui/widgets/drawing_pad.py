"""A black square to draw a digit on with the mouse or a pen, in white, as MNIST's digits are.

The drawing is kept at a fixed resolution and shown scaled to the widget, so a stroke looks
the same however the window is sized. A tablet pen's pressure makes the stroke wider.
Backspace, Delete or Escape clears it (as does the Clear button beside it).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

RESOLUTION = 280  # ten canvas pixels for every pixel of the 28×28 input
PEN_WIDTH = 22.0  # MNIST's strokes are about 2 of 28 pixels wide
CLEAR_KEYS = (Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Escape)


class DrawingPad(QWidget):
    """Draw with the left button or a pen; ``changed`` is emitted as the drawing grows."""

    changed = Signal()
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._canvas = QImage(RESOLUTION, RESOLUTION, QImage.Format.Format_Grayscale8)
        self._canvas.fill(0)
        self._last: QPointF | None = None
        self._empty = True
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("Draw a digit. Backspace, Delete or Escape clears the pad.")

    def sizeHint(self) -> QSize:
        return QSize(RESOLUTION, RESOLUTION)

    def minimumSizeHint(self) -> QSize:
        return QSize(140, 140)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    @property
    def is_empty(self) -> bool:
        return self._empty

    def image(self) -> np.ndarray:
        """The drawing as (280, 280) uint8, white strokes (255) on black (0)."""
        bits = self._canvas.constBits()
        row = self._canvas.bytesPerLine()
        data = np.frombuffer(bits, np.uint8, count=row * RESOLUTION).reshape(RESOLUTION, row)
        return data[:, :RESOLUTION].copy()

    def set_picture(self, picture: np.ndarray) -> None:
        """Put a gray picture (white ink on black, any size, such as a 28×28 digit) on the
        pad, scaled to it, as if it had been drawn there."""
        gray = np.ascontiguousarray(picture, np.uint8)
        if gray.ndim != 2 or 0 in gray.shape:
            raise ValueError(f"the pad shows one gray picture, not shape {gray.shape}")
        image = QImage(gray.data, gray.shape[1], gray.shape[0], gray.strides[0],
                       QImage.Format.Format_Grayscale8)
        painter = QPainter(self._canvas)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRect(0, 0, RESOLUTION, RESOLUTION), image)
        painter.end()
        self._empty = not gray.any()
        self._last = None
        self.update()
        self.changed.emit()

    def clear(self) -> None:
        self._canvas.fill(0)
        self._empty = True
        self._last = None
        self.update()
        self.cleared.emit()

    def _target(self) -> QRect:
        """The square drawn on: as large as fits, at the top, centred across."""
        side = min(self.width(), self.height())
        return QRect((self.width() - side) // 2, 0, side, side)

    def _to_canvas(self, pos: QPointF) -> QPointF:
        t = self._target()
        scale = RESOLUTION / max(1, t.width())
        return QPointF((pos.x() - t.left()) * scale, (pos.y() - t.top()) * scale)

    def _stroke_to(self, pos: QPointF, width: float = PEN_WIDTH) -> None:
        point = self._to_canvas(pos)
        painter = QPainter(self._canvas)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(255, 255, 255), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        if self._last is None:
            painter.drawPoint(point)
        else:
            painter.drawLine(self._last, point)
        painter.end()
        self._last = point
        self._empty = False
        self.update()
        self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = None
            self._stroke_to(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._stroke_to(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._last = None

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        width = PEN_WIDTH * (0.5 + event.pressure())
        if kind == QTabletEvent.Type.TabletPress:
            self._last = None
            self._stroke_to(event.position(), width)
        elif kind == QTabletEvent.Type.TabletMove and event.pressure() > 0:
            self._stroke_to(event.position(), width)
        elif kind == QTabletEvent.Type.TabletRelease:
            self._last = None
        event.accept()  # no synthesised mouse events: the stroke is drawn once

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in CLEAR_KEYS:
            self.clear()
        else:
            super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = self._target()
        painter.drawImage(target, self._canvas)
        painter.setPen(QColor(120, 120, 120))
        painter.drawRect(target.adjusted(0, 0, -1, -1))
        if self._empty:
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(target, Qt.AlignmentFlag.AlignCenter, "draw a digit here")
        painter.end()
