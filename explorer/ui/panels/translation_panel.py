"""The Translation tab's view: the shift, the maps before and after, the similarity curves.

It writes the shift and the filter to ``document.translation`` and draws what its controller
(:mod:`explorer.ui.controllers.translation`) hands it: pictures already coloured on the
worker, into image items made once per set of representations and reused after that.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.invariance import DENSE, PIXELS, TranslationStudy
from explorer.state import Document
from explorer.state.limits import int_range
from explorer.ui.presentation_type import as_caption, as_explanation

EXPLANATION = (
    "Move the picture sideways. A convolution's maps move with it: moved back, they match "
    "exactly (equivariance, the dashed lines at 1), so compared in place (solid lines) they "
    "change fast. Pooling and depth make the output change less in place (local invariance). "
    "A dense layer has no positions: there is nothing to move back, and its output changes "
    "as the raw pixels do."
)
STACKS = {
    "explorer": "the explorer's stack",
    "pretrained": "learned kernels: the pretrained network's first two convolutions",
}
PENS = ("#888888", "#0072B2", "#56B4E9", "#009E73", "#8FD175", "#D55E00", "#F0A868",
        "#CC79A7", "#E69F00")


class TranslationPanel(QWidget):
    """Shift slider, maps before and after, and similarity curves per layer."""

    def __init__(self, document: Document, crop: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._crop = crop
        self.study: TranslationStudy | None = None
        self._items: dict[str, tuple[pg.ImageItem, pg.ImageItem]] = {}
        self._labels: dict[str, pg.LabelItem] = {}
        self._row_labels: tuple[pg.LabelItem, pg.LabelItem] | None = None

        settings = document.translation
        low, high = int_range("shift", "TranslationSettings")
        intro = as_explanation(QLabel(EXPLANATION, wordWrap=True))
        self.shift_slider = QSlider(Qt.Orientation.Horizontal, minimum=low, maximum=high,
                                    value=settings.shift,
                                    toolTip="How many pixels the picture moves right")
        self.shift_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.shift_spin = QSpinBox(minimum=low, maximum=high, value=settings.shift,
                                   suffix=" px", keyboardTracking=False)
        f_low, f_high = int_range("filter", "TranslationSettings")
        self.filter_spin = QSpinBox(minimum=f_low + 1, maximum=f_high + 1,
                                    value=settings.filter + 1, prefix="filter ",
                                    keyboardTracking=False,
                                    toolTip="The map of this filter is shown for every layer")
        self.shift_slider.valueChanged.connect(self._on_shift_edited)
        self.shift_spin.valueChanged.connect(self._on_shift_edited)
        self.filter_spin.valueChanged.connect(self._on_filter_edited)
        self.stack_combo = QComboBox()
        for key, text in STACKS.items():
            self.stack_combo.addItem(text, key)
        self.stack_combo.setToolTip(
            "Random kernels leave the point to chance: the pretrained network's stem and its "
            "next convolution were learned on ImageNet (each followed here by ReLU and the "
            "lecture's 2×2 max pool)")
        self.stack_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.stack_combo.setMinimumContentsLength(18)
        self.stack_combo.currentIndexChanged.connect(self._on_stack_edited)
        self.status = QLabel(textFormat=Qt.TextFormat.PlainText)
        self.caption = as_caption(QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText))
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Shift"))
        controls.addWidget(self.shift_slider, 1)
        controls.addWidget(self.shift_spin)
        controls.addWidget(self.filter_spin)
        controls.addWidget(QLabel("Study"))
        controls.addWidget(self.stack_combo)
        controls.addWidget(self.status)

        self.maps = pg.GraphicsLayoutWidget()
        self.maps.setBackground(pg.mkColor(30, 30, 30))
        # the curves and, beside them (never over them), their legend
        self.chart = pg.GraphicsLayoutWidget()
        self.chart.setBackground("w")
        self.plot = self.chart.addPlot(row=0, col=0)
        self.plot.setLabel("bottom", "shift of the picture (pixels)")
        self.plot.setLabel("left", "similarity to shift 0")
        self.plot.setYRange(-0.1, 1.02)
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.legend = pg.LegendItem(labelTextColor="k", labelTextSize="9pt")
        self.chart.addItem(self.legend, row=0, col=1)
        self.chart.ci.layout.setColumnStretchFactor(0, 3)
        self.marker = pg.InfiniteLine(settings.shift,
                                      pen=pg.mkPen("#999999", style=Qt.PenStyle.DotLine))
        self.plot.addItem(self.marker)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(intro)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(self.maps, 3)
        layout.addWidget(self.chart, 2)

    # --- the user's edits go to the model -------------------------------------------------
    def _on_shift_edited(self, value: int) -> None:
        self.document.translation.shift = int(value)

    def _on_filter_edited(self, value: int) -> None:
        self.document.translation.filter = int(value) - 1

    def _on_stack_edited(self, _index: int) -> None:
        self.document.translation.stack = str(self.stack_combo.currentData())

    # --- the model is shown ---------------------------------------------------------------
    def show_settings(self) -> None:
        """Put ``document.translation`` into the controls (without echoing it back)."""
        settings = self.document.translation
        for widget, value in ((self.shift_slider, settings.shift),
                              (self.shift_spin, settings.shift),
                              (self.filter_spin, settings.filter + 1)):
            with QSignalBlocker(widget):
                widget.setValue(value)
        with QSignalBlocker(self.stack_combo):
            self.stack_combo.setCurrentIndex(self.stack_combo.findData(settings.stack))
        self.marker.setValue(settings.shift)

    def set_working(self, working: bool) -> None:
        if working:
            self.status.setText("working…")

    def clear(self) -> None:
        """Nothing of an old picture stays."""
        self.study = None
        self.maps.clear()
        self._items, self._labels, self._row_labels = {}, {}, None
        self.plot.clear()
        self.legend.clear()
        self.plot.addItem(self.marker)
        self.status.setText("")
        self.caption.setText("")

    # --- results --------------------------------------------------------------------------
    def show_result(self, study: TranslationStudy,
                    pictures: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        self.study = study
        self.status.setText(f"a {self._crop}×{self._crop} crop moved {study.shown_shift} px "
                            "right")
        self.caption.setText(caption(study))
        self._show_maps(study, pictures)
        self._show_curves(study)

    def _show_maps(self, study: TranslationStudy,
                   pictures: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        names = [n for n in study.names if n in pictures]
        if names != list(self._items):  # another stack: lay the grid out again
            self.maps.clear()
            self._items, self._labels = {}, {}
            for col, name in enumerate(names):
                label = name.replace("layer ", "L")
                self._labels[name] = self.maps.addLabel(label, row=0, col=col, size="9pt",
                                                        color="#dddddd")
                pair = []
                for row in (1, 2):
                    view = self.maps.addViewBox(row=row, col=col, lockAspect=True,
                                                invertY=True, enableMouse=False,
                                                enableMenu=False)
                    item = pg.ImageItem()
                    view.addItem(item)
                    pair.append(item)
                self._items[name] = (pair[0], pair[1])
            self.maps.addLabel("shift 0", row=1, col=len(names), angle=-90, color="#dddddd")
            after = self.maps.addLabel("", row=2, col=len(names), angle=-90, color="#dddddd")
            self._row_labels = (after, after)
        for name in names:
            for item, picture in zip(self._items[name], pictures[name], strict=True):
                item.setImage(picture, autoLevels=False)
        if self._row_labels is not None:
            self._row_labels[1].setText(f"shift {study.shown_shift}", color="#dddddd")

    def _show_curves(self, study: TranslationStudy) -> None:
        self.plot.clear()
        self.legend.clear()
        self.plot.addItem(self.marker)
        self.marker.setValue(study.shown_shift)
        for i, name in enumerate(study.names):
            dense = name == DENSE
            colour = "#000000" if dense else PENS[i % len(PENS)]
            pen = pg.mkPen(colour, width=2.5 if dense else 2,
                           style=Qt.PenStyle.DashDotLine if dense else Qt.PenStyle.SolidLine)
            label = f"{name}: no positions to move back" if dense else f"{name}, in place"
            curve = self.plot.plot(study.shifts, study.curves[name], pen=pen, symbol="o",
                                   symbolSize=4, symbolBrush=pen.color())
            self.legend.addItem(curve, label)
            back = study.moved_back_curves.get(name)
            if back is None or name == PIXELS:
                continue
            valid = ~np.isnan(back)
            self.plot.plot(study.shifts[valid], back[valid],
                           pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine))
        # one entry for every dashed line: they all lie at 1
        sample = pg.PlotDataItem(pen=pg.mkPen("#555555", width=1.5, style=Qt.PenStyle.DashLine))
        self.legend.addItem(sample, "dashed: each stage moved back (equivariance)")


def caption(study: TranslationStudy) -> str:
    """What the curves compare, what was left out, and which kernels are random."""
    edge = max((m for name, m in study.margins.items() if name != PIXELS), default=0)
    text = (f"Compared where the padding cannot reach: units within {edge} px of the crop's "
            "edge are left out. Moved back is drawn where the shift is a whole number of "
            "units.") if edge else "Every unit is compared (no padding reaches into the crop)."
    random = [str(i + 1) for i, r in enumerate(study.random) if r]
    if random:
        which = "layer " + random[0] if len(random) == 1 else "layers " + ", ".join(random)
        verb = "uses" if len(random) == 1 else "use"
        text += (f" {which[0].upper()}{which[1:]} {verb} random kernels: how much the pooled "
                 "maps change is then left to chance; study the learned kernels to see it.")
    return text
