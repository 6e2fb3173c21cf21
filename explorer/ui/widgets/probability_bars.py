"""Ten bars: how sure the network is of each digit, the winner highlighted."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

WINNER = QColor(214, 96, 77)
OTHERS = QColor(67, 147, 195)


class ProbabilityBars(QWidget):
    """A bar per class from 0 to 100 %, its digit below and its percentage above."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._p: np.ndarray | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(360, 150)

    def minimumSizeHint(self) -> QSize:
        return QSize(110, 80)

    def probabilities(self) -> np.ndarray | None:
        return None if self._p is None else self._p.copy()

    def set_probabilities(self, p: np.ndarray | None) -> None:
        self._p = None if p is None else np.asarray(p, np.float64).reshape(-1)
        if self._p is not None:
            best = int(self._p.argmax())
            self.setToolTip(f"It reads a {best} ({self._p[best]:.0%} sure)")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            fm = QFontMetrics(self.font())
            line = fm.height()
            n = 10 if self._p is None else len(self._p)
            slot = self.width() / n
            top, bottom = line + 2, self.height() - line - 2
            text = self.palette().windowText().color()
            painter.setPen(QColor(160, 160, 160))
            painter.drawLine(0, bottom, self.width(), bottom)
            best = -1 if self._p is None else int(self._p.argmax())
            for i in range(n):
                x = i * slot
                painter.setPen(text)
                painter.drawText(QRectF(x, bottom + 1, slot, line), Qt.AlignmentFlag.AlignCenter,
                                 str(i))
                if self._p is None:
                    continue
                v = float(np.clip(self._p[i], 0, 1))
                h = (bottom - top) * v
                bar = QRectF(x + slot * 0.15, bottom - h, slot * 0.7, h)
                painter.fillRect(bar, WINNER if i == best else OTHERS)
                painter.drawText(QRectF(x, bottom - h - line - 1, slot, line),
                                 Qt.AlignmentFlag.AlignCenter, f"{v:.0%}")
        finally:
            painter.end()
