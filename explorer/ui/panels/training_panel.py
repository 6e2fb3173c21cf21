"""The Training tab: train a small CNN on handwritten digits and use what it learned.

Across the top: the training settings; Start / Pause / Stop / Reset with a progress bar and the
time left; "Use these kernels" (the learned stack goes to the explorer), saving and loading.
Below, four pages: the network's layers with their sizes, parameters and multiply-accumulates;
watch it learn; test it on a drawn or filmed digit; fit a single kernel by gradient descent.

Training is a generator in the core (:func:`explorer.core.training.train_digits`) pulled in a
child process (see :mod:`explorer.ui.workers.process_worker`); the steps arrive here in batches
at most ten times a second, so the window stays responsive while it trains.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core import params as counts
from explorer.core.training import (
    DigitModel,
    Digits,
    Evaluation,
    TrainStep,
    architecture,
    evaluate,
    load_digits,
    load_model,
    save_model,
    train_digits,
)
from explorer.core.training.trainer import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_EPOCHS,
    DEFAULT_LEARNING_RATE,
)
from explorer.ui.controllers.widget_tab import Tab
from explorer.ui.panels.digit_test_panel import DigitTestPanel
from explorer.ui.panels.kernel_fit_panel import KernelFitPanel
from explorer.ui.panels.training_watch_panel import TrainingWatchPanel
from explorer.ui.workers.latest import LatestJobWorker
from explorer.ui.workers.process_worker import ProcessWorker

MODEL_FILTER = "Digit network (*.npz);;All files (*)"


def _format_shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


class TrainingTab(Tab):
    """See the module docstring."""

    title = "Training"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: DigitModel | None = None
        self.evaluation: Evaluation | None = None
        self._test: Digits | None = None
        self._last_step: TrainStep | None = None
        self._source: tuple[np.ndarray, str, bool] | None = None
        self._trainer = ProcessWorker(self, interval=0.1)
        self._trainer.steps.connect(self._on_steps)
        self._trainer.finished_run.connect(self._on_finished)
        self._trainer.failed.connect(self._on_failed)
        # the evaluation of a finished network, and a picked mistake's maps
        self._jobs = LatestJobWorker("training-results", self)
        self._jobs.done.connect(self._on_job_done)
        self._jobs.failed.connect(self._on_job_failed)
        self._evaluate_tag = self._pick_tag = -1
        self._build()
        self._show_architecture(architecture())
        self._update_buttons()

    # --- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        self.watch = TrainingWatchPanel()
        self.watch.mistake_picked.connect(self._on_mistake_picked)
        self.test_panel = DigitTestPanel()
        self.fit_panel = KernelFitPanel()
        self.fit_panel.message.connect(self.message)
        self.fit_panel.error.connect(self.error)
        self.pages = QTabWidget()
        self.pages.addTab(self._network_page(), "The network")
        self.pages.addTab(self.watch, "Watch it learn")
        self.pages.addTab(self.test_panel, "Test it yourself")
        self.pages.addTab(self.fit_panel, "Fit one kernel")
        self.pages.currentChanged.connect(self._on_page_changed)
        # the controls run across the top: beside the explorer's docks the tab is narrow
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._controls())
        layout.addWidget(self.pages, 1)

    def _network_page(self) -> QWidget:
        self.arch_table = QTableWidget(0, 4)
        self.arch_table.setHorizontalHeaderLabels(["layer", "output (H×W×K)", "parameters",
                                                   "MACs"])
        self.arch_table.verticalHeader().hide()
        self.arch_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.arch_table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.arch_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.arch_table.horizontalHeader()
        for c in range(4):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        note = QLabel(
            "The input is a 28×28 gray digit. Each conv layer slides its 5×5 kernels over "
            "its input without padding (28 − 5 + 1 = 24), ReLU keeps the positive responses "
            "and 2×2 max pooling halves the maps; the dense layer gives a score to each of "
            "the ten digits, and softmax turns the scores into probabilities.<br><br>"
            "<b>parameters</b>: weights + biases, all learned. <b>MACs</b>: "
            "multiply-accumulates to read one digit. The conv layers hold few parameters but "
            "do most of the work: their kernels are shared by every position.",
            wordWrap=True)
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.addWidget(self.arch_table, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(note, 1, Qt.AlignmentFlag.AlignTop)
        return page

    def _controls(self) -> QWidget:
        self.epochs_spin = QSpinBox(minimum=1, maximum=50, value=DEFAULT_EPOCHS,
                                    toolTip="How many times it goes through the 4,000 "
                                            "training digits")
        self.lr_spin = QDoubleSpinBox(minimum=0.0001, maximum=0.1, singleStep=0.001,
                                      decimals=4, value=DEFAULT_LEARNING_RATE,
                                      toolTip="Adam's step size: too small learns slowly, "
                                              "too large jumps about")
        self.batch_spin = QSpinBox(minimum=1, maximum=512, value=DEFAULT_BATCH_SIZE,
                                   toolTip="Digits per step: the gradient is averaged over "
                                           "them")
        self.seed_spin = QSpinBox(minimum=0, maximum=99999, value=0,
                                  toolTip="The random start: the same seed gives the same "
                                          "network")
        for spin in (self.epochs_spin, self.lr_spin, self.batch_spin, self.seed_spin):
            spin.setKeyboardTracking(False)

        self.start_button = QPushButton("Start")
        self.start_button.clicked.connect(self.start)
        self.pause_button = QPushButton("Pause")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.reset_button = QPushButton("Reset")
        self.reset_button.clicked.connect(self.reset)
        self.progress = QProgressBar(minimum=0, maximum=1000, value=0)
        self.progress.setTextVisible(False)
        self.progress_label = QLabel("Not trained yet.")
        self.score_label = QLabel()
        for label in (self.progress_label, self.score_label):
            # changing text must not resize the tab (and shift the window's docks)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.use_first_button = QPushButton("Use the first-layer kernels")
        self.use_first_button.setToolTip("The explorer runs the learned 5×5 kernels on your "
                                         "picture or webcam")
        self.use_first_button.clicked.connect(lambda: self.use_kernels(1))
        self.use_all_button = QPushButton("Use the whole stack")
        self.use_all_button.setToolTip("Both learned conv layers, with their ReLU and pooling, "
                                       "go to the explorer")
        self.use_all_button.clicked.connect(lambda: self.use_kernels(None))
        self.save_button = QPushButton("Save model…")
        self.save_button.clicked.connect(self.save_dialog)
        self.load_button = QPushButton("Load model…")
        self.load_button.clicked.connect(self.load_dialog)

        box = QWidget()
        rows = QVBoxLayout(box)
        rows.setContentsMargins(6, 4, 6, 4)
        settings = QHBoxLayout()
        for text, spin in (("Epochs:", self.epochs_spin), ("Learning rate:", self.lr_spin),
                           ("Batch size:", self.batch_spin), ("Seed:", self.seed_spin)):
            settings.addWidget(QLabel(text))
            settings.addWidget(spin)
            settings.addSpacing(12)
        settings.addStretch(1)
        for button in (self.use_first_button, self.use_all_button, self.save_button,
                       self.load_button):
            settings.addWidget(button)
        run = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button,
                       self.reset_button):
            run.addWidget(button)
        run.addWidget(self.progress, 2)
        run.addWidget(self.progress_label, 3)
        for row in (settings, run):
            rows.addLayout(row)
        rows.addWidget(self.score_label)
        return box

    def _show_architecture(self, rows) -> None:
        self.arch_table.setRowCount(len(rows) + 1)
        total_params = total_macs = 0
        for r, row in enumerate(rows):
            cells = (row.name, _format_shape(row.output),
                     counts.format_count(row.params) if row.params else "–",
                     counts.format_count(row.macs) if row.macs else "–")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.arch_table.setItem(r, c, item)
            total_params += row.params
            total_macs += row.macs
        for c, text in enumerate(("total", "", counts.format_count(total_params),
                                  counts.format_count(total_macs))):
            item = QTableWidgetItem(text)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.arch_table.setItem(len(rows), c, item)
        self.arch_table.resizeRowsToContents()
        self.arch_table.resizeColumnsToContents()
        width = (sum(self.arch_table.columnWidth(c) for c in range(4))
                 + 2 * self.arch_table.frameWidth() + 2)
        height = (self.arch_table.horizontalHeader().height()
                  + sum(self.arch_table.rowHeight(r) for r in range(len(rows) + 1))
                  + 2 * self.arch_table.frameWidth() + 2)
        self.arch_table.setFixedSize(width, height)

    # --- the tab contract ------------------------------------------------------------------
    def set_source(self, image: np.ndarray, name: str, live: bool) -> None:
        self._source = (image, name, live)
        if self.pages.currentWidget() is self.test_panel:
            self.test_panel.set_frame(image)
        if not live:
            self.fit_panel.set_picture(image, name)

    def _on_page_changed(self, _index: int) -> None:
        if self.pages.currentWidget() is self.test_panel and self._source is not None:
            self.test_panel.set_frame(self._source[0])
        if self.model is not None and self.pages.currentWidget() is self.test_panel:
            self.test_panel.set_model(self.model)

    def cleanup(self) -> None:
        self._trainer.stop()
        self._jobs.stop()
        self.fit_panel.cleanup()
        self.test_panel.cleanup()

    # --- training --------------------------------------------------------------------------
    @property
    def training(self) -> bool:
        return self._trainer.running

    def start(self) -> bool:
        """Start training a new network (or resume a paused one)."""
        if self._trainer.paused:
            self.toggle_pause()
            return True
        if self.training:
            return False
        settings = dict(seed=self.seed_spin.value(), epochs=self.epochs_spin.value(),
                        learning_rate=self.lr_spin.value(), batch_size=self.batch_spin.value())
        try:
            train_digits(**settings).close()  # settings that cannot work are said here
        except ValueError as exc:
            self.error.emit(str(exc))
            return False
        self.watch.clear()
        self.watch.set_epochs(self.epochs_spin.value())
        self.evaluation = None
        self._last_step = None
        self._show_architecture(architecture())
        self._trainer.start_run(train_digits, settings)  # in a child process
        if self.pages.currentIndex() == 0:  # from the network's summary to its training
            self.pages.setCurrentWidget(self.watch)
        self.progress.setValue(0)
        self.progress_label.setText("Starting …")
        self.score_label.setText("")
        self._update_buttons()
        return True

    def toggle_pause(self) -> None:
        if not self.training:
            return
        if self._trainer.paused:
            self._trainer.resume()
            self.progress_label.setText("Resumed …")
        else:
            self._trainer.pause()
            self.progress_label.setText("Paused: Resume goes on where it stopped.")
        self._update_buttons()

    def stop(self) -> None:
        """Stop after the current batch; the network keeps what it learned so far."""
        if self.training:
            self._trainer.request_stop()
            self.progress_label.setText("Stopping after this batch …")

    def reset(self) -> None:
        """Forget the network: stop training, clear the curves and the results."""
        self._trainer.stop()
        self.model = None
        self.evaluation = None
        self._last_step = None
        self.watch.clear()
        self.test_panel.set_model(None)
        self.progress.setValue(0)
        self.progress_label.setText("Not trained yet.")
        self.score_label.setText("")
        self._show_architecture(architecture())
        self._update_buttons()

    def _update_buttons(self) -> None:
        running, paused = self.training, self._trainer.paused
        has_model = self.model is not None
        self.start_button.setEnabled(not running or paused)
        self.start_button.setText("Resume" if paused else "Start")
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.stop_button.setEnabled(running)
        for button in (self.use_first_button, self.use_all_button, self.save_button):
            button.setEnabled(has_model)
        self.load_button.setEnabled(not running)
        for spin in (self.epochs_spin, self.lr_spin, self.batch_spin, self.seed_spin):
            spin.setEnabled(not running)

    def _on_steps(self, steps: list[TrainStep]) -> None:
        last = steps[-1]
        self._last_step = last
        self.model = last.model
        self.watch.add_steps(steps)
        self.progress.setValue(round(1000 * last.progress))
        left = last.seconds / last.progress * (1 - last.progress)
        paused = " (paused)" if self._trainer.paused else ""
        self.progress_label.setText(f"Epoch {last.epoch} of {last.total_steps // last.batches}"
                                    f", batch {last.batch} of {last.batches}{paused} · about "
                                    f"{left:.0f} s left")
        self._show_scores()
        if self.pages.currentWidget() is self.test_panel:
            self.test_panel.set_model(self.model)
        self._update_buttons()

    def _show_scores(self) -> None:
        steps = self._last_step
        if steps is None:
            return
        test = self.watch.test_accuracy_now()
        text = f"Right on the training digits (this epoch): {steps.train_accuracy:.1%}"
        if test is not None:
            text += f" · on the 1,000 test digits: <b>{test:.1%}</b>"
        self.score_label.setText(text)

    def _on_finished(self, last: TrainStep | None, completed: bool) -> None:
        if last is not None:
            self.model = last.model
            verb = "Trained" if completed else "Stopped"
            self.progress_label.setText(
                f"{verb} after {last.epoch_progress:.2f} epochs in {last.seconds:.1f} s of "
                "computing.")
            accuracy = self.watch.test_accuracy_now()
            self.message.emit(f"{verb}: the network reads {accuracy:.1%} of the test digits"
                              if accuracy is not None else f"{verb}.")
            self._evaluate()
        self._update_buttons()

    def _on_failed(self, message: str) -> None:
        self.error.emit(message)

    # --- the finished model ----------------------------------------------------------------
    def _evaluate(self) -> None:
        model = self.model
        if model is None:
            return
        if self._test is None:
            self._test = load_digits()[1]
        test = self._test
        self._evaluate_tag = self._jobs.submit(lambda _token: evaluate(model, test))
        self.test_panel.set_model(model)

    def _on_job_done(self, tag: int, result: object) -> None:
        if tag == self._evaluate_tag:
            assert self._test is not None
            self.evaluation = result
            self.watch.show_evaluation(result, self._test.images)
            self.score_label.setText(f"Right on the 1,000 test digits: "
                                     f"<b>{result.accuracy:.1%}</b>")
        elif tag == self._pick_tag:
            index, picture, (stages, probabilities) = result
            self.watch.show_picked(index, picture, stages, probabilities)

    def _on_job_failed(self, _tag: int, message: str) -> None:
        self.error.emit(message)

    def _on_mistake_picked(self, index: int) -> None:
        model, test = self.model, self._test
        if model is None or test is None:
            return
        picture = test.images[index]
        self._pick_tag = self._jobs.submit(lambda _token: (index, picture,
                                                           model.stages(picture)))

    def use_kernels(self, layers: int | None) -> None:
        """Send the learned stack (or its first ``layers``) to the explorer."""
        if self.model is None:
            return
        what = "first-layer kernels" if layers == 1 else "conv layers"
        self.send_to_explorer.emit(self.model.named_stack(
            layers, f"the {what} learned on MNIST"))

    def save_dialog(self) -> None:
        if self.model is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save the digit network", "digits.npz",
                                              MODEL_FILTER)
        if path:
            self.save(path)

    def save(self, path: str | Path) -> bool:
        if self.model is None:
            return False
        try:
            saved = save_model(self.model, path)
        except ValueError as exc:
            self.error.emit(str(exc))
            return False
        self.message.emit(f"Saved the network as {saved.name}")
        return True

    def load_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load a digit network", "", MODEL_FILTER)
        if path:
            self.load(path)

    def load(self, path: str | Path) -> bool:
        if self.training:
            return False
        try:
            model = load_model(path)
        except ValueError as exc:
            self.error.emit(str(exc))
            return False
        self.watch.clear()
        self.model = model
        self._last_step = None
        self._show_architecture(model.architecture())
        self.watch.show_model(model, f"loaded from {Path(path).name}")
        self.progress.setValue(0)
        self.progress_label.setText(f"Loaded {Path(path).name}.")
        self.message.emit(f"Loaded the network {Path(path).name}")
        self._evaluate()
        self._update_buttons()
        return True
