"""Activation functions: the nonlinearity applied to every pixel of a feature map.

Each takes an array and returns a new float32 array of the same shape (and memory layout),
leaving its input untouched. The live loop may pass ``out=`` (even ``out=x``, in place) to
avoid allocating a frame-sized array per call.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from explorer.core.convolution import share_out

Activation = Callable[..., np.ndarray]


def _apply(x: np.ndarray, out: np.ndarray | None,
           compute: Callable[[np.ndarray, np.ndarray], object]) -> np.ndarray:
    """Run ``compute(src, dst)`` (elementwise, writing dst) on x as float32; return dst.

    Large arrays are cut into blocks of rows computed by the engine's threads.
    """
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise ValueError(f"an activation needs real numbers, not {x.dtype}")
    src = x.astype(np.float32, copy=False)
    if out is None:
        # a converted copy is ours to overwrite; empty_like keeps the memory layout
        dst = src if src is not x else np.empty_like(src)
    elif isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == x.shape:
        dst = out
    else:
        raise ValueError(f"out must be a float32 array of shape {x.shape}")
    if src.ndim == 0:
        compute(src, dst)
        return dst

    def rows(block: range) -> None:
        compute(src[block.start : block.stop], dst[block.start : block.stop])

    share_out(rows, src.shape[0], src.size)
    return dst


def _relu(src: np.ndarray, dst: np.ndarray) -> None:
    if src.ndim >= 2 and src.flags.c_contiguous and dst.flags.c_contiguous:
        # OpenCV's threshold keeps x > 0 and writes 0 elsewhere: ~8× NumPy's maximum, whose
        # NaN checks cost more than the comparison (a 640×480 map: 26 µs against 200)
        rows = src.shape[0]
        cv2.threshold(src.reshape(rows, -1), 0, 0, cv2.THRESH_TOZERO,
                      dst=dst.reshape(rows, -1))
    else:
        np.maximum(src, np.float32(0), out=dst)


def relu(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """max(0, x): keeps positive responses, zeroes the rest."""
    return _apply(x, out, _relu)


LEAKY_SLOPE = 0.01


def _copy(src: np.ndarray, dst: np.ndarray) -> None:
    if not np.may_share_memory(src, dst):  # in place (out=x) there is nothing to copy
        np.copyto(dst, src)


def _leaky(src: np.ndarray, dst: np.ndarray) -> None:
    _copy(src, dst)
    # only the negative entries change, which also makes out=x safe
    np.multiply(dst, np.float32(LEAKY_SLOPE), out=dst, where=dst < 0)


def leaky_relu(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """max(0.01·x, x): like ReLU, but negative responses shrink instead of vanishing."""
    return _apply(x, out, _leaky)


def tanh(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """tanh(x): squashes every response into (−1, 1), keeping its sign."""
    return _apply(x, out, lambda s, d: np.tanh(s, out=d))


def _sigmoid(src: np.ndarray, dst: np.ndarray) -> None:
    # the tanh form never overflows, unlike exp(−x) for large negative x
    np.multiply(src, np.float32(0.5), out=dst)
    np.tanh(dst, out=dst)
    np.multiply(dst, np.float32(0.5), out=dst)
    np.add(dst, np.float32(0.5), out=dst)


def sigmoid(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + e^(−x)): squashes every response into (0, 1)."""
    return _apply(x, out, _sigmoid)


# named after the activation, shadowing the builtin inside this module (np.abs is used here)
def abs(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """|x|: the strength of a response whatever its sign (both edge directions light up)."""
    return _apply(x, out, lambda s, d: np.abs(s, out=d))


def identity(x: np.ndarray, *, out: np.ndarray | None = None) -> np.ndarray:
    """x: no activation, the raw weighted sums."""
    return _apply(x, out, _copy)


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
