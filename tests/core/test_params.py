"""Parameter counts against the lectures' numbers and against weight arrays built by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import params
from explorer.core.params import (
    PRESETS,
    compare,
    conv_macs,
    conv_params,
    dense_macs,
    dense_params,
    feature_map_size,
    float32_bytes,
    format_bytes,
    format_count,
    format_power,
    format_ratio,
    locally_connected_macs,
    locally_connected_params,
)


# --- independent references: count window positions one by one, size real weight arrays ----
def positions(n: int, k: int, s: int, p: int, d: int) -> int:
    """Where a dilated window of k taps fits in the input padded by p on each side."""
    padded = n + 2 * p
    span = d * (k - 1) + 1
    return sum(1 for start in range(padded) if start % s == 0 and start + span <= padded)


def weights(*shape: int) -> np.ndarray:
    """A weight array of this shape, as a layer would hold it (a view: nothing allocated)."""
    return np.broadcast_to(np.float32(0), shape)


def reference(h, w, c, kh, kw, k, units, stride, pad_h, pad_w, dilation, bias):
    """Parameter and MAC counts from the sizes of the arrays each layer would hold."""
    out_h = positions(h, kh, stride, pad_h, dilation)
    out_w = positions(w, kw, stride, pad_w, dilation)
    units = out_h * out_w * k if units is None else units
    dense = weights(h * w * c, units).size + (units if bias else 0)
    local_w = weights(out_h, out_w, k, kh, kw, c)
    local = local_w.size + (out_h * out_w * k if bias else 0)
    conv = weights(k, kh, kw, c).size + (k if bias else 0)
    return {
        "dense": (dense, h * w * c * units),
        "local": (local, local_w.size),
        "conv": (conv, local_w.size),  # the same windows, with shared weights
        "out": (out_h, out_w),
    }


small = st.integers(1, 6)


@st.composite
def layer_setups(draw):
    kh, kw, dilation = draw(small), draw(small), draw(st.integers(1, 3))
    pad_h, pad_w = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    # the image at least as large as the dilated window minus the padding
    h = draw(st.integers(max(1, dilation * (kh - 1) + 1 - 2 * pad_h), 30))
    w = draw(st.integers(max(1, dilation * (kw - 1) + 1 - 2 * pad_w), 30))
    return dict(
        h=h, w=w, c=draw(st.integers(1, 4)), kh=kh, kw=kw, k=draw(st.integers(1, 5)),
        units=draw(st.none() | st.integers(1, 40)), stride=draw(st.integers(1, 4)),
        pad_h=pad_h, pad_w=pad_w, dilation=dilation, bias=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None)
@given(layer_setups())
def test_counts_match_weight_arrays(s):
    ref = reference(**s)
    shape = (s["h"], s["w"], s["c"])
    kernel, padding = (s["kh"], s["kw"]), (s["pad_h"], s["pad_w"])
    got = compare(shape, kernel, s["k"], units=s["units"], stride=s["stride"],
                  padding=padding, bias=s["bias"], dilation=s["dilation"])
    for kind in ("dense", "local", "conv"):
        counts = got[kind]
        assert (counts.params, counts.macs) == ref[kind], kind
        assert counts.params == counts.weights + counts.biases
        assert counts.bytes == 4 * counts.params
    assert feature_map_size(shape, kernel, s["stride"], padding, s["dilation"]) == ref["out"]
    assert got["conv"].outputs == got["local"].outputs == ref["out"][0] * ref["out"][1] * s["k"]
    if s["units"] is None:  # same number of outputs: a fair comparison
        assert got["dense"].outputs == got["conv"].outputs


@settings(max_examples=100, deadline=None)
@given(layer_setups())
def test_single_functions_agree_with_compare(s):
    shape = (s["h"], s["w"], s["c"])
    kernel, padding = (s["kh"], s["kw"]), (s["pad_h"], s["pad_w"])
    geometry = dict(stride=s["stride"], padding=padding, dilation=s["dilation"])
    got = compare(shape, kernel, s["k"], units=s["units"], bias=s["bias"], **geometry)
    units = got["dense"].outputs
    assert dense_params(shape, units, bias=s["bias"]) == got["dense"].params
    assert dense_macs(shape, units) == got["dense"].macs
    assert locally_connected_params(shape, kernel, s["k"], bias=s["bias"], **geometry) \
        == got["local"].params
    assert locally_connected_macs(shape, kernel, s["k"], **geometry) == got["local"].macs
    assert conv_params(kernel, s["c"], s["k"], bias=s["bias"]) == got["conv"].params
    assert conv_macs(shape, kernel, s["k"], **geometry) == got["conv"].macs


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4096), st.integers(1, 4096), st.integers(1, 512),
       st.integers(1, 10**7), st.booleans())
def test_dense_counts_are_exact_for_big_layers(h, w, c, units, bias):
    # Python ints: no float rounding, no int64 overflow at 4096·4096·512 × 10⁷
    expected = sum([h * w * c] * units) if units < 50 else h * w * c * units
    assert dense_params((h, w, c), units, bias=bias) == expected + (units if bias else 0)
    assert float32_bytes(dense_params((h, w, c), units, bias=False)) == 4 * h * w * c * units


def test_same_and_full_padding_sizes():
    # "same" keeps the size at stride 1, even for an even kernel; "full" grows it by d(k−1)
    assert feature_map_size((1000, 1000), 10, padding="same") == (1000, 1000)
    assert feature_map_size((28, 20), (3, 5), padding="same") == (28, 20)
    assert feature_map_size((28, 20), (3, 5), padding="full") == (30, 24)
    assert feature_map_size((28, 20), 3, padding="full", dilation=2) == (32, 24)
    assert feature_map_size((28, 20), 3, padding="VALID") == (26, 18)


# --- the lectures' numbers --------------------------------------------------------------------
def test_lecture_fully_local_shared_1000():
    got = PRESETS["lecture_1000"].counts()
    assert got["dense"].params == 10**12
    assert got["local"].params == 10**8
    assert got["conv"].params == 10**2
    assert got["dense"].formula == "1000·1000 × 10⁶ = 10¹²"
    assert got["local"].formula == "1000·1000 × 10·10 = 10⁸"
    assert got["conv"].formula == "10·10 × 1 = 100"
    assert format_bytes(got["dense"].bytes) == "4 TB"


def test_lecture_100_filters():
    got = PRESETS["lecture_1000_100"].counts()
    assert got["conv"].params == 10_000
    assert got["conv"].formula == "10·10 × 100 = 10,000"
    assert got["local"].params == 10**10
    assert got["dense"].params == 10**14  # as many units as the 100 feature maps have values


def test_lecture_mlp_256_exact_weights():
    got = PRESETS["mlp_256"].counts()["dense"]
    assert got.weights == 256 * 256 * 3 * 1000 == 196_608_000
    assert got.biases == 1000
    assert got.params == 196_609_000
    assert got.formula == "(256·256·3 + 1) × 1000 = 196,609,000 ≈ 1.97 × 10⁸"
    assert format_bytes(got.bytes) == "786 MB"


def test_alexnet_conv1():
    got = PRESETS["alexnet_conv1"].counts()
    assert got["conv"].params == 34_944
    assert got["conv"].formula == "(11·11·3 + 1) × 96 = 34,944"
    assert got["local"].params == 105_705_600
    assert got["local"].formula == "55·55·96 × (11·11·3 + 1) = 105,705,600 ≈ 1.06 × 10⁸"
    assert got["conv"].macs == 55 * 55 * 96 * 11 * 11 * 3 == 105_415_200
    assert got["dense"].outputs == 290_400
    assert got["dense"].formula.startswith("(227·227·3 + 1) × 55·55·96 = ")


def test_tinyvgg_and_mnist_first_layers():
    tiny = PRESETS["tinyvgg_conv1"].counts()
    assert tiny["conv"].params == (3 * 3 * 3 + 1) * 10 == 280
    assert tiny["conv"].outputs == 62 * 62 * 10
    mnist = PRESETS["mnist_conv1"].counts()
    assert mnist["conv"].params == (3 * 3 + 1) * 8 == 80
    assert mnist["conv"].outputs == 26 * 26 * 8
    assert mnist["dense"].params == 28 * 28 * 26 * 26 * 8 + 26 * 26 * 8


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_against_the_reference(name):
    setup = PRESETS[name]
    h, w, *rest = setup.input_shape
    c = rest[0] if rest else 1
    pad = {"same": None, 0: 0}[setup.padding]
    got = setup.counts()
    if pad is None:  # "same" at stride 1: one output per pixel; as padding (k−1)/2 when odd
        assert setup.stride == 1
        assert got["conv"].outputs == h * w * setup.filters
        return
    ref = reference(h, w, c, setup.kernel_size, setup.kernel_size, setup.filters, setup.units,
                    setup.stride, pad, pad, setup.dilation, setup.bias)
    for kind in ("dense", "local", "conv"):
        assert (got[kind].params, got[kind].macs) == ref[kind]
    assert setup.note and setup.label


def test_shared_is_smallest_for_every_preset():
    for setup in PRESETS.values():
        got = setup.counts()
        assert got["conv"].params < got["local"].params < got["dense"].params


def test_defaults_are_stride_1_no_padding_no_dilation_with_biases():
    # a 5×6×2 input, 3×2 windows: 3·5 positions, 4 filters → 60 output units of 3·2·2 = 12 weights
    assert locally_connected_params((5, 6, 2), (3, 2), 4) == 780  # 60·12 weights + 60 biases
    assert locally_connected_macs((5, 6, 2), (3, 2), 4) == 720
    assert conv_macs((5, 6, 2), (3, 2), 4) == 720
    assert conv_params((3, 2), 2, 4) == 52  # (12 + 1) · 4
    assert dense_params((5, 6, 2), 7) == 427  # 60 inputs · 7 + 7 biases
    assert dense_macs((5, 6, 2), 7) == 420
    got = compare((5, 6, 2), (3, 2), 4)
    assert sorted(got) == ["conv", "dense", "local"]  # no fourth bar unless asked for
    assert [got[kind].params for kind in ("conv", "local", "dense")] == [52, 780, 3660]
    assert got["dense"].formula == "(5·6·2 + 1) × 3·5·4 = 3660"


def test_a_gray_image_has_one_channel():
    # 4×3 gray input, 2×2 windows: 3·2 = 6 positions of 2·2·1 = 4 weights
    assert dense_params((4, 3), 5) == 65
    assert locally_connected_params((4, 3), 2, 1) == 30
    assert conv_macs((4, 3), 2, 1) == 24
    got = compare((4, 3), 2, 1)
    assert [got[kind].params for kind in ("conv", "local", "dense")] == [5, 30, 78]
    assert got["local"].formula == "3·2 × (2·2 + 1) = 30"


def test_more_filters_add_a_fourth_layer():
    # the same 3×2×2 window, 7 filters on the 5×6 input: 3·5·7 = 105 outputs
    more = compare((5, 6, 2), (3, 2), 4, more_filters=7)["more"]
    assert (more.params, more.weights, more.biases) == (91, 84, 7)
    assert (more.macs, more.bytes, more.outputs) == (1260, 364, 105)
    assert more.formula == "(3·2·2 + 1) × 7 = 91"
    plain = compare((5, 6, 2), (3, 2), 4, bias=False, more_filters=7)["more"]
    assert (plain.params, plain.biases, plain.bytes) == (84, 0, 336)
    assert plain.formula == "3·2·2 × 7 = 84"
    lecture = PRESETS["lecture_1000"].counts()["more"]  # "learn multiple filters": 10⁴
    assert (lecture.params, lecture.outputs, lecture.macs) == (10**4, 10**8, 10**10)
    assert lecture.formula == "10·10 × 100 = 10,000"


def test_a_setup_passes_its_dilation_and_stride():
    setup = params.Setup("dilated", (9, 12, 2), (3, 2), 3, stride=2, dilation=2)
    got = setup.counts()
    ref = reference(9, 12, 2, 3, 2, 3, None, 2, 0, 0, 2, True)
    assert ref["out"] == (3, 5)
    for kind in ("dense", "local", "conv"):
        assert (got[kind].params, got[kind].macs) == ref[kind]


# --- formatting --------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "text"), [
    (0, "0"), (7, "7"), (34_944, "34,944"), (196_608_000, "196,608,000"),
])
def test_format_count(n, text):
    assert format_count(n) == text


@pytest.mark.parametrize(("n", "text"), [
    (999_999, "999,999"), (10**6, "10⁶"), (1_500_000, "1,500,000 ≈ 1.50 × 10⁶"),
    (12_345_678, "12,345,678 ≈ 1.23 × 10⁷"), (0, "0"),
])
def test_format_total(n, text):
    assert params.format_total(n) == text


def test_nothing_is_written_as_zero_on_the_chart_and_the_cards():
    assert params.format_magnitude(0) == "0"
    assert params.format_headline(0) == "0"


@pytest.mark.parametrize(("n", "text"), [
    (0, "0"), (7, "7"), (1000, "1000"), (10_000, "10,000"), (10**6, "10⁶"), (10**12, "10¹²"),
    (1_000_001, "1,000,001"), (196_608_000, "196,608,000"),
])
def test_format_exact(n, text):
    assert params.format_exact(n) == text


@pytest.mark.parametrize(("n", "text"), [
    (0, "0"), (1, "10⁰"), (100, "10²"), (10**12, "10¹²"), (196_608_000, "1.97 × 10⁸"),
    (34_944, "3.49 × 10⁴"), (999_600, "1.00 × 10⁶"), (10**14 + 1, "1.00 × 10¹⁴"),
])
def test_format_power(n, text):
    assert format_power(n) == text


@pytest.mark.parametrize(("n", "text"), [
    (0, "0 B"), (999, "999 B"), (1000, "1 KB"), (1120, "1.12 KB"), (139_776, "140 KB"),
    (999_999, "1 MB"), (786_432_000, "786 MB"), (4 * 10**12, "4 TB"), (12_345_678, "12.3 MB"),
    (10**15, "1 PB"), (10**18, "1 EB"), (999_500, "1 MB"), (1_500, "1.5 KB"), (99_950, "100 KB"),
    (10_000, "10 KB"), (10_340, "10.3 KB"), (100_400, "100 KB"),
    (999_999 * 10**18, "1 YB"), (10**27, "1000 YB"),  # the largest unit
])
def test_format_bytes(n, text):
    assert format_bytes(n) == text


@pytest.mark.parametrize(("a", "b", "text"), [
    (10**12, 10**8, "÷ 10⁴"), (10**8, 100, "÷ 10⁶"), (105_705_600, 34_944, "÷ 3,025"),
    (100, 10**4, "× 100"), (3, 2, "÷ 1.5"), (7, 7, "÷ 1"), (196_609_000, 7, "÷ 2.81 × 10⁷"),
    (10**5 * 3, 1, "÷ 3.00 × 10⁵"), (2, 3, "× 1.5"), (1999, 1000, "÷ 2"),
    (12_345, 1, "÷ 1.23 × 10⁴"), (10**4, 1, "÷ 10⁴"), (3, 7001, "× 2,334"),
    (100_001, 7, "÷ 1.43 × 10⁴"), (7, 100_001, "× 1.43 × 10⁴"), (10_001, 1, "÷ 1.00 × 10⁴"),
    (41, 4, "÷ 10.2"), (2008, 20, "÷ 100"), (1999, 2, "÷ 1,000"), (2001, 2, "÷ 1,000"),
    (10**20 + 1, 10**16, "÷ 1.00 × 10⁴"),  # not a whole ratio, but 10⁴ in double precision
])
def test_format_ratio(a, b, text):
    assert format_ratio(a, b) == text


# --- bad input: a sentence a student understands ------------------------------------------------
PAIR = "must be one number or a (height, width) pair"


@pytest.mark.parametrize(("call", "message"), [
    (lambda: compare((5, 5, 3), 7, 2), "the 7×7 kernel is larger than the padded 5×5 image"),
    (lambda: compare((5, 5, 3), 8, 2, padding=1),
     "the 8×8 kernel is larger than the padded 7×7 image"),
    (lambda: compare((5, 5), 3, 1, dilation=3),
     "the 3×3 kernel, dilated to 7×7, is larger than the padded 5×5 image"),
    # one axis too short is enough, whichever it is
    (lambda: compare((5, 9), (7, 3), 1), "the 7×3 kernel is larger than the padded 5×9 image"),
    (lambda: compare((9, 5), (3, 7), 1), "the 3×7 kernel is larger than the padded 9×5 image"),
    (lambda: feature_map_size((5, 6), (8, 3), padding=1),
     "the 8×3 kernel is larger than the padded 7×8 image"),
    (lambda: feature_map_size((6, 5), (3, 8), padding=1),
     "the 3×8 kernel is larger than the padded 8×7 image"),
    (lambda: feature_map_size((5, 5), 7, padding="valid"),
     "the 7×7 kernel is larger than the padded 5×5 image"),
    (lambda: feature_map_size((5, 5), (3, 3, 3)), f"the kernel size {PAIR}"),
    (lambda: feature_map_size((5, 5), 3, dilation=(1, 0)),
     "the dilation must be at least 1, not 0"),
    (lambda: compare((0, 5), 3, 1), "the image height must be at least 1, not 0"),
    (lambda: compare((5, 0), 3, 1), "the image width must be at least 1, not 0"),
    (lambda: compare((5, 5, 0), 3, 1), "the number of channels must be at least 1, not 0"),
    (lambda: compare((5,), 3, 1),
     "the input shape must be (height, width) or (height, width, channels), not (5,)"),
    (lambda: compare((5, 5), 3, 0), "the number of filters must be at least 1, not 0"),
    (lambda: compare((5, 5), 3, 1, units=0),
     "the number of hidden units must be at least 1, not 0"),
    (lambda: compare((5, 5), (3, 3, 3), 1), f"the kernel size {PAIR}"),
    (lambda: compare((5, 5), 3, 1, more_filters=-1),
     "the number of filters must be at least 0, not -1"),
    (lambda: compare((5, 5), 3, 1, stride=1.5), "the stride must be a whole number, not 1.5"),
    (lambda: compare((5, 5), 3, 1, padding=-1), "the padding must be at least 0, not -1"),
    (lambda: compare((5, 5), 3, 1, padding=(-1, 1)), "the padding must be at least 0, not -1"),
    (lambda: compare((5, 5), 3, 1, padding=(1, -1)), "the padding must be at least 0, not -1"),
    (lambda: compare((5, 5), 3, 1, padding=(1, 1, 1)), f"padding {PAIR}"),
    (lambda: compare((5, 5), 3, 1, padding="custom"),
     "padding must be a number of pixels or one of valid, same, full, not 'custom'"),
    (lambda: conv_params((3, 3, 3), 1, 1), f"the kernel size {PAIR}"),
    (lambda: conv_params((0, 3), 1, 1), "the kernel size must be at least 1, not 0"),
    (lambda: conv_params((3, 0), 1, 1), "the kernel size must be at least 1, not 0"),
    (lambda: conv_params(3, 0, 1), "the number of channels must be at least 1, not 0"),
    (lambda: conv_params(3, 1, 0), "the number of filters must be at least 1, not 0"),
    (lambda: dense_params((4, 4), -2), "the number of hidden units must be at least 1, not -2"),
    (lambda: dense_params((4, 4), True),
     "the number of hidden units must be a whole number, not True"),
    (lambda: dense_macs((4, 4), 0), "the number of hidden units must be at least 1, not 0"),
    (lambda: locally_connected_params((5, 5), 3, 0),
     "the number of filters must be at least 1, not 0"),
    (lambda: locally_connected_params((5, 5), (3, 3, 3), 1), f"the kernel size {PAIR}"),
    (lambda: conv_macs((5, 5), (3, 3, 3), 1), f"the kernel size {PAIR}"),
    (lambda: float32_bytes(-1), "the number of parameters must be at least 0, not -1"),
    (lambda: format_bytes(-1), "the number of bytes must be at least 0, not -1"),
    (lambda: format_count(-1), "the count must be at least 0, not -1"),
    (lambda: params.format_exact(-1), "the count must be at least 0, not -1"),
    (lambda: format_power(-1), "the count must be at least 0, not -1"),
    (lambda: params.format_headline(-1), "the count must be at least 0, not -1"),
    (lambda: params.format_magnitude(-1), "the count must be at least 0, not -1"),
    (lambda: format_ratio(1, 0), "the count must be at least 1, not 0"),
    (lambda: format_ratio(0, 1), "the count must be at least 1, not 0"),
])
def test_bad_input_raises_a_readable_value_error(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


def test_numpy_integers_are_accepted():
    assert conv_params(np.int64(3), np.int32(3), np.uint8(2)) == 56
    assert params.feature_map_size((np.int64(9), 9), 3, stride=np.int64(2)) == (4, 4)
