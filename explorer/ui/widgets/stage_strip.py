"""Every stage of the stack at a glance: one row a stage, its output maps side by side, small.

Each row is one picture (a mosaic the compute worker made), so a six-stage stack costs six
images to paint, not ninety tiles. Clicking a row selects that stage (its maps then show large
below); hovering a map reports the unit under the pointer in the stage's output coordinates.
The strip keeps to the height it is given (``set_height_budget``): rows grow thinner, and
show fewer lines of text, before they eat the large maps' room.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from explorer.core.render import MOSAIC_GAP

__all__ = ["StageStrip", "StripRow"]

LABEL_WIDTH = 210  # px of the text column left of each row's maps, at most
MIN_LABEL_WIDTH = 140
LABEL_SHARE = 0.34  # of the strip's width for the text column
ROW_MAP_HEIGHT = 58  # px a row's maps are tall at most
MIN_ROW_HEIGHT = 30  # px a row keeps when the strip must be short
ROW_SPACING = 4
BACKGROUND = QColor(30, 30, 30)
SELECTED = QColor(255, 190, 40)
TEXT = QColor(225, 225, 225)
WINDOW = QColor(60, 230, 120)


@dataclass(frozen=True, eq=False)
class StripRow:
    """One stage's row: its text and its maps as one mosaic."""

    index: int
    lines: tuple[str, ...]  # up to three short lines for the label column
    mosaic: np.ndarray  # (h, K·(w + gap) − gap, 4) uint8 screen pixels
    count: int  # maps in the mosaic
    covered: tuple[int, int]  # (rows, cols) of a map that one tile of the mosaic spans
    map_shape: tuple[int, int]  # (rows, cols) of one map at full size

    def tile_shape(self) -> tuple[int, float]:
        """(rows, cols) of mosaic pixels one map's tile takes."""
        return self.mosaic.shape[0], (self.mosaic.shape[1] + MOSAIC_GAP) / max(self.count, 1) \
            - MOSAIC_GAP

    def map_per_pixel(self) -> tuple[float, float]:
        """Map rows and columns under one mosaic pixel."""
        rows, cols = self.tile_shape()
        return self.covered[0] / max(rows, 1), self.covered[1] / max(cols, 1)


class StageStrip(QWidget):
    """The rows of stage maps; see the module docstring."""

    stage_clicked = Signal(int)
    hovered = Signal(int, int, int, int)  # stage, map, row, col (full-size map coordinates)
    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[StripRow] = []
        self._images: list[QImage] = []
        self._targets: list[QRectF] = []  # where each row's mosaic is drawn
        self._selected = 0
        self._row_height = ROW_MAP_HEIGHT
        self._budget = 0  # px the strip may take (0: no limit)
        self._window: tuple[int, tuple[float, float, float, float]] | None = None
        self._font = QFont()
        self._font.setPointSizeF(max(self._font.pointSizeF() * 0.85, 7))
        self._elided: dict[tuple[str, int], str] = {}  # (text, width) → the text as shown
        self.setMouseTracking(True)
        # the strip paints every pixel of itself: Qt need not paint the panels behind it
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Every stage's output maps. Click a row to show that stage large "
                        "below; hover a map to see what a unit of that stage sees.")

    # --- reading -------------------------------------------------------------------------
    @property
    def rows(self) -> list[StripRow]:
        return list(self._rows)

    @property
    def selected(self) -> int:
        return self._selected

    def row_rect(self, i: int) -> QRectF:
        """Where row i's maps are drawn (widget coordinates)."""
        return self._targets[i]

    @property
    def row_height(self) -> int:
        """Px a row's maps are tall at most now."""
        return self._row_height

    def label_width(self) -> int:
        """Px of the text column left of the maps (narrower in a narrow strip)."""
        return int(min(max(self.width() * LABEL_SHARE, MIN_LABEL_WIDTH), LABEL_WIDTH))

    def set_height_budget(self, pixels: int) -> None:
        """The most height the strip should take; rows shrink to fit (down to a minimum)."""
        if pixels != self._budget:
            self._budget = max(int(pixels), 0)
            self._fit_height()

    def _fit_height(self) -> None:
        n = max(len(self._rows), 1)
        row = ROW_MAP_HEIGHT
        if self._budget:
            row = int(min(max(self._budget / n - ROW_SPACING, MIN_ROW_HEIGHT), ROW_MAP_HEIGHT))
        height = len(self._rows) * (row + ROW_SPACING) + ROW_SPACING
        changed = row != self._row_height
        self._row_height = row
        if self.minimumHeight() != height or self.maximumHeight() != height:
            self.setFixedHeight(height)
        if changed:
            self._layout()
            self.update()
            self.resized.emit()  # the maps are wanted at the new size

    # --- content -------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[StripRow]) -> None:
        old_sizes = [(image.width(), image.height()) for image in self._images]
        self._rows = []
        self._images = []
        for row in rows:
            pixels = np.ascontiguousarray(row.mosaic, np.uint8)
            if pixels.ndim != 3 or pixels.shape[2] != 4:
                raise ValueError(f"a strip row is (h, w, 4) screen pixels, not {pixels.shape}")
            # the row keeps the mosaic alive for as long as its picture wraps it
            self._rows.append(row if pixels is row.mosaic else replace(row, mosaic=pixels))
            h, w = pixels.shape[:2]
            self._images.append(QImage(pixels.data, w, h, pixels.strides[0],
                                       QImage.Format.Format_RGB32))
        self._fit_height()
        if [(image.width(), image.height()) for image in self._images] != old_sizes:
            self._layout()
        self.update()

    def set_selected(self, index: int) -> None:
        if index != self._selected:
            self._selected = index
            self.update()

    def show_window(self, stage: int, extent: tuple[float, float, float, float]) -> None:
        """Outline rows r0:r1, cols c0:c1 on every map of one stage's row."""
        self._window = (stage, extent)
        self.update()

    def clear_window(self) -> None:
        if self._window is not None:
            self._window = None
            self.update()

    def tile_sizes(self, shapes: Sequence[tuple[int, int, int]]) -> tuple[tuple[int, int], ...]:
        """(rows, cols) of device pixels each stage's maps get, for the render step."""
        ratio = self.devicePixelRatioF()
        width = max(self.width() - self.label_width() - 8, 32)
        out = []
        for h, w, k in shapes:
            tile_h = self._row_height
            tile_w = tile_h * w / max(h, 1)
            if k * (tile_w + MOSAIC_GAP) > width:
                tile_w = max((width - k * MOSAIC_GAP) / max(k, 1), 4)
                tile_h = tile_w * h / max(w, 1)
            out.append((max(int(tile_h * ratio), 4), max(int(tile_w * ratio), 4)))
        return tuple(out)

    # --- geometry ------------------------------------------------------------------------
    def _layout(self) -> None:
        self._targets = []
        label = self.label_width()
        width = max(self.width() - label - 8, 32)
        row_h = self._row_height
        for i, image in enumerate(self._images):
            top = ROW_SPACING + i * (row_h + ROW_SPACING)
            scale = min(row_h / max(image.height(), 1), width / max(image.width(), 1))
            w, h = image.width() * scale, image.height() * scale
            self._targets.append(QRectF(label, top + (row_h - h) / 2, w, h))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._layout()
        self.resized.emit()

    def sizeHint(self) -> QSize:
        return QSize(600, max(self.minimumHeight(), self._row_height))

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_LABEL_WIDTH + 64, self.minimumHeight())

    def unit_at(self, pos: QPointF) -> tuple[int, int, int, int] | None:
        """(stage, map, row, col) under a widget position, None off every map."""
        for i, target in enumerate(self._targets):
            if not target.contains(pos):
                continue
            row = self._rows[i]
            scale = target.width() / max(self._images[i].width(), 1)
            x = (pos.x() - target.left()) / scale
            y = (pos.y() - target.top()) / scale
            tile_w = row.tile_shape()[1] + MOSAIC_GAP
            k = int(x // tile_w)
            x_in = x - k * tile_w
            if not 0 <= k < row.count or x_in >= tile_w - MOSAIC_GAP:
                return None
            per_r, per_c = row.map_per_pixel()
            r, c = math.floor(y * per_r), math.floor(x_in * per_c)
            if 0 <= r < row.map_shape[0] and 0 <= c < row.map_shape[1]:
                return (row.index, k, r, c)
            return None
        return None

    def row_at(self, y: float) -> int | None:
        i = int((y - ROW_SPACING / 2) // (self._row_height + ROW_SPACING))
        return i if 0 <= i < len(self._rows) else None

    # --- painting and the mouse ------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        painter.setFont(self._font)
        line = painter.fontMetrics().lineSpacing()
        row_h = self._row_height
        label = self.label_width()
        lines = max(1, min(3, (row_h - 2) // max(line, 1)))  # as many as the row holds
        for i, (row, image) in enumerate(zip(self._rows, self._images, strict=True)):
            top = ROW_SPACING + i * (row_h + ROW_SPACING)
            band = QRect(2, top - 2, self.width() - 4, row_h + 4)
            if row.index == self._selected:
                painter.setPen(QPen(SELECTED, 2))
                painter.drawRect(band)
            painter.setPen(SELECTED if row.index == self._selected else TEXT)
            for j, text in enumerate(row.lines[:lines]):
                rect = QRect(8, top + 2 + j * line, label - 12, line)
                painter.drawText(rect, Qt.AlignmentFlag.AlignLeft,
                                 self._elide(painter, text, rect.width()))
            painter.drawImage(self._targets[i], image)
            if self._window is not None and self._window[0] == row.index:
                self._paint_window(painter, i, row)
        painter.end()

    def _elide(self, painter: QPainter, text: str, width: int) -> str:
        """``text`` shortened to ``width`` px, measured once (the lines stay while frames
        change the maps)."""
        shown = self._elided.get((text, width))
        if shown is None:
            if len(self._elided) > 64:
                self._elided.clear()
            shown = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width)
            self._elided[(text, width)] = shown
        return shown

    def _paint_window(self, painter: QPainter, i: int, row: StripRow) -> None:
        target = self._targets[i]
        scale = target.width() / max(self._images[i].width(), 1)
        tile_w = row.tile_shape()[1] + MOSAIC_GAP
        per_r, per_c = row.map_per_pixel()
        r0, r1, c0, c1 = self._window[1]  # type: ignore[index]
        painter.setPen(QPen(WINDOW, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for k in range(row.count):
            left = target.left() + (k * tile_w + c0 / per_c) * scale
            top = target.top() + r0 / per_r * scale
            painter.drawRect(QRectF(left, top, (c1 - c0) / per_c * scale,
                                    (r1 - r0) / per_r * scale))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self.unit_at(event.position())
        if hit is not None:
            self.hovered.emit(*hit)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            i = self.row_at(event.position().y())
            if i is not None:
                self.stage_clicked.emit(self._rows[i].index)
