"""The digits that excite a unit of the digit network, against a brute-force search.

The reference convolves each digit on its own with loops over the kernel taps, applies ReLU
and 2×2 max pooling by their definitions, finds each map's largest unit and the first place it
occurs, sorts all the digits, and walks the unit's window back through every layer to find its
patch.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from tests.digit_support import all_digits, trained_digit_model


def conv_relu(x: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """(N, H, W, C) → (N, H', W', K): valid cross-correlation tap by tap and channel by
    channel, bias, ReLU."""
    k, kh, kw, channels = weights.shape
    h, w = x.shape[1:3]
    out = np.zeros((len(x), h - kh + 1, w - kw + 1, k))
    for i in range(kh):
        for j in range(kw):
            for c in range(channels):
                out += x[:, i:i + h - kh + 1, j:j + w - kw + 1, c, None] * weights[:, i, j, c]
    return np.maximum(out + bias, 0.0)


def pool(x: np.ndarray) -> np.ndarray:
    h, w = x.shape[1] // 2, x.shape[2] // 2
    return np.max([x[:, a:2 * h:2, b:2 * w:2] for a in (0, 1) for b in (0, 1)], axis=0)


@cache
def strongest_by_digit(layer: int, channel: int) -> list[tuple[float, int, int]]:
    """For every digit, the channel's largest unit: (value, row, col)."""
    model = trained_digit_model()
    images, _ = all_digits()
    table = []
    for first in range(0, len(images), 500):
        x = images[first:first + 500, :, :, None].astype(np.float64) / 255.0
        for i in range(layer + 1):
            weights, bias = model.conv_weights(i).astype(np.float64), model.conv_bias(i)
            if i == layer:  # only the channel asked for
                weights, bias = weights[channel:channel + 1], bias[channel:channel + 1]
            x = conv_relu(x, weights, bias)
            if i < layer:
                x = pool(x)
        for maps in x:  # digit by digit
            plane = maps[:, :, 0]
            value = plane.max()
            r, c = np.argwhere(plane == value)[0]  # argwhere lists in reading order
            table.append((float(value), int(r), int(c)))
    return table


def brute_force(layer: int, channel: int, k: int):
    """[(digit, value, row, col)] of the k best digits, and each one's patch."""
    model = trained_digit_model()
    images, _ = all_digits()
    best = [(index, *unit) for index, unit in enumerate(strongest_by_digit(layer, channel))]
    best.sort(key=lambda t: (-t[1], t[0]))
    patches = []
    for index, _, row, col in best[:k]:
        top, bottom, left, right = row, row, col, col  # the window, walked back to the pixels
        for i in range(layer, -1, -1):
            _, kh, kw, _ = model.conv_weights(i).shape
            bottom, right = bottom + kh - 1, right + kw - 1
            if i > 0:  # through the pool before this conv
                top, left, bottom, right = 2 * top, 2 * left, 2 * bottom + 1, 2 * right + 1
        patches.append(images[index][top:bottom + 1, left:right + 1])
    return best[:k], patches


@pytest.mark.parametrize(("layer", "channel"), [(0, 3), (1, 11)])
def test_top_patches_are_the_best_digits_of_a_brute_force_search(layer, channel):
    model = trained_digit_model()
    images, _ = all_digits()
    found = model.top_patches(layer, channel, images, k=9)
    best, patches = brute_force(layer, channel, 9)
    assert found.indices.tolist() == [b[0] for b in best]
    np.testing.assert_allclose(found.values, [b[1] for b in best], rtol=1e-4)
    assert found.units.tolist() == [[b[2], b[3]] for b in best]
    side = 5 if layer == 0 else 14
    assert found.patches.shape == (9, side, side) and found.patches.dtype == np.uint8
    for got, want in zip(found.patches, patches, strict=True):
        np.testing.assert_array_equal(got, want)
    assert found.patches.max() > 200  # a unit of a trained network answers to ink


def test_asking_for_a_unit_the_network_lacks_says_what_exists():
    model = trained_digit_model()
    images, _ = all_digits()
    with pytest.raises(ValueError, match="conv layers 0 to 1"):
        model.top_patches(2, 0, images)
    with pytest.raises(ValueError, match="channels 0 to 7"):
        model.top_patches(0, 8, images)
    with pytest.raises(ValueError, match="at least 1"):
        model.top_patches(0, 0, images, k=0)
    with pytest.raises(ValueError, match="no digits"):
        model.top_patches(0, 0, images[:0])
    assert len(model.top_patches(0, 0, images[:4], k=9)) == 4  # fewer digits than asked
