"""The readout explains every pixel the engine computes, for every layer setting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from explorer.core.activations import activation as activation_fn
from explorer.core.convolution import convolve
from explorer.core.pipeline import LayerSpec, run_stack
from explorer.core.pooling import pool, pool_winners
from explorer.core.readout import explain_pixel, explain_pooled, layer_padding, source_indices

PAD_MODES = ("zeros", "reflect", "replicate", "circular")
ACTIVATIONS = ("relu", "identity", "leaky_relu", "tanh", "sigmoid", "abs")


def _spec(weights, bias, *, stride=1, padding=0, pad_mode="zeros", dilation=1, flip=False,
          activation="identity", pool_mode="none", pool_size=2, pool_stride=2) -> LayerSpec:
    """A layer; ``stride`` and ``dilation`` are one number or a (rows, columns) pair."""
    stride = stride if isinstance(stride, tuple) else (stride, stride)
    dilation = dilation if isinstance(dilation, tuple) else (dilation, dilation)
    return LayerSpec(
        weights=np.asarray(weights, np.float32), bias=np.asarray(bias, np.float32),
        stride=stride, padding=padding, pad_mode=pad_mode,
        dilation=dilation, flip=flip, activation=activation,
        pool_mode=pool_mode, pool_size=pool_size, pool_stride=pool_stride,
    )


def _engine(image: np.ndarray, spec: LayerSpec) -> tuple[np.ndarray, np.ndarray]:
    """Pre-activation and activated maps as the engine computes them."""
    x = image.astype(np.float32)
    if x.ndim == 2:
        x = x[:, :, None]
    pre = convolve(x, spec.weights, bias=spec.bias, stride=spec.stride, padding=spec.padding,
                   pad_mode=spec.pad_mode, dilation=spec.dilation, flip=spec.flip)
    return pre, activation_fn(spec.activation)(pre.copy())


@st.composite
def layers(draw):
    channels = draw(st.sampled_from([1, 3]))
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))  # even kernels too
    n_filters = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same", "full", "custom"]))
    if padding == "custom":
        padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (h, w, channels)).astype(np.uint8)
    spec = _spec(
        rng.normal(size=(n_filters, kh, kw, channels)), rng.normal(size=n_filters) * 10,
        # stride and dilation differ per axis, so a row setting used for columns shows
        stride=(draw(st.integers(1, 3)), draw(st.integers(1, 3))), padding=padding,
        pad_mode=draw(st.sampled_from(PAD_MODES)),
        dilation=(draw(st.integers(1, 3)), draw(st.integers(1, 3))), flip=draw(st.booleans()),
        activation=draw(st.sampled_from(ACTIVATIONS)),
    )
    return image, spec


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers())
def test_every_explained_pixel_equals_the_engine(layer):
    image, spec = layer
    try:
        pre, maps = _engine(image, spec)
    except ValueError:
        assume(False)  # the engine refuses this layer (kernel larger than the padded input)
    out_h, out_w, n_filters = maps.shape
    for k in range(n_filters):
        for row in range(out_h):
            for col in range(out_w):
                ex = explain_pixel((image, spec), k, row, col)
                scale = 1 + float(np.abs(ex.products).sum())
                assert np.isclose(ex.pre_activation, pre[row, col, k], rtol=1e-5,
                                  atol=1e-5 * scale)
                assert np.isclose(ex.value, maps[row, col, k], rtol=1e-5, atol=1e-5 * scale)
                # the parts add up to the whole
                assert np.isclose(ex.total, ex.products.sum(), rtol=1e-5, atol=1e-5 * scale)
                assert np.isclose(ex.pre_activation, ex.total + ex.bias, rtol=1e-6,
                                  atol=1e-5 * scale)
                assert np.allclose(ex.channel_sums.sum(), ex.total, rtol=1e-5,
                                   atol=1e-5 * scale)


def test_result_and_image_spec_pair_agree():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (11, 13, 3)).astype(np.uint8)
    spec = _spec(rng.normal(size=(2, 3, 3, 3)), [1.0, -2.0], padding="same", stride=2,
                 activation="relu", pool_mode="max")
    stage = run_stack(image, [spec])[0]
    for row, col in [(0, 0), (3, 4), (5, 6)]:
        ex = explain_pixel(stage, 1, row, col)
        assert np.isclose(ex.value, stage.feature_maps[row, col, 1], atol=1e-3)
        assert np.isclose(ex.pre_activation, stage.pre_activation[row, col, 1], atol=1e-3)
        pair = explain_pixel((image, spec), 1, row, col)
        np.testing.assert_array_equal(pair.window, ex.window)


def test_a_deeper_stage_is_explained_over_its_input_maps():
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, (16, 18, 3)).astype(np.uint8)
    first = _spec(rng.normal(size=(5, 3, 3, 3)), np.zeros(5), padding="same",
                  pool_mode="max")
    second = _spec(rng.normal(size=(2, 3, 3, 5)), [0.5, -1.0], padding="valid",
                   activation="identity", pool_mode="none")
    stages = run_stack(image, [first, second])
    deep = stages[1]
    ex = explain_pixel(deep, 1, 2, 3)
    assert ex.window.shape == (3, 3, 5)  # the 5 maps of the first stage
    window = stages[0].pooled[2:5, 3:6, :]  # valid padding: rows 2–4, cols 3–5
    np.testing.assert_allclose(ex.window, window)
    expected = float((window.astype(np.float64) * second.weights[1]).sum()) - 1.0
    assert np.isclose(ex.value, expected, rtol=1e-5, atol=1e-3)
    assert np.isclose(ex.value, deep.feature_maps[2, 3, 1], rtol=1e-5, atol=1e-3)


def test_lecture_vertical_edge_example():
    # a 6×6 picture, bright left half, through [[1, 0, -1]] × 3 gives rows of [0, 30, 30, 0]
    image = np.zeros((6, 6), np.uint8)
    image[:, :3] = 10
    kernel = np.array([[1, 0, -1]] * 3, np.float32)[None, :, :, None]
    spec = _spec(kernel, [0.0])
    ex = explain_pixel((image, spec), 0, 2, 1)
    np.testing.assert_array_equal(ex.window[:, :, 0], [[10, 10, 0]] * 3)
    np.testing.assert_array_equal(ex.products[:, :, 0], [[10, 0, 0]] * 3)
    assert ex.total == 30.0 and ex.value == 30.0
    assert [explain_pixel((image, spec), 0, 0, c).value for c in range(4)] == [0, 30, 30, 0]


def test_lecture_volume_with_bias_and_stride():
    # the 5×5×3 input padded to 7×7×3, 3×3×3 filters, stride 2 → 3×3 maps; bias 1
    rng = np.random.default_rng(0)
    image = rng.integers(0, 3, (5, 5, 3)).astype(np.uint8)
    weights = rng.integers(-1, 2, (2, 3, 3, 3)).astype(np.float32)
    spec = _spec(weights, [1.0, 0.0], stride=2, padding=1)
    ex = explain_pixel((image, spec), 0, 0, 0)
    assert ex.pad == (1, 1, 1, 1)
    np.testing.assert_array_equal(ex.rows, [-1, 0, 1])
    assert ex.in_padding[0].all() and ex.in_padding[:, 0].all() and not ex.in_padding[1:, 1:].any()
    expected = float((image[:2, :2].astype(np.float32) * weights[0, 1:, 1:]).sum()) + 1.0
    assert ex.value == pytest.approx(expected)
    assert explain_pixel((image, spec), 1, 2, 2).extent == (3, 6, 3, 6)


def test_taps_follow_stride_dilation_and_padding():
    image = np.arange(100, dtype=np.uint8).reshape(10, 10)
    spec = _spec(np.ones((1, 3, 3, 1)), [0.0], stride=2, padding=2, dilation=2)
    ex = explain_pixel((image, spec), 0, 1, 3)
    np.testing.assert_array_equal(ex.rows, [0, 2, 4])  # 1·2 − 2 + (0, 2, 4)
    np.testing.assert_array_equal(ex.cols, [4, 6, 8])
    np.testing.assert_array_equal(ex.window[:, :, 0], image[0:5:2, 4:9:2])
    assert not ex.touches_padding


def test_flip_turns_the_kernel():
    image = np.arange(9, dtype=np.uint8).reshape(3, 3)
    weights = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1)
    ex = explain_pixel((image, _spec(weights, [0.0], flip=True)), 0, 0, 0)
    np.testing.assert_array_equal(ex.kernel[:, :, 0], weights[0, ::-1, ::-1, 0])
    assert ex.value == float((np.arange(9) * np.arange(9)[::-1]).sum())


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("zeros", [0, 0, 0, 1, 2, 3, 3, 3]), ("replicate", [0, 0, 0, 1, 2, 3, 3, 3]),
     ("reflect", [2, 1, 0, 1, 2, 3, 2, 1]), ("circular", [2, 3, 0, 1, 2, 3, 0, 1])],
)
def test_source_indices(mode, expected):
    assert source_indices(np.arange(-2, 6), 4, mode).tolist() == expected


def test_padding_values_per_mode():
    image = np.array([[1, 2, 3, 4]], np.uint8)
    for mode, left in [("zeros", 0), ("replicate", 1), ("reflect", 2), ("circular", 4)]:
        spec = _spec(np.ones((1, 1, 3, 1)), [0.0], padding=(0, 1), pad_mode=mode)
        ex = explain_pixel((image, spec), 0, 0, 0)
        assert ex.window[0, :, 0].tolist() == [left, 1, 2], mode
        assert ex.in_padding.tolist() == [[True, False, False]]


@pytest.mark.parametrize(("k", "row", "col", "message"), [
    (2, 0, 0, "there is no filter 2: the layer has 2"),
    (-1, 0, 0, "there is no filter -1: the layer has 2"),
    (0, 2, 0, "(2, 0) lies outside the 2×3 feature map"),
    (0, 0, 3, "(0, 3) lies outside the 2×3 feature map"),
    (1, -1, 0, "(-1, 0) lies outside the 2×3 feature map"),
    (1, 0, -1, "(0, -1) lies outside the 2×3 feature map"),
])
def test_bad_pixel_raises_a_sentence(k, row, col, message):
    image = np.zeros((4, 5), np.uint8)  # a 3×3 kernel without padding: a 2×3 map
    spec = _spec(np.ones((2, 3, 3, 1)), [0.0, 0.0])
    with pytest.raises(ValueError) as info:
        explain_pixel((image, spec), k, row, col)
    assert str(info.value) == message
    assert explain_pixel((image, spec), 1, 1, 2).value == 0.0  # the last pixel is there


def test_an_unknown_padding_mode_is_named():
    with pytest.raises(ValueError) as info:
        source_indices(np.arange(-1, 3), 2, "mirror")
    assert str(info.value) == ("unknown padding mode 'mirror': use zeros, reflect, replicate "
                               "or circular")


def test_every_part_of_one_explanation_against_loops():
    # 6×7 picture of 2 channels, 3×2 kernels, stride (2, 1), dilation (1, 2), "same" padding.
    # Rows: 3 outputs at stride 2 need (3 − 1)·2 + 3 = 7 rows, one more than 6: it goes after.
    # Columns: 7 outputs at stride 1 with a kernel 2·(2 − 1) + 1 = 3 wide need 9: one each side.
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (6, 7, 2)).astype(np.uint8)
    weights = rng.normal(size=(2, 3, 2, 2)).astype(np.float32)
    spec = _spec(weights, [0.5, -900.0], stride=(2, 1), dilation=(1, 2), padding="same",
                 activation="abs")
    ex = explain_pixel((image, spec), 1, 2, 0)
    rows, cols = [4, 5, 6], [-1, 1]  # 2·2 − 0 + (0, 1, 2) and 0·1 − 1 + (0, 2)
    window = np.zeros((3, 2, 2))
    products = np.zeros((3, 2, 2))
    sums = [0.0, 0.0]
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            for ch in range(2):
                inside = 0 <= r < 6 and 0 <= c < 7
                window[i, j, ch] = float(image[r, c, ch]) if inside else 0.0
                products[i, j, ch] = window[i, j, ch] * float(weights[1, i, j, ch])
                sums[ch] += products[i, j, ch]
    pre = sums[0] + sums[1] - 900.0
    assert (ex.k, ex.row, ex.col) == (1, 2, 0)
    assert ex.pad == (0, 1, 1, 1) and layer_padding(spec, (6, 7)) == (0, 1, 1, 1)
    assert ex.input_shape == (6, 7)
    assert ex.rows.tolist() == rows and ex.cols.tolist() == cols
    assert ex.in_padding.tolist() == [[True, False], [True, False], [True, True]]
    assert ex.extent == (4, 7, -1, 2)
    np.testing.assert_array_equal(ex.window, window)
    np.testing.assert_array_equal(ex.kernel, weights[1])
    np.testing.assert_allclose(ex.products, products, rtol=1e-6)
    np.testing.assert_allclose(ex.channel_sums, sums, rtol=1e-5)
    assert ex.total == pytest.approx(sums[0] + sums[1], rel=1e-6)
    assert ex.bias == -900.0
    assert ex.pre_activation == pytest.approx(pre, rel=1e-6)
    assert pre < 0 and ex.activation == "abs" and ex.value == pytest.approx(-pre, rel=1e-6)
    for part in (ex.window, ex.kernel, ex.products, ex.channel_sums):
        assert part.dtype == np.float32


def test_the_readout_adds_in_double_precision():
    # products of 1e8, 1 and −1e8: in 32-bit arithmetic 1e8 + 1 is 1e8 again and the 1 is lost
    maps = np.ones((1, 3, 1), np.float32)
    spec = _spec(np.array([1e8, 1.0, -1e8], np.float32).reshape(1, 1, 3, 1), [0.0])
    ex = explain_pixel((maps, spec), 0, 0, 0)
    assert ex.total == 1.0 and ex.channel_sums.tolist() == [1.0] and ex.value == 1.0
    pooled = np.array([[1e8, 1.0], [-1e8, 0.0]], np.float32)[:, :, None]
    avg = explain_pooled(pooled, _spec(np.ones((1, 1, 1, 1)), [0.0], pool_mode="avg"), 0, 0, 0)
    assert avg.mean == 0.25 and avg.value == 0.25


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(1, 9), w=st.integers(1, 9), k=st.integers(1, 3), size=st.integers(1, 4),
    stride=st.integers(1, 4), mode=st.sampled_from(["max", "avg"]), seed=st.integers(0, 999),
    ties=st.booleans(),
)
def test_every_pooled_pixel_equals_the_engine(h, w, k, size, stride, mode, seed, ties):
    assume(h >= size and w >= size)
    rng = np.random.default_rng(seed)
    maps = rng.normal(size=(h, w, k)).astype(np.float32)
    if ties:
        maps = np.round(maps).astype(np.float32)  # many equal values: the winner rule shows
    spec = _spec(np.ones((k, 1, 1, 1)), np.zeros(k), pool_mode=mode, pool_size=size,
                 pool_stride=stride)
    pooled = pool(maps, size=size, stride=stride, mode=mode)
    winners = pool_winners(maps, size=size, stride=stride) if mode == "max" else None
    for f in range(k):
        for row in range(pooled.shape[0]):
            for col in range(pooled.shape[1]):
                ex = explain_pooled(maps, spec, f, row, col)
                assert np.isclose(ex.value, pooled[row, col, f], rtol=1e-6, atol=1e-6)
                r0, r1, c0, c1 = ex.extent
                np.testing.assert_array_equal(ex.values, maps[r0:r1, c0:c1, f])
                if mode == "max":
                    assert ex.winner == tuple(winners[row, col, f])
                    assert maps[ex.winner[0], ex.winner[1], f] == ex.value
                else:
                    assert ex.winner is None and ex.mean == pytest.approx(ex.value)


def test_pooled_window_and_winner():
    maps = np.zeros((4, 6, 2), np.float64)  # float64 maps: the window is still float32
    maps[2, 3, 1] = 7.0
    spec = _spec(np.ones((2, 1, 1, 1)), [0.0, 0.0], pool_mode="max")
    ex = explain_pooled(maps, spec, 1, 1, 1)
    assert (ex.k, ex.row, ex.col, ex.mode) == (1, 1, 1, "max")
    assert ex.extent == (2, 4, 2, 4) and ex.winner == (2, 3) and ex.value == 7.0
    assert ex.mean is None and ex.values.dtype == np.float32
    assert ex.values.tolist() == [[0.0, 7.0], [0.0, 0.0]]
    avg_spec = _spec(np.ones((2, 1, 1, 1)), [0.0, 0.0], pool_mode="avg")
    avg = explain_pooled(maps, avg_spec, 1, 1, 1)
    assert (avg.k, avg.row, avg.col, avg.mode) == (1, 1, 1, "avg")
    assert avg.value == avg.mean == 7.0 / 4 and avg.winner is None
    assert avg.values.dtype == np.float32


@pytest.mark.parametrize(("shape", "k", "row", "col", "message"), [
    ((5, 7, 2), 2, 0, 0, "there is no feature map 2: the layer has 2"),
    ((5, 7, 2), -1, 0, 0, "there is no feature map -1: the layer has 2"),
    # 2×2 windows 2 apart: 5 rows give 2 windows, 7 columns 3
    ((5, 7, 2), 0, 2, 0, "(2, 0) lies outside the 2×3 pooled map"),
    ((5, 7, 2), 0, 0, 3, "(0, 3) lies outside the 2×3 pooled map"),
    ((5, 7, 2), 0, -1, 2, "(-1, 2) lies outside the 2×3 pooled map"),
    ((5, 7, 2), 1, 1, -1, "(1, -1) lies outside the 2×3 pooled map"),
    # a map smaller than the window has no pooled pixel at all
    ((1, 7, 1), 0, 0, 0, "(0, 0) lies outside the 0×3 pooled map"),
    ((5, 1, 1), 0, 0, 0, "(0, 0) lies outside the 2×0 pooled map"),
])
def test_a_pooled_pixel_that_is_not_there_gets_a_sentence(shape, k, row, col, message):
    spec = _spec(np.ones((shape[2], 1, 1, 1)), np.zeros(shape[2]), pool_mode="max")
    with pytest.raises(ValueError) as info:
        explain_pooled(np.zeros(shape, np.float32), spec, k, row, col)
    assert str(info.value) == message


def test_no_pooling_cannot_be_explained():
    spec = _spec(np.ones((1, 1, 1, 1)), [0.0], pool_mode="none")
    with pytest.raises(ValueError) as info:
        explain_pooled(np.zeros((4, 4, 1), np.float32), spec, 0, 0, 0)
    assert str(info.value) == "this layer has no pooling, so there is no pooled pixel to explain"


def test_layer_padding_puts_the_odd_pixel_after():
    # "same" with an even 4×4 kernel pads 3 in all: 1 before, 2 after (bottom/right)
    spec = _spec(np.ones((1, 4, 4, 1)), [0.0], padding="same")
    assert layer_padding(spec, (10, 12)) == (1, 2, 1, 2)
    assert explain_pixel((np.zeros((10, 12), np.uint8), spec), 0, 0, 0).pad == (1, 2, 1, 2)
    custom = _spec(np.ones((1, 3, 3, 1)), [0.0], padding=(2, 0))
    assert layer_padding(custom, (5, 5)) == (2, 2, 0, 0)
