"""The network's top guesses as labelled probability bars."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from explorer.core.network.view import Guess

BAR = QColor(0, 114, 178)  # Okabe–Ito blue, as the parameter chart's convolution bar
TRACK = QColor(0, 0, 0, 30)
ROW_PX = 24


class ClassBars(QWidget):
    """One row per guess: the class name, a bar as long as its probability, the percentage."""

    def __init__(self, rows: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows = rows
        self._guesses: list[Guess] = []
        self._note = "no picture yet"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(rows * ROW_PX + 4)

    def sizeHint(self) -> QSize:
        return QSize(300, self._rows * ROW_PX + 4)

    def set_guesses(self, guesses: Sequence[Guess]) -> None:
        self._guesses = list(guesses)[: self._rows]
        self.update()

    def guesses(self) -> list[Guess]:
        return list(self._guesses)

    def set_note(self, text: str) -> None:
        """A line shown while there are no guesses (loading, not installed …)."""
        self._guesses, self._note = [], text
        self.update()

    def _row_rect(self, i: int) -> QRectF:
        return QRectF(0, 2 + i * ROW_PX, self.width(), ROW_PX - 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        fm = QFontMetricsF(self.font())
        pen = self.palette().text().color()
        if not self._guesses:
            painter.setPen(pen)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._note)
            painter.end()
            return
        pct_w = fm.horizontalAdvance("100.0 %") + 6
        name_w = min(self.width() * 0.5, max(fm.horizontalAdvance(g.label)
                                              for g in self._guesses) + 8)
        for i, g in enumerate(self._guesses):
            row = self._row_rect(i)
            name = fm.elidedText(g.label, Qt.TextElideMode.ElideRight, name_w - 8)
            painter.setPen(pen)
            painter.drawText(QRectF(row.left(), row.top(), name_w, row.height()),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
            track = QRectF(row.left() + name_w, row.top() + 3,
                           max(10.0, row.width() - name_w - pct_w), row.height() - 6)
            painter.fillRect(track, TRACK)
            painter.fillRect(QRectF(track.topLeft(), QPointF(
                track.left() + track.width() * max(0.0, min(1.0, g.probability)),
                track.bottom())), BAR)
            painter.drawText(QRectF(track.right(), row.top(), pct_w, row.height()),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             f"{100 * g.probability:.1f} %")
        painter.end()

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip and isinstance(event, QHelpEvent):
            i = int((event.pos().y() - 2) // ROW_PX)
            if 0 <= i < len(self._guesses):
                g = self._guesses[i]
                QToolTip.showText(event.globalPos(),
                                  f"ImageNet class {g.index}: {', '.join(g.synonyms)} — "
                                  f"probability {g.probability:.4f}", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)
