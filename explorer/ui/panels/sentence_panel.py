"""Kim's sentence CNN, live: type a sentence and watch filters of widths 2–4 answer.

Left, the sentence as the network sees it: a column of tokens and their vectors (T × D), in
one band (static vectors) or two (static and a fine-tuned copy, Kim's two channels).
Middle, each filter's response along the sentence, under the tokens; hovering a bar frames
its window and writes out the dot product. Right, max-over-time pooling (each filter's
winning n-gram highlighted in the sentence, the pooled vector) and the classifier's answer,
with a Train button.

The page writes the sentence, the vocabulary, the channels, the padding and the filter groups
to ``document.text``; "Add filter", Train and Stop go to the controller. It draws the
:class:`Reading` the controller hands it: nothing is computed here but the products under
the hovered window (w × D numbers).
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from explorer.core.text.phrases import LABELS
from explorer.core.text.sentence import PAD, Reading
from explorer.state import Document
from explorer.state.limits import CHOICES, MAX_TEXT, int_range
from explorer.state.tabs import MAX_GROUP, MAX_WIDTH_1D
from explorer.ui.presentation_type import as_heading
from explorer.ui.widgets.answer_bars import AnswerBars
from explorer.ui.widgets.matrix_view import MatrixView
from explorer.ui.widgets.response_chart import FilterRow, ResponseChart
from explorer.ui.widgets.token_matrix import TokenMatrix

__all__ = ["GROUPS", "SentencePanel"]

GROUPS = 3  # pairs of width and count spin boxes
HIGHLIGHT = "#ffc46b"
VOCABULARIES = {
    "words": "words: GloVe, 50-d",
    "characters": "characters: one-hot",
}
CHANNELS = {1: "one: static", 2: "two: static + fine-tuned"}
PLACEHOLDERS = {"words": "e.g. not good", "characters": "e.g. ing"}
WIDE = 1100  # narrower than this, pooling and the classifier go below the maps
CONTEXT = 2  # tokens of context shown either side of a winning n-gram
HINT = "Hover a bar to see its window in the sentence and the dot product behind it."
EMPTY = "Type a sentence to see its vectors and the filters' responses."


def matrix_title(reading: Reading) -> str:
    """"Sentence matrix 12 × 50", with " × 2 channels" for two."""
    channels = len(reading.channels)
    return (f"<b>Sentence matrix</b> {len(reading.labels)} × {reading.bank.network.dim}"
            + (f" × {channels} channels" if channels > 1 else ""))


def moved_text(reading: Reading, most: int = 4) -> str:
    """Which words of the sentence training moved in the fine-tuned channel, farthest first;
    '' with one channel."""
    moved = reading.moved()
    if moved is None:
        return ""
    farthest: dict[str, float] = {}
    for label, kind, distance in zip(reading.labels, reading.kinds, moved, strict=True):
        if kind == "known" and distance > 0:
            farthest[label] = max(distance, farthest.get(label, 0.0))
    if not farthest:
        return "Fine-tuned copy: these words' vectors are still the static ones."
    ranked = sorted(farthest.items(), key=lambda item: -item[1])
    shown = ", ".join(f"“{w}” {v:.2f}" for w, v in ranked[:most])
    return (f"Fine-tuned copy, moved by training: {shown}"
            + (f" and {len(ranked) - most} more" if len(ranked) > most else "")
            + " (distance from the static vector).")


def filter_rows(reading: Reading) -> list[FilterRow]:
    """What the response chart draws of each filter, its winning n-gram named."""
    pred = reading.prediction
    assert pred is not None
    bank = reading.bank
    return [FilterRow(name, w, m, int(pos), reading.window_text(k, int(pos)))
            for k, (name, w, m, pos) in enumerate(zip(bank.names, bank.network.widths,
                                                      pred.maps, pred.positions, strict=True))]


def winners_html(reading: Reading, context: int = CONTEXT) -> str:
    """Max-over-time pooling as a table: per filter its pooled value and its winning n-gram,
    highlighted among ``context`` tokens either side."""
    pred = reading.prediction
    assert pred is not None
    text, tokens = reading.text, reading.tokens
    lines = []
    for k, name in enumerate(reading.bank.names):
        real, pads = reading.window_tokens(k, int(pred.positions[k]))
        if real:
            first, last = real[0], real[-1]
            a, b = tokens[first].start, tokens[last].end
            lo = tokens[max(first - context, 0)].start
            hi = tokens[min(last + context, len(tokens) - 1)].end
            shown = ("… " if first - context > 0 else "") + html.escape(text[lo:a]) \
                + f'<span style="background:{HIGHLIGHT}; color:#141414">' \
                + f"<b>{html.escape(text[a:b])}" + (f" {PAD}" * pads) + "</b></span>" \
                + html.escape(text[b:hi]) + (" …" if last + context < len(tokens) - 1 else "")
        else:
            shown = f'<span style="background:{HIGHLIGHT}">{" ".join([PAD] * pads)}</span>'
        lines.append(f"<tr><td><b>{html.escape(name)}</b></td>"
                     f"<td align=right>&nbsp;{pred.pooled[k]:.2f}&nbsp;</td>"
                     f"<td>{shown}</td></tr>")
    return "<table cellspacing=1>" + "".join(lines) + "</table>"


class SentencePanel(QWidget):
    """The text half of the 1-D tab."""

    message = Signal(str)  # a note for the status bar
    words_entered = Signal(str)  # "Add filter": the words typed
    train_clicked = Signal()
    stop_clicked = Signal()

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.reading: Reading | None = None
        self._training = False  # the filters cannot be edited while a training runs
        self._build()

    # --- construction ---------------------------------------------------------------------
    def _build(self) -> None:
        self.sentence_edit = QLineEdit(placeholderText="Type or paste a sentence")
        self.sentence_edit.setClearButtonEnabled(True)
        self.sentence_edit.setMaxLength(MAX_TEXT)
        self.sentence_edit.textChanged.connect(self._on_sentence_edited)
        self.vocab_combo = QComboBox()
        for key in CHOICES["TextSettings.vocabulary"]:
            self.vocab_combo.addItem(VOCABULARIES[key], key)
        self.vocab_combo.setToolTip(
            "Words: each word is its 50-number GloVe vector, learned from Wikipedia text, so "
            "words used alike point alike. Characters: each letter is a one-hot vector.")
        self.vocab_combo.currentIndexChanged.connect(self._on_vocabulary_edited)
        self.channels_combo = QComboBox()
        for count, text in CHANNELS.items():
            self.channels_combo.addItem(text, count)
        self.channels_combo.setToolTip(
            "Kim's two channels: the word vectors as they are (static), and a copy of them that "
            "training moves (fine-tuned). Each filter has rows over both and adds up both "
            "channels' products.")
        self.channels_combo.currentIndexChanged.connect(self._on_channels_edited)
        low, high = int_range("padding", "TextSettings")
        self.padding_spin = QSpinBox(minimum=low, maximum=high, keyboardTracking=False)
        self.padding_spin.setToolTip("Zero vectors added at each end of the sentence")
        self.padding_spin.valueChanged.connect(self._on_padding_edited)
        self.unknown_label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.unknown_label.setStyleSheet("color: #a02020;")
        self.unknown_label.hide()

        top = QHBoxLayout()
        top.addWidget(QLabel("Sentence:"))
        top.addWidget(self.sentence_edit, 1)

        # the vectors and the filter bank: learned groups of one width each, and filters
        # built from words
        bank = QGroupBox("Vectors and filters")
        bank_layout = QVBoxLayout(bank)
        bank_layout.setSpacing(4)
        vectors_row = QHBoxLayout()
        vectors_row.addWidget(QLabel("Vectors:"))
        vectors_row.addWidget(self.vocab_combo)
        vectors_row.addSpacing(12)
        vectors_row.addWidget(QLabel("Channels:"))
        vectors_row.addWidget(self.channels_combo)
        vectors_row.addSpacing(12)
        vectors_row.addWidget(QLabel("Padding:"))
        vectors_row.addWidget(self.padding_spin)
        vectors_row.addStretch(1)
        bank_row = QHBoxLayout()
        bank_row.addWidget(QLabel("Filters (width × count):"))
        words_row = QHBoxLayout()
        for row in (vectors_row, bank_row, words_row):
            bank_layout.addLayout(row)
        self.width_spins: list[QSpinBox] = []
        self.count_spins: list[QSpinBox] = []
        for _ in range(GROUPS):
            width = QSpinBox(minimum=1, maximum=MAX_WIDTH_1D, keyboardTracking=False)
            width.setToolTip("How many tokens each filter of this group spans")
            count = QSpinBox(minimum=0, maximum=MAX_GROUP, prefix="× ",
                             keyboardTracking=False)
            count.setToolTip("How many filters of this width")
            for spin in (width, count):
                spin.valueChanged.connect(self._on_groups_edited)
            self.width_spins.append(width)
            self.count_spins.append(count)
            bank_row.addWidget(width)
            bank_row.addWidget(count)
            bank_row.addSpacing(8)
        bank_row.addStretch(1)
        self.words_edit = QLineEdit(placeholderText=PLACEHOLDERS["words"])
        self.words_edit.setMaxLength(200)
        self.words_edit.setToolTip("A filter whose rows are these words' vectors (scaled to "
                                   "length 1): it answers most where they stand in a row")
        self.words_edit.returnPressed.connect(self._on_add_clicked)
        self.add_words_button = QPushButton("Add filter")
        self.add_words_button.setToolTip("Add a filter built from the words typed beside")
        self.add_words_button.clicked.connect(self._on_add_clicked)
        self.remove_words_button = QPushButton("Remove word filters")
        self.remove_words_button.clicked.connect(self._on_remove_clicked)
        words_row.addWidget(QLabel("Detect words:"))
        words_row.addWidget(self.words_edit, 1)
        words_row.addWidget(self.add_words_button)
        words_row.addWidget(self.remove_words_button)

        # left: the embedding matrix
        self.matrix = TokenMatrix()
        self.matrix_title = QLabel()
        self.matrix_title.setWordWrap(True)
        self.moved_label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.moved_label.hide()
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.matrix_title)
        lv.addWidget(self.matrix, 1)
        lv.addWidget(self.moved_label)

        # middle: responses and the hover readout
        self.chart = ResponseChart()
        self.chart.hovered.connect(self._on_bar_hovered)
        chart_scroll = QScrollArea(widgetResizable=True)
        chart_scroll.setWidget(self.chart)
        chart_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.readout = QLabel(HINT, wordWrap=True)
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setMinimumHeight(40)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.products = TokenMatrix()
        self.products.setFixedHeight(64)
        self.products.setToolTip("The window's vectors multiplied element by element with "
                                 "the filter's rows: their sum plus the bias is the bar")
        middle = QWidget()
        mv = QVBoxLayout(middle)
        mv.setContentsMargins(0, 0, 0, 0)
        maps_title = as_heading(QLabel("<b>Feature maps</b>: window · filter + bias at each "
                                       "position; orange frame = maximum", wordWrap=True))
        maps_title.setToolTip("One row per filter: F1 · w2 is filter 1, two tokens wide. Each "
                              "bar stands under the middle of the n-gram it covers.")
        mv.addWidget(maps_title)
        mv.addWidget(chart_scroll, 1)
        mv.addWidget(self.readout)
        mv.addWidget(self.products)

        # right: pooling and classifier
        self.winners = QLabel(wordWrap=True)
        self.winners.setTextFormat(Qt.TextFormat.RichText)
        self.winners.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.winners.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        winners_scroll = QScrollArea(widgetResizable=True)
        winners_scroll.setWidget(self.winners)
        winners_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.pooled_view = MatrixView("signed")
        self.pooled_view.setMinimumHeight(26)
        self.pooled_title = as_heading(QLabel(wordWrap=True))
        classifier = QGroupBox("Classifier: pooled vector → fully connected → softmax")
        cg = QGridLayout(classifier)
        self.answer = AnswerBars()
        self.answer.set_answer(LABELS, None)
        cg.addWidget(self.answer, 0, 0, 2, 2)
        self.train_button = QPushButton("Train")
        self.train_button.setToolTip("Learn the filters and the last layer from short labelled "
                                     "phrases made from a sentiment lexicon (a few seconds)")
        self.train_button.clicked.connect(self.train_clicked)
        self.stop_button = QPushButton("Stop", enabled=False)
        self.stop_button.setToolTip("End the training after this epoch; what it learnt stays")
        self.stop_button.clicked.connect(self.stop_clicked)
        self.train_status = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        cg.addWidget(self.train_button, 2, 0)
        cg.addWidget(self.stop_button, 2, 1)
        cg.addWidget(self.train_status, 3, 0, 1, 2)
        pooling = QWidget()
        pv = QVBoxLayout(pooling)
        pv.setContentsMargins(0, 0, 0, 0)
        pv.addWidget(as_heading(QLabel("<b>Max-over-time pooling</b>: each filter's best "
                                       "n-gram", wordWrap=True)))
        pv.addWidget(winners_scroll, 1)
        pv.addWidget(self.pooled_title)
        pv.addWidget(self.pooled_view)
        right = QWidget()
        self._right_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, right)
        self._right_layout.setContentsMargins(0, 0, 0, 0)
        self._right_layout.addWidget(pooling, 1)
        self._right_layout.addWidget(classifier)

        self.maps_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.maps_splitter.addWidget(left)
        self.maps_splitter.addWidget(middle)
        self.maps_splitter.setStretchFactor(0, 2)
        self.maps_splitter.setStretchFactor(1, 5)
        self.maps_splitter.setChildrenCollapsible(False)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.maps_splitter)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.unknown_label)
        layout.addWidget(bank)
        layout.addWidget(self.splitter, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Wide: pooling and classifier in a third column. Narrow: in a row below the maps."""
        super().resizeEvent(event)
        wide = event.size().width() >= WIDE
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            self._right_layout.setDirection(QBoxLayout.Direction.TopToBottom if wide
                                            else QBoxLayout.Direction.LeftToRight)
            total = self.splitter.width() if wide else self.splitter.height()
            self.splitter.setSizes([int(total * 0.72), int(total * 0.28)] if wide
                                   else [int(total * 0.66), int(total * 0.34)])

    # --- the user's edits go to the model -------------------------------------------------
    def _on_sentence_edited(self, text: str) -> None:
        self.document.text.sentence = text

    def _on_vocabulary_edited(self) -> None:
        self.document.text.vocabulary = self.vocab_combo.currentData()

    def _on_channels_edited(self) -> None:
        self.document.text.channels = self.channels_combo.currentData()

    def _on_padding_edited(self, value: int) -> None:
        self.document.text.padding = int(value)

    def _on_groups_edited(self) -> None:
        """A width or count edited: the groups as the spin boxes show them."""
        settings = self.document.text
        groups = tuple((w.value(), n.value())
                       for w, n in zip(self.width_spins, self.count_spins, strict=True))
        if not any(n for _, n in groups) and not settings.word_filters:
            self.message.emit("Keep at least one filter")
            self.show_settings()
            return
        settings.groups = groups

    def _on_add_clicked(self) -> None:
        self.words_entered.emit(self.words_edit.text())

    def _on_remove_clicked(self) -> None:
        settings = self.document.text
        if not settings.word_filters:
            return
        if not any(n for _, n in settings.groups):
            self.message.emit("Keep at least one filter")
            return
        settings.word_filters = ()

    # --- the model is shown ---------------------------------------------------------------
    def show_settings(self) -> None:
        """Put ``document.text`` into the controls (without echoing it back)."""
        s = self.document.text
        if self.sentence_edit.text() != s.sentence:  # the cursor stays while typing
            with QSignalBlocker(self.sentence_edit):
                self.sentence_edit.setText(s.sentence)
        with QSignalBlocker(self.vocab_combo):
            self.vocab_combo.setCurrentIndex(self.vocab_combo.findData(s.vocabulary))
        with QSignalBlocker(self.channels_combo):
            self.channels_combo.setCurrentIndex(self.channels_combo.findData(s.channels))
        self.words_edit.setPlaceholderText(PLACEHOLDERS[s.vocabulary])
        with QSignalBlocker(self.padding_spin):
            self.padding_spin.setValue(s.padding)
        groups = list(s.groups)[:GROUPS]
        # a model with fewer groups shows the rest empty, one width wider than the last
        while len(groups) < GROUPS:
            groups.append((min((groups[-1][0] + 1) if groups else 2, MAX_WIDTH_1D), 0))
        for (width, count), wspin, nspin in zip(groups, self.width_spins, self.count_spins,
                                                strict=True):
            with QSignalBlocker(wspin), QSignalBlocker(nspin):
                wspin.setValue(width)
                nspin.setValue(count)
        self.remove_words_button.setEnabled(bool(s.word_filters) and not self._training)

    def show_words_problem(self, text: str) -> None:
        """Why the words typed make no filter (shown until the next reading)."""
        self.unknown_label.setText(text)
        self.unknown_label.show()

    def words_added(self) -> None:
        self.words_edit.clear()

    # --- results --------------------------------------------------------------------------
    def show_reading(self, reading: Reading) -> None:
        """Draw the sentence's matrix, maps, pooled vector and the classifier's answer."""
        self.reading = reading
        bank = reading.bank
        notes = []
        if reading.unknown:
            notes.append(f"Not in the vocabulary of {reading.vocabulary}, shown as zero "
                         "vectors: " + ", ".join(f"“{w}”" for w in reading.unknown))
        notes += [f"A filter built from words is left out: {why}" for why in bank.skipped]
        self.unknown_label.setText("\n".join(notes))
        self.unknown_label.setVisible(bool(notes))
        pred = reading.prediction
        if pred is None:
            self._clear(EMPTY)
            return
        self.matrix.set_rows(reading.labels, reading.x, reading.kinds, bands=reading.channels)
        t = len(reading.tokens)
        dim = reading.bank.network.dim
        channels = len(reading.channels)
        self.matrix_title.setText(matrix_title(reading))
        self.matrix_title.setToolTip(
            f"{t} {'token' if t == 1 else 'tokens'}, each a row of {dim} numbers (plus any "
            "padding rows)"
            + (": on the left the static vectors, on the right the fine-tuned copy that "
               "training moves" if channels > 1 else "")
            + f". Colours: red positive, blue negative, white zero, full colour at "
            f"±{self.matrix.limit():.2f}.")
        moved = moved_text(reading)
        self.moved_label.setText(moved)
        self.moved_label.setVisible(bool(moved))
        self.chart.set_content(reading.labels, [k == "padding" for k in reading.kinds],
                               filter_rows(reading))
        self.winners.setText(winners_html(reading))
        self.pooled_view.set_values(pred.pooled[None, :])
        self.pooled_title.setText(f"<b>Pooled vector</b> ({len(pred.pooled)} numbers, one per "
                                  "filter, whatever the sentence length)")
        self.answer.set_answer(reading.bank.network.labels, pred.probabilities)
        self._on_bar_hovered(-1, -1)

    def show_problem(self, text: str) -> None:
        """The model describes no bank that can read a sentence (e.g. no filters)."""
        self.reading = None
        self._clear(html.escape(text))

    def _clear(self, hint: str) -> None:
        self.matrix.set_rows([], np.zeros((0, 1)), [])
        self.matrix_title.setText(hint)
        self.moved_label.hide()
        self.chart.set_content([], [], [])
        self.winners.setText("")
        self.pooled_view.set_values(np.zeros((0, 0)))
        self.pooled_title.setText("")
        self.answer.set_answer(LABELS, None)
        self._on_bar_hovered(-1, -1)

    def _on_bar_hovered(self, k: int, t: int) -> None:
        reading = self.reading
        if k < 0 or reading is None or reading.prediction is None:
            self.matrix.set_marked(None)
            self.readout.setText(HINT)
            self.products.set_rows([], np.zeros((0, 1)), [])
            return
        network = reading.bank.network
        w = network.widths[k]
        products = reading.x[t:t + w] * network.filters[k]
        per_token = products.sum(axis=1)
        bias = float(network.biases[k])
        value = float(reading.prediction.maps[k][t])
        self.matrix.set_marked((t, t + w))
        labels = reading.labels[t:t + w]
        terms = " + ".join(f"{html.escape(lab)}·row{i + 1} ({v:+.2f})"
                           for i, (lab, v) in enumerate(zip(labels, per_token, strict=True)))
        by_channel = ""
        if len(reading.channels) > 1:  # what each channel adds to the sum
            parts = products.reshape(w, len(reading.channels), network.dim).sum(axis=(0, 2))
            by_channel = "<br>of which " + ", ".join(
                f"{name} {v:+.2f}" for name, v in zip(reading.channels, parts, strict=True))
        self.readout.setText(
            f"<b>{html.escape(reading.bank.names[k])}</b> at position {t}, window "
            f"“{html.escape(reading.window_text(k, t))}”:<br>{terms} + bias ({bias:+.2f}) "
            f"= <b>{value:.3f}</b>{by_channel}")
        self.products.set_rows([f"{lab} ⊙ row{i + 1}" for i, lab in enumerate(labels)],
                               products, reading.kinds[t:t + w], bands=reading.channels)

    # --- training --------------------------------------------------------------------------
    def show_training(self, text: str, running: bool) -> None:
        """The classifier's state; while a training runs, the filters cannot be edited."""
        self._training = running
        self.train_status.setText(text)
        for w in (*self.width_spins, *self.count_spins, self.vocab_combo, self.channels_combo,
                  self.train_button, self.add_words_button, self.words_edit):
            w.setEnabled(not running)
        self.remove_words_button.setEnabled(not running
                                            and bool(self.document.text.word_filters))
        self.stop_button.setEnabled(running)
