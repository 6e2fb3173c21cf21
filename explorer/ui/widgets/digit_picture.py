"""A small gray picture (a digit, a dream) painted large, one crisp block per pixel, with an
optional frame on it (a unit's receptive field) and a note when there is nothing to show."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from explorer.ui.widgets.picture_view import FIELD
from explorer.ui.widgets.placeholder import draw_placeholder
from explorer.ui.widgets.stage_maps import plane_image


class DigitPicture(QWidget):
    """A (h, w) uint8 picture, 0 black and 255 white, scaled by a whole factor to fit."""

    def __init__(self, parent: QWidget | None = None, side: int = 140) -> None:
        super().__init__(parent)
        self._side = side
        self._picture: np.ndarray | None = None
        self._image: QImage | None = None
        self._field: tuple[int, int, int, int] | None = None
        self._note = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(84, 84)

    def sizeHint(self) -> QSize:
        return QSize(self._side, self._side)

    def picture(self) -> np.ndarray | None:
        """The picture on show (a copy), or None."""
        return None if self._picture is None else self._picture.copy()

    def field(self) -> tuple[int, int, int, int] | None:
        """The frame on show as (top, left, height, width) in picture pixels, or None."""
        return self._field

    def set_picture(self, picture: np.ndarray | None, note: str = "",
                    field: tuple[int, int, int, int] | None = None) -> None:
        """Show ``picture`` (with a frame round ``field``), or ``note`` when it is None."""
        self._picture = None if picture is None else np.array(picture, np.uint8)
        self._image = None if picture is None else plane_image(self._picture, 255.0)
        self._field = None if picture is None else field
        self._note = note
        self.update()

    def target(self) -> QRect:
        """Where the picture is painted: the largest whole-number scale, centred."""
        if self._picture is None:
            return QRect()
        h, w = self._picture.shape
        block = max(1, min(self.width() // w, self.height() // h))
        return QRect((self.width() - block * w) // 2, (self.height() - block * h) // 2,
                     block * w, block * h)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if self._image is None:
                draw_placeholder(painter, self, self._note)
                return
            target = self.target()
            painter.drawImage(target, self._image)  # no smoothing: a block per pixel
            painter.setPen(QColor(128, 128, 128))
            painter.drawRect(target.adjusted(0, 0, -1, -1))
            if self._field is not None:
                top, left, fh, fw = self._field
                block = target.width() // self._picture.shape[1]
                pen = QPen(FIELD)
                pen.setWidth(2)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                frame = QRect(target.left() + left * block, target.top() + top * block,
                              fw * block, fh * block).intersected(target)
                painter.drawRect(frame.adjusted(1, 1, -1, -1))
        finally:
            painter.end()
