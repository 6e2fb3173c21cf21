"""The translation demo: move the picture and watch which layers care.

A tab beside the explorer. It runs the explorer's own stack on a crop of the current picture
moved by 0…16 pixels, shows each representation at shift 0 and at the chosen shift side by
side, and plots how similar each output stays as the picture moves
(:mod:`explorer.core.invariance`).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.invariance import TranslationStudy, translation_study
from explorer.core.levels import colorize
from explorer.core.pipeline import fit_input
from explorer.state import Document
from explorer.ui.tab import Tab
from explorer.ui.widgets.colormaps import lookup_table
from explorer.ui.workers.latest import LatestJobWorker

MAX_SHIFT = 16
CROP = 128
EXPLANATION = (
    "Move the picture sideways: a convolution's maps move with it (equivariance: moved back, "
    "they match, the dashed line), so compared in place they change fast; pooling and depth "
    "make the output change less (local invariance); a dense layer has no idea of where."
)
PENS = ("#888888", "#0072B2", "#56B4E9", "#009E73", "#8FD175", "#D55E00", "#F0A868",
        "#CC79A7", "#E69F00")


class TranslationPanel(Tab):
    """Shift slider, maps before and after, and similarity curves per layer."""

    title = "Translation"
    uses_layers = True  # the study runs the explorer's own stack

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._picture: np.ndarray | None = None
        self._picture_key: object = None
        self.study: TranslationStudy | None = None
        self._worker = LatestJobWorker("translation-worker", self)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)

        intro = QLabel(EXPLANATION, wordWrap=True)
        self.shift_slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=MAX_SHIFT,
                                    value=4, toolTip="How many pixels the picture moves right")
        self.shift_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.shift_spin = QSpinBox(minimum=0, maximum=MAX_SHIFT, value=4, suffix=" px",
                                   keyboardTracking=False)
        self.filter_spin = QSpinBox(minimum=1, maximum=32, value=1, prefix="filter ",
                                    keyboardTracking=False,
                                    toolTip="The map of this filter is shown for every layer")
        self.shift_slider.valueChanged.connect(self.shift_spin.setValue)
        self.shift_spin.valueChanged.connect(self.shift_slider.setValue)
        self.shift_spin.valueChanged.connect(lambda *_: self.refresh())
        self.filter_spin.valueChanged.connect(lambda *_: self.refresh())
        self.status = QLabel(textFormat=Qt.TextFormat.PlainText)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Shift"))
        controls.addWidget(self.shift_slider, 1)
        controls.addWidget(self.shift_spin)
        controls.addWidget(self.filter_spin)
        controls.addWidget(self.status)

        self.maps = pg.GraphicsLayoutWidget()
        self.maps.setBackground(pg.mkColor(30, 30, 30))
        self.plot = pg.PlotWidget()
        self.plot.setBackground("w")
        self.plot.setLabel("bottom", "shift of the picture (pixels)")
        self.plot.setLabel("left", "similarity to the unshifted output")
        self.plot.setYRange(-0.1, 1.02)
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        # bottom left: the curves start at 1 and stay high on the left
        self.legend = self.plot.addLegend(offset=(10, -10), labelTextColor="k",
                                          brush=pg.mkBrush(255, 255, 255, 220))
        self.marker = pg.InfiniteLine(4, pen=pg.mkPen("#999999", style=Qt.PenStyle.DotLine))
        self.plot.addItem(self.marker)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(intro)
        layout.addLayout(controls)
        layout.addWidget(self.maps, 3)
        layout.addWidget(self.plot, 2)

        self._links = [(document.stack.changed, self.refresh),
                       (document.stack.layer_changed, self.refresh),
                       (document.stack.filters_changed, self.refresh),
                       (document.input.events.all, self._on_input_changed)]
        for signal, slot in self._links:
            signal.connect(slot)

    # --- the Tab contract ----------------------------------------------------------------
    def set_source(self, image: np.ndarray, name: str, live: bool) -> None:
        self._source = image
        self._on_input_changed()

    def cleanup(self) -> None:
        for signal, slot in self._links:
            signal.disconnect(slot)
        self._links = []
        self._worker.stop()

    # --- computing -----------------------------------------------------------------------
    def _on_input_changed(self, *_: object) -> None:
        source = getattr(self, "_source", None)
        if source is None:
            return
        doc = self.document
        self._picture = fit_input(source, doc.processing_side(), doc.input.grayscale)
        self.refresh()

    def refresh(self, *_: object) -> None:
        """Study the current picture and stack again (on the worker)."""
        if self._picture is None or not self.isVisible():
            return
        picture, layers = self._picture, self.document.stack_specs()
        shift, k = self.shift_spin.value(), self.filter_spin.value() - 1
        self.status.setText("working…")
        self._worker.submit(lambda _token: translation_study(
            picture, layers, max_shift=MAX_SHIFT, shown_shift=shift, size=CROP,
            filter_index=k))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()

    def _on_failed(self, tag: int, message: str) -> None:
        if tag == self._worker.newest:
            self.status.setText("")
            self.error.emit(message[:1].upper() + message[1:])

    def _on_done(self, tag: int, study: TranslationStudy) -> None:
        if tag != self._worker.newest:
            return
        self.study = study
        self.status.setText(f"a {CROP}×{CROP} crop moved {study.shown_shift} px right")
        self._show_maps(study)
        self._show_curves(study)

    # --- drawing -------------------------------------------------------------------------
    def _show_maps(self, study: TranslationStudy) -> None:
        self.maps.clear()
        names = [n for n in study.names if n in study.before]
        for col, name in enumerate(names):
            label = name.replace("layer ", "L").replace(" conv", " conv")
            self.maps.addLabel(label, row=0, col=col, size="9pt", color="#dddddd")
            before, after = study.before[name], study.after[name]
            signed = bool(before.min() < 0 or after.min() < 0)
            high = float(max(np.abs(before).max(), np.abs(after).max(), 1e-6))
            levels = (-high, high) if signed else (0.0, high)
            if name == "input pixels":
                levels = (0.0, 255.0)
            lut = lookup_table(signed) if name != "input pixels" else _GRAY
            for row, plane in ((1, before), (2, after)):
                view = self.maps.addViewBox(row=row, col=col, lockAspect=True, invertY=True,
                                            enableMouse=False, enableMenu=False)
                item = pg.ImageItem(colorize(np.ascontiguousarray(plane, np.float32),
                                             levels, lut))
                view.addItem(item)
        self.maps.addLabel("shift 0", row=1, col=len(names), angle=-90, color="#dddddd")
        self.maps.addLabel(f"shift {study.shown_shift}", row=2, col=len(names), angle=-90,
                           color="#dddddd")

    def _show_curves(self, study: TranslationStudy) -> None:
        self.plot.clear()
        self.legend.clear()
        self.plot.addItem(self.marker)
        self.marker.setValue(study.shown_shift)
        for i, name in enumerate(study.names):
            dense = name.startswith("dense")
            pen = pg.mkPen("#000000" if dense else PENS[i % len(PENS)], width=2.5 if dense else 2,
                           style=Qt.PenStyle.DashDotLine if dense else Qt.PenStyle.SolidLine)
            self.plot.plot(study.shifts, study.curves[name], pen=pen, name=name,
                           symbol="o", symbolSize=4, symbolBrush=pen.color())
        valid = ~np.isnan(study.moved_back)
        self.plot.plot(study.shifts[valid], study.moved_back[valid],
                       pen=pg.mkPen(PENS[1], width=2, style=Qt.PenStyle.DashLine),
                       name="layer 1 conv, moved back")


_GRAY = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
