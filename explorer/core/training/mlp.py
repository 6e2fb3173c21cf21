"""The multilayer perceptron beside the CNN: 784 pixels → dense hidden layer → ReLU → dense 10.

Every hidden unit has a weight for every pixel of the digit: it sees the picture as a list of
784 numbers, in whatever order they come (the lecture's "the MLP hidden layer ignores all the
spatial structure"). It is trained by the same trainer, on the same digits, as the CNN
(:func:`~explorer.core.training.trainer.train_digits` with ``model="mlp"``), and answers the
same questions: :meth:`DigitMLP.predict` takes (N, 28, 28) pictures of 0…255 as
:meth:`DigitModel.predict` does.

The weights are ``hidden.weights`` (784, H) with the pixels in reading order, ``hidden.bias``
(H,), ``dense.weights`` (H, 10) and ``dense.bias`` (10,).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from explorer.core import params as counts
from explorer.core.training import layers
from explorer.core.training.data import CLASSES, SIDE
from explorer.core.training.model import ArchitectureRow, DigitNetwork, read_weights
from explorer.core.training.shuffle import PIXELS, unshuffle_pixels

HIDDEN_UNITS = 100
MAX_HIDDEN_UNITS = 4096
KEYS = ("hidden.weights", "hidden.bias", "dense.weights", "dense.bias")


def mlp_architecture(hidden: int = HIDDEN_UNITS) -> list[ArchitectureRow]:
    """Sizes, parameters and multiply-accumulates of every layer, as the CNN's summary."""
    return [
        ArchitectureRow(f"dense {hidden}", (hidden,), counts.dense_params((SIDE, SIDE, 1), hidden),
                        counts.dense_macs((SIDE, SIDE, 1), hidden)),
        ArchitectureRow("ReLU", (hidden,), 0, 0),
        ArchitectureRow(f"dense {CLASSES}", (CLASSES,), counts.dense_params((1, hidden), CLASSES),
                        counts.dense_macs((1, hidden), CLASSES)),
    ]


def init_mlp_params(rng: np.random.Generator, hidden: int = HIDDEN_UNITS
                    ) -> dict[str, np.ndarray]:
    """He-initialised float32 weights (std √(2 / fan_in)), zero biases."""
    if isinstance(hidden, bool) or not isinstance(hidden, int | np.integer) \
            or not 1 <= hidden <= MAX_HIDDEN_UNITS:
        raise ValueError(f"the hidden layer has 1 to {MAX_HIDDEN_UNITS} units, not {hidden!r}")
    return {
        "hidden.weights": rng.normal(0, math.sqrt(2.0 / PIXELS), (PIXELS, hidden)
                                     ).astype(np.float32),
        "hidden.bias": np.zeros(hidden, np.float32),
        "dense.weights": rng.normal(0, math.sqrt(2.0 / hidden), (hidden, CLASSES)
                                    ).astype(np.float32),
        "dense.bias": np.zeros(CLASSES, np.float32),
    }


def mlp_class_score_gradient(params: Mapping[str, np.ndarray], x: np.ndarray, digit: int
                             ) -> tuple[np.ndarray, np.ndarray]:
    """Every class score (N, 10 logits) of each network input (N, 28, 28), and the gradient
    of the score of ``digit`` with respect to the input."""
    logits, caches = mlp_forward(params, x, keep=True)
    dlogits = np.zeros_like(logits)
    dlogits[:, digit] = 1.0
    return logits, mlp_backward(caches, dlogits, input_grad=True)["input"]


def is_mlp(params: Mapping[str, object]) -> bool:
    """Whether weights by these names are a perceptron's (rather than a CNN's)."""
    return "hidden.weights" in params


def check_mlp_params(params: Mapping[str, object]) -> dict[str, np.ndarray]:
    """The weights as read-only float32 arrays, or a ValueError saying what does not fit."""
    unknown = sorted(set(params) - set(KEYS))
    if unknown:
        raise ValueError(f"unknown weights {unknown[0]!r}: a perceptron has hidden and dense "
                         "weights and biases")
    out = read_weights(params, KEYS)
    w = out["hidden.weights"]
    if w.ndim != 2 or w.shape[0] != PIXELS or not 1 <= w.shape[1] <= MAX_HIDDEN_UNITS:
        raise ValueError(f"the hidden weights must be ({PIXELS}, units) with 1 to "
                         f"{MAX_HIDDEN_UNITS} units, not of shape {w.shape}")
    hidden = w.shape[1]
    for key, shape in (("hidden.bias", (hidden,)), ("dense.weights", (hidden, CLASSES)),
                       ("dense.bias", (CLASSES,))):
        if out[key].shape != shape:
            raise ValueError(f"{key} must be of shape {shape} for {hidden} hidden units, "
                             f"not {out[key].shape}")
    return out


def mlp_forward(params: Mapping[str, np.ndarray], x: np.ndarray, keep: bool = False
                ) -> tuple[np.ndarray, list]:
    """Logits (N, 10) of an (N, 28, 28) float batch, and the caches backward needs."""
    flat = x.reshape(len(x), PIXELS)
    h, c_hidden = layers.dense_forward(flat, params["hidden.weights"], params["hidden.bias"])
    a, positive = layers.relu_forward(h)
    logits, c_dense = layers.dense_forward(a, params["dense.weights"], params["dense.bias"])
    return logits, ([(c_hidden, positive, c_dense, x.shape)] if keep else [])


def mlp_backward(caches: list, dlogits: np.ndarray, input_grad: bool = False
                 ) -> dict[str, np.ndarray]:
    """The gradient of every weight from the gradient of the logits (and, with
    ``input_grad``, of the input as ``"input"``, (N, 28, 28))."""
    c_hidden, positive, c_dense, x_shape = caches[0]
    da, dw2, db2 = layers.dense_backward(dlogits, c_dense)
    dh = layers.relu_backward(da, positive)
    dx, dw1, db1 = layers.dense_backward(dh, c_hidden)
    grads = {"hidden.weights": dw1, "hidden.bias": db1, "dense.weights": dw2,
             "dense.bias": db2}
    if input_grad:
        grads["input"] = dx.reshape(x_shape)
    return grads


class DigitMLP(DigitNetwork):
    """A trained (or training) perceptron; see :class:`DigitNetwork`."""

    kind = "mlp"
    conv_layers = 0
    _forward = staticmethod(mlp_forward)

    def __init__(self, params: Mapping[str, object], pixel_order: np.ndarray | None = None
                 ) -> None:
        super().__init__(check_mlp_params(params), pixel_order)
        self.hidden_units = self._params["hidden.weights"].shape[1]

    def architecture(self) -> list[ArchitectureRow]:
        return mlp_architecture(self.hidden_units)

    def stages(self, image: np.ndarray) -> tuple[list, np.ndarray]:
        """As :meth:`DigitModel.stages`: no feature maps (a perceptron has none), and the ten
        probabilities for one (28, 28) picture."""
        picture = np.asarray(image)
        if picture.shape != (SIDE, SIDE):
            raise ValueError(f"the network reads {SIDE}×{SIDE} digit pictures, "
                             f"not shape {picture.shape}")
        return [], self.probabilities(picture)[0]

    def weight_pictures(self) -> np.ndarray:
        """Each hidden unit's 784 weights as a (H, 28, 28) picture in the digit's own layout
        (for a network trained on shuffled pixels, unshuffled): what the unit looks for."""
        w = np.ascontiguousarray(self._params["hidden.weights"].T).reshape(-1, SIDE, SIDE)
        return w if self.pixel_order is None else unshuffle_pixels(w, self.pixel_order)
