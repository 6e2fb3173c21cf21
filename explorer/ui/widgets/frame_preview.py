"""A camera frame or a picture, small, with the box the digit must be held in."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from explorer.ui.widgets.placeholder import draw_placeholder


class FramePreview(QWidget):
    """Draws an RGB or gray uint8 picture scaled to fit, and a box (top, left, h, w) on it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._picture: np.ndarray | None = None
        self._box: tuple[int, int, int, int] | None = None
        self._note = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(280, 210)

    def minimumSizeHint(self) -> QSize:
        return QSize(64, 48)

    def has_picture(self) -> bool:
        return self._image is not None

    def picture(self) -> np.ndarray | None:
        """The picture on show (None: the note)."""
        return self._picture

    def set_note(self, note: str) -> None:
        self._note = note
        self._image = self._picture = None
        self.update()

    def set_frame(self, picture: np.ndarray,
                  box: tuple[int, int, int, int] | None = None) -> None:
        a = np.ascontiguousarray(picture, np.uint8)
        h, w = a.shape[:2]
        if a.ndim == 2:
            image = QImage(a.data, w, h, w, QImage.Format.Format_Grayscale8)
        else:
            image = QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        self._image = image.copy()
        self._picture = a
        self._box = box
        self.update()

    def _target(self) -> QRect:
        assert self._image is not None
        iw, ih = self._image.width(), self._image.height()
        scale = min(self.width() / iw, self.height() / ih)
        w, h = int(iw * scale), int(ih * scale)
        return QRect((self.width() - w) // 2, (self.height() - h) // 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if self._image is None:
                draw_placeholder(painter, self, self._note)
                return
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            target = self._target()
            painter.drawImage(target, self._image)
            if self._box is not None:
                top, left, h, w = self._box
                scale = target.width() / self._image.width()
                pen = QPen(QColor(255, 150, 0))
                pen.setWidth(3)
                painter.setPen(pen)
                painter.drawRect(QRectF(target.left() + left * scale, target.top() + top * scale,
                                        w * scale, h * scale))
        finally:
            painter.end()
