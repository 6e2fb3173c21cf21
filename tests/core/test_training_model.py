"""The digit network as a whole: its gradient, its agreement with the explorer's engine, its
architecture summary, and the data it learns from."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.pipeline import run_stack
from explorer.core.training import DigitModel, architecture, load_digits
from explorer.core.training.data import stratified_split
from explorer.core.training.model import init_params
from explorer.core.training.trainer import loss_and_grads


def params64(seed=0, filters=(3, 4), kernel_size=5):
    p = init_params(np.random.default_rng(seed), filters, kernel_size, first_scale=1.0)
    return {k: v.astype(np.float64) for k, v in p.items()}


def test_the_whole_network_s_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    p = params64()
    for key in p:
        if key.endswith("bias"):
            p[key] = rng.normal(0, 0.1, p[key].shape)
    x = rng.random((3, 28, 28))
    labels = np.array([1, 7, 3])
    _, _, grads = loss_and_grads(p, x, labels, l2=0.01)
    for key, a in p.items():
        flat = a.reshape(-1)
        for i in rng.choice(flat.size, size=min(8, flat.size), replace=False):
            old = flat[i]
            flat[i] = old + 1e-6
            up = loss_and_grads(p, x, labels, 0.01)[0]
            flat[i] = old - 1e-6
            down = loss_and_grads(p, x, labels, 0.01)[0]
            flat[i] = old
            assert grads[key].reshape(-1)[i] == pytest.approx((up - down) / 2e-6,
                                                              rel=1e-4, abs=1e-8), (key, i)


def trained_looking_model(seed=3):
    """Random weights with non-zero biases, so the bias scaling matters."""
    rng = np.random.default_rng(seed)
    p = init_params(rng, (8, 16), 5, first_scale=1.0)
    for key in p:
        if key.endswith("bias"):
            p[key] = rng.normal(0, 0.2, p[key].shape).astype(np.float32)
    return DigitModel(p)


def test_the_explorer_engine_and_the_training_layers_agree():
    model = trained_looking_model()
    _, test = load_digits()
    images = test.images[:5]
    batch = model.probabilities(images)
    for image, expected in zip(images, batch, strict=True):
        stages, probabilities = model.stages(image)
        np.testing.assert_allclose(probabilities, expected, rtol=1e-4, atol=1e-5)
        assert [s.feature_maps.shape for s in stages] == [(24, 24, 8), (8, 8, 16)]
        assert [s.pooled.shape for s in stages] == [(12, 12, 8), (4, 4, 16)]


def test_the_stack_sees_pixels_0_to_255_with_its_biases_scaled():
    model = trained_looking_model()
    image = load_digits()[1].images[0]
    specs = model.stack()
    np.testing.assert_array_equal(specs[0].weights, model.conv_weights(0))
    np.testing.assert_allclose(specs[1].bias, 255 * model.conv_bias(1), rtol=1e-6)
    first = run_stack(image, specs)[0]
    # one output pixel by hand: the 5×5 window of raw pixels ⊙ kernel + 255 · bias
    window = image[3:8, 6:11].astype(np.float64)
    k = model.conv_weights(0)[2, :, :, 0]
    expected = (window * k).sum() + 255 * float(model.conv_bias(0)[2])
    assert first.pre_activation[3, 6, 2] == pytest.approx(expected, rel=1e-4, abs=1e-3)


def test_named_stack_offers_the_first_layer_or_all():
    model = trained_looking_model()
    whole, first = model.named_stack(), model.named_stack(1)
    assert len(whole.layers) == 2 and len(first.layers) == 1
    assert [len(n) for n in whole.filter_names] == [8, 16]
    assert first.filter_names[0][0] == "learned 1.1" and whole.title


def test_model_arrays_are_read_only_copies():
    p = init_params(np.random.default_rng(0))
    model = DigitModel(p)
    before = model.conv_weights(0).copy()
    p["conv1.weights"] += 1  # the caller's arrays are not the model's
    np.testing.assert_array_equal(model.conv_weights(0), before)
    with pytest.raises(ValueError):
        model.conv_weights(0)[0, 0, 0, 0] = 5.0
    with pytest.raises(ValueError, match="conv layers 0 to 1"):
        model.conv_weights(2)


def test_predict_reads_28_by_28_pictures_only():
    model = trained_looking_model()
    assert model.predict(np.zeros((28, 28), np.uint8)).shape == (1,)
    with pytest.raises(ValueError, match="28×28"):
        model.predict(np.zeros((3, 32, 32), np.uint8))
    with pytest.raises(ValueError, match="28×28"):
        model.stages(np.zeros((20, 20), np.uint8))


def test_architecture_rows_by_hand():
    rows = {r.name: r for r in architecture((8, 16), 5)}
    conv1, conv2, dense = rows["conv1 8@5×5"], rows["conv2 16@5×5"], rows["dense 10"]
    assert conv1.output == (24, 24, 8) and conv1.params == 8 * 25 + 8
    assert conv1.macs == 24 * 24 * 8 * 25
    assert conv2.output == (8, 8, 16) and conv2.params == 16 * (5 * 5 * 8) + 16
    assert conv2.macs == 8 * 8 * 16 * 5 * 5 * 8
    assert dense.params == 4 * 4 * 16 * 10 + 10 and dense.macs == 4 * 4 * 16 * 10
    assert [r.output for r in architecture((8, 16), 5) if r.name.startswith("pool")] == \
        [(12, 12, 8), (4, 4, 16)]
    with pytest.raises(ValueError, match="too small"):
        architecture((8, 16, 32), 5)


def test_the_split_is_stratified_fixed_and_disjoint():
    train, test = load_digits()
    assert len(train) == 4000 and len(test) == 1000
    assert np.bincount(test.labels).tolist() == [100] * 10
    assert np.bincount(train.labels).tolist() == [400] * 10
    again_train, _ = load_digits()
    np.testing.assert_array_equal(train.images, again_train.images)
    # no test digit is also a training digit (compare the pictures themselves)
    seen = {im.tobytes() for im in train.images}
    assert sum(im.tobytes() in seen for im in test.images) < 5  # MNIST has a few duplicates
    assert train.images.dtype == np.uint8 and train.images.shape[1:] == (28, 28)
    assert 0 < train.images.mean() < 60 and train.images.max() == 255  # white ink on black


def test_stratified_split_refuses_too_small_classes():
    with pytest.raises(ValueError, match="too few"):
        stratified_split(np.array([0, 0, 1]), test_per_class=1, seed=0)


def test_evaluation_counts_by_hand():
    from explorer.core.training import Digits, evaluate

    model = trained_looking_model()
    _, test = load_digits()
    digits = Digits(test.images[:60], test.labels[:60])
    result = evaluate(model, digits)
    predicted = model.predict(digits.images)
    counts = np.zeros((10, 10), int)
    for t, p in zip(digits.labels, predicted, strict=True):
        counts[t, p] += 1
    np.testing.assert_array_equal(result.confusion, counts)
    assert result.accuracy == pytest.approx(np.mean(predicted == digits.labels))
    wrong = [i for i in range(60) if predicted[i] != digits.labels[i]]
    assert result.mistakes().tolist() == wrong
    sevens = [i for i in wrong if digits.labels[i] == 7]
    assert result.mistakes(true=7).tolist() == sevens
