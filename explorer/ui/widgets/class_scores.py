"""The dense head's class scores as bars, with the sentences that go with them.

A painted widget of fixed height: its text wraps to its width and the bars take the rest, so
showing it, or a longer sentence, never asks the window for room (docs/architecture.md, "A
window that holds still"). Each bar is one class's softmax probability; its percentage is
written above it when the bar is wide enough, and always above the highest.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

HEIGHT = 170  # px: up to ~6 lines of text and bars of at least 48 px
BAR_GAP = 2
MIN_BARS_HEIGHT = 48
TOP_COLOUR = QColor(214, 96, 77)
BAR_COLOUR = QColor(67, 147, 195)


class ClassScores(QWidget):
    """Sentences above, one bar per class below (probabilities from 0 to 1)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines: tuple[str, ...] = ()
        self._probabilities: np.ndarray | None = None
        self.setFixedHeight(HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(320, HEIGHT)

    def minimumSizeHint(self) -> QSize:
        return QSize(120, HEIGHT)

    def set_scores(self, lines: Sequence[str], probabilities: np.ndarray | None) -> None:
        """Show ``lines`` of text and one bar per probability (None: text only)."""
        lines = tuple(lines)
        if lines == self._lines and _same(probabilities, self._probabilities):
            return
        self._lines = lines
        self._probabilities = None if probabilities is None else np.array(probabilities)
        self.setToolTip("\n".join(lines))
        self.update()

    def text(self) -> str:
        """The sentences shown, one a line."""
        return "\n".join(self._lines)

    @property
    def probabilities(self) -> np.ndarray | None:
        return self._probabilities

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        width, height = self.width(), self.height()
        metrics = painter.fontMetrics()
        line_h = metrics.height()
        y = 0.0
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
        room = height - (MIN_BARS_HEIGHT if self._probabilities is not None else 0)
        # a narrow panel wraps the sentences into more lines: a smaller type keeps them whole
        font = painter.font()
        base = font.pointSizeF()
        for scale in (1.0, 0.92, 0.85, 0.78):
            font.setPointSizeF(base * scale)
            painter.setFont(font)
            metrics = painter.fontMetrics()
            boxes = [metrics.boundingRect(0, 0, width, 20 * line_h, flags, line)
                     for line in self._lines]
            if sum(box.height() for box in boxes) <= room:
                break
        for line, box in zip(self._lines, boxes, strict=True):
            if y + box.height() > room:
                break
            painter.drawText(QRectF(0, y, width, box.height()), flags, line)
            y += box.height()
        painter.setFont(self.font())
        metrics = painter.fontMetrics()
        p = self._probabilities
        if p is None or p.size == 0:
            return
        self._paint_bars(painter, p, QRectF(0, y + 2, width, height - y - 2), metrics)

    def _paint_bars(self, painter: QPainter, p: np.ndarray, area: QRectF, metrics) -> None:
        n = int(p.size)
        line_h = metrics.height()
        top = int(np.argmax(p))
        step = area.width() / n
        bar_w = max(step - BAR_GAP, 1.0)
        label_wide = metrics.horizontalAdvance(str(n)) + 2 <= step
        value_wide = metrics.horizontalAdvance("100%") + 2 <= step
        bars_top = area.top() + line_h  # room for the percentages
        bars_bottom = area.bottom() - (line_h if label_wide else 0)
        full = max(bars_bottom - bars_top, 1.0)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        axis = self.palette().color(QPalette.ColorRole.Mid)
        painter.setPen(axis)
        painter.drawLine(int(area.left()), int(bars_bottom), int(area.right()), int(bars_bottom))
        for i in range(n):
            x = area.left() + i * step
            h = float(p[i]) * full
            painter.fillRect(QRectF(x, bars_bottom - h, bar_w, h),
                             TOP_COLOUR if i == top else BAR_COLOUR)
            painter.setPen(text)
            if label_wide:
                painter.drawText(QRectF(x, bars_bottom, step, line_h),
                                 int(Qt.AlignmentFlag.AlignHCenter), str(i + 1))
            if value_wide or i == top:
                label = f"{100 * float(p[i]):.0f}%"
                w = metrics.horizontalAdvance(label) + 2
                left = min(max(x + step / 2 - w / 2, area.left()), area.right() - w)
                painter.drawText(QRectF(left, bars_bottom - h - line_h, w, line_h),
                                 int(Qt.AlignmentFlag.AlignHCenter), label)


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and bool(np.array_equal(a, b))
