"""MLP against CNN on the same digits, plain and with their pixels shuffled.

The lecture's "the MLP hidden layer ignores all the spatial structure!" as an experiment: the
perceptron and the CNN are trained with the tab's settings on the digits as they are, and on
the digits with one fixed permutation of their 784 pixels (the same for every training and
test digit). The curves show each network's accuracy on the test digits as it learns; the
table its parameters and its accuracy plain and shuffled. A few digits show what shuffled
pixels look like.

The view draws what the Training tab's controller hands it (the experiment runs on the tab's
worker); the controller listens to its buttons.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.core import params as counts
from explorer.core.training import RUNS, ComparisonStep, TableRow, table
from explorer.core.training.comparison import NAMES, run_name
from explorer.ui.presentation_type import as_heading
from explorer.ui.widgets.digit_gallery import DigitGallery
from explorer.ui.widgets.steady_label import SteadyLabel

COLOURS = {"mlp": (214, 96, 77), "cnn": (67, 147, 195)}
SAME_POINTS = 2.0  # accuracies this close (in points) are "as well as"
LOSS_POINTS = 5.0  # a drop this large is the CNN's loss of its neighbours
COLUMNS = ("network", "parameters", "plain digits", "shuffled pixels", "change")


def _percent(value: float | None, running: bool) -> str:
    if value is None:
        return "…" if running else "–"
    return f"{value:.1%}"


class ComparisonPanel(QWidget):
    """Run and Stop above; the curves on the left; the table and the digits on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._points: list[tuple[list[float], list[float]]] = [([], []) for _ in RUNS]
        self.rows: list[TableRow] = table(())
        self._build()
        self.clear()

    def _build(self) -> None:
        # three steady lines: beside the plot's height a wrapped label would ask for more
        intro = SteadyLabel(
            "“The MLP hidden layer ignores all the spatial structure!” Both networks learn the "
            "same digits, first as they are, then with their 784 pixels shuffled: one fixed "
            "permutation, the same for every training and test digit. The MLP gives every "
            "pixel its own weight, so for it shuffling only renames its inputs; the CNN's "
            "kernels and pooling need neighbouring pixels to belong together.", lines=3)
        self.run_button = QPushButton("Run the experiment")
        self.run_button.setToolTip("Train the four networks one after the other with the "
                                   "tab's epochs, learning rate, batch size and seed")
        self.stop_button = QPushButton("Stop")
        self.progress_label = QLabel()
        self.progress_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                          QSizePolicy.Policy.Preferred)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.progress_label, 1)

        self.plot = pg.PlotWidget(title="Accuracy on the 1,000 test digits")
        self.plot.setBackground("w")
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("bottom", "epochs")
        self.plot.setLabel("left", "share right")
        self.plot.setYRange(0, 1, padding=0.02)
        self.plot.enableAutoRange(y=False)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.addLegend(offset=(-10, -10))  # bottom right: the curves run high
        self.curves = []
        for model, shuffled in RUNS:
            style = Qt.PenStyle.DashLine if shuffled else Qt.PenStyle.SolidLine
            pen = pg.mkPen(COLOURS[model], width=2, style=style)
            self.curves.append(self.plot.plot(
                pen=pen, symbol="t" if shuffled else "o", symbolSize=6,
                symbolBrush=COLOURS[model], symbolPen=None, name=run_name(model, shuffled)))

        self.table = QTableWidget(2, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        for c in range(len(COLUMNS)):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.verdict = QLabel(wordWrap=True)
        self.verdict.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.samples = DigitGallery(tile=64)
        samples_box = as_heading(QGroupBox("What the networks see"))
        samples_layout = QVBoxLayout(samples_box)
        samples_layout.addWidget(self.samples)
        right = QVBoxLayout()
        right.addWidget(self.table)
        right.addWidget(self.verdict)
        right.addWidget(samples_box, 1)

        columns = QHBoxLayout()
        columns.addWidget(self.plot, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addLayout(columns, 1)

    # --- shown --------------------------------------------------------------------------------
    def clear(self) -> None:
        """No experiment yet (or a new one starting): empty curves and table."""
        self._points = [([], []) for _ in RUNS]
        for curve in self.curves:
            curve.setData([], [])
        self.show_table((), running=False)

    def set_epochs(self, epochs: int) -> None:
        self.plot.setXRange(0, epochs, padding=0.02)
        self.plot.enableAutoRange(x=False)

    def add_steps(self, steps: Sequence[ComparisonStep]) -> None:
        """Each new test accuracy on its run's curve, and the table as far as it is."""
        for s in steps:
            if s.test_accuracy is not None:
                xs, ys = self._points[s.run]
                xs.append(s.epoch_progress)
                ys.append(s.test_accuracy)
        for curve, (xs, ys) in zip(self.curves, self._points, strict=True):
            curve.setData(np.array(xs), np.array(ys))
        self.show_table(steps[-1].results, running=not steps[-1].done)

    def curve_points(self) -> list[int]:
        """How many points each run's curve has, in RUNS order."""
        return [len(xs) for xs, _ in self._points]

    def show_table(self, results: Sequence, running: bool) -> None:
        """Parameters and accuracies of both networks (cells not measured yet: … or –)."""
        self.rows = table(tuple(results))
        for r, row in enumerate(self.rows):
            change = row.change
            cells = (NAMES[row.model], counts.format_count(row.parameters),
                     _percent(row.plain, running), _percent(row.shuffled, running),
                     "…" if change is None and running else
                     "–" if change is None else f"{change:+.1f} points")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.table.setFixedHeight(self.table.horizontalHeader().height()
                                  + sum(self.table.rowHeight(r) for r in range(2))
                                  + 2 * self.table.frameWidth())
        self.verdict.setText(self._verdict())

    def _verdict(self) -> str:
        """What the numbers on show say (only what they say: a run's noise is not a lesson)."""
        mlp, cnn = self.rows
        if mlp.change is None or cnn.change is None:
            return ("The table fills in as each training ends: the MLP first (it is quick), "
                    "then the CNN.")
        parts = [f"Shuffled, the MLP reads {mlp.shuffled:.1%} of the test digits, plain "
                 f"{mlp.plain:.1%}"]
        if abs(mlp.change) <= SAME_POINTS:
            parts.append(": the order of the pixels means nothing to it.")
        else:
            parts.append(f" ({mlp.change:+.1f} points: different random starts).")
        parts.append(f" The CNN goes from {cnn.plain:.1%} to {cnn.shuffled:.1%}")
        if cnn.change <= -LOSS_POINTS:
            parts.append(": its kernels now see pixels that do not belong together.")
        else:
            parts.append(".")
        if cnn.plain > mlp.plain:
            parts.append(f" On plain digits the CNN reads more with "
                         f"{mlp.parameters / cnn.parameters:.0f}× fewer parameters: it uses "
                         "where the pixels are.")
        return "".join(parts)

    def show_samples(self, pictures: Sequence[np.ndarray], captions: Sequence[str]) -> None:
        self.samples.set_digits(list(pictures), list(captions))

    def show_progress(self, text: str) -> None:
        self.progress_label.setText(text)

    def show_running(self, running: bool, can_run: bool) -> None:
        self.run_button.setEnabled(can_run and not running)
        self.stop_button.setEnabled(running)
