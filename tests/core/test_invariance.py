"""The translation study: what moves with the picture and what stays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explorer.core.invariance import moving_crop, similarity, translation_study
from explorer.core.pipeline import LayerSpec


def _correlation_loops(a, b) -> float:
    x = [float(v) for v in np.ravel(a)]
    y = [float(v) for v in np.ravel(b)]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((p - mx) * (q - my) for p, q in zip(x, y, strict=True))
    sxx = sum((p - mx) ** 2 for p in x)
    syy = sum((q - my) ** 2 for q in y)
    return sxy / math.sqrt(sxx * syy)


def test_similarity_is_the_correlation_of_the_two_outputs():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 6, 2)), rng.normal(size=(5, 6, 2))
    assert similarity(a, b) == pytest.approx(_correlation_loops(a, b))
    assert similarity(a, 3 * a + 1) == pytest.approx(1.0)
    assert similarity(a, np.zeros_like(a)) == 0.0
    with pytest.raises(ValueError):
        similarity(a, b[:2])


def test_the_crop_content_moves_right_by_the_shift():
    picture = np.arange(40 * 60, dtype=np.float32).reshape(40, 60)
    base = moving_crop(picture, 20, 0, 8)
    moved = moving_crop(picture, 20, 5, 8)
    np.testing.assert_array_equal(moved[:, 5:], base[:, :-5])


def _blobs(size: int = 200) -> np.ndarray:
    """A smooth picture: pooling and depth should make its maps change slowly."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:size, 0:size]
    picture = np.zeros((size, size))
    for _ in range(40):
        cy, cx, r = [*rng.uniform(0, size, 2).tolist(), rng.uniform(3, 10)]
        picture += np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r))
    return (picture / picture.max() * 255).astype(np.uint8)


def test_convolution_moves_with_the_picture_and_pooling_changes_less():
    rng = np.random.default_rng(1)
    layers = [LayerSpec(rng.normal(size=(4, 3, 3, 1)).astype(np.float32),
                        np.zeros(4, np.float32), padding="same", pool_mode="max"),
              LayerSpec(rng.normal(size=(4, 3, 3, 4)).astype(np.float32),
                        np.zeros(4, np.float32), padding="same", pool_mode="max")]
    study = translation_study(_blobs(), layers, max_shift=8, shown_shift=3, size=96)
    assert study.names[0] == "input pixels" and study.names[-1] == "dense (random weights)"
    for curve in study.curves.values():
        assert curve[0] == pytest.approx(1.0)
    # moved back, layer 1's maps match the unshifted ones (away from the crop's edge)
    assert np.nanmin(study.moved_back) > 0.95
    conv, pooled = study.curves["layer 1 conv"], study.curves["layer 1 pool"]
    deep = study.curves["layer 2 pool"]
    assert pooled[1] > conv[1]  # a one-pixel move: the pooled maps barely notice
    assert deep[2] > conv[2]
    assert study.before["layer 1 conv"].shape == (96, 96)
    np.testing.assert_array_equal(study.after["layer 1 conv"][:, 13:60],
                                  study.before["layer 1 conv"][:, 10:57])


def test_bad_settings_are_refused():
    layers = [LayerSpec(np.ones((1, 3, 3, 1), np.float32), np.zeros(1, np.float32))]
    with pytest.raises(ValueError):
        translation_study(_blobs(64), layers, max_shift=4, shown_shift=9)
    with pytest.raises(ValueError, match="no layers"):
        translation_study(_blobs(64), [], max_shift=4)
