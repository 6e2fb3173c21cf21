"""A classifier's answer: one row per class with its name, a bar as long as its probability and
the percentage, side by side, so no bar ever covers a number (on screen or on a slide)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

__all__ = ["AnswerBars"]

WINNER = QColor(214, 96, 77)
OTHERS = QColor(67, 147, 195)
TRACK = QColor(128, 128, 128, 60)
ROW_PX = 26


class AnswerBars(QWidget):
    """Class names, probability bars and percentages; the most probable class in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._labels: list[str] = []
        self._p: np.ndarray | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(2 * ROW_PX + 4)

    def sizeHint(self) -> QSize:
        return QSize(280, max(len(self._labels), 2) * ROW_PX + 4)

    def set_answer(self, labels: Sequence[str], probabilities: np.ndarray | None) -> None:
        """The classes and their probabilities (None: no answer, empty tracks)."""
        self._labels = list(labels)
        self._p = None if probabilities is None else np.asarray(probabilities, np.float64)
        if self._p is not None and self._p.shape != (len(self._labels),):
            raise ValueError("one probability per class")
        self.setFixedHeight(max(len(self._labels), 1) * ROW_PX + 4)
        self.update()

    def probabilities(self) -> np.ndarray | None:
        return None if self._p is None else self._p.copy()

    def texts(self) -> list[str]:
        """Each row as it reads: "negative 55 %" (the name alone without an answer)."""
        if self._p is None:
            return list(self._labels)
        return [f"{name} {p:.0%}".replace("%", " %")
                for name, p in zip(self._labels, self._p, strict=True)]

    def paintEvent(self, _event: QPaintEvent) -> None:
        if not self._labels:
            return
        painter = QPainter(self)
        try:
            bold = QFont(self.font())
            bold.setBold(True)
            metrics = QFontMetricsF(bold)
            name_w = max(metrics.horizontalAdvance(n) for n in self._labels) + 10
            pct_w = metrics.horizontalAdvance("100 %") + 10
            text = self.palette().windowText().color()
            best = -1 if self._p is None else int(self._p.argmax())
            for i, name in enumerate(self._labels):
                row = QRectF(0, 2 + i * ROW_PX, self.width(), ROW_PX - 4)
                painter.setFont(bold if i == best else self.font())
                painter.setPen(text)
                painter.drawText(QRectF(row.left(), row.top(), name_w, row.height()),
                                 Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                                 name)
                track = QRectF(row.left() + name_w, row.top() + 2,
                               max(row.width() - name_w - pct_w, 10.0), row.height() - 4)
                painter.fillRect(track, TRACK)
                if self._p is None:
                    continue
                p = float(np.clip(self._p[i], 0, 1))
                painter.fillRect(QRectF(track.left(), track.top(), track.width() * p,
                                        track.height()), WINNER if i == best else OTHERS)
                painter.drawText(QRectF(track.right(), row.top(), pct_w, row.height()),
                                 Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                                 f"{p:.0%}".replace("%", " %"))
        finally:
            painter.end()
