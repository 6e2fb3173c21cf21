"""Filters as the lecture's AlexNet figure: colour tiles in a grid, every filter pixel a crisp
block, as large as the widget allows.

The tiles come ready (uint8, made on the worker by :func:`explorer.core.filter_grid.filter_tiles`):
the widget only chooses the grid's columns and the whole zoom that fill its space best, and
paints. Tiles sit on white lines, as in the figure.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from explorer.ui.widgets.picture_view import to_qimage

GAP = 2  # px of white between tiles
LINES = QColor(255, 255, 255)


def best_grid(count: int, side: int, width: int, height: int,
              columns: int | None = None) -> tuple[int, int]:
    """(columns, zoom) that draw ``count`` tiles of ``side`` pixels largest within
    ``width`` × ``height`` (zoom at least 1), of the grids that large the one shaped most like
    the space; ``columns`` fixes the columns."""
    aspect = max(width, 1) / max(height, 1)
    best, best_key = (columns or 1, 1), (0, -math.inf)
    for c in ([columns] if columns else range(1, count + 1)):
        rows = math.ceil(count / c)
        zoom = max(1, min((width - GAP * (c + 1)) // (c * side),
                          (height - GAP * (rows + 1)) // (rows * side)))
        key = (zoom, -abs(math.log(c / rows / aspect)))
        if key > best_key:
            best, best_key = (c, zoom), key
    return best


class FilterTiles(QWidget):
    """A grid of (k, k, 3) uint8 tiles; ``min_zoom`` sets how small they may get."""

    def __init__(self, min_zoom: int = 3, columns: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tiles = np.zeros((0, 1, 1, 3), np.uint8)
        self._images: list[QImage] = []
        self._min_zoom = min_zoom
        self._columns = columns
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_tiles(self, tiles: np.ndarray | None) -> None:
        self._tiles = np.zeros((0, 1, 1, 3), np.uint8) if tiles is None else tiles
        self._images = [to_qimage(t) for t in self._tiles]
        self.updateGeometry()
        self.update()

    def tiles(self) -> np.ndarray:
        return self._tiles

    def count(self) -> int:
        return len(self._images)

    def _side(self) -> int:
        return self._tiles.shape[1]

    def grid(self) -> tuple[int, int]:
        """(columns, zoom) at the widget's size."""
        return best_grid(max(1, self.count()), self._side(), self.width(), self.height(),
                         self._columns)

    def tile_rect(self, i: int) -> QRect:
        """Where tile ``i`` is painted (the grid is centred in the widget)."""
        columns, zoom = self.grid()
        rows = math.ceil(max(1, self.count()) / columns)
        cell = self._side() * zoom + GAP
        left = (self.width() - (columns * cell + GAP)) // 2
        top = (self.height() - (rows * cell + GAP)) // 2
        r, c = divmod(i, columns)
        return QRect(left + GAP + c * cell, top + GAP + r * cell, cell - GAP, cell - GAP)

    def minimumSizeHint(self) -> QSize:
        n = max(1, self.count())
        columns = self._columns or math.ceil(math.sqrt(2 * n))
        rows = math.ceil(n / columns)
        cell = self._side() * self._min_zoom + GAP
        return QSize(columns * cell + GAP, rows * cell + GAP)

    def sizeHint(self) -> QSize:
        hint = self.minimumSizeHint()
        return QSize(hint.width() * 2, hint.height() * 2)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._images:
            return
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            for i, image in enumerate(self._images):
                rect = self.tile_rect(i)  # framed in white lines, as in the figure
                painter.fillRect(rect.adjusted(-GAP, -GAP, GAP, GAP), LINES)
                painter.drawImage(rect, image)  # whole zoom: crisp blocks
        finally:
            painter.end()
