"""Whole networks counted: a multilayer perceptron against a convolutional network.

The references count connections one by one (every unit, every input it sees) and slide the
windows position by position, with nothing taken from the code under test.
"""

from __future__ import annotations

import pytest

from explorer.core.mlp_vs_cnn import ConvStage, conv_net, mlp, networks
from explorer.core.params import PRESETS, Setup, format_headline, format_magnitude


def dense_by_connections(inputs: int, units: int, bias: bool) -> int:
    """A dense layer's parameters, counted one connection at a time."""
    n = 0
    for _unit in range(units):
        for _value in range(inputs):
            n += 1
        n += 1 if bias else 0
    return n


def positions(size: int, span: int, step: int, before: int, after: int) -> int:
    """How many places a window of ``span`` pixels takes, moved by ``step`` from the start
    of the padded axis, counted one place at a time."""
    count, start = 0, 0
    while start + span <= before + size + after:
        count, start = count + 1, start + step
    return count


def same_padding(size: int, span: int, step: int) -> tuple[int, int]:
    """TensorFlow's "same": ⌈size / step⌉ outputs, the odd extra pixel after."""
    outputs = -(-size // step)
    total = max((outputs - 1) * step + span - size, 0)
    return total // 2, total - total // 2


def test_a_small_perceptron_against_its_connections():
    net = mlp((6, 5, 2), [7, 4], 3, bias=True)
    assert [layer.name for layer in net.layers] == ["hidden 1", "hidden 2", "classes"]
    expected = [dense_by_connections(60, 7, True), dense_by_connections(7, 4, True),
                dense_by_connections(4, 3, True)]
    assert [layer.counts.params for layer in net.layers] == expected
    assert net.params == sum(expected)
    assert net.biases == 7 + 4 + 3
    assert [layer.output_shape for layer in net.layers] == [(7,), (4,), (3,)]


def test_a_small_convolutional_network_against_its_windows():
    # 17×13×3 → conv 3×3 ×4 same → pool 2 → conv 5×3 ×6 valid stride 2 → pool 2 → 2 classes
    stages = [ConvStage(3, 4, padding="same", pool=2),
              ConvStage((5, 3), 6, stride=2, padding="valid", pool=2)]
    net = conv_net((17, 13, 3), stages, 2, bias=True)
    assert [layer.name for layer in net.layers] == \
        ["conv 1", "pool 1", "conv 2", "pool 2", "classes"]
    h1 = positions(17, 3, 1, *same_padding(17, 3, 1))
    w1 = positions(13, 3, 1, *same_padding(13, 3, 1))
    ph1, pw1 = positions(h1, 2, 2, 0, 0), positions(w1, 2, 2, 0, 0)
    h2, w2 = positions(ph1, 5, 2, 0, 0), positions(pw1, 3, 2, 0, 0)
    ph2, pw2 = positions(h2, 2, 2, 0, 0), positions(w2, 2, 2, 0, 0)
    assert [layer.output_shape for layer in net.layers] == \
        [(h1, w1, 4), (ph1, pw1, 4), (h2, w2, 6), (ph2, pw2, 6), (2,)]
    conv1 = sum(3 * 3 * 3 + 1 for _filter in range(4))
    conv2 = sum(5 * 3 * 4 + 1 for _filter in range(6))
    classes = dense_by_connections(ph2 * pw2 * 6, 2, True)
    assert [layer.counts.params for layer in net.layers] == [conv1, 0, conv2, 0, classes]
    assert net.params == conv1 + conv2 + classes
    assert [layer.name for layer in net.with_params()] == ["conv 1", "conv 2", "classes"]
    # work per image: one multiply-accumulate per window tap per output value
    assert net.layers[0].counts.macs == h1 * w1 * 4 * 27
    assert net.layers[2].counts.macs == h2 * w2 * 6 * 5 * 3 * 4


def test_the_lectures_multi_layer_example():
    """1000×1000 → 10⁶ → 10⁶ → 10 classes, against three stages of 100 shared 10×10 filters."""
    perceptron, convolutional = networks(PRESETS["lecture_multi"])
    assert [layer.counts.params for layer in perceptron.layers] == [10**12, 10**12, 10**7]
    assert perceptron.params == 2 * 10**12 + 10**7
    assert [layer.counts.formula for layer in perceptron.layers][:2] == \
        ["1000·1000 × 10⁶ = 10¹²", "10⁶ × 10⁶ = 10¹²"]
    assert [(layer.name, layer.counts.params) for layer in convolutional.with_params()] == [
        ("conv 1", 100 * 10 * 10), ("conv 2", 100 * 10 * 10 * 100),
        ("conv 3", 100 * 10 * 10 * 100), ("classes", 125 * 125 * 100 * 10)]
    assert convolutional.layers[-2].output_shape == (125, 125, 100)
    assert PRESETS["lecture_multi"].scope == "network"


def test_hidden_units_follow_the_first_convolution_when_automatic():
    setup = Setup("", (28, 28, 1), 3, 8, units=None, hidden_layers=3, classes=10, stages=2)
    perceptron, convolutional = networks(setup)
    assert [layer.output_shape for layer in perceptron.layers] == \
        [(26 * 26 * 8,)] * 3 + [(10,)]
    # later stages keep the window and filters at stride 1 with "same" padding
    assert [layer.output_shape for layer in convolutional.layers] == \
        [(26, 26, 8), (13, 13, 8), (13, 13, 8), (6, 6, 8), (10,)]


def test_no_pooling_keeps_the_maps():
    setup = Setup("", (8, 8, 1), 3, 2, padding="same", stages=2, pool=1)
    _, convolutional = networks(setup)
    assert [layer.kind for layer in convolutional.layers] == ["conv", "conv", "dense"]
    assert convolutional.layers[-1].counts.params == dense_by_connections(8 * 8 * 2, 10, True)


@pytest.mark.parametrize(("call", "words"), [
    (lambda: networks(Setup("", (8, 8, 1), 3, 1, padding="same", stages=4)),
     "stage 4: the 2×2 pooling window is larger than the 1×1 feature map"),
    (lambda: conv_net((4, 4, 1), [ConvStage(5, 1, padding="valid")], 10),
     "stage 1: the 5×5 kernel is larger than the padded 4×4 image"),
    (lambda: mlp((4, 4), [], 10), "at least one hidden layer"),
    (lambda: mlp((4, 4), [3], 0), "number of classes must be at least 1"),
    (lambda: conv_net((4, 4), [], 10), "at least one stage"),
])
def test_networks_that_cannot_be_built_say_why(call, words):
    with pytest.raises(ValueError) as info:
        call()
    assert words in str(info.value)


@pytest.mark.parametrize(("n", "text"), [
    (1, "10⁰"), (100, "10²"), (10**4, "10⁴"), (10**12, "10¹²"), (56, "5.6 × 10¹"),
    (80, "8 × 10¹"), (34_944, "3.49 × 10⁴"), (196_609_000, "1.97 × 10⁸"),
    (2 * 10**12 + 10**7, "2 × 10¹²"), (999_600, "1 × 10⁶"),
])
def test_chart_labels_are_powers_of_ten(n, text):
    assert format_magnitude(n) == text


@pytest.mark.parametrize(("n", "text"), [
    (1, "1"), (10, "10"), (100, "10²"), (280, "280"), (10**4, "10⁴"), (34_944, "34,944"),
    (10**12, "10¹²"), (2 * 10**12 + 10**7, "2,000,010,000,000"),
])
def test_card_headlines_are_powers_of_ten_or_exact(n, text):
    assert format_headline(n) == text
