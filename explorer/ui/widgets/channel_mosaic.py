"""Every channel of a layer as one scrolling picture of numbered tiles.

The tiles arrive as one finished picture (:class:`~explorer.core.network.mosaic.Mosaic`, drawn
on the worker as screen pixels, copied to the screen as they are); this widget paints it,
numbers the tiles, frames the chosen channel and the unit under the mouse, and reports hovers
and clicks in map coordinates. Up to a few dozen channels fit the view; more scroll, never
shrinking below a legible tile. The tile numbers are drawn once for a layout and reused while
live frames change the maps under them.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from explorer.core.network.mosaic import Mosaic

GAP = 4
MIN_TILE = 56  # px: below this a map's units and its number stop being legible
MAX_TILE = 224
SMALL_MAP = 16  # maps this small show each unit as a block of whole pixels
SELECTED = QColor(255, 190, 40)  # the explorer's colour for the selected filter
HOVER = QColor(60, 230, 120)


def mosaic_layout(count: int, map_side: int, width: int, height: int) -> tuple[int, int]:
    """(tile, columns) for ``count`` square maps of ``map_side`` units in a view of
    ``width × height`` px: all of them as big as fits, or legible tiles that scroll."""
    width, height = max(width, MIN_TILE), max(height, MIN_TILE)
    best_tile, best_cols = 0, 1
    for cols in range(1, count + 1):
        rows = math.ceil(count / cols)
        tile = min((width + GAP) // cols - GAP, (height + GAP) // rows - GAP)
        if tile > best_tile:
            best_tile, best_cols = tile, cols
    tile = min(best_tile, MAX_TILE)
    if tile < MIN_TILE:  # they do not all fit: legible tiles, scrolling down
        tile = MIN_TILE
        best_cols = max(1, (width + GAP) // (tile + GAP))
    if map_side <= SMALL_MAP and tile >= map_side:  # a few big units: all the same size
        tile = tile // map_side * map_side
    return tile, max(1, min(best_cols, count))


class _Canvas(QWidget):
    hovered = Signal(int, int, int)  # channel, row, col; channel −1 when off the tiles
    clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mosaic: Mosaic | None = None
        self._image: QImage | None = None
        self._numbers: QPixmap | None = None  # the tile numbers, for _numbers_layout
        self._numbers_layout: tuple[int, ...] = ()
        self.selected: int | None = None
        self.hover: tuple[int, int, int] | None = None
        self.setMouseTracking(True)
        # the picture covers the whole canvas: Qt need not paint what lies behind it
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_mosaic(self, mosaic: Mosaic | None) -> None:
        self.mosaic = mosaic  # keeps the pixels alive: the QImage below only points at them
        self._image = None
        if mosaic is not None:
            pixels = mosaic.pixels
            h, w = pixels.shape[:2]
            self._image = QImage(pixels.data, w, h, pixels.strides[0],
                                 QImage.Format.Format_RGB32)
            if (w, h) != (self.width(), self.height()):
                self.setFixedSize(w, h)
        self.update()

    def _tile_numbers(self) -> QPixmap:
        """Every tile's number on a transparent picture, drawn again only for a new layout."""
        m = self.mosaic
        assert m is not None
        layout = (m.count, m.tile, m.gap, m.columns, self.width(), self.height())
        if self._numbers is None or layout != self._numbers_layout:
            ratio = self.devicePixelRatioF()
            numbers = QPixmap(int(self.width() * ratio), int(self.height() * ratio))
            numbers.setDevicePixelRatio(ratio)
            numbers.fill(Qt.GlobalColor.transparent)
            painter = QPainter(numbers)
            font = QFont(self.font())
            font.setPixelSize(11)
            painter.setFont(font)
            painter.setPen(QColor(240, 240, 240))
            for c in range(m.count):
                x, y = m.tile_origin(c)
                label = str(c)
                box = QRectF(x, y, 7 * len(label) + 6, 15)
                painter.fillRect(box, QColor(0, 0, 0, 150))
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
            painter.end()
            self._numbers, self._numbers_layout = numbers, layout
        return self._numbers

    def sizeHint(self) -> QSize:
        return self.size()

    def _unit_rect(self, channel: int, row: int, col: int) -> QRectF:
        m = self.mosaic
        x, y = m.tile_origin(channel)
        h, w = m.map_shape
        return QRectF(x + col * m.tile / w, y + row * m.tile / h, m.tile / w, m.tile / h)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._image is None or self.mosaic is None:
            return
        m = self.mosaic
        painter = QPainter(self)
        visible = event.rect()
        painter.drawImage(visible, self._image, visible)
        ratio = self.devicePixelRatioF()
        painter.drawPixmap(QRectF(visible), self._tile_numbers(),
                           QRectF(visible.x() * ratio, visible.y() * ratio,
                                  visible.width() * ratio, visible.height() * ratio))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self.selected is not None and self.selected < m.count:
            x, y = m.tile_origin(self.selected)
            pen = QPen(SELECTED)
            pen.setWidth(3)
            painter.setPen(pen)
            painter.drawRect(QRectF(x - 1.5, y - 1.5, m.tile + 3, m.tile + 3))
        if self.hover is not None:
            pen = QPen(HOVER)
            pen.setWidth(2)
            painter.setPen(pen)
            painter.drawRect(self._unit_rect(*self.hover))
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        unit = None if self.mosaic is None else self.mosaic.unit_at(event.position().x(),
                                                                      event.position().y())
        if unit != self.hover:
            self.hover = unit
            self.update()
            self.hovered.emit(*(unit if unit is not None else (-1, -1, -1)))

    def leaveEvent(self, event) -> None:
        if self.hover is not None:
            self.hover = None
            self.update()
            self.hovered.emit(-1, -1, -1)
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.mosaic is None:
            return
        unit = self.mosaic.unit_at(event.position().x(), event.position().y())
        if unit is not None:
            self.clicked.emit(unit[0])


class ChannelMosaic(QScrollArea):
    """The scrolling mosaic; ``hovered`` and ``clicked`` speak of channels and map units."""

    hovered = Signal(int, int, int)
    clicked = Signal(int)
    resized = Signal()  # the view changed size: the tiles may fit differently

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = _Canvas()
        self.setWidget(self.canvas)
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.canvas.hovered.connect(self.hovered)
        self.canvas.clicked.connect(self.clicked)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    def layout_for(self, count: int, map_side: int) -> tuple[int, int]:
        """(tile, columns) for the current view size; leaves room for a scroll bar."""
        bar = self.verticalScrollBar().sizeHint().width()
        width = self.viewport().width() - bar
        return mosaic_layout(count, map_side, width, self.viewport().height())

    def set_mosaic(self, mosaic: Mosaic | None) -> None:
        self.canvas.set_mosaic(mosaic)

    def mosaic(self) -> Mosaic | None:
        return self.canvas.mosaic

    def set_selected(self, channel: int | None) -> None:
        if channel != self.canvas.selected:
            self.canvas.selected = channel
            self.canvas.update()

    def clear_hover(self) -> None:
        """Forget the unit under the mouse (a new picture: its readout went with the old)."""
        if self.canvas.hover is not None:
            self.canvas.hover = None
            self.canvas.update()

    def tile_centre(self, channel: int) -> tuple[int, int]:
        """Canvas pixel at the middle of a channel's tile (for tests and scrolling)."""
        m = self.canvas.mosaic
        x, y = m.tile_origin(channel)
        return x + m.tile // 2, y + m.tile // 2
