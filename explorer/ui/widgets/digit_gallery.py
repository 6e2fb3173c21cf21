"""A wrapping grid of small digit pictures with a caption each; click one to pick it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from explorer.ui.widgets.placeholder import draw_placeholder
from explorer.ui.widgets.stage_maps import plane_image

TILE = 56
GAP = 6


class DigitGallery(QWidget):
    """Tiles of (28, 28) pictures; its height follows its width (put it in a scroll area)."""

    selected = Signal(int)  # index into the digits given to set_digits

    def __init__(self, parent: QWidget | None = None, tile: int = TILE) -> None:
        super().__init__(parent)
        self._tile = tile
        self._images: list[QImage] = []
        self._captions: list[str] = []
        self._current = -1
        self._note = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def count(self) -> int:
        return len(self._images)

    def captions(self) -> list[str]:
        return list(self._captions)

    def current(self) -> int:
        return self._current

    def set_digits(self, images: Sequence[np.ndarray], captions: Sequence[str],
                   note: str = "") -> None:
        self._images = [plane_image(im, 255.0) for im in images]
        self._captions = list(captions)
        self._current = -1
        self._note = note
        self._fit_height()
        self.update()

    def _columns(self) -> int:
        return max(1, (self.width() + GAP) // (self._tile + GAP))

    def _cell(self) -> tuple[int, int]:
        return self._tile + GAP, self._tile + QFontMetrics(self.font()).height() + GAP

    def tile_rect(self, i: int) -> QRect:
        cw, ch = self._cell()
        r, c = divmod(i, self._columns())
        return QRect(c * cw, r * ch, self._tile, self._tile)

    def _fit_height(self) -> None:
        _, ch = self._cell()
        rows = -(-len(self._images) // self._columns()) if self._images else 1
        self.setMinimumHeight(rows * ch)

    def resizeEvent(self, event) -> None:
        self._fit_height()
        super().resizeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(4 * (self._tile + GAP), 2 * self._cell()[1])

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        for i in range(len(self._images)):
            if self.tile_rect(i).contains(pos):
                self._current = i
                self.update()
                self.selected.emit(i)
                return

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if not self._images:
                draw_placeholder(painter, self, self._note)
                return
            line = QFontMetrics(self.font()).height()
            for i, (image, caption) in enumerate(zip(self._images, self._captions,
                                                     strict=True)):
                rect = self.tile_rect(i)
                painter.drawImage(rect, image)
                if i == self._current:
                    pen = QPen(QColor(255, 150, 0))
                    pen.setWidth(3)
                    painter.setPen(pen)
                    painter.drawRect(rect.adjusted(1, 1, -2, -2))
                painter.setPen(self.palette().windowText().color())
                painter.drawText(QRect(rect.left() - GAP // 2, rect.bottom() + 1,
                                       self._tile + GAP, line), Qt.AlignmentFlag.AlignCenter,
                                 caption)
        finally:
            painter.end()
