"""Box and Gaussian blurs of any size up to 15, against loops written here."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from explorer.core import kernels


def loop_gaussian(size, sigma):
    """exp(−d²/2σ²) at every tap, d measured from the window's centre, then divided by the sum."""
    centre = (size - 1) / 2
    rows = [[math.exp(-((i - centre) ** 2 + (j - centre) ** 2) / (2 * sigma * sigma))
             for j in range(size)] for i in range(size)]
    total = sum(sum(row) for row in rows)
    return [[v / total for v in row] for row in rows]


def loop_spread(k):
    """The weights' variance along the rows: Σ w·(i − centre)²."""
    size = len(k)
    centre = (size - 1) / 2
    return sum(float(k[i][j]) * (i - centre) ** 2 for i in range(size) for j in range(size))


@pytest.mark.parametrize(("size", "sigma"), [(1, 1.0), (2, 0.7), (5, 1.0), (9, 1.5), (11, 2.5),
                                             (15, 3.0), (15, 0.4), (8, 5.0)])
def test_gaussian_blur_matches_the_loop_and_sums_to_one(size, sigma):
    k = kernels.blur("gaussian", size, sigma).weights
    expected = loop_gaussian(size, sigma)
    assert k.shape == (size, size) and k.dtype == np.float32
    for i in range(size):
        for j in range(size):
            assert k[i, j] == pytest.approx(expected[i][j], rel=1e-5, abs=1e-8)
    assert float(k.sum(dtype=np.float64)) == pytest.approx(1.0, abs=1e-6)
    for i in range(size):  # the same seen from either side, across and along, and turned
        for j in range(size):
            assert k[i, j] == pytest.approx(k[size - 1 - i, j], rel=1e-6)
            assert k[i, j] == pytest.approx(k[i, size - 1 - j], rel=1e-6)
            assert k[i, j] == pytest.approx(k[j, i], rel=1e-6)


def test_a_larger_sigma_spreads_the_weights():
    spreads = [loop_spread(kernels.blur("gaussian", 15, s).weights) for s in (0.5, 1, 2, 3, 6)]
    assert all(a < b for a, b in itertools.pairwise(spreads))
    # while the window holds the whole bell (±3σ), the weights' variance is σ²
    assert loop_spread(kernels.blur("gaussian", 15, 1.0).weights) == pytest.approx(1.0, rel=0.01)
    assert loop_spread(kernels.blur("gaussian", 15, 2.0).weights) == pytest.approx(4.0, rel=0.02)
    # a tiny σ leaves (almost) all the weight on the centre: the identity
    tiny = kernels.blur("gaussian", 5, 0.2).weights
    assert tiny[2, 2] > 0.999
    # a huge σ flattens the bell towards the box
    wide = kernels.blur("gaussian", 5, 100.0).weights
    np.testing.assert_allclose(wide, np.full((5, 5), 1 / 25), rtol=1e-3)


@pytest.mark.parametrize("size", [1, 2, 3, 6, 15])
def test_box_blur_is_the_plain_mean_of_any_size(size):
    k = kernels.blur("box", size).weights
    for i in range(size):
        for j in range(size):
            assert k[i, j] == pytest.approx(1 / (size * size), rel=1e-6)
    assert float(k.sum(dtype=np.float64)) == pytest.approx(1.0, abs=1e-6)


def test_a_blur_says_what_it_is_and_how_far_the_window_reaches():
    g = kernels.blur("gaussian", 15, 3)
    assert g.name == g.label == "Gaussian 15×15, σ 3"
    assert "2.3σ" in g.description and "cut short" in g.description
    assert "whole bell" in kernels.blur("gaussian", 13, 2).description
    assert kernels.blur("box", 7).label == "Box 7×7"


@pytest.mark.parametrize(("kind", "size", "sigma", "words"), [
    ("gaussian", 16, 1.0, "size from 1 to 15"), ("box", 0, 1.0, "size from 1 to 15"),
    ("gaussian", 5, 0.0, "sigma must be a positive"), ("gaussian", 5, math.nan, "sigma"),
    ("median", 3, 1.0, "gaussian, box")])
def test_a_bad_blur_is_refused_with_a_sentence(kind, size, sigma, words):
    with pytest.raises(ValueError, match=words):
        kernels.blur(kind, size, sigma)
