"""What the digit network makes of a picture of one digit: drawn on the pad, or held up to the
webcam in the middle of the picture.

Either picture goes through the same MNIST-style preparation as the training digits
(:mod:`explorer.core.training.preprocess`), then through the learned stack on the explorer's
engine (:meth:`DigitModel.stages`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.images import resize_to_fit
from explorer.core.pipeline import StageResult
from explorer.core.training.model import DigitModel
from explorer.core.training.preprocess import centre_box, mnist_style

BOX_SHARE = 0.5  # the digit is looked for in the middle half of the camera picture
PREVIEW_SIDE = 320  # the camera picture comes back this small, for the view


@dataclass(frozen=True, eq=False)
class Reading:
    """What the network made of one picture, or why there was nothing to read."""

    digit: np.ndarray | None  # (28, 28) uint8, MNIST-style
    stages: list[StageResult]
    probabilities: np.ndarray | None  # (10,)
    preview: np.ndarray | None = None  # the camera picture, small, for the view
    box: tuple[int, int, int, int] | None = None  # the centre box in the preview
    problem: str = ""  # e.g. "there is no digit: …" (an empty box is normal, not a fault)

    @property
    def answer(self) -> int | None:
        """The digit read, or None."""
        return None if self.probabilities is None else int(self.probabilities.argmax())


def read_picture(model: DigitModel, picture: np.ndarray, ink: str) -> Reading:
    """Prepare a picture of one digit as MNIST's and run it through the network."""
    digit = mnist_style(picture, ink)
    stages, probabilities = model.stages(digit)
    return Reading(digit, stages, probabilities)


def read_frame(model: DigitModel | None, frame: np.ndarray) -> Reading:
    """The digit in the middle of a camera frame (or a still); the frame comes back small,
    boxed. Without a model only the preview comes back."""
    preview = resize_to_fit(frame, PREVIEW_SIDE)
    _, box = centre_box(preview, BOX_SHARE)
    if model is None:
        return Reading(None, [], None, preview, box)
    crop, _ = centre_box(frame, BOX_SHARE)
    try:
        reading = read_picture(model, crop, "auto")
    except ValueError as exc:
        return Reading(None, [], None, preview, box, str(exc))
    return Reading(reading.digit, reading.stages, reading.probabilities, preview, box)
