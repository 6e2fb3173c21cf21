"""Each filter's response along the sentence, as bars under the tokens.

The tokens (with any padding) run along the top, one column each (on two staggered lines when a
column is too narrow for its word). Below, one row per filter:
a bar for each position the filter takes, standing under the middle of the n-gram it covers,
red above zero and blue below on one scale shared by all rows, so strengths compare. The
max-over-time winner of each row is framed. Hovering a bar shades the window it covers and
emits ``hovered(filter, position)``. With ``name_winners`` (the tab's slide) each row keeps a
lane under its bars where the winning n-gram is written, under the tokens it covers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

__all__ = ["FilterRow", "ResponseChart"]

POSITIVE = QColor(214, 96, 77)
NEGATIVE = QColor(67, 147, 195)
MARK = QColor(255, 150, 0)
WINDOW = QColor(255, 170, 40, 70)
NAME_BACKGROUND = QColor(255, 196, 107)  # the winning n-gram, as highlighted in the sentence
NAME_TEXT = QColor(20, 20, 20)
TOKEN_STRIP = 30
ROW_MIN = 24
LABEL_MAX = 150


@dataclass(frozen=True, eq=False)
class FilterRow:
    """What one row shows: a name, the filter width and its response at each position."""

    name: str
    width: int
    responses: np.ndarray  # (T′,)
    winner: int  # the max-over-time position
    winner_text: str = ""  # the n-gram under the winning position


class ResponseChart(QWidget):
    """Token strip on top, one bar row per filter below."""

    hovered = Signal(int, int)  # filter, position; (-1, -1) when nothing is hovered

    def __init__(self, parent: QWidget | None = None, name_winners: bool = False) -> None:
        super().__init__(parent)
        self._name_winners = name_winners
        self._tokens: list[str] = []
        self._padding: list[bool] = []
        self._rows: list[FilterRow] = []
        self._scale = 1.0
        self._hover: tuple[int, int] = (-1, -1)
        self._label_width = 60
        self._value_width = 60
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_content(self, tokens: list[str], padding: list[bool], rows: list[FilterRow]) -> None:
        """``tokens`` are the columns (padding included, flagged by ``padding``)."""
        self._tokens, self._padding, self._rows = list(tokens), list(padding), list(rows)
        peaks = [float(np.abs(r.responses).max()) for r in rows if r.responses.size]
        self._scale = max([*peaks, 1e-6])
        self._hover = (-1, -1)
        metrics = self.fontMetrics()
        names = [metrics.horizontalAdvance(r.name) for r in rows]
        self._label_width = min(max([*names, 30]) + 12, LABEL_MAX)
        self._value_width = metrics.horizontalAdvance("max −00.00") + 8
        strip = max(TOKEN_STRIP, 2 * metrics.height() + 6)  # the tokens on two lines
        self.setMinimumHeight(strip + ROW_MIN * max(len(rows), 1) + 4)
        self.updateGeometry()
        self.update()

    def rows(self) -> list[FilterRow]:
        return list(self._rows)

    def hovered_bar(self) -> tuple[int, int]:
        return self._hover

    def set_hover(self, k: int, t: int) -> None:
        """Hover a bar as the pointer would (also from the keyboard or a test)."""
        if (k, t) != self._hover:
            self._hover = (k, t)
            self.hovered.emit(k, t)
            self.update()

    # --- geometry -------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(700, TOKEN_STRIP + 48 * max(len(self._rows), 1))

    def _column_width(self) -> float:
        room = self.width() - self._label_width - self._value_width
        return max(room / max(len(self._tokens), 1), 4.0)

    def _staggered(self) -> bool:
        """Whether a token is wider than its column: the tokens then take two lines."""
        metrics = self.fontMetrics()
        room = self._column_width() - 4
        return any(metrics.horizontalAdvance(t) > room for t in self._tokens)

    def strip_height(self) -> float:
        """The height of the tokens' strip over the rows."""
        if not self._staggered():
            return float(TOKEN_STRIP)
        return float(max(TOKEN_STRIP, 2 * self.fontMetrics().height() + 6))

    def _row_height(self) -> float:
        return max((self.height() - self.strip_height() - 2) / max(len(self._rows), 1), 1.0)

    def _lane(self, rh: float) -> float:
        """The height of the lane for the winning n-gram's name (0: not named)."""
        return min(self.fontMetrics().height() + 4.0, rh * 0.45) if self._name_winners else 0.0

    def winner_name_rect(self, k: int) -> QRectF:
        """The tokens row ``k``'s winning n-gram covers, in its lane: its name is centred
        under them."""
        cw, rh = self._column_width(), self._row_height()
        row = self._rows[k]
        lane = self._lane(rh)
        x = self._label_width + row.winner * cw
        return QRectF(x, self.strip_height() + (k + 1) * rh - lane, row.width * cw, lane - 1)

    def bar_center(self, k: int, t: int) -> QPointF:
        """Where the bar of filter ``k`` at position ``t`` stands (its middle)."""
        cw, rh = self._column_width(), self._row_height()
        x = self._label_width + (t + self._rows[k].width / 2) * cw
        return QPointF(x, self.strip_height() + k * rh + (rh - self._lane(rh)) / 2)

    def bar_at(self, x: float, y: float) -> tuple[int, int]:
        strip = self.strip_height()
        if not self._rows or y < strip:
            return -1, -1
        k = int((y - strip) // self._row_height())
        if not 0 <= k < len(self._rows):
            return -1, -1
        row = self._rows[k]
        cw = self._column_width()
        t = round((x - self._label_width) / cw - row.width / 2)
        if not 0 <= t < row.responses.size:
            return -1, -1
        return k, t

    # --- painting -------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        if not self._tokens:
            return
        cw, rh = self._column_width(), self._row_height()
        strip, staggered = self.strip_height(), self._staggered()
        painter = QPainter(self)
        try:
            text_color = self.palette().windowText().color()
            font = QFont(self.font())
            painter.setFont(font)
            metrics = QFontMetrics(font)
            k_hover, t_hover = self._hover
            if k_hover >= 0:  # shade the hovered window through the strip and its row
                w = self._rows[k_hover].width
                x = self._label_width + t_hover * cw
                painter.fillRect(QRectF(x, 0, w * cw, strip), WINDOW)
                painter.fillRect(QRectF(x, strip + k_hover * rh, w * cw, rh), WINDOW)
            for j, token in enumerate(self._tokens):
                # staggered: every other token on the lower line, each as wide as two columns
                wide = 2 * cw if staggered else cw
                top = (strip / 2 if j % 2 else 0.0) if staggered else 0.0
                rect = QRectF(self._label_width + (j + 0.5) * cw - wide / 2, top, wide,
                              strip / 2 if staggered else strip)
                painter.setPen(QColor(130, 130, 130) if self._padding[j] else text_color)
                shown = metrics.elidedText(token, Qt.TextElideMode.ElideRight, int(wide) - 4)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, shown)
            grid = QPen(QColor(200, 200, 200))
            grid.setCosmetic(True)
            lane = self._lane(rh)
            half = (rh - lane) * 0.42
            name_font = QFont(font)
            name_font.setBold(True)
            for k, row in enumerate(self._rows):
                top = strip + k * rh
                mid = top + (rh - lane) / 2
                painter.setPen(grid)
                painter.drawLine(QPointF(self._label_width, top), QPointF(self.width(), top))
                painter.drawLine(QPointF(self._label_width, mid),
                                 QPointF(self.width() - self._value_width, mid))
                painter.setPen(text_color)
                painter.drawText(QRectF(4, top, self._label_width - 8, rh),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 metrics.elidedText(row.name, Qt.TextElideMode.ElideRight,
                                                    self._label_width - 8))
                bar_w = min(cw * 0.7, 28.0)
                for t, v in enumerate(row.responses):
                    x = self._label_width + (t + row.width / 2) * cw
                    h = float(v) / self._scale * half
                    rect = QRectF(x - bar_w / 2, mid - max(h, 0), bar_w, abs(h))
                    painter.fillRect(rect, POSITIVE if v > 0 else NEGATIVE)
                    if t == row.winner:
                        pen = QPen(MARK)
                        pen.setWidthF(2.5)
                        painter.setPen(pen)
                        painter.drawRect(rect.adjusted(-2, -2, 2, 2))
                if lane and row.winner_text:
                    self._draw_name(painter, name_font, self.winner_name_rect(k),
                                    row.winner_text)
                    painter.setFont(font)
                if row.responses.size:
                    painter.setPen(text_color)
                    best = float(row.responses[row.winner])
                    value_rect = QRectF(self.width() - self._value_width, top,
                                        self._value_width - 4, rh)
                    painter.drawText(value_rect,
                                     Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                     f"max {best:.2f}")
        finally:
            painter.end()

    def _draw_name(self, painter: QPainter, font: QFont, rect: QRectF, text: str) -> None:
        """The n-gram on its highlight, centred under its tokens: the lane is its row's own,
        so it may be wider than they are, as long as it stays over the bars' columns."""
        metrics = QFontMetrics(font)
        left, right = self._label_width, self.width() - self._value_width
        shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(right - left) - 8)
        width = metrics.horizontalAdvance(shown) + 8
        x = min(max(rect.center().x() - width / 2, left), right - width)
        box = QRectF(x, rect.top(), width, rect.height())
        painter.fillRect(box, NAME_BACKGROUND)
        painter.setFont(font)
        painter.setPen(NAME_TEXT)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, shown)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        self.set_hover(*self.bar_at(pos.x(), pos.y()))

    def leaveEvent(self, _event) -> None:
        self.set_hover(-1, -1)
