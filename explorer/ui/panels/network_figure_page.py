"""The Network tab's "Learned filters" page: the lecture's AlexNet figure from real weights.

Beside the stem's 32 kernels of 3×3, the input-space filters of an early layer (by default
block 2's depthwise convolution: 96 colour filters of 11×11, AlexNet's number and size), and
a sentence on why they look like AlexNet's. The figure is made on the tab's worker; this page
writes the layer chosen to ``document.network.filter_layer`` and paints the tiles.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.core.network.filter_figure import FilterFigure, resemblance
from explorer.core.network.unit_filters import FILTER_LAYERS, filter_shape
from explorer.state import Document
from explorer.ui.widgets.filter_tiles import FilterTiles

STEM_TITLE = "Stem: 32 kernels of 3×3×3"
WAITING = "Working out the filters…"


def layer_item(layer: str) -> str:
    channels, k = filter_shape(layer)
    return f"{layer} ({channels} filters of {k}×{k})"


class FilterFigurePage(QWidget):
    """See the module docstring."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._layer = ""  # the layer of the figure on screen
        self.layer_combo = QComboBox()
        for layer in FILTER_LAYERS:
            self.layer_combo.addItem(layer_item(layer), layer)
        self.layer_combo.setToolTip("The early layer whose units' input-space filters are "
                                    "drawn: the gradient of the centre unit with respect to "
                                    "each input pixel and colour, at a mid-grey picture")
        self.layer_combo.currentIndexChanged.connect(self._on_layer_chosen)
        self.stem = FilterTiles(min_zoom=8, columns=4)  # its own size: the filters get the rest
        self.filters = FilterTiles(min_zoom=1)  # it grows with the page; at least 1:1
        self.stem_title = QLabel(STEM_TITLE)
        self.filters_title = QLabel(WAITING)
        for label in (self.stem_title, self.filters_title):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.why = QLabel()
        self.why.setWordWrap(True)

        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Input-space filters of"))
        chooser.addWidget(self.layer_combo)
        chooser.addStretch(1)
        figure = QGridLayout()
        figure.addWidget(self.stem_title, 0, 0)
        figure.addWidget(self.filters_title, 0, 1)
        figure.addWidget(self.stem, 1, 0, Qt.AlignmentFlag.AlignTop)
        figure.addWidget(self.filters, 1, 1)
        figure.setColumnStretch(1, 1)
        figure.setRowStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addLayout(figure, 1)
        layout.addWidget(self.why)

    def _on_layer_chosen(self, index: int) -> None:
        layer = self.layer_combo.itemData(index)
        if layer is not None:
            self.document.network.filter_layer = layer

    def show_settings(self) -> None:
        layer = self.document.network.filter_layer
        with QSignalBlocker(self.layer_combo):
            self.layer_combo.setCurrentIndex(max(0, self.layer_combo.findData(layer)))
        if self._layer != layer:
            self.filters_title.setText(WAITING)

    def show_figure(self, figure: FilterFigure) -> None:
        self._layer = figure.layer
        self.stem.set_tiles(figure.stem_tiles)
        self.stem.setFixedSize(self.stem.minimumSizeHint())
        self.filters.set_tiles(figure.tiles)
        self.filters_title.setText(figure.caption())
        self.why.setText(resemblance(figure.layer, figure.field))

    def shown_layer(self) -> str:
        return self._layer
