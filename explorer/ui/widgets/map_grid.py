"""A grid of titled map tiles (feature maps or pooled maps) in one pyqtgraph scene.

Built for the live loop: tiles and their images are made once and reused; a new frame only
hands each image the screen pixels the compute worker already shrank to the size the tile shows
(:meth:`MapGrid.tile_pixels`) and coloured, and nothing is laid out or measured again unless a
size or a title changed. Each image keeps the full-resolution rectangle, so view coordinates
are always full-resolution map coordinates: hover positions and overlays need no conversion.
When the tiles change size the grid says so (``resized``) and waits for maps shrunk for the new
size; it never shrinks or colours maps itself. Tile view boxes ignore the mouse (no accidental
panning of a tile); the grid only reports hovers and clicks.

Maps small enough on screen for a number in every cell (a 4×4 map in a 300-pixel tile) show
their values, with row and column indices, as a lecture slide does; larger maps show colours
only and cost nothing more. The colour bar goes beside the tiles or under them, whichever
leaves the tiles larger.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from explorer.core.display import DisplayPlanes, rgb_view
from explorer.ui.widgets.cell_values import INDEX_SHARE, MIN_CELL_PX, CellValues, light_cells
from explorer.ui.widgets.color_bar import ColorBar, compact_number
from explorer.ui.widgets.colormaps import colormap, lookup_table
from explorer.ui.widgets.map_image import MapImage
from explorer.ui.widgets.native_paint import NativePaintLayout
from explorer.ui.widgets.plain_text import as_html, plain_tooltip

__all__ = ["MapGrid", "best_columns", "fit_titles", "grid_fit", "title_height"]

pg.setConfigOptions(imageAxisOrder="row-major")

TITLE_POINTS = 9
SMALLER_TITLES = (8, 7)  # point sizes titles step down to before they are shortened
CELL_MARGIN = 8  # px round each tile: layout margins and spacing
COLORBAR_WIDTH = 84  # px of the colour bar with its numbers and label, beside the tiles
COLORBAR_HEIGHT = 58  # px of the colour bar with its numbers and label, under the tiles
VIEW_PADDING = 0.01  # of a map's size, left round it inside its view box (the frame's pen)
ZERO_SHARE = 1e-6  # a value this small next to its map's levels is float rounding of 0
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
        self.view.setDefaultPadding(VIEW_PADDING)
        # the layout and the view box only hold items: Qt need not prepare a paint for them
        for holder in (self.layout, self.view, self.view.childGroup):
            holder.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self.image = MapImage()
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
        self.values = CellValues()
        self.values.hide()
        self.view.addItem(self.values, ignoreBounds=True)
        self.labelled = False  # the map is small enough on screen to show its values
        self.title = ""  # the full title; the label may show a shortened one
        self.shown_title = ""
        self.selected = False
        self.title_points = TITLE_POINTS
        self.full_shape = (0, 0)  # (rows, cols) of the map at full resolution
        self.shown_shape = (0, 0)  # (rows, cols) of the image shown
        self.covered = (0, 0)  # (rows, cols) of the map the image spans
        self.levels = (0.0, 1.0)  # the map values shown at the colormap's two ends
        self.plane = np.zeros((0, 0), np.float32)  # the (shrunk) values behind the colours
        self.rgb = np.zeros((0, 0, 3), np.uint8)  # the colours shown

    def set_title(self, title: str, shown: str, selected: bool,
                  points: int = TITLE_POINTS) -> None:
        if (title, shown, selected, points) == (self.title, self.shown_title, self.selected,
                                                self.title_points):
            return
        self.title, self.shown_title, self.selected = title, shown, selected
        self.title_points = points
        color = SELECTED.name() if selected else None
        # pyqtgraph labels are HTML: a filter named after a file must not become markup
        text = "<br>".join(as_html(line) for line in shown.split("\n"))
        self.label.setText(text, color=color, bold=selected, size=f"{points}pt")
        self.label.setToolTip(plain_tooltip(title) if shown != title else "")
        self.frame.setVisible(selected)

    def set_image(self, plane: np.ndarray, full_shape: tuple[int, int],
                  levels: tuple[float, float], pixels: np.ndarray,
                  covered: tuple[int, int] | None = None) -> None:
        """Show ``plane``, the map shrunk for the screen, over the ``covered`` (rows, cols) of
        the map it spans (all of it by default).

        ``pixels`` are the plane coloured with ``levels`` (by the compute worker).
        """
        covered = full_shape if covered is None else covered
        self.levels, self.plane = levels, plane
        self.image.setImage(pixels)
        self.rgb = rgb_view(self.image.pixels)
        if plane.shape != self.shown_shape or (full_shape, covered) != (self.full_shape,
                                                                         self.covered):
            h, w = full_shape
            # view coordinates stay map coordinates (the rows and columns cut off by a whole
            # shrink factor are under a screen pixel)
            self.image.setRect(QRectF(0, 0, covered[1], covered[0]))
            self.frame.setRect(QRectF(0, 0, w, h))
            if full_shape != self.full_shape:
                self.full_shape = full_shape
                self.fit_view()
            self.shown_shape, self.covered = plane.shape, covered
        if self.labelled:
            self.write_values()

    def fit_view(self) -> None:
        """Show the whole map, with room above and left of it for indices when labelled."""
        h, w = self.full_shape
        m = INDEX_SHARE if self.labelled else 0.0
        self.view.setRange(QRectF(-m, -m, w + 2 * m, h + 2 * m),
                           padding=0 if m else VIEW_PADDING)

    def set_labelled(self, on: bool) -> None:
        if on == self.labelled:
            return
        self.labelled = on
        self.fit_view()
        if on:
            self.write_values()
        else:
            self.values.hide()

    def write_values(self) -> None:
        """Hand the map's values and colours to the cell labels (a small map: cheap)."""
        if self.plane.shape != self.full_shape or self.rgb.shape[:2] != self.plane.shape:
            self.values.hide()
            return
        lo, hi = self.levels
        tiny = ZERO_SHARE * max(abs(lo), abs(hi))
        values = np.where(np.abs(self.plane) <= tiny, np.float32(0), self.plane)
        self.values.set_cells(values, light_cells(self.rgb))
        self.values.show()


def _title_font(bold: bool, points: int = TITLE_POINTS) -> QFont:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return font


def title_height(lines: int = 1) -> int:
    """Pixels a tile title takes: its lines of text and the text item's margins."""
    metrics = QFontMetrics(_title_font(True))
    return metrics.height() + (lines - 1) * metrics.lineSpacing() + 8


def fit_titles(titles: Sequence[str], width: int, selected: int | None = None) -> list[str]:
    """Titles that fit a map ``width`` pixels wide.

    A title wider than its map would widen the grid column and push tiles out of view. When
    any full title is too wide, every tile shows only its name ("sobel_x" of
    "sobel_x · 427×640", the size being the same for all and in the caption), in a smaller
    type if need be, and shortened only when even that is too wide.
    """
    return fit_titles_sized(titles, width, selected)[0]


def _two_lines(name: str, metrics: QFontMetrics, room: int) -> str | None:
    """``name`` broken once after an underscore, space or hyphen so both lines fit
    ("horizontal_" / "edge"); the name itself if it fits on one line; None if neither."""
    if metrics.horizontalAdvance(name) <= room:
        return name
    best: tuple[int, str] | None = None
    for i, ch in enumerate(name[:-1]):
        if ch in "_ -" and i > 0:
            first, second = name[:i + 1].rstrip(), name[i + 1:]
            wide = max(metrics.horizontalAdvance(first), metrics.horizontalAdvance(second))
            if wide <= room and (best is None or wide < best[0]):
                best = (wide, f"{first}\n{second}")
    return None if best is None else best[1]


def two_line_titles(titles: Sequence[str], width: int,
                    selected: int | None = None) -> tuple[list[str], int] | None:
    """(names on up to two lines, point size) that fit a map ``width`` pixels wide without
    shortening any, in the largest type that allows it; None when some name cannot."""
    room = max(width - 10, 10)
    names = [t.split(" · ")[0] for t in titles]
    for points in (TITLE_POINTS, *SMALLER_TITLES):
        plain = QFontMetrics(_title_font(False, points))
        bold = QFontMetrics(_title_font(True, points))
        split = [_two_lines(n, bold if k == selected else plain, room)
                 for k, n in enumerate(names)]
        if all(t is not None for t in split):
            return [t for t in split if t is not None], points
    return None


def fit_titles_sized(titles: Sequence[str], width: int, selected: int | None = None,
                     lines: int = 1) -> tuple[list[str], int]:
    """(titles, point size) that fit a map ``width`` pixels wide: full titles, else the
    names alone, else the names in a smaller type (or, with ``lines=2``, broken onto two
    lines), and only then the names shortened. The ``selected`` title is measured bold, as
    it is drawn."""
    room = max(width - 10, 10)  # the text item's own margins
    if width <= 0:
        return list(titles), TITLE_POINTS
    names = [t.split(" · ")[0] for t in titles]

    def fits(candidates: list[str], points: int) -> bool:
        plain = QFontMetrics(_title_font(False, points))
        bold = QFontMetrics(_title_font(True, points))
        return all((bold if k == selected else plain).horizontalAdvance(t) <= room
                   for k, t in enumerate(candidates))

    for candidates, points in ((list(titles), TITLE_POINTS), (names, TITLE_POINTS),
                               *((names, p) for p in SMALLER_TITLES)):
        if fits(candidates, points):
            return candidates, points
    if lines >= 2:
        two = two_line_titles(titles, width, selected)
        if two is not None:
            return two
    smallest = SMALLER_TITLES[-1]
    metrics = QFontMetrics(_title_font(True, smallest))
    return ([metrics.elidedText(n, Qt.TextElideMode.ElideRight, room) for n in names],
            smallest)


def _cosmetic(color: QColor, width: float) -> QPen:
    pen = QPen(color)
    pen.setWidthF(width)
    pen.setCosmetic(True)  # the same width in screen pixels at any zoom
    return pen


class MapGrid(NativePaintLayout):
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
        self._scheme = "auto"  # the document's colour map
        self._selected: int | None = None
        self._bars: dict[bool, ColorBar] = {}  # by "under the tiles"
        self._with_bar = colorbar
        self._bar_below = False
        self._bar_levels = (0.0, 1.0)
        self._bar_flat = False
        self._bar_label = ""
        self._title_height = title_height()
        self._title_lines = 1  # 2 when long names are broken in tiles with height to spare
        self._title_points = TITLE_POINTS
        self._tile_width = 0  # px of each map on screen: titles are shortened to fit it
        self._tile_size: tuple[int, int] | None = None  # (width, height) px of each map
        self._titles_width = -1  # the tile width the shown titles were fitted to
        self._show_values = True  # small maps write their values in their cells
        self._labelled = False  # the maps on show are small enough for that now
        if colorbar:
            self._make_bar(False)
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

    def image_item(self, k: int) -> MapImage:
        return self._tiles[k].image

    def tile_levels(self, k: int) -> tuple[float, float]:
        """The map values tile k shows at the colormap's ends."""
        return self._tiles[k].levels

    def shown_plane(self, k: int) -> np.ndarray:
        """The float values tile k shows (the map, shrunk for the screen)."""
        return self._tiles[k].plane

    def colormap(self) -> pg.ColorMap:
        """The colormap every tile uses now (diverging for signed maps)."""
        return colormap(bool(self._signed), self._scheme)

    def set_colour_map(self, scheme: str) -> None:
        """The document's colour map ("auto" or "grey") for the colour bar; the tiles come
        coloured by the worker."""
        if scheme != self._scheme:
            self._scheme = scheme
            for bar in self._bars.values():
                bar.set_lookup(lookup_table(bool(self._signed), self._scheme))

    def view_box(self, k: int) -> pg.ViewBox:
        return self._tiles[k].view

    def colorbar(self) -> ColorBar | None:
        """The colour bar on show (beside or under the tiles), None for a grid without one."""
        return self._bars.get(self._bar_below) if self._with_bar else None

    @property
    def colorbar_below(self) -> bool:
        """Whether the colour bar lies under the tiles (else beside them)."""
        return self._bar_below

    @property
    def values_shown(self) -> bool:
        """Whether the tiles write each cell's value (small maps, values switched on)."""
        return self._labelled

    def cell_texts(self, k: int) -> list[list[str]]:
        """The numbers written in tile k's cells, row by row; [] when it shows colours only."""
        tile = self._tiles[k]
        if not (tile.labelled and tile.values.isVisible()):
            return []
        return tile.values.texts()

    def cell_labels(self, k: int) -> CellValues:
        """The item that writes tile k's values (what it drew last, its text colours)."""
        return self._tiles[k].values

    def title_points(self) -> int:
        """The point size the titles are written in (smaller when names are long)."""
        return self._title_points

    def set_show_values(self, on: bool) -> None:
        """Write each cell's value in maps small enough on screen for it (or never)."""
        if on != self._show_values:
            self._show_values = on
            if self._tiles:
                self._layout_tiles(self._tiles[0].full_shape, force=True)

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
        if display.pixels is None:
            raise ValueError("the maps must be coloured before they are shown")
        shape = display.full_shape
        count = len(display.planes)
        if count != len(self._tiles) or (self._tiles and self._tiles[0].full_shape != shape):
            self._ensure_tiles(count, shape)
        if signed != self._signed:
            self._signed = signed
            for bar in self._bars.values():
                bar.set_lookup(lookup_table(signed, self._scheme))
        self._levels = np.asarray(levels)
        self.set_titles(titles)
        for k, tile in enumerate(self._tiles):
            tile.set_image(display.planes[k], shape, (float(levels[k][0]), float(levels[k][1])),
                           display.pixels[k], display.extent)

    def set_titles(self, titles: Sequence[str]) -> None:
        full = [titles[k] if k < len(titles) else f"filter {k}" for k in range(len(self._tiles))]
        if full == self.titles() and self._titles_width == self._tile_width:
            shown = self.shown_titles()  # measuring text every live frame would cost ~0.5 ms
        else:
            if full != self.titles() and self._tiles and self._tile_size is not None:
                self._relayout_timer.start()  # new names may want another title height
            shown, self._title_points = fit_titles_sized(full, self._tile_width,
                                                         self._selected, self._title_lines)
            self._titles_width = self._tile_width
        for k, tile in enumerate(self._tiles):
            tile.set_title(full[k], shown[k], k == self._selected, self._title_points)

    def set_selected(self, k: int | None) -> None:
        if k != self._selected:
            self._selected = k
            self._titles_width = -1  # a bold title may need another size
            self.set_titles(self.titles())
        for i, tile in enumerate(self._tiles):
            tile.set_title(tile.title, tile.shown_title, i == k, self._title_points)

    def shown_titles(self) -> list[str]:
        """The titles as the labels show them (shortened to fit narrow tiles)."""
        return [t.shown_title for t in self._tiles]

    def set_colorbar(self, levels: tuple[float, float], label: str = "",
                     flat: bool = False) -> None:
        """The bar's range and caption; ``flat``: the map it serves is all zeros."""
        bar = self.colorbar()
        if bar is None:
            return
        lo, hi = float(levels[0]), float(levels[1])
        self._bar_levels, self._bar_flat = (lo, hi), flat
        old_lo, old_hi = bar.levels()
        # live levels move a little every frame: the bar's cached picture is drawn again only
        # when a number written at its ends would change
        if flat != bar.flat or compact_number(lo) != compact_number(old_lo) or \
                compact_number(hi) != compact_number(old_hi):
            bar.setLevels((lo, hi), flat)
        if label != self._bar_label:
            self._bar_label = label
            bar.set_label(label)

    def _make_bar(self, below: bool) -> ColorBar:
        bar = self._bars.get(below)
        if bar is not None:
            return bar
        bar = ColorBar(lookup_table(bool(self._signed), self._scheme), horizontal=below)
        if below:
            bar.setMinimumHeight(COLORBAR_HEIGHT - 4)
            bar.setMaximumHeight(COLORBAR_HEIGHT - 4)
        else:
            bar.setMinimumWidth(COLORBAR_WIDTH - 4)
            bar.setMaximumWidth(COLORBAR_WIDTH - 4)
        self._bars[below] = bar
        return bar

    def _use_bar(self, below: bool) -> None:
        """Show the bar beside (False) or under (True) the tiles, with the same levels."""
        if below == self._bar_below and below in self._bars:
            return
        self._bar_below = below
        bar = self._make_bar(below)
        bar.setLevels(self._bar_levels, self._bar_flat)
        bar.set_label(self._bar_label)

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

    def _fit(self, shape: tuple[float, float], title: float) -> tuple[int, float, bool]:
        """(columns, scale, bar under the tiles) that show the tiles largest, with titles
        ``title`` pixels tall."""
        margins = 8
        n, (h, w) = len(self._tiles), shape
        width, height = self.width() - margins, self.height() - margins
        if not self._with_bar:
            return (*grid_fit(n, h, w, width, height, title), False)
        beside = grid_fit(n, h, w, width - COLORBAR_WIDTH, height, title)
        under = grid_fit(n, h, w, width, height - COLORBAR_HEIGHT, title)
        # a bar under the tiles only when it gains something: it costs a row of height
        if under[1] > beside[1] * 1.03:
            return (*under, True)
        return (*beside, False)

    def _layout_tiles(self, shape: tuple[int, int], force: bool = False) -> None:
        """Place the tiles in the grid and size each map to the space it gets.

        Each view box gets exactly its map's aspect, so a title sits right above its map and
        the spare space falls between the tiles instead of inside them. A map with room for
        a number in every cell also gets room for its row and column indices.
        """
        one_line = title_height()
        columns, scale, below = self._fit(shape, one_line)
        labelled = False
        m = 2 * INDEX_SHARE
        if self._show_values and shape[0] > 0 and shape[1] > 0:
            with_indices = self._fit((shape[0] + m, shape[1] + m), one_line)
            if with_indices[1] >= MIN_CELL_PX:
                labelled = True
                columns, scale, below = with_indices
        shown = (shape[0] + m, shape[1] + m) if labelled else shape
        lines = 1
        if not self._titles_fit_one_line(int(shown[1] * scale)):
            # long names in narrow tiles: two-line titles, where the height is to spare
            two = self._fit(shown, title_height(2))
            if two[1] >= scale * 0.93 and two_line_titles(
                    self.titles(), int(shown[1] * two[1]), self._selected) is not None:
                lines, (columns, scale, below) = 2, two
        if lines != self._title_lines:
            self._title_lines = lines
            self._title_height = title_height(lines)
            self._titles_width = -1
            force = True
        size = (max(int(shown[1] * scale), 16), max(int(shown[0] * scale), 16))
        resized = size != self._tile_size
        self._tile_size = size
        if self._with_bar and below != self._bar_below:
            self._use_bar(below)
            force = True
        self._labelled = labelled
        self._centre(columns, size)
        for tile in self._tiles:
            tile.set_labelled(labelled)
            tile.view.setMinimumSize(*size)
            tile.view.setMaximumSize(*size)
            tile.label.setMaximumWidth(size[0])
            tile.label.setFixedHeight(self._title_height)
            tile.layout.setMaximumSize(size[0] + 4, size[1] + self._title_height + 2)
        if size[0] != self._tile_width or self._titles_width != size[0]:
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
        bar = self.colorbar()
        if bar is not None and self._tiles:
            if self._bar_below:
                self.ci.addItem(bar, row=max(rows, 1), col=0, colspan=max(columns, 1))
            else:
                self.ci.addItem(bar, row=0, col=columns, rowspan=max(rows, 1))

    def _titles_fit_one_line(self, width: int) -> bool:
        """Whether every name fits a ``width``-pixel tile on one line, unshortened."""
        shown, _ = fit_titles_sized(self.titles(), width, self._selected)
        return not any(t.endswith("…") for t in shown)

    def _centre(self, columns: int, size: tuple[int, int]) -> None:
        """Margins that centre the block of tiles (and colour bar) in the widget."""
        rows = math.ceil(len(self._tiles) / max(columns, 1))
        spacing = self.ci.layout.horizontalSpacing()
        bar_w = COLORBAR_WIDTH if self._with_bar and not self._bar_below else 0
        bar_h = COLORBAR_HEIGHT if self._with_bar and self._bar_below else 0
        used_w = columns * (size[0] + 4 + spacing) + bar_w
        used_h = rows * (size[1] + self._title_height + 2 + spacing) + bar_h
        dx = max((self.width() - used_w) // 2, 2)
        dy = max((self.height() - used_h) // 2, 2)
        self.ci.setContentsMargins(dx, dy, dx, dy)

    def tile_pixels(self) -> tuple[int, int] | None:
        """(rows, cols) of device pixels a map is drawn at in its tile: the size the worker
        makes its pictures, so they are copied to the screen unscaled. None before the
        first maps."""
        if not self._tiles or self._tile_size is None:
            return None
        ratio = self.devicePixelRatioF()
        width, height = self._tile_size
        rows, cols = self._tiles[0].full_shape
        if rows <= 0 or cols <= 0:
            return (int(height * ratio), int(width * ratio))
        # the view box shows the map with a margin (indices when labelled), aspect kept
        if self._labelled:
            span_r, span_c = rows + 2 * INDEX_SHARE, cols + 2 * INDEX_SHARE
        else:
            span_r, span_c = rows * (1 + 2 * VIEW_PADDING), cols * (1 + 2 * VIEW_PADDING)
        scale = min(width / span_c, height / span_r) * ratio
        return (max(round(rows * scale), 1), max(round(cols * scale), 1))

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        timer = getattr(self, "_relayout_timer", None)  # pyqtgraph resizes during __init__
        if timer is not None:
            timer.start()

    def _on_resized(self) -> None:
        if self._tiles and not self.closed:  # closing gives the view a new viewport, a resize
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
