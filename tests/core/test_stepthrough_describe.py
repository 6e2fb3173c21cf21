"""The lines under the step-through's grids, checked against the arithmetic done by hand on
the lecture's numbers (the products are read off the example's input and kernel)."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.stepthrough import Example, example, walk
from explorer.core.stepthrough.describe import describe

# every sum below was added up by hand from the example's grids
EXPECTED = {
    ("lecture-edge", 1): [
        "Step 2 of 16: o[0, 1, 0] ← window on rows 0–2, columns 1–3; it jumped 1 column "
        "(stride 1)",
        "window ⊙ kernel: 10·1 + 10·0 + 0·(−1) + 10·1 + 10·0 + 0·(−1) + 10·1 + 10·0 + 0·(−1) "
        "= 30",
        "+ bias b0 = 0: 30 + 0 = 30",
        "o[0, 1, 0] = 30"],
    ("lecture-edge", 4): [
        "Step 5 of 16: o[1, 0, 0] ← window on rows 1–3, columns 0–2; next row: down 1 "
        "(stride 1)",
        "window ⊙ kernel: 10·1 + 10·0 + 10·(−1) + 10·1 + 10·0 + 10·(−1) + 10·1 + 10·0 "
        "+ 10·(−1) = 0",
        "+ bias b0 = 0: 0 + 0 = 0",
        "o[1, 0, 0] = 0"],
    ("lecture-volume", 0): [  # the padding ring, then x[0:2, 0:2] of each channel
        "Step 1 of 18: o[0, 0, 0] ← window on rows 0–2, columns 0–2",
        "x[:,:,0] ⊙ w0[:,:,0]: 0·(−1) + 0·1 + 0·1 + 0·(−1) + 2·(−1) + 0·0 + 0·(−1) + 2·1 + 1·1 "
        "= 1",
        "x[:,:,1] ⊙ w0[:,:,1]: 0·0 + 0·(−1) + 0·1 + 0·1 + 1·1 + 0·0 + 0·(−1) + 1·1 + 2·(−1) "
        "= 0",
        "x[:,:,2] ⊙ w0[:,:,2]: 0·1 + 0·(−1) + 0·(−1) + 0·0 + 1·(−1) + 0·0 + 0·1 + 2·0 + 1·0 "
        "= −1",
        "sum over the 3 channels: 1 + 0 + (−1) = 0",
        "+ bias b0 = 1: 0 + 1 = 1",
        "o[0, 0, 0] = 1"],
    ("max-pool", 1): [
        "Step 2 of 4: o[0, 1, 0] ← window on rows 0–1, columns 2–3; it jumped 2 columns "
        "(stride 2)",
        "max(8, 2, 0, 9) = 9: the winner is kept, the other 3 are dropped",
        "o[0, 1, 0] = 9"],
    ("avg-pool", 0): [
        "Step 1 of 4: o[0, 0, 0] ← window on rows 0–1, columns 0–1",
        "(6 + 1 + 6 + 4) / 4 = 4.25",
        "o[0, 0, 0] = 4.25"],
    ("strides", 2): [
        "Step 3 of 4: o[1, 0, 0] ← window on rows 2–4, columns 0–2; next row: down 2 "
        "(stride 2)",
        "window ⊙ kernel: 3·0 + 1·1 + 2·2 + 2·2 + 0·2 + 0·0 + 2·0 + 0·1 + 0·2 = 9",
        "+ bias b0 = 0: 9 + 0 = 9",
        "o[1, 0, 0] = 9"],
    ("dilation", 0): [  # the taps sit two apart: rows and columns 0, 2, 4
        "Step 1 of 9: o[0, 0, 0] ← window on rows 0–4, columns 0–4",
        "window ⊙ kernel: 3·0 + 2·1 + 0·2 + 3·2 + 2·2 + 3·0 + 2·0 + 0·1 + 1·2 = 14",
        "+ bias b0 = 0: 14 + 0 = 14",
        "o[0, 0, 0] = 14"],
    ("transposed", 0): [
        "Step 1 of 16: o[0, 0, 0] ← window on rows 0–2, columns 0–2",
        "window ⊙ kernel (turned 180°): 0·2 + 0·1 + 0·0 + 0·0 + 0·2 + 0·2 + 0·2 + 0·1 + 1·0 "
        "= 0",
        "+ bias b0 = 0: 0 + 0 = 0",
        "o[0, 0, 0] = 0"],
}


@pytest.mark.parametrize(("name", "index"), list(EXPECTED))
def test_each_step_is_written_out_as_the_lecture_does(name, index):
    assert describe(walk(example(name)), index) == EXPECTED[name, index]


def test_the_quiz_hides_the_arithmetic_and_asks():
    assert describe(walk(example("lecture-edge")), 0, hide_value=True) == [
        "Step 1 of 16: o[0, 0, 0] ← window on rows 0–2, columns 0–2",
        "Your turn: what lands in o[0, 0, 0]? Type it and press Enter."]


def test_a_large_kernel_is_summed_without_listing_every_product():
    ex = Example("big", "Big", "", "conv", np.ones((6, 6, 1), np.float32),
                 np.full((1, 6, 6, 1), 2, np.float32), np.array([-1.0], np.float32),
                 activation="relu")
    lines = describe(walk(ex), 0)
    assert lines[1] == "window ⊙ kernel: the sum of 36 products = 72"
    assert lines[2] == "+ bias b0 = −1: 72 + (−1) = 71"
    assert lines[3] == "ReLU: max(0, 71) = 71"


def test_a_volume_one_channel_at_a_time_keeps_a_running_sum_then_adds_the_bias():
    """Presentation mode's channel by channel: the same products as above (step 1 of the
    lecture's volume: channel sums 1, 0 and −1), summed as they come."""
    walkthrough = walk(example("lecture-volume"))
    whole = EXPECTED["lecture-volume", 0]
    headline, products, total = whole[0], whole[1:4], whole[4:]
    assert describe(walkthrough, 0, channel=0) == [
        headline, products[0], "running sum, channel 0 of 3: 1"]
    assert describe(walkthrough, 0, channel=1) == [
        headline, products[1], "running sum, channels 0–1 of 3: 1 + 0 = 1"]
    assert describe(walkthrough, 0, channel=2) == [
        headline, products[2], "running sum, channels 0–2 of 3: 1 + 0 + (−1) = 0"]
    assert describe(walkthrough, 0, channel=3) == [headline, *total]  # the sum: no products
    assert describe(walkthrough, 0, hide_value=True, channel=1) == describe(
        walkthrough, 0, hide_value=True)  # the quiz asks the same question
    # one channel has nothing to go through
    assert describe(walk(example("lecture-edge")), 1, channel=0) == EXPECTED["lecture-edge", 1]


def _conv(x, w, bias=0.0, activation="identity") -> Example:
    x = np.asarray(x, np.float32)
    if x.ndim == 2:
        x = x[:, :, None]
    return Example("e", "e", "", "conv", x, np.asarray(w, np.float32),
                   np.array([bias], np.float32), activation=activation)


def test_a_headline_names_a_single_tap_and_how_far_the_window_went():
    one = walk(_conv(np.arange(9).reshape(3, 3), np.ones((1, 1, 1, 1))))  # a 1×1 kernel
    headlines = [describe(one, i)[0] for i in (0, 2, 6)]
    assert headlines == [
        "Step 1 of 9: o[0, 0, 0] ← window on row 0, column 0",
        "Step 3 of 9: o[0, 2, 0] ← window on row 0, column 2; it jumped 1 column (stride 1)",
        "Step 7 of 9: o[2, 0, 0] ← window on row 2, column 0; next row: down 1 (stride 1)"]
    tall = walk(_conv(np.arange(6).reshape(3, 2), np.ones((1, 2, 1, 1))))  # a 2×1 kernel
    assert describe(tall, 0)[0] == "Step 1 of 4: o[0, 0, 0] ← window on rows 0–1, columns 0–0"
    edge = walk(example("lecture-edge"))
    assert describe(edge, 8)[0] == ("Step 9 of 16: o[2, 0, 0] ← window on rows 2–4, columns "
                                    "0–2; next row: down 1 (stride 1)")
    volume = walk(example("lecture-volume"))  # the second filter starts where the first did
    assert describe(volume, 9)[0] == "Step 10 of 18: o[0, 0, 1] ← window on rows 0–2, columns 0–2"
    assert describe(volume, 1)[0] == ("Step 2 of 18: o[0, 1, 0] ← window on rows 0–2, columns "
                                      "2–4; it jumped 2 columns (stride 2)")


# Two channels under a 1×2 kernel of ones. Channel 0 holds 1.125 and 2⁻²⁴, a product float32
# would lose next to 1.125 (the sum would show 1.12): every sum is taken in float64.
TWO_CHANNELS = np.array([[[1.125, 0.25], [2.0**-24, 0.0]]], np.float32)
TWO_CHANNEL_LINES = [
    "Step 1 of 1: o[0, 0, 0] ← window on rows 0–0, columns 0–1",
    "x[:,:,0] ⊙ w0[:,:,0]: 1.12·1 + 5.96e−08·1 = 1.13",
    "x[:,:,1] ⊙ w0[:,:,1]: 0.25·1 + 0·1 = 0.25",
    "sum over the 2 channels: 1.13 + 0.25 = 1.38",
    "+ bias b0 = 0: 1.38 + 0 = 1.38",
    "o[0, 0, 0] = 1.38"]


def test_two_channels_are_written_out_and_summed_channel_by_channel():
    walkthrough = walk(_conv(TWO_CHANNELS, np.ones((1, 1, 2, 2))))
    lines = TWO_CHANNEL_LINES
    assert describe(walkthrough, 0) == lines
    assert describe(walkthrough, 0, channel=0) == [
        lines[0], lines[1], "running sum, channel 0 of 2: 1.13"]
    assert describe(walkthrough, 0, channel=1) == [
        lines[0], lines[2], "running sum, channels 0–1 of 2: 1.13 + 0.25 = 1.38"]
    assert describe(walkthrough, 0, channel=2) == [lines[0], *lines[3:]]


def test_a_5x5_kernel_lists_all_25_products():
    ex = _conv(np.arange(1, 26).reshape(5, 5), np.ones((1, 5, 5, 1)))
    listed = " + ".join(f"{v}·1" for v in range(1, 26))
    assert describe(walk(ex), 0)[1] == f"window ⊙ kernel: {listed} = 325"  # 25·26 / 2


# pre-activation 2 − 4 = −2 put into each activation's formula, as the lecture writes it
ACTIVATION_LINES = {
    "relu": "ReLU: max(0, (−2)) = 0",
    "leaky_relu": "Leaky ReLU: max(0.01·(−2), (−2)) = −0.02",
    "tanh": "tanh: tanh((−2)) = −0.964",  # tanh(2) = 0.96403
    "sigmoid": "sigmoid: 1 / (1 + e^(−(−2))) = 0.119",  # 1 / (1 + e²) = 0.11920
    "abs": "|x|: |(−2)| = 2",
}


def test_every_activation_is_named_and_worked_out():
    from explorer.core.activations import ACTIVATIONS

    assert set(ACTIVATION_LINES) == set(ACTIVATIONS) - {"identity"}
    for name, line in ACTIVATION_LINES.items():
        lines = describe(walk(_conv([[2]], np.ones((1, 1, 1, 1)), -4, name)), 0)
        assert lines[2:] == ["+ bias b0 = −4: 2 + (−4) = −2", line,
                             f"o[0, 0, 0] = {line.rsplit(' = ', 1)[1]}"]
    plain = describe(walk(_conv([[2]], np.ones((1, 1, 1, 1)), -4)), 0)
    assert plain[2:] == ["+ bias b0 = −4: 2 + (−4) = −2", "o[0, 0, 0] = −2"]


def test_a_line_is_bound_around_its_terms():
    from explorer.core.stepthrough.describe import bound

    nbsp = "\u00a0"
    assert bound("window ⊙ kernel: 10·1 + 0·(−1) = 10") == (
        f"window{nbsp}⊙{nbsp}kernel: 10·1 +{nbsp}0·(−1) ={nbsp}10")
    assert bound("+ bias b0 = 1: 0 + 1 = 1") == (
        f"+{nbsp}bias{nbsp}b0 ={nbsp}1: 0 +{nbsp}1 ={nbsp}1")
