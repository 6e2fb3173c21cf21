"""The perceptron beside the CNN: its forward pass against plain loops, its gradients against
finite differences, its answers, its weight pictures and its parameter count."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from explorer.core.training import DigitMLP, load_digits, mlp_architecture, saliency_map
from explorer.core.training.mlp import check_mlp_params, init_mlp_params
from explorer.core.training.shuffle import pixel_order
from explorer.core.training.trainer import loss_and_grads


def random_mlp(seed=0, hidden=7, dtype=np.float64):
    """Small random weights with non-zero biases: every part of the formula matters."""
    rng = np.random.default_rng(seed)
    p = init_mlp_params(rng, hidden)
    p["hidden.bias"] = rng.normal(0, 0.3, hidden)
    p["dense.bias"] = rng.normal(0, 0.3, 10)
    return {k: v.astype(dtype) for k, v in p.items()}


def logits_by_loops(p, picture):
    """One (28, 28) picture of 0…1, unit by unit, weight by weight."""
    pixels = [picture[r, c] for r in range(28) for c in range(28)]  # reading order
    hidden = []
    for j in range(p["hidden.bias"].shape[0]):
        total = p["hidden.bias"][j]
        for i, value in enumerate(pixels):
            total += p["hidden.weights"][i, j] * value
        hidden.append(max(total, 0.0))
    out = []
    for c in range(10):
        total = p["dense.bias"][c]
        for j, a in enumerate(hidden):
            total += p["dense.weights"][j, c] * a
        out.append(total)
    return np.array(out)


def test_the_forward_pass_matches_plain_loops():
    p = random_mlp()
    model = DigitMLP(p)
    images = load_digits()[1].images[:3]
    found = model.logits(images)
    for image, row in zip(images, found, strict=True):
        np.testing.assert_allclose(row, logits_by_loops(p, image / 255.0), rtol=1e-4, atol=1e-4)
    assert list(model.predict(images)) == [int(np.argmax(logits_by_loops(p, im / 255.0)))
                                           for im in images]


def cross_entropy_by_loops(p, pictures, labels, l2):
    total = 0.0
    for picture, label in zip(pictures, labels, strict=True):
        z = logits_by_loops(p, picture)
        total += np.log(np.sum(np.exp(z - z.max()))) + z.max() - z[label]
    return total / len(labels) + 0.5 * l2 * float(np.sum(p["hidden.weights"] ** 2))


def test_every_weight_s_gradient_matches_finite_differences_of_the_loops():
    p = random_mlp(seed=1, hidden=5)
    rng = np.random.default_rng(2)
    x = rng.random((3, 28, 28))
    labels = np.array([4, 0, 9])
    loss, _, grads = loss_and_grads(p, x, labels, l2=0.01)
    assert loss == pytest.approx(cross_entropy_by_loops(p, x, labels, 0.01), rel=1e-9)
    for key, a in p.items():
        flat = a.reshape(-1)
        for i in rng.choice(flat.size, size=min(6, flat.size), replace=False):
            old = flat[i]
            flat[i] = old + 1e-6
            up = cross_entropy_by_loops(p, x, labels, 0.01)
            flat[i] = old - 1e-6
            down = cross_entropy_by_loops(p, x, labels, 0.01)
            flat[i] = old
            assert grads[key].reshape(-1)[i] == pytest.approx((up - down) / 2e-6, rel=1e-4,
                                                              abs=1e-8), (key, i)


@pytest.mark.parametrize("shuffled", [False, True])
def test_the_saliency_map_is_the_gradient_of_the_class_score_per_grey_level(shuffled):
    p = random_mlp(seed=3, hidden=6)
    order = pixel_order() if shuffled else None
    model = DigitMLP(p, order)
    image = load_digits()[1].images[5].astype(np.float64)
    found = saliency_map(model, image, digit=2)
    seen = image.reshape(-1)[order].reshape(28, 28) if shuffled else image  # as trained
    rng = np.random.default_rng(0)
    for r, c in [tuple(rng.integers(0, 28, 2)) for _ in range(12)] + [(14, 14)]:
        # the pixel (r, c) of the picture given: where the network sees it
        where = int(np.flatnonzero(order == r * 28 + c)[0]) if shuffled else r * 28 + c
        up, down = seen.copy(), seen.copy()
        up.reshape(-1)[where] += 1e-3
        down.reshape(-1)[where] -= 1e-3
        expected = (logits_by_loops(p, up / 255.0)[2]
                    - logits_by_loops(p, down / 255.0)[2]) / 2e-3
        assert found.gradient[r, c] == pytest.approx(expected, rel=1e-3, abs=1e-7), (r, c)


def test_its_parameters_counted_by_hand():
    rows = mlp_architecture(100)
    assert [(r.name, r.output, r.params, r.macs) for r in rows] == [
        ("dense 100", (100,), 784 * 100 + 100, 784 * 100),
        ("ReLU", (100,), 0, 0),
        ("dense 10", (10,), 100 * 10 + 10, 100 * 10),
    ]
    assert DigitMLP(random_mlp(hidden=100)).parameter_count() == 79_510


def test_its_weight_pictures_are_each_unit_s_weights_at_their_pixels():
    p = random_mlp(hidden=4)
    pictures = DigitMLP(p).weight_pictures()
    assert pictures.shape == (4, 28, 28)
    assert pictures[2, 3, 5] == np.float32(p["hidden.weights"][3 * 28 + 5, 2])
    # trained on shuffled pixels, each weight is shown where its pixel is in the digit
    order = pixel_order()
    shown = DigitMLP(p, order).weight_pictures()
    for i in (0, 100, 783):  # shuffled input i is pixel order[i] of the digit
        r, c = divmod(int(order[i]), 28)
        assert shown[1, r, c] == np.float32(p["hidden.weights"][i, 1])


def test_a_frozen_perceptron_is_read_only_and_pickles_with_its_pixel_order():
    model = DigitMLP(random_mlp(), pixel_order())
    with pytest.raises(ValueError):
        model.params["dense.bias"][0] = 1.0
    copy = pickle.loads(pickle.dumps(model))
    images = load_digits()[1].images[:20]
    np.testing.assert_array_equal(copy.predict(images), model.predict(images))
    np.testing.assert_array_equal(copy.pixel_order, pixel_order())


@pytest.mark.parametrize(("change", "match"), [
    (lambda p: p.pop("dense.bias"), "missing"),
    (lambda p: p.update({"conv1.weights": np.zeros((8, 5, 5, 1))}), "unknown weights"),
    (lambda p: p.update({"hidden.weights": np.zeros((100, 7))}), "784"),
    (lambda p: p.update({"dense.weights": np.zeros((8, 10))}), "7 hidden units"),
    (lambda p: p.update({"hidden.bias": np.full(7, np.nan)}), "NaN"),
])
def test_weights_that_do_not_fit_are_refused(change, match):
    p = random_mlp()
    change(p)
    with pytest.raises(ValueError, match=match):
        check_mlp_params(p)


def test_a_pixel_order_that_is_not_a_permutation_is_refused():
    broken = np.array(pixel_order())
    broken[0] = broken[1]
    with pytest.raises(ValueError, match="once"):
        DigitMLP(random_mlp(), broken)
    with pytest.raises(ValueError, match="784"):
        DigitMLP(random_mlp(), np.arange(10))
