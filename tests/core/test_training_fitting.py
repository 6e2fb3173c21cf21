"""Fitting one kernel by gradient descent: it finds Sobel's weights from Sobel's feature map."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from explorer.core import kernels
from explorer.core.training import fit_kernel

SOBEL_X = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32)


def small_picture(seed=0, size=40, colour=False):
    """Smoothed noise: edges in every direction, as a photo has."""
    rng = np.random.default_rng(seed)
    shape = (size, size, 3) if colour else (size, size)
    noise = rng.random(shape).astype(np.float32)
    smooth = cv2.GaussianBlur(noise, (0, 0), 1.0)
    return np.clip(smooth * 255 / smooth.max(), 0, 255).astype(np.uint8)


def test_descent_finds_sobel_x_on_a_small_picture():
    steps = list(fit_kernel(small_picture(), "sobel_x", steps=150))
    assert [s.step for s in steps] == list(range(151))
    first, last = steps[0], steps[-1]
    np.testing.assert_array_equal(last.target, SOBEL_X)
    assert np.abs(first.kernel - SOBEL_X).max() > 1.0  # it starts far away …
    np.testing.assert_allclose(last.kernel, SOBEL_X, atol=1e-2)  # … and arrives
    assert last.loss < 1e-5 * first.loss


def test_the_loss_is_the_mean_squared_difference_of_the_feature_maps():
    picture = small_picture(1, 24)
    step = next(fit_kernel(picture, "sobel_x", steps=1))
    x = picture.astype(np.float64)
    x = (x - x.mean()) / x.std()
    k, target = step.kernel.astype(np.float64), SOBEL_X.astype(np.float64)
    total, count = 0.0, 0
    for y in range(22):
        for xx in range(22):
            window = x[y:y + 3, xx:xx + 3]
            total += ((window * k).sum() - (window * target).sum()) ** 2
            count += 1
    assert step.loss == pytest.approx(total / count, rel=1e-4)


def test_any_preset_or_given_kernel_can_be_the_target():
    last = list(fit_kernel(small_picture(2), "gaussian_blur", steps=200))[-1]
    np.testing.assert_allclose(last.kernel, kernels.get("gaussian_blur").weights, atol=1e-2)
    own = np.array([[0, 1, 0], [0, 0, 0], [0, -1, 0]], np.float32)
    last = list(fit_kernel(small_picture(3), own, steps=200))[-1]
    np.testing.assert_allclose(last.kernel, own, atol=1e-2)


def test_a_colour_kernel_has_three_slices_and_converges():
    steps = list(fit_kernel(small_picture(4, colour=True), "sobel_x", colour=True, steps=400))
    last = steps[-1]
    assert last.kernel.shape == (3, 3, 3)
    # a gray target spread over the channels: each slice a third of Sobel
    np.testing.assert_allclose(last.target, np.repeat(SOBEL_X[:, :, None] / 3, 3, axis=2))
    np.testing.assert_allclose(last.kernel, last.target, atol=2e-2)


def steps_to_reach(target, steps, atol=1e-2):
    return next(s.step for s in steps if np.abs(s.kernel - target).max() < atol)


def test_momentum_gets_there_in_fewer_steps():
    picture = small_picture(5)
    plain = steps_to_reach(SOBEL_X, fit_kernel(picture, steps=5000, momentum=0.0))
    heavy = steps_to_reach(SOBEL_X, fit_kernel(picture, steps=5000, momentum=0.9))
    assert heavy < plain / 2


@pytest.mark.parametrize("kwargs,match", [
    ({"target": "no_such_preset"}, "no kernel preset"),
    ({"target": np.zeros((3, 3, 2))}, "channels"),
    ({"target": np.full((3, 3), np.nan)}, "NaN"),
    ({"momentum": 1.0}, "momentum"),
    ({"steps": 0}, "steps"),
    ({"learning_rate": -1.0}, "learning rate"),
])
def test_what_cannot_work_is_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit_kernel(small_picture(), **kwargs)


def test_a_flat_or_tiny_picture_is_refused():
    with pytest.raises(ValueError, match="flat"):
        fit_kernel(np.full((30, 30), 9, np.uint8))
    with pytest.raises(ValueError, match="too small"):
        fit_kernel(np.eye(4, dtype=np.uint8) * 255)
