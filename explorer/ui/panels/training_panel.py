"""The Training tab's view: train a small CNN (or a perceptron beside it) on handwritten
digits and use what it learned.

Across the top: the training settings (which network, plain or shuffled pixels); Start / Pause /
Stop / Reset with a progress bar and the time left; "Use these kernels" (the learned stack goes
to the explorer), saving and loading. Below, the pages: the network's layers with their sizes,
parameters and multiply-accumulates; watch it learn; test it on a drawn or filmed digit (with
its saliency map); what a unit sees (its top-9 digits and its dream); the dreams of the ten
digits; MLP against CNN on plain and shuffled pixels; fit a single kernel by gradient descent.

It writes the settings and the page on show to ``document.training`` and draws what its
controller (:mod:`explorer.ui.controllers.training`) hands it; the controller also listens to
its buttons.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
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
from explorer.core.formulas import shape_text
from explorer.core.training import ArchitectureRow, architecture, mlp_architecture
from explorer.state import Document
from explorer.state.limits import CHOICES, RANGES, int_range
from explorer.ui.panels.comparison_panel import ComparisonPanel
from explorer.ui.panels.digit_test_panel import DigitTestPanel
from explorer.ui.panels.dream_panel import DreamsPanel
from explorer.ui.panels.kernel_fit_panel import KernelFitPanel
from explorer.ui.panels.training_slide import TrainingSlide
from explorer.ui.panels.training_units_panel import UnitsPanel
from explorer.ui.panels.training_watch_panel import TrainingWatchPanel
from explorer.ui.presentation_type import as_caption

PAGES = CHOICES["TrainingSettings.page"]  # the pages' keys, in their order on screen
SCOPE = "TrainingSettings"
MODELS = CHOICES[f"{SCOPE}.model"]
MODEL_NAMES = {"cnn": "CNN (conv layers)", "mlp": "MLP (one hidden layer)"}
NOTES = {
    "cnn": "The input is a 28×28 gray digit. Each conv layer slides its 5×5 kernels over "
           "its input without padding (28 − 5 + 1 = 24), ReLU keeps the positive responses "
           "and 2×2 max pooling halves the maps; the dense layer gives a score to each of "
           "the ten digits, and softmax turns the scores into probabilities.",
    "mlp": "The input is a 28×28 gray digit read as 784 numbers in a row. Every hidden unit "
           "has its own weight for every pixel: it sees the whole digit at once and knows "
           "nothing of which pixels are neighbours. ReLU keeps the positive responses; the "
           "dense output layer gives a score to each of the ten digits, and softmax turns "
           "the scores into probabilities.",
}


def _format_shape(shape: tuple[int, ...]) -> str:
    """Maps as width × height × maps; a vector as its length."""
    return shape_text(shape) if len(shape) >= 2 else "×".join(str(n) for n in shape)


class TrainingPanel(QWidget):
    """See the module docstring."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.picture_title = ""  # what the teaching picture says of the network ("": none)
        self.watch = TrainingWatchPanel()
        self.test_panel = DigitTestPanel(document)
        self.units_panel = UnitsPanel(document)
        self.dreams_panel = DreamsPanel(document)
        self.compare_panel = ComparisonPanel()
        self.fit_panel = KernelFitPanel(document)
        self.pages = QTabWidget()
        self.pages.setUsesScrollButtons(True)
        self.pages.addTab(self._network_page(), "The network")
        self.pages.addTab(self.watch, "Watch it learn")
        self.pages.addTab(self.test_panel, "Test it yourself")
        self.pages.addTab(self.units_panel, "What a unit sees")
        self.pages.addTab(self.dreams_panel, "Dreams")
        self.pages.addTab(self.compare_panel, "MLP against CNN")
        self.pages.addTab(self.fit_panel, "Fit one kernel")
        self.pages.setCurrentIndex(PAGES.index(document.training.page))
        self.pages.currentChanged.connect(self._on_page_edited)
        # the controls run across the top: beside the explorer's docks the tab is narrow
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._controls())
        layout.addWidget(self.pages, 1)

    # --- construction ----------------------------------------------------------------------
    def _network_page(self) -> QWidget:
        self.arch_table = QTableWidget(0, 4)
        self.arch_table.setHorizontalHeaderLabels(["layer", "output (W×H×K)", "parameters",
                                                   "MACs"])
        self.arch_table.verticalHeader().hide()
        self.arch_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.arch_table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.arch_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.arch_table.horizontalHeader()
        for c in range(4):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.arch_note = as_caption(QLabel(wordWrap=True))
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.addWidget(self.arch_table, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.arch_note, 1, Qt.AlignmentFlag.AlignTop)
        return page

    def _controls(self) -> QWidget:
        settings = self.document.training
        self.epochs_spin = QSpinBox(toolTip="How many times it goes through the 4,000 "
                                            "training digits")
        self.epochs_spin.setRange(*int_range("epochs", SCOPE))
        low, high = RANGES[f"{SCOPE}.learning_rate"]
        self.lr_spin = QDoubleSpinBox(minimum=low, maximum=high, singleStep=0.001, decimals=4,
                                      toolTip="Adam's step size: too small learns slowly, "
                                              "too large jumps about")
        self.batch_spin = QSpinBox(toolTip="Digits per step: the gradient is averaged over "
                                           "them")
        self.batch_spin.setRange(*int_range("batch_size", SCOPE))
        self.seed_spin = QSpinBox(toolTip="The random start: the same seed gives the same "
                                          "network")
        self.seed_spin.setRange(*int_range("seed", SCOPE))
        self.model_combo = QComboBox(toolTip="The network Start trains: the CNN, or a "
                                             "multilayer perceptron with one hidden layer")
        for model in MODELS:
            self.model_combo.addItem(MODEL_NAMES[model], model)
        self.model_combo.setCurrentIndex(MODELS.index(settings.model))
        self.model_combo.currentIndexChanged.connect(
            lambda i: self._on_setting_edited("model", MODELS[i]))
        self.shuffled_check = QCheckBox(
            "Shuffled pixels", toolTip="Train and test on digits whose 784 pixels are moved "
                                       "by one fixed permutation")
        self.shuffled_check.setChecked(settings.shuffled)
        self.shuffled_check.toggled.connect(
            lambda on: self._on_setting_edited("shuffled", on))
        self._spins = {"epochs": self.epochs_spin, "learning_rate": self.lr_spin,
                       "batch_size": self.batch_spin, "seed": self.seed_spin}
        for name, spin in self._spins.items():
            spin.setKeyboardTracking(False)  # "12" arrives as 12, not as 1 on the way
            spin.setValue(getattr(settings, name))
            spin.valueChanged.connect(lambda value, name=name: self._on_setting_edited(
                name, value))

        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.reset_button = QPushButton("Reset")
        self.progress = QProgressBar(minimum=0, maximum=1000, value=0)
        self.progress.setTextVisible(False)
        self.progress_label = as_caption(QLabel("Not trained yet."))
        self.score_label = as_caption(QLabel())
        for label in (self.progress_label, self.score_label):
            # changing text must not resize the tab (and shift the window's docks)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.use_first_button = QPushButton("Use the first-layer kernels")
        self.use_first_button.setToolTip("The explorer runs the learned 5×5 kernels on your "
                                         "picture or webcam")
        self.use_all_button = QPushButton("Use the whole stack")
        self.use_all_button.setToolTip("Both learned conv layers, with their ReLU and pooling, "
                                       "go to the explorer")
        self.save_button = QPushButton("Save model…")
        self.load_button = QPushButton("Load model…")

        box = QWidget()
        rows = QVBoxLayout(box)
        rows.setContentsMargins(6, 4, 6, 4)
        # short rows rather than one long one: the tab fits a 1024-pixel projector
        top = QHBoxLayout()
        for text, spin in (("Epochs:", self.epochs_spin), ("Learning rate:", self.lr_spin),
                           ("Batch size:", self.batch_spin), ("Seed:", self.seed_spin)):
            top.addWidget(QLabel(text))
            top.addWidget(spin)
            top.addSpacing(12)
        top.addStretch(1)
        network = QHBoxLayout()
        network.addWidget(QLabel("Network:"))
        network.addWidget(self.model_combo)
        network.addSpacing(12)
        network.addWidget(self.shuffled_check)
        network.addStretch(1)
        run = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button,
                       self.reset_button):
            run.addWidget(button)
        run.addWidget(self.progress, 1)
        said = QHBoxLayout()
        said.addWidget(self.progress_label, 1)
        said.addWidget(self.score_label, 1)
        use = QHBoxLayout()
        for button in (self.use_first_button, self.use_all_button, self.save_button,
                       self.load_button):
            use.addWidget(button)
        use.addStretch(1)
        for row in (network, top, run, said, use):
            rows.addLayout(row)
        return box

    # --- the user's edits go to the model -------------------------------------------------
    def _on_setting_edited(self, name: str, value: object) -> None:
        setattr(self.document.training, name, value)

    def _on_page_edited(self, index: int) -> None:
        self.document.training.page = PAGES[index]

    # --- the model is shown ---------------------------------------------------------------
    def show_settings(self) -> None:
        """Put ``document.training`` into the controls (without echoing it back)."""
        settings = self.document.training
        for name, spin in self._spins.items():
            with QSignalBlocker(spin):
                spin.setValue(getattr(settings, name))
        with QSignalBlocker(self.model_combo):
            self.model_combo.setCurrentIndex(MODELS.index(settings.model))
        with QSignalBlocker(self.shuffled_check):
            self.shuffled_check.setChecked(settings.shuffled)
        with QSignalBlocker(self.pages):
            self.pages.setCurrentIndex(PAGES.index(settings.page))
        self.test_panel.show_settings()
        self.units_panel.show_settings()
        self.dreams_panel.show_settings()
        self.fit_panel.show_settings()

    @contextlib.contextmanager
    def teaching_picture(self) -> Iterator[QWidget]:
        """The widget an export of the tab pictures, while the export runs: a slide of the
        curves, the first layer and the confusion matrix (made for it, never on screen), under
        ``picture_title``. Raises ValueError when no network is on show."""
        if not self.picture_title:
            raise ValueError("the Training tab has no network to picture: train one or load "
                             "one")
        slide = TrainingSlide()
        slide.show_training(self.watch, self.picture_title)
        try:
            yield slide
        finally:
            slide.close()
            slide.deleteLater()

    @property
    def page(self) -> str:
        """The key of the page on show."""
        return PAGES[self.pages.currentIndex()]

    def show_run(self, running: bool, paused: bool, has_model: bool,
                 has_kernels: bool = True) -> None:
        """Which buttons and settings can be used while training runs, is paused or not
        (``has_kernels``: the network has conv kernels to send to the explorer)."""
        self.start_button.setEnabled(not running or paused)
        self.start_button.setText("Resume" if paused else "Start")
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.stop_button.setEnabled(running)
        for button in (self.use_first_button, self.use_all_button):
            button.setEnabled(has_model and has_kernels)
        self.save_button.setEnabled(has_model)
        self.load_button.setEnabled(not running)
        for widget in (*self._spins.values(), self.model_combo, self.shuffled_check):
            widget.setEnabled(not running)  # a run keeps the settings it started with

    def show_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(round(1000 * fraction))
        self.progress_label.setText(text)

    def show_score(self, text: str) -> None:
        self.score_label.setText(text)

    def show_architecture(self, rows: Sequence[ArchitectureRow], kind: str = "cnn") -> None:
        """The network's layers (a ``kind`` of network) with their outputs, parameters and
        multiply-accumulates; the note beside them counts both kinds' parameters."""
        cnn = sum(row.params for row in architecture())
        mlp = sum(row.params for row in mlp_architecture())
        self.arch_note.setText(
            f"{NOTES[kind]}<br><br><b>parameters</b>: weights + biases, all learned. "
            "<b>MACs</b>: multiply-accumulates to read one digit.<br><br>"
            f"The CNN learns {counts.format_count(cnn)} parameters, the MLP "
            f"{counts.format_count(mlp)}: {mlp / cnn:.0f}× more. The conv layers hold few "
            "parameters but do most of the work: their kernels are shared by every "
            "position.")
        table = self.arch_table
        table.setRowCount(len(rows) + 1)
        total_params = total_macs = 0
        for r, row in enumerate(rows):
            cells = (row.name, _format_shape(row.output),
                     counts.format_count(row.params) if row.params else "–",
                     counts.format_count(row.macs) if row.macs else "–")
            for c, text in enumerate(cells):
                table.setItem(r, c, self._cell(text, c))
            total_params += row.params
            total_macs += row.macs
        for c, text in enumerate(("total", "", counts.format_count(total_params),
                                  counts.format_count(total_macs))):
            item = self._cell(text, c)
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            table.setItem(len(rows), c, item)
        table.resizeRowsToContents()
        table.resizeColumnsToContents()
        width = sum(table.columnWidth(c) for c in range(4)) + 2 * table.frameWidth() + 2
        height = (table.horizontalHeader().height()
                  + sum(table.rowHeight(r) for r in range(len(rows) + 1))
                  + 2 * table.frameWidth() + 2)
        table.setFixedSize(width, height)

    @staticmethod
    def _cell(text: str, column: int) -> QTableWidgetItem:
        item = QTableWidgetItem(text)
        if column:
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item
