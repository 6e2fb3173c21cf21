"""Kim's sentence CNN, live: type a sentence and watch filters of widths 2–4 answer.

Left, the sentence as the network sees it: a column of tokens and their vectors (T × D).
Middle, each filter's response along the sentence, under the tokens; hovering a bar frames
its window and writes out the dot product. Right, max-over-time pooling (each filter's
winning n-gram highlighted in the sentence, the pooled vector) and the classifier's answer,
with a Train button that trains on a worker thread.

The sentence is tiny (tens of tokens, a dozen filters): it is recomputed on the GUI thread at
each keystroke, well under a millisecond. Training takes seconds and runs on a worker.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

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
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from explorer.core.text.classifier import Prediction, TextCNN, TrainStep, train
from explorer.core.text.phrases import LABELS, Phrase, default_sets
from explorer.core.text.tokens import Token
from explorer.core.text.vectors import (
    Embedded,
    Vocabulary,
    character_vectors,
    filter_from_words,
    glove_vectors,
)
from explorer.resources import resource_path
from explorer.ui.widgets.matrix_view import MatrixView
from explorer.ui.widgets.response_chart import FilterRow, ResponseChart
from explorer.ui.widgets.token_matrix import RowKind, TokenMatrix
from explorer.ui.workers.generator import GeneratorWorker

__all__ = ["GROUP_DEFAULTS", "SentencePanel"]

EXAMPLE = "The film was not good, but the music was wonderful."
GROUP_DEFAULTS = ((2, 4), (3, 4), (4, 4))  # (width, count) of the learned filters
MAX_FILTERS_A_GROUP = 16
MAX_WIDTH = 8
PAD = "⟨pad⟩"
HIGHLIGHT = "#ffc46b"
VOCABULARIES = {
    "words": "words: GloVe, 50-d",
    "characters": "characters: one-hot",
}
WIDE = 1100  # narrower than this, pooling and the classifier go below the maps
CONTEXT = 2  # tokens of context shown either side of a winning n-gram
HINT = ("Hover a bar to see its window in the sentence and the dot product behind it.")


@dataclass(eq=False)
class BankFilter:
    """One filter of the bank: where it came from, and its name on screen."""

    name: str
    group: int  # index into the width groups, or -1 for a filter built from words


def _token_label(token: Token) -> str:
    return "␣" if token.text == " " else token.text


class SentencePanel(QWidget):
    """The text half of the 1-D tab."""

    message = Signal(str)  # a note for the status bar
    training_finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vocab: Vocabulary = glove_vectors()
        self._bank: list[BankFilter] = []
        self._model: TextCNN = self._default_model()
        self._changed_since_training = False
        self._embedded: Embedded | None = None
        self._columns: list[str] = []
        self._column_kinds: list[str] = []
        self._x = np.zeros((0, self._vocab.dim), np.float32)
        self._prediction: Prediction | None = None
        self._worker: GeneratorWorker | None = None
        self._data: tuple[list[Phrase], list[Phrase]] | None = None  # made on first Train
        self._build()
        self.sentence_edit.setText(EXAMPLE)

    # --- construction ---------------------------------------------------------------------
    def _default_model(self) -> TextCNN:
        """The shipped classifier for words, random filters for characters; names the bank."""
        model = None
        if self._vocab is glove_vectors():
            try:
                model = TextCNN.load(resource_path("text", "textcnn_glove50.npz"))
            except (ValueError, FileNotFoundError):
                model = None  # the tab still works, untrained
        if model is None or model.dim != self._vocab.dim:
            widths = [w for w, n in GROUP_DEFAULTS for _ in range(n)]
            model = TextCNN.random(widths, self._vocab.dim, seed=0)
        order = sorted(set(model.widths))
        self._bank = [BankFilter("", order.index(w)) for w in model.widths]
        self._model = model
        self._rename()
        return model

    def _rename(self) -> None:
        number = 0
        for f, w in zip(self._bank, self._model.widths, strict=True):
            if f.group >= 0:
                number += 1
                f.name = f"F{number} · w{w}"

    def _build(self) -> None:
        self.sentence_edit = QLineEdit(placeholderText="Type or paste a sentence")
        self.sentence_edit.setClearButtonEnabled(True)
        self.sentence_edit.textChanged.connect(self._on_sentence_changed)
        self.vocab_combo = QComboBox()
        for key, text in VOCABULARIES.items():
            self.vocab_combo.addItem(text, key)
        self.vocab_combo.setToolTip(
            "Words: each word is its 50-number GloVe vector, learned from Wikipedia text, so "
            "words used alike point alike. Characters: each letter is a one-hot vector.")
        self.vocab_combo.currentIndexChanged.connect(self._on_vocab_changed)
        self.padding_spin = QSpinBox(minimum=0, maximum=MAX_WIDTH - 1)
        self.padding_spin.setToolTip("Zero vectors added at each end of the sentence")
        self.padding_spin.setKeyboardTracking(False)
        self.padding_spin.valueChanged.connect(self.refresh)
        self.unknown_label = QLabel(wordWrap=True)
        self.unknown_label.setStyleSheet("color: #a02020;")

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
        for w, n in GROUP_DEFAULTS:
            width = QSpinBox(minimum=1, maximum=MAX_WIDTH, value=w)
            width.setToolTip("How many tokens each filter of this group spans")
            count = QSpinBox(minimum=0, maximum=MAX_FILTERS_A_GROUP, value=n, prefix="× ")
            count.setToolTip("How many filters of this width")
            for spin in (width, count):
                spin.setKeyboardTracking(False)
                spin.valueChanged.connect(self._on_groups_changed)
            self.width_spins.append(width)
            self.count_spins.append(count)
            bank_row.addWidget(width)
            bank_row.addWidget(count)
            bank_row.addSpacing(8)
        bank_row.addStretch(1)
        self.words_edit = QLineEdit(placeholderText="e.g. not good")
        self.words_edit.setToolTip("A filter whose rows are these words' vectors (scaled to "
                                   "length 1): it answers most where they stand in a row")
        self.words_edit.returnPressed.connect(self.add_word_filter)
        self.add_words_button = QPushButton("Add filter")
        self.add_words_button.setToolTip("Add a filter built from the words typed beside")
        self.add_words_button.clicked.connect(self.add_word_filter)
        self.remove_words_button = QPushButton("Remove word filters")
        self.remove_words_button.clicked.connect(self.remove_word_filters)
        words_row.addWidget(QLabel("Detect words:"))
        words_row.addWidget(self.words_edit, 1)
        words_row.addWidget(self.add_words_button)
        words_row.addWidget(self.remove_words_button)

        # left: the embedding matrix
        self.matrix = TokenMatrix()
        self.matrix_title = QLabel()
        self.matrix_title.setWordWrap(True)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.matrix_title)
        lv.addWidget(self.matrix, 1)

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
        maps_title = QLabel("<b>Feature maps</b>: window · filter + bias at each position; "
                            "orange frame = maximum", wordWrap=True)
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
        self.pooled_title = QLabel(wordWrap=True)
        classifier = QGroupBox("Classifier: pooled vector → fully connected → softmax")
        cg = QGridLayout(classifier)
        self.probability_bars: list[QProgressBar] = []
        for i, name in enumerate(LABELS):
            bar = QProgressBar(minimum=0, maximum=1000, textVisible=True)
            bar.setFormat(f"{name}: %p %")
            self.probability_bars.append(bar)
            cg.addWidget(bar, i, 0, 1, 2)
        self.train_button = QPushButton("Train")
        self.train_button.setToolTip("Learn the filters and the last layer from short labelled "
                                     "phrases made from a sentiment lexicon (a few seconds)")
        self.train_button.clicked.connect(self.start_training)
        self.stop_button = QPushButton("Stop", enabled=False)
        self.stop_button.clicked.connect(self.stop_training)
        self.train_status = QLabel(wordWrap=True)
        cg.addWidget(self.train_button, 2, 0)
        cg.addWidget(self.stop_button, 2, 1)
        cg.addWidget(self.train_status, 3, 0, 1, 2)
        pooling = QWidget()
        pv = QVBoxLayout(pooling)
        pv.setContentsMargins(0, 0, 0, 0)
        pv.addWidget(QLabel("<b>Max-over-time pooling</b>: each filter's best n-gram",
                            wordWrap=True))
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
        self._show_training_state()

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

    # --- the model ------------------------------------------------------------------------
    @property
    def model(self) -> TextCNN:
        return self._model

    @property
    def vocabulary(self) -> Vocabulary:
        return self._vocab

    def filter_names(self) -> list[str]:
        return [f.name for f in self._bank]

    def _on_vocab_changed(self) -> None:
        key = self.vocab_combo.currentData()
        self._vocab = glove_vectors() if key == "words" else character_vectors()
        self._default_model()
        self._sync_group_spins()
        self._changed_since_training = False
        self.words_edit.setPlaceholderText("e.g. not good" if key == "words" else "e.g. ing")
        self._show_training_state()
        self.refresh()

    def _sync_group_spins(self) -> None:
        widths = self._model.widths
        for g, (wspin, nspin) in enumerate(zip(self.width_spins, self.count_spins,
                                                strict=True)):
            members = [w for f, w in zip(self._bank, widths, strict=True) if f.group == g]
            with QSignalBlocker(wspin), QSignalBlocker(nspin):
                if members:
                    wspin.setValue(members[0])
                nspin.setValue(len(members))

    def _on_groups_changed(self) -> None:
        """Rebuild the learned filters after a width or count edit, keeping what fits."""
        old = self._model
        rng = np.random.default_rng(len(self._bank) + 1)
        filters, biases, rows, bank = [], [], [], []
        for g, (wspin, nspin) in enumerate(zip(self.width_spins, self.count_spins,
                                                strict=True)):
            width, count = wspin.value(), nspin.value()
            kept = [i for i, f in enumerate(self._bank)
                    if f.group == g and old.widths[i] == width][:count]
            for i in kept:
                filters.append(old.filters[i])
                biases.append(old.biases[i])
                rows.append(old.weights[i])
                bank.append(BankFilter("", g))
            for _ in range(count - len(kept)):
                filters.append(rng.normal(0, 1 / np.sqrt(width * old.dim),
                                          (width, old.dim)).astype(np.float32))
                biases.append(0.0)
                rows.append(np.zeros(len(LABELS)))
                bank.append(BankFilter("", g))
        for i, f in enumerate(self._bank):  # filters built from words stay
            if f.group < 0:
                filters.append(old.filters[i])
                biases.append(old.biases[i])
                rows.append(old.weights[i])
                bank.append(f)
        if not filters:
            self.message.emit("Keep at least one filter")
            self._sync_group_spins()
            return
        self._bank = bank
        self._model = TextCNN(filters, np.array(biases), np.array(rows), old.out_bias,
                              old.labels, old.trained)
        self._rename()
        self._changed_since_training = True
        self._show_training_state()
        self.refresh()

    def add_word_filter(self) -> None:
        """Add a filter whose rows are the vectors of the words typed in the field."""
        words = [t.text for t in self._vocab.split(self.words_edit.text())]
        try:
            f = filter_from_words(self._vocab, words)
        except ValueError as exc:
            self.unknown_label.setText(str(exc))
            self.unknown_label.show()
            return
        old = self._model
        # a zero row in the last layer: the classifier's answer is unchanged until training
        self._model = TextCNN([*old.filters, f], np.append(old.biases, 0.0),
                              np.vstack([old.weights, np.zeros(len(LABELS))]), old.out_bias,
                              old.labels, old.trained)
        shown = "".join(words) if self._vocab is character_vectors() else " ".join(words)
        self._bank.append(BankFilter(f"“{shown}” · w{len(words)}", -1))
        self.message.emit(f"Added a filter that detects “{shown}”")
        self.refresh()

    def remove_word_filters(self) -> None:
        keep = [i for i, f in enumerate(self._bank) if f.group >= 0]
        if len(keep) == len(self._bank):
            return
        if not keep:
            self.message.emit("Keep at least one filter")
            return
        old = self._model
        self._model = TextCNN([old.filters[i] for i in keep], old.biases[keep],
                              old.weights[keep], old.out_bias, old.labels, old.trained)
        self._bank = [self._bank[i] for i in keep]
        self.refresh()

    # --- computing and showing -------------------------------------------------------------
    def _on_sentence_changed(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Embed the sentence, run the filters, pool and classify; show it all."""
        text = self.sentence_edit.text()
        embedded = self._vocab.embed(text)
        self._embedded = embedded
        unknown = embedded.unknown
        self.unknown_label.setText(
            (f"Not in the vocabulary of {self._vocab.name}, shown as zero vectors: "
             + ", ".join(f"“{w}”" for w in unknown)) if unknown else "")
        self.unknown_label.setVisible(bool(unknown))
        if not embedded.tokens:
            self._clear("Type a sentence to see its vectors and the filters' responses.")
            return
        p = self.padding_spin.value()
        t = len(embedded.tokens)
        extra = max(0, self._model.min_length - (t + 2 * p))  # so the widest filter fits
        columns = [PAD] * p + [_token_label(tok) for tok in embedded.tokens] \
            + [PAD] * (extra + p)
        kinds = [RowKind.PADDING] * p \
            + [RowKind.KNOWN if k else RowKind.UNKNOWN for k in embedded.known] \
            + [RowKind.PADDING] * (extra + p)
        x = np.zeros((len(columns), self._vocab.dim), np.float32)
        x[p:p + t] = embedded.vectors
        self._columns, self._column_kinds, self._x = columns, kinds, x
        self._prediction = pred = self._model.predict(x)

        self.matrix.set_rows(columns, x, kinds)
        self.matrix_title.setText(
            f"<b>Sentence matrix</b> {len(columns)} × {self._vocab.dim}")
        self.matrix_title.setToolTip(
            f"{t} {'token' if t == 1 else 'tokens'}, each a row of {self._vocab.dim} numbers "
            f"(plus any padding rows). Colours: red positive, blue negative, white zero, full "
            f"colour at ±{self.matrix.limit():.2f}.")
        rows = [FilterRow(f.name, w, m, int(pos)) for f, w, m, pos in
                zip(self._bank, self._model.widths, pred.maps, pred.positions, strict=True)]
        self.chart.set_content(columns, [k == RowKind.PADDING for k in kinds], rows)
        self._show_winners(pred)
        self.pooled_view.set_values(pred.pooled[None, :])
        self.pooled_title.setText(f"<b>Pooled vector</b> ({len(pred.pooled)} numbers, one per "
                                  "filter, whatever the sentence length)")
        for bar, prob in zip(self.probability_bars, pred.probabilities, strict=True):
            bar.setValue(round(float(prob) * 1000))
        self._on_bar_hovered(-1, -1)

    def _clear(self, hint: str) -> None:
        self._prediction = None
        self._columns, self._column_kinds = [], []
        self.matrix.set_rows([], np.zeros((0, self._vocab.dim)), [])
        self.matrix_title.setText(hint)
        self.chart.set_content([], [], [])
        self.winners.setText("")
        self.pooled_view.set_values(np.zeros((0, 0)))
        self.pooled_title.setText("")
        for bar in self.probability_bars:
            bar.setValue(0)
        self._on_bar_hovered(-1, -1)

    def window_text(self, k: int, t: int) -> str:
        """The n-gram under filter ``k`` at position ``t``, as typed (padding as ⟨pad⟩)."""
        w = self._model.widths[k]
        p = self.padding_spin.value()
        tokens = self._embedded.tokens if self._embedded else []
        parts: list[str] = []
        real = [j - p for j in range(t, t + w) if 0 <= j - p < len(tokens)]
        if real:
            text = self.sentence_edit.text()
            parts.append(text[tokens[real[0]].start:tokens[real[-1]].end])
        n_pad = w - len(real)
        if n_pad:
            parts.append(" ".join([PAD] * n_pad))
        return " ".join(parts)

    def _show_winners(self, pred: Prediction) -> None:
        """Per filter: its pooled value and its winning n-gram highlighted in context."""
        text = self.sentence_edit.text()
        tokens = self._embedded.tokens
        p = self.padding_spin.value()
        lines = []
        for k, (f, w) in enumerate(zip(self._bank, self._model.widths, strict=True)):
            t = int(pred.positions[k])
            real = [j - p for j in range(t, t + w) if 0 <= j - p < len(tokens)]
            pads = w - len(real)
            if real:
                first, last = real[0], real[-1]
                a, b = tokens[first].start, tokens[last].end
                lo = tokens[max(first - CONTEXT, 0)].start
                hi = tokens[min(last + CONTEXT, len(tokens) - 1)].end
                shown = ("… " if first - CONTEXT > 0 else "") + html.escape(text[lo:a]) \
                    + f'<span style="background:{HIGHLIGHT}"><b>{html.escape(text[a:b])}' \
                    + (f" {PAD}" * pads) + "</b></span>" + html.escape(text[b:hi]) \
                    + (" …" if last + CONTEXT < len(tokens) - 1 else "")
            else:
                shown = f'<span style="background:{HIGHLIGHT}">{" ".join([PAD] * w)}</span>'
            lines.append(f"<tr><td><b>{html.escape(f.name)}</b></td>"
                         f"<td align=right>&nbsp;{pred.pooled[k]:.2f}&nbsp;</td>"
                         f"<td>{shown}</td></tr>")
        self.winners.setText("<table cellspacing=1>" + "".join(lines) + "</table>")

    def _on_bar_hovered(self, k: int, t: int) -> None:
        if k < 0 or self._prediction is None:
            self.matrix.set_marked(None)
            self.readout.setText(HINT)
            self.products.set_rows([], np.zeros((0, self._vocab.dim)), [])
            return
        w = self._model.widths[k]
        f = self._model.filters[k]
        window = self._x[t:t + w]
        products = window * f
        per_token = products.sum(axis=1)
        bias = float(self._model.biases[k])
        value = float(self._prediction.maps[k][t])
        self.matrix.set_marked((t, t + w))
        labels = self._columns[t:t + w]
        terms = " + ".join(f"{html.escape(lab)}·row{i + 1} ({v:+.2f})"
                           for i, (lab, v) in enumerate(zip(labels, per_token, strict=True)))
        self.readout.setText(
            f"<b>{html.escape(self._bank[k].name)}</b> at position {t}, window "
            f"“{html.escape(self.window_text(k, t))}”:<br>{terms} + bias ({bias:+.2f}) "
            f"= <b>{value:.3f}</b>")
        self.products.set_rows([f"{lab} ⊙ row{i + 1}" for i, lab in enumerate(labels)],
                               products, self._column_kinds[t:t + w])

    # --- training --------------------------------------------------------------------------
    def _training_data(self) -> tuple[list[Phrase], list[Phrase]]:
        if self._data is None:  # the same phrases serve words and characters
            self._data = default_sets()
        return self._data

    def is_training(self) -> bool:
        return self._worker is not None

    def start_training(self) -> None:
        if self._worker is not None:
            return
        try:
            phrases, held_out = self._training_data()
        except (ValueError, FileNotFoundError) as exc:
            self.train_status.setText(str(exc))
            return
        model, vocab = self._model.copy(), self._vocab
        self._worker = GeneratorWorker(
            lambda: train(model, vocab, phrases, held_out, seed=len(self._bank)), self)
        self._worker.step.connect(self._on_train_step)
        self._worker.failed.connect(self._on_train_failed)
        self._worker.finished.connect(self._on_worker_finished)
        self._set_editing_enabled(False)
        self.train_status.setText(f"Training on {len(phrases)} phrases …")
        self._worker.start()

    def stop_training(self) -> None:
        if self._worker is not None:
            self._worker.stop()

    def _on_train_step(self, step: TrainStep) -> None:
        if len(step.model.filters) != len(self._bank):
            return
        self._model = step.model
        self._changed_since_training = False
        self.train_status.setText(
            f"Epoch {step.epoch}/{step.epochs}: loss {step.loss:.3f}, accuracy "
            f"{step.accuracy:.0%} on the training phrases, {step.held_out_accuracy:.0%} on "
            "phrases around words it never saw")
        self.refresh()

    def _on_train_failed(self, message: str) -> None:
        self.train_status.setText(message)

    def _on_worker_finished(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.wait()
            worker.deleteLater()
        self._set_editing_enabled(True)
        self.training_finished.emit()

    def _set_editing_enabled(self, enabled: bool) -> None:
        for w in (*self.width_spins, *self.count_spins, self.vocab_combo, self.train_button,
                  self.add_words_button, self.remove_words_button, self.words_edit):
            w.setEnabled(enabled)
        self.stop_button.setEnabled(not enabled)

    def _show_training_state(self) -> None:
        if not self._model.trained:
            self.train_status.setText("Untrained: the filters are random and the last layer "
                                      "is zero. Press Train.")
        elif self._changed_since_training:
            self.train_status.setText("The filters changed since training: press Train to "
                                      "teach the last layer the new ones.")
        else:
            self.train_status.setText("Trained on short phrases made from a sentiment "
                                      "lexicon (e.g. “the food was not good”).")

    def cleanup(self) -> None:
        """Stop a running training and join its thread."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.step.disconnect()
            worker.stop()
            worker.deleteLater()
