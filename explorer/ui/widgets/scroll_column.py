"""A column of controls that scrolls down, never sideways, for a dock.

A dock is as tall as the window allows; its controls may need more (a deep filter's
pictures, a long message), and then they scroll instead of making the window taller than
the screen. Its width is the controls' own minimum plus the scroll bar, so nothing is cut
at the side.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

MIN_HEIGHT = 160  # px a dock keeps when the window is short


class ScrollColumn(QScrollArea):
    """``content`` in a frameless area that scrolls vertically only."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent, widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)

    def _side(self) -> int:
        return self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()

    def minimumSizeHint(self) -> QSize:
        content = self.widget()
        width = content.minimumSizeHint().width() if content is not None else 0
        return QSize(width + self._side(), MIN_HEIGHT)

    def sizeHint(self) -> QSize:
        content = self.widget()
        hint = content.sizeHint() if content is not None else QSize(0, 0)
        return QSize(hint.width() + self._side(), hint.height())
