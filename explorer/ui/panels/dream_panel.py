"""Dreams: what the network thinks each digit looks like.

From faint noise, gradient ascent on the picture raises one digit's score step by step (a
slight blur and a decay keep it a picture); the picture forms on screen while it runs. A row
of ten tiles keeps each digit's finished dream; the chosen digit (``document.training``'s
``dream_digit``, by its spin box or a click on its tile) is shown large with what the network
reads in it.

The view draws what the Training tab's controller hands it (the dreams come from the tab's
worker) and writes the chosen digit; the controller listens to its buttons.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.training import DreamStep
from explorer.core.training.data import SIDE
from explorer.state import Document
from explorer.state.limits import int_range
from explorer.ui.presentation_type import as_heading
from explorer.ui.widgets.digit_gallery import DigitGallery
from explorer.ui.widgets.digit_picture import DigitPicture
from explorer.ui.widgets.probability_bars import ProbabilityBars
from explorer.ui.widgets.steady_label import SteadyLabel

TILE = 72
DIGITS = 10


def caption(digit: int, step: DreamStep | None) -> str:
    return f"{digit}" if step is None else f"{digit}: {step.probabilities[digit]:.0%}"


class DreamsPanel(QWidget):
    """Ten tiles above; the chosen digit's dream large, with the ten probabilities."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._dreams: dict[int, DreamStep] = {}
        self._build()
        self.show_settings()

    def _build(self) -> None:
        # three steady lines: a wrapped label beside the large picture asks for odd heights
        intro = SteadyLabel(
            "What the network thinks each digit looks like. Each dream starts from faint "
            "noise; every step changes the pixels a little in the direction that raises that "
            "digit's score the most (the gradient of the score with respect to the picture), "
            "with a slight blur and decay that keep it a picture.", lines=3)
        self.tiles = DigitGallery(tile=TILE)
        self.tiles.setFixedHeight(TILE + self.fontMetrics().height() + 8)
        self.tiles.selected.connect(self._on_tile_clicked)
        self.all_button = QPushButton("Dream all ten digits")
        self.digit_spin = QSpinBox(toolTip="The digit shown large (and dreamed by “Dream of "
                                           "this digit”)")
        self.digit_spin.setRange(*int_range("dream_digit", "TrainingSettings"))
        self.digit_spin.setKeyboardTracking(False)
        self.digit_spin.valueChanged.connect(self._on_digit_edited)
        self.one_button = QPushButton("Dream of this digit")
        self.stop_button = QPushButton("Stop")
        buttons = QHBoxLayout()
        buttons.addWidget(self.all_button)
        buttons.addSpacing(12)
        buttons.addWidget(QLabel("Digit:"))
        buttons.addWidget(self.digit_spin)
        buttons.addWidget(self.one_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)

        self.picture = DigitPicture(side=280)
        self.title = QLabel(wordWrap=True)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.bars = ProbabilityBars()
        self.bars.setMaximumHeight(170)
        reads = as_heading(QGroupBox("What the network reads in it"))
        reads_layout = QVBoxLayout(reads)
        reads_layout.addWidget(self.title)
        reads_layout.addWidget(self.bars)
        reads_layout.addStretch(1)
        large = QHBoxLayout()
        large.addWidget(self.picture, 1)
        large.addWidget(reads, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tiles)
        layout.addLayout(buttons)
        layout.addLayout(large, 1)

    # --- the user's edits go to the model -------------------------------------------------
    def _on_digit_edited(self, value: int) -> None:
        self.document.training.dream_digit = value

    def _on_tile_clicked(self, position: int) -> None:
        self.document.training.dream_digit = position

    # --- the model is shown ---------------------------------------------------------------
    def show_settings(self) -> None:
        with QSignalBlocker(self.digit_spin):
            self.digit_spin.setValue(self.document.training.dream_digit)
        self._show_chosen()

    def show_dreams(self, dreams: dict[int, DreamStep], note: str = "") -> None:
        """Each digit's dream as far as it has come (an empty dict and ``note``: none)."""
        self._dreams = dict(dreams)
        if not dreams:
            self.tiles.set_digits([], [], note)
        else:
            empty = np.zeros((SIDE, SIDE), np.uint8)  # a digit not dreamed yet
            pictures, captions = [], []
            for digit in range(DIGITS):
                step = dreams.get(digit)
                pictures.append(empty if step is None else step.picture)
                captions.append(caption(digit, step))
            self.tiles.set_digits(pictures, captions)
        self._show_chosen(note)

    def dream(self, digit: int) -> DreamStep | None:
        """The dream of ``digit`` on show, or None."""
        return self._dreams.get(digit)

    def _show_chosen(self, note: str = "") -> None:
        digit = self.document.training.dream_digit
        step = self._dreams.get(digit)
        if step is None:
            self.picture.set_picture(None, note or f"No dream of a {digit} yet: press “Dream "
                                                   "of this digit” or “Dream all ten digits”.")
            self.title.setText("")
            self.bars.set_probabilities(None)
            return
        state = "done" if step.done else "forming"
        self.picture.set_picture(step.picture)
        self.title.setText(f"The dream of a {digit}, step {step.step} of {step.steps} "
                           f"({state}): the network is {step.probabilities[digit]:.1%} sure "
                           f"it shows a {digit}.")
        self.bars.set_probabilities(step.probabilities)

    def show_running(self, dreaming: bool, can_dream: bool) -> None:
        for button in (self.all_button, self.one_button):
            button.setEnabled(can_dream and not dreaming)
        self.stop_button.setEnabled(dreaming)
