"""train_digits as a generator: it learns, and pausing or stopping it loses nothing."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from explorer.core.training import load_digits, train_digits


@cache
def small_data():
    train, test = load_digits()
    return train.subset(slice(0, 800)), test.subset(slice(0, 300))


def short_run(**kwargs):
    train, test = small_data()
    settings = dict(seed=0, epochs=1, batch_size=32, train=train, test=test,
                    evaluations_per_epoch=2)
    settings.update(kwargs)
    return train_digits(**settings)


def test_a_short_training_learns_far_above_chance():
    steps = list(short_run(learning_rate=0.01))
    last = steps[-1]
    assert last.done and last.step == last.total_steps == 25
    assert last.test_accuracy > 0.6  # chance is 0.1
    _, test = small_data()
    right = 0
    for image, label in zip(test.images, test.labels, strict=True):  # one digit at a time
        right += int(last.model.predict(image[None])[0]) == int(label)
    assert right / len(test.labels) == pytest.approx(last.test_accuracy)
    assert np.mean([s.loss for s in steps[-5:]]) < 0.6 * np.mean([s.loss for s in steps[:5]])


def test_steps_say_where_they_are():
    steps = list(short_run(epochs=2))
    assert [s.step for s in steps] == list(range(1, 51))
    assert [s.epoch for s in steps] == [1] * 25 + [2] * 25
    assert steps[24].batch == steps[24].batches == 25
    evaluated = [s.step for s in steps if s.test_accuracy is not None]
    assert evaluated == [12, 25, 37, 50]  # twice an epoch, always at its end
    assert steps[-1].progress == 1.0 and steps[37].epoch_progress == pytest.approx(1 + 13 / 25)
    assert all(0 <= s.train_accuracy <= 1 for s in steps)
    seconds = [s.seconds for s in steps]
    assert seconds == sorted(seconds) and seconds[0] > 0


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    a, b, c = (list(short_run(seed=s)) for s in (5, 5, 6))
    np.testing.assert_allclose(a[-1].model.conv_weights(0), b[-1].model.conv_weights(0),
                               rtol=1e-5, atol=1e-6)
    assert not np.allclose(a[0].model.conv_weights(0), c[0].model.conv_weights(0))


def test_a_paused_run_continues_exactly_where_it_stopped():
    straight = list(short_run(seed=2))
    paused = short_run(seed=2)
    first = [next(paused) for _ in range(10)]
    # a pause is simply not asking for the next step: nothing moves meanwhile
    snapshot = first[-1].model.conv_weights(0).copy()
    rest = list(paused)
    np.testing.assert_array_equal(first[-1].model.conv_weights(0), snapshot)
    resumed = first + rest
    assert [s.step for s in resumed] == [s.step for s in straight]
    for x, y in zip(resumed, straight, strict=True):
        assert x.loss == pytest.approx(y.loss, rel=1e-5)
    np.testing.assert_allclose(resumed[-1].model.conv_weights(1),
                               straight[-1].model.conv_weights(1), rtol=1e-5, atol=1e-6)


def test_stopping_keeps_the_last_finished_step_s_model():
    run = short_run(seed=1)
    steps = [next(run) for _ in range(6)]
    kept = steps[-1].model
    as_yielded = {name: np.array(a, copy=True) for name, a in kept.params.items()}
    later = [next(run) for _ in range(3)]  # training goes on after the step was handed out
    run.close()  # what Stop does
    with pytest.raises(StopIteration):
        next(run)
    # its weights are its own: the steps after it changed the network, not this snapshot
    for name, a in kept.params.items():
        np.testing.assert_array_equal(a, as_yielded[name])
    assert not np.array_equal(later[-1].model.conv_weights(0), kept.conv_weights(0))
    assert not np.array_equal(kept.conv_weights(0), steps[-2].model.conv_weights(0))


@pytest.mark.parametrize("bad,match", [
    ({"epochs": 0}, "epochs"), ({"learning_rate": -0.1}, "learning rate"),
    ({"batch_size": 0}, "batch size"), ({"seed": -1}, "seed"), ({"epochs": 1.5}, "whole"),
    ({"learning_rate": float("nan")}, "learning rate"), ({"epochs": True}, "number"),
    ({"kernel_size": 13}, "too small"),
])
def test_settings_that_cannot_work_are_refused_before_any_step(bad, match):
    with pytest.raises(ValueError, match=match):
        short_run(**bad)


def test_the_default_first_layer_starts_small():
    plain = next(short_run(first_scale=1.0)).model.conv_weights(0)
    small = next(short_run()).model.conv_weights(0)
    assert small.std() < 0.3 * plain.std()
