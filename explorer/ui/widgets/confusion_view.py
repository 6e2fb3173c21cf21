"""The confusion matrix: how often each true digit was read as each digit.

Rows are the true digits, columns what the network said; the diagonal holds the digits it
got right (green), every other cell a kind of mistake (red, stronger for more). Clicking a
cell picks that kind of mistake.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from explorer.ui.widgets.placeholder import draw_placeholder

RIGHT = QColor(70, 160, 90)
WRONG = QColor(214, 96, 77)


class ConfusionView(QWidget):
    """A painted (classes × classes) table of counts with row and column headers."""

    cell_clicked = Signal(int, int)  # true digit, predicted digit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._m: np.ndarray | None = None
        self._selected: tuple[int, int] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(300, 300)

    def minimumSizeHint(self) -> QSize:
        return QSize(150, 150)

    def matrix(self) -> np.ndarray | None:
        return None if self._m is None else self._m.copy()

    def set_matrix(self, m: np.ndarray | None) -> None:
        self._m = None if m is None else np.asarray(m, np.int64)
        self._selected = None
        self.update()

    def set_selected(self, cell: tuple[int, int] | None) -> None:
        self._selected = cell
        self.update()

    def _geometry(self) -> tuple[float, float, float]:
        """(x0, y0, cell side): room for the headers left and above."""
        fm = QFontMetrics(self.font())
        head = fm.height() * 2 + 4
        n = 10 if self._m is None else self._m.shape[0]
        side = max(4.0, min((self.width() - head) / n, (self.height() - head) / n))
        return head, head, side

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        if self._m is None:
            return None
        x0, y0, side = self._geometry()
        r, c = int((y - y0) // side), int((x - x0) // side)
        n = self._m.shape[0]
        return (r, c) if 0 <= r < n and 0 <= c < n and y >= y0 and x >= x0 else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().x(), event.position().y())
        if cell is not None:
            self.set_selected(cell)
            self.cell_clicked.emit(*cell)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().x(), event.position().y())
        if cell is None or self._m is None:
            self.setToolTip("")
            return
        r, c = cell
        count = int(self._m[r, c])
        what = "read correctly" if r == c else f"read as {c}"
        self.setToolTip(f"{count} test digits {r} {what}")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            x0, y0, side = self._geometry()
            fm = QFontMetrics(self.font())
            text = self.palette().windowText().color()
            n = 10 if self._m is None else self._m.shape[0]
            painter.setPen(text)
            painter.drawText(QRectF(x0, 0, side * n, fm.height()), Qt.AlignmentFlag.AlignCenter,
                             "predicted digit →")
            painter.save()
            painter.translate(0, y0 + side * n)
            painter.rotate(-90)
            painter.drawText(QRectF(0, 0, side * n, fm.height()), Qt.AlignmentFlag.AlignCenter,
                             "true digit →")
            painter.restore()
            for i in range(n):
                painter.drawText(QRectF(x0 + i * side, fm.height(), side, fm.height() + 4),
                                 Qt.AlignmentFlag.AlignCenter, str(i))
                painter.drawText(QRectF(fm.height(), y0 + i * side, fm.height() + 4, side),
                                 Qt.AlignmentFlag.AlignCenter, str(i))
            if self._m is None:
                draw_placeholder(painter, self, "The confusion matrix appears when training ends.",
                                 QRectF(x0, y0, side * n, side * n))
                return
            # counts up to three digits must fit their cell; too small cells keep the colour
            # and the tooltip only
            count_font = self.font()
            count_font.setPixelSize(max(1, min(fm.height(), int(side / 2.1))))
            show_counts = side >= 12
            rows = self._m.sum(axis=1, keepdims=True).clip(min=1)
            share = self._m / rows
            grid = QPen(QColor(170, 170, 170))
            for r in range(n):
                for c in range(n):
                    rect = QRectF(x0 + c * side, y0 + r * side, side, side)
                    s = float(share[r, c]) if r == c else min(1.0, float(share[r, c]) * 5)
                    base = RIGHT if r == c else WRONG
                    mix = 0.85 * s

                    def blend(a: int, mix: float = mix) -> int:
                        return round(255 + (a - 255) * mix)

                    painter.fillRect(rect, QColor(blend(base.red()), blend(base.green()),
                                                  blend(base.blue())))
                    painter.setPen(grid)
                    painter.drawRect(rect)
                    count = int(self._m[r, c])
                    if count and show_counts:
                        painter.setFont(count_font)
                        painter.setPen(QColor(20, 20, 20))
                        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count))
            if self._selected is not None:
                r, c = self._selected
                pen = QPen(QColor(255, 150, 0))
                pen.setWidth(3)
                painter.setPen(pen)
                painter.drawRect(QRectF(x0 + c * side + 1.5, y0 + r * side + 1.5,
                                        side - 3, side - 3))
        finally:
            painter.end()
