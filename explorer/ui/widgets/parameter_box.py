"""The "Parameters of this layer" box: dense vs locally connected vs this convolution."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QWidget

from explorer.core import params
from explorer.core.formulas import short_count
from explorer.ui.widgets.formula_label import WARNING_STYLE

_ROWS = (
    ("dense", "dense",
     "A fully connected layer with as many units as this layer has outputs: every unit has a "
     "weight for every input value."),
    ("local", "locally connected",
     "A locally connected layer: the same windows as this convolution, but every output unit "
     "has its own weights and bias (no sharing)."),
    ("conv", "this convolution",
     "This convolution: one kernel per filter, shared by every position, plus one bias per "
     "filter."),
)


class ParameterBox(QGroupBox):
    """Three short lines: the parameters each kind of layer needs for the same input and output.

    The dense layer gets H'·W'·K units, so all three layers produce as many values.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Parameters of this layer", parent)
        self.setToolTip(
            "Weights + biases each kind of layer needs to turn this input into as many outputs "
            "as this convolution: sharing one small kernel is what makes a CNN affordable."
        )
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(1)
        grid.setColumnStretch(1, 1)
        self.counts: dict[str, QLabel] = {}
        for row, (kind, title, tip) in enumerate(_ROWS):
            name = QLabel(title)
            name.setToolTip(tip)
            count = QLabel(alignment=Qt.AlignmentFlag.AlignRight)
            count.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, row, 0)
            grid.addWidget(count, row, 1)
            self.counts[kind] = count
        self.problem = QLabel(wordWrap=True)
        self.problem.setStyleSheet(WARNING_STYLE)
        self.problem.hide()
        grid.addWidget(self.problem, len(_ROWS), 0, 1, 2)

    def show_layer(
        self,
        input_shape: tuple[int, int, int],
        kernel_size: tuple[int, int],
        filters: int,
        stride: int,
        padding: str | tuple[int, int],
        dilation: int,
    ) -> None:
        """Count the three layers for an (H, W, C) input; say why when the layer cannot work."""
        try:
            counts = params.compare(
                input_shape, kernel_size, filters, stride=stride, padding=padding,
                dilation=dilation,
            )
        except ValueError:
            # The output-size formulas say why; here it is enough that nothing is compared.
            for label in self.counts.values():
                label.setText("—")
                label.setToolTip("")
            conv = params.conv_params(kernel_size, input_shape[2], filters)
            self.counts["conv"].setText(short_count(conv))
            self.problem.setText("No output with these settings, so no dense or locally "
                                 "connected layer to compare.")
            self.problem.show()
            return
        self.problem.hide()
        for kind, label in self.counts.items():
            c = counts[kind]
            label.setText(short_count(c.params))
            label.setToolTip(
                f"{params.format_count(c.weights)} weights + {params.format_count(c.biases)} "
                f"biases\n{c.formula}"
            )
