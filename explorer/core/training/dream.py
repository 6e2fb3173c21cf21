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

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from explorer.core.blas import one_blas_thread
from explorer.core.training import layers
from explorer.core.training.data import CLASSES, SIDE
from explorer.core.training.input_gradient import class_score_gradient, unit_gradient
from explorer.core.training.mlp import DigitMLP, mlp_class_score_gradient
from explorer.core.training.model import INPUT_SCALE, DigitModel, forward
from explorer.core.training.shuffle import shuffle_pixels, unshuffle_pixels
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


@dataclass(frozen=True, eq=False)
class DigitDream:
    """A step of the dream of ``digit``, one of several dreamed one after the other."""

    digit: int
    dream: DreamStep


def _check_digit(digit: object) -> int:
    if isinstance(digit, bool) or not isinstance(digit, int | np.integer) \
            or not 0 <= digit < CLASSES:
        raise ValueError(f"the digit must be 0 to {CLASSES - 1}, not {digit!r}")
    return int(digit)


def _as_seen(model: DigitModel | DigitMLP, gradient: Objective) -> Objective:
    """An objective of the network's input made one of the picture as given: a network
    trained on shuffled pixels shuffles the picture first, and its gradient goes back to each
    pixel's own place, so the dream is a picture that network reads (and blurs in it)."""
    order = model.pixel_order
    if order is None:
        return gradient

    def objective(x):
        value, grad, probabilities = gradient(shuffle_pixels(x, order))
        return value, unshuffle_pixels(grad, order), probabilities

    return objective


def dream_class(model: DigitModel | DigitMLP, digit: int, *, steps: int = STEPS, seed: int = 0
                ) -> Iterator[DreamStep]:
    """The picture that raises the score of ``digit`` from noise, for a CNN or a perceptron.
    ValueError for a digit outside 0…9 or a number of steps below 1, before any step."""
    digit = _check_digit(digit)
    params = model.params
    gradient = mlp_class_score_gradient if model.kind == "mlp" else class_score_gradient

    def objective(x):
        logits, grad = gradient(params, x, digit)
        return float(logits[0, digit]), grad, layers.softmax(logits)[0]

    return _ascend(_as_seen(model, objective), _check_steps(steps), seed)


def dream_digits(model: DigitModel | DigitMLP, digits: Sequence[int] = tuple(range(CLASSES)),
                 *, steps: int = STEPS, seed: int = 0) -> Iterator[DigitDream]:
    """The dreams of ``digits`` (all ten by default), one after the other: "what the network
    thinks each digit looks like". ValueError for a digit outside 0…9, before any step."""
    chosen = [_check_digit(d) for d in digits]
    if not chosen:
        raise ValueError("there is no digit to dream of")
    _check_steps(steps)
    return (DigitDream(d, step) for d in chosen
            for step in dream_class(model, d, steps=steps, seed=seed))


def dream_channel(model: DigitModel, layer: int, channel: int, *, steps: int = STEPS,
                  seed: int = 0) -> Iterator[DreamStep]:
    """The picture that raises the centre unit of ``channel``'s feature map of conv ``layer``
    (0 is the first layer) from noise, as the Deep Visualization Toolbox dreams a channel:
    the dream fills the unit's receptive field (see :func:`centre_unit`) and the L2 decay
    leaves the rest black. ValueError for a unit the network lacks (a perceptron has no
    channels)."""
    if model.kind != "cnn":
        raise ValueError("a perceptron has no channels to dream of: each hidden unit sees the "
                         "whole digit")
    params = model.params
    check_unit(params, layer, channel)
    row, col = centre_unit(model, layer)

    def objective(x):
        value, grad = unit_gradient(params, x, layer, channel, row, col)
        return float(value[0]), grad, layers.softmax(forward(params, x)[0])[0]

    return _ascend(_as_seen(model, objective), _check_steps(steps), seed)


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
        with one_blas_thread():  # small products: see explorer.core.blas
            value, grad, probabilities = objective(
                picture[None].astype(np.float32) / np.float32(INPUT_SCALE))
        yield DreamStep(step, steps, picture, value, probabilities.astype(np.float32))
        if step == steps:
            return
        x = (1.0 - DECAY) * x + STEP_SIZE * grad[0] / max(float(np.abs(grad).max()), 1e-12)
        if step % BLUR_EVERY == 0:
            x = cv2.GaussianBlur(x.astype(np.float32), (0, 0), BLUR_SIGMA)
        x = np.clip(x, 0.0, 1.0).astype(np.float32)
