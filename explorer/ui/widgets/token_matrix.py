"""A sentence as the network sees it: one row per token, its vector as a row of colours.

The tokens stand in a column on the left; the (T, D) matrix of their vectors is a heat map
with a diverging colour map and levels symmetric about zero (red positive, blue negative,
white zero). Unknown tokens are labelled as such and their all-zero rows hatched; padding rows
are grey. Rows under the hovered filter window get an orange frame. A matrix of several
channels side by side (Kim's static and fine-tuned vectors) is drawn as named bands with a gap
between them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from explorer.core.levels import colorize
from explorer.ui.convert import array_to_qimage
from explorer.ui.widgets.colormaps import lookup_table

__all__ = ["RowKind", "TokenMatrix"]

MARK = QColor(255, 150, 0)
HATCH = QColor(120, 120, 120, 110)
MAX_ROW_HEIGHT = 26.0
MIN_ROW_HEIGHT = 12.0
BAND_GAP = 8.0  # between the channels' bands


class RowKind:
    """How a row is labelled: a known token, an unknown one, or padding."""

    KNOWN, UNKNOWN, PADDING = "known", "unknown", "padding"


class TokenMatrix(QWidget):
    """Token labels and their vectors as a (T, D) heat map."""

    row_hovered = Signal(int)  # -1 when the pointer leaves the rows

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels: list[str] = []
        self._kinds: list[str] = []
        self._values = np.zeros((0, 0), np.float32)
        self._limit = 1.0
        self._image: QImage | None = None
        self._marked: tuple[int, int] | None = None  # rows [start, end)
        self._bands: tuple[str, ...] = ()  # the channels' names, when there are several
        self._label_width = 90
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # --- content --------------------------------------------------------------------------
    def set_rows(self, labels: list[str], values: np.ndarray, kinds: list[str],
                 limit: float | None = None, bands: tuple[str, ...] = ()) -> None:
        """Show ``values`` (T, D) with a label and a :class:`RowKind` per row.

        ``limit`` is the value shown at full colour (±limit); by default the largest |value|.
        Two or more ``bands`` split the columns into that many equal blocks, each drawn apart
        under its name (the channels of a two-channel sentence matrix).
        """
        values = np.ascontiguousarray(values, np.float32)
        if values.ndim != 2 or len(labels) != values.shape[0] or len(kinds) != len(labels):
            raise ValueError("a token matrix needs one label and one kind per row")
        if len(bands) > 1 and values.shape[1] % len(bands):
            raise ValueError(f"{values.shape[1]} columns do not split into {len(bands)} bands")
        self._bands = tuple(bands) if len(bands) > 1 else ()
        self._labels, self._kinds, self._values = list(labels), list(kinds), values
        peak = float(np.abs(values).max()) if values.size else 0.0
        self._limit = float(limit) if limit else (peak if peak > 0 else 1.0)
        self._image = None
        if values.size:
            self._image = array_to_qimage(
                colorize(values, (-self._limit, self._limit), lookup_table(True)))
        metrics = self.fontMetrics()
        texts = [self._label_text(i) for i in range(len(labels))]
        self._label_width = max([metrics.horizontalAdvance(t) for t in texts] + [40]) + 12
        self._marked = None
        self.updateGeometry()
        self.update()

    def set_marked(self, rows: tuple[int, int] | None) -> None:
        """Frame rows ``[start, end)`` (the hovered window), or nothing."""
        if rows != self._marked:
            self._marked = rows
            self.update()

    def marked(self) -> tuple[int, int] | None:
        return self._marked

    def labels(self) -> list[str]:
        return list(self._labels)

    def kinds(self) -> list[str]:
        return list(self._kinds)

    def limit(self) -> float:
        return self._limit

    def bands(self) -> tuple[str, ...]:
        """The names of the bands drawn, or () for one block."""
        return self._bands

    def _label_text(self, row: int) -> str:
        kind = self._kinds[row]
        if kind == RowKind.UNKNOWN:
            return f"{self._labels[row]} (unknown)"
        return self._labels[row]

    # --- geometry -------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(self._label_width + 300, int(max(len(self._labels), 4) * 20))

    def minimumSizeHint(self) -> QSize:
        return QSize(self._label_width + 80, 60)

    def _geometry(self) -> tuple[float, float, float, float]:
        """(x0 of the matrix, y0, cell width, row height)."""
        rows, cols = self._values.shape if self._values.size else (max(len(self._labels), 1), 1)
        y0 = self.fontMetrics().height() + 4.0 if self._bands else 1.0
        gaps = BAND_GAP * max(len(self._bands) - 1, 0)
        row_h = min(max((self.height() - y0 - 1) / max(rows, 1), MIN_ROW_HEIGHT), MAX_ROW_HEIGHT)
        cell_w = max((self.width() - self._label_width - 2 - gaps) / max(cols, 1), 1.0)
        return float(self._label_width), y0, cell_w, row_h

    def band_rects(self) -> list[QRectF]:
        """Where each band of columns is drawn (one rectangle for a matrix of one block)."""
        x0, y0, cw, rh = self._geometry()
        cols = self._values.shape[1] if self._values.size else 0
        n = max(len(self._bands), 1)
        width = cw * cols / n
        return [QRectF(x0 + b * (width + BAND_GAP), y0, width, rh * len(self._labels))
                for b in range(n)]

    def row_at(self, y: float) -> int:
        _, y0, _, row_h = self._geometry()
        r = int((y - y0) // row_h)
        return r if 0 <= r < len(self._labels) else -1

    def column_at(self, x: float) -> int:
        """The column of the values under ``x`` (−1 in a gap or outside)."""
        if not self._values.size:
            return -1
        per_band = self._values.shape[1] // max(len(self._bands), 1)
        for b, rect in enumerate(self.band_rects()):
            if rect.left() <= x < rect.right():
                return b * per_band + min(int((x - rect.left()) / rect.width() * per_band),
                                          per_band - 1)
        return -1

    # --- painting -------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        if not self._labels:
            return
        x0, y0, _, rh = self._geometry()
        bands = self.band_rects()
        text = self.palette().windowText().color()
        painter = QPainter(self)
        try:
            if self._image is not None:
                per_band = self._image.width() // len(bands)
                for b, rect in enumerate(bands):
                    painter.drawImage(rect, self._image,
                                      QRectF(b * per_band, 0, per_band, self._image.height()))
            painter.setPen(text)
            metrics = self.fontMetrics()
            for name, rect in zip(self._bands, bands, strict=False):
                painter.drawText(QRectF(rect.left(), 0, rect.width(), y0 - 2),
                                 Qt.AlignmentFlag.AlignCenter,
                                 metrics.elidedText(name, Qt.TextElideMode.ElideRight,
                                                    int(rect.width())))
            hatch = QBrush(HATCH, Qt.BrushStyle.BDiagPattern)
            for r, kind in enumerate(self._kinds):
                label_rect = QRectF(0, y0 + r * rh, x0 - 6, rh)
                row_rects = [QRectF(b.left(), y0 + r * rh, b.width(), rh) for b in bands]
                if kind == RowKind.UNKNOWN:
                    for row_rect in row_rects:
                        painter.fillRect(row_rect, hatch)
                    painter.setPen(QColor(170, 40, 40))
                elif kind == RowKind.PADDING:
                    for row_rect in row_rects:
                        painter.fillRect(row_rect, QColor(200, 200, 200))
                        painter.fillRect(row_rect, hatch)
                    painter.setPen(QColor(120, 120, 120))
                else:
                    painter.setPen(text)
                painter.drawText(label_rect, Qt.AlignmentFlag.AlignRight
                                 | Qt.AlignmentFlag.AlignVCenter, self._label_text(r))
            if self._marked is not None:
                start, end = self._marked
                pen = QPen(MARK)
                pen.setWidthF(3)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRectF(1.5, y0 + start * rh + 1.5, bands[-1].right() - 3,
                                        (end - start) * rh - 3))
        finally:
            painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        r = self.row_at(pos.y())
        self.row_hovered.emit(r)
        c = self.column_at(pos.x())
        if r >= 0 and c >= 0:
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{self._label_text(r)}: {self._column_text(c)} = "
                              f"{float(self._values[r, c]):.3f}", self)
        else:
            QToolTip.hideText()

    def _column_text(self, c: int) -> str:
        if not self._bands:
            return f"dimension {c}"
        per_band = self._values.shape[1] // len(self._bands)
        return f"{self._bands[c // per_band]} dimension {c % per_band}"

    def leaveEvent(self, _event) -> None:
        self.row_hovered.emit(-1)
