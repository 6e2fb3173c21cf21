"""Shuffled pixels: one fixed permutation, applied alike to every training and test digit; a
network trained on them reads plain pictures by shuffling them itself; MLP against CNN."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from explorer.core.training import (
    RUNS,
    DigitModel,
    Digits,
    compare_networks,
    load_digits,
    pixel_order,
    shuffle_pixels,
    table,
    train_digits,
    unshuffle_pixels,
)


@cache
def small_data():
    train, test = load_digits()
    return train.subset(slice(0, 300)), test.subset(slice(0, 120))


def shuffled_by_loops(images, order):
    """Each picture's pixel i (in reading order) taken from pixel order[i], one at a time."""
    out = np.zeros_like(images)
    for n in range(len(images)):
        for i in range(784):
            out[n, i // 28, i % 28] = images[n, order[i] // 28, order[i] % 28]
    return out


def test_the_pixel_order_is_one_fixed_permutation_of_784_positions():
    order = pixel_order()
    assert sorted(order.tolist()) == list(range(784))
    np.testing.assert_array_equal(order, pixel_order())  # the same every time
    assert np.count_nonzero(order == np.arange(784)) < 10  # really moves the pixels


def test_shuffling_moves_every_pixel_as_the_order_says_and_unshuffling_undoes_it():
    images = load_digits()[1].images[:4]
    order = pixel_order()
    shuffled = shuffle_pixels(images, order)
    np.testing.assert_array_equal(shuffled, shuffled_by_loops(images, order))
    np.testing.assert_array_equal(unshuffle_pixels(shuffled, order), images)
    np.testing.assert_array_equal(shuffle_pixels(images[0], order), shuffled[0])
    assert sorted(shuffled[0].ravel().tolist()) == sorted(images[0].ravel().tolist())


def test_training_on_shuffled_pixels_shuffles_train_and_test_digits_alike():
    """shuffled=True equals training on digits shuffled by the test's own loops, both the
    training and the test digits: the weights of every step and every test accuracy."""
    train, test = small_data()
    order = pixel_order()
    by_hand = dict(train=Digits(shuffled_by_loops(train.images, order), train.labels),
                   test=Digits(shuffled_by_loops(test.images, order), test.labels))
    for model in ("mlp", "cnn"):
        settings = dict(seed=2, epochs=1, model=model, evaluations_per_epoch=3)
        shuffled = list(train_digits(**settings, shuffled=True, train=train, test=test))
        reference = list(train_digits(**settings, **by_hand))
        assert len(shuffled) == len(reference) == 10
        for a, b in zip(shuffled, reference, strict=True):
            assert a.test_accuracy == b.test_accuracy and a.loss == b.loss
            for key, w in b.model.params.items():
                np.testing.assert_array_equal(a.model.params[key], w)
        last = shuffled[-1].model
        assert last.shuffled and not reference[-1].model.shuffled
        # the shuffled network reads plain digits as its twin reads shuffled ones
        np.testing.assert_array_equal(last.logits(test.images),
                                      reference[-1].model.logits(by_hand["test"].images))


def test_a_cnn_trained_on_shuffled_pixels_shows_its_maps_of_the_shuffled_picture():
    train, test = small_data()
    *_, last = train_digits(seed=0, epochs=1, shuffled=True, train=train, test=test)
    model = last.model
    image = test.images[3]
    stages, probabilities = model.stages(image)
    plain_twin = DigitModel(model.params)
    twin_stages, twin_probabilities = plain_twin.stages(shuffled_by_loops(image[None],
                                                                          pixel_order())[0])
    np.testing.assert_allclose(stages[0].feature_maps, twin_stages[0].feature_maps)
    np.testing.assert_allclose(probabilities, twin_probabilities, rtol=1e-6)
    np.testing.assert_array_equal(model.seen(image), shuffled_by_loops(image[None],
                                                                       pixel_order())[0])


def test_the_mlp_learns_the_digits_plain_or_shuffled_alike():
    """The default perceptron on the 4,000 digits, tested on the 1,000: above 90 %, and on
    shuffled pixels within 2 points of that."""
    accuracy = {}
    for shuffled in (False, True):
        *_, last = train_digits(seed=0, model="mlp", shuffled=shuffled)
        test = load_digits()[1]
        assert len(test) == 1000
        accuracy[shuffled] = float(np.mean(last.model.predict(test.images) == test.labels))
        assert accuracy[shuffled] == last.test_accuracy
    assert accuracy[False] >= 0.90
    assert abs(accuracy[True] - accuracy[False]) <= 0.02


def test_the_experiment_trains_the_four_networks_and_tables_them():
    train, test = small_data()
    steps = list(compare_networks(seed=1, epochs=1, learning_rate=0.01, train=train,
                                  test=test, evaluations_per_epoch=2))
    assert len(steps) == 4 * 10 and steps[-1].done and steps[-1].progress == 1.0
    assert [(s.model, s.shuffled) for s in steps[::10]] == list(RUNS)
    results = steps[-1].results
    for (model, shuffled), result in zip(RUNS, results, strict=True):
        *_, alone = train_digits(seed=1, epochs=1, learning_rate=0.01, model=model,
                                 shuffled=shuffled, train=train, test=test)
        assert (result.model, result.shuffled) == (model, shuffled)
        assert result.accuracy == alone.test_accuracy
        assert result.parameters == alone.model.parameter_count()
    rows = {row.model: row for row in table(results)}
    assert (rows["mlp"].parameters, rows["cnn"].parameters) == (79_510, 5_994)
    mlp = {r.shuffled: r.accuracy for r in results if r.model == "mlp"}
    assert rows["mlp"].plain == mlp[False] and rows["mlp"].shuffled == mlp[True]
    assert rows["mlp"].change == pytest.approx(100 * (mlp[True] - mlp[False]))
    # before a run ends, its cells are empty
    half = table(steps[15].results)
    assert half[0].plain is not None and half[0].shuffled is None and half[0].change is None
    assert half[1].plain is None


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"model": "rnn"}, "one of cnn, mlp"),
    ({"shuffled": "yes"}, "true or false"),
    ({"model": "mlp", "hidden": 0}, "hidden layer"),
])
def test_settings_that_cannot_work_are_refused_before_any_step(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_digits(**kwargs)
