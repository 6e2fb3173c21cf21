"""Dreams and saliency maps of the digit network: the gradients they climb, against finite
differences of a forward pass, and what the dreams achieve."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.training.dream import centre_unit, dream_channel, dream_class
from explorer.core.training.input_gradient import unit_gradient
from explorer.core.training.model import forward
from explorer.core.training.saliency import saliency_map
from tests.digit_support import all_digits, trained_digit_model

STEP = 1e-5  # grey levels: far below any gap between a pool's inputs


def params64():
    return {k: v.astype(np.float64) for k, v in trained_digit_model().params.items()}


def differences(f, image: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    """(28, 28): central differences of f((N, 28, 28) pixels 0…255) → (N,) at ``image``, at
    the pixels ``where`` is True (all by default; 0 elsewhere)."""
    flat = image.astype(np.float64).reshape(-1)
    chosen = np.flatnonzero(np.ones(flat.size, bool) if where is None else where.ravel())
    up = np.repeat(flat[None], chosen.size, axis=0)
    down = up.copy()
    up[np.arange(chosen.size), chosen] += STEP
    down[np.arange(chosen.size), chosen] -= STEP
    out = np.zeros(flat.size)
    out[chosen] = (f(up.reshape(-1, 28, 28)) - f(down.reshape(-1, 28, 28))) / (2 * STEP)
    return out.reshape(28, 28)


def unevenly(image: np.ndarray, seed: int) -> np.ndarray:
    """The digit with a little noise: in its black background every 2×2 pool's four inputs
    tie, and at a tie the pool has no gradient, only one-sided ones that differ."""
    return image + np.random.default_rng(seed).uniform(0.0, 1.0, image.shape)


@pytest.mark.parametrize("index", [0, 7, 4321])
def test_the_saliency_map_is_the_class_score_s_gradient(index):
    images, _ = all_digits()
    image = unevenly(images[index], index)
    found = saliency_map(trained_digit_model(), image)
    p = params64()
    expected = differences(lambda x: forward(p, x / 255.0)[0][:, found.digit], image)
    assert found.gradient.shape == (28, 28) and found.gradient.dtype == np.float32
    assert found.digit == int(np.argmax(forward(p, image[None] / 255.0)[0]))
    assert np.corrcoef(found.gradient.ravel(), expected.ravel())[0, 1] > 0.999
    np.testing.assert_allclose(found.gradient, expected, atol=1e-3 * np.abs(expected).max())
    other = (found.digit + 1) % 10  # any class can be asked for
    expected = differences(lambda x: forward(p, x / 255.0)[0][:, other], image)
    np.testing.assert_allclose(saliency_map(trained_digit_model(), image, other).gradient,
                               expected, atol=1e-3 * np.abs(expected).max())


def unit_by_loops(p, x: np.ndarray, layer: int, channel: int, row: int, col: int) -> np.ndarray:
    """The unit before its ReLU, for (N, 28, 28) inputs: tap by tap, ReLU, 2×2 max pool."""
    maps = x[..., None]
    for i in range(layer + 1):
        w, b = p[f"conv{i + 1}.weights"], p[f"conv{i + 1}.bias"]
        k = w.shape[1]
        h = maps.shape[1] - k + 1
        out = np.zeros((len(maps), h, h, w.shape[0])) + b
        for a in range(k):
            for c in range(k):
                out += np.tensordot(maps[:, a:a + h, c:c + h], w[:, a, c, :], axes=(3, 1))
        if i == layer:
            return out[:, row, col, channel]
        out = np.maximum(out, 0.0)
        maps = np.max([out[:, u:2 * (h // 2):2, v:2 * (h // 2):2] for u in (0, 1) for v in (0, 1)],
                      axis=0)
    raise AssertionError


@pytest.mark.parametrize(("layer", "channel"), [(0, 2), (1, 9)])
def test_a_unit_s_gradient_matches_finite_differences(layer, channel):
    images, _ = all_digits()
    image = unevenly(images[11], 11)
    p = params64()
    row, col = centre_unit(trained_digit_model(), layer)
    value, grad = unit_gradient(trained_digit_model().params,
                                image[None].astype(np.float32) / 255, layer, channel, row, col)
    # the unit's receptive field (5×5 after one conv, 14×14 after conv, pool, conv) and two
    # pixels round it; beyond, the unit cannot depend on the picture at all
    top, side = (row, 5) if layer == 0 else (2 * row, 14)
    left = col if layer == 0 else 2 * col
    near = np.zeros((28, 28), bool)
    near[top - 2:top + side + 2, left - 2:left + side + 2] = True
    assert not grad[0][~near].any()
    expected = differences(lambda x: unit_by_loops(p, x / 255.0, layer, channel, row, col),
                           image, near)
    assert value[0] == pytest.approx(unit_by_loops(p, image[None] / 255.0, layer, channel, row,
                                                   col)[0], rel=1e-4, abs=1e-5)
    np.testing.assert_allclose(grad[0] / 255.0, expected, atol=1e-3 * np.abs(expected).max())
    assert np.abs(expected).max() > 0


def test_the_dream_of_each_digit_convinces_the_network():
    model = trained_digit_model()
    for digit in range(10):
        steps = list(dream_class(model, digit))
        start, last = steps[0], steps[-1]
        assert [s.step for s in steps] == list(range(len(steps))) and last.done
        assert start.picture.std() > 5  # it starts from noise
        assert start.probabilities[digit] < 0.9
        shown = model.probabilities(last.picture)[0]  # the picture itself, read again
        assert shown[digit] > 0.9, (digit, shown[digit])
        np.testing.assert_allclose(last.probabilities, shown, atol=1e-5)
        assert last.value > start.value
        assert last.picture.dtype == np.uint8 and last.picture.shape == (28, 28)


def test_the_dream_of_a_unit_excites_it_as_the_best_digits_do():
    """From noise the unit barely answers; its dream excites it about as much as the digits
    that excite it most (the blur and decay that keep the dream a picture cost a little)."""
    model = trained_digit_model()
    images, _ = all_digits()
    layer, channel = 1, 9
    steps = list(dream_channel(model, layer, channel))
    row, col = centre_unit(model, layer)
    value, _ = unit_gradient(model.params, images.astype(np.float32) / 255, layer, channel,
                             row, col)
    assert steps[0].value < 0.1 * value.max()
    last = steps[-1]
    assert last.value > 0.5 * value.max()
    assert last.value > np.median(value[value > 0])  # more than a typical digit that excites it
    # the dream lies inside the unit's 14×14 receptive field (the blur spreads it by a pixel
    # or two); the decay leaves the rest black
    outside = last.picture.copy()
    outside[2 * row - 2:2 * row + 16, 2 * col - 2:2 * col + 16] = 0
    assert outside.max() < 0.1 * last.picture.max()


def test_dreams_of_things_the_network_lacks_are_refused_before_any_step():
    model = trained_digit_model()
    with pytest.raises(ValueError, match="0 to 9"):
        dream_class(model, 10)
    with pytest.raises(ValueError, match="steps"):
        dream_class(model, 3, steps=0)
    with pytest.raises(ValueError, match="conv layers 0 to 1"):
        dream_channel(model, 2, 0)
    with pytest.raises(ValueError, match="channels 0 to 15"):
        dream_channel(model, 1, 16)
    with pytest.raises(ValueError, match="28×28"):
        saliency_map(model, np.zeros((20, 20), np.uint8))
