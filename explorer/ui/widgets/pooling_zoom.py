"""A few pooling windows up close: every value under them, and the value that survived.

Left, the feature-map cells of the zoom with their values, each window outlined; for max
pooling the winner of each window is ringed. Right, at the same scale (one pooled cell as wide
as the stride's worth of cells), the pooled cells with the surviving value: the maximum, or
the mean for average pooling.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from explorer.core.pooling_study import PoolingZoom
from explorer.ui.widgets.readout_view import format_value

GAP = 28  # px between the cells and the survivors, room for the arrow
WINNER = QColor(255, 196, 0)
WINDOW_PEN = QColor(240, 240, 240)
GRID_PEN = QColor(0, 0, 0, 90)
BACKGROUND = QColor(30, 30, 30)
MIN_TEXT_CELL = 18  # px: below this a cell's value is not written (it could not be read)
MIN_FONT_PX = 8


def _ink(rgb: np.ndarray) -> QColor:
    """Black or white text, whichever reads on a cell of this colour."""
    r, g, b = (int(v) for v in rgb)
    return QColor(0, 0, 0) if 0.299 * r + 0.587 * g + 0.114 * b > 140 else QColor(255, 255, 255)


class PoolingZoomView(QWidget):
    """Draws a :class:`PoolingZoom` with the cells' colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._zoom: PoolingZoom | None = None
        self._cells_rgb = np.zeros((0, 0, 3), np.uint8)
        self._pooled_rgb = np.zeros((0, 0, 3), np.uint8)

    def sizeHint(self) -> QSize:
        return QSize(520, 280)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 120)

    def clear(self) -> None:
        self._zoom = None
        self.update()

    def set_zoom(self, zoom: PoolingZoom, cells_rgb: np.ndarray, pooled_rgb: np.ndarray) -> None:
        """The zoom, and the colours of its cells and of its pooled cells."""
        self._zoom, self._cells_rgb, self._pooled_rgb = zoom, cells_rgb, pooled_rgb
        self.update()

    @property
    def zoom(self) -> PoolingZoom | None:
        return self._zoom

    def cell_size(self) -> float:
        """Screen pixels of one feature-map cell: cells and survivors fit side by side."""
        zoom = self._zoom
        if zoom is None:
            return 0.0
        rows, cols = zoom.cells.shape
        across = cols + zoom.cols * zoom.stride  # the survivors are stride cells wide each
        down = max(rows, zoom.rows * zoom.stride)
        return max(min((self.width() - GAP - 8) / across, (self.height() - 8) / down), 1.0)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        zoom = self._zoom
        if zoom is None:
            painter.end()
            return
        cell = self.cell_size()
        rows, cols = zoom.cells.shape
        x0, y0 = 4.0, 4.0
        painter.setFont(self._fitting_font(zoom.cells, cell))
        # the cells, with their values
        for r in range(rows):
            for c in range(cols):
                rect = QRectF(x0 + c * cell, y0 + r * cell, cell, cell)
                self._cell(painter, rect, self._cells_rgb[r, c], zoom.cells[r, c], cell)
        # each window outlined; the winners ringed
        r0, c0 = zoom.origin
        pen = QPen(WINDOW_PEN, 2)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for i in range(zoom.rows):
            for j in range(zoom.cols):
                wr0, _, wc0, _ = zoom.window(i, j)
                painter.setPen(pen)
                painter.drawRect(QRectF(x0 + (wc0 - c0) * cell + 1, y0 + (wr0 - r0) * cell + 1,
                                        zoom.size * cell - 2, zoom.size * cell - 2))
                if zoom.winners is not None:
                    wr, wc = zoom.winners[i, j]
                    painter.setPen(QPen(WINNER, max(2.0, cell * 0.08)))
                    painter.drawEllipse(QRectF(x0 + (wc - c0) * cell + 3,
                                               y0 + (wr - r0) * cell + 3, cell - 6, cell - 6))
        # the arrow, and the survivors at the same scale
        right = x0 + cols * cell + GAP
        middle = y0 + min(rows, zoom.rows * zoom.stride) * cell / 2
        painter.setPen(QPen(WINDOW_PEN, 2))
        painter.drawLine(int(right - GAP + 6), int(middle), int(right - 6), int(middle))
        painter.drawLine(int(right - 12), int(middle - 5), int(right - 6), int(middle))
        painter.drawLine(int(right - 12), int(middle + 5), int(right - 6), int(middle))
        step = zoom.stride * cell
        painter.setFont(self._fitting_font(zoom.pooled, min(step, cell * 2)))
        for i in range(zoom.rows):
            for j in range(zoom.cols):
                rect = QRectF(right + j * step, y0 + i * step, step, step)
                self._cell(painter, rect, self._pooled_rgb[i, j], zoom.pooled[i, j], step)
        painter.end()

    def _fitting_font(self, values: np.ndarray, cell: float) -> QFont:
        """The largest font up to 30 % of a cell in which the widest value fits the cell."""
        font = QFont(self.font())
        widest = max((format_value(v) for v in values.ravel()), key=len, default="0.0")
        size = max(int(cell * 0.3), MIN_FONT_PX)
        while size > MIN_FONT_PX:
            font.setPixelSize(size)
            if QFontMetrics(font).horizontalAdvance(widest) <= cell - 4:
                break
            size -= 1
        font.setPixelSize(size)
        return font

    def _cell(self, painter: QPainter, rect: QRectF, rgb: np.ndarray, value: float,
              size: float) -> None:
        painter.fillRect(rect, QColor(int(rgb[0]), int(rgb[1]), int(rgb[2])))
        painter.setPen(QPen(GRID_PEN, 1))
        painter.drawRect(rect)
        if size >= MIN_TEXT_CELL:
            painter.setPen(_ink(rgb))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, format_value(value))
