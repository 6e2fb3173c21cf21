"""What a step-through slide shows: the example's title and caption, the grids, the arithmetic.

The same widget is on screen, in presentation mode and, rendered offscreen, in every frame of
an exported animation.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from explorer.core.stepthrough import Walkthrough
from explorer.core.stepthrough.describe import describe
from explorer.ui.widgets.step_board import CONTRAST, LIGHT, StepBoard


class StepCanvas(QWidget):
    """Title, caption, :class:`StepBoard` and the step's arithmetic, one above the other."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.caption = QLabel(wordWrap=True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.board = StepBoard()
        self.arithmetic = QLabel(wordWrap=True)
        self.arithmetic.setTextFormat(Qt.TextFormat.RichText)
        self.arithmetic.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.arithmetic.setSizePolicy(QSizePolicy.Policy.Preferred,
                                      QSizePolicy.Policy.Minimum)
        self.arithmetic.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.caption)
        layout.addWidget(self.board, 1)
        layout.addWidget(self.arithmetic)
        self._presenting = False
        self._lines: list[str] = []
        self.set_presentation(False)

    def set_presentation(self, on: bool) -> None:
        """High contrast and large type for a projector, or the app's own look."""
        self._presenting = on
        self.board.set_theme(CONTRAST if on else LIGHT)
        palette = self.palette()
        background, text = (QColor(0, 0, 0), QColor(255, 255, 255)) if on else (
            QColor(255, 255, 255), QColor(25, 25, 25))
        for role, colour in ((QPalette.ColorRole.Window, background),
                             (QPalette.ColorRole.WindowText, text),
                             (QPalette.ColorRole.Text, text)):
            palette.setColor(role, colour)
        self.setPalette(palette)
        self._restyle()

    @property
    def presenting(self) -> bool:
        return self._presenting

    def _font_px(self) -> int:
        """Type that grows with the canvas: readable on a laptop and from the back row."""
        base = 15 if self._presenting else 13
        by_height = self.height() / (26 if self._presenting else 44)
        by_width = self.width() / (48 if self._presenting else 75)
        return max(base, min(round(min(by_height, by_width)), 40))

    def _restyle(self) -> None:
        px = self._font_px()
        title = self.title.font()
        title.setPixelSize(round(px * 1.35))
        title.setBold(True)
        self.title.setFont(title)
        for label in (self.caption, self.arithmetic):
            f = label.font()
            f.setPixelSize(px)
            label.setFont(f)
        self._show_lines()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._restyle()

    def show_step(self, walkthrough: Walkthrough, index: int, hide_value: bool = False) -> None:
        ex = walkthrough.example
        self.title.setText(ex.title)
        self.caption.setText(ex.caption)
        self.board.show_step(walkthrough, index, hide_value)
        self._lines = describe(walkthrough, index, hide_value)
        self._show_lines()

    def _show_lines(self) -> None:
        if not self._lines:
            self.arithmetic.clear()
            return
        accent = "#ffdc00" if self._presenting else "#b45a00"
        head, *rest = self._lines
        parts = [f"<b>{html.escape(head)}</b>"]
        for i, line in enumerate(rest):
            text = html.escape(line)
            last = i == len(rest) - 1
            parts.append(f"<b><span style='color:{accent}'>{text}</span></b>" if last else text)
        self.arithmetic.setText("<br>".join(parts))

    def lines(self) -> list[str]:
        """The arithmetic as plain text lines (what the label shows)."""
        return list(self._lines)
