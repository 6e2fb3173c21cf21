"""A kernel slice drawn as a small picture: blue for negative weights, red for positive.

Levels are symmetric around zero (white), as for the signed feature maps, so a zero-sum edge
detector shows as balanced blue and red and a blur as a red blob.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

# The diverging map of the feature-map tiles (blue – white – red), 256 RGB entries.
DIVERGING_LUT: np.ndarray = np.ascontiguousarray(
    pg.colormap.get("CET-D1").getLookupTable(nPts=256, mode="byte")[:, :3]
)


def kernel_rgb(plane: np.ndarray, limit: float) -> np.ndarray:
    """(kh, kw) weights as (kh, kw, 3) uint8 colours, −limit → blue, 0 → white, +limit → red."""
    plane = np.asarray(plane, np.float32)
    if limit <= 0 or not np.isfinite(limit):
        limit = 1.0  # an all-zero kernel: everything white
    t = np.clip((plane / limit + 1.0) * 0.5, 0.0, 1.0)
    return np.ascontiguousarray(DIVERGING_LUT[np.rint(t * 255).astype(np.intp)])


class KernelImage(QWidget):
    """A (kh, kw) slice painted as square blocks, one per weight, with explicit levels."""

    def __init__(self, parent: QWidget | None = None, side: int = 64) -> None:
        super().__init__(parent)
        self._side = side
        self._image: QImage | None = None
        self._plane = np.zeros((1, 1), np.float32)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(self._side, self._side)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def plane(self) -> np.ndarray:
        """The weights shown (a copy)."""
        return self._plane.copy()

    def set_kernel(self, plane: np.ndarray, limit: float) -> None:
        """Show ``plane`` with white at 0 and full colour at ±``limit``."""
        self._plane = np.array(plane, np.float32)
        rgb = kernel_rgb(self._plane, limit)
        h, w = rgb.shape[:2]
        # copy(): the QImage must not keep pointing into the NumPy buffer
        self._image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.update()

    def _target(self) -> QRect:
        """The largest rectangle with square blocks, centred in the widget."""
        h, w = self._plane.shape
        block = max(1, min(self.width() // w, self.height() // h))
        tw, th = block * w, block * h
        return QRect((self.width() - tw) // 2, (self.height() - th) // 2, tw, th)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._image is None:
            return
        painter = QPainter(self)
        target = self._target()
        painter.drawImage(target, self._image)  # no smoothing: one crisp block per weight
        painter.setPen(QColor(128, 128, 128))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(target.adjusted(0, 0, -1, -1))
        painter.end()
