"""conv1d and max-over-time against plain loops; every bad argument gets a sentence."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.text import conv1d, max_over_time, output_length


def reference_conv1d(x, filters, bias, stride, padding):
    """One output at a time: pad with zero rows, then multiply-and-add over the window."""
    t, d = len(x), len(x[0])
    padded = [[0.0] * d for _ in range(padding)] + [list(r) for r in x] \
        + [[0.0] * d for _ in range(padding)]
    k_count, w = len(filters), len(filters[0])
    out = []
    pos = 0
    while pos + w <= t + 2 * padding:
        row = []
        for k in range(k_count):
            total = 0.0 if bias is None else float(bias[k])
            for i in range(w):
                for j in range(d):
                    total += float(filters[k][i][j]) * padded[pos + i][j]
            row.append(total)
        out.append(row)
        pos += stride
    return np.array(out)


def reference_max_over_time(maps):
    values, positions = [], []
    for k in range(maps.shape[1]):
        best, where = -np.inf, -1
        for t in range(maps.shape[0]):
            if maps[t, k] > best:  # strictly greater: the first maximum stays
                best, where = maps[t, k], t
        values.append(best)
        positions.append(where)
    return np.array(values), np.array(positions)


@settings(max_examples=60, deadline=None)
@given(t=st.integers(1, 9), d=st.integers(1, 5), k=st.integers(1, 4), w=st.integers(1, 5),
       stride=st.integers(1, 4), padding=st.integers(0, 3), with_bias=st.booleans(),
       seed=st.integers(0, 2**16))
def test_conv1d_matches_loops(t, d, k, w, stride, padding, with_bias, seed):
    if w > t + 2 * padding:
        return
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(t, d))
    filters = rng.normal(size=(k, w, d))
    bias = rng.normal(size=k) if with_bias else None
    got = conv1d(x, filters, bias, stride=stride, padding=padding)
    want = reference_conv1d(x, filters, bias, stride, padding)
    assert got.dtype == np.float32
    assert got.shape == want.shape == ((t + 2 * padding - w) // stride + 1, k)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_a_not_good_filter_scores_its_bigram():
    # words as one-hot vectors: the filter [not; good] answers 2 exactly where "not good" is
    vocab = {"the": 0, "film": 1, "was": 2, "not": 3, "good": 4}
    words = ["the", "film", "was", "not", "good"]
    x = np.eye(5)[[vocab[w] for w in words]]
    f = np.eye(5)[[vocab["not"], vocab["good"]]][None]
    maps = conv1d(x, f)
    assert maps[:, 0].tolist() == [0, 0, 0, 2]
    values, positions = max_over_time(maps)
    assert values.tolist() == [2] and positions.tolist() == [3]
    # the positions index the sentence's words; the values are the maps' float32
    assert values.dtype == np.float32 and positions.dtype == np.intp


@settings(max_examples=60, deadline=None)
@given(t=st.integers(1, 12), k=st.integers(1, 5), seed=st.integers(0, 2**16),
       levels=st.integers(1, 4))
def test_max_over_time_matches_loops(t, k, seed, levels):
    # few distinct values, so ties are common and "the first maximum" is tested
    maps = np.random.default_rng(seed).integers(0, levels, size=(t, k)).astype(np.float32)
    values, positions = max_over_time(maps)
    want_values, want_positions = reference_max_over_time(maps)
    np.testing.assert_array_equal(values, want_values)
    np.testing.assert_array_equal(positions, want_positions)


def test_output_length_formula():
    assert output_length(7, 3) == 5
    assert output_length(7, 3, stride=2) == 3
    assert output_length(7, 3, stride=2, padding=1) == 4
    assert output_length(1, 4, padding=2) == 2


FIT = "make the sequence longer, add padding, or use a filter at most"
FINITE = "every entry must be a number"


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((np.ones((5, 3)), np.ones((2, 2, 4))), {},
     "each filter row must be as long as an input vector: the filters have 4 numbers a row "
     "but the input vectors have 3"),
    ((np.ones((2, 3)), np.ones((1, 4, 3))), {},
     f"a filter 4 wide does not fit a sequence of 2 steps: {FIT} 2 wide"),
    ((np.ones((1, 3)), np.ones((1, 2, 3))), {},
     f"a filter 2 wide does not fit a sequence of 1 step: {FIT} 1 wide"),
    ((np.ones((2, 3)), np.ones((1, 5, 3))), {"padding": 1},
     f"a filter 5 wide does not fit a sequence of 2 steps padded by 1 on each side: {FIT} 4 wide"),
    ((np.full((4, 2), np.nan), np.ones((1, 2, 2))), {},
     f"NaN or infinite values in the input sequence: {FINITE}"),
    ((np.ones((4, 2)), np.full((1, 2, 2), np.inf)), {},
     f"NaN or infinite values in the filters: {FINITE}"),
    ((np.ones((4, 2)), np.ones((1, 2, 2))), {"stride": 0}, "the stride must be at least 1, not 0"),
    ((np.ones((4, 2)), np.ones((1, 2, 2))), {"stride": 1.5},
     "the stride must be a whole number, not 1.5"),
    ((np.ones((4, 2)), np.ones((1, 2, 2))), {"padding": -1},
     "the padding must be at least 0, not -1"),
    ((np.ones(4), np.ones((1, 2, 2))), {},
     "the input sequence must have the shape (length, vector size), not (4,)"),
    ((np.ones((4, 2)), np.ones((2, 2))), {},
     "the filters must have the shape (count, width, vector size), not (2, 2)"),
    ((np.ones((0, 2)), np.ones((1, 2, 2))), {},
     "the input sequence is empty: type at least one word"),
    ((np.ones((4, 2)), np.ones((0, 2, 2))), {}, "there are no filters: add at least one"),
    ((np.ones((4, 2)), np.ones((1, 0, 2))), {}, "a filter must be at least 1 wide"),
    ((np.ones((4, 2)), np.ones((2, 2, 2))), {"bias": np.ones(3)},
     "there must be one bias per filter: 2 filters but 3 biases"),
    ((np.ones((4, 2)), np.ones((1, 2, 2))), {"bias": [np.nan]},
     f"NaN or infinite values in the bias: {FINITE}"),
    ((np.ones((4, 2)), np.ones((1, 2, 2))), {"bias": [[1.0]]},
     "the bias must have the shape (count,), not (1, 1)"),
    (([["a", "b"]], np.ones((1, 1, 2))), {}, "the input sequence must hold numbers only"),
    ((np.ones((4, 2)), [[["a", "b"]]]), {}, "the filters must hold numbers only"),
])
def test_conv1d_refuses_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError) as info:
        conv1d(*args, **kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize(("args", "message"), [
    ((0, 3), "the sequence length must be at least 1, not 0"),
    ((2.0, 3), "the sequence length must be a whole number, not 2.0"),
    ((3, 0), "the filter width must be at least 1, not 0"),
    ((3, "2"), "the filter width must be a whole number, not '2'"),
    ((1, 2), f"a filter 2 wide does not fit a sequence of 1 step: {FIT} 1 wide"),
    ((2, 3), f"a filter 3 wide does not fit a sequence of 2 steps: {FIT} 2 wide"),
])
def test_output_length_refuses_bad_arguments(args, message):
    with pytest.raises(ValueError) as info:
        output_length(*args)
    assert str(info.value) == message


@pytest.mark.parametrize(("maps", "message"), [
    (np.ones(4), "the feature maps must have the shape (positions, filters), not (4,)"),
    (np.ones((0, 3)), "there are no feature map values to pool: "
                      "the sequence or the filter bank is empty"),
    (np.array([[1.0, np.nan]]), f"NaN or infinite values in the feature maps: {FINITE}"),
    ([["x"]], "the feature maps must hold numbers only"),
])
def test_max_over_time_refuses_bad_maps(maps, message):
    with pytest.raises(ValueError) as info:
        max_over_time(maps)
    assert str(info.value) == message
