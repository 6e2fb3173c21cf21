"""One-axis geometry: output sizes, paddings, receptive fields and input windows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core.convolution import convolve
from explorer.core.pooling import pool
from explorer.core.shapes import (
    LayerGeometry,
    RFInfo,
    dilated_size,
    input_window,
    output_size,
    pad_amounts,
    receptive_field,
    whole_pair,
)


@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), d=st.integers(1, 3),
       p=st.integers(0, 5))
@settings(max_examples=60, deadline=None)
def test_output_size_is_the_lecture_formula_and_what_convolve_returns(n, k, s, d, p):
    if d * (k - 1) + 1 > n + 2 * p:
        with pytest.raises(ValueError, match="larger than"):
            output_size(n, k, s, p, d)
        return
    expected = math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1
    assert output_size(n, k, s, p, d) == expected
    real = convolve(np.zeros((n, 3)), np.zeros((k, 1)), stride=(s, 1), padding=(p, 0),
                    dilation=(d, 1))
    assert real.shape[0] == expected


@pytest.mark.parametrize("padding", ["valid", "same", "full", (2, 0), (0, 3)])
@pytest.mark.parametrize(("n", "k", "s", "d"), [(7, 3, 1, 1), (8, 4, 2, 1), (9, 3, 2, 2),
                                                (10, 5, 3, 1), (6, 2, 1, 3)])
def test_named_and_asymmetric_paddings_agree_with_convolve(padding, n, k, s, d):
    size = output_size(n, k, s, padding, d)
    if isinstance(padding, tuple):
        assert size == (n + sum(padding) - d * (k - 1) - 1) // s + 1
        return
    real = convolve(np.zeros((n, 2)), np.zeros((k, 1)), stride=(s, 1), padding=padding,
                    dilation=(d, 1))
    assert real.shape[0] == size


@pytest.mark.parametrize("n", [5, 6, 7, 8, 9])
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("s", [1, 2, 3])
def test_same_padding_keeps_the_size_or_divides_it_by_the_stride(n, k, s):
    before, after = pad_amounts(n, k, s, "same")
    assert output_size(n, k, s, "same") == math.ceil(n / s)
    assert after - before in (0, 1)  # the odd extra pixel goes after
    if s == 1:
        assert before + after == k - 1


def test_the_defaults_are_stride_1_no_padding_no_dilation():
    assert output_size(8, 3) == 6
    assert pad_amounts(8, 3) == (0, 0)
    assert dilated_size(3) == 3
    assert dilated_size(3, 2) == 5


def test_pad_amounts_for_each_kind_of_padding():
    assert pad_amounts(10, 3) == (0, 0)
    assert pad_amounts(10, 3, padding=2) == (2, 2)
    assert pad_amounts(10, 3, padding="valid") == (0, 0)
    assert pad_amounts(10, 3, padding="full") == (2, 2)
    assert pad_amounts(10, 3, padding="full", dilation=2) == (4, 4)
    assert pad_amounts(10, 4, padding="same") == (1, 2)
    # TensorFlow's SAME at stride 2: 5 outputs from 10 need a 3-wide kernel at 0, 2 … 8
    assert pad_amounts(10, 3, stride=2, padding="same") == (0, 1)
    assert pad_amounts(10, 3, padding=(1, 4)) == (1, 4)


def test_receptive_field_of_conv3_pool2_conv3_pool2():
    # By hand, from one pixel (size 1, jump 1, start 0):
    #   conv 3×3, s1: size 1 + 2·1 = 3,  jump 1, start 0 + 1·1   = 1
    #   pool 2×2, s2: size 3 + 1·1 = 4,  jump 2, start 1 + 0.5·1 = 1.5
    #   conv 3×3, s1: size 4 + 2·2 = 8,  jump 2, start 1.5 + 1·2 = 3.5
    #   pool 2×2, s2: size 8 + 1·2 = 10, jump 4, start 3.5 + 0.5·2 = 4.5
    # so the first output of the stack sees input pixels 0 … 9, centred on 4.5, and its
    # neighbour sees pixels 4 … 13.
    stack = [LayerGeometry(3), LayerGeometry(2, stride=2), LayerGeometry(3),
             LayerGeometry(2, stride=2)]
    assert receptive_field(stack) == [RFInfo(3, 1, 1.0), RFInfo(4, 2, 1.5), RFInfo(8, 2, 3.5),
                                      RFInfo(10, 4, 4.5)]


def test_receptive_field_agrees_with_the_real_layers():
    # Which input pixels can change output (0, 0) and (0, 1) of conv3-pool2-conv3-pool2?
    # Every weight is positive and the pools average, so exactly the receptive field does.
    n = 20
    ones = np.ones((1, 3, 3, 1))

    def stack(image):
        x = pool(convolve(image, ones), 2, mode="avg")
        return pool(convolve(x, ones), 2, mode="avg")[:, :, 0]

    seen = np.zeros((n, n, 2), bool)
    for r in range(n):
        for c in range(n):
            impulse = np.zeros((n, n))
            impulse[r, c] = 1
            out = stack(impulse)
            seen[r, c] = out[0, 0] != 0, out[0, 1] != 0
    rf = receptive_field([LayerGeometry(3), LayerGeometry(2, 2), LayerGeometry(3),
                          LayerGeometry(2, 2)])[-1]
    first = np.zeros((n, n), bool)
    lo = int(rf.start - (rf.size - 1) / 2)
    first[lo : lo + rf.size, lo : lo + rf.size] = True
    np.testing.assert_array_equal(seen[:, :, 0], first)
    np.testing.assert_array_equal(seen[:, :, 1], np.roll(first, rf.jump, axis=1))


def test_receptive_field_with_padding_dilation_and_strided_same():
    # a padded conv starts its field before the image: centre at pixel 0
    assert receptive_field([LayerGeometry(3, padding=1)]) == [RFInfo(3, 1, 0.0)]
    assert receptive_field([LayerGeometry(3, dilation=2)]) == [RFInfo(5, 1, 2.0)]
    assert receptive_field([LayerGeometry(3, padding="full")]) == [RFInfo(3, 1, -1.0)]
    with pytest.raises(ValueError, match="give input_size"):
        receptive_field([LayerGeometry(3, stride=2, padding="same")])
    # 10 pixels, 3-wide kernel at stride 2: SAME pads 0 before, 1 after
    assert receptive_field([LayerGeometry(3, stride=2, padding="same")], input_size=10) == [
        RFInfo(3, 2, 1.0)
    ]


def test_input_window_lists_the_pixels_an_output_sees():
    assert list(input_window(0, 3)) == [0, 1, 2]
    assert list(input_window(0, 3, padding_before=1)) == [-1, 0, 1]  # −1 is padding
    assert list(input_window(2, 3, stride=2, padding_before=1)) == [3, 4, 5]
    assert list(input_window(1, 3, stride=1, dilation=2)) == [1, 3, 5]


@given(n=st.integers(3, 12), k=st.integers(1, 4), s=st.integers(1, 3), d=st.integers(1, 2),
       p=st.integers(0, 2), seed=st.integers(0, 999))
@settings(max_examples=40, deadline=None)
def test_input_window_is_where_convolve_looks(n, k, s, d, p, seed):
    if d * (k - 1) + 1 > n + 2 * p:
        return
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 1))
    w = rng.normal(size=(k, 1))
    out = convolve(x, w, stride=(s, 1), padding=(p, 0), dilation=(d, 1))[:, 0, 0]
    for o in range(out.size):
        taps = input_window(o, k, s, p, d)
        by_hand = sum(w[t, 0] * x[i, 0] for t, i in enumerate(taps) if 0 <= i < n)
        assert out[o] == pytest.approx(by_hand, abs=1e-5)


def field_by_coordinates(layers: list[tuple[int, int, int, int]]) -> list[RFInfo]:
    """The receptive field after each layer, by following input coordinates back by hand.

    ``layers`` are (kernel, stride, dilation, padding before); output ``o`` of a layer looks at
    its input positions ``o·s − before + t·d`` for every tap ``t``.
    """
    def seen(out_index: int, depth: int) -> set[int]:
        positions = {out_index}
        for k, s, d, before in reversed(layers[:depth]):
            positions = {p * s - before + t * d for p in positions for t in range(k)}
        return positions

    infos = []
    for depth in range(1, len(layers) + 1):
        first, second = seen(0, depth), seen(1, depth)
        infos.append(RFInfo(max(first) - min(first) + 1, min(second) - min(first),
                            (min(first) + max(first)) / 2))
    return infos


def test_receptive_field_follows_the_sizes_through_a_stack():
    # 11 pixels: a 2-tap kernel dilated by 2 (no padding) leaves 9; a 4-wide "same" keeps 9
    # (1 before, 2 after); a 3-wide "same" at stride 2 on an odd 9 pads 1 before and leaves 5;
    # a 2-wide "same" at stride 2 on 5 pads 0 before. Each padding depends on the size before.
    stack = [LayerGeometry(2, dilation=2), LayerGeometry(4, padding="same"),
             LayerGeometry(3, stride=2, padding="same"), LayerGeometry(2, stride=2, padding="same")]
    expected = field_by_coordinates([(2, 1, 2, 0), (4, 1, 1, 1), (3, 2, 1, 1), (2, 2, 1, 0)])
    assert expected == [RFInfo(3, 1, 1.0), RFInfo(6, 1, 1.5), RFInfo(8, 2, 1.5),
                        RFInfo(10, 4, 2.5)]
    assert receptive_field(stack, input_size=11) == expected
    # 10 pixels through the 2-tap kernel dilated by 2 leave an even 8: "same" at stride 2
    # then pads nothing before
    stack = [LayerGeometry(2, dilation=2), LayerGeometry(3, stride=2, padding="same")]
    expected = field_by_coordinates([(2, 1, 2, 0), (3, 2, 1, 0)])
    assert expected == [RFInfo(3, 1, 1.0), RFInfo(5, 2, 2.0)]
    assert receptive_field(stack, input_size=10) == expected


def test_receptive_field_of_dilated_same_and_full_padding():
    # a 3-tap kernel dilated by 2 spans 5 pixels: "same" pads 2 before, "full" 4
    same = field_by_coordinates([(3, 1, 2, 2)])
    assert same == [RFInfo(5, 1, 0.0)]
    assert receptive_field([LayerGeometry(3, dilation=2, padding="same")]) == same
    assert receptive_field([LayerGeometry(3, dilation=2, padding="same")], input_size=10) == same
    full = field_by_coordinates([(3, 1, 2, 4)])
    assert receptive_field([LayerGeometry(3, dilation=2, padding="full")]) == full
    # "same" at stride 1 needs no input size
    assert receptive_field([LayerGeometry(3, padding="same")]) == [RFInfo(3, 1, 0.0)]


def test_input_window_defaults_to_stride_1_without_padding():
    assert list(input_window(2, 3)) == [2, 3, 4]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: output_size(3, 5), "the kernel of 5 is larger than the input of 3 pixels"),
        (lambda: output_size(3, 3, dilation=2, padding=0),
         "the kernel of 3 (dilated to 5) is larger than the input of 3 pixels"),
        (lambda: output_size(2, 5, padding=1),
         "the kernel of 5 is larger than the padded input of 4 pixels"),
        (lambda: output_size(2, 5, padding=(0, 2)),
         "the kernel of 5 is larger than the padded input of 4 pixels"),
        (lambda: output_size(8, 3, stride=0), "the stride must be at least 1, not 0"),
        (lambda: output_size(8, 3, dilation=0), "the dilation must be at least 1, not 0"),
        (lambda: output_size(8, 3, padding=-1), "the padding must be at least 0, not -1"),
        (lambda: output_size(8, 3, padding=(1, -2)), "the padding must be at least 0, not -2"),
        (lambda: output_size(8, 3, padding=(-1, 2)), "the padding must be at least 0, not -1"),
        (lambda: output_size(8, 3, padding="half"),
         "unknown padding 'half': use a number of pixels or one of 'valid', 'same', 'full'"),
        (lambda: output_size(8, 0), "the kernel size must be at least 1, not 0"),
        (lambda: output_size(8, 2.5), "the kernel size must be a whole number, not 2.5"),
        (lambda: output_size(8, True), "the kernel size must be a whole number, not True"),
        (lambda: output_size(0, 3), "the input size must be at least 1, not 0"),
        (lambda: pad_amounts(8, 3, padding=(1, 2, 3)),
         "padding along one axis is (before, after), not (1, 2, 3)"),
        (lambda: input_window(-1, 3), "the output index must be at least 0, not -1"),
        (lambda: input_window(0, 3, stride=0), "the stride must be at least 1, not 0"),
        (lambda: input_window(0, 3, padding_before=-1), "the padding must be at least 0, not -1"),
        (lambda: whole_pair((0, 2), "the pooling window", 1),
         "the pooling window must be at least 1, not 0"),
        (lambda: whole_pair((2, 0), "the pooling window", 1),
         "the pooling window must be at least 1, not 0"),
        (lambda: whole_pair((1, 2, 3), "the pooling window", 1),
         "the pooling window is one number or a (rows, columns) pair, not (1, 2, 3)"),
        (lambda: receptive_field([LayerGeometry(3, stride=0)]),
         "the stride must be at least 1, not 0"),
        (lambda: receptive_field([LayerGeometry(3), LayerGeometry(3, stride=2, padding="same")]),
         "layer 2 uses 'same' padding with stride 2: its padding depends on the input size, "
         "so give input_size"),
    ],
)
def test_bad_arguments_raise_value_errors(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


def test_numpy_integers_are_whole_numbers():
    assert output_size(np.int64(9), np.int32(3), stride=np.uint8(2)) == 4
    assert whole_pair(np.int16(3), "the pooling window", 1) == (3, 3)
