"""The step sequence of every example against plain loops over the unpadded input."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.convolution import convolve
from explorer.core.pipeline import LayerSpec, run_stage
from explorer.core.pooling import pool, pool_winners
from explorer.core.stepthrough import (
    EXAMPLE_NAMES,
    INPUT,
    INSERTED,
    PADDING,
    Example,
    apply_edits,
    example,
    fitting_edits,
    from_layer,
    lecture_volume,
    walk,
)
from explorer.core.transposed import convolve_transpose

# Each convolution example's settings as conv_arithmetic and the lectures state them:
# (output size, padding before, stride, dilation), written out rather than computed.
CONV_CASES = {
    "lecture-edge": (4, 0, 1, 1),
    "lecture-volume": (3, 1, 2, 1),
    "no-padding": (2, 0, 1, 1),
    "arbitrary-padding": (6, 2, 1, 1),
    "half-padding": (5, 1, 1, 1),
    "full-padding": (7, 2, 1, 1),
    "strides": (2, 0, 2, 1),
    "odd-strides": (3, 1, 2, 1),
    "dilation": (3, 0, 1, 2),
}
TRANSPOSED_CASES = {"transposed": (4, 1), "transposed-strides": (5, 2)}  # (output, stride)
POOL_CASES = {"max-pool": (2, 2, 2), "avg-pool": (2, 2, 2), "max-pool-overlap": (2, 3, 2),
              "avg-pool-overlap": (2, 3, 2)}  # (output, window, stride)


def test_every_example_is_covered_below():
    assert set(EXAMPLE_NAMES) == set(CONV_CASES) | set(TRANSPOSED_CASES) | set(POOL_CASES)
    for name in EXAMPLE_NAMES:
        assert example(name).caption and "\n" not in example(name).caption


def pixel(x, r, c, ch):
    """The input pixel, or the zero padding outside it."""
    if 0 <= r < x.shape[0] and 0 <= c < x.shape[1]:
        return float(x[r, c, ch])
    return 0.0


@pytest.mark.parametrize("name", sorted(CONV_CASES))
def test_convolution_steps_match_a_loop(name):
    out_size, before, stride, dilation = CONV_CASES[name]
    ex = example(name)
    walkthrough = walk(ex)
    x, w, b = ex.input, ex.weights, ex.bias
    k_count, kh, kw, channels = w.shape
    assert walkthrough.output_shape == (out_size, out_size, k_count)
    assert len(walkthrough.steps) == out_size * out_size * k_count
    steps = iter(walkthrough.steps)
    for f in range(k_count):
        for orow in range(out_size):
            for ocol in range(out_size):
                step = next(steps)
                assert (step.map, step.out) == (f, (orow, ocol))
                # window coordinates on the padded grid: the jump is the stride, the gaps the
                # dilation
                assert step.rows == tuple(orow * stride + a * dilation for a in range(kh))
                assert step.cols == tuple(ocol * stride + a * dilation for a in range(kw))
                total = 0.0
                for a in range(kh):
                    for bb in range(kw):
                        for ch in range(channels):
                            r = orow * stride - before + a * dilation
                            c = ocol * stride - before + bb * dilation
                            assert step.taps[a, bb, ch] == pixel(x, r, c, ch)
                            product = pixel(x, r, c, ch) * float(w[f, a, bb, ch])
                            assert step.products[a, bb, ch] == pytest.approx(product)
                            total += product
                assert step.total == pytest.approx(total)
                assert step.bias == float(b[f])
                assert step.value == pytest.approx(total + float(b[f]))  # identity
    # and the engine agrees with every value landing in the output
    engine = convolve(x, w, bias=b, stride=stride, padding=before, dilation=dilation)
    np.testing.assert_allclose(walkthrough.output(), engine, rtol=1e-5)


def test_the_lectures_numbers():
    out = walk(example("lecture-edge")).output()
    assert out[:, :, 0].tolist() == [[0, 30, 30, 0]] * 4
    # conv_arithmetic's worked example: the 5×5 input and kernel give [[12, 12, 17], …]
    assert walk(example("no-padding")).output()[:, :, 0].tolist() == [[12, 12], [10, 17]]


def test_padding_cells_and_dilation_gaps_are_marked():
    w = walk(example("arbitrary-padding"))  # 5×5 padded by 2 → 9×9
    assert w.kinds.shape == (9, 9)
    assert (w.kinds[2:7, 2:7] == INPUT).all()
    assert (w.kinds[:2] == PADDING).all() and (w.kinds[:, 7:] == PADDING).all()
    assert (w.grid[w.kinds == PADDING] == 0).all()
    first = walk(example("dilation")).steps[0]
    assert first.rows == (0, 2, 4)  # rows 1 and 3 inside the window are gaps


@pytest.mark.parametrize("name", sorted(TRANSPOSED_CASES))
def test_transposed_steps_match_the_scatter_loop(name):
    out_size, stride = TRANSPOSED_CASES[name]
    ex = example(name)
    x, w = ex.input, ex.weights
    k = w.shape[1]
    walkthrough = walk(ex)
    # the grid: input pixels stride apart, zeros between them, padded by k − 1
    spread = (x.shape[0] - 1) * stride + 1
    assert walkthrough.grid.shape[:2] == (spread + 2 * (k - 1),) * 2
    for r in range(walkthrough.grid.shape[0]):
        for c in range(walkthrough.grid.shape[1]):
            i, j = r - (k - 1), c - (k - 1)
            inside = 0 <= i < spread and 0 <= j < spread
            on_pixel = inside and i % stride == 0 and j % stride == 0
            want = x[i // stride, j // stride, 0] if on_pixel else 0.0
            assert walkthrough.grid[r, c, 0] == want
            kind = INPUT if on_pixel else (INSERTED if inside else PADDING)
            assert walkthrough.kinds[r, c] == kind
    # each output is a stride-1 window over that grid with the kernel turned by 180°
    scatter = np.zeros((out_size, out_size))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            for a in range(k):
                for b in range(k):
                    scatter[i * stride + a, j * stride + b] += x[i, j, 0] * w[0, a, b, 0]
    assert len(walkthrough.steps) == out_size * out_size
    for step in walkthrough.steps:
        orow, ocol = step.out
        assert step.rows == tuple(range(orow, orow + k))
        assert step.cols == tuple(range(ocol, ocol + k))
        total = 0.0
        for a in range(k):
            for b in range(k):
                product = walkthrough.grid[orow + a, ocol + b, 0] * w[0, k - 1 - a, k - 1 - b, 0]
                assert step.products[a, b, 0] == product
                total += product
        assert step.total == total
        assert step.value == scatter[orow, ocol]
    np.testing.assert_allclose(walkthrough.output()[:, :, 0],
                               convolve_transpose(x, w, stride=stride)[:, :, 0])


@pytest.mark.parametrize("name", sorted(POOL_CASES))
def test_pooling_steps_match_a_loop(name):
    out_size, window, stride = POOL_CASES[name]
    ex = example(name)
    x = ex.input[:, :, 0]
    walkthrough = walk(ex)
    assert len(walkthrough.steps) == out_size * out_size
    for step in walkthrough.steps:
        orow, ocol = step.out
        assert step.rows == tuple(range(orow * stride, orow * stride + window))
        assert step.cols == tuple(range(ocol * stride, ocol * stride + window))
        best, where, total = -np.inf, None, 0.0
        for a in range(window):
            for b in range(window):
                v = float(x[orow * stride + a, ocol * stride + b])
                assert step.taps[a, b, 0] == v
                total += v
                if v > best:
                    best, where = v, (a, b)
        if ex.operation == "max":
            assert step.value == best
            assert step.winner == where
        else:
            assert step.value == pytest.approx(total / window**2)
            assert step.winner is None
    engine = pool(ex.input, window, stride, ex.operation)
    np.testing.assert_allclose(walkthrough.output(), engine, rtol=1e-6)
    if ex.operation == "max":
        winners = pool_winners(ex.input, window, stride)
        for step in walkthrough.steps:
            at = (step.rows[step.winner[0]], step.cols[step.winner[1]])
            assert tuple(winners[step.out[0], step.out[1], 0]) == at


def test_the_output_fills_in_step_by_step():
    walkthrough = walk(example("strides"))
    partial = walkthrough.output(upto=1)
    assert np.isfinite(partial).sum() == 2
    assert np.isnan(partial[1]).all()


def test_new_numbers_for_the_volume_example():
    a, b = lecture_volume(0), lecture_volume(1)
    assert a.input.shape == (5, 5, 3) and a.weights.shape == (2, 3, 3, 3)
    assert not np.array_equal(a.input, b.input)
    for ex in (a, b):
        assert set(np.unique(ex.input)) <= {0, 1, 2}
        assert set(np.unique(ex.weights)) <= {-1, 0, 1}
        assert ex.bias.tolist() == [1, 0]
    assert np.array_equal(lecture_volume(3).input, lecture_volume(3).input)


def test_a_typed_cell_becomes_an_edit_of_the_example_and_padding_refuses():
    walkthrough = walk(example("lecture-edge"))
    edit = walkthrough.edit("input", 0, 0, 3, 10.0)  # no padding: grid cell = input pixel
    assert edit == ("input", 0, 0, 3, 0, 10.0)
    edited = walk(apply_edits(walkthrough.example, [edit]))
    assert edited.example.input[0, 3, 0] == 10
    np.testing.assert_allclose(edited.output(), convolve(edited.example.input,
                                                         edited.example.weights))
    # half padding: grid cell (1, 1) is input pixel (0, 0), grid cell (0, 0) is padding
    padded = walk(example("half-padding"))
    assert padded.edit("input", 0, 1, 1, 5.0) == ("input", 0, 0, 0, 0, 5.0)
    with pytest.raises(ValueError, match="padding"):
        padded.edit("input", 0, 0, 0, 5.0)
    with pytest.raises(ValueError, match="inserted zero"):
        walk(example("transposed-strides")).edit("input", 0, 3, 2, 5.0)
    with pytest.raises(ValueError, match="kernel"):
        walk(example("max-pool")).edit("kernel", 0, 0, 0, 5.0)
    # the transposed view shows the turned kernel: the shown top-left is the last weight
    t = walk(example("transposed"))
    edit = t.edit("kernel", 0, 0, 0, 9.0)
    assert edit == ("weight", 0, 2, 2, 0, 9.0)
    changed = apply_edits(t.example, [edit])
    assert changed.weights[0, 2, 2, 0] == 9 and walk(changed).kernels[0, 0, 0, 0] == 9
    # the volume: filter W1's shown weight, channel 2
    v = walk(example("lecture-volume"))
    assert v.edit("kernel", 2, 0, 1, -4.0, k=1) == ("weight", 1, 0, 1, 2, -4.0)


def test_edits_outside_a_smaller_crop_are_left_out_and_fit_again_when_it_grows():
    picture = np.arange(30 * 30, dtype=np.uint8).reshape(30, 30)
    spec = layer()
    big, small = (from_layer(picture, spec, (0, 0), size) for size in (8, 4))
    edits = (("input", 0, 6, 6, 0, 1.0), ("input", 0, 1, 1, 2, 2.0), ("weight", 1, 0, 0, 0, 3.0))
    assert fitting_edits(big, edits) == edits
    assert fitting_edits(small, edits) == edits[1:]  # pixel (6, 6) lies outside a 4×4 crop
    assert apply_edits(small, fitting_edits(small, edits)).input[1, 1, 2] == 2.0


def layer(**settings):
    rng = np.random.default_rng(5)
    base = dict(weights=rng.normal(size=(2, 3, 3, 3)).astype(np.float32),
                bias=np.array([0.5, -1.0], np.float32), activation="relu", pool_mode="none")
    base.update(settings)
    return LayerSpec(**base)


@pytest.mark.parametrize("settings", [
    dict(padding=1),
    dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
    dict(padding=1, pad_mode="reflect", flip=True, activation="tanh"),
    dict(padding="same", stride=(2, 2)),
])
def test_from_the_explorer_matches_the_engine_on_the_crop(settings):
    rng = np.random.default_rng(9)
    picture = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    spec = layer(**settings)
    ex = from_layer(picture, spec, origin=(20, 30))
    assert ex.input.shape == (12, 12, 3)
    np.testing.assert_array_equal(ex.input, picture[20:32, 30:42])
    walkthrough = walk(ex)
    stage = run_stage(picture[20:32, 30:42], spec)
    np.testing.assert_allclose(walkthrough.output(), stage.feature_maps, rtol=1e-4, atol=1e-3)
    pre = np.full(walkthrough.output_shape, np.nan)
    for step in walkthrough.steps:
        pre[step.out[0], step.out[1], step.map] = step.pre_activation
    np.testing.assert_allclose(pre, stage.pre_activation, rtol=1e-4, atol=1e-3)


def test_from_the_explorer_crops_at_the_edge_and_refuses_nonsense():
    picture = np.arange(20 * 15, dtype=np.uint8).reshape(20, 15)
    spec = layer()
    ex = from_layer(picture, spec, origin=(15, 10))
    assert ex.input.shape == (5, 5, 3)  # gray spread over the 3 channels
    np.testing.assert_array_equal(ex.input[:, :, 1], picture[15:, 10:])
    with pytest.raises(ValueError, match="outside"):
        from_layer(picture, spec, origin=(20, 0))
    with pytest.raises(ValueError, match="at most 12"):
        from_layer(picture, spec, size=13)
    with pytest.raises(ValueError, match="larger than"):
        walk(from_layer(picture, spec, origin=(19, 14)))


def test_unknown_example_names_the_known_ones():
    with pytest.raises(ValueError, match="lecture-edge"):
        example("nope")


def _small(**changes) -> Example:
    settings = dict(name="t", title="t", caption="", operation="transpose",
                    input=np.ones((2, 2, 1), np.float32), weights=np.ones((1, 3, 3, 1), np.float32),
                    bias=np.zeros(1, np.float32))
    settings.update(changes)
    return Example(**settings)


@pytest.mark.parametrize(("changes", "message"), [
    ({"padding": ("same", "same")}, "a transposed convolution takes its padding as a number"),
    ({"padding": (True, True)}, "a transposed convolution takes its padding as a number"),
    ({"dilation": (2, 2)}, "the step-through shows transposed convolutions without dilation"),
    ({"padding": (3, 3)}, "a padding above k − 1 = 2 crops the output: the step-through shows "
                          "paddings up to k − 1"),
    ({"operation": "conv", "pad_mode": "reflect", "padding": (2, 2)},
     "reflect padding of 2 needs an input of more than 2 pixels (it has 2)"),
    ({"operation": "conv", "pad_mode": "circular", "padding": (3, 3)},
     "circular padding of 3 needs an input of at least 3 pixels (it has 2)"),
])
def test_settings_the_step_through_cannot_show_are_refused(changes, message):
    with pytest.raises(ValueError) as info:
        walk(_small(**changes))
    assert str(info.value) == message


@pytest.mark.parametrize(("changes", "side"), [
    # o = s·(i − 1) + k − 2p for a transposed convolution; o = i + 2p − k + 1 for a convolution
    ({"input": np.ones((4, 4, 1), np.float32), "padding": (2, 2)}, 4 - 1 + 3 - 4),
    ({"padding": (1, 1)}, 2 - 1 + 3 - 2),
    ({"operation": "conv", "pad_mode": "reflect", "padding": (1, 1)}, 2 + 2 - 3 + 1),
    ({"operation": "conv", "pad_mode": "circular", "padding": (2, 2)}, 2 + 4 - 3 + 1),
])
def test_the_largest_paddings_it_can_show_are_shown(changes, side):
    assert walk(_small(**changes)).output_shape == (side, side, 1)
