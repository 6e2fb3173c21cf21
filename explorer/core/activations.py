"""Activation functions: the nonlinearity applied to every pixel of a feature map.

Each takes an array and returns a new float32 array of the same shape (and memory layout),
leaving its input untouched. The live loop may pass ``out=`` (even ``out=x``, in place) to
avoid allocating a frame-sized array per call.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Activation = Callable[..., np.ndarray]


def _target(x: np.ndarray, out: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(the input as float32, where to write the result)."""
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise ValueError(f"an activation needs real numbers, not {x.dtype}")
    src = x.astype(np.float32, copy=False)
    if out is None:
        # a converted copy is ours to overwrite; empty_like keeps the memory layout
        return src, src if src is not x else np.empty_like(src)
    if not isinstance(out, np.ndarray) or out.dtype != np.float32 or out.shape != x.shape:
        raise ValueError(f"out must be a float32 array of shape {x.shape}")
    return src, out


def relu(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """max(0, x): keeps positive responses, zeroes the rest."""
    src, dst = _target(x, out)
    return np.maximum(src, np.float32(0), out=dst)


LEAKY_SLOPE = 0.01


def leaky_relu(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """max(0.01·x, x): like ReLU, but negative responses shrink instead of vanishing."""
    src, dst = _target(x, out)
    if dst is not src:
        np.copyto(dst, src)
    # only the negative entries change, which also makes out=x safe
    return np.multiply(dst, np.float32(LEAKY_SLOPE), out=dst, where=dst < 0)


def tanh(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """tanh(x): squashes every response into (−1, 1), keeping its sign."""
    src, dst = _target(x, out)
    return np.tanh(src, out=dst)


def sigmoid(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + e^(−x)): squashes every response into (0, 1)."""
    src, dst = _target(x, out)
    # the tanh form never overflows, unlike exp(−x) for large negative x
    np.multiply(src, np.float32(0.5), out=dst)
    np.tanh(dst, out=dst)
    np.multiply(dst, np.float32(0.5), out=dst)
    return np.add(dst, np.float32(0.5), out=dst)


# named after the activation, shadowing the builtin inside this module (np.abs is used here)
def abs(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """|x|: the strength of a response whatever its sign (both edge directions light up)."""
    src, dst = _target(x, out)
    return np.abs(src, out=dst)


def identity(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """x: no activation, the raw weighted sums."""
    src, dst = _target(x, out)
    if dst is not src:
        np.copyto(dst, src)
    return dst


ACTIVATIONS: dict[str, Activation] = {
    "relu": relu,
    "leaky_relu": leaky_relu,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "abs": abs,
    "identity": identity,
}

_FORMULAS = {
    "relu": "max(0, x)",
    "leaky_relu": "max(0.01·x, x)",
    "tanh": "tanh(x)",
    "sigmoid": "1 / (1 + e^(−x))",
    "abs": "|x|",
    "identity": "x",
}

DESCRIPTIONS: dict[str, str] = {
    "relu": "ReLU: max(0, x) — keeps positive responses",
    "leaky_relu": "Leaky ReLU: max(0.01·x, x) — negative responses shrink but survive",
    "tanh": "tanh: tanh(x) — squashes responses into (−1, 1)",
    "sigmoid": "sigmoid: 1 / (1 + e^(−x)) — squashes responses into (0, 1)",
    "abs": "absolute value: |x| — response strength, whatever the sign",
    "identity": "identity: x — no activation, the raw weighted sums",
}


def _known(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}: use one of " + ", ".join(map(repr, ACTIVATIONS))
        )
    return name


def activation(name: str) -> Activation:
    """The activation function called ``name`` (a key of :data:`ACTIVATIONS`)."""
    return ACTIVATIONS[_known(name)]


def formula(name: str) -> str:
    """The activation's formula as text, e.g. ``"max(0, x)"`` for ``"relu"``."""
    return _FORMULAS[_known(name)]
