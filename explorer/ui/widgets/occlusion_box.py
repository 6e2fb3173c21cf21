"""The occlusion controls: the grey square's size and step, run, cancel, progress, clear."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QProgressBar,
    QPushButton,
)

SQUARES = (32, 48, 64, 96)  # px of the 224×224 picture
STEPS = (8, 16, 32)


def _choose(combo: QComboBox, value: int, text: str) -> None:
    """Select ``value`` in ``combo``, adding it in order when a session or script set a size
    the list does not offer."""
    with QSignalBlocker(combo):
        index = combo.findData(value)
        if index < 0:
            index = sum(1 for i in range(combo.count()) if combo.itemData(i) < value)
            combo.insertItem(index, text, value)
        combo.setCurrentIndex(index)


class OcclusionBox(QGroupBox):
    """Asks for an occlusion run and shows its progress; the tab's controller does the work.

    ``square_chosen``/``step_chosen`` are the user's choices (px), ``run_requested``,
    ``cancel_requested`` and ``clear_requested`` the buttons.
    """

    square_chosen = Signal(int)
    step_chosen = Signal(int)
    run_requested = Signal()
    cancel_requested = Signal()
    clear_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__("Occlusion: where does the network look?", parent)
        self.setToolTip(
            "Zeiler & Fergus: a grey square is slid over the picture and the network's "
            "probability for its top class is measured at each place. Red marks where "
            "covering the picture lowers it: the network looked there.")
        self.square = QComboBox()
        for s in SQUARES:
            self.square.addItem(f"{s}×{s} px", s)
        self.step = QComboBox()
        for s in STEPS:
            self.step.addItem(f"{s} px", s)
        self.set_values(48, 16)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Slide the square over the picture now on screen (a live "
                                   "feed is frozen on its frame first)")
        self.cancel_button = QPushButton("Cancel")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Show the picture without the heat map")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        grid = QGridLayout(self)
        grid.addWidget(QLabel("grey square"), 0, 0)
        grid.addWidget(self.square, 0, 1)
        grid.addWidget(QLabel("step"), 0, 2)
        grid.addWidget(self.step, 0, 3)
        grid.addWidget(self.run_button, 1, 0)
        grid.addWidget(self.cancel_button, 1, 1)
        grid.addWidget(self.clear_button, 1, 2, 1, 2)
        grid.addWidget(self.progress, 2, 0, 1, 4)
        self.square.currentIndexChanged.connect(
            lambda i: self.square_chosen.emit(self.square.itemData(i)))
        self.step.currentIndexChanged.connect(
            lambda i: self.step_chosen.emit(self.step.itemData(i)))
        self.run_button.clicked.connect(self.run_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.clear_button.clicked.connect(self.clear_requested)
        self.set_running(False)
        self.clear_button.setEnabled(False)

    def set_values(self, square: int, step: int) -> None:
        """Show the square and step of the model (without echoing them back)."""
        _choose(self.square, square, f"{square}×{square} px")
        _choose(self.step, step, f"{step} px")

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.square.setEnabled(not running)
        self.step.setEnabled(not running)
        if not running:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("not running")

    def set_progress(self, done: int, total: int) -> None:
        self.progress.setFormat("%v of %m places")
        self.progress.setRange(0, total)
        self.progress.setValue(done)
