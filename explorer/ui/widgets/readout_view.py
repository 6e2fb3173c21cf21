"""The hover readout: the numbers behind the feature-map or pooled pixel under the pointer.

For a feature-map pixel it shows, per input channel, the window of input values, the kernel
and their element-wise products, then the sum, the bias and the activation on one line
(``Σ = 41.0 + bias 1.0 = 42.0 → ReLU → 42.0``). For a pooled pixel it shows the window on the
feature map with the max-pooling winner framed, or the mean for average pooling. Every number
comes from :mod:`explorer.core.readout`, never recomputed here.

Tables too small for their numbers (a 15×15 kernel in a narrow window) keep their colours;
the line under them spells out the cell under the mouse (``R · input row 4, col 7 (tap 0, 2):
114 × −0.333 = −38.0``), and its tooltip says the same. A sum within float rounding of zero,
measured against the size of its terms, is shown as 0, not as 9.54e-07.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.readout import PixelExplanation, PooledExplanation
from explorer.ui.presentation_type import as_caption, as_heading
from explorer.ui.widgets.matrix_view import MatrixView, format_cell

__all__ = ["ReadoutView", "activation_label", "format_value", "settle_zero"]

ACTIVATION_LABELS = {
    "relu": "ReLU", "leaky_relu": "leaky ReLU", "tanh": "tanh", "sigmoid": "sigmoid",
    "abs": "|x|", "identity": "identity",
}
QUANTITIES = ("window", "kernel", "products")
HEADERS = ("window", "⊙ kernel", "= products", "Σ")
HINT = ("Hover a feature map to see the dot product behind a pixel, or a pooled map to see "
        "its pooling window.")
CELL_HINT = "Hover a cell to spell out its numbers."
SMALL_HINT = "Too small for every number: hover a cell to read it."
MAX_ROWS = 3  # input maps shown as tables; a deeper layer's others are summed in one line
CELL_PAD = 35  # a cell's margins, as text width at 100 px type (about 3 px at 9 px)
# A float32 sum carries rounding of about 6e-8 of the size of its terms; a sum within this
# share of Σ|terms| is zero for anyone reading it (1/3-weights on equal pixels give 9.54e-07).
ZERO_SHARE = 1e-6


def settle_zero(total: float, terms: np.ndarray | float) -> float:
    """``total``, or 0.0 when it lies within float rounding of zero next to its ``terms``.

    >>> settle_zero(9.54e-07, np.array([38.0, -38.0, 26.3, -26.3])), settle_zero(0.5, 1.0)
    (0.0, 0.5)
    """
    scale = float(np.sum(np.abs(np.asarray(terms, np.float64))))
    return 0.0 if abs(total) <= ZERO_SHARE * scale else float(total)


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
        self.headline = as_heading(QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText))
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
        self._hint = as_caption(QLabel(HINT, wordWrap=True,
                                    alignment=Qt.AlignmentFlag.AlignCenter))
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
            # a header never widens its column: the numbers below need the room
            header.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self._pixel_grid.addWidget(header, 0, col + 1)
            if col < len(QUANTITIES):
                self._pixel_grid.setColumnStretch(col + 1, 1)
        self._stretches: tuple[int, ...] = ()
        self._cell_font = QFont(self.font())
        self._cell_font.setPixelSize(100)  # widths measured at 100 px scale with the type
        self._names: list[str] = []
        self._shown_channels: list[int] = []
        self._pooled_view = MatrixView("signed")
        self._pooled_view.hovered.connect(self._on_pooled_cell_hovered)
        for page in (self._hint, self._pixel_page, self._pooled_view):
            self._stack.addWidget(page)
        self.cell_line = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.cell_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        layout.addWidget(self._stack)
        layout.addWidget(self.cell_line)
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

    def tables_fit_numbers(self) -> bool:
        """Whether every table on show has room for its numbers at its present size."""
        if self._stack.currentWidget() is self._pooled_view:
            return bool(self._pooled_view.shown_texts())
        if self._stack.currentWidget() is not self._pixel_page:
            return True
        return all(bool(self._matrices[(q, row)].shown_texts())
                   for row in range(len(self._shown_channels)) for q in QUANTITIES)

    # --- content ------------------------------------------------------------------------
    def clear(self) -> None:
        self.explanation = None
        self.headline.setText("Hover readout")
        self.detail.clear()
        self.formula.clear()
        self.cell_line.clear()
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
        self._names = names
        self._shown_channels = shown
        self.headline.setText(f"{name} · pixel (row {ex.row}, col {ex.col}) = "
                              f"{format_value(self.shown_value(ex))}")
        r0, r1, c0, c1 = ex.extent
        maps = "input" if channels <= 3 else f"its {channels} input maps"
        where = f"{maps}: rows {_rows_text(r0, r1)}, cols {_rows_text(c0, c1)}"
        pads = int(ex.in_padding.sum())
        if pads:
            where += f" · {pads} of {ex.in_padding.size} taps on the padding"
        rest = [c for c in range(channels) if c not in shown]
        if rest:
            others = settle_zero(float(np.sum(ex.channel_sums[rest], dtype=np.float64)),
                                 ex.products[:, :, rest])
            where += (f"\nthe 3 maps that add the most are shown; the other {len(rest)} add "
                      f"Σ = {format_value(others)}")
        self.detail.setText(where)
        white = 255.0 if float(np.nanmax(ex.window, initial=0.0)) > 1.5 else 1.0
        for row, c in enumerate(shown):
            self._matrices[("window", row)].set_values(ex.window[:, :, c], ex.in_padding,
                                                       white=white)
            self._matrices[("kernel", row)].set_values(ex.kernel[:, :, c])
            self._matrices[("products", row)].set_values(ex.products[:, :, c], ex.in_padding)
            self._sum_labels[row].setText(
                format_value(settle_zero(float(ex.channel_sums[c]), ex.products[:, :, c])))
        self._fit_columns(ex, shown)
        self.formula.setText(self.formula_text(ex))
        self._stack.setCurrentWidget(self._pixel_page)
        self._show_cell(None)

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
        self._show_cell(None)

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
        total = settle_zero(ex.total, ex.products)
        pre = settle_zero(ex.pre_activation, np.append(ex.products, ex.bias))
        text = (f"Σ = {format_value(total)} + bias {format_value(ex.bias)} = "
                f"{format_value(pre)}")
        if ex.activation == "identity":
            return text + " (no activation)"
        return (text + f" → {activation_label(ex.activation)} → "
                f"{format_value(ReadoutView.shown_value(ex))}")

    @staticmethod
    def shown_value(ex: PixelExplanation) -> float:
        """The pixel's value as read: 0 when it is float rounding of a zero sum."""
        return settle_zero(ex.value, np.append(ex.products, ex.bias))

    # --- the cell under the mouse --------------------------------------------------------
    def _on_cell_hovered(self, row: int, r: int, c: int) -> None:
        self._show_cell(None if r < 0 else (row, r, c))

    def _on_pooled_cell_hovered(self, r: int, c: int) -> None:
        self._show_cell(None if r < 0 else (-1, r, c))

    def _show_cell(self, cell: tuple[int, int, int] | None) -> None:
        """Spell out one cell's numbers under the tables (and in its tooltip), or a hint."""
        ex = self.explanation
        text = None if cell is None or ex is None else self.cell_text(ex, *cell)
        for (_, row), view in self._matrices.items():
            on_row = text is not None and cell is not None and cell[0] == row
            view.set_hover((cell[1], cell[2]) if on_row else None)  # type: ignore[index]
            view.tip = text if on_row else ""
        pooled = text is not None and cell is not None and cell[0] == -1
        self._pooled_view.set_hover((cell[1], cell[2]) if pooled else None)  # type: ignore[index]
        self._pooled_view.tip = text if pooled else ""
        if text is None:
            self.cell_line.setEnabled(False)
            self.cell_line.setText("" if ex is None else
                                   CELL_HINT if self.tables_fit_numbers() else SMALL_HINT)
        else:
            self.cell_line.setEnabled(True)
            self.cell_line.setText(text)

    def cell_text(self, ex: PixelExplanation | PooledExplanation, row: int, r: int,
                  c: int) -> str | None:
        """'R · input row 4, col 7 (tap 0, 2): 114.0 × -0.333 = -38.0' for table row ``row``
        (-1: the pooling window), cell (r, c); None for a cell that is not there."""
        if isinstance(ex, PooledExplanation):
            if row != -1 or not (0 <= r < ex.values.shape[0] and 0 <= c < ex.values.shape[1]):
                return None
            fr, fc = int(ex.rows[r]), int(ex.cols[c])
            note = " (the winner)" if ex.winner == (fr, fc) else ""
            return (f"feature map row {fr}, col {fc}: "
                    f"{format_value(float(ex.values[r, c]))}{note}")
        if not (0 <= row < len(self._shown_channels)
                and 0 <= r < ex.window.shape[0] and 0 <= c < ex.window.shape[1]):
            return None
        ch = self._shown_channels[row]
        name = self._names[ch] if ch < len(self._names) else f"map {ch + 1}"
        note = " (padding)" if ex.in_padding[r, c] else ""
        return (f"{name} · input row {int(ex.rows[r])}, col {int(ex.cols[c])} (tap {r}, {c})"
                f"{note}: {format_value(float(ex.window[r, c, ch]))} × "
                f"{format_value(float(ex.kernel[r, c, ch]))} = "
                f"{format_value(float(ex.products[r, c, ch]))}")

    def _fit_columns(self, ex: PixelExplanation, shown: list[int]) -> None:
        """Share the width among the tables by how wide their numbers are, so all three
        get one size of type: a window of 3-digit pixels needs less room than -0.333s."""
        metrics = QFontMetricsF(self._cell_font)
        stretches = []
        for quantity in QUANTITIES:
            values = getattr(ex, quantity)[:, :, shown]
            texts = {format_cell(v) for v in values.ravel()}
            widest = max((metrics.horizontalAdvance(t) for t in texts), default=10.0)
            stretches.append(int(values.shape[1] * (widest + CELL_PAD)))
        stretches_t = tuple(stretches)
        if stretches_t != self._stretches:
            self._stretches = stretches_t
            for col, stretch in enumerate(stretches_t):
                self._pixel_grid.setColumnStretch(col + 1, stretch)

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
                view.hovered.connect(lambda r, cc, row=c: self._on_cell_hovered(row, r, cc))
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
