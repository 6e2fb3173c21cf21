"""The layer picker: the network from stem to head, one row a layer, with its numbers.

Output size, learned parameters, multiply-accumulates and the receptive field of one unit, so a
student sees the maps shrink, the channels grow, where the parameters are (the last blocks)
and where the work is (the big early maps).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from explorer.core.formulas import shape_text
from explorer.core.network import LayerInfo
from explorer.core.params import format_count

COLUMNS = ("layer", "output W×H×C", "parameters", "MACs", "receptive field")
TIPS = (
    "The stem, 16 blocks (each: widen, filter each channel, narrow) and the head",
    "Size of the layer's output: width × height × channels (feature maps)",
    "Learned numbers: the kernels plus BatchNorm's scale and shift per channel",
    "Multiply-accumulates for one 224×224 picture: one per kernel weight per output value",
    "How many input pixels one unit of the layer sees (side of a square)",
)


def format_macs(n: int) -> str:
    """``18176256`` → ``"18.2 M"``: three significant digits are what a student compares."""
    if n >= 10**9:
        return f"{n / 1e9:.3g} G"
    if n >= 10**6:
        return f"{n / 1e6:.3g} M"
    return f"{n / 1e3:.3g} k" if n >= 1000 else str(n)


class LayerTable(QTableWidget):
    """One row a layer; choosing a row emits ``layer_chosen`` with the layer's name."""

    layer_chosen = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        for i, tip in enumerate(TIPS):
            self.horizontalHeaderItem(i).setToolTip(tip)
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        row = self.fontMetrics().height() + 6
        self.verticalHeader().setDefaultSectionSize(row)
        # the header and eight layers; the rest scroll
        self.setFixedHeight(9 * row + 2 * self.frameWidth())
        self._names: list[str] = []
        self.itemSelectionChanged.connect(self._on_selection)

    def set_layers(self, infos: Sequence[LayerInfo]) -> None:
        self.blockSignals(True)
        self.setRowCount(len(infos))
        self._names = [info.name for info in infos]
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for r, info in enumerate(infos):
            rf = info.rf.size
            cells = (info.name, shape_text(info.shape), format_count(info.parameters),
                     format_macs(info.macs), f"{rf}×{rf}" + (" (> picture)" if rf > 224 else ""))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{info.name}: {info.description}")
                if col in (2, 3):
                    item.setTextAlignment(right)
                self.setItem(r, col, item)
        self.blockSignals(False)

    def select_layer(self, name: str) -> None:
        if name in self._names:
            self.selectRow(self._names.index(name))

    def current_layer(self) -> str | None:
        rows = self.selectionModel().selectedRows()
        return self._names[rows[0].row()] if rows else None

    def _on_selection(self) -> None:
        name = self.current_layer()
        if name is not None:
            self.layer_chosen.emit(name)
