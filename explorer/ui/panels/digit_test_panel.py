"""Test the network yourself: a digit drawn on the pad, or held up to the webcam.

The view writes the source chosen (``document.training.test_source``) and tells its controller
when the drawing changes (``pad.changed``); the controller reads the digit on its worker
(:mod:`explorer.core.training.reading`) and hands back a :class:`Reading`: the ten
probabilities are shown as bars, beside them the saliency map (the gradient of the answer's
score with respect to each pixel: red pixels, brightened, would raise it, blue ones lower it),
and every stage's feature maps below them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.training import Reading, Saliency
from explorer.core.training.data import SIDE
from explorer.state import Document
from explorer.ui.presentation_type import as_heading
from explorer.ui.widgets.banner import sentence
from explorer.ui.widgets.drawing_pad import DrawingPad
from explorer.ui.widgets.frame_preview import FramePreview
from explorer.ui.widgets.kernel_image import KernelImage
from explorer.ui.widgets.probability_bars import ProbabilityBars
from explorer.ui.widgets.stage_maps import StageMapsView

NO_MAPS = ("An MLP has no feature maps: each of its hidden units sees all 784 pixels at once, "
           "in no particular order.")
SALIENCY_SIDE = 112
NO_PICTURE = ("No picture yet: open one or start the webcam (Live menu), then hold a digit in "
              "the box.")


class DigitTestPanel(QWidget):
    """Pad or camera on the left; the probabilities and the maps of every stage on the right."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.reading: Reading | None = None  # the reading on show
        self.draw_radio = QRadioButton("Draw")
        self.camera_radio = QRadioButton("Webcam or picture")
        self.camera_radio.setToolTip("The window's picture: the webcam when it is live "
                                     "(Live menu), else the still picture. Hold a dark digit "
                                     "on white paper in the orange box.")
        group = QButtonGroup(self)
        group.addButton(self.draw_radio)
        group.addButton(self.camera_radio)
        self.draw_radio.toggled.connect(self._on_source_edited)

        self.pad = DrawingPad()
        self.clear_button = QPushButton("Clear (Backspace)")
        self.clear_button.clicked.connect(self.pad.clear)
        self.preview = FramePreview()
        self.preview.set_note(NO_PICTURE)
        self.sources = QStackedWidget()
        self.sources.addWidget(self.pad)
        self.sources.addWidget(self.preview)

        left = QVBoxLayout()
        choice = QHBoxLayout()
        choice.addWidget(self.draw_radio)
        choice.addWidget(self.camera_radio)
        choice.addStretch(1)
        choice.addWidget(self.clear_button)
        left.addLayout(choice)
        left.addWidget(self.sources, 1)

        self.answer = QLabel(wordWrap=True)
        font = self.answer.font()
        font.setPointSizeF(max(font.pointSizeF(), 9) * 1.4)
        font.setBold(True)
        self.answer.setFont(font)
        self.bars = ProbabilityBars()
        self.saliency = KernelImage(side=SALIENCY_SIDE)
        self.saliency.setMinimumSize(84, 84)
        self.saliency.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.saliency_title = QLabel(wordWrap=True)
        self.saliency_title.setSizePolicy(QSizePolicy.Policy.Ignored,
                                          QSizePolicy.Policy.Preferred)
        saliency_box = as_heading(QGroupBox("Saliency"))
        saliency_box.setToolTip("The gradient of the answer's score with respect to each pixel "
                                "(Simonyan et al. 2014)")
        saliency_layout = QHBoxLayout(saliency_box)
        saliency_layout.addWidget(self.saliency, 2)
        saliency_layout.addWidget(self.saliency_title, 3)
        answers = QHBoxLayout()
        answers.addWidget(self.bars, 1)
        answers.addWidget(saliency_box, 1)
        self.maps = StageMapsView()
        right = QVBoxLayout()
        right.addWidget(self.answer)
        right.addLayout(answers)
        right.addWidget(self.maps, 1)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addLayout(right, 3)
        self.show_settings()

    # --- the user's edits go to the model -------------------------------------------------
    def _on_source_edited(self) -> None:
        self.document.training.test_source = "picture" if self.camera_radio.isChecked() \
            else "draw"

    # --- the model is shown ---------------------------------------------------------------
    @property
    def camera_mode(self) -> bool:
        return self.document.training.test_source == "picture"

    def show_settings(self) -> None:
        """Put the source chosen into the radio buttons and show its picture."""
        camera = self.camera_mode
        for radio, checked in ((self.draw_radio, not camera), (self.camera_radio, camera)):
            with QSignalBlocker(radio):
                radio.setChecked(checked)
        self.sources.setCurrentIndex(1 if camera else 0)
        self.clear_button.setVisible(not camera)

    def clear(self, waiting: str) -> None:
        """Nothing read: no bars, no maps, and what the user can do (``waiting``)."""
        self.reading = None
        self.answer.setText(waiting)
        self.bars.set_probabilities(None)
        self.show_saliency(None)
        self.maps.clear()

    def show_no_picture(self) -> None:
        self.preview.set_note(NO_PICTURE)

    def show_reading(self, reading: Reading, waiting: str) -> None:
        """A reading of the current source: its preview, and what the network made of it
        (``waiting`` is said when there was no network to read with)."""
        if reading.preview is not None:
            self.preview.set_frame(reading.preview, reading.box)
        if reading.problem or reading.probabilities is None:
            # no digit in the picture is a normal moment (an empty box), not a fault
            self.clear(sentence(reading.problem) if reading.problem else waiting)
            if reading.problem:
                self.maps.clear("Nothing to read.")
            self.reading = reading
            return
        self.reading = reading
        best = reading.answer
        self.answer.setText(f"It reads a {best} ({reading.probabilities[best]:.0%} sure)")
        self.bars.set_probabilities(reading.probabilities)
        self.show_saliency(reading.saliency)
        if reading.stages:
            seen = reading.digit if reading.seen is None else reading.seen
            self.maps.set_stages(seen, reading.stages)
        else:
            self.maps.clear(NO_MAPS)

    def show_saliency(self, saliency: Saliency | None) -> None:
        """The gradient of a class score, zero white, on one symmetric scale (None: none)."""
        if saliency is None:
            self.saliency.set_kernel(np.zeros((SIDE, SIDE), np.float32), 1.0)
            self.saliency_title.setText("Which pixels the answer hangs on, once it reads a "
                                        "digit.")
            return
        limit = float(np.abs(saliency.gradient).max())
        self.saliency.set_kernel(saliency.gradient, limit)
        self.saliency_title.setText(
            f"The score of {saliency.digit} rises where a pixel made brighter is red, and "
            f"falls where it is blue (±{limit:.2g} per grey level at full colour).")
