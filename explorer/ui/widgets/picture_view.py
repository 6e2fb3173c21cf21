"""A picture painted to fit, with one rectangle on it: the receptive field of a unit.

A plain painted widget rather than a pyqtgraph scene: the Network tab redraws it for every
live frame, and all it needs is a picture, a frame and a caption.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

FIELD = QColor(60, 230, 120)  # the explorer's colour for a receptive field
BACKGROUND = QColor(30, 30, 30)
MARK_RADIUS = 12  # px: a field smaller than this on screen also gets a ring round it


def to_qimage(rgb: np.ndarray) -> QImage:
    """An (H, W, 3) uint8 array as a QImage that owns its pixels, in the screen's 32-bit
    format: converted once here, not again (on a thread pool) at every paint."""
    rgb = np.ascontiguousarray(rgb, np.uint8)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w,
                  QImage.Format.Format_RGB888).convertToFormat(QImage.Format.Format_RGB32)


class PictureView(QWidget):
    """A square-ish picture scaled to fit (aspect kept), an optional field rectangle on it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._size = (0, 0)  # (h, w) of the picture in its own pixels
        self._field: QRectF | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 160)

    def sizeHint(self) -> QSize:
        return QSize(320, 320)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def resizeEvent(self, event) -> None:
        # never taller than wide: the spare height goes to the widgets below
        self.setMaximumHeight(max(self.minimumHeight(), self.width()))
        super().resizeEvent(event)

    def set_picture(self, rgb: np.ndarray | None) -> None:
        self._image = None if rgb is None else to_qimage(rgb)
        self._size = (0, 0) if rgb is None else rgb.shape[:2]
        self.update()

    def has_picture(self) -> bool:
        return self._image is not None

    def set_field(self, rect: QRectF | None) -> None:
        """Frame ``rect`` (in picture pixels, edges at whole numbers), or nothing."""
        self._field = rect
        self.update()

    def field(self) -> QRectF | None:
        return self._field

    def target(self) -> QRectF:
        """Where the picture is painted in the widget."""
        h, w = self._size
        if not h or not w:
            return QRectF()
        scale = min(self.width() / w, self.height() / h)
        tw, th = w * scale, h * scale
        return QRectF((self.width() - tw) / 2, (self.height() - th) / 2, tw, th)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self._image is not None:
            target = self.target()
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(target, self._image)
            if self._field is not None:
                h, w = self._size
                sx, sy = target.width() / w, target.height() / h
                f = self._field.intersected(QRectF(0, 0, w, h))
                rect = QRectF(target.left() + f.left() * sx, target.top() + f.top() * sy,
                              f.width() * sx, f.height() * sy)
                pen = QPen(FIELD)
                pen.setWidthF(2.5)
                painter.setPen(pen)
                painter.setBrush(QColor(60, 230, 120, 40))
                painter.drawRect(rect.adjusted(1, 1, -1, -1))
                if min(rect.width(), rect.height()) < MARK_RADIUS:  # a tiny field: ring it
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawEllipse(rect.center(), MARK_RADIUS, MARK_RADIUS)
        painter.end()
