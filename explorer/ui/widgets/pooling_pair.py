"""A feature map and its pooled map side by side, at the same scale, with the zoom marked.

Both pictures cover the same part of the input, so they are drawn the same size: one pooled
cell is as wide on screen as the stride's worth of feature-map cells it stands for, and the
loss of detail is what a student sees. The zoom's windows are outlined on both; a click (or
the arrow keys) moves the zoom there.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from explorer.ui.convert import array_to_qimage

GAP = 16  # px between the two pictures
CAPTION_LINES = 1
ZOOM_PEN = QColor(255, 196, 0)
BACKGROUND = QColor(30, 30, 30)
TEXT = QColor(230, 230, 230)


class PoolingPair(QWidget):
    """Draws (before, after) pictures; emits ``zoom_moved(row, col)`` in pooled cells."""

    zoom_moved = Signal(int, int)  # the window the user pointed at (pooled row, column)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self._before: QImage | None = None
        self._after: QImage | None = None
        self._captions = ("", "")
        self._stride = 1
        self._size = 1
        self._pooled_shape = (0, 0)
        self._feature_shape = (0, 0)
        self._zoom = (0, 0, 0, 0)  # top, left, rows, cols in pooled cells
        self.setToolTip("Click a place on either map to look at its windows up close; the "
                        "arrow keys move the zoom by one window")

    def sizeHint(self) -> QSize:
        return QSize(640, 280)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 120)

    def clear(self) -> None:
        self._before = self._after = None
        self.update()

    def set_maps(self, before: np.ndarray, after: np.ndarray, size: int, stride: int,
                 captions: tuple[str, str], zoom: tuple[int, int, int, int]) -> None:
        """The coloured maps (RGB uint8), the pooling window and stride, two captions and the
        zoom (top, left, rows, cols) in pooled cells."""
        self._before, self._after = array_to_qimage(before), array_to_qimage(after)
        self._feature_shape = before.shape[:2]
        self._pooled_shape = after.shape[:2]
        self._size, self._stride = size, stride
        self._captions = captions
        self._zoom = zoom
        self.update()

    # --- geometry ---------------------------------------------------------------------------
    def _caption_height(self) -> int:
        return self.fontMetrics().height() + 4

    def _areas(self) -> tuple[QRectF, QRectF] | None:
        """Where the two pictures go: the same size, side by side, as large as fits."""
        if self._before is None:
            return None
        h, w = self._feature_shape
        if not h or not w:
            return None
        room_w = (self.width() - GAP) / 2
        room_h = self.height() - self._caption_height()
        scale = max(min(room_w / w, room_h / h), 1e-6)  # screen px per feature-map cell
        dw, dh = w * scale, h * scale
        top = self._caption_height() + (room_h - dh) / 2
        left = (self.width() - 2 * dw - GAP) / 2
        return QRectF(left, top, dw, dh), QRectF(left + dw + GAP, top, dw, dh)

    def _scale(self) -> float:
        areas = self._areas()
        return 0.0 if areas is None else areas[0].width() / self._feature_shape[1]

    def pooled_cell_at(self, point: QPointF) -> tuple[int, int] | None:
        """The pooled window under a point of either picture, or None."""
        areas = self._areas()
        if areas is None:
            return None
        scale = self._scale()
        for area in areas:
            if area.contains(point):
                col = int((point.x() - area.left()) / scale) // self._stride
                row = int((point.y() - area.top()) / scale) // self._stride
                rows, cols = self._pooled_shape
                return min(row, rows - 1), min(col, cols - 1)
        return None

    # --- drawing ----------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        areas = self._areas()
        if areas is None:
            painter.end()
            return
        scale = self._scale()
        # a shrunk photo reads better smoothed; enlarged cells stay sharp squares
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, scale < 1)
        before_area, after_area = areas
        painter.drawImage(before_area, self._before)
        # the pooled picture's cells: stride × stride feature-map cells each, from the corner
        ph, pw = self._pooled_shape
        after_rect = QRectF(after_area.left(), after_area.top(), pw * self._stride * scale,
                            ph * self._stride * scale)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform,
                              self._stride * scale < 1)
        painter.drawImage(after_rect, self._after)
        painter.setPen(TEXT)
        height = self._caption_height()
        for area, caption in zip(areas, self._captions, strict=True):
            painter.drawText(QRectF(area.left(), area.top() - height, area.width(), height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self.fontMetrics().elidedText(caption, Qt.TextElideMode.ElideRight,
                                                           int(area.width())))
        top, left, rows, cols = self._zoom
        if rows and cols:
            pen = QPen(ZOOM_PEN, 2)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            step = self._stride * scale
            width = ((cols - 1) * self._stride + self._size) * scale
            height_z = ((rows - 1) * self._stride + self._size) * scale
            for area in areas:
                x, y = area.left() + left * step, area.top() + top * step
                # never thinner than a few pixels, so a zoom on a large photo stays visible
                painter.drawRect(QRectF(x, y, max(width, 6.0), max(height_z, 6.0)))
        painter.end()

    # --- the user's hand --------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        cell = self.pooled_cell_at(event.position())
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:
            _, _, rows, cols = self._zoom
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._move_to(cell[0] - rows // 2, cell[1] - cols // 2)
        super().mousePressEvent(event)

    def _move_to(self, row: int, col: int) -> None:
        """Ask for the zoom at (row, col), kept inside the pooled map."""
        _, _, rows, cols = self._zoom
        ph, pw = self._pooled_shape
        row, col = min(max(row, 0), max(ph - rows, 0)), min(max(col, 0), max(pw - cols, 0))
        self._zoom = (row, col, rows, cols)  # drawn at once; the next key steps from here
        self.update()
        self.zoom_moved.emit(row, col)

    def keyPressEvent(self, event) -> None:
        moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0),
                 Qt.Key.Key_Down: (1, 0)}
        move = moves.get(event.key())
        top, left, rows, _ = self._zoom
        if move is None or not rows:
            super().keyPressEvent(event)
            return
        self._move_to(top + move[0], left + move[1])
