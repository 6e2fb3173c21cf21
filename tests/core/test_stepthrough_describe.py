"""The lines under the step-through's grids, checked against the arithmetic done by hand on
the lecture's numbers (the products are read off the example's input and kernel)."""

from __future__ import annotations

import pytest

from explorer.core.stepthrough import example, walk
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
    import numpy as np

    from explorer.core.stepthrough import Example

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
