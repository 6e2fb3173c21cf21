"""A picture the compute worker already coloured, drawn as it is: one ``drawImage`` a paint.

pyqtgraph's ``ImageItem`` re-checks levels, lookup tables and formats in Python on every
``setImage`` and paint, and hands the painter 8-bit RGB, which Qt converts (on a thread pool)
every time it draws it. A live frame's tiles arrive as the screen's own 32-bit pixels
(:func:`explorer.core.display.screen_pixels`) at the size they are shown: wrapped, not copied
(the item keeps the array alive while it shows it), and copied to the screen as they are
(docs/architecture.md, "Speed").
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

from explorer.core.display import rgb_view, screen_pixels

__all__ = ["MapImage"]


class MapImage(QGraphicsItem):
    """A picture stretched over ``rect()`` (until a rect is set, its own pixels: pixel (r, c)
    covers [c, c + 1) × [r, r + 1))."""

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.pixels: np.ndarray | None = None  # (H, W, 4) screen pixels shown
        self._qimage: QImage | None = None
        self._rect = QRectF()
        self._own_rect = True  # the rect follows the picture's size until one is set

    @property
    def image(self) -> np.ndarray | None:
        """The colours shown, as an (H, W, 3) RGB view of the pixels."""
        return None if self.pixels is None else rgb_view(self.pixels)

    def setImage(self, image: np.ndarray) -> None:
        """Show ``image``: (H, W, 4) screen pixels as they are, or a uint8 RGB (H, W, 3) or
        grey (H, W) picture (converted once, here). Rows go top to bottom over ``rect()``."""
        img = np.asarray(image)
        if img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 4:
            pixels = np.ascontiguousarray(img)
        else:
            pixels = screen_pixels(img)  # raises ValueError for anything else
        h, w = pixels.shape[:2]
        self.pixels = pixels
        self._qimage = QImage(pixels.data, w, h, pixels.strides[0], QImage.Format.Format_RGB32)
        if self._own_rect:
            self._set_rect(QRectF(0, 0, w, h))
        self.update()

    def clear(self) -> None:
        self.pixels = self._qimage = None
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
