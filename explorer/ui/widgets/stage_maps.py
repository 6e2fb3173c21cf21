"""Every stage of a small network at a glance: the input, each conv's feature maps, each pooling.

Painted rather than built from pyqtgraph tiles: a digit's maps are tiny (28×28 down to 4×4)
and change at drawing speed, so a few QImages scaled without smoothing (one block per value)
are all it takes. Every tile of a view has the same size, so a 4×4 pooled map shows as 16
large blocks beside the 24×24 map it came from. Each row shares one colour scale (after ReLU
every value is ≥ 0: viridis from 0 to the row's largest value), so the maps of one stage can be
compared with each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from explorer.core.formulas import shape_text
from explorer.core.pipeline import StageResult
from explorer.ui.widgets.colormaps import lookup_table
from explorer.ui.widgets.placeholder import draw_placeholder

GAP = 3
MIN_TILE = 6
MAX_TILE = 120


def plane_image(plane: np.ndarray, high: float, table: np.ndarray | None = None) -> QImage:
    """A (h, w) plane as an RGB QImage: 0 → the table's first colour, ``high`` → its last.

    Without a table the plane is shown as gray (0 black, ``high`` white).
    """
    p = np.asarray(plane, np.float32)
    scale = 255.0 / high if high > 0 and np.isfinite(high) else 0.0
    index = np.clip(np.rint(p * scale), 0, 255).astype(np.uint8)
    rgb = np.repeat(index[:, :, None], 3, axis=2) if table is None else table[index]
    rgb = np.ascontiguousarray(rgb)
    h, w = index.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


@dataclass
class _Row:
    title: str
    images: list[QImage]


class StageMapsView(QWidget):
    """Rows of equal tiles: the input, then feature maps and pooled maps of every stage."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._note = "No digit yet."
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(420, 420)

    def minimumSizeHint(self) -> QSize:
        return QSize(120, 120)

    def row_titles(self) -> list[str]:
        return [r.title for r in self._rows]

    def clear(self, note: str = "No digit yet.") -> None:
        self._rows = []
        self._note = note
        self.update()

    def set_stages(self, picture: np.ndarray, stages: Sequence[StageResult]) -> None:
        """Show ``picture`` (the network's 28×28 input) and what each stage made of it."""
        viridis = lookup_table(False)
        rows = [_Row(f"input: {shape_text(picture.shape[:2])} pixels",
                     [plane_image(picture, 255.0)])]
        for s in stages:
            i = s.index + 1
            maps = s.feature_maps
            k = maps.shape[2]
            kh, kw = s.spec.kernel_shape
            rows.append(_Row(f"conv {i} ({kw}×{kh}) + ReLU: {k} feature maps "
                             f"{shape_text(maps.shape[:2])}",
                             self._planes(maps, viridis)))
            if s.pooled is not None:
                rows.append(_Row(f"max pool 2×2: {k} maps {shape_text(s.pooled.shape[:2])}",
                                 self._planes(s.pooled, viridis)))
        self._rows = rows
        self.update()

    @staticmethod
    def _planes(maps: np.ndarray, table: np.ndarray) -> list[QImage]:
        high = float(maps.max()) if maps.size else 0.0  # one scale for the whole row
        return [plane_image(maps[:, :, k], high, table) for k in range(maps.shape[2])]

    # --- layout: the largest tile side for which every row fits ------------------------------
    def _layout(self, side: int) -> tuple[int, list[int]]:
        """(total height, columns per row) with tiles of ``side`` pixels."""
        title_h = QFontMetrics(self.font()).height() + 2
        per_line = max(1, (self.width() + GAP) // (side + GAP))
        total, columns = 0, []
        for row in self._rows:
            cols = min(len(row.images), per_line)
            lines = -(-len(row.images) // cols)
            total += title_h + lines * (side + GAP) + GAP
            columns.append(cols)
        return total, columns

    def tile_side(self) -> int:
        lo, hi = MIN_TILE, MAX_TILE
        while lo < hi:  # the largest side that still fits the height
            mid = (lo + hi + 1) // 2
            if self._layout(mid)[0] <= self.height():
                lo = mid
            else:
                hi = mid - 1
        return lo

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if not self._rows:
                draw_placeholder(painter, self, self._note)
                return
            side = self.tile_side()
            _, columns = self._layout(side)
            title_h = QFontMetrics(self.font()).height() + 2
            frame = QPen(QColor(128, 128, 128))
            y = 0
            for row, cols in zip(self._rows, columns, strict=True):
                painter.setPen(self.palette().windowText().color())
                painter.drawText(QRect(0, y, self.width(), title_h),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 row.title)
                y += title_h
                for n, image in enumerate(row.images):
                    r, c = divmod(n, cols)
                    target = QRect(c * (side + GAP), y + r * (side + GAP), side, side)
                    painter.drawImage(target, image)  # no smoothing: one block per value
                    painter.setPen(frame)
                    painter.drawRect(target.adjusted(0, 0, -1, -1))
                y += (-(-len(row.images) // cols)) * (side + GAP) + GAP
        finally:
            painter.end()
