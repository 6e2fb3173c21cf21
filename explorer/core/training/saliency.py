"""A saliency map: which pixels of a digit the network's answer hangs on (Simonyan et al. 2014).

The gradient of a class score with respect to the picture: where it is large, brightening the
pixel would raise the score (positive) or lower it (negative) the most. The score is the logit
before the softmax: the softmax's probability of a confident answer hardly moves at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.blas import one_blas_thread
from explorer.core.training.data import CLASSES
from explorer.core.training.input_gradient import class_score_gradient
from explorer.core.training.layers import softmax
from explorer.core.training.mlp import DigitMLP, mlp_class_score_gradient, mlp_forward
from explorer.core.training.model import INPUT_SCALE, DigitModel, forward
from explorer.core.training.shuffle import unshuffle_pixels


@dataclass(frozen=True, eq=False)
class Saliency:
    digit: int  # the class whose score was differentiated
    gradient: np.ndarray  # (28, 28) float32: change of the score per grey level of each pixel
    probabilities: np.ndarray  # (10,) what the network thinks the picture shows


def saliency_map(model: DigitModel | DigitMLP, image: np.ndarray, digit: int | None = None
                 ) -> Saliency:
    """The gradient of the score of ``digit`` (by default the digit the network sees) with
    respect to each pixel of a (28, 28) picture of 0…255 values, in the picture's own layout
    (for a network trained on shuffled pixels, the gradient is moved back to where each pixel
    came from). ValueError for a picture of another size or a digit outside 0…9."""
    x = model.network_input(image)
    if len(x) != 1:
        raise ValueError("a saliency map is made for one digit picture at a time")
    if digit is not None and (isinstance(digit, bool) or not isinstance(digit, int | np.integer)
                              or not 0 <= digit < CLASSES):
        raise ValueError(f"the digit must be 0 to {CLASSES - 1}, not {digit!r}")
    params = model.params
    mlp = model.kind == "mlp"
    with one_blas_thread():  # small products: see explorer.core.blas
        if digit is None:
            logits = (mlp_forward if mlp else forward)(params, x)[0]
            digit = int(logits.argmax())
        gradient = mlp_class_score_gradient if mlp else class_score_gradient
        logits, grad = gradient(params, x, int(digit))
    grad = grad[0] / np.float32(INPUT_SCALE)
    if model.pixel_order is not None:
        grad = unshuffle_pixels(grad, model.pixel_order)
    return Saliency(int(digit), grad.astype(np.float32), softmax(logits)[0].astype(np.float32))
