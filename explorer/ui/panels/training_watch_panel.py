"""Watch it learn: the first layer's kernels, the loss and accuracy curves, and at the end the
confusion matrix and the test digits it gets wrong (click one to see its maps at each stage).

The panel draws what it is given: the Training tab's controller feeds it steps, evaluations
and a picked mistake's maps, and hears which mistake was clicked (``mistake_picked``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from explorer.core.pipeline import StageResult
from explorer.core.training import DigitMLP, DigitModel, Evaluation, TrainStep
from explorer.ui.panels.digit_test_panel import NO_MAPS
from explorer.ui.widgets.confusion_view import ConfusionView
from explorer.ui.widgets.digit_gallery import DigitGallery
from explorer.ui.widgets.kernel_bank_view import KernelBankView
from explorer.ui.widgets.probability_bars import ProbabilityBars
from explorer.ui.widgets.stage_maps import StageMapsView

TRAIN_COLOUR = (67, 147, 195)
TEST_COLOUR = (214, 96, 77)
SMOOTHING = 0.9  # the loss curve's running average keeps this share of its last value
MAX_MISTAKES = 120  # thumbnails shown at most
HIDDEN_SHOWN = 8  # a perceptron's hidden units shown as weight pictures
LOSS_RANGE = (0.01, 3.0)


def first_layer_box() -> tuple[QGroupBox, QLabel, KernelBankView]:
    """The "First layer" box: a line about the weights over the bank of first-layer kernels
    (the page and its slide show the same)."""
    kernels = KernelBankView(columns=4, side=64)
    title = QLabel(wordWrap=True)
    box = QGroupBox("First layer")
    layout = QVBoxLayout(box)
    layout.addWidget(title)
    layout.addWidget(kernels, 1)
    return box, title, kernels


def curve_plot(title: str, left: str, legend_offset: tuple[int, int]) -> pg.PlotWidget:
    """A white plot of curves against epochs, its legend at ``legend_offset``."""
    plot = pg.PlotWidget(title=title)
    plot.setBackground("w")
    plot.showGrid(x=True, y=True, alpha=0.3)
    plot.setMenuEnabled(False)
    plot.setLabel("bottom", "epochs")
    plot.setLabel("left", left)
    plot.addLegend(offset=legend_offset)  # negative: from the right or bottom edge
    # the axes (and the grid they draw) change only when a range does: keep them as pixmaps
    # rather than replaying their drawing on every update of the curves
    for name in ("left", "bottom"):
        plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return plot


class TrainingWatchPanel(QWidget):
    """Kernels and curves above; confusion matrix, mistakes and a mistake's maps below."""

    mistake_picked = Signal(int)  # index into the test digits

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._mistakes = np.zeros(0, np.int64)
        self._images: np.ndarray | None = None
        self._evaluation: Evaluation | None = None
        self._build()
        self.clear()

    def _build(self) -> None:
        self.kernels_box, self.kernels_title, self.kernels = first_layer_box()

        self.loss_plot = curve_plot("Loss", "cross-entropy", (-10, 10))
        self.loss_plot.setLogMode(y=True)
        # from ln 10 ≈ 2.3 (a guess among ten digits) down to a confident 0.01, fixed: the
        # decades stay where they are while the curve falls through them
        self.loss_plot.setYRange(np.log10(LOSS_RANGE[0]), np.log10(LOSS_RANGE[1]), padding=0)
        self.loss_plot.enableAutoRange(y=False)
        light = tuple(int(255 - (255 - c) * 0.35) for c in TRAIN_COLOUR)
        self.batch_loss = self.loss_plot.plot(pen=pg.mkPen(light, width=1), name="each batch")
        self.mean_loss = self.loss_plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2),
                                             name="running mean")
        self.accuracy_plot = curve_plot("Accuracy", "share right", (-10, -30))
        self.accuracy_plot.setYRange(0, 1, padding=0.02)
        self.accuracy_plot.enableAutoRange(y=False)
        self.train_accuracy = self.accuracy_plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2),
                                                      name="training digits")
        self.test_accuracy = self.accuracy_plot.plot(
            pen=pg.mkPen(TEST_COLOUR, width=2), symbol="o", symbolSize=5,
            symbolBrush=TEST_COLOUR, symbolPen=None, name="test digits")

        self.confusion = ConfusionView()
        self.confusion.cell_clicked.connect(self._on_cell_clicked)
        confusion_box = QGroupBox("Confusion matrix")
        confusion_layout = QVBoxLayout(confusion_box)
        self.confusion_title = QLabel("The test digits: what each was read as.", wordWrap=True)
        confusion_layout.addWidget(self.confusion_title)
        confusion_layout.addWidget(self.confusion, 1)

        self.gallery = DigitGallery()
        self.gallery.selected.connect(self._on_thumbnail)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.gallery)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.mistakes_title = QLabel(wordWrap=True)
        mistakes_box = QGroupBox("Mistakes (true → read)")
        mistakes_layout = QVBoxLayout(mistakes_box)
        mistakes_layout.addWidget(self.mistakes_title)
        mistakes_layout.addWidget(scroll, 1)

        self.picked_title = QLabel(wordWrap=True)
        self.picked_bars = ProbabilityBars()
        self.picked_bars.setMinimumHeight(80)
        self.picked_bars.setMaximumHeight(110)
        self.picked_maps = StageMapsView()
        picked_box = QGroupBox("A mistake's maps")
        picked_layout = QVBoxLayout(picked_box)
        picked_layout.addWidget(self.picked_title)
        picked_layout.addWidget(self.picked_bars)
        picked_layout.addWidget(self.picked_maps, 1)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.kernels_box, 0, 0)
        grid.addWidget(self.loss_plot, 0, 1)
        grid.addWidget(self.accuracy_plot, 0, 2)
        grid.addWidget(confusion_box, 1, 0)
        grid.addWidget(mistakes_box, 1, 1)
        grid.addWidget(picked_box, 1, 2)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 4)
        grid.setColumnStretch(2, 4)
        grid.setRowStretch(0, 4)
        grid.setRowStretch(1, 5)

    # --- during training -------------------------------------------------------------------
    def clear(self) -> None:
        """Back to the empty state of a network that has not started training."""
        self._x: list[float] = []
        self._loss: list[float] = []
        self._mean: list[float] = []
        self._train: list[float] = []
        self._test_x: list[float] = []
        self._test: list[float] = []
        for curve in (self.batch_loss, self.mean_loss, self.train_accuracy, self.test_accuracy):
            curve.setData([], [])
        self._set_weights(np.zeros((8, 5, 5, 1), np.float32))
        self.kernels_box.setTitle("First layer")
        self.kernels_title.setText("The weights it learns appear here when training starts.")
        self.show_evaluation(None, None)

    def set_epochs(self, epochs: int) -> None:
        """Fix the curves' epoch axis for a run: the axes then stay still while it trains."""
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setXRange(0, epochs, padding=0.02)
            plot.enableAutoRange(x=False)

    def add_steps(self, steps: list[TrainStep]) -> None:
        for s in steps:
            x = s.epoch_progress
            self._x.append(x)
            self._loss.append(max(s.loss, 1e-6))
            previous = self._mean[-1] if self._mean else s.loss
            self._mean.append(SMOOTHING * previous + (1 - SMOOTHING) * s.loss)
            self._train.append(s.train_accuracy)
            if s.test_accuracy is not None:
                self._test_x.append(x)
                self._test.append(s.test_accuracy)
        x = np.array(self._x)
        self.batch_loss.setData(x, np.array(self._loss))
        self.mean_loss.setData(x, np.maximum(np.array(self._mean), 1e-6))
        self.train_accuracy.setData(x, np.array(self._train))
        self.test_accuracy.setData(np.array(self._test_x), np.array(self._test))
        self.show_model(steps[-1].model, f"after {steps[-1].step} batches")

    def show_model(self, model: DigitModel | DigitMLP, when: str = "") -> None:
        """The first layer's weights: a CNN's kernels, or some of a perceptron's hidden units
        as pictures (one weight per pixel, each at its pixel's place in the digit)."""
        after = f", {when}" if when else ""
        if model.kind == "mlp":
            pictures = model.weight_pictures()[:HIDDEN_SHOWN]
            self._set_weights(pictures[..., None])
            self.kernels_box.setTitle("Hidden layer")
            moved = " (each back at its pixel's place)" if model.shuffled else ""
            self.kernels_title.setText(
                f"{len(pictures)} of its {model.hidden_units} hidden units: each one's 784 "
                f"weights{moved}{after}")
            return
        w = model.conv_weights(0)
        k, kh, kw, _ = w.shape
        self._set_weights(w)
        self.kernels_box.setTitle("First layer")
        self.kernels_title.setText(f"{k} kernels {kh}×{kw}{after}")

    def _set_weights(self, weights: np.ndarray) -> None:
        self._weights = np.asarray(weights, np.float32)
        self.kernels.set_kernels(self._weights)

    def shown_weights(self) -> np.ndarray:
        """The first layer's weights on show, as (K, kh, kw, C)."""
        return self._weights.copy()

    def test_accuracy_now(self) -> float | None:
        """The latest test accuracy on the curve, None before the first evaluation."""
        return self._test[-1] if self._test else None

    def curve_points(self) -> dict[str, int]:
        """How many points each curve has (for tests and benches)."""
        return {"loss": len(self._loss), "train": len(self._train), "test": len(self._test)}

    # --- after training --------------------------------------------------------------------
    def show_evaluation(self, evaluation: Evaluation | None, images: np.ndarray | None) -> None:
        """The confusion matrix and the mistakes of a finished model (None: nothing yet)."""
        self._evaluation, self._images = evaluation, images
        self.show_picked(None)
        if evaluation is None:
            self.confusion.set_matrix(None)
            self._mistakes = np.zeros(0, np.int64)
            self.gallery.set_digits([], [], "The digits it gets wrong appear when training "
                                            "ends.")
            self.mistakes_title.setText("")
            return
        self.confusion.set_matrix(evaluation.confusion)
        self._show_mistakes(evaluation.mistakes(), "All mistakes")

    def _show_mistakes(self, indices: np.ndarray, what: str) -> None:
        assert self._evaluation is not None and self._images is not None
        ev = self._evaluation
        self._mistakes = indices[:MAX_MISTAKES]
        captions = [f"{ev.labels[i]} → {ev.predictions[i]}" for i in self._mistakes]
        self.gallery.set_digits([self._images[i] for i in self._mistakes], captions,
                                "No mistakes here.")
        shown = "" if len(indices) <= MAX_MISTAKES else f", the first {MAX_MISTAKES} shown"
        digits = "test digit" if len(indices) == 1 else "test digits"
        self.mistakes_title.setText(f"{what}: {len(indices)} {digits}{shown}. Click a cell of "
                                    "the matrix for one kind of mistake, a digit for its maps.")

    def _on_cell_clicked(self, true: int, predicted: int) -> None:
        if self._evaluation is None:
            return
        if true == predicted:
            self._show_mistakes(self._evaluation.mistakes(true=true), f"{true}s read wrongly")
        else:
            self._show_mistakes(self._evaluation.mistakes(true, predicted),
                                f"{true}s read as {predicted}s")

    def _on_thumbnail(self, position: int) -> None:
        self.mistake_picked.emit(int(self._mistakes[position]))

    def show_picked(self, index: int | None, picture: np.ndarray | None = None,
                    stages: list[StageResult] | None = None,
                    probabilities: np.ndarray | None = None) -> None:
        """A picked test digit's maps at each stage (from ``picture``, the digit as the network
        sees it) and its ten probabilities (None: none)."""
        if index is None or self._evaluation is None or picture is None \
                or probabilities is None:
            self.picked_title.setText("Click a digit it got wrong to see its maps.")
            self.picked_bars.set_probabilities(None)
            self.picked_maps.clear("Click a digit it got wrong.")
            return
        true, read = self._evaluation.labels[index], int(probabilities.argmax())
        self.picked_title.setText(f"Test digit {index}: a {true}, read as {read} "
                                  f"({probabilities[read]:.0%} sure)")
        self.picked_bars.set_probabilities(probabilities)
        if stages:
            self.picked_maps.set_stages(picture, stages)
        else:
            self.picked_maps.clear(NO_MAPS)
