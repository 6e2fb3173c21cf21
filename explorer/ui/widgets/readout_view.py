"""The hover readout: the numbers behind the feature-map or pooled pixel under the pointer.

For a feature-map pixel it shows, per input channel, the window of input values, the kernel
and their element-wise products, then the sum, the bias and the activation on one line
(``Σ = 41.0 + bias 1.0 = 42.0 → ReLU → 42.0``). For a pooled pixel it shows the window on the
feature map with the max-pooling winner framed, or the mean for average pooling. Every number
comes from :mod:`explorer.core.readout`, never recomputed here.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.readout import PixelExplanation, PooledExplanation
from explorer.ui.widgets.matrix_view import MatrixView

__all__ = ["ReadoutView", "activation_label", "format_value"]

ACTIVATION_LABELS = {
    "relu": "ReLU", "leaky_relu": "leaky ReLU", "tanh": "tanh", "sigmoid": "sigmoid",
    "abs": "|x|", "identity": "identity",
}
QUANTITIES = ("window", "kernel", "products")
HEADERS = ("input window", "⊙ kernel", "= products", "Σ")
HINT = ("Hover a feature map to see the dot product behind a pixel, or a pooled map to see "
        "its pooling window.")
MAX_ROWS = 3  # input maps shown as tables; a deeper layer's others are summed in one line


def format_value(value: float) -> str:
    """A result for a sentence: about four significant digits, always one decimal or more.

    >>> format_value(42), format_value(-0.125), format_value(1234.5678)
    ('42.0', '-0.125', '1234.6')
    """
    v = float(value)
    if not math.isfinite(v):
        return str(v)
    if v == 0:
        return "0.0"
    a = abs(v)
    if a >= 1e5 or a < 1e-3:
        return f"{v:.3g}"
    decimals = 1 if a >= 100 else 2 if a >= 1 else 3
    text = f"{v:.{decimals}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def activation_label(name: str) -> str:
    return ACTIVATION_LABELS.get(name, name)


def _channel_names(c: int) -> list[str]:
    return ["R", "G", "B"] if c == 3 else ["gray"] if c == 1 else [f"ch {i}" for i in range(c)]


def _rows_text(start: int, stop: int) -> str:
    return f"{start}" if stop - start == 1 else f"{start}–{stop - 1}"


class ReadoutView(QWidget):
    """Shows a :class:`PixelExplanation` or a :class:`PooledExplanation` (or a hint)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.explanation: PixelExplanation | PooledExplanation | None = None
        self.headline = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.detail = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.formula = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        big = self.formula.font()
        big.setPointSizeF(big.pointSizeF() * 1.15)
        self.formula.setFont(big)

        self._stack = QStackedWidget()
        self._hint = QLabel(HINT, wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self._hint.setEnabled(False)
        self._pixel_page = QWidget()
        self._pixel_grid = QGridLayout(self._pixel_page)
        self._pixel_grid.setContentsMargins(0, 0, 0, 0)
        self._pixel_grid.setSpacing(4)
        self._matrices: dict[tuple[str, int], MatrixView] = {}
        self._channel_labels: list[QLabel] = []
        self._sum_labels: list[QLabel] = []
        for col, text in enumerate(HEADERS):
            header = QLabel(text, alignment=Qt.AlignmentFlag.AlignCenter)
            header.setEnabled(False)
            self._pixel_grid.addWidget(header, 0, col + 1)
            if col < len(QUANTITIES):
                self._pixel_grid.setColumnStretch(col + 1, 1)
        self._pooled_view = MatrixView("signed")
        for page in (self._hint, self._pixel_page, self._pooled_view):
            self._stack.addWidget(page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        layout.addWidget(self._stack)
        layout.addWidget(self.formula)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.clear()

    # --- reading (tests use these) ------------------------------------------------------
    def matrix(self, quantity: str, channel: int = 0) -> MatrixView:
        """The view of "window", "kernel" or "products" in row ``channel`` of the tables."""
        return self._matrices[(quantity, channel)]

    @property
    def pooled_matrix(self) -> MatrixView:
        return self._pooled_view

    def channel_sum_texts(self) -> list[str]:
        return [label.text() for label in self._sum_labels if label.isVisible()]

    # --- content ------------------------------------------------------------------------
    def clear(self) -> None:
        self.explanation = None
        self.headline.setText("Hover readout")
        self.detail.clear()
        self.formula.clear()
        self._stack.setCurrentWidget(self._hint)

    def show_pixel(self, ex: PixelExplanation, name: str,
                   input_names: list[str] | None = None) -> None:
        """The dot product behind feature map ``ex.k`` at ``(ex.row, ex.col)``.

        ``input_names`` name the maps the layer sees (R, G, B, or a previous layer's filters).
        A layer that sees more than three maps shows the three that add the most (largest
        |Σ|) as tables and sums the rest in one line.
        """
        self.explanation = ex
        channels = ex.window.shape[2]
        names = list(input_names or _channel_names(channels))
        if channels <= MAX_ROWS:
            shown = list(range(channels))
        else:
            order = np.argsort(-np.abs(ex.channel_sums), kind="stable")
            shown = sorted(int(c) for c in order[:MAX_ROWS])
        self._ensure_channel_rows([names[c] if c < len(names) else f"map {c + 1}"
                                   for c in shown])
        self.headline.setText(f"{name} · pixel (row {ex.row}, col {ex.col}) = "
                              f"{format_value(ex.value)}")
        r0, r1, c0, c1 = ex.extent
        maps = "input" if channels <= 3 else f"its {channels} input maps"
        where = f"{maps}: rows {_rows_text(r0, r1)}, cols {_rows_text(c0, c1)}"
        pads = int(ex.in_padding.sum())
        if pads:
            where += f" · {pads} of {ex.in_padding.size} taps on the padding"
        rest = [c for c in range(channels) if c not in shown]
        if rest:
            others = float(np.sum(ex.channel_sums[rest], dtype=np.float64))
            where += (f"\nthe 3 maps that add the most are shown; the other {len(rest)} add "
                      f"Σ = {format_value(others)}")
        self.detail.setText(where)
        white = 255.0 if float(np.nanmax(ex.window, initial=0.0)) > 1.5 else 1.0
        for row, c in enumerate(shown):
            self._matrices[("window", row)].set_values(ex.window[:, :, c], ex.in_padding,
                                                       white=white)
            self._matrices[("kernel", row)].set_values(ex.kernel[:, :, c])
            self._matrices[("products", row)].set_values(ex.products[:, :, c], ex.in_padding)
            self._sum_labels[row].setText(format_value(ex.channel_sums[c]))
        self.formula.setText(self.formula_text(ex))
        self._stack.setCurrentWidget(self._pixel_page)

    def show_pooled(self, ex: PooledExplanation, name: str) -> None:
        """The pooling window behind pooled map ``ex.k`` at ``(ex.row, ex.col)``."""
        self.explanation = ex
        kind = "max" if ex.mode == "max" else "average"
        self.headline.setText(f"{kind} pool of {name} · pixel (row {ex.row}, col {ex.col}) = "
                              f"{format_value(ex.value)}")
        r0, r1, c0, c1 = ex.extent
        self.detail.setText(f"its window on the feature map: rows {_rows_text(r0, r1)}, "
                            f"cols {_rows_text(c0, c1)}")
        marked = set()
        if ex.winner is not None:
            marked = {(ex.winner[0] - r0, ex.winner[1] - c0)}
        self._pooled_view.set_values(ex.values, marked=marked)
        self.formula.setText(self.formula_text(ex))
        self._stack.setCurrentWidget(self._pooled_view)

    @staticmethod
    def formula_text(ex: PixelExplanation | PooledExplanation) -> str:
        """The one-line arithmetic under the tables."""
        if isinstance(ex, PooledExplanation):
            n = ex.values.size
            if ex.winner is not None:
                wr, wc = ex.winner
                return (f"max of {n} values = {format_value(ex.value)} "
                        f"(the winner, at row {wr}, col {wc})")
            total = float(ex.values.sum(dtype=np.float64))
            if n <= 9:
                terms = " + ".join(format_value(v) for v in ex.values.ravel())
                return f"mean = ({terms}) / {n} = {format_value(ex.value)}"
            return f"mean = {format_value(total)} / {n} = {format_value(ex.value)}"
        text = (f"Σ = {format_value(ex.total)} + bias {format_value(ex.bias)} = "
                f"{format_value(ex.pre_activation)}")
        if ex.activation == "identity":
            return text + " (no activation)"
        return text + f" → {activation_label(ex.activation)} → {format_value(ex.value)}"

    def _ensure_channel_rows(self, names: list[str]) -> None:
        channels = len(names)
        while len(self._channel_labels) < channels:
            c = len(self._channel_labels)
            row = c + 1
            label = QLabel(alignment=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                           textFormat=Qt.TextFormat.PlainText)
            self._pixel_grid.addWidget(label, row, 0)
            self._channel_labels.append(label)
            for col, quantity in enumerate(QUANTITIES):
                view = MatrixView("picture" if quantity == "window" else "signed")
                self._matrices[(quantity, c)] = view
                self._pixel_grid.addWidget(view, row, col + 1)
            total = QLabel(alignment=Qt.AlignmentFlag.AlignCenter,
                           textFormat=Qt.TextFormat.PlainText)
            self._sum_labels.append(total)
            self._pixel_grid.addWidget(total, row, len(QUANTITIES) + 1)
        for c, label in enumerate(self._channel_labels):
            visible = c < channels
            label.setVisible(visible)
            if visible:
                label.setText(names[c] if len(names[c]) <= 8 else names[c][:7] + "…")
                label.setToolTip(names[c])
            self._sum_labels[c].setVisible(visible)
            for quantity in QUANTITIES:
                self._matrices[(quantity, c)].setVisible(visible)
