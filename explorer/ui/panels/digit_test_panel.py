"""Test the network yourself: a digit drawn on the pad, or held up to the webcam.

Either picture goes through the same MNIST-style preparation as the training digits (binarised,
its bounding box scaled to 20 pixels, its centre of mass put at the centre of 28×28), then
through the learned stack on the explorer's engine. The ten probabilities are shown as bars,
and every stage's feature maps below them. The work runs on a worker thread, newest picture
only, so drawing fast or a 30 fps camera never queues up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.images import resize_to_fit
from explorer.core.pipeline import StageResult
from explorer.core.training import DigitModel, centre_box, mnist_style
from explorer.ui.widgets.drawing_pad import DrawingPad
from explorer.ui.widgets.frame_preview import FramePreview
from explorer.ui.widgets.probability_bars import ProbabilityBars
from explorer.ui.widgets.stage_maps import StageMapsView
from explorer.ui.workers.latest import LatestJobWorker

BOX_SHARE = 0.5  # the digit is looked for in the middle half of the camera picture
PREVIEW_SIDE = 320  # the camera picture is shown this small
PAD_DELAY_MS = 30  # strokes arriving faster than this are read together


@dataclass(frozen=True, eq=False)
class Reading:
    """What the network made of one picture, or why there was nothing to read."""

    digit: np.ndarray | None  # (28, 28) uint8, MNIST-style
    stages: list[StageResult]
    probabilities: np.ndarray | None  # (10,)
    preview: np.ndarray | None = None  # the camera picture, small, for the view
    box: tuple[int, int, int, int] | None = None  # the centre box in the preview
    problem: str = ""  # e.g. "there is no digit: …" (an empty box is normal, not a fault)


def read_picture(model: DigitModel, picture: np.ndarray, ink: str) -> Reading:
    """Prepare a picture of one digit as MNIST's and run it through the network."""
    digit = mnist_style(picture, ink)
    stages, probabilities = model.stages(digit)
    return Reading(digit, stages, probabilities)


def read_frame(model: DigitModel, frame: np.ndarray) -> Reading:
    """The digit in the middle of a camera frame; the frame comes back small, boxed."""
    preview = resize_to_fit(frame, PREVIEW_SIDE)
    crop, _ = centre_box(frame, BOX_SHARE)
    _, box = centre_box(preview, BOX_SHARE)
    try:
        reading = read_picture(model, crop, "auto")
    except ValueError as exc:
        return Reading(None, [], None, preview, box, str(exc))
    return Reading(reading.digit, reading.stages, reading.probabilities, preview, box)


class DigitTestPanel(QWidget):
    """Pad or camera on the left; the probabilities and the maps of every stage on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._worker = LatestJobWorker("digit-reader", self)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._model: DigitModel | None = None
        self._frame: np.ndarray | None = None
        self.last_reading: Reading | None = None
        self._pad_timer = QTimer(self, singleShot=True, interval=PAD_DELAY_MS)
        self._pad_timer.timeout.connect(self._read_pad)
        self._build()

    def _build(self) -> None:
        self.draw_radio = QRadioButton("Draw", checked=True)
        self.camera_radio = QRadioButton("Webcam or picture")
        self.camera_radio.setToolTip("The window's picture: the webcam when it is live "
                                     "(Live menu), else the still picture. Hold a dark digit "
                                     "on white paper in the orange box.")
        group = QButtonGroup(self)
        group.addButton(self.draw_radio)
        group.addButton(self.camera_radio)
        self.draw_radio.toggled.connect(self._on_source_changed)

        self.pad = DrawingPad()
        self.pad.changed.connect(self._pad_timer.start)
        self.pad.cleared.connect(self._on_pad_cleared)
        self.clear_button = QPushButton("Clear (Backspace)")
        self.clear_button.clicked.connect(self.pad.clear)

        self.preview = FramePreview()
        self.preview.set_note("No picture yet: open one or start the webcam (Live menu), "
                              "then hold a digit in the box.")
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
        self.maps = StageMapsView()
        right = QVBoxLayout()
        right.addWidget(self.answer)
        right.addWidget(self.bars)
        right.addWidget(self.maps, 1)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addLayout(right, 3)
        self._say_waiting()

    # --- inputs ----------------------------------------------------------------------------
    def set_model(self, model: DigitModel | None) -> None:
        self._model = model
        self.last_reading = None
        self.bars.set_probabilities(None)
        self.maps.clear()
        self._say_waiting()
        self.refresh()

    @property
    def camera_mode(self) -> bool:
        return self.camera_radio.isChecked()

    def set_frame(self, frame: np.ndarray) -> None:
        """The newest picture of the window (a webcam frame or the still)."""
        self._frame = frame
        if self.camera_mode:
            self._read_frame()

    def refresh(self) -> None:
        """Read the current source again (a new model, another source)."""
        if self.camera_mode:
            self._read_frame()
        elif not self.pad.is_empty:
            self._read_pad()

    def _on_source_changed(self) -> None:
        self.sources.setCurrentIndex(1 if self.camera_mode else 0)
        self.clear_button.setVisible(not self.camera_mode)
        self.bars.set_probabilities(None)
        self.maps.clear()
        self._say_waiting()
        self.refresh()

    def _on_pad_cleared(self) -> None:
        self.bars.set_probabilities(None)
        self.maps.clear()
        self._say_waiting()

    def _say_waiting(self) -> None:
        if self._model is None:
            self.answer.setText("Train the network (or load a saved one) to test it.")
        elif self.camera_mode:
            self.answer.setText("Hold a digit in the orange box.")
        else:
            self.answer.setText("Draw a digit on the black pad.")

    def _read_pad(self) -> None:
        model = self._model
        if model is None or self.pad.is_empty:
            return
        drawing = self.pad.image()
        self._worker.submit(lambda _token: read_picture(model, drawing, "light"))

    def _read_frame(self) -> None:
        model, frame = self._model, self._frame
        if frame is None:
            return
        if model is None:
            preview = resize_to_fit(frame, PREVIEW_SIDE)
            self.preview.set_frame(preview, centre_box(preview, BOX_SHARE)[1])
            return
        self._worker.submit(lambda _token: read_frame(model, frame))

    # --- results ---------------------------------------------------------------------------
    def _on_done(self, _tag: int, reading: Reading) -> None:
        camera = reading.preview is not None
        if camera != self.camera_mode:
            return  # the source changed while it was being read
        self.last_reading = reading
        if camera:
            self.preview.set_frame(reading.preview, reading.box)
        if reading.problem or reading.probabilities is None:
            self._say_nothing(reading.problem)
            return
        best = int(reading.probabilities.argmax())
        self.answer.setText(f"It reads a {best} ({reading.probabilities[best]:.0%} sure)")
        self.bars.set_probabilities(reading.probabilities)
        self.maps.set_stages(reading.digit, reading.stages)

    def _on_failed(self, _tag: int, message: str) -> None:
        self._say_nothing(message)

    def _say_nothing(self, message: str) -> None:
        # no digit in the picture is a normal moment (an empty box), not a fault
        text = message or "there is nothing to read"
        self.answer.setText(text[0].upper() + text[1:] + ".")
        self.bars.set_probabilities(None)
        self.maps.clear("Nothing to read.")

    def cleanup(self) -> None:
        self._pad_timer.stop()
        self._worker.stop()
