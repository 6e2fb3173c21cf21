"""Numbers written in the cells of a small map or a zoomed-in picture, as on a lecture slide.

A pyqtgraph item laid over an image in a view box: one cell per map pixel, in the view's own
coordinates. It draws only when a cell is at least ``min_cell_px`` screen pixels wide and the
text fits; otherwise painting returns at once, so a large live map costs nothing. Only the
cells in view are written, in screen pixels (a flipped view would mirror text drawn in view
coordinates), each in a colour that contrasts with the cell under it. Row and column indices
sit above and left of the cells, or along the view's top and left edge once those scroll away.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

from explorer.ui.widgets.matrix_view import format_cell

__all__ = ["CellValues", "light_cells"]

MIN_CELL_PX = 22.0  # a cell narrower than this on screen shows its colour only
MIN_FONT_PX = 7.0
MAX_FONT_PX = 18.0
DARK_TEXT = QColor(15, 15, 15)
LIGHT_TEXT = QColor(250, 250, 250)
INDEX_TEXT = QColor(200, 200, 200)
INDEX_BAND = QColor(30, 30, 30, 235)  # behind indices pinned over the cells
INDEX_SHARE = 0.5  # of a cell: the band above and left of the cells that holds the indices


def light_cells(rgb: np.ndarray) -> np.ndarray:
    """(H, W) bool: cells whose colour is light enough for dark text (Rec. 601 luma)."""
    rgb = np.asarray(rgb)
    if rgb.ndim == 2:
        return rgb.astype(np.float32) > 127.5
    luma = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    return luma > 127.5


class CellValues(pg.GraphicsObject):
    """The values of an (H, W) or (H, W, C) array written in its cells (one line a channel).

    Cell (r, c) covers view coordinates ``origin + (c, r)`` to ``origin + (c + 1, r + 1)``;
    its row and column are labelled ``first[0] + r`` and ``first[1] + c`` (a padded ring
    starts at −top, −left).
    """

    def __init__(self, min_cell_px: float = MIN_CELL_PX) -> None:
        super().__init__()
        self.min_cell_px = float(min_cell_px)
        self._values = np.zeros((0, 0), np.float32)
        self._light = np.zeros((0, 0), bool)
        self._muted: np.ndarray | None = None
        self._origin = (0.0, 0.0)  # (x, y) of the first cell's corner in view coordinates
        self._first = (0, 0)  # (row, col) index of the first cell
        self._indices = True
        self._font = QFont()
        self._drawn = 0  # cells written by the last paint (the tests read it)
        self.setZValue(15)

    # --- content ------------------------------------------------------------------------
    def set_cells(self, values: np.ndarray, light: np.ndarray, *,
                  origin: tuple[float, float] = (0.0, 0.0), first: tuple[int, int] = (0, 0),
                  muted: np.ndarray | None = None, indices: bool = True) -> None:
        """The values to write and, per cell, whether its colour is light (dark text).

        ``muted`` cells (the padding) are written in italics. The arrays are kept, not
        copied: pass arrays that are not written to afterwards.
        """
        values = np.asarray(values)
        geometry = (values.shape[:2], origin) != (self._values.shape[:2], self._origin)
        if geometry:
            self.prepareGeometryChange()
        self._values, self._light, self._muted = values, np.asarray(light, bool), muted
        self._origin, self._first, self._indices = origin, first, indices
        self.update()

    def texts(self) -> list[list[str]]:
        """The text of every cell, row by row (lines of a colour cell joined by newlines)."""
        return [[self._text(r, c) for c in range(self._values.shape[1])]
                for r in range(self._values.shape[0])]

    def text_colour(self, r: int, c: int) -> QColor:
        """The colour cell (r, c)'s number is written in (dark on a light cell)."""
        return QColor(DARK_TEXT if self._light[r, c] else LIGHT_TEXT)

    @property
    def drawn(self) -> int:
        """How many cells the last paint wrote a value in."""
        return self._drawn

    def _text(self, r: int, c: int) -> str:
        v = self._values[r, c]
        if np.ndim(v) == 0:
            return format_cell(float(v))
        return "\n".join(format_cell(float(x)) for x in v)

    # --- painting -----------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        h, w = self._values.shape[:2]
        x, y = self._origin
        return QRectF(x - 1, y - 1, w + 2, h + 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        self._drawn = 0
        h, w = self._values.shape[:2]
        if not h or not w:
            return
        t = painter.transform()
        cell = min(math.hypot(t.m11(), t.m12()), math.hypot(t.m21(), t.m22()))
        if cell < self.min_cell_px:
            return
        visible = self.viewRect()
        if visible is None:
            return
        x0, y0 = self._origin
        r0 = max(0, math.floor(visible.top() - y0))
        r1 = min(h, math.ceil(visible.bottom() - y0))
        c0 = max(0, math.floor(visible.left() - x0))
        c1 = min(w, math.ceil(visible.right() - x0))
        if r0 >= r1 or c0 >= c1:
            return
        texts = {(r, c): self._text(r, c) for r in range(r0, r1) for c in range(c0, c1)}
        lines = 1 if self._values.ndim == 2 else self._values.shape[2]
        size = self._font_px(texts.values(), cell, lines)
        if size < MIN_FONT_PX:
            return
        font = QFont(self._font)
        font.setPixelSize(int(size))
        italic = QFont(font)
        italic.setItalic(True)
        bands = self._index_bands(t, visible, cell) if self._indices else None
        painter.save()
        try:
            painter.resetTransform()
            painter.setFont(font)
            drawn = 0
            for (r, c), text in texts.items():
                rect = t.mapRect(QRectF(x0 + c, y0 + r, 1, 1))
                if bands is not None and self._under_band(rect, bands):
                    continue  # the indices pinned over the view's edge hide this number
                muted = self._muted is not None and bool(self._muted[r, c])
                painter.setFont(italic if muted else font)
                painter.setPen(DARK_TEXT if self._light[r, c] else LIGHT_TEXT)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
                drawn += 1
            self._drawn = drawn
            if bands is not None:
                self._paint_indices(painter, t, bands, (r0, r1, c0, c1), font)
        finally:
            painter.restore()

    def _font_px(self, texts, cell: float, lines: int) -> float:
        """The largest pixel size at which every text fits its cell (capped)."""
        metrics = QFontMetricsF(self._font_at(100))
        widest = max((metrics.horizontalAdvance(line) for text in texts
                      for line in text.split("\n")), default=1.0)
        by_width = (cell - 4) * 100 / max(widest, 1.0)
        by_height = cell * 0.8 / (lines * 1.2)
        return min(by_width, by_height, MAX_FONT_PX, cell * 0.45)

    def _font_at(self, px: int) -> QFont:
        font = QFont(self._font)
        font.setPixelSize(px)
        return font

    def _index_bands(self, t, visible: QRectF, cell: float) -> tuple[float, float, float,
                                                                     bool, bool, QRectF]:
        """(top, left, band, pinned top, pinned left, view area) of the index rows, in screen
        pixels: just outside the cells, or pinned to the view's edge once that is scrolled."""
        x0, y0 = self._origin
        band = min(cell * INDEX_SHARE, 16.0)
        area = t.mapRect(visible)
        first = t.mapRect(QRectF(x0, y0, 1, 1))
        top = max(first.top() - band, area.top())
        left = max(first.left() - band, area.left())
        return (top, left, band, top > first.top() - band, left > first.left() - band, area)

    @staticmethod
    def _under_band(rect: QRectF, bands: tuple[float, float, float, bool, bool, QRectF]
                    ) -> bool:
        top, left, band, pinned_top, pinned_left, _ = bands
        return (pinned_top and rect.center().y() < top + band) or \
            (pinned_left and rect.center().x() < left + band)

    def _paint_indices(self, painter: QPainter, t,
                       bands: tuple[float, float, float, bool, bool, QRectF],
                       cells: tuple[int, int, int, int], font: QFont) -> None:
        r0, r1, c0, c1 = cells
        x0, y0 = self._origin
        top, left, band, pinned_top, pinned_left, area = bands
        small = QFont(font)
        small.setPixelSize(max(int(min(font.pixelSize() * 0.8, band * 0.8)), 6))
        painter.setFont(small)
        if pinned_top:
            painter.fillRect(QRectF(area.left(), top, area.width(), band), INDEX_BAND)
        if pinned_left:
            painter.fillRect(QRectF(left, area.top(), band, area.height()), INDEX_BAND)
        painter.setPen(INDEX_TEXT)
        for c in range(c0, c1):
            rect = t.mapRect(QRectF(x0 + c, y0 + r0, 1, 1))
            painter.drawText(QRectF(rect.left(), top, rect.width(), band),
                             Qt.AlignmentFlag.AlignCenter, str(self._first[1] + c))
        for r in range(r0, r1):
            rect = t.mapRect(QRectF(x0 + c0, y0 + r, 1, 1))
            painter.drawText(QRectF(left, rect.top(), band, rect.height()),
                             Qt.AlignmentFlag.AlignCenter, str(self._first[0] + r))
