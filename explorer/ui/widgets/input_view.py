"""The layer's input picture with its padding and a receptive field drawn on it.

The only zoomable view of the explorer (wheel to zoom, drag to pan, double-click to see it
all): students zoom in to count a window's taps. The padding the layer adds round the picture
has a hatched frame; once its pixels are large enough on screen to be seen (a small picture,
or zoomed in), the ring shows, dimmed, the values the pad mode puts there
(:func:`explorer.core.padded.padded_view`), so zeros, reflect, replicate and circular look
different. Cells large enough for a number show their values with row and column indices.

Dark pictures (the lecture's 6×6 of 10s and 0s) can be shown over their own range instead of
0–255; the numbers written in the cells stay the picture's own.

A live frame's picture arrives from the compute worker already at the pixels the view shows
it with (:meth:`InputView.shown_tile`); only while zoomed in past that does the view make its
pixels from the full picture itself (docs/architecture.md, "Speed").
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem

from explorer.core.display import PictureDisplay, grey_levels, picture_levels
from explorer.core.formulas import shape_text
from explorer.core.padded import padded_view
from explorer.ui.widgets.cell_values import INDEX_SHARE, MIN_CELL_PX, CellValues
from explorer.ui.widgets.map_image import MapImage
from explorer.ui.widgets.native_paint import NativePaintLayout

__all__ = ["InputView", "padding_text"]

pg.setConfigOptions(imageAxisOrder="row-major")

FIELD = QColor(60, 230, 120)  # the receptive field of a feature-map pixel
POOL_FIELD = QColor(255, 60, 200)  # the receptive field of a pooled pixel (its window's union)
DEEP_FIELD = QColor(40, 200, 255)  # the receptive field of a unit of a deeper layer
PADDING = QColor(255, 170, 40)  # taps and frame on the padding
TITLE_HEIGHT = 24  # px of the title above the picture
TITLE_POINTS = 9
VIEW_TIP = "Wheel: zoom · drag: pan · double-click: the whole picture"
RING_MIN_PX = 3.0  # screen px a picture pixel needs before the padded ring's values show
RING_OPACITY = 0.45  # the padded ring is drawn dimmed: it is not part of the picture
BACKGROUND = 30  # the view's grey, under the dimmed ring


def _pen(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color)
    pen.setWidthF(width)
    pen.setStyle(style)
    pen.setCosmetic(True)
    return pen


def padding_text(pad: tuple[int, int, int, int], mode: str) -> str:
    """'zeros padding 1', or 'zeros padding 0 1 0 1 (top bottom left right)'."""
    if not any(pad):
        return "no padding"
    if len(set(pad)) == 1:
        return f"{mode} padding {pad[0]}"
    return f"{mode} padding {' '.join(map(str, pad))} (top bottom left right)"


class InputView(NativePaintLayout):
    """The input picture (processing size) with its padding and a receptive-field overlay."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground(pg.mkColor(BACKGROUND, BACKGROUND, BACKGROUND))
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.title = self.ci.addLabel("input", row=0, col=0, size=f"{TITLE_POINTS}pt")
        self._title = "input"
        font = QFont(self.font())
        font.setPointSize(TITLE_POINTS)
        self._title_metrics = QFontMetrics(font)
        self.view = self.ci.addViewBox(row=1, col=0, lockAspect=True, invertY=True,
                                       enableMenu=False)
        self.view.setDefaultPadding(0.01)
        for holder in (self.ci, self.view, self.view.childGroup):  # they only hold items
            holder.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)
        self.ring = MapImage()  # the padded picture, dimmed, under the picture itself
        self.ring.setOpacity(RING_OPACITY)
        self.ring.hide()
        self.view.addItem(self.ring, ignoreBounds=True)
        self.image = MapImage()
        self.view.addItem(self.image)
        self.padding_frame = QGraphicsPathItem()
        self.padding_frame.setPen(_pen(PADDING, 1, Qt.PenStyle.DashLine))
        self.padding_frame.setBrush(QBrush(QColor(255, 170, 40, 110),
                                           Qt.BrushStyle.BDiagPattern))
        self.padding_frame.setZValue(5)
        # a hatched fill costs a thread-pool round trip a paint; its picture is kept instead
        self.padding_frame.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.padding_frame.hide()
        self.view.addItem(self.padding_frame, ignoreBounds=True)
        self.values = CellValues()
        self.values.hide()
        self.view.addItem(self.values, ignoreBounds=True)
        self.field = QGraphicsRectItem()
        self.field.setZValue(20)
        self.field.hide()
        self.view.addItem(self.field, ignoreBounds=True)
        self.taps = pg.ScatterPlotItem(size=5, symbol="s", pen=None)
        self.taps.setZValue(21)
        self.view.addItem(self.taps, ignoreBounds=True)
        # a window of a few pixels is a dot on a zoomed-out picture: ring it so it is found
        self.locator = pg.ScatterPlotItem(size=26, symbol="o", brush=None)
        self.locator.setZValue(22)
        self.taps.hide()  # empty scatter items still cost a repaint: hidden until used
        self.locator.hide()
        self.view.addItem(self.locator, ignoreBounds=True)
        self.setToolTip(VIEW_TIP)
        self._shape: tuple[int, int] = (0, 0)
        self._pad: tuple[int, int, int, int] = (0, 0, 0, 0)
        self._pad_mode = "zeros"
        self._picture = np.zeros((0, 0), np.uint8)  # the layer's input as given
        self._display: PictureDisplay | None = None  # the worker's pixels of it, shown size
        self._levels = (0.0, 255.0)  # the picture's values shown black and white
        self._own_range = False
        self._show_values = True
        self._padded: np.ndarray | None = None  # the padded picture, while the ring shows
        self.view.sigRangeChanged.connect(self._on_range_changed)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    # --- content ------------------------------------------------------------------------
    def set_image(self, image: np.ndarray, pad: tuple[int, int, int, int],
                  pad_mode: str = "zeros", shown: PictureDisplay | None = None) -> None:
        """Show the layer's input; ``pad`` = (top, bottom, left, right) the layer adds as
        ``pad_mode`` fills it; ``shown``: the worker's pixels of it at the size the view shows
        it, when made for this view's levels."""
        img = np.asarray(image)
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[:, :, 0]
        self._picture = img
        usable = shown is not None and shown.full_shape == img.shape[:2] and \
            shown.own_range == self._own_range
        self._display = shown if usable else None
        self._levels = shown.levels if usable else picture_levels(img, self._own_range)
        h, w = img.shape[:2]
        if (h, w) != self._shape or pad != self._pad or pad_mode != self._pad_mode:
            self._shape, self._pad, self._pad_mode = (h, w), pad, pad_mode
            top, bottom, left, right = pad
            note = f" · {padding_text(pad, pad_mode)}" if any(pad) else ""
            self._title = f"input · {shape_text((h, w))}{note}"
            self._show_title()
            path = QPainterPath()
            path.addRect(QRectF(-left, -top, w + left + right, h + top + bottom))
            path.addRect(QRectF(0, 0, w, h))  # the odd-even fill leaves the picture clear
            self.padding_frame.setPath(path)
            self.padding_frame.setVisible(any(pad))
            self.ring.setRect(QRectF(-left, -top, w + left + right, h + top + bottom))
            self.reset_view()
        self._show_picture()
        self._refresh_overlays()

    def _show_title(self) -> None:
        """The title, shortened with "…" to fit a narrow column; the whole of it in the
        tooltip."""
        shown = self._title_metrics.elidedText(self._title, Qt.TextElideMode.ElideRight,
                                               max(self.width() - 12, 40))
        if shown != self.title.text:
            self.title.setText(shown)
        self.setToolTip(VIEW_TIP if shown == self._title else f"{self._title}\n{VIEW_TIP}")

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if hasattr(self, "_title_metrics"):  # pyqtgraph resizes during __init__
            self._show_title()

    def _show_picture(self) -> None:
        """The worker's pixels while they are as fine as the screen shows the picture, else
        pixels made here from the full picture (zoomed in)."""
        display = self._display
        if display is not None:
            h, w = self._shape
            ratio = self.devicePixelRatioF()
            wanted = self.pixel_size() * ratio * max(h, w)  # device px of the longer side
            if max(display.pixels.shape[:2]) + 1 >= min(wanted, max(h, w)):
                ch, cw = display.covered
                self.image.setImage(display.pixels)
                self.image.setRect(QRectF(0, 0, cw, ch))
                return
        self.image.setImage(self.shown_image())
        self.image.setRect(QRectF(0, 0, self._shape[1], self._shape[0]))

    def set_own_range(self, on: bool) -> None:
        """Show the picture over its own min–max (True) or over 0–255 (False)."""
        if on != self._own_range:
            self._own_range = on
            if self._picture.size:  # the worker's pixels have the other levels
                self.set_image(self._picture, self._pad, self._pad_mode)

    def set_show_values(self, on: bool) -> None:
        """Write each pixel's value once pixels are large enough on screen (or never)."""
        if on != self._show_values:
            self._show_values = on
            self._refresh_overlays()

    @property
    def image_shape(self) -> tuple[int, int]:
        """(rows, cols) of the picture shown."""
        return self._shape

    @property
    def levels(self) -> tuple[float, float]:
        """The picture values shown black and white."""
        return self._levels

    def shown_image(self) -> np.ndarray:
        """The picture's grey levels (uint8, after the 0–255 or own-range choice), full size."""
        return grey_levels(self._picture, self._levels)

    def shown_tile(self) -> tuple[int, int] | None:
        """(rows, cols) of device pixels the whole picture is drawn at when the view shows
        all of it (see :meth:`reset_view`): the size the worker makes its pixels. None
        before the first picture."""
        h, w = self._shape
        size = self.view.size()
        if not h or not w or size.width() <= 0 or size.height() <= 0:
            return None
        top, bottom, left, right = self._pad
        rows, cols = h + top + bottom, w + left + right
        m = self._index_margin(rows, cols)
        pad = 1.0 if m else 1.02  # reset_view's padding of 1 % a side
        scale = min(size.width() / ((cols + 2 * m) * pad),
                    size.height() / ((rows + 2 * m) * pad)) * self.devicePixelRatioF()
        return max(round(h * scale), 1), max(round(w * scale), 1)

    def ring_image(self) -> np.ndarray | None:
        """The padded picture as drawn round the picture; None while the ring is hidden."""
        return self._padded if self.ring.isVisible() else None

    def cell_texts(self) -> list[list[str]]:
        """The numbers written in the cells (padded ring included), row by row; [] when
        the pixels are too small on screen for them."""
        if not self.values.isVisible():
            return []
        return self.values.texts()

    def pixel_size(self) -> float:
        """Screen pixels one picture pixel spans now."""
        rect = self.view.viewRect()
        if rect.width() <= 0:
            return 0.0
        return min(self.view.width() / rect.width(), self.view.height() / rect.height())

    def _grey_levels(self, img: np.ndarray) -> np.ndarray:
        """The picture as uint8 grey levels for the screen (uint8 0–255 goes as it is)."""
        return grey_levels(img, self._levels)

    def _on_range_changed(self, *_: object) -> None:
        if self._shape[0]:
            self._show_picture()  # zoomed in: the full picture's pixels
            self._refresh_overlays()

    def _refresh_overlays(self, *_: object) -> None:
        """The padded ring and the cell values, when pixels are large enough to see them."""
        h, w = self._shape
        if not h or not w:
            return
        px = self.pixel_size()
        ring = any(self._pad) and px >= RING_MIN_PX
        labels = self._show_values and px >= MIN_CELL_PX
        if not ring and not labels:
            self._padded = None
            self.ring.hide()
            self.values.hide()
            return
        top, bottom, left, right = self._pad if ring else (0, 0, 0, 0)
        padded = padded_view(self._picture, (top, bottom, left, right), self._pad_mode)
        self._padded = padded if ring else None
        if ring:
            self.ring.setImage(self._grey_levels(padded))
            self.ring.show()
        else:
            self.ring.hide()
        if labels:
            self._write_values(padded, (top, bottom, left, right))
        else:
            self.values.hide()

    def _write_values(self, padded: np.ndarray, pad: tuple[int, int, int, int]) -> None:
        top, _, left, _ = pad
        h, w = self._shape
        grey = self._grey_levels(padded).astype(np.float32)
        if grey.ndim == 3:
            grey = grey[..., 0] * 0.299 + grey[..., 1] * 0.587 + grey[..., 2] * 0.114
        ring = np.ones(grey.shape, bool)
        ring[top:top + h, left:left + w] = False
        # the ring is drawn dimmed over the dark background: its text contrasts with that
        seen = np.where(ring, grey * RING_OPACITY + BACKGROUND * (1 - RING_OPACITY), grey)
        self.values.set_cells(padded, seen > 127.5, origin=(-left, -top), first=(-top, -left),
                              muted=ring if ring.any() else None)
        self.values.show()

    def reset_view(self) -> None:
        """See the whole picture and the layer's padding round it (and, when its pixels are
        large enough for their values, room for the row and column indices)."""
        h, w = self._shape
        top, bottom, left, right = self._pad
        rows, cols = h + top + bottom, w + left + right
        m = self._index_margin(rows, cols)
        self.view.setRange(QRectF(-left - m, -top - m, cols + 2 * m, rows + 2 * m),
                           padding=0 if m else 0.01)

    def _index_margin(self, rows: int, cols: int) -> float:
        """Room round the whole picture for row and column indices, when its pixels are
        large enough on screen for their values."""
        size = self.view.size()
        if self._show_values and rows and cols and \
                min(size.width() / (cols + 1), size.height() / (rows + 1)) >= MIN_CELL_PX:
            return INDEX_SHARE
        return 0.0

    def show_field(self, extent: tuple[int, int, int, int], *, rows: np.ndarray | None = None,
                   cols: np.ndarray | None = None, in_padding: np.ndarray | None = None,
                   pooled: bool = False, deep: bool = False) -> None:
        """Outline input rows r0:r1, cols c0:c1; with ``rows``/``cols`` mark every tap.

        ``pooled``: the field of a pooled unit; ``deep``: of a deeper layer's unit (colours
        tell them apart from a first-layer window)."""
        r0, r1, c0, c1 = extent
        color = POOL_FIELD if pooled else DEEP_FIELD if deep else FIELD
        self.field.setPen(_pen(color, 2))
        self.field.setRect(QRectF(c0, r0, c1 - c0, r1 - r0))
        self.field.show()
        self.locator.setData([(c0 + c1) / 2], [(r0 + r1) / 2], pen=pg.mkPen(color, width=1.5))
        self.locator.show()
        if rows is None or cols is None:
            self.taps.setData([], [])
            self.taps.hide()
            return
        ys, xs = np.meshgrid(np.asarray(rows) + 0.5, np.asarray(cols) + 0.5, indexing="ij")
        pad = np.zeros(ys.shape, bool) if in_padding is None else np.asarray(in_padding)
        brushes = [pg.mkBrush(PADDING if p else FIELD) for p in pad.ravel()]
        self.taps.setData(xs.ravel(), ys.ravel(), brush=brushes)
        self.taps.show()

    def clear_field(self) -> None:
        self.field.hide()
        self.taps.setData([], [])
        self.locator.setData([], [])
        self.taps.hide()
        self.locator.hide()

    def height_for_width(self, width: int) -> int:
        """The height that shows the whole picture, its padding and its title at this width."""
        h, w = self._shape
        if not w:
            return 0
        top, bottom, left, right = self._pad
        return int(width * (h + top + bottom) / (w + left + right)) + TITLE_HEIGHT

    def field_extent(self) -> tuple[int, int, int, int] | None:
        """The outlined (r0, r1, c0, c1), None when no receptive field is drawn."""
        if not self.field.isVisible():
            return None
        r = self.field.rect()
        return (round(r.top()), round(r.bottom()), round(r.left()), round(r.right()))

    def tap_positions(self) -> list[tuple[int, int]]:
        """The (row, col) of every tap marked, in row-major order."""
        x, y = self.taps.getData()
        return [(int(np.floor(r)), int(np.floor(c))) for r, c in zip(y, x, strict=True)]

    def _on_mouse_clicked(self, ev) -> None:
        if ev.double() and ev.button() == Qt.MouseButton.LeftButton:
            self.reset_view()
