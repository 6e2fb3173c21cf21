"""A grid of titled map tiles (feature maps or pooled maps) in one pyqtgraph scene.

Built for the live loop: tiles and their ImageItems are made once and reused; a new frame only
calls ``setImage`` with pictures the compute worker already shrank (by a whole factor, for the
tile's size) and coloured. Each image keeps the full-resolution rectangle, so view coordinates
are always full-resolution map coordinates: hover positions and overlays need no conversion.
When the tiles change size the grid says so (``resized``) and waits for maps shrunk for the new
size; it never shrinks or colours maps itself. Tile view boxes ignore the mouse (no accidental
panning of a tile); the grid only reports hovers and clicks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from explorer.core.display import DisplayPlanes
from explorer.ui.widgets.colormaps import colormap
from explorer.ui.widgets.plain_text import as_html, plain_tooltip

__all__ = ["MapGrid", "best_columns", "fit_titles", "grid_fit", "title_height"]

pg.setConfigOptions(imageAxisOrder="row-major")

TITLE_POINTS = 9
CELL_MARGIN = 8  # px round each tile: layout margins and spacing
COLORBAR_WIDTH = 84  # px of the colour bar with its numbers and label
BAR_TOLERANCE = 0.02  # level changes below this share of the bar's range are not redrawn
SELECTED = QColor(255, 190, 40)  # the selected filter's frame and title
WINDOW = QColor(255, 60, 200)  # a pooling window drawn on a feature map


def grid_fit(n: int, map_h: int, map_w: int, width: float, height: float,
             title_height: float = 24) -> tuple[int, float]:
    """(columns, scale) that show ``n`` titled ``map_h × map_w`` tiles biggest in the area."""
    if n < 1 or map_h <= 0 or map_w <= 0 or width <= 0 or height <= 0:
        return max(1, n), 0.0
    best, best_scale = 1, -1.0
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        cell_w = width / cols - CELL_MARGIN
        cell_h = height / rows - title_height - CELL_MARGIN
        scale = min(cell_w / map_w, cell_h / map_h)
        if scale > best_scale + 1e-9:  # ties go to fewer columns: fuller rows
            best, best_scale = cols, scale
    return best, max(best_scale, 0.0)


def best_columns(n: int, map_h: int, map_w: int, width: float, height: float,
                 title_height: float = 24) -> int:
    """The column count that shows ``n`` tiles of ``map_h × map_w`` biggest in the area."""
    return grid_fit(n, map_h, map_w, width, height, title_height)[0]


class _Tile:
    """One titled map: a label above a view box that holds the image and its overlays."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.layout = pg.GraphicsLayout()
        self.layout.setContentsMargins(2, 0, 2, 2)
        self.layout.setSpacing(0)
        self.label = self.layout.addLabel(" ", row=0, col=0, size=f"{TITLE_POINTS}pt")
        # a title rarely changes while its map changes every frame: paint it from a cache
        self.label.item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.view = self.layout.addViewBox(row=1, col=0, lockAspect=True, enableMouse=False,
                                           enableMenu=False, invertY=True)
        self.view.setDefaultPadding(0.01)
        self.image = pg.ImageItem()
        self.view.addItem(self.image)
        self.frame = QGraphicsRectItem()
        self.frame.setPen(_cosmetic(SELECTED, 3))
        self.frame.setZValue(10)
        self.frame.hide()
        self.view.addItem(self.frame, ignoreBounds=True)
        self.window = QGraphicsRectItem()
        self.window.setPen(_cosmetic(WINDOW, 2))
        self.window.setZValue(20)
        self.window.hide()
        self.view.addItem(self.window, ignoreBounds=True)
        self.marks = pg.ScatterPlotItem(size=9, symbol="x", pen=None, brush=pg.mkBrush(WINDOW))
        self.marks.setZValue(21)
        self.marks.hide()  # an empty scatter item still costs ~0.5 ms a repaint
        self.view.addItem(self.marks, ignoreBounds=True)
        self.title = ""  # the full title; the label may show a shortened one
        self.shown_title = ""
        self.selected = False
        self.full_shape = (0, 0)  # (rows, cols) of the map at full resolution
        self.shown_shape = (0, 0)  # (rows, cols) of the image actually handed to pyqtgraph
        self.levels = (0.0, 1.0)  # the map values shown at the colormap's two ends
        self.plane = np.zeros((0, 0), np.float32)  # the (shrunk) values behind the colours

    def set_title(self, title: str, shown: str, selected: bool) -> None:
        if (title, shown, selected) == (self.title, self.shown_title, self.selected):
            return
        self.title, self.shown_title, self.selected = title, shown, selected
        color = SELECTED.name() if selected else None
        # pyqtgraph labels are HTML: a filter named after a file must not become markup
        self.label.setText(as_html(shown), color=color, bold=selected)
        self.label.setToolTip(plain_tooltip(title) if shown != title else "")
        self.frame.setVisible(selected)

    def set_image(self, plane: np.ndarray, full_shape: tuple[int, int],
                  levels: tuple[float, float], rgb: np.ndarray, factor: int = 1) -> None:
        """Show ``plane``, the map shrunk by a whole ``factor``, over its full-size extent.

        ``rgb`` is the plane coloured with ``levels`` (by the compute worker).
        """
        self.levels, self.plane = levels, plane
        self.image.setImage(rgb, autoLevels=False)
        if plane.shape != self.shown_shape or full_shape != self.full_shape:
            h, w = full_shape
            # Each shown pixel covers factor × factor map pixels, so view coordinates stay
            # map coordinates (the < factor rows and columns cut off are under a screen pixel).
            self.image.setRect(QRectF(0, 0, plane.shape[1] * factor, plane.shape[0] * factor))
            self.frame.setRect(QRectF(0, 0, w, h))
            if full_shape != self.full_shape:
                self.view.setRange(QRectF(0, 0, w, h), padding=0.01)
            self.full_shape, self.shown_shape = full_shape, plane.shape


def _title_font(bold: bool) -> QFont:
    font = QFont()
    font.setPointSize(TITLE_POINTS)
    font.setBold(bold)
    return font


def title_height() -> int:
    """Pixels a tile title takes: one line of text and the text item's margins."""
    return QFontMetrics(_title_font(True)).height() + 8


def fit_titles(titles: Sequence[str], width: int) -> list[str]:
    """Titles that fit a map ``width`` pixels wide.

    A title wider than its map would widen the grid column and push tiles out of view. When
    any full title is too wide, every tile shows only its name ("sobel_x" of
    "sobel_x · 427×640", the size being the same for all and in the caption), elided if need be.
    """
    metrics = QFontMetrics(_title_font(True))
    room = max(width - 10, 10)  # the text item's own margins
    if width <= 0 or all(metrics.horizontalAdvance(t) <= room for t in titles):
        return list(titles)
    return [metrics.elidedText(t.split(" · ")[0], Qt.TextElideMode.ElideRight, room)
            for t in titles]


def _cosmetic(color: QColor, width: float) -> QPen:
    pen = QPen(color)
    pen.setWidthF(width)
    pen.setCosmetic(True)  # the same width in screen pixels at any zoom
    return pen


class MapGrid(pg.GraphicsLayoutWidget):
    """Titled tiles, one per map, laid out to use the space; optional colour bar at the side.

    Signals report full-resolution map coordinates: ``hovered(k, row, col)`` (throttled to
    ~60 Hz) and ``clicked(k)``. Leaving the maps reports nothing: the last readout stays, so a
    student can move to the readout and read it.
    """

    hovered = Signal(int, int, int)
    clicked = Signal(int)
    resized = Signal()  # the tiles changed size: maps shrunk for the new size are wanted

    def __init__(self, parent=None, *, colorbar: bool = False) -> None:
        super().__init__(parent)
        self.setBackground(pg.mkColor(30, 30, 30))
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.ci.setSpacing(2)
        self._tiles: list[_Tile] = []
        self._columns = 0
        self._levels = np.zeros((0, 2))
        self._signed: bool | None = None
        self._selected: int | None = None
        self._bar: pg.ColorBarItem | None = None
        self._bar_label = ""
        self._title_height = title_height()
        self._tile_width = 0  # px of each map on screen: titles are shortened to fit it
        self._tile_size: tuple[int, int] | None = None  # (width, height) px of each map
        self._titles_width = -1  # the tile width the shown titles were fitted to
        if colorbar:
            self._bar = pg.ColorBarItem(values=(0, 1), width=14, interactive=False,
                                        colorMapMenu=False, colorMap=colormap(False))
            self._bar.setFixedWidth(COLORBAR_WIDTH - 4)
            for axis in ("left", "right"):
                self._bar.getAxis(axis).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._relayout_timer = QTimer(self, singleShot=True, interval=0)
        self._relayout_timer.timeout.connect(self._on_resized)
        # pyqtgraph's proxy delivers the newest position at most ~60 times a second
        self._move_proxy = pg.SignalProxy(self.scene().sigMouseMoved, rateLimit=60,
                                          slot=self._on_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    # --- reading (the tests and the panel use these) ------------------------------------
    @property
    def tile_count(self) -> int:
        return len(self._tiles)

    @property
    def columns(self) -> int:
        return self._columns

    def titles(self) -> list[str]:
        return [t.title for t in self._tiles]

    def image_item(self, k: int) -> pg.ImageItem:
        return self._tiles[k].image

    def tile_levels(self, k: int) -> tuple[float, float]:
        """The map values tile k shows at the colormap's ends."""
        return self._tiles[k].levels

    def shown_plane(self, k: int) -> np.ndarray:
        """The float values tile k shows (the map, shrunk for the screen)."""
        return self._tiles[k].plane

    def colormap(self) -> pg.ColorMap:
        """The colormap every tile uses now (diverging for signed maps)."""
        return colormap(bool(self._signed))

    def view_box(self, k: int) -> pg.ViewBox:
        return self._tiles[k].view

    def colorbar(self) -> pg.ColorBarItem | None:
        return self._bar

    def window_rect(self, k: int) -> QRectF | None:
        """The pooling window drawn on tile k (map coordinates), None when none is drawn."""
        item = self._tiles[k].window
        return item.rect() if item.isVisible() else None

    def marks(self, k: int) -> list[tuple[int, int]]:
        """The (row, col) pixels marked on tile k (the max-pooling winner)."""
        x, y = self._tiles[k].marks.getData()
        return [(int(r - 0.5), int(c - 0.5)) for r, c in zip(y, x, strict=True)]

    # --- content ------------------------------------------------------------------------
    def set_maps(self, display: DisplayPlanes, titles: Sequence[str], levels: np.ndarray,
                 signed: bool) -> None:
        """Show K maps as the worker made them ready: shrunk planes, coloured, with (K, 2)
        levels and K titles."""
        if display.rgb is None:
            raise ValueError("the maps must be coloured before they are shown")
        shape = display.full_shape
        count = len(display.planes)
        if count != len(self._tiles) or (self._tiles and self._tiles[0].full_shape != shape):
            self._ensure_tiles(count, shape)
        if signed != self._signed:
            self._signed = signed
            if self._bar is not None:
                self._bar.setColorMap(colormap(signed))
        self._levels = np.asarray(levels)
        self.set_titles(titles)
        for k, tile in enumerate(self._tiles):
            tile.set_image(display.planes[k], shape, (float(levels[k][0]), float(levels[k][1])),
                           display.rgb[k], display.factor)

    def set_titles(self, titles: Sequence[str]) -> None:
        full = [titles[k] if k < len(titles) else f"filter {k}" for k in range(len(self._tiles))]
        if full == self.titles() and self._titles_width == self._tile_width:
            shown = self.shown_titles()  # measuring text every live frame would cost ~0.5 ms
        else:
            shown = fit_titles(full, self._tile_width)
            self._titles_width = self._tile_width
        for k, tile in enumerate(self._tiles):
            tile.set_title(full[k], shown[k], k == self._selected)

    def set_selected(self, k: int | None) -> None:
        self._selected = k
        for i, tile in enumerate(self._tiles):
            tile.set_title(tile.title, tile.shown_title, i == k)

    def shown_titles(self) -> list[str]:
        """The titles as the labels show them (shortened to fit narrow tiles)."""
        return [t.shown_title for t in self._tiles]

    def set_colorbar(self, levels: tuple[float, float], label: str = "") -> None:
        if self._bar is None:
            return
        lo, hi = float(levels[0]), float(levels[1])
        old_lo, old_hi = self._bar.levels()
        # Redrawing the bar's axis costs ~3 ms; from one live frame to the next levels move by
        # a percent to a percent or two, which the tick labels cannot show anyway.
        span = max(abs(old_hi - old_lo), 1e-12)
        if max(abs(lo - old_lo), abs(hi - old_hi)) > BAR_TOLERANCE * span:
            self._bar.setLevels((lo, hi))
        if label != self._bar_label:
            self._bar_label = label
            self._bar.setLabel("right", as_html(label))

    def show_window(self, k: int, extent: tuple[int, int, int, int],
                    marks: Sequence[tuple[int, int]] = ()) -> None:
        """Outline rows r0:r1, cols c0:c1 of map k and mark the given (row, col) pixels."""
        self.clear_window()
        if not 0 <= k < len(self._tiles):
            return
        tile = self._tiles[k]
        r0, r1, c0, c1 = extent
        tile.window.setRect(QRectF(c0, r0, c1 - c0, r1 - r0))
        tile.window.show()
        if marks:
            tile.marks.setData([c + 0.5 for _, c in marks], [r + 0.5 for r, _ in marks])
            tile.marks.show()

    def clear_window(self) -> None:
        for tile in self._tiles:
            if tile.window.isVisible():
                tile.window.hide()
                tile.marks.setData([], [])
                tile.marks.hide()

    # --- layout -------------------------------------------------------------------------
    def _ensure_tiles(self, n: int, shape: tuple[int, int]) -> None:
        while len(self._tiles) < n:
            self._tiles.append(_Tile(len(self._tiles)))
        del self._tiles[n:]
        for tile in self._tiles:
            tile.full_shape = (-1, -1)  # forces setRect and setRange on the next image
        self._layout_tiles(shape, force=True)

    def _layout_tiles(self, shape: tuple[int, int], force: bool = False) -> None:
        """Place the tiles in the grid and size each map to the space it gets.

        Each view box gets exactly its map's aspect, so a title sits right above its map and
        the spare space falls between the tiles instead of inside them.
        """
        bar = COLORBAR_WIDTH if self._bar is not None else 0
        margins = 8
        columns, scale = grid_fit(len(self._tiles), shape[0], shape[1],
                                  self.width() - bar - margins, self.height() - margins,
                                  self._title_height)
        size = (max(int(shape[1] * scale), 16), max(int(shape[0] * scale), 16))
        resized = size != self._tile_size
        self._tile_size = size
        self._centre(columns, size)
        for tile in self._tiles:
            tile.view.setMinimumSize(*size)
            tile.view.setMaximumSize(*size)
            tile.label.setMaximumWidth(size[0])
            tile.label.setFixedHeight(self._title_height)
            tile.layout.setMaximumSize(size[0] + 4, size[1] + self._title_height + 2)
        if size[0] != self._tile_width:
            self._tile_width = size[0]
            self.set_titles(self.titles())
        if resized:
            self.resized.emit()
        if columns == self._columns and not force:
            return
        self._columns = columns
        self.ci.clear()
        rows = math.ceil(len(self._tiles) / max(columns, 1))
        for k, tile in enumerate(self._tiles):
            self.ci.addItem(tile.layout, row=k // columns, col=k % columns)
        if self._bar is not None and self._tiles:
            self.ci.addItem(self._bar, row=0, col=columns, rowspan=max(rows, 1))

    def _centre(self, columns: int, size: tuple[int, int]) -> None:
        """Margins that centre the block of tiles (and colour bar) in the widget."""
        rows = math.ceil(len(self._tiles) / max(columns, 1))
        spacing = self.ci.layout.horizontalSpacing()
        bar = COLORBAR_WIDTH if self._bar is not None else 0
        used_w = columns * (size[0] + 4 + spacing) + bar
        used_h = rows * (size[1] + self._title_height + 2 + spacing)
        dx = max((self.width() - used_w) // 2, 2)
        dy = max((self.height() - used_h) // 2, 2)
        self.ci.setContentsMargins(dx, dy, dx, dy)

    def tile_pixels(self) -> tuple[int, int] | None:
        """(rows, cols) of device pixels a map tile has on screen; None before the first."""
        if not self._tiles or self._tile_size is None:
            return None
        ratio = self.devicePixelRatioF()
        return (int(self._tile_size[1] * ratio), int(self._tile_size[0] * ratio))

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        timer = getattr(self, "_relayout_timer", None)  # pyqtgraph resizes during __init__
        if timer is not None:
            timer.start()

    def _on_resized(self) -> None:
        if self._tiles:
            self._layout_tiles(self._tiles[0].full_shape)

    # --- mouse --------------------------------------------------------------------------
    def tile_at(self, scene_pos: QPointF) -> tuple[int, int, int] | None:
        """(k, row, col) of the map pixel under a scene position, None off every map."""
        for tile in self._tiles:
            if not tile.view.sceneBoundingRect().contains(scene_pos):
                continue
            p = tile.view.mapSceneToView(scene_pos)
            row, col = math.floor(p.y()), math.floor(p.x())
            h, w = tile.full_shape
            if 0 <= row < h and 0 <= col < w:
                return tile.index, row, col
            return None
        return None

    def _on_mouse_moved(self, args: tuple) -> None:
        hit = self.tile_at(args[0])
        if hit is not None:
            self.hovered.emit(*hit)

    def _on_mouse_clicked(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        for tile in self._tiles:
            if tile.view.sceneBoundingRect().contains(ev.scenePos()):
                self.clicked.emit(tile.index)
                return
