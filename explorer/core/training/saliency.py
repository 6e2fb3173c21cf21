"""A saliency map: which pixels of a digit the network's answer hangs on (Simonyan et al. 2014).

The gradient of a class score with respect to the picture: where it is large, brightening the
pixel would raise the score (positive) or lower it (negative) the most. The score is the logit
before the softmax: the softmax's probability of a confident answer hardly moves at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.training.input_gradient import class_score_gradient
from explorer.core.training.layers import softmax
from explorer.core.training.model import INPUT_SCALE, DigitModel, as_input, forward
from explorer.core.training.threads import one_blas_thread


@dataclass(frozen=True, eq=False)
class Saliency:
    digit: int  # the class whose score was differentiated
    gradient: np.ndarray  # (28, 28) float32: change of the score per grey level of each pixel
    probabilities: np.ndarray  # (10,) what the network thinks the picture shows


def saliency_map(model: DigitModel, image: np.ndarray, digit: int | None = None) -> Saliency:
    """The gradient of the score of ``digit`` (by default the digit the network sees) with
    respect to each pixel of a (28, 28) picture of 0…255 values. ValueError for a picture of
    another size or a digit outside 0…9."""
    x = as_input(image)
    if len(x) != 1:
        raise ValueError("a saliency map is made for one digit picture at a time")
    params = model.params
    with one_blas_thread():  # small products: see explorer.core.training.threads
        chosen = int(forward(params, x)[0].argmax()) if digit is None else digit
        logits, grad = class_score_gradient(params, x, chosen)
    return Saliency(int(chosen), (grad[0] / np.float32(INPUT_SCALE)).astype(np.float32),
                    softmax(logits)[0].astype(np.float32))
