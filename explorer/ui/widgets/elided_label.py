"""A one-line label that shortens its text with "…" instead of widening the window.

The status bar's numbers can be long (a live source, every stage's size, timings); a plain
label would make the window wider than a 1280-pixel screen. The whole text stays in the
tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


class ElidedLabel(QWidget):
    """Plain text on one line, elided at the right when the room is short."""

    def __init__(self, parent: QWidget | None = None, minimum_chars: int = 12) -> None:
        super().__init__(parent)
        self._text = ""
        self._minimum = minimum_chars
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.setToolTip(text)
            self.updateGeometry()
            self.update()

    def clear(self) -> None:
        self.setText("")

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self._text) + 8, metrics.height() + 2)

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        width = min(self.sizeHint().width(), metrics.averageCharWidth() * self._minimum)
        return QSize(width, metrics.height() + 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        shown = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight,
                                              self.width() - 4)
        painter.drawText(self.rect().adjusted(2, 0, -2, 0),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, shown)
        painter.end()
