"""A picture the compute worker already coloured, drawn as it is: one ``drawImage`` a paint.

pyqtgraph's ``ImageItem`` re-checks levels, lookup tables and formats in Python on every
``setImage`` and paint; a live frame's tiles need none of that, their colours are final
(docs/architecture.md, "Speed"). The picture is wrapped, not copied: the item keeps the array
alive for as long as it shows it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

__all__ = ["MapImage"]

_FORMATS = {1: QImage.Format.Format_Grayscale8, 3: QImage.Format.Format_RGB888}


class MapImage(QGraphicsItem):
    """A uint8 grey (H, W) or RGB (H, W, 3) picture stretched over ``rect()`` (until a rect is
    set, its own pixels: pixel (r, c) covers [c, c + 1) × [r, r + 1))."""

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.image: np.ndarray | None = None  # what is shown (read by tests and exports)
        self._qimage: QImage | None = None
        self._rect = QRectF()
        self._own_rect = True  # the rect follows the picture's size until one is set

    def setImage(self, image: np.ndarray) -> None:
        """Show ``image``; its rows are drawn top to bottom over ``rect()``."""
        img = np.asarray(image)
        if img.dtype != np.uint8 or not (img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 3)):
            raise ValueError(f"a map picture is uint8 (H, W) or (H, W, 3), not {img.dtype} "
                             f"{img.shape}")
        if not img.flags.c_contiguous:
            img = np.ascontiguousarray(img)
        h, w = img.shape[:2]
        channels = 1 if img.ndim == 2 else 3
        self.image = img
        self._qimage = QImage(img.data, w, h, img.strides[0], _FORMATS[channels])
        if self._own_rect:
            self._set_rect(QRectF(0, 0, w, h))
        self.update()

    def clear(self) -> None:
        self.image = self._qimage = None
        self.update()

    def rect(self) -> QRectF:
        return QRectF(self._rect)

    def setRect(self, rect: QRectF) -> None:
        """The rectangle (in the parent's coordinates) the picture covers."""
        self._own_rect = False
        self._set_rect(rect)

    def _set_rect(self, rect: QRectF) -> None:
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = QRectF(rect)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, *_: object) -> None:
        if self._qimage is not None:
            painter.drawImage(self._rect, self._qimage)
