"""A label of a fixed number of lines whose new text repaints it and nothing else.

A ``QLabel`` asks its layout for room on every ``setText``, and the request climbs to the
window: text rewritten with every live frame (a value under the mouse, a colour scale, a
progress line) would lay the whole window out again each time (docs/architecture.md,
"Speed"). This label keeps its height, wraps its text into its lines, elides what does not
fit, and keeps the whole text in its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QTextLayout
from PySide6.QtWidgets import QSizePolicy, QWidget

MARGIN = 2


def wrapped_lines(text: str, font: QFont, metrics: QFontMetrics, width: int, most: int
                  ) -> list[str]:
    """``text`` broken into at most ``most`` lines of ``width`` pixels, the last one elided
    when more would follow."""
    if not text or width <= 0:
        return []
    layout = QTextLayout(text, font)
    lines: list[str] = []
    layout.beginLayout()
    try:
        while len(lines) < most:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            start, length = line.textStart(), line.textLength()
            if len(lines) == most - 1:  # the last line shown: the rest, elided
                lines.append(metrics.elidedText(text[start:].replace("\n", " ").strip(),
                                                Qt.TextElideMode.ElideRight, width))
                break
            lines.append(text[start:start + length].rstrip())
    finally:
        layout.endLayout()
    return lines


class SteadyLabel(QWidget):
    """Plain text in ``lines`` lines; ``setText`` never changes the label's size."""

    def __init__(self, text: str = "", lines: int = 1, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._lines = max(1, lines)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fit_height()
        self.setText(text)

    def _fit_height(self) -> None:
        self.setFixedHeight(self._lines * self.fontMetrics().lineSpacing() + 2 * MARGIN)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # larger type: taller lines
            self._fit_height()
        super().changeEvent(event)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.setToolTip(text)
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, self.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(60, self.height())

    def shown_lines(self) -> list[str]:
        """The lines as painted at the label's width."""
        return wrapped_lines(self._text, self.font(), self.fontMetrics(),
                             self.width() - 2 * MARGIN, self._lines)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().windowText().color())
        metrics = self.fontMetrics()
        y = MARGIN + metrics.ascent()
        for line in self.shown_lines():
            painter.drawText(MARGIN, y, line)
            y += metrics.lineSpacing()
        painter.end()
