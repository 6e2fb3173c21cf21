"""The Training tab's teaching picture: how the network learned, on one slide.

The loss and accuracy curves, the first layer's learned weights and the confusion matrix on
the test digits, under a line that says which network was trained and how well it reads: what
a lecture shows, without a button, a spin box or a check box (File > Export view's "Current
tab" on the Training tab, ``cnn-explorer --panel training``). It is never shown on screen; the
tab's view makes one from what "Watch it learn" shows for each export.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.ui.panels.training_watch_panel import (
    TrainingWatchPanel,
    curve_plot,
    first_layer_box,
)
from explorer.ui.widgets.confusion_view import ConfusionView

SIZE = (1280, 520)  # a wide slide; --scale 2 and 3 render it sharper, not larger on screen


class TrainingSlide(QWidget):
    """A title above; the first layer, the two curves and the confusion matrix in a row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(wordWrap=True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)

        self.kernels_box, self.kernels_title, self.kernels = first_layer_box()
        self.kernels.shared_check.hide()  # a picture, not a control

        self.loss_plot = curve_plot("Loss", "cross-entropy", (-10, 10))
        self.accuracy_plot = curve_plot("Accuracy", "share right", (-10, -30))
        self.confusion = ConfusionView()
        confusion_box = QGroupBox("Confusion matrix (rows: the true digit)")
        confusion_layout = QVBoxLayout(confusion_box)
        confusion_layout.addWidget(self.confusion, 1)

        row = QHBoxLayout()
        row.addWidget(self.kernels_box, 4)  # wide enough to show 28×28 weights at twice size
        row.addWidget(self.loss_plot, 4)
        row.addWidget(self.accuracy_plot, 4)
        row.addWidget(confusion_box, 4)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(row, 1)
        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)  # painted, never shown
        self.resize(*SIZE)

    def show_training(self, watch: TrainingWatchPanel, title: str) -> None:
        """Copy what ``watch`` shows (its curves, weights and confusion matrix) under
        ``title``, and lay the slide out for painting."""
        self.title.setText(title)
        self._copy_plot(watch.loss_plot, self.loss_plot)
        self._copy_plot(watch.accuracy_plot, self.accuracy_plot)
        self.kernels_box.setTitle(watch.kernels_box.title())
        self.kernels_title.setText(watch.kernels_title.text())
        self.kernels.set_kernels(watch.shown_weights())
        self.confusion.set_matrix(watch.confusion.matrix())
        self.show()  # lays out the plots' axes for painting (never on screen, see above)

    @staticmethod
    def _copy_plot(source, target) -> None:
        """The curves, their pens and names, log axis and ranges of ``source``."""
        target.clear()
        target.setLogMode(y=source.getPlotItem().getAxis("left").logMode)
        for item in source.listDataItems():
            x, y = item.xData, item.yData  # the data as given, not as displayed (log)
            if x is None or not len(x):
                continue
            opts = item.opts
            target.plot(np.asarray(x), np.asarray(y), pen=opts["pen"], symbol=opts["symbol"],
                        symbolSize=opts["symbolSize"], symbolBrush=opts["symbolBrush"],
                        symbolPen=opts["symbolPen"], name=opts["name"])
        (x0, x1), (y0, y1) = source.getViewBox().viewRange()
        target.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
