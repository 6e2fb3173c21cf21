"""Cards under the parameter chart: one layer's numbers, or one whole network's, layer by layer.

Each card is headed by its kind in the colour of its bars, then its count in large type, the
exact split into weights and biases, the formula with the current numbers, and float32 memory
and work per image in smaller type. Numbers never break inside: a label wraps only before a
×, = or ≈.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontInfo, QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout

from explorer.core.mlp_vs_cnn import Network
from explorer.core.params import (
    LayerCounts,
    format_bytes,
    format_count,
    format_exact,
    format_headline,
    format_power,
)
from explorer.ui.presentation_type import as_heading, least_px
from explorer.ui.widgets.log_bar_chart import fitting_points

__all__ = ["NBSP", "SMALL_PT", "LayerCard", "NetworkCard", "font"]

NBSP = "\u00a0"  # a space where a label must not wrap
SMALL_PT = 11  # the smallest type on the panel, still legible from the middle of a room


def font(points: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSize(points)
    f.setBold(bold)
    return f


class _Card(QFrame):
    """A titled card with a large count; subclasses add their lines."""

    def __init__(self, name: str, meaning: str, colour: str) -> None:
        super().__init__(frameShape=QFrame.Shape.StyledPanel)
        self.setObjectName("countCard")
        self.setStyleSheet(f"#countCard {{ border-top: 6px solid {colour}; }}")
        self.setFont(font(SMALL_PT))
        self.title = as_heading(QLabel(name))
        self.title.setStyleSheet(f"color: {colour};")
        self.subtitle = QLabel(meaning, wordWrap=True)
        self.count = QLabel()
        self.split = QLabel(wordWrap=True)  # weights + biases: the exact numbers
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 4, 8, 6)
        self._layout.setSpacing(1)
        self._add(self.title, self.subtitle, self.count, self.split)

    def _add(self, *labels: QLabel) -> None:
        for label in labels:
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # the cards share the width equally, whatever their text
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self._layout.addWidget(label)

    def _show_total(self, params: int, weights: int, biases: int) -> None:
        self.count.setText(format_headline(params))  # 10² as on the chart, not 100
        if biases:
            split = f"= {format_count(weights)} weights + {format_count(biases)} biases"
        else:
            split = f"= {format_count(weights)} weights, no biases"
        self.split.setText(breaking_before(split, ("+", "no")))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()

    def _fit_text(self) -> None:
        """Name and count in the largest type that fits: digits should not wrap (the name
        no smaller than presentation mode's headings)."""
        width = self.contentsRect().width() - 20
        title = font(fitting_points(self.title.text(), width, 15, smallest=SMALL_PT),
                     bold=True)
        least = least_px(self.title)
        if least and QFontInfo(title).pixelSize() < least:
            title.setPixelSize(least)
        self.title.setFont(title)
        self.count.setFont(font(fitting_points(self.count.text(), width, 22, smallest=9),
                                bold=True))

    def show_nothing(self) -> None:
        self.count.setText("—")
        self.split.clear()


class LayerCard(_Card):
    """One layer's numbers: its count, its formula, its memory and its work per image.

    Compact enough for three side by side under the chart in a 1280×720 window: the count
    and the formula stay large and on one line, the explanations wrap in smaller type.
    """

    def __init__(self, name: str, meaning: str, colour: str) -> None:
        super().__init__(name, meaning, colour)
        self.formula = QLabel(wordWrap=True)  # wraps only where the smallest type is too wide
        self.details = QLabel(wordWrap=True)
        self.more = QLabel(wordWrap=True)  # the same window with more filters, when compared
        self._add(self.formula, self.details, self.more)
        self.more.hide()
        self._layout.addStretch(1)
        self._fit_text()

    def show_counts(self, counts: LayerCounts, outputs_text: str,
                    more: tuple[int, LayerCounts] | None = None) -> None:
        """Show a layer's ``counts``; ``more`` = (filters, counts) of the same window with
        more filters, written on one more line."""
        self._show_total(counts.params, counts.weights, counts.biases)
        self.formula.setText(_formula_text(counts.formula))
        memory = f"float32: {format_bytes(counts.bytes)} · MACs: {format_power(counts.macs)}"
        outputs = f"outputs: {outputs_text}"
        self.details.setText(breaking_before(memory, ("MACs:",)) + "\n"
                             + breaking_before(outputs, ("=",)))
        if more is None:
            self.more.clear()
            self.more.hide()
        else:
            filters, extra = more
            self.more.setText(f"with{NBSP}{format_count(filters)}{NBSP}filters: "
                              + _formula_text(extra.formula))
            self.more.show()
        self._fit_text()

    def _fit_text(self) -> None:
        """The formula takes as few lines as it can, in the largest type that gives that few
        (the smallest if it needs three); it breaks before its ×, = or ≈ only."""
        super()._fit_text()
        width = self.contentsRect().width() - 20
        pieces = self.formula.text().split(" ")
        # fewest lines first, then the largest type (range: from 14 points down)
        points = min(range(14, SMALL_PT - 1, -1),
                     key=lambda pt: (lines_needed(pieces, font(pt), width), -pt))
        if lines_needed(pieces, font(points), width) > 2:
            points = SMALL_PT  # three lines or more: small type keeps the card short
        self.formula.setFont(font(points))

    def show_nothing(self) -> None:
        super().show_nothing()
        for label in (self.formula, self.details, self.more):
            label.clear()
        self.more.hide()


class NetworkCard(_Card):
    """A whole network: its total, then one line a layer (pooling joined to its convolution),
    each with its formula and the shape it gives. What the network is says the title's
    tooltip: the card stays short enough to leave the chart its height."""

    def __init__(self, name: str, meaning: str, colour: str) -> None:
        super().__init__(name, meaning, colour)
        self.subtitle.hide()
        self.split.hide()  # the exact split goes to the last line
        self.title.setToolTip(meaning)
        self.layers = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.details = QLabel(wordWrap=True)
        self._add(self.layers, self.details)
        self._layout.addStretch(1)
        self.lines: list[str] = []  # one a layer, as read (plain text), for tests and export
        self._fit_text()

    def describe(self, name: str, meaning: str) -> None:
        self.title.setText(name)
        self.title.setToolTip(meaning)
        self._fit_text()

    def show_network(self, network: Network) -> None:
        self._show_total(network.params, network.weights, network.biases)
        self.lines = layer_lines(network)
        rows = []
        for line in self.lines:
            name, _, rest = line.partition(": ")
            rest = breaking_before(rest, ("=", "≈", "→"))
            rows.append(f"<b>{html.escape(name)}</b>: {html.escape(rest)}")
        self.layers.setText("<br>".join(rows))
        split = (f"{format_count(network.weights)} weights + "
                 f"{format_count(network.biases)} biases" if network.biases else "no biases")
        memory = (f"{split} · float32: {format_bytes(network.bytes)} · "
                  f"MACs: {format_power(network.macs)}")
        self.details.setText(breaking_before(memory, ("·",)))
        self._fit_text()

    def show_nothing(self) -> None:
        super().show_nothing()
        self.layers.clear()
        self.details.clear()
        self.lines = []


def layer_lines(network: Network) -> list[str]:
    """One line a layer as "conv 1: 10·10 × 100 = 10,000 → 1000×1000×100, pooled 500×500×100"
    (a pooling layer joined to the convolution before it)."""
    lines: list[str] = []
    for layer in network.layers:
        shape = layer.output_shape
        if layer.kind == "pool" and lines:
            lines[-1] += f", pooled {_shape(shape)}"
            continue
        what = f"{format_exact(shape[0])} units" if layer.kind == "dense" else _shape(shape)
        if layer.name == "classes":
            what = f"{format_exact(shape[0])} class scores"
        lines.append(f"{layer.name}: {layer.counts.formula} → {what}")
    return lines


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _formula_text(formula: str) -> str:
    exact, _, rounded = formula.partition(" ≈ ")  # "≈ 1.97 × 10⁸" stays whole
    return (breaking_before(exact, ("×", "="))
            + (f" {breaking_before('≈ ' + rounded, ())}" if rounded else ""))


def breaking_before(text: str, words: tuple[str, ...]) -> str:
    """``text`` that wraps only before one of ``words``: its other spaces do not break.

    A narrow card then wraps "(227·227·3 + 1) × 55·55·96 = 44,892,355,200" between its
    factors, never inside a number or a bracket.
    """
    pieces = text.split(" ")
    return pieces[0] + "".join(
        (" " if piece in words else NBSP) + piece for piece in pieces[1:])


def lines_needed(pieces: list[str], f: QFont, width: float) -> int:
    """How many lines a label wrapping between ``pieces`` (joined by spaces) takes."""
    metrics = QFontMetricsF(f)
    lines, line = 1, ""
    for piece in pieces:
        joined = f"{line} {piece}" if line else piece
        if line and metrics.horizontalAdvance(joined) + 8 > width:
            lines, line = lines + 1, piece
        else:
            line = joined
    return lines
