"""A small painted grid of numbers: a window of pixels, a kernel, their products.

Painted rather than built from labels, so a 15×15 kernel redraws at hover speed. The text
shrinks with the cells, drops leading zeros when that lets it stay legible, and is dropped
(colours, tooltips and the hovered cell's line stay) when it would be unreadable.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

__all__ = ["MatrixView", "format_cell"]

PADDING_TINT = QColor(120, 120, 120, 90)
MARK = QColor(255, 150, 0)
POSITIVE = QColor(214, 96, 77)  # the ends of the feature maps' diverging colormap
NEGATIVE = QColor(67, 147, 195)
HOVER = QColor(40, 200, 255)  # the cell whose numbers are spelled out under the tables
MIN_FONT_PX = 8  # smaller text is not read at a glance: the cell keeps its colour only
MAX_FONT_PX = 15
MAX_CELL_HEIGHT = 26.0


def format_cell(value: float, compact: bool = False) -> str:
    """A number short enough for a cell: whole numbers stay whole, others get 3 digits.

    Large values are rounded to whole numbers up to 99999, then written as ``1.2e5``.
    ``compact``, for narrow cells, writes fractions to three decimals without the leading
    zero (``-.333``, ``.038``); one that rounds to nothing is written 0.

    >>> format_cell(30.0), format_cell(-1 / 3), format_cell(-1 / 3, compact=True)
    ('30', '-0.333', '-.333')
    >>> format_cell(123.456), format_cell(2.5e6), format_cell(4.2e-5)
    ('123', '2.5e6', '4.2e-5')
    >>> format_cell(0.03841, compact=True), format_cell(4.2e-5, compact=True)
    ('.038', '0')
    """
    v = float(value)
    if v == 0:
        return "0"
    if not math.isfinite(v):
        return str(v)
    a = abs(v)
    if a >= 99999.5:
        return _exponent(f"{v:.2g}")
    if v.is_integer() or a >= 99.95:
        return str(round(v))
    if compact and a < 1:
        text = f"{v:.3f}".rstrip("0").rstrip(".")
        return "0" if text in ("", "-", "0", "-0") else text.replace("0.", ".", 1)
    if a < 0.001:
        return _exponent(f"{v:.2g}")
    return f"{v:.3g}"


def _exponent(text: str) -> str:
    """'1.2e+05' → '1.2e5', '4.2e-05' → '4.2e-5': exponents as short as they can be."""
    mantissa, _, exponent = text.partition("e")
    if not exponent:
        return text
    return f"{mantissa}e{int(exponent)}"


class MatrixView(QWidget):
    """A (rows, cols) grid of numbers, coloured by value.

    ``style="picture"`` shades cells grey like the pixels they are (0 black … ``white`` white);
    ``style="signed"`` tints positive red and negative blue, zero white, like the feature maps.
    Padding cells are greyed and hatched; marked cells get an orange frame. Hovering a cell
    emits ``hovered(row, col)`` (``(-1, -1)`` on leaving) and shows its exact value.
    """

    hovered = Signal(int, int)

    def __init__(self, style: str = "signed", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if style not in ("picture", "signed"):
            raise ValueError(f"unknown matrix style {style!r}: use picture or signed")
        self._style = style
        self._values = np.zeros((0, 0), np.float32)
        self._padding = np.zeros((0, 0), bool)
        self._marked: set[tuple[int, int]] = set()
        self._white = 255.0
        self._hover: tuple[int, int] | None = None
        self.tip = ""  # a line that explains the hovered cell, set by the owner (tooltips)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # --- content ------------------------------------------------------------------------
    def set_values(self, values: np.ndarray, padding: np.ndarray | None = None,
                   marked: set[tuple[int, int]] | None = None, white: float = 255.0) -> None:
        values = np.asarray(values, np.float32)
        if values.ndim != 2:
            raise ValueError(f"a matrix view shows 2-D values, not shape {values.shape}")
        shape_changed = values.shape != self._values.shape
        self._values = values.copy()
        self._padding = (np.zeros(values.shape, bool) if padding is None
                         else np.asarray(padding, bool))
        self._marked = set(marked or ())
        self._white = float(white) if white > 0 else 1.0
        if shape_changed:
            # never taller than the biggest readable cells: spare room stays below the tables
            self.setMaximumHeight(int(values.shape[0] * MAX_CELL_HEIGHT) + 1)
            self.updateGeometry()
        self.update()

    def values(self) -> np.ndarray:
        """The numbers shown, as given (a copy)."""
        return self._values.copy()

    def marked(self) -> set[tuple[int, int]]:
        return set(self._marked)

    def shown_texts(self) -> list[list[str]]:
        """The numbers written in the cells at the present size; [] when only colours fit."""
        texts, font_px = self._texts()
        return texts if font_px else []

    # --- geometry -----------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        rows, cols = self._values.shape or (3, 3)
        return QSize(max(cols, 1) * 38, max(rows, 1) * 20)

    def minimumSizeHint(self) -> QSize:
        rows, cols = self._values.shape or (3, 3)
        return QSize(max(cols, 1) * 6, max(rows, 1) * 6)

    def _cell_rect(self) -> tuple[float, float, float, float]:
        """(x0, y0, cell_w, cell_h): cells at most 2.6 times as wide as tall, centred."""
        rows, cols = self._values.shape
        w, h = self.width() - 1, self.height() - 1
        cell_h = min(h / rows, MAX_CELL_HEIGHT)
        cell_w = min(w / cols, cell_h * 2.6, 60.0)
        x0 = (w - cell_w * cols) / 2
        y0 = (h - cell_h * rows) / 2
        return x0, y0, cell_w, cell_h

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        if self._values.size == 0:
            return None
        x0, y0, cw, ch = self._cell_rect()
        r, c = math.floor((y - y0) / ch), math.floor((x - x0) / cw)
        rows, cols = self._values.shape
        return (r, c) if 0 <= r < rows and 0 <= c < cols else None

    def _texts(self) -> tuple[list[list[str]], int]:
        """The cell texts and the pixel size they fit at (0: they do not fit legibly).

        Narrow cells first drop leading zeros (``-.333``) before giving up on text."""
        if self._values.size == 0:
            return [], 0
        _, _, cw, ch = self._cell_rect()
        metrics = QFontMetricsF(_font_at(self.font(), 100))
        texts: list[list[str]] = []
        for compact in (False, True):
            texts = [[format_cell(v, compact) for v in row] for row in self._values]
            widest = max(metrics.horizontalAdvance(t) for row in texts for t in row)
            font_px = int(min(ch * 0.62, (cw - 3) * 100 / max(widest, 1.0), MAX_FONT_PX))
            if font_px >= MIN_FONT_PX:
                return texts, font_px
        return texts, 0

    # --- painting -----------------------------------------------------------------------
    def _background(self, v: float, scale: float) -> QColor:
        if self._style == "picture":
            g = int(min(max(v / self._white, 0.0), 1.0) * 255) if math.isfinite(v) else 0
            return QColor(g, g, g)
        t = min(abs(v) / scale, 1.0) if scale > 0 and math.isfinite(v) else 0.0
        end = POSITIVE if v > 0 else NEGATIVE
        mix = 0.85 * t  # keep the strongest tint light enough to read black text on

        def blend(a: int) -> int:
            return round(255 + (a - 255) * mix)

        return QColor(blend(end.red()), blend(end.green()), blend(end.blue()))

    def paintEvent(self, _event) -> None:
        if self._values.size == 0:
            return
        rows, cols = self._values.shape
        x0, y0, cw, ch = self._cell_rect()
        finite = self._values[np.isfinite(self._values)]
        scale = float(np.abs(finite).max()) if finite.size else 0.0
        texts, font_px = self._texts()
        painter = QPainter(self)
        try:
            if font_px:
                painter.setFont(_font_at(self.font(), font_px))
            grid = QPen(QColor(150, 150, 150))
            grid.setCosmetic(True)
            hatch = QBrush(PADDING_TINT, Qt.BrushStyle.BDiagPattern)
            for r in range(rows):
                for c in range(cols):
                    rect = QRectF(x0 + c * cw, y0 + r * ch, cw, ch)
                    v = float(self._values[r, c])
                    bg = self._background(v, scale)
                    painter.fillRect(rect, bg)
                    if self._padding[r, c]:
                        painter.fillRect(rect, hatch)
                    painter.setPen(grid)
                    painter.drawRect(rect)
                    if font_px:
                        dark = bg.lightness() > 128
                        color = QColor(20, 20, 20) if dark else QColor(240, 240, 240)
                        if self._padding[r, c]:
                            color = QColor(90, 90, 90) if dark else QColor(170, 170, 170)
                        painter.setPen(color)
                        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, texts[r][c])
            mark = QPen(MARK)
            mark.setWidthF(3)
            mark.setCosmetic(True)
            painter.setPen(mark)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for r, c in self._marked:
                painter.drawRect(QRectF(x0 + c * cw + 1.5, y0 + r * ch + 1.5, cw - 3, ch - 3))
            if self._hover is not None:
                r, c = self._hover
                painter.setPen(_cosmetic_pen(HOVER, 2))
                painter.drawRect(QRectF(x0 + c * cw + 1, y0 + r * ch + 1, cw - 2, ch - 2))
        finally:
            painter.end()

    def set_hover(self, cell: tuple[int, int] | None) -> None:
        """Frame one cell (the one whose numbers the readout spells out), or none."""
        if cell is not None and not (0 <= cell[0] < self._values.shape[0]
                                     and 0 <= cell[1] < self._values.shape[1]):
            cell = None
        if cell != self._hover:
            self._hover = cell
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        cell = self.cell_at(pos.x(), pos.y())
        if cell is None:
            QToolTip.hideText()
            self.hovered.emit(-1, -1)
            return
        r, c = cell
        self.hovered.emit(r, c)
        note = " (padding)" if self._padding[r, c] else ""
        text = self.tip or f"row {r}, col {c}: {float(self._values[r, c]):.6g}{note}"
        QToolTip.showText(event.globalPosition().toPoint(), text, self)

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        self.hovered.emit(-1, -1)


def _font_at(base: QFont, px: int) -> QFont:
    font = QFont(base)
    font.setPixelSize(max(int(px), 1))
    return font


def _cosmetic_pen(color: QColor, width: float) -> QPen:
    pen = QPen(color)
    pen.setWidthF(width)
    pen.setCosmetic(True)
    return pen
