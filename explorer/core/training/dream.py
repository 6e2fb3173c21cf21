"""The dream of a unit: the picture the digit network answers to most (activation maximisation).

Start from faint noise and climb the gradient of what the unit computes, with respect to the
picture (Erhan et al. 2009; Simonyan et al. 2014): "what the network thinks a 3 looks like" for
a class score, the pattern a channel looks for for a unit of its feature map. Left alone,
the ascent finds high-frequency noise the network also answers to; as in the visualisation
literature (Yosinski et al. 2015) two small regularisers keep it a picture: an L2 decay that
pulls unused pixels back to black (no ink), and a slight Gaussian blur every few steps. Each
step moves the pixels by at most ``STEP_SIZE`` (the gradient is scaled by its largest value),
and the picture stays a digit picture: whole values 0…255.

A generator, like training: one :class:`DreamStep` per step, so the one worker can show the
picture forming and stop it by closing the generator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from explorer.core.training import layers
from explorer.core.training.data import CLASSES, SIDE
from explorer.core.training.input_gradient import class_score_gradient, unit_gradient
from explorer.core.training.model import INPUT_SCALE, DigitModel, forward
from explorer.core.training.threads import one_blas_thread
from explorer.core.training.units import check_unit

STEPS = 150
STEP_SIZE = 0.05  # the largest change of a pixel in one step, in network input (0…1)
DECAY = 0.02  # the L2 regulariser as a decay: each step keeps 98 % of every pixel
BLUR_SIGMA = 0.6  # pixels
BLUR_EVERY = 4  # steps
NOISE = 0.2  # the starting picture: uniform noise 0 … NOISE·255


@dataclass(frozen=True, eq=False)
class DreamStep:
    """The dream after ``step`` steps (0: the starting noise)."""

    step: int
    steps: int
    picture: np.ndarray  # (28, 28) uint8, white ink on black as the digits are
    value: float  # what is maximised: the class score, or the unit's value (before ReLU)
    probabilities: np.ndarray  # (10,) what the network thinks the picture shows

    @property
    def done(self) -> bool:
        return self.step == self.steps


Objective = Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray]]


def dream_class(model: DigitModel, digit: int, *, steps: int = STEPS, seed: int = 0
                ) -> Iterator[DreamStep]:
    """The picture that raises the score of ``digit`` from noise. ValueError for a digit
    outside 0…9 or a number of steps below 1, before any step."""
    if isinstance(digit, bool) or not isinstance(digit, int | np.integer) \
            or not 0 <= digit < CLASSES:
        raise ValueError(f"the digit must be 0 to {CLASSES - 1}, not {digit!r}")
    params = model.params

    def objective(x):
        logits, grad = class_score_gradient(params, x, int(digit))
        return float(logits[0, digit]), grad, layers.softmax(logits)[0]

    return _ascend(objective, _check_steps(steps), seed)


def dream_channel(model: DigitModel, layer: int, channel: int, *, steps: int = STEPS,
                  seed: int = 0) -> Iterator[DreamStep]:
    """The picture that raises the centre unit of ``channel``'s feature map of conv ``layer``
    (0 is the first layer) from noise, as the Deep Visualization Toolbox dreams a channel:
    the dream fills the unit's receptive field (see :func:`centre_unit`) and the L2 decay
    leaves the rest black. ValueError for a unit the network lacks."""
    params = model.params
    check_unit(params, layer, channel)
    row, col = centre_unit(model, layer)

    def objective(x):
        value, grad = unit_gradient(params, x, layer, channel, row, col)
        return float(value[0]), grad, layers.softmax(forward(params, x)[0])[0]

    return _ascend(objective, _check_steps(steps), seed)


def centre_unit(model: DigitModel, layer: int) -> tuple[int, int]:
    """(row, column) of the unit in the middle of conv ``layer``'s feature maps."""
    h, w = SIDE, SIDE
    for i in range(layer + 1):
        _, kh, kw, _ = model.conv_weights(i).shape
        h, w = h - kh + 1, w - kw + 1
        if i < layer:
            h, w = h // 2, w // 2
    return h // 2, w // 2


def _check_steps(steps: int) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"a dream needs a whole number of steps of at least 1, not {steps!r}")
    return int(steps)


def _ascend(objective: Objective, steps: int, seed: int) -> Iterator[DreamStep]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, NOISE, (SIDE, SIDE)).astype(np.float32)  # network input, 0…1
    for step in range(steps + 1):
        # what is shown and scored is the digit picture; the climb keeps its fractions, so
        # the decay of faint pixels is not rounded away
        picture = np.rint(x * INPUT_SCALE).astype(np.uint8)
        with one_blas_thread():  # small products: see explorer.core.training.threads
            value, grad, probabilities = objective(
                picture[None].astype(np.float32) / np.float32(INPUT_SCALE))
        yield DreamStep(step, steps, picture, value, probabilities.astype(np.float32))
        if step == steps:
            return
        x = (1.0 - DECAY) * x + STEP_SIZE * grad[0] / max(float(np.abs(grad).max()), 1e-12)
        if step % BLUR_EVERY == 0:
            x = cv2.GaussianBlur(x.astype(np.float32), (0, 0), BLUR_SIGMA)
        x = np.clip(x, 0.0, 1.0).astype(np.float32)
