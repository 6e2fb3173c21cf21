"""Kim's two input channels: the static word vectors and a fine-tuned copy of them. Each
filter sums over both; training moves the copy and never the static vectors."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.text.bank import build_bank, default_training, train_bank
from explorer.core.text.classifier import TextCNN, loss_and_gradients, train
from explorer.core.text.phrases import Phrase, default_sets
from explorer.core.text.sentence import read_sentence
from explorer.core.text.vectors import character_vectors, glove_vectors

SENTENCE = "the film was not good"


def two_channel_bank(seed: int = 3):
    """A two-channel bank whose fine-tuned copy differs from the static vectors."""
    glove = glove_vectors()
    bank = build_bank(((2, 2), (3, 2)), ("not good",), glove, None, channels=2)
    rng = np.random.default_rng(seed)
    bank.network.tuned += rng.normal(0, 0.5, bank.network.tuned.shape).astype(np.float32)
    return bank


def slow_two_channel_response(words, padding, static, tuned, f_static, f_tuned, bias):
    """Filter (w, D) parts ``f_static`` and ``f_tuned`` over a sentence of ``words`` with
    ``padding`` zero vectors at each end: every product of every channel added in loops."""
    d = len(f_static[0])
    rows = [None] * padding + list(words) + [None] * padding
    out = []
    for t in range(len(rows) - len(f_static) + 1):
        total = float(bias)
        for i in range(len(f_static)):
            word = rows[t + i]
            if word is None:
                continue  # a zero vector in both channels
            for j in range(d):
                total += float(static[word][j]) * float(f_static[i][j])
                total += float(tuned[word][j]) * float(f_tuned[i][j])
        out.append(total)
    return out


def test_a_filter_over_two_channels_sums_its_products_over_both():
    glove = glove_vectors()
    bank = two_channel_bank()
    net = bank.network
    reading = read_sentence(SENTENCE, 1, bank, glove)
    assert reading.channels == ("static", "fine-tuned")
    words = SENTENCE.split()
    static = {w: glove.vector(w) for w in words}
    tuned = {w: net.tuned[glove.index[w]] for w in words}
    d = glove.dim
    assert reading.x.shape == (len(words) + 2, 2 * d)
    for r, w in enumerate(words, start=1):  # the two bands of the sentence matrix
        np.testing.assert_array_equal(reading.x[r, :d], static[w])
        np.testing.assert_array_equal(reading.x[r, d:], tuned[w])
    for k, f in enumerate(net.filters):
        want = slow_two_channel_response(words, 1, static, tuned, f[:, :d], f[:, d:],
                                         net.biases[k])
        np.testing.assert_allclose(reading.prediction.maps[k], want, rtol=1e-4, atol=1e-4)
    # how far each word's fine-tuned vector lies from its static one
    for r, w in enumerate(words, start=1):
        distance = sum((float(a) - float(b)) ** 2 for a, b in zip(tuned[w], static[w],
                                                                  strict=True)) ** 0.5
        assert reading.moved()[r] == pytest.approx(distance, rel=1e-5)
    assert reading.moved()[0] == 0  # padding
    assert read_sentence(SENTENCE, 0, build_bank(((2, 1),), (), glove, None), glove
                         ).moved() is None  # one channel: nothing to move


def test_two_channels_answer_as_one_until_the_copy_moves():
    """The shipped filters spread over two equal channels give the one-channel answer."""
    glove = glove_vectors()
    one = read_sentence(SENTENCE, 0, build_bank(((2, 4), (3, 4), (4, 4)), (), glove,
                                                default_training(glove, 1), 1), glove)
    two_trained = default_training(glove, 2)
    assert two_trained is not None and two_trained.network.channels == 2
    np.testing.assert_array_equal(two_trained.network.tuned, glove.vectors)
    two = read_sentence(SENTENCE, 0, build_bank(((2, 4), (3, 4), (4, 4)), (), glove,
                                                two_trained, 2), glove)
    assert two.bank.as_trained
    np.testing.assert_allclose(two.prediction.probabilities, one.prediction.probabilities,
                               atol=1e-5)
    for a, b in zip(two.prediction.maps, one.prediction.maps, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_training_moves_the_fine_tuned_copy_and_never_the_static_vectors():
    glove = glove_vectors()
    static_before = glove.vectors.copy()
    phrases, held_out = default_sets(train_count=300, held_out_count=50)
    model = build_bank(((2, 3), (3, 3)), (), glove, None, channels=2).network
    start = model.tuned.copy()
    steps = list(train(model, glove, phrases, held_out, epochs=2))
    assert len(steps) == 2
    np.testing.assert_array_equal(glove.vectors, static_before)
    tuned = steps[-1].model.tuned
    moved = {int(r) for r in np.flatnonzero(np.any(tuned != start, axis=1))}
    seen = {glove.index[w] for p in phrases for w in p.tokens if w in glove.index}
    assert len(moved) > 50  # many of the phrases' words moved …
    assert moved <= seen  # … and no word the phrases never use
    # the network reads a sentence through the copy it learnt: the static band is still
    # the vocabulary's, the fine-tuned band is the moved copy
    bank = build_bank(((2, 3), (3, 3)), (), glove, None, channels=2)
    bank.network.tuned[...] = tuned
    reading = read_sentence("good", 0, bank, glove)
    row = glove.index["good"]
    np.testing.assert_array_equal(reading.x[0, :glove.dim], static_before[row])
    np.testing.assert_array_equal(reading.x[0, glove.dim:], tuned[row])


def test_the_trained_bank_carries_its_copy_and_keeps_it_apart():
    vocab = character_vectors()
    steps = list(train_bank(((2, 2),), (), vocab, None, epochs=1, channels=2))
    trained = steps[-1]
    assert trained.network.channels == 2
    assert not np.array_equal(trained.network.tuned, vocab.vectors)
    bank = build_bank(((2, 2),), (), vocab, trained, channels=2)
    np.testing.assert_array_equal(bank.network.tuned, trained.network.tuned)
    bank.network.tuned[...] = 0  # a copy, never the trained network's own
    assert trained.network.tuned.any()
    with pytest.raises(ValueError, match="2 channels, not 1"):
        build_bank(((2, 2),), (), vocab, trained, channels=1)
    with pytest.raises(ValueError, match="one or two channels"):
        build_bank(((2, 2),), (), vocab, None, channels=3)


def test_the_copy_s_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    model = TextCNN.random([2, 3], dim=3, seed=4, tuned=rng.normal(size=(5, 3)))
    model.filters = [f.astype(np.float64) for f in model.filters]
    model.weights = rng.normal(size=model.weights.shape)
    x = rng.normal(size=(3, 5, 6))
    y = np.array([1, 0, 1])
    _, _, _, d_x = loss_and_gradients(model, x, y)
    eps = 1e-6
    for index in np.ndindex(x.shape):
        keep = x[index]
        x[index] = keep + eps
        up = loss_and_gradients(model, x, y)[0]
        x[index] = keep - eps
        down = loss_and_gradients(model, x, y)[0]
        x[index] = keep
        assert d_x[index] == pytest.approx((up - down) / (2 * eps), rel=1e-4, abs=1e-6)


def test_a_two_channel_network_round_trips_and_refuses_a_mismatched_vocabulary(tmp_path):
    model = TextCNN.random([2], 48, seed=1, tuned=np.ones((6, 48)))
    model.save(tmp_path / "m.npz")
    back = TextCNN.load(tmp_path / "m.npz")
    assert back.channels == 2
    np.testing.assert_array_equal(back.tuned, np.ones((6, 48)))
    with pytest.raises(ValueError, match="fine-tuned channel holds 6 vectors"):
        next(train(back, character_vectors(), [Phrase(("a",), 1)]))
