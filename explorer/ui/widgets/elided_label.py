"""A one-line label that shortens its text with "…" instead of widening the window.

The status bar's numbers can be long (a live source, every stage's size, timings); a plain
label would make the window wider than a 1280-pixel screen. The whole text stays in the
tooltip.

A new text asks the layout for room only when it needs more, or much less, than the label
asked for last time: a timing rewritten every live frame would otherwise lay out the whole
window again each time (docs/architecture.md, "Speed"). The label fills its own background,
so repainting it does not repaint the widgets behind it. A ``steady`` label never asks: it
wants room for ``steady`` characters whatever it shows, for a place such as the status bar
where the layout's stretch shares the width and a longer timing under load must not move
anything.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

WIDTH_STEP_CHARS = 4  # the width asked for moves in steps of this many average characters


class ElidedLabel(QWidget):
    """Plain text on one line, elided at the right when the room is short."""

    def __init__(self, parent: QWidget | None = None, minimum_chars: int = 12,
                 steady: int = 0) -> None:
        super().__init__(parent)
        self._text = ""
        self._minimum = minimum_chars
        self._steady = steady  # characters of room wanted whatever the text; 0: follow it
        self._width = self._wanted_width()  # px asked of the layout
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setAutoFillBackground(True)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.setToolTip(text)
            if not self._steady:  # a steady label's room does not depend on its text
                wanted, step = self._wanted_width(), self._step()
                if wanted > self._width or wanted < self._width - 2 * step:
                    self._width = -(-wanted // step) * step
                    self.updateGeometry()
            self.update()

    def clear(self) -> None:
        self.setText("")

    def _wanted_width(self) -> int:
        if self._steady:
            return self.fontMetrics().averageCharWidth() * self._steady + 8
        return self.fontMetrics().horizontalAdvance(self._text) + 8

    def _step(self) -> int:
        return max(self.fontMetrics().averageCharWidth() * WIDTH_STEP_CHARS, 1)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._width = -(-self._wanted_width() // self._step()) * self._step()
            self.updateGeometry()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(self._width, self.fontMetrics().height() + 2)

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
