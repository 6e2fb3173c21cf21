"""Shuffled pixels: one fixed permutation of a digit's 784 pixels.

The lecture's point "the MLP hidden layer ignores all the spatial structure" as an experiment:
the same permutation is applied to every training and test digit. A fully connected layer
gives each pixel its own weight, so for it the permutation only renames the inputs and it
learns as well as before; a convolution relies on neighbouring pixels belonging together, and
that is gone.

A network trained on shuffled pixels keeps its pixel order (``pixel_order``) and applies it to
every picture it is given, so it reads plain digits (a test digit, a drawn one) as it was
trained to.
"""

from __future__ import annotations

import numpy as np

from explorer.core.training.data import SIDE

PIXELS = SIDE * SIDE
ORDER_SEED = 784  # the one permutation of the experiment: every run shuffles alike


def pixel_order(seed: int = ORDER_SEED) -> np.ndarray:
    """A permutation of the 784 pixel positions, read-only: shuffled pixel ``i`` is plain
    pixel ``order[i]`` (positions in reading order)."""
    order = np.random.default_rng(seed).permutation(PIXELS).astype(np.intp)
    order.flags.writeable = False
    return order


def check_order(order: object) -> np.ndarray:
    """``order`` as a read-only permutation of 0 … 783, or a ValueError saying why not."""
    a = np.asarray(order)
    if a.shape != (PIXELS,) or a.dtype.kind not in "iu":
        raise ValueError(f"a pixel order is {PIXELS} whole numbers, not an array of shape "
                         f"{a.shape} and type {a.dtype}")
    if not np.array_equal(np.sort(a), np.arange(PIXELS)):
        raise ValueError(f"a pixel order must hold each of 0 … {PIXELS - 1} once")
    out = a.astype(np.intp)
    out.flags.writeable = False
    return out


def shuffle_pixels(images: np.ndarray, order: np.ndarray) -> np.ndarray:
    """(N, 28, 28) or (28, 28) pictures with their pixels moved by ``order``: pixel ``i`` of
    each result (in reading order) is pixel ``order[i]`` of the picture. Any dtype."""
    a = np.asarray(images)
    if a.shape[-2:] != (SIDE, SIDE):
        raise ValueError(f"pixels are shuffled in {SIDE}×{SIDE} digit pictures, "
                         f"not shape {a.shape}")
    flat = a.reshape(*a.shape[:-2], PIXELS)
    return np.ascontiguousarray(flat[..., order].reshape(a.shape))


def unshuffle_pixels(images: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The inverse of :func:`shuffle_pixels`: each pixel back where it came from (used to show
    a gradient or a weight picture in the digit's own layout)."""
    a = np.asarray(images)
    flat = a.reshape(*a.shape[:-2], PIXELS)
    out = np.empty_like(flat)
    out[..., order] = flat
    return out.reshape(a.shape)
