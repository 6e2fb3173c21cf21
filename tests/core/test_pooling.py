"""Pooling against loops over windows; the winners of max pooling."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import pooling
from explorer.core.convolution import convolve, empty_feature_maps
from explorer.core.pooling import pool, pool_winners
from tests.workers import engine_workers


def reference_pool(maps, size, stride, mode):
    """One window at a time: its max or its mean, windows ``stride`` apart, sizes rounded down."""
    m = np.asarray(maps, np.float64)
    if m.ndim == 2:
        m = m[:, :, None]
    (wh, ww), (sh, sw) = size, stride
    out_h, out_w = (m.shape[0] - wh) // sh + 1, (m.shape[1] - ww) // sw + 1
    out = np.zeros((out_h, out_w, m.shape[2]))
    for i in range(out_h):
        for j in range(out_w):
            window = m[i * sh : i * sh + wh, j * sw : j * sw + ww, :]
            out[i, j] = window.max(axis=(0, 1)) if mode == "max" else window.mean(axis=(0, 1))
    return out


def reference_winners(maps, size, stride):
    """np.argmax over each flattened window: the first maximum in reading order."""
    m = np.asarray(maps)
    (wh, ww), (sh, sw) = size, stride
    out_h, out_w = (m.shape[0] - wh) // sh + 1, (m.shape[1] - ww) // sw + 1
    out = np.zeros((out_h, out_w, m.shape[2], 2), int)
    for i in range(out_h):
        for j in range(out_w):
            for k in range(m.shape[2]):
                window = m[i * sh : i * sh + wh, j * sw : j * sw + ww, k]
                r, c = divmod(int(np.argmax(window)), ww)
                out[i, j, k] = (i * sh + r, j * sw + c)
    return out


def feature_maps(h, w, k, seed=0):
    """Maps laid out as convolve returns them (each map contiguous)."""
    rng = np.random.default_rng(seed)
    return convolve(rng.normal(size=(h, w, 2)), rng.normal(size=(k, 3, 3, 2)), padding=1)


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("shape", [(8, 8), (9, 7), (2, 3), (31, 20)])
def test_two_by_two_pooling_on_convolve_output(mode, shape):
    maps = feature_maps(*shape, k=3)
    result = pool(maps, 2, mode=mode)
    assert result.dtype == np.float32 and result.shape == (shape[0] // 2, shape[1] // 2, 3)
    np.testing.assert_allclose(result, reference_pool(maps, (2, 2), (2, 2), mode),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(
    ("size", "stride"), [(3, None), (3, 2), (2, 1), ((2, 3), (1, 2)), (1, None), (4, 3)]
)
def test_other_windows_and_strides(mode, size, stride):
    maps = feature_maps(11, 13, k=2, seed=1)
    as_pair = (size, size) if isinstance(size, int) else size
    step = as_pair if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
    expected = reference_pool(maps, as_pair, step, mode)
    np.testing.assert_allclose(pool(maps, size, stride, mode), expected, rtol=1e-6, atol=1e-6)
    # the same on C-contiguous (H, W, K) maps and on integers
    interleaved = np.ascontiguousarray(maps)
    np.testing.assert_allclose(pool(interleaved, size, stride, mode), expected,
                               rtol=1e-6, atol=1e-6)


@given(
    h=st.integers(1, 12), w=st.integers(1, 12), k=st.integers(1, 3),
    wh=st.integers(1, 4), ww=st.integers(1, 4), sh=st.integers(1, 4), sw=st.integers(1, 4),
    mode=st.sampled_from(["max", "avg"]), contiguous_maps=st.booleans(), seed=st.integers(0, 999),
)
@settings(max_examples=60, deadline=None)
def test_random_pooling_matches_the_loops(h, w, k, wh, ww, sh, sw, mode, contiguous_maps, seed):
    rng = np.random.default_rng(seed)
    maps = rng.integers(-5, 6, (h, w, k)).astype(np.float32)  # small integers: many ties
    if contiguous_maps:
        planar = empty_feature_maps(h, w, k)
        planar[...] = maps
        maps = planar
    if wh > h or ww > w:
        with pytest.raises(ValueError, match="pooling window is larger"):
            pool(maps, (wh, ww), (sh, sw), mode)
        return
    expected = reference_pool(maps, (wh, ww), (sh, sw), mode)
    np.testing.assert_allclose(pool(maps, (wh, ww), (sh, sw), mode), expected,
                               rtol=1e-6, atol=1e-6)
    winners = pool_winners(maps, (wh, ww), (sh, sw))
    np.testing.assert_array_equal(winners, reference_winners(maps, (wh, ww), (sh, sw)))


@pytest.mark.parametrize("layout", ["feature maps", "C order"])
def test_large_maps_shared_between_threads(layout):
    rng = np.random.default_rng(5)
    maps = rng.normal(size=(201, 300, 10)).astype(np.float32)  # above the threading threshold
    if layout == "feature maps":
        planar = empty_feature_maps(201, 300, 10)
        planar[...] = maps
        maps = planar
    blocks = maps[:200].reshape(100, 2, 150, 2, 10)
    with engine_workers():
        np.testing.assert_array_equal(pool(maps, 2), blocks.max(axis=(1, 3)))
        np.testing.assert_allclose(pool(maps, 2, mode="avg"), blocks.mean(axis=(1, 3)),
                                   atol=1e-6)
        np.testing.assert_allclose(pool(maps, 3, 2, mode="avg"),
                                   reference_pool(maps, (3, 3), (2, 2), "avg"), atol=1e-6)
        # taller than wide windows and steps, so a row offset taken from the width shows
        for mode in ("max", "avg"):
            np.testing.assert_allclose(pool(maps, (3, 2), mode=mode),
                                       reference_pool(maps, (3, 2), (3, 2), mode), atol=1e-6)
            np.testing.assert_allclose(pool(maps, (2, 3), (3, 2), mode),
                                       reference_pool(maps, (2, 3), (3, 2), mode), atol=1e-6)
        # into an (H'', W'', K) array whose maps are not contiguous
        c_order = np.empty((67, 150, 10), np.float32)
        assert pool(maps, (3, 2), mode="avg", out=c_order) is c_order
        np.testing.assert_allclose(c_order, reference_pool(maps, (3, 2), (3, 2), "avg"),
                                   atol=1e-6)


def test_each_thread_keeps_its_scratch_buffer_while_the_shape_stays():
    first = pooling._scratch((4, 5))
    assert first.shape == (4, 5) and first.dtype == np.float32
    assert pooling._scratch((4, 5)) is first
    assert pooling._scratch((5, 4)).shape == (5, 4)
    elsewhere = []
    thread = threading.Thread(target=lambda: elsewhere.append(pooling._scratch((4, 5))))
    thread.start()
    thread.join()
    assert elsewhere[0].shape == (4, 5) and elsewhere[0] is not first


def test_max_pooling_keeps_the_strongest_response():
    fmap = np.array([[1, 3, 2, 1],
                     [4, 2, 0, 1],
                     [0, 0, 5, 6],
                     [1, 2, 7, 8]])
    np.testing.assert_array_equal(pool(fmap)[:, :, 0], [[4, 2], [2, 8]])  # 2×2 by default
    np.testing.assert_array_equal(pool(fmap, 2, mode="avg")[:, :, 0], [[2.5, 1], [0.75, 6.5]])
    assert pool_winners(fmap).dtype == np.intp  # positions are indices
    np.testing.assert_array_equal(pool_winners(fmap)[:, :, 0], [[[1, 0], [0, 2]],
                                                                    [[3, 1], [3, 3]]])


def test_ties_go_to_the_first_in_reading_order():
    fmap = np.ones((2, 2))
    np.testing.assert_array_equal(pool_winners(fmap, 2)[0, 0, 0], [0, 0])
    fmap = np.array([[0, 9], [9, 0]])
    np.testing.assert_array_equal(pool_winners(fmap, 2)[0, 0, 0], [0, 1])


def test_out_buffer_and_inputs_untouched():
    maps = feature_maps(10, 10, k=4, seed=2)
    before = maps.copy()
    for mode in ("max", "avg"):
        out = empty_feature_maps(5, 5, 4)
        assert pool(maps, 2, mode=mode, out=out) is out
        np.testing.assert_allclose(out, reference_pool(maps, (2, 2), (2, 2), mode), atol=1e-6)
        c_order = np.empty((5, 5, 4), np.float32)
        assert pool(maps, 2, mode=mode, out=c_order) is c_order
        np.testing.assert_allclose(c_order, out)
    np.testing.assert_array_equal(maps, before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"maps": np.zeros((3, 5)), "size": 4},
         "the 4×4 pooling window is larger than the 3×5 feature map"),
        ({"maps": np.zeros((3, 5)), "size": (4, 2)},
         "the 4×2 pooling window is larger than the 3×5 feature map"),
        ({"maps": np.zeros((3, 5)), "size": (2, 6)},
         "the 2×6 pooling window is larger than the 3×5 feature map"),
        ({"size": 0}, "the pooling window must be at least 1, not 0"),
        ({"stride": (1, 0)}, "the pooling stride must be at least 1, not 0"),
        ({"size": 2.5}, "the pooling window must be a whole number, not 2.5"),
        ({"mode": "median"}, "unknown pooling mode 'median': use one of 'max', 'avg'"),
        ({"maps": np.zeros((0, 4))}, "the feature maps are empty (0×4, 1 maps)"),
        ({"maps": np.zeros((2, 2, 2, 2))},
         "feature maps must be (height, width) or (height, width, K), not (2, 2, 2, 2)"),
        ({"maps": np.array([["a", "b"]])}, "feature maps must hold real numbers, not <U1"),
        ({"out": np.zeros((2, 2, 1), np.float32)},
         "out must be a float32 array of shape (3, 3, 1)"),
    ],
)
def test_bad_arguments_raise_value_errors(kwargs, message):
    args = {"maps": np.zeros((6, 6)), "size": 2}
    args.update(kwargs)
    with pytest.raises(ValueError) as info:
        pool(**args)
    assert str(info.value) == message


def test_winners_refuse_bad_windows_too():
    with pytest.raises(ValueError) as info:
        pool_winners(np.zeros((2, 2)), 3)
    assert str(info.value) == "the 3×3 pooling window is larger than the 2×2 feature map"
