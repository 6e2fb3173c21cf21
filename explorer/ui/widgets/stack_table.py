"""The stack as a table: one row a layer, with what it gives and how far it sees.

Each row is one conv → activation → pool block: its output size, its receptive field (how
many input pixels one of its units sees, and how far apart neighbouring units look), its
parameters and its multiply-accumulates. The field column is the lecture's growing receptive
field: 3 → 4 → 8 → 10 … down a stack of 3×3 convolutions and 2×2 poolings.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from explorer.core.formulas import shape_text
from explorer.core.pipeline import LayerSpec
from explorer.core.stack_info import StageInfo
from explorer.ui.widgets.readout_view import activation_label

COLUMNS = ("block", "output", "field", "jump")
TIPS = (
    "The block: convolution (filters @ kernel size), activation and pooling",
    "The block's output: width × height × maps (after its pooling)",
    "Receptive field: how many input pixels (across) one output unit sees",
    "How many input pixels apart the fields of neighbouring output units are",
)


def block_text(spec: LayerSpec) -> str:
    """'8@3×3 max2': a block in a few characters (an activation other than ReLU is named;
    "/2" is a stride of 2)."""
    kh, kw = spec.kernel_shape
    text = f"{spec.n_filters}@{kh}×{kw}"
    if spec.stride[0] > 1:
        text += f"/{spec.stride[0]}"
    if spec.activation != "relu":
        text += f" {activation_label(spec.activation)}"
    if spec.pool_mode != "none":
        text += f" {spec.pool_mode}{spec.pool_size}"
    return text


class StackTable(QTableWidget):
    """Rows of layers; selecting a row selects that layer in the document."""

    layer_chosen = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        for col, tip in enumerate(TIPS):
            self.horizontalHeaderItem(col).setToolTip(tip)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(False)
        font = self.font()
        if font.pointSizeF() > 0:  # a narrow dock: a slightly smaller type fits the columns
            font.setPointSizeF(font.pointSizeF() * 0.9)
            self.setFont(font)
        self.itemSelectionChanged.connect(self._on_selection)

    def show_stack(self, specs: Sequence[LayerSpec], infos: Sequence[StageInfo],
                   selected: int) -> None:
        with QSignalBlocker(self):
            self.setRowCount(len(specs))
            for i, (spec, info) in enumerate(zip(specs, infos, strict=True)):
                out = info.output_shape
                field = info.output_field
                cells = [
                    f"{i + 1} · {block_text(spec)}",
                    "—" if out is None else shape_text(out),
                    "—" if field is None else _pair_text(field[0].size, field[1].size),
                    "—" if field is None else _pair_text(field[0].jump, field[1].jump),
                ]
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setToolTip(self._row_tip(i, info))
                    if col:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                              | Qt.AlignmentFlag.AlignVCenter)
                    self.setItem(i, col, item)
            self.selectRow(selected)
        self.setFixedHeight(self.horizontalHeader().height()
                            + sum(self.rowHeight(r) for r in range(self.rowCount())) + 4)

    @staticmethod
    def _row_tip(i: int, info: StageInfo) -> str:
        if info.error:
            return info.error
        lines = [f"Layer {i + 1}: input {'×'.join(map(str, info.input_shape))}"]
        if info.feature_shape is not None:
            lines.append("feature maps " + "×".join(map(str, info.feature_shape)))
        if info.pooled_shape is not None:
            lines.append("pooled maps " + "×".join(map(str, info.pooled_shape)))
        if info.conv_field is not None:
            lines.append(f"a feature-map unit sees {_field_text(info.conv_field)} input pixels")
        if info.pooled_field is not None:
            lines.append(f"a pooled unit sees {_field_text(info.pooled_field)} input pixels")
        lines.append(f"{info.params:,} parameters · {info.macs:,} multiply-accumulates")
        return "\n".join(lines)

    def _on_selection(self) -> None:
        rows = self.selectionModel().selectedRows()
        if rows:
            self.layer_chosen.emit(rows[0].row())


def _pair_text(a: int, b: int) -> str:
    return f"{a}" if a == b else f"{a}×{b}"


def _field_text(field) -> str:
    fr, fc = field
    size = f"{fr.size}" if fr.size == fc.size else f"{fr.size}×{fc.size}"
    jump = f"{fr.jump}" if fr.jump == fc.jump else f"{fr.jump}×{fc.jump}"
    return f"{size} (jump {jump})"
