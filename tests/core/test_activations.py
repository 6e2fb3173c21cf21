"""Activations against their NumPy formulas; names, descriptions and formulas for the UI."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core import activations
from explorer.core.activations import ACTIVATIONS, DESCRIPTIONS, activation, formula
from explorer.core.convolution import empty_feature_maps
from tests.workers import engine_workers


def _sigmoid(x):
    with np.errstate(over="ignore"):  # e^1000 = inf is fine here: 1 / (1 + inf) = 0
        return 1 / (1 + np.exp(-x))


# each written out in float64 from its textbook definition
EXPECTED = {
    "relu": lambda x: np.where(x > 0, x, 0.0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x),
    "tanh": lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
    "sigmoid": _sigmoid,
    "abs": lambda x: np.where(x < 0, -x, x),
    "identity": lambda x: x,
}


def sample():
    rng = np.random.default_rng(0)
    x = rng.normal(scale=3, size=(5, 6, 3))
    x[0, 0, 0], x[0, 1, 0], x[0, 2, 0] = 0.0, -30.0, 30.0
    return x


def test_every_activation_is_listed_described_and_has_a_formula():
    assert set(ACTIVATIONS) == set(EXPECTED) == set(DESCRIPTIONS)
    for name in ACTIVATIONS:
        assert formula(name) in DESCRIPTIONS[name]
        assert "\n" not in DESCRIPTIONS[name]
    assert formula("relu") == "max(0, x)"
    assert DESCRIPTIONS["relu"] == "ReLU: max(0, x) — keeps positive responses"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_matches_the_formula_returns_new_float32_and_leaves_the_input(name):
    x64 = sample()
    for x in (x64, x64.astype(np.float32), np.rint(x64).astype(np.int32)):
        before = x.copy()
        result = activation(name)(x)
        assert result.dtype == np.float32 and result.shape == x.shape
        assert not np.shares_memory(result, x)
        np.testing.assert_allclose(result, EXPECTED[name](x.astype(np.float64)),
                                   rtol=1e-6, atol=1e-7)
        np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_out_argument_including_in_place(name):
    x = sample().astype(np.float32)
    expected = EXPECTED[name](x.astype(np.float64))
    out = np.empty_like(x)
    assert ACTIVATIONS[name](x, out=out) is out
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)
    in_place = x.copy()
    assert ACTIVATIONS[name](in_place, out=in_place) is in_place
    np.testing.assert_allclose(in_place, expected, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="out must be a float32 array"):
        ACTIVATIONS[name](x, out=np.empty((2, 2), np.float32))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_large_arrays_shared_between_threads(name):
    rng = np.random.default_rng(1)
    x = rng.normal(scale=4, size=(301, 200, 10)).astype(np.float32)  # above the threshold
    expected = EXPECTED[name](x.astype(np.float64))
    with engine_workers():
        np.testing.assert_allclose(activation(name)(x), expected, rtol=1e-6, atol=1e-7)
        activation(name)(x, out=x)
    np.testing.assert_allclose(x, expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_single_number(name):
    for value in (-2.5, 0.0, 1.5):
        result = activation(name)(np.array(value))
        assert result.shape == () and result.dtype == np.float32
        assert float(result) == pytest.approx(float(EXPECTED[name](np.float64(value))), rel=1e-6)


def test_sigmoid_does_not_overflow_or_warn():
    with np.errstate(all="raise"):
        result = activations.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(result, [0.0, 0.5, 1.0])


def test_the_memory_layout_of_feature_maps_is_kept():
    maps = empty_feature_maps(4, 5, 3)
    maps[...] = sample()[:4, :5]
    result = activations.relu(maps)
    assert all(result[:, :, k].flags.c_contiguous for k in range(3))


def test_unknown_names_list_the_known_ones():
    known = "'relu', 'leaky_relu', 'tanh', 'sigmoid', 'abs', 'identity'"
    with pytest.raises(ValueError) as info:
        activation("softmax")
    assert str(info.value) == f"unknown activation 'softmax': use one of {known}"
    with pytest.raises(ValueError) as info:
        formula("swish")
    assert str(info.value) == f"unknown activation 'swish': use one of {known}"


def test_non_numbers_are_refused():
    with pytest.raises(ValueError) as info:
        activations.relu(np.array(["a"]))
    assert str(info.value) == "an activation needs real numbers, not <U1"


def test_relu_gives_the_same_numbers_whatever_the_memory_layout():
    """OpenCV's threshold does the contiguous arrays, NumPy the rest: NaN stays NaN (it
    says a number went wrong) and −0 becomes 0 on both."""
    values = np.array([[-2.0, -0.0, 0.0, 3.5], [np.nan, np.inf, -np.inf, 1e-30]], np.float32)
    want = [[0.0, 0.0, 0.0, 3.5], [np.nan, np.inf, 0.0, 1e-30]]
    contiguous = activations.relu(values)
    strided = activations.relu(np.asfortranarray(values))  # not C-contiguous: NumPy's path
    for got in (contiguous, strided):
        np.testing.assert_array_equal(got, np.array(want, np.float32))
        assert not np.signbit(got[~np.isnan(got)]).any()
