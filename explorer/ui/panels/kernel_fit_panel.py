"""Fit one kernel: watch gradient descent find Sobel's weights from Sobel's feature map.

The smallest lesson in training. The picture is the window's (or a sample photo); the target
is a preset's feature map of it. Starting from random weights, each step of gradient descent
moves the kernel so its feature map comes closer to the target's; the weights' curves settle
on the target's values (dashed) and the loss falls by orders of magnitude.

The view writes the target, colour, momentum and steps to ``document.training``; its
controller prepares the picture on its worker (:func:`explorer.core.training.fit_problem`) and
hands over that :class:`FitProblem`, then the steps of its descent, so the picture shown is
the one the kernel is fitted on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core import kernels
from explorer.core.training import FIT_TARGETS, FitProblem, FitStep
from explorer.state import Document
from explorer.state.limits import RANGES, int_range
from explorer.ui.presentation_type import as_heading
from explorer.ui.widgets.frame_preview import FramePreview
from explorer.ui.widgets.matrix_view import MatrixView

CHANNELS = "RGB"
SCOPE = "TrainingSettings"


def _map_picture(plane: np.ndarray, limit: float) -> np.ndarray:
    """A signed map as gray uint8: 0 is mid-gray, ±limit black and white."""
    scale = 127.5 / limit if limit > 0 else 0.0
    return np.clip(127.5 + plane * scale, 0, 255).astype(np.uint8)


class KernelFitPanel(QWidget):
    """Controls, the kernel now and the target, the pictures, the weights' and loss curves."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.problem: FitProblem | None = None  # the picture and target on show
        self.last_step: FitStep | None = None
        self._history_steps: list[int] = []
        self._history_loss: list[float] = []
        self._history_weights: list[np.ndarray] = []
        self._build()
        self.show_settings()

    # --- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        self.target_combo = QComboBox(toolTip="The kernel whose feature map the descent must "
                                              "reproduce")
        for name in FIT_TARGETS:
            self.target_combo.addItem(kernels.get(name).label, name)
            self.target_combo.setItemData(self.target_combo.count() - 1,
                                          kernels.get(name).description,
                                          Qt.ItemDataRole.ToolTipRole)
        self.colour_check = QCheckBox("colour kernel (3×3×3)", toolTip="Fit a kernel over the "
                                      "picture's three colour channels instead of its gray")
        low, high = RANGES[f"{SCOPE}.fit_momentum"]
        self.momentum_spin = QDoubleSpinBox(minimum=low, maximum=high, singleStep=0.1,
                                            decimals=2, toolTip=(
                                                "0: plain gradient descent. Higher values keep "
                                                "part of the previous step (a heavy ball), "
                                                "which crosses long flat valleys much faster."))
        self.steps_spin = QSpinBox(singleStep=50, toolTip="How many steps of gradient descent")
        self.steps_spin.setRange(*int_range("fit_steps", SCOPE))
        for spin in (self.momentum_spin, self.steps_spin):
            spin.setKeyboardTracking(False)
        self.target_combo.currentIndexChanged.connect(self._on_target_edited)
        self.colour_check.toggled.connect(self._on_colour_edited)
        self.momentum_spin.valueChanged.connect(self._on_momentum_edited)
        self.steps_spin.valueChanged.connect(self._on_steps_edited)
        self.start_button = QPushButton("Start fitting")
        self.stop_button = QPushButton("Stop", enabled=False)
        self.status = QLabel(wordWrap=True)

        controls = QGridLayout()
        controls.addWidget(QLabel("Target:"), 0, 0)
        controls.addWidget(self.target_combo, 0, 1)
        controls.addWidget(self.colour_check, 0, 2, 1, 2)
        controls.addWidget(self.start_button, 0, 4)
        controls.addWidget(QLabel("Momentum:"), 1, 0)
        controls.addWidget(self.momentum_spin, 1, 1)
        controls.addWidget(QLabel("Steps:"), 1, 2)
        controls.addWidget(self.steps_spin, 1, 3)
        controls.addWidget(self.stop_button, 1, 4)
        controls.setColumnStretch(5, 1)

        self.picture_view = FramePreview()
        self.target_view = FramePreview()
        self.current_view = FramePreview()
        pictures = as_heading(QGroupBox("Feature maps"))
        grid = QGridLayout(pictures)
        for col, (title, view) in enumerate((("picture (as the fit sees it)", self.picture_view),
                                             ("target's", self.target_view),
                                             ("this kernel's", self.current_view))):
            grid.addWidget(QLabel(title, alignment=Qt.AlignmentFlag.AlignCenter), 0, col)
            grid.addWidget(view, 1, col)

        kernels_box = as_heading(QGroupBox("Kernel → target"))
        self.kernel_views = [MatrixView("signed") for _ in range(3)]
        self.kernel_titles = [QLabel(alignment=Qt.AlignmentFlag.AlignCenter) for _ in range(3)]
        self.target_view_matrix = MatrixView("signed")
        kgrid = QGridLayout(kernels_box)
        for i, (title, view) in enumerate(zip(self.kernel_titles, self.kernel_views,
                                              strict=True)):
            kgrid.addWidget(title, 0, i)
            kgrid.addWidget(view, 1, i)
        kgrid.addWidget(QLabel("target", alignment=Qt.AlignmentFlag.AlignCenter), 0, 3)
        kgrid.addWidget(self.target_view_matrix, 1, 3)
        kgrid.setRowStretch(2, 1)  # titles stay on their matrices; spare room goes below

        self.weights_plot = pg.PlotWidget(title="Weights (dashed: the target's)")
        self.weights_plot.setLabel("bottom", "step")
        self.weights_plot.setLabel("left", "weight")
        self.loss_plot = pg.PlotWidget(title="Loss")
        self.loss_plot.setLabel("left", "mean squared difference")
        self.loss_plot.setLogMode(y=True)
        self.loss_plot.setLabel("bottom", "step")
        self.loss_curve = self.loss_plot.plot(pen=pg.mkPen((214, 96, 77), width=2))
        self._weight_curves: list[pg.PlotDataItem] = []
        self._target_lines: list[pg.InfiniteLine] = []
        for plot in (self.weights_plot, self.loss_plot):
            plot.setBackground("w")
            plot.showGrid(x=True, y=True, alpha=0.3)
            plot.setMenuEnabled(False)

        grid.addWidget(QLabel("gray 0, white +, black −", alignment=Qt.AlignmentFlag.AlignCenter),
                       2, 0, 1, 3)
        top = QHBoxLayout()
        top.addWidget(pictures, 3)
        top.addWidget(kernels_box, 2)
        curves = QHBoxLayout()
        curves.addWidget(self.weights_plot)
        curves.addWidget(self.loss_plot)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addLayout(top, 2)
        layout.addLayout(curves, 3)

    # --- the user's edits go to the model -------------------------------------------------
    def _on_target_edited(self, index: int) -> None:
        self.document.training.fit_target = FIT_TARGETS[index]

    def _on_colour_edited(self, checked: bool) -> None:
        self.document.training.fit_colour = bool(checked)

    def _on_momentum_edited(self, value: float) -> None:
        self.document.training.fit_momentum = value

    def _on_steps_edited(self, value: int) -> None:
        self.document.training.fit_steps = value

    # --- the model is shown ---------------------------------------------------------------
    def show_settings(self) -> None:
        """Put the fit's settings into the controls (without echoing them back)."""
        settings = self.document.training
        with QSignalBlocker(self.target_combo):
            self.target_combo.setCurrentIndex(FIT_TARGETS.index(settings.fit_target))
        with QSignalBlocker(self.colour_check):
            self.colour_check.setChecked(settings.fit_colour)
        with QSignalBlocker(self.momentum_spin):
            self.momentum_spin.setValue(settings.fit_momentum)
        with QSignalBlocker(self.steps_spin):
            self.steps_spin.setValue(settings.fit_steps)

    def show_running(self, running: bool, ready: bool) -> None:
        """Start needs a prepared picture and no fit under way; Stop needs one under way."""
        self.start_button.setEnabled(ready and not running)
        self.stop_button.setEnabled(running)
        for control in (self.target_combo, self.colour_check, self.momentum_spin,
                        self.steps_spin):
            control.setEnabled(not running)

    def clear(self, status: str) -> None:
        """Nothing of an earlier picture or fit stays; ``status`` says what comes."""
        self.problem = None
        self.last_step = None
        self._reset_curves()
        for view in (self.picture_view, self.target_view, self.current_view):
            view.set_note("")
        for view, title in zip(self.kernel_views, self.kernel_titles, strict=True):
            view.setVisible(False)  # no kernel yet: the descent has not started
            title.setVisible(False)
        target = kernels.get(self.document.training.fit_target).weights
        self.target_view_matrix.set_values(target if target.ndim == 2 else target[:, :, 0])
        self.status.setText(status)

    def show_problem(self, problem: FitProblem, name: str) -> None:
        """Before a run: the picture as the fit sees it, the target and its feature map."""
        self.clear("")
        self.problem = problem
        self.picture_view.set_frame(problem.picture)
        target = problem.target if problem.target.ndim == 3 else problem.target[:, :, None]
        self.target_view_matrix.set_values(target[:, :, 0])
        limit = float(np.abs(problem.target_map).max())
        self.target_view.set_frame(_map_picture(problem.target_map, limit))
        label = kernels.get(self.document.training.fit_target).label
        self.status.setText(
            f"Press Start: a kernel starts from random weights and learns, by gradient descent "
            f"on {name}, to give the same feature map as {label}.")

    def show_started(self, name: str) -> None:
        label = kernels.get(self.document.training.fit_target).label
        self._reset_curves()
        self.last_step = None
        self.status.setText(f"Fitting a kernel to {label}'s feature map of {name} …")

    # --- results --------------------------------------------------------------------------
    def _reset_curves(self) -> None:
        self._history_steps, self._history_loss, self._history_weights = [], [], []
        for item in (*self._weight_curves, *self._target_lines):
            self.weights_plot.removeItem(item)
        self._weight_curves, self._target_lines = [], []
        self.loss_curve.setData([], [])

    def add_steps(self, steps: Sequence[FitStep]) -> None:
        """A batch of descent steps: the curves grow, the newest kernel and map are shown."""
        if not steps:
            return
        for s in steps:
            self._history_steps.append(s.step)
            self._history_loss.append(max(s.loss, 1e-12))  # log axis: no zeros
            self._history_weights.append(s.kernel.reshape(-1))
        last = steps[-1]
        if not self._weight_curves:
            self._make_weight_curves(last)
        x = np.array(self._history_steps)
        weights = np.array(self._history_weights)
        for i, curve in enumerate(self._weight_curves):
            curve.setData(x, weights[:, i])
        self.loss_curve.setData(x, np.array(self._history_loss))
        self.show_step(last)

    def _make_weight_curves(self, step: FitStep) -> None:
        target = step.target.reshape(-1)
        for i, value in enumerate(target):
            colour = pg.intColor(i, hues=max(9, len(target)))
            self._weight_curves.append(self.weights_plot.plot(pen=pg.mkPen(colour, width=2)))
            line = pg.InfiniteLine(pos=float(value), angle=0,
                                   pen=pg.mkPen(colour, style=Qt.PenStyle.DashLine))
            self.weights_plot.addItem(line)
            self._target_lines.append(line)

    def show_step(self, step: FitStep) -> None:
        """Show one step: its kernel beside the target, and both feature maps."""
        self.last_step = step
        k = step.kernel if step.kernel.ndim == 3 else step.kernel[:, :, None]
        target = step.target if step.target.ndim == 3 else step.target[:, :, None]
        for c, (view, title) in enumerate(zip(self.kernel_views, self.kernel_titles,
                                              strict=True)):
            visible = c < k.shape[2]
            view.setVisible(visible)
            title.setVisible(visible)
            if visible:
                view.set_values(k[:, :, c])
                title.setText(f"now, {CHANNELS[c]}" if k.shape[2] == 3 else
                              f"now (step {step.step})")
        self.target_view_matrix.set_values(target[:, :, 0])
        limit = float(np.abs(step.target_map).max())
        self.target_view.set_frame(_map_picture(step.target_map, limit))
        self.current_view.set_frame(_map_picture(step.feature_map, limit))
        error = float(np.abs(step.kernel - step.target).max())
        self.status.setText(f"Step {step.step}: loss {step.loss:.3g}, the largest weight is "
                            f"{error:.3g} from the target's.")

    def curve_points(self) -> int:
        """How many steps the curves hold."""
        return len(self._history_steps)
