"""The worked examples themselves: their numbers against the lecture deck and the guide, the
words a student reads about them, what an example refuses, typed numbers, a crop of the
explorer's picture, and a lecture example opened in the explorer."""

from __future__ import annotations

import re

import numpy as np
import pytest

from explorer.core.pipeline import LayerSpec, run_stage
from explorer.core.stepthrough import (
    EXAMPLE_NAMES,
    LECTURE_LESSONS,
    Example,
    apply_edits,
    example,
    explorer_lesson,
    from_layer,
    lecture_volume,
    walk,
)

# --- the numbers of the built-in examples -----------------------------------------------------

# The guide to convolution arithmetic (Dumoulin & Visin, fig. 1.1), typed from the paper: the
# 5×5 input, the 3×3 kernel, and the 3×3 output of the kernel over the input, no padding.
GUIDE_INPUT = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2],
               [2, 0, 0, 0, 1]]
GUIDE_KERNEL = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
GUIDE_OUTPUT = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]


def correlate(x, w, pad=0, stride=1, dilation=1):
    """Plain loops: one map of the kernel w (kh, kw) over the zero-padded 2-D input x."""
    h, wd = len(x), len(x[0])
    kh, kw = len(w), len(w[0])
    out_h = (h + 2 * pad - dilation * (kh - 1) - 1) // stride + 1
    out_w = (wd + 2 * pad - dilation * (kw - 1) - 1) // stride + 1
    out = []
    for i in range(out_h):
        row = []
        for j in range(out_w):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    r, c = i * stride - pad + a * dilation, j * stride - pad + b * dilation
                    if 0 <= r < h and 0 <= c < wd:
                        total += float(x[r][c]) * float(w[a][b])
            row.append(total)
        out.append(row)
    return out


def test_the_guides_numbers_are_the_guides():
    assert correlate(GUIDE_INPUT, GUIDE_KERNEL) == GUIDE_OUTPUT  # the oracle against the paper
    for name in ("arbitrary-padding", "half-padding", "full-padding", "strides"):
        np.testing.assert_array_equal(example(name).input[:, :, 0], GUIDE_INPUT)
    np.testing.assert_array_equal(example("no-padding").input[:, :, 0],
                                  [row[:4] for row in GUIDE_INPUT[:4]])
    for name in ("no-padding", "half-padding", "full-padding", "strides", "odd-strides",
                 "dilation", "transposed", "transposed-strides"):
        np.testing.assert_array_equal(example(name).weights, np.array(GUIDE_KERNEL)[None, :, :,
                                                                                       None])
    # the strided example keeps every other number of the guide's output
    out = walk(example("strides")).output()[:, :, 0]
    assert out.tolist() == [[12, 17], [9, 14]]
    # the transposed examples run on the 2×2 block [[1, 3], [2, 2]] of the guide's input
    for name in ("transposed", "transposed-strides"):
        np.testing.assert_array_equal(example(name).input[:, :, 0], [[1, 3], [2, 2]])
    # the arbitrary padding's 4×4 kernel is a cross of ones on the diagonals
    cross = [[1 if c in (r, 3 - r) else 0 for c in range(4)] for r in range(4)]
    np.testing.assert_array_equal(example("arbitrary-padding").weights[0, :, :, 0], cross)


# The larger guide examples go on with small whole numbers, and the pooling examples draw
# theirs: a session keeps only the example's name, its draw and the typed numbers, so these
# numbers must stay the same from one version to the next (written out from the app's
# screens, the 5×5 top-left being the guide's).
GROWN = {
    "odd-strides": [[3, 3, 2, 1, 0, 1], [0, 0, 1, 3, 1, 2], [3, 1, 2, 2, 3, 2],
                    [2, 0, 0, 2, 2, 3], [2, 0, 0, 0, 1, 3], [3, 3, 0, 0, 1, 0]],
    "dilation": [[3, 3, 2, 1, 0, 3, 3], [0, 0, 1, 3, 1, 3, 0], [3, 1, 2, 2, 3, 1, 3],
                 [2, 0, 0, 2, 2, 3, 1], [2, 0, 0, 0, 1, 3, 3], [3, 2, 2, 1, 3, 1, 0],
                 [3, 0, 3, 2, 0, 0, 1]],
}
POOL_4 = [[6, 1, 8, 2], [6, 4, 0, 9], [5, 1, 9, 8], [0, 1, 1, 3]]
POOL_5 = [[9, 5, 7, 5, 5], [7, 7, 8, 5, 5], [4, 7, 5, 7, 7], [5, 2, 4, 5, 6], [5, 6, 8, 8, 1]]


def test_the_grown_and_the_drawn_numbers_stay_the_same():
    for name, grid in GROWN.items():
        x = example(name).input[:, :, 0]
        np.testing.assert_array_equal(x, grid)
        assert x[:5, :5].tolist() == GUIDE_INPUT
        assert set(np.unique(x[5:])) | set(np.unique(x[:, 5:])) == {0, 1, 2, 3}
    for name, grid, window in (("max-pool", POOL_4, 2), ("avg-pool", POOL_4, 2),
                               ("max-pool-overlap", POOL_5, 3), ("avg-pool-overlap", POOL_5, 3)):
        ex = example(name)
        np.testing.assert_array_equal(ex.input[:, :, 0], grid)
        assert (ex.operation, ex.pool_size, ex.stride) == (name[:3], (window, window), (2, 2))
        assert ex.weights is None and ex.bias is None
    for name in EXAMPLE_NAMES:
        ex = example(name)
        assert ex.input.dtype == np.float32
        assert ex.name == name  # the name a session keeps rebuilds the example
        assert ex.dilation == ((2, 2) if name == "dilation" else (1, 1))
        assert (ex.pad_mode, ex.flip, ex.activation, ex.output_padding) == (
            "zeros", False, "identity", 0)


def test_in_the_overlapping_max_pooling_one_value_wins_twice():
    x = np.array(POOL_5)
    winners = []
    for i in range(2):
        for j in range(2):
            window = [(x[2 * i + a, 2 * j + b], (2 * i + a, 2 * j + b)) for a in range(3)
                      for b in range(3)]
            best = max(v for v, _ in window)
            winners.append(next(at for v, at in window if v == best))
    assert len(set(winners)) < len(winners)


def test_the_lectures_edge_example_is_the_decks():
    ex = example("lecture-edge")
    deck_image = [[10, 10, 10, 0, 0, 0] for _ in range(6)]
    deck_kernel = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]
    np.testing.assert_array_equal(ex.input[:, :, 0], deck_image)
    np.testing.assert_array_equal(ex.weights, np.array(deck_kernel)[None, :, :, None])
    assert ex.bias.tolist() == [0]
    assert (ex.stride, ex.padding, ex.seed) == ((1, 1), (0, 0), None)
    assert correlate(deck_image, deck_kernel) == [[0, 30, 30, 0]] * 4  # the deck's output
    assert walk(ex).output()[:, :, 0].tolist() == [[0, 30, 30, 0]] * 4


# The draw that opens the volume example (draw 0): the slide's numbers, the others drawn.
VOLUME_DRAW_0_INPUT = [  # x[:,:,c] for c = 0, 1, 2; rows 1–4 of x[:,:,2] are the slide's
    [[2, 0, 0, 2, 1], [2, 1, 2, 1, 0], [2, 2, 0, 1, 0], [2, 0, 1, 2, 2], [2, 1, 1, 1, 1]],
    [[1, 0, 0, 1, 1], [1, 2, 2, 2, 2], [0, 0, 0, 1, 0], [1, 1, 1, 2, 2], [2, 2, 2, 1, 1]],
    [[1, 0, 0, 2, 2], [2, 1, 2, 1, 1], [1, 0, 2, 2, 1], [0, 2, 0, 2, 2], [0, 0, 2, 1, 0]],
]
VOLUME_DRAW_0_W0 = [[[-1, 1, 1], [-1, -1, 0], [-1, 1, 1]],
                    [[0, -1, 1], [1, 1, 0], [-1, 1, -1]],
                    [[1, -1, -1], [0, -1, 0], [1, 0, 0]]]
VOLUME_DRAW_0_W1_LOST_ROW = [-1, 1, -1]  # the last row of w1[:,:,1], lost from the slide


def test_the_volume_examples_first_draw_stays_the_same_and_others_differ():
    ex = lecture_volume()
    assert ex.seed == 0 and ex.name == "lecture-volume"
    for c in range(3):
        np.testing.assert_array_equal(ex.input[:, :, c], VOLUME_DRAW_0_INPUT[c])
        np.testing.assert_array_equal(ex.weights[0, :, :, c], VOLUME_DRAW_0_W0[c])
    np.testing.assert_array_equal(ex.weights[1, 2, :, 1], VOLUME_DRAW_0_W1_LOST_ROW)
    assert ex.input.dtype == np.float32 and ex.weights.dtype == np.float32
    # a draw uses every small number the slide uses: 0–2 in the input, −1–1 in the filters
    for seed in (0, 1, 2):
        drawn = lecture_volume(seed)
        assert set(np.unique(drawn.input[0])) == {0, 1, 2}
        assert set(np.unique(drawn.weights[0])) == {-1, 0, 1}
    # the menu's example and "New numbers" give the same draw as the builder
    again = example("lecture-volume", 4)
    assert again.seed == 4
    np.testing.assert_array_equal(again.input, lecture_volume(4).input)
    np.testing.assert_array_equal(again.weights, lecture_volume(4).weights)
    assert not np.array_equal(again.input, ex.input)
    assert again.caption.endswith("the other numbers are drawn (draw 4).")
    # an example that draws nothing ignores the draw
    fixed = example("no-padding", 4)
    assert fixed.seed is None
    np.testing.assert_array_equal(fixed.input, example("no-padding").input)


# --- the words a student reads -----------------------------------------------------------------

# The examples menu, in its order, and each example's caption as the slide shows it; every
# size in a caption is checked against the example below.
MENU = {
    "lecture-edge": ("Vertical edge (lecture)",
                     "A 6×6 image, bright left half, dark right half, times the vertical-edge "
                     "kernel [1 0 −1]: the 4×4 output lights up (30) along the edge."),
    "lecture-volume": ("Convolution over a volume (lecture)",
                       "A 5×5×3 input padded by 1 to 7×7×3, two 3×3×3 filters W0 and W1 with "
                       "biases 1 and 0, stride 2: a 3×3×2 output. Each value sums 27 products, "
                       "plus the bias. From the slide: W1 (but the last row of w1[:,:,1]), "
                       "w0[0,0,0] = −1, rows 1–4 of x[:,:,2] and the biases; the other numbers "
                       "are drawn (draw 0)."),
    "no-padding": ("No padding",
                   "i = 4, k = 3, no padding, stride 1: the window fits 2 times along each "
                   "axis, o = 4 − 3 + 1 = 2."),
    "arbitrary-padding": ("Arbitrary padding",
                          "i = 5, k = 4, padding 2: o = 5 + 2·2 − 4 + 1 = 6, larger than the "
                          "input."),
    "half-padding": ("Half (same) padding",
                     "i = 5, k = 3, padding ⌊k/2⌋ = 1 ('same'): the output keeps the input's "
                     "size, 5."),
    "full-padding": ("Full padding",
                     "i = 5, k = 3, padding k − 1 = 2 ('full'): every overlap of kernel and "
                     "input counts, o = 5 + 3 − 1 = 7."),
    "strides": ("Strides",
                "i = 5, k = 3, stride 2: the window jumps 2 pixels, o = ⌊(5 − 3)/2⌋ + 1 = 2."),
    "odd-strides": ("Padding and strides, the odd case",
                    "i = 6, k = 3, padding 1, stride 2: o = ⌊(6 + 2 − 3)/2⌋ + 1 = 3; the last "
                    "row and column are never reached."),
    "dilation": ("Dilation",
                 "i = 7, k = 3, dilation 2: the taps sit 2 apart, the kernel spans 5 pixels, "
                 "o = 7 − 5 + 1 = 3."),
    "transposed": ("Transposed convolution",
                   "i = 2, k = 3: the 2×2 input padded by k − 1 = 2 and convolved with the "
                   "turned kernel gives 4×4, o = (2 − 1)·1 + 3 = 4."),
    "transposed-strides": ("Transposed convolution, stride 2",
                           "i = 2, k = 3, stride 2: one zero goes between input pixels, then "
                           "padding 2; o = (2 − 1)·2 + 3 = 5."),
    "max-pool": ("Max pooling 2×2",
                 "A 2×2 window, stride 2: each output keeps the strongest of 4 values "
                 "(circled); the other 3 are lost."),
    "avg-pool": ("Average pooling 2×2",
                 "A 2×2 window, stride 2: each output is the mean of 4 values."),
    "max-pool-overlap": ("Overlapping max pooling 3×3",
                         "A 3×3 window, stride 2: windows share a row or column, so one value "
                         "can win twice."),
    "avg-pool-overlap": ("Overlapping average pooling 3×3",
                         "A 3×3 window, stride 2: each output is the mean of 9 values; shared "
                         "cells count in two windows."),
}


def test_every_example_reads_as_the_menu_and_its_slide_say():
    assert tuple(MENU) == EXAMPLE_NAMES
    assert LECTURE_LESSONS == ("lecture-edge", "lecture-volume")
    for name, (title, caption) in MENU.items():
        ex = example(name)
        assert (ex.title, ex.caption) == (title, caption), name
        out_h, out_w, _ = walk(ex).output_shape
        said = re.match(r"i = (\d+), k = (\d+)", caption)
        if said:  # the guide's examples: the sizes the caption states are the example's
            assert int(said[1]) == ex.input.shape[0] == ex.input.shape[1], name
            assert int(said[2]) == ex.kernel_shape[0] == ex.kernel_shape[1], name
            said_o = re.search(r"\bo = [^=]*= (\d+)", caption)
            final = said_o[1] if said_o else caption[-2]  # or "keeps the input's size, 5."
            assert int(final) == out_h == out_w, name
        window = re.match(r"A (\d)×\1 window, stride (\d)", caption)
        if window:
            assert ex.pool_size == (int(window[1]),) * 2 and ex.stride == (int(window[2]),) * 2


# --- what an example refuses, and how it takes its numbers --------------------------------------

def conv(**changes) -> Example:
    settings = dict(name="t", title="t", caption="", operation="conv",
                    input=np.arange(12, dtype=np.float32).reshape(3, 4),
                    weights=np.ones((2, 3, 2, 1), np.float32))  # 2 filters of 3×2
    settings.update(changes)
    return Example(**settings)


@pytest.mark.parametrize(("changes", "message"), [
    ({"operation": "pool"},
     "unknown operation 'pool': use one of 'conv', 'transpose', 'max', 'avg'"),
    ({"input": np.zeros((0, 3, 1))},
     "an example's input is a non-empty (rows, columns, channels) array of finite numbers"),
    ({"input": np.ones((2, 2, 1, 1))},
     "an example's input is a non-empty (rows, columns, channels) array of finite numbers"),
    ({"input": [[1.0, np.nan], [0.0, 1.0]]},
     "an example's input is a non-empty (rows, columns, channels) array of finite numbers"),
    ({"pad_mode": "mirror"},
     "unknown padding mode 'mirror': use one of 'zeros', 'reflect', 'replicate', 'circular'"),
    ({"activation": "softmax"}, "unknown activation 'softmax'"),
    ({"stride": (1, 0)}, "the stride must be at least 1, not 0"),
    ({"dilation": 0}, "the dilation must be at least 1, not 0"),
    ({"operation": "max", "pool_size": (2, 0)}, "the pooling window must be at least 1, not 0"),
    ({"weights": None}, "a convolution needs its filters"),
    ({"weights": np.ones((2, 2, 1))},
     "the filters must be finite numbers shaped (K, kh, kw, 1), not (2, 2, 1)"),
    ({"weights": np.ones((1, 2, 2, 3))},
     "the filters must be finite numbers shaped (K, kh, kw, 1), not (1, 2, 2, 3)"),
    ({"weights": np.ones((0, 2, 2, 1))},
     "the filters must be finite numbers shaped (K, kh, kw, 1), not (0, 2, 2, 1)"),
    ({"weights": np.full((1, 2, 2, 1), np.inf)},
     "the filters must be finite numbers shaped (K, kh, kw, 1), not (1, 2, 2, 1)"),
    ({"bias": [1.0, 2.0, 3.0]}, "there are 2 filters but 3 biases"),
    ({"bias": [1.0, np.nan]}, "the biases must be finite numbers"),
])
def test_an_example_that_cannot_be_shown_says_why(changes, message):
    with pytest.raises(ValueError) as info:
        conv(**changes)
    assert str(info.value) == message


def test_an_example_takes_plain_numbers_and_keeps_them_as_float32():
    ex = conv(input=[[1, 2], [3, 4]], weights=[[[[1]]]], bias=[[2]])  # lists of whole numbers
    assert ex.input.shape == (2, 2, 1) and ex.input.dtype == np.float32
    assert ex.weights.shape == (1, 1, 1, 1) and ex.weights.dtype == np.float32
    assert ex.bias.shape == (1,) and ex.bias.dtype == np.float32 and ex.bias[0] == 2
    assert walk(ex).output()[:, :, 0].tolist() == [[3, 4], [5, 6]]
    # a typed fraction is kept, not cut to the whole numbers it was built from
    typed = apply_edits(ex, [("input", 0, 0, 1, 0, 0.5), ("weight", 0, 0, 0, 0, 1.5),
                             ("bias", 0, 0, 0, 0, 0.25)])
    assert (typed.input[0, 1, 0], typed.weights[0, 0, 0, 0], typed.bias[0]) == (0.5, 1.5, 0.25)
    # one number for a stride or a dilation is both axes
    spread = conv(input=np.arange(49).reshape(7, 7), weights=[[[[1], [2]], [[3], [4]]]],
                  stride=2, dilation=2)
    assert (spread.stride, spread.dilation) == ((2, 2), (2, 2))
    assert walk(spread).output()[:, :, 0].tolist() == correlate(
        np.arange(49).reshape(7, 7), [[1, 2], [3, 4]], stride=2, dilation=2)
    # no bias: a zero for each filter, as float32
    unbiased = conv()
    assert unbiased.bias.tolist() == [0, 0] and unbiased.bias.dtype == np.float32
    # a single pixel and a 1×1 kernel, a 1×1 and a 1×2 pooling window are examples too
    assert walk(conv(input=[[7]], weights=[[[[2]]]])).output().tolist() == [[[14]]]
    assert walk(conv(operation="max", pool_size=1, stride=1)).output_shape == (3, 4, 1)
    pooled = conv(operation="avg", pool_size=(1, 2), stride=(1, 2))
    assert pooled.pool_size == (1, 2)
    assert walk(pooled).output()[:, :, 0].tolist() == [[0.5, 2.5], [4.5, 6.5], [8.5, 10.5]]


def test_pooling_drops_the_filters_it_was_given():
    ex = conv(operation="max", bias=[1.0, 2.0])
    assert ex.weights is None and ex.bias is None
    assert ex.kernel_shape == (2, 2) and ex.is_pooling
    for block in ("weight", "bias"):
        with pytest.raises(ValueError, match=f"^t has no {block} to type into$"):
            apply_edits(ex, [(block, 0, 0, 0, 0, 1.0)])


# --- typed numbers --------------------------------------------------------------------------------

def test_typed_numbers_go_where_they_are_typed_in_order():
    ex = example("lecture-volume")
    edits = [("input", 0, 4, 0, 2, 9.0), ("weight", 1, 2, 0, 1, -7.0), ("bias", 1, 0, 0, 0, 5.0),
             ("input", 0, 4, 0, 2, 8.0)]  # the later number in the same cell wins
    typed = apply_edits(ex, edits)
    want_x, want_w, want_b = ex.input.copy(), ex.weights.copy(), ex.bias.copy()
    want_x[4, 0, 2], want_w[1, 2, 0, 1], want_b[1] = 8, -7, 5
    np.testing.assert_array_equal(typed.input, want_x)
    np.testing.assert_array_equal(typed.weights, want_w)
    np.testing.assert_array_equal(typed.bias, want_b)
    assert (typed.stride, typed.padding, typed.seed, typed.title) == (
        ex.stride, ex.padding, ex.seed, ex.title)
    # the example typed into is left as it was
    np.testing.assert_array_equal(ex.input, lecture_volume().input)
    np.testing.assert_array_equal(ex.weights, lecture_volume().weights)
    assert ex.bias.tolist() == [1, 0]


@pytest.mark.parametrize(("edit", "message"), [
    (("input", 0, 5, 0, 0, 1.0), "cell [5, 0, 0] lies outside the input (5×5×3)"),
    (("input", 0, 0, -1, 0, 1.0), "cell [0, -1, 0] lies outside the input (5×5×3)"),
    (("input", 0, 0, 0, 3, 1.0), "cell [0, 0, 3] lies outside the input (5×5×3)"),
    (("weight", 2, 0, 0, 0, 1.0), "cell [2, 0, 0, 0] lies outside the filters (2×3×3×3)"),
    (("weight", 0, 0, 3, 0, 1.0), "cell [0, 0, 3, 0] lies outside the filters (2×3×3×3)"),
    (("bias", 2, 0, 0, 0, 1.0), "cell [2] lies outside the biases (2)"),
    (("bias", -1, 0, 0, 0, 1.0), "cell [-1] lies outside the biases (2)"),
    (("kernel", 0, 0, 0, 0, 1.0), "Convolution over a volume (lecture) has no kernel to type "
                                  "into"),
    (("input", 0, 0, 0, 0, float("inf")), "a cell holds a finite number"),
    (("bias", 0, 0, 0, 0, float("nan")), "a cell holds a finite number"),
])
def test_a_typed_number_that_does_not_fit_says_why(edit, message):
    with pytest.raises(ValueError) as info:
        apply_edits(example("lecture-volume"), [edit])
    assert str(info.value) == message


# --- a crop of the explorer's picture -----------------------------------------------------------

def spec(**settings) -> LayerSpec:
    base = dict(weights=np.ones((1, 3, 3, 1), np.float32), bias=np.zeros(1, np.float32),
                activation="relu", pool_mode="none")
    base.update(settings)
    return LayerSpec(**base)


def test_a_crop_of_the_explorers_picture_carries_its_layer_and_says_where_it_is():
    picture = np.arange(16 * 20, dtype=np.uint8).reshape(16, 20)
    ex = from_layer(picture, spec(), origin=(2, 5), size=4, name="cat.png")
    assert (ex.name, ex.title, ex.operation) == ("explorer", "From the explorer", "conv")
    assert ex.caption == ("Your layer (1 filter 3×3×1, relu) on the 4×4 crop at row 2, "
                          "column 5 of cat.png.")
    np.testing.assert_array_equal(ex.input[:, :, 0], picture[2:6, 5:9])
    # the default crop is the largest, 12×12, from the top-left corner of "the picture"
    rng = np.random.default_rng(3)
    weights = rng.normal(size=(2, 3, 2, 3)).astype(np.float32)
    layer = spec(weights=weights, bias=np.array([0.5, -2], np.float32), stride=(2, 1),
                 padding=(1, 0), dilation=(1, 2), pad_mode="replicate", flip=True,
                 activation="tanh")
    colour = rng.integers(0, 256, (30, 30, 3), dtype=np.uint8)
    big = from_layer(colour, layer)
    assert big.caption == ("Your layer (2 filters 3×2×3, tanh) on the 12×12 crop at row 0, "
                           "column 0 of the picture.")
    np.testing.assert_array_equal(big.input, colour[:12, :12])
    np.testing.assert_array_equal(big.weights, weights)
    assert big.bias.tolist() == [0.5, -2]
    assert (big.stride, big.padding, big.dilation, big.pad_mode, big.flip, big.activation) == (
        (2, 1), (1, 0), (1, 2), "replicate", True, "tanh")
    # a name or a single count pads both axes alike
    two = dict(weights=weights, bias=np.zeros(2, np.float32))
    assert from_layer(colour, spec(**two, padding="same")).padding == ("same", "same")
    assert from_layer(colour, spec(**two, padding=2)).padding == (2, 2)
    # a crop at the bottom edge is cut short: 4 rows, 6 columns
    short = from_layer(picture, spec(), origin=(12, 5), size=6)
    assert short.caption.endswith(" on the 4×6 crop at row 12, column 5 of the picture.")
    np.testing.assert_array_equal(short.input[:, :, 0], picture[12:, 5:11])
    # a crop at the last row and column is one pixel
    corner = from_layer(picture, spec(), origin=(15, 19))
    assert corner.input.shape == (1, 1, 1) and corner.input[0, 0, 0] == picture[15, 19]


@pytest.mark.parametrize(("image", "settings", "message"), [
    (np.zeros((8, 8)), {"size": 13},
     "a crop of at most 12×12 pixels keeps its numbers readable, not 13"),
    (np.zeros((8, 8)), {"size": 0}, "the crop size must be at least 1, not 0"),
    (np.zeros((8, 8)), {"origin": (0, -1)}, "the crop origin must be at least 0, not -1"),
    (np.zeros((8, 8)), {"origin": (8, 0)}, "the crop at row 8, column 0 lies outside the 8×8 "
                                            "picture"),
    (np.zeros((8, 9)), {"origin": (0, 9)}, "the crop at row 0, column 9 lies outside the 8×9 "
                                            "picture"),
    (np.zeros(8), {}, "there is no picture to crop"),
    (np.zeros((2, 2, 2, 2)), {}, "there is no picture to crop"),
    (np.zeros((0, 4)), {}, "there is no picture to crop"),
])
def test_a_crop_that_cannot_be_taken_says_why(image, settings, message):
    with pytest.raises(ValueError) as info:
        from_layer(image, spec(), **settings)
    assert str(info.value) == message


# --- a lecture example in the explorer ---------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in EXAMPLE_NAMES if example(n).operation == "conv"])
def test_the_explorer_runs_a_convolution_example_to_the_same_numbers(name):
    ex = example(name)
    picture, layer = explorer_lesson(ex)
    assert picture.dtype == np.uint8
    np.testing.assert_array_equal(picture, ex.input[:, :, 0] if ex.input.shape[2] == 1
                                  else ex.input)
    assert layer.pool_mode == "none" and layer.activation == "identity"
    stage = run_stage(picture, layer)
    assert stage.pooled is None
    np.testing.assert_allclose(stage.feature_maps, walk(ex).output(), atol=1e-4)


def test_the_explorer_is_given_the_examples_own_settings():
    edge_picture, edge = explorer_lesson(example("lecture-edge"))
    assert edge_picture.shape == (6, 6) and edge.padding == "valid"
    volume_picture, volume = explorer_lesson(example("lecture-volume"))
    assert volume_picture.shape == (5, 5, 3) and volume_picture.flags.c_contiguous
    assert (volume.padding, volume.stride) == (1, (2, 2))
    np.testing.assert_array_equal(volume.bias, [1, 0])
    assert explorer_lesson(example("half-padding"))[1].padding == "same"
    assert explorer_lesson(example("dilation"))[1].dilation == (2, 2)
    # uneven padding, a flip, another padding mode and an activation go over as they are
    x = np.arange(30, dtype=np.float32).reshape(5, 6)
    ex = conv(input=x, padding=(2, 1), flip=True, pad_mode="reflect", activation="relu",
              stride=(1, 2), weights=[[[[1], [-2]], [[0], [3]]]],
              bias=[-40])
    picture, layer = explorer_lesson(ex)
    assert (layer.padding, layer.flip, layer.pad_mode, layer.activation, layer.stride) == (
        (2, 1), True, "reflect", "relu", (1, 2))
    np.testing.assert_allclose(run_stage(picture, layer).feature_maps, walk(ex).output(),
                               atol=1e-4)
    # "valid" only when both axes have none
    assert explorer_lesson(conv(padding=(0, 1)))[1].padding == (0, 1)
    assert explorer_lesson(conv(padding=(1, 1)))[1].padding == 1


@pytest.mark.parametrize(("ex", "message"), [
    (example("max-pool"), "Max pooling 2×2 is not a convolution the explorer runs"),
    (example("transposed"), "Transposed convolution is not a convolution the explorer runs"),
    (conv(input=[[0.5, 1]]), "t: the explorer's pictures hold 1 or 3 channels of whole numbers "
                             "from 0 to 255"),
    (conv(input=[[-1, 1]]), "t: the explorer's pictures hold 1 or 3 channels of whole numbers "
                            "from 0 to 255"),
    (conv(input=[[256, 1]]), "t: the explorer's pictures hold 1 or 3 channels of whole numbers "
                             "from 0 to 255"),
    (conv(input=np.ones((2, 2, 2)), weights=np.ones((1, 1, 1, 2))),
     "t: the explorer's pictures hold 1 or 3 channels of whole numbers from 0 to 255"),
    (conv(padding=("same", 1)), "t: the explorer pads both axes alike"),
    (conv(padding=("same", "full")), "t: the explorer pads both axes alike"),
])
def test_an_example_the_explorer_cannot_hold_says_why(ex, message):
    with pytest.raises(ValueError) as info:
        explorer_lesson(ex)
    assert str(info.value) == message


def test_the_edges_of_a_pictures_range_are_a_picture():
    ex = conv(input=[[0, 255], [255, 0]], weights=np.ones((1, 1, 1, 1)))
    picture, _ = explorer_lesson(ex)
    assert picture.tolist() == [[0, 255], [255, 0]]


def test_an_unknown_example_names_every_known_one():
    with pytest.raises(ValueError) as info:
        example("edge")
    assert str(info.value) == (
        "unknown example 'edge': use one of lecture-edge, lecture-volume, no-padding, "
        "arbitrary-padding, half-padding, full-padding, strides, odd-strides, dilation, "
        "transposed, transposed-strides, max-pool, avg-pool, max-pool-overlap, avg-pool-overlap")
