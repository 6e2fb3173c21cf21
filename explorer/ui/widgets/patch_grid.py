"""A unit's top-9 patches: three by three, best first, each with where it came from and the
unit's value under it; click one to choose it.

Patches are the receptive field's crop from the 224×224 picture the network saw (up to
224×224 pixels, grey beyond the picture); each is drawn at the size of its cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from explorer.ui.widgets.picture_view import to_qimage
from explorer.ui.widgets.placeholder import draw_placeholder

COLUMNS = 3
GAP = 8
MIN_CELL = 64


class PatchGrid(QWidget):
    """Up to nine patches with captions; ``chosen(i)`` when patch ``i`` is clicked."""

    chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._images: list[QImage] = []
        self._captions: list[str] = []
        self._note = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_patches(self, patches: Sequence[np.ndarray], captions: Sequence[str],
                    note: str = "") -> None:
        self._images = [to_qimage(p if p.ndim == 3 else np.dstack([p] * 3)) for p in patches]
        self._captions = list(captions)
        self._note = note
        self.update()

    def count(self) -> int:
        return len(self._images)

    def captions(self) -> list[str]:
        return list(self._captions)

    def _line(self) -> int:
        return QFontMetrics(self.font()).height()

    def cell(self) -> int:
        """The side of one patch on screen."""
        rows = max(1, -(-len(self._images) // COLUMNS)) if self._images else COLUMNS
        by_width = (self.width() - GAP * (COLUMNS - 1)) // COLUMNS
        by_height = (self.height() - rows * (self._line() + GAP)) // rows
        return max(16, min(by_width, by_height))

    def patch_rect(self, i: int) -> QRect:
        side = self.cell()
        r, c = divmod(i, COLUMNS)
        left = (self.width() - (COLUMNS * side + (COLUMNS - 1) * GAP)) // 2
        return QRect(left + c * (side + GAP), r * (side + self._line() + GAP), side, side)

    def minimumSizeHint(self) -> QSize:
        return QSize(COLUMNS * MIN_CELL + 2 * GAP, COLUMNS * (MIN_CELL + self._line() + GAP))

    def sizeHint(self) -> QSize:
        return QSize(COLUMNS * 150 + 2 * GAP, COLUMNS * (150 + self._line() + GAP))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        for i in range(len(self._images)):
            if self.patch_rect(i).contains(pos):
                self.chosen.emit(i)
                return

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if not self._images:
                draw_placeholder(painter, self, self._note)
                return
            metrics = QFontMetrics(self.font())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            for i, (image, caption) in enumerate(zip(self._images, self._captions,
                                                     strict=True)):
                rect = self.patch_rect(i)
                painter.drawImage(rect, image)
                painter.setPen(self.palette().windowText().color())
                text = metrics.elidedText(caption, Qt.TextElideMode.ElideMiddle, rect.width() + GAP)
                painter.drawText(QRect(rect.left() - GAP // 2, rect.bottom() + 1,
                                       rect.width() + GAP, self._line()),
                                 Qt.AlignmentFlag.AlignCenter, text)
        finally:
            painter.end()
