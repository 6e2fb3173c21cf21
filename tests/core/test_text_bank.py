"""The sentence network's bank built from the document's description, weighed by a training,
and a sentence read through it."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.text.bank import (
    MAX_PHRASE_TOKENS,
    Trained,
    build_bank,
    default_training,
    shipped_network,
)
from explorer.core.text.classifier import TextCNN
from explorer.core.text.sentence import KNOWN, PAD, PADDING, UNKNOWN, read_sentence
from explorer.core.text.vectors import character_vectors, filter_from_words, glove_vectors

SHIPPED_GROUPS = ((2, 4), (3, 4), (4, 4))


def test_the_shipped_network_is_the_default_for_words_only():
    shipped = shipped_network()
    assert shipped is not None and shipped.by == "shipped"
    assert default_training(glove_vectors()) is shipped
    assert default_training(character_vectors()) is None
    bank = build_bank(SHIPPED_GROUPS, (), glove_vectors(), shipped)
    assert bank.as_trained and (bank.new, bank.left_out) == (0, 0)
    for got, want in zip(bank.network.filters, shipped.network.filters, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(bank.network.weights, shipped.network.weights)
    assert bank.names[:5] == ("F1 · w2", "F2 · w2", "F3 · w2", "F4 · w2", "F5 · w3")


def test_an_edit_keeps_every_trained_filter_that_fits_and_says_what_changed():
    shipped = shipped_network()
    bank = build_bank(((2, 5), (5, 4), (4, 2)), (), glove_vectors(), shipped)
    net, old = bank.network, shipped.network
    assert net.widths == [2] * 5 + [5] * 4 + [4] * 2
    for k in range(4):  # the group of width 2 keeps its four and gets a fifth
        np.testing.assert_array_equal(net.filters[k], old.filters[k])
        np.testing.assert_array_equal(net.weights[k], old.weights[k])
    for k, was in ((9, 8), (10, 9)):  # the first two of width 4 stay
        np.testing.assert_array_equal(net.filters[k], old.filters[was])
    assert not net.weights[4].any() and not net.weights[5:9].any()  # new: no say yet
    np.testing.assert_array_equal(net.out_bias, old.out_bias)
    assert (bank.new, bank.left_out) == (5, 4 + 2)
    assert not bank.as_trained


def test_new_filters_are_the_same_for_the_same_place_whatever_came_before():
    vocab = character_vectors()
    small = build_bank(((3, 2),), (), vocab, None)
    large = build_bank(((2, 1), (3, 4)), (), vocab, None)
    again = build_bank(((3, 2),), (), vocab, None)
    assert small.trained is None and small.new == 2
    for k in range(2):
        np.testing.assert_array_equal(small.network.filters[k], again.network.filters[k])
    # a group's place counts: width 3 as the second group is another filter
    assert not np.array_equal(small.network.filters[0], large.network.filters[1])
    f = small.network.filters[0]
    assert f.shape == (3, vocab.dim) and 0 < float(np.abs(f).max()) < 2
    assert not small.network.weights.any() and not small.network.trained


def test_a_training_is_matched_filter_by_filter():
    vocab = character_vectors()
    first = build_bank(((2, 2),), ("ab",), vocab, None)
    net = first.network.copy()
    for k, f in enumerate(net.filters):  # as if trained: numbers of its own
        f[...] = k + 1
    net.weights[...] = 7
    trained = Trained(net, first.keys, "you")
    again = build_bank(((2, 2),), ("ab",), vocab, trained)
    assert again.as_trained
    grown = build_bank(((2, 1), (3, 1)), ("ab", "cd"), vocab, trained)
    # kept: group 0's first filter and the "ab" filter; new: width 3 and "cd"
    assert (grown.new, grown.left_out) == (2, 1)
    assert (grown.network.filters[0] == 1).all()
    assert (grown.network.filters[2] == 3).all()
    np.testing.assert_array_equal(grown.network.filters[3],
                                  filter_from_words(vocab, ["c", "d"]))
    assert (grown.network.weights[[0, 2]] == 7).all() and not grown.network.weights[[1, 3]].any()


def test_filters_built_from_words_and_the_phrases_that_make_none():
    vocab = glove_vectors()
    too_long = " ".join(["good"] * (MAX_PHRASE_TOKENS + 1))
    bank = build_bank(((2, 1),), ("not good", "zorblax film", too_long, "not good"), vocab,
                      None)
    assert bank.names == ("F1 · w2", "“not good” · w2", "“not good” · w2")
    np.testing.assert_allclose(bank.network.filters[1], filter_from_words(vocab, ["not", "good"]))
    assert bank.keys[1] != bank.keys[2]  # the same phrase twice: two filters
    assert len(bank.skipped) == 2
    assert "zorblax" in bank.skipped[0] and str(MAX_PHRASE_TOKENS) in bank.skipped[1]


def test_a_description_with_no_filter_is_refused():
    with pytest.raises(ValueError, match="no filters"):
        build_bank(((2, 0), (3, 0)), ("zorblax",), glove_vectors(), None)


def test_a_training_for_other_vectors_is_refused():
    with pytest.raises(ValueError, match="numbers a row"):
        build_bank(SHIPPED_GROUPS, (), character_vectors(), shipped_network())


def slow_map(x, f, bias):
    w = len(f)
    return [sum(float(x[t + i][j]) * float(f[i][j]) for i in range(w) for j in range(len(f[0])))
            + bias for t in range(len(x) - w + 1)]


def test_a_sentence_is_padded_read_and_its_windows_named():
    vocab = glove_vectors()
    bank = build_bank(((2, 1), (5, 1)), (), vocab, shipped_network())
    reading = read_sentence("Not zorblax", 1, bank, vocab)
    # one zero row each side, and one more at the end so the 5-wide filter fits
    assert reading.labels == [PAD, "not", "zorblax", PAD, PAD]
    assert reading.kinds == [PADDING, KNOWN, UNKNOWN, PADDING, PADDING]
    assert reading.unknown == ["zorblax"]
    rows = [[0.0] * vocab.dim, list(vocab.vector("not")), [0.0] * vocab.dim,
            [0.0] * vocab.dim, [0.0] * vocab.dim]
    np.testing.assert_array_equal(reading.x, np.array(rows, np.float32))
    net = bank.network
    for k in range(2):
        want = slow_map(rows, net.filters[k], float(net.biases[k]))
        np.testing.assert_allclose(reading.prediction.maps[k], want, rtol=1e-5, atol=1e-5)
        assert reading.prediction.pooled[k] == pytest.approx(max(want), abs=1e-5)
    assert reading.window_text(0, 1) == "Not zorblax"  # as typed
    assert reading.window_text(0, 0) == f"Not {PAD}"
    assert reading.window_tokens(1, 0) == ([0, 1], 3)


def test_an_empty_sentence_has_no_prediction():
    vocab = character_vectors()
    bank = build_bank(((2, 1),), (), vocab, None)
    reading = read_sentence("   ", 2, bank, vocab)
    assert reading.prediction is None and reading.labels == []


def test_the_bank_keeps_a_trained_network_whole():
    """What the tab trains is copied into a bank, never shared with it."""
    shipped = shipped_network()
    bank = build_bank(SHIPPED_GROUPS, (), glove_vectors(), shipped)
    bank.network.filters[0][...] = 0
    assert shipped.network.filters[0].any()
    assert isinstance(bank.network, TextCNN)
