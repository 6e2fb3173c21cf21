"""Fit one kernel: watch gradient descent find Sobel's weights from Sobel's feature map.

The smallest lesson in training. The picture is the window's (or a sample photo); the target
is a preset's feature map of it. Starting from random weights, each step of gradient descent
moves the kernel so its feature map comes closer to the target's; the weights' curves settle
on the target's values (dashed) and the loss falls by orders of magnitude.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
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
from explorer.core.images import load_image
from explorer.core.training import FitStep, fit_kernel
from explorer.resources import resource_path
from explorer.ui.widgets.frame_preview import FramePreview
from explorer.ui.widgets.matrix_view import MatrixView
from explorer.ui.workers.generator import GeneratorWorker

DEFAULT_SAMPLE = ("samples", "coffee.png")
FIT_TARGETS = ("sobel_x", "sobel_y", "scharr_x", "vertical_edge", "laplacian", "gaussian_blur",
               "sharpen", "emboss", "diagonal_edge")
CHANNELS = "RGB"


def _map_picture(plane: np.ndarray, limit: float) -> np.ndarray:
    """A signed map as gray uint8: 0 is mid-gray, ±limit black and white."""
    scale = 127.5 / limit if limit > 0 else 0.0
    return np.clip(127.5 + plane * scale, 0, 255).astype(np.uint8)


class KernelFitPanel(QWidget):
    """Controls, the kernel now and the target, the pictures, the weights' and loss curves."""

    message = Signal(str)
    error = Signal(str)
    fit_finished = Signal(object, bool)  # the last step (None if none), True if run to the end

    REDRAW_MS = 50  # steps come far faster than a screen needs them: drawn in batches

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._picture: np.ndarray | None = None
        self._picture_name = ""
        self._worker: GeneratorWorker | None = None
        self._pending: list[FitStep] = []
        self._stopped = False
        self._redraw = QTimer(self, interval=self.REDRAW_MS)
        self._redraw.timeout.connect(self._draw_pending)
        self._history_steps: list[int] = []
        self._history_loss: list[float] = []
        self._history_weights: list[np.ndarray] = []
        self.last_step: FitStep | None = None
        self._build()

    # --- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        self.target_combo = QComboBox(toolTip="The kernel whose feature map the descent must "
                                              "reproduce")
        self.target_combo.currentIndexChanged.connect(self._show_idle)
        for name in FIT_TARGETS:
            self.target_combo.addItem(kernels.get(name).label, name)
            self.target_combo.setItemData(self.target_combo.count() - 1,
                                          kernels.get(name).description,
                                          Qt.ItemDataRole.ToolTipRole)
        self.colour_check = QCheckBox("colour kernel (3×3×3)", toolTip="Fit a kernel over the "
                                      "picture's three colour channels instead of its gray")
        self.momentum_spin = QDoubleSpinBox(minimum=0.0, maximum=0.99, singleStep=0.1,
                                            decimals=2, value=0.9, toolTip=(
                                                "0: plain gradient descent. Higher values keep "
                                                "part of the previous step (a heavy ball), "
                                                "which crosses long flat valleys much faster."))
        self.steps_spin = QSpinBox(minimum=10, maximum=5000, singleStep=50, value=150,
                                   toolTip="How many steps of gradient descent")
        for spin in (self.momentum_spin, self.steps_spin):
            spin.setKeyboardTracking(False)
        self.start_button = QPushButton("Start fitting")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop", enabled=False)
        self.stop_button.clicked.connect(self.stop)
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
        pictures = QGroupBox("Feature maps")
        grid = QGridLayout(pictures)
        for col, (title, view) in enumerate((("picture", self.picture_view),
                                             ("target's", self.target_view),
                                             ("this kernel's", self.current_view))):
            grid.addWidget(QLabel(title, alignment=Qt.AlignmentFlag.AlignCenter), 0, col)
            grid.addWidget(view, 1, col)

        kernels_box = QGroupBox("Kernel → target")
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
        self._show_idle()

    # --- the picture -----------------------------------------------------------------------
    def set_picture(self, picture: np.ndarray, name: str) -> None:
        """The picture the next fit uses (the window's source)."""
        self._picture, self._picture_name = picture, name
        if not self.running:
            self._show_idle()

    def picture(self) -> tuple[np.ndarray, str]:
        if self._picture is None:
            self._picture = load_image(resource_path(*DEFAULT_SAMPLE))
            self._picture_name = DEFAULT_SAMPLE[1]
        return self._picture, self._picture_name

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self.running and self.last_step is None:
            self._show_idle()

    def _show_idle(self) -> None:
        """Before a run: the picture and the target kernel the next run will use."""
        if not hasattr(self, "status") or self.running:
            return
        picture, name = self.picture() if self.isVisible() else (None, self._picture_name)
        if picture is not None:
            self.picture_view.set_frame(picture)
        target = kernels.get(self.target_combo.currentData()).weights
        self.target_view_matrix.set_values(target)
        self.status.setText(
            f"Press Start: a kernel starts from random weights and learns, by gradient descent "
            f"on {name or 'a sample photo'}, to give the same feature map as the target "
            "kernel.")

    # --- running ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self) -> bool:
        if self.running:
            return False
        picture, name = self.picture()
        target = self.target_combo.currentData()
        try:
            steps = fit_kernel(picture, target, colour=self.colour_check.isChecked(),
                               steps=self.steps_spin.value(),
                               momentum=self.momentum_spin.value())
        except ValueError as exc:
            self.error.emit(str(exc))
            return False
        self._reset_curves()
        self.last_step = None
        self.picture_view.set_frame(picture)
        self._worker = GeneratorWorker(lambda: steps, self)
        self._worker.step.connect(self._on_step)
        self._worker.failed.connect(self.error)
        self._worker.finished_steps.connect(self._on_finished_steps)
        self._worker.finished.connect(self._on_worker_finished)
        self._stopped = False
        self._worker.start()
        self._redraw.start()
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.status.setText(f"Fitting a kernel to {kernels.get(target).label}'s feature map "
                            f"of {name} …")
        return True

    def stop(self) -> None:
        """Stop after the current step; the kernel keeps what it learned."""
        if self._worker is not None:
            self._worker.stop()

    def _reset_curves(self) -> None:
        self._history_steps, self._history_loss, self._history_weights = [], [], []
        for item in (*self._weight_curves, *self._target_lines):
            self.weights_plot.removeItem(item)
        self._weight_curves, self._target_lines = [], []
        self.loss_curve.setData([], [])

    def _on_step(self, step: FitStep) -> None:
        self._pending.append(step)

    def _draw_pending(self) -> None:
        steps, self._pending = self._pending, []
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

    def _on_finished_steps(self, stopped: bool) -> None:
        self._stopped = stopped

    def _on_worker_finished(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.wait()
            worker.deleteLater()
        self._redraw.stop()
        self._draw_pending()
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        last = self.last_step
        completed = last is not None and not self._stopped and \
            last.step == self.steps_spin.value()
        if last is not None:
            done = "Done" if completed else "Stopped"
            self.message.emit(f"{done} after {last.step} steps: loss {last.loss:.3g}")
        self.fit_finished.emit(last, completed)

    def cleanup(self) -> None:
        self._redraw.stop()
        if self._worker is not None:
            self._worker.stop()
