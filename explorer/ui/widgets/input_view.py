"""The layer's input picture with a receptive field drawn on it.

The only zoomable view of the explorer (wheel to zoom, drag to pan, double-click to see it
all): students zoom in to count a window's taps. The padding the layer adds round the picture
is drawn as a hatched frame while a window reaches into it.
"""

from __future__ import annotations

import cv2
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem

__all__ = ["InputView"]

pg.setConfigOptions(imageAxisOrder="row-major")

FIELD = QColor(60, 230, 120)  # the receptive field of a feature-map pixel
POOL_FIELD = QColor(255, 60, 200)  # the receptive field of a pooled pixel (its window's union)
DEEP_FIELD = QColor(40, 200, 255)  # the receptive field of a unit of a deeper layer
PADDING = QColor(255, 170, 40)  # taps and frame on the padding
TITLE_HEIGHT = 24  # px of the title above the picture


def _pen(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color)
    pen.setWidthF(width)
    pen.setStyle(style)
    pen.setCosmetic(True)
    return pen


class InputView(pg.GraphicsLayoutWidget):
    """The input picture (processing size) with an optional receptive-field overlay."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground(pg.mkColor(30, 30, 30))
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.title = self.ci.addLabel("input", row=0, col=0, size="9pt")
        self.view = self.ci.addViewBox(row=1, col=0, lockAspect=True, invertY=True,
                                       enableMenu=False)
        self.view.setDefaultPadding(0.01)
        self.image = pg.ImageItem()
        self.view.addItem(self.image)
        self.padding_frame = QGraphicsPathItem()
        self.padding_frame.setPen(_pen(PADDING, 1, Qt.PenStyle.DashLine))
        self.padding_frame.setBrush(QBrush(QColor(255, 170, 40, 110),
                                           Qt.BrushStyle.BDiagPattern))
        self.padding_frame.setZValue(5)
        self.padding_frame.hide()
        self.view.addItem(self.padding_frame, ignoreBounds=True)
        self.field = QGraphicsRectItem()
        self.field.setZValue(10)
        self.field.hide()
        self.view.addItem(self.field, ignoreBounds=True)
        self.taps = pg.ScatterPlotItem(size=5, symbol="s", pen=None)
        self.taps.setZValue(11)
        self.view.addItem(self.taps, ignoreBounds=True)
        # a window of a few pixels is a dot on a zoomed-out picture: ring it so it is found
        self.locator = pg.ScatterPlotItem(size=26, symbol="o", brush=None)
        self.locator.setZValue(12)
        self.taps.hide()  # empty scatter items still cost a repaint: hidden until used
        self.locator.hide()
        self.view.addItem(self.locator, ignoreBounds=True)
        self.setToolTip("Wheel: zoom · drag: pan · double-click: the whole picture")
        self._shape: tuple[int, int] = (0, 0)
        self._pad: tuple[int, int, int, int] = (0, 0, 0, 0)
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    # --- content ------------------------------------------------------------------------
    def set_image(self, image: np.ndarray, pad: tuple[int, int, int, int]) -> None:
        """Show the layer's input; ``pad`` = (top, bottom, left, right) the layer adds."""
        img = np.asarray(image)
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[:, :, 0]
        if img.dtype != np.uint8:
            # a picture scaled to 0..1 or 0..255; uint8 goes to the screen without a rescale
            scale = 255.0 if img.size and float(img.max()) <= 1.0 else 1.0
            img = cv2.convertScaleAbs(np.ascontiguousarray(img, np.float32), alpha=scale)
        self.image.setImage(img, autoLevels=False, levels=None)
        h, w = img.shape[:2]
        if (h, w) != self._shape or pad != self._pad:
            self._shape, self._pad = (h, w), pad
            top, bottom, left, right = pad
            self.title.setText(f"input · {h}×{w}")
            path = QPainterPath()
            path.addRect(QRectF(-left, -top, w + left + right, h + top + bottom))
            path.addRect(QRectF(0, 0, w, h))  # the odd-even fill leaves the picture clear
            self.padding_frame.setPath(path)
            self.reset_view()

    @property
    def image_shape(self) -> tuple[int, int]:
        """(rows, cols) of the picture shown."""
        return self._shape

    def reset_view(self) -> None:
        """See the whole picture and the layer's padding round it."""
        h, w = self._shape
        top, bottom, left, right = self._pad
        self.view.setRange(QRectF(-left, -top, w + left + right, h + top + bottom),
                           padding=0.01)

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
        h, w = self._shape
        self.padding_frame.setVisible(r0 < 0 or c0 < 0 or r1 > h or c1 > w)
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
        self.padding_frame.hide()
        self.taps.setData([], [])
        self.locator.setData([], [])
        self.taps.hide()
        self.locator.hide()

    def height_for_width(self, width: int) -> int:
        """The height that shows the whole picture (and its title) at this width."""
        h, w = self._shape
        if not w:
            return 0
        return int(width * h / w) + TITLE_HEIGHT

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
