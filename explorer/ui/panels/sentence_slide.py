"""The 1-D tab's teaching picture of a sentence: Kim's network from the sentence matrix to the
answer, with nothing to edit it.

A title (the sentence, its vectors, channels and filters), the sentence matrix, each filter's
responses with the winning n-gram named under its bar, max-over-time pooling (each filter's
best n-gram and the pooled vector) and the classifier's answer. Made from the
:class:`Reading` on show at the size of a 16:9 slide (taller when many filters need the
room), for File › Export view › Current tab and ``--panel text``. It draws with the widgets of
the tab itself, so the picture and the tab never tell two stories.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from explorer.core.text.bank import Bank
from explorer.core.text.sentence import Reading
from explorer.ui.panels.sentence_panel import (
    filter_rows,
    matrix_title,
    moved_text,
    winners_html,
)
from explorer.ui.widgets.answer_bars import AnswerBars
from explorer.ui.widgets.matrix_view import MatrixView
from explorer.ui.widgets.response_chart import TOKEN_STRIP, ResponseChart
from explorer.ui.widgets.token_matrix import TokenMatrix

__all__ = ["SLIDE_SIZE", "SentenceSlide"]

SLIDE_SIZE = QSize(1440, 810)
ROW_PX = 36  # the least height of a filter's row: bars and the winning n-gram's name
HEADER_PX = 120  # the title, the column titles and the margins
FONT_PX = 15
TITLE_PX = 24


def _title(text: str) -> QLabel:
    label = QLabel(text, wordWrap=True, textFormat=Qt.TextFormat.RichText)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
    return label


def _trained_note(bank: Bank) -> str:
    """What the answer is worth: said when the classifier was not trained for these filters."""
    if bank.trained is None:
        return " · untrained: random filters, a zero last layer"
    if not bank.as_trained:
        return " · the last layer was trained for other filters"
    return ""


class SentenceSlide(QWidget):
    """A sentence read by Kim's network, as one picture."""

    def __init__(self, reading: Reading, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pred = reading.prediction
        if pred is None:
            raise ValueError("there is no sentence to picture: type one")
        self.reading = reading
        font = QFont(self.font())
        font.setPixelSize(FONT_PX)
        self.setFont(font)
        self.setAutoFillBackground(True)
        bank = reading.bank
        channels = reading.channels

        heading = QLabel(f"“{html.escape(reading.text.strip())}”", wordWrap=True)
        big = QFont(font)
        big.setPixelSize(TITLE_PX)
        big.setBold(True)
        heading.setFont(big)
        widths = [str(w) for w in sorted(set(bank.network.widths))]
        wide = ", ".join(widths[:-1]) + " or " + widths[-1] if len(widths) > 1 else widths[0]
        subtitle = QLabel(
            f"Kim's sentence CNN · vectors: {reading.vocabulary} · "
            + (f"{len(channels)} channels ({' and '.join(channels)})" if len(channels) > 1
               else "1 channel (static)")
            + f" · {len(bank.names)} filters, {wide} tokens wide" + _trained_note(bank),
            wordWrap=True)

        self.matrix = TokenMatrix()
        self.chart = ResponseChart(name_winners=True)
        self.winners = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.winners.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.pooled = MatrixView("signed")
        self.pooled.setMinimumHeight(28)
        self.answer = AnswerBars()

        left = QVBoxLayout()
        left.addWidget(_title(matrix_title(reading)))
        left.addWidget(self.matrix, 1)
        moved = moved_text(reading)
        if moved:
            left.addWidget(QLabel(moved, wordWrap=True, textFormat=Qt.TextFormat.PlainText))
        middle = QVBoxLayout()
        middle.addWidget(_title("<b>Feature maps</b>: window · filter + bias at each position; "
                                "the orange frame is the maximum, its n-gram named below"))
        middle.addWidget(self.chart, 1)
        right = QVBoxLayout()
        right.addWidget(_title("<b>Max-over-time pooling</b>: each filter's best n-gram"))
        right.addWidget(self.winners, 1)
        right.addWidget(_title(f"<b>Pooled vector</b>: {len(pred.pooled)} numbers, one per "
                               "filter"))
        right.addWidget(self.pooled)
        right.addWidget(_title("<b>Answer</b>: fully connected layer → softmax"))
        right.addWidget(self.answer)
        columns = QHBoxLayout()
        columns.setSpacing(18)
        columns.addLayout(left, 5)
        columns.addLayout(middle, 13)
        columns.addLayout(right, 8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        layout.addWidget(heading)
        layout.addWidget(subtitle)
        layout.addLayout(columns, 1)

        # filled once laid out in the slide's font: the widgets measure their labels by it
        self.matrix.set_rows(reading.labels, reading.x, reading.kinds, bands=channels)
        self.chart.set_content(reading.labels, [k == "padding" for k in reading.kinds],
                               filter_rows(reading))
        self.winners.setText(winners_html(reading, context=0))
        self.pooled.set_values(pred.pooled[None, :])
        self.answer.set_answer(bank.network.labels, pred.probabilities)
        self.resize(self.slide_size())

    def slide_size(self) -> QSize:
        """16:9, taller when the filters' rows or the tokens need more room."""
        rows = len(self.chart.rows())
        tokens = len(self.reading.labels)
        height = max(SLIDE_SIZE.height(), HEADER_PX + 2 * TOKEN_STRIP + rows * ROW_PX,
                     HEADER_PX + tokens * 22, HEADER_PX + 240 + rows * 24)
        return QSize(SLIDE_SIZE.width(), height)
