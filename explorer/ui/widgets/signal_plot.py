"""A 1-D signal drawn as samples, optionally drawn *by* the mouse.

Input and output of a 1-D convolution share one horizontal scale, in input samples: output
sample j stands under the middle of the window it came from, so a smoothed or differentiated
signal lines up with its source even with padding and stride. Padding zones (zeros beyond the
ends) are hatched. The hovered window is shaded and the hovered sample ringed.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

__all__ = ["SignalPlot"]

LINE = QColor(40, 90, 160)
WINDOW = QColor(255, 170, 40, 80)
MARK = QColor(255, 150, 0)
HATCH = QColor(120, 120, 120, 90)
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_Y = 44, 10, 10
STEMS_UP_TO = 150  # samples drawn as stems and dots; more as a line


class SignalPlot(QWidget):
    """Samples at x positions (input-sample units) over a fixed x range."""

    hovered = Signal(int)  # sample index under the pointer, -1 when none
    edited = Signal()  # the mouse changed a sample (editable plots only)

    def __init__(self, editable: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editable = editable
        self._values = np.zeros(0, np.float32)
        self._x = np.zeros(0)
        self._x_range = (-0.5, 0.5)
        self._limit = 1.0
        self._fixed_limit: float | None = 1.2 if editable else None
        self._padding_zones: list[tuple[float, float]] = []
        self._window: tuple[float, float] | None = None
        self._mark = -1
        self._drawing = False
        self._last_drawn: int | None = None
        self.setMouseTracking(True)
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        if editable:
            self.setCursor(Qt.CursorShape.CrossCursor)
            self.setToolTip("Press and drag to draw the signal")

    # --- content --------------------------------------------------------------------------
    def set_signal(self, values: np.ndarray, x: np.ndarray | None = None,
                   x_range: tuple[float, float] | None = None,
                   padding_zones: list[tuple[float, float]] | None = None) -> None:
        values = np.asarray(values, np.float32).reshape(-1)
        self._values = values.copy()
        self._x = np.arange(values.size, dtype=float) if x is None else np.asarray(x, float)
        self._x_range = x_range or (-0.5, values.size - 0.5)
        self._padding_zones = list(padding_zones or [])
        if self._fixed_limit is not None:
            self._limit = max(self._fixed_limit, float(np.abs(values).max(initial=0)))
        else:
            peak = float(np.abs(values).max(initial=0))
            self._limit = peak * 1.1 if peak > 0 else 1.0
        self.update()

    def values(self) -> np.ndarray:
        return self._values.copy()

    def set_window(self, window: tuple[float, float] | None, mark: int = -1) -> None:
        """Shade input positions ``[a, b]`` (inclusive) and ring sample ``mark``."""
        self._window, self._mark = window, mark
        self.update()

    def window(self) -> tuple[float, float] | None:
        return self._window

    # --- geometry -------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(800, 220)

    def _to_screen(self, x: float, y: float) -> QPointF:
        x0, x1 = self._x_range
        w = self.width() - MARGIN_LEFT - MARGIN_RIGHT
        h = self.height() - 2 * MARGIN_Y
        sx = MARGIN_LEFT + (x - x0) / (x1 - x0) * w
        sy = MARGIN_Y + (1 - (y + self._limit) / (2 * self._limit)) * h
        return QPointF(sx, sy)

    def _from_screen(self, px: float, py: float) -> tuple[float, float]:
        x0, x1 = self._x_range
        w = max(self.width() - MARGIN_LEFT - MARGIN_RIGHT, 1)
        h = max(self.height() - 2 * MARGIN_Y, 1)
        x = x0 + (px - MARGIN_LEFT) / w * (x1 - x0)
        y = (1 - (py - MARGIN_Y) / h) * 2 * self._limit - self._limit
        return x, y

    def sample_at(self, px: float) -> int:
        """The sample nearest to screen x ``px`` (within half a sample), or -1."""
        if self._values.size == 0:
            return -1
        x, _ = self._from_screen(px, 0)
        i = int(np.argmin(np.abs(self._x - x)))
        spacing = float(np.min(np.diff(self._x))) if self._x.size > 1 else 1.0
        return i if abs(self._x[i] - x) <= spacing / 2 + 1e-9 else -1

    def point_of(self, index: int, value: float | None = None) -> QPointF:
        """Screen position of sample ``index`` at ``value`` (its own value by default)."""
        v = float(self._values[index]) if value is None else value
        return self._to_screen(float(self._x[index]), v)

    # --- painting -------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            plot = QRectF(MARGIN_LEFT, MARGIN_Y, self.width() - MARGIN_LEFT - MARGIN_RIGHT,
                          self.height() - 2 * MARGIN_Y)
            painter.fillRect(plot, QColor(255, 255, 255))
            hatch = QBrush(HATCH, Qt.BrushStyle.BDiagPattern)
            for a, b in self._padding_zones:
                left, right = self._to_screen(a, 0).x(), self._to_screen(b, 0).x()
                painter.fillRect(QRectF(left, plot.top(), right - left, plot.height()), hatch)
            if self._window is not None:
                a, b = self._window
                left = self._to_screen(a - 0.5, 0).x()
                right = self._to_screen(b + 0.5, 0).x()
                painter.fillRect(QRectF(left, plot.top(), right - left, plot.height()), WINDOW)
            axis = QPen(QColor(150, 150, 150))
            axis.setCosmetic(True)
            painter.setPen(axis)
            painter.drawRect(plot)
            zero = self._to_screen(0, 0).y()
            painter.drawLine(QPointF(plot.left(), zero), QPointF(plot.right(), zero))
            painter.setPen(self.palette().windowText().color())
            for v in (self._limit, 0.0, -self._limit):
                y = self._to_screen(0, v).y()
                painter.drawText(QRectF(0, y - 8, MARGIN_LEFT - 4, 16),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                 f"{v:.2g}")
            if self._values.size == 0:
                return
            pen = QPen(LINE)
            pen.setWidthF(1.6)
            painter.setPen(pen)
            points = [self.point_of(i) for i in range(self._values.size)]
            if self._values.size <= STEMS_UP_TO:
                for pt in points:
                    painter.drawLine(QPointF(pt.x(), zero), pt)
                painter.setBrush(LINE)
                radius = 2.6 if self._values.size <= 80 else 1.8
                for pt in points:
                    painter.drawEllipse(pt, radius, radius)
            else:
                path = QPainterPath(points[0])
                for pt in points[1:]:
                    path.lineTo(pt)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(path)
            if 0 <= self._mark < self._values.size:
                ring = QPen(MARK)
                ring.setWidthF(2.5)
                painter.setPen(ring)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(points[self._mark], 6, 6)
        finally:
            painter.end()

    # --- mouse ----------------------------------------------------------------------------
    def _draw_at(self, px: float, py: float) -> None:
        """Set the sample under the pointer to the pointer's height (and those skipped)."""
        x, y = self._from_screen(px, py)
        i = round(x)
        if not 0 <= i < self._values.size:
            return
        y = float(np.clip(y, -self._limit, self._limit))
        last = self._last_drawn
        if last is not None and last != i and 0 <= last < self._values.size:
            # a fast stroke skips samples: fill them along a straight line
            lo, hi = sorted((last, i))
            self._values[lo:hi + 1] = np.interp(np.arange(lo, hi + 1), [last, i],
                                                [self._values[last], y])
        self._values[i] = y
        self._last_drawn = i
        self.update()
        self.edited.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._editable and event.button() == Qt.MouseButton.LeftButton:
            self._drawing = True
            self._last_drawn = None
            pos = event.position()
            self._draw_at(pos.x(), pos.y())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._drawing:
            self._draw_at(pos.x(), pos.y())
        i = self.sample_at(pos.x())
        self.hovered.emit(i)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drawing = False
            self._last_drawn = None

    def leaveEvent(self, _event) -> None:
        self.hovered.emit(-1)

