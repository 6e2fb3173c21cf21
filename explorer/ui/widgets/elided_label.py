"""A one-line label that shortens its text with "…" instead of widening the window.

The status bar's numbers can be long (a live source, every stage's size, timings); a plain
label would make the window wider than a 1280-pixel screen. The whole text stays in the
tooltip.

The width it asks for grows and shrinks in steps of a few characters, and a new text asks the
layout for room only when that step changes: a timing rewritten every live frame would
otherwise lay out the whole window again each time (docs/architecture.md, "Speed").
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

WIDTH_STEP_CHARS = 4  # the width asked for moves in steps of this many average characters


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
            hint = self.sizeHint()
            self._text = text
            self.setToolTip(text)
            if self.sizeHint() != hint:
                self.updateGeometry()
            self.update()

    def clear(self) -> None:
        self.setText("")

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        step = max(metrics.averageCharWidth() * WIDTH_STEP_CHARS, 1)
        width = metrics.horizontalAdvance(self._text) + 8
        return QSize(-(-width // step) * step, metrics.height() + 2)

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
