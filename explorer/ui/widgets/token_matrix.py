"""A sentence as the network sees it: one row per token, its vector as a row of colours.

The tokens stand in a column on the left; the (T, D) matrix of their vectors is a heat map
with a diverging colour map and levels symmetric about zero (red positive, blue negative,
white zero). Unknown tokens are labelled as such and their all-zero rows hatched; padding rows
are grey. Rows under the hovered filter window get an orange frame.
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
        self._label_width = 90
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # --- content --------------------------------------------------------------------------
    def set_rows(self, labels: list[str], values: np.ndarray, kinds: list[str],
                 limit: float | None = None) -> None:
        """Show ``values`` (T, D) with a label and a :class:`RowKind` per row.

        ``limit`` is the value shown at full colour (±limit); by default the largest |value|.
        """
        values = np.ascontiguousarray(values, np.float32)
        if values.ndim != 2 or len(labels) != values.shape[0] or len(kinds) != len(labels):
            raise ValueError("a token matrix needs one label and one kind per row")
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
        row_h = min(max((self.height() - 2) / max(rows, 1), MIN_ROW_HEIGHT), MAX_ROW_HEIGHT)
        cell_w = max((self.width() - self._label_width - 2) / max(cols, 1), 1.0)
        return float(self._label_width), 1.0, cell_w, row_h

    def row_at(self, y: float) -> int:
        _, y0, _, row_h = self._geometry()
        r = int((y - y0) // row_h)
        return r if 0 <= r < len(self._labels) else -1

    # --- painting -------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        if not self._labels:
            return
        x0, y0, cw, rh = self._geometry()
        cols = self._values.shape[1] if self._values.size else 0
        painter = QPainter(self)
        try:
            if self._image is not None:
                target = QRectF(x0, y0, cw * cols, rh * len(self._labels))
                painter.drawImage(target, self._image)
            hatch = QBrush(HATCH, Qt.BrushStyle.BDiagPattern)
            for r, kind in enumerate(self._kinds):
                label_rect = QRectF(0, y0 + r * rh, x0 - 6, rh)
                row_rect = QRectF(x0, y0 + r * rh, cw * cols, rh)
                if kind == RowKind.UNKNOWN:
                    painter.fillRect(row_rect, hatch)
                    painter.setPen(QColor(170, 40, 40))
                elif kind == RowKind.PADDING:
                    painter.fillRect(row_rect, QColor(200, 200, 200))
                    painter.fillRect(row_rect, hatch)
                    painter.setPen(QColor(120, 120, 120))
                else:
                    painter.setPen(self.palette().windowText().color())
                painter.drawText(label_rect, Qt.AlignmentFlag.AlignRight
                                 | Qt.AlignmentFlag.AlignVCenter, self._label_text(r))
            if self._marked is not None:
                start, end = self._marked
                pen = QPen(MARK)
                pen.setWidthF(3)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRectF(1.5, y0 + start * rh + 1.5, x0 + cw * cols - 3,
                                        (end - start) * rh - 3))
        finally:
            painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        r = self.row_at(pos.y())
        self.row_hovered.emit(r)
        x0, _, cw, _ = self._geometry()
        c = int((pos.x() - x0) // cw)
        if r >= 0 and self._values.size and 0 <= c < self._values.shape[1]:
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{self._label_text(r)}: dimension {c} = "
                              f"{float(self._values[r, c]):.3f}", self)
        else:
            QToolTip.hideText()

    def leaveEvent(self, _event) -> None:
        self.row_hovered.emit(-1)
