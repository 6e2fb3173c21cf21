"""The translation study: what moves with the picture and what stays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explorer.core.invariance import (
    feature_similarity,
    moving_crop,
    similarity,
    translation_study,
)
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
    assert study.before["layer 1 conv"].shape == (94, 94)  # a 3×3 kernel: 1 unit cut a side
    np.testing.assert_array_equal(study.after["layer 1 conv"][:, 13:60],
                                  study.before["layer 1 conv"][:, 10:57])


def test_bad_settings_are_refused():
    layers = [LayerSpec(np.ones((1, 3, 3, 1), np.float32), np.zeros(1, np.float32))]
    with pytest.raises(ValueError):
        translation_study(_blobs(64), layers, max_shift=4, shown_shift=9)
    with pytest.raises(ValueError, match="no layers"):
        translation_study(_blobs(64), [], max_shift=4)


# --- the truth about padding: brute force, written here -----------------------------------------

def _conv_same_loops(x: np.ndarray, k: np.ndarray, mode: str) -> np.ndarray:
    """A 'same' cross-correlation of a 2-D picture by plain loops, zeros or reflected borders."""
    h, w = x.shape
    r = k.shape[0] // 2

    def at(i: int, j: int) -> float:
        if mode == "reflect":  # …c b | a b c… (the edge pixel not repeated)
            i = -i if i < 0 else (2 * (h - 1) - i if i >= h else i)
            j = -j if j < 0 else (2 * (w - 1) - j if j >= w else j)
        elif not (0 <= i < h and 0 <= j < w):
            return 0.0
        return float(x[i, j])

    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            out[i, j] = sum(k[a + r, b + r] * at(i + a, j + b)
                            for a in range(-r, r + 1) for b in range(-r, r + 1))
    return out


@pytest.mark.parametrize("mode", ["zeros", "reflect"])
def test_moved_back_a_same_padded_layer_matches_exactly(mode):
    picture = _blobs(120)
    kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32)
    layer = LayerSpec(kernel[None, :, :, None], np.zeros(1, np.float32), padding="same",
                      pad_mode=mode, activation="identity", pool_mode="none")
    size, top = 40, 6
    study = translation_study(picture, [layer], max_shift=top, shown_shift=2, size=size)
    base = _conv_same_loops(moving_crop(picture, size, 0, top).astype(float), kernel, mode)
    for s in range(top + 1):
        moved = _conv_same_loops(moving_crop(picture, size, s, top).astype(float), kernel, mode)
        # away from the padding (one unit at each edge for a 3×3 kernel), moved back by s
        expected = _correlation_loops(base[1:-1, 1:size - 1 - s], moved[1:-1, 1 + s:size - 1])
        assert study.moved_back[s] == pytest.approx(expected, abs=1e-6)
        assert study.moved_back[s] >= 0.99
    assert study.margins["layer 1 conv"] == 1


def test_the_lecture_stack_moved_back_is_one_at_every_shift_its_jump_allows():
    rng = np.random.default_rng(2)
    lecture = [LayerSpec(rng.normal(size=(3, 3, 3, 1)).astype(np.float32),
                         np.zeros(3, np.float32), padding="same"),
               LayerSpec(rng.normal(size=(3, 3, 3, 3)).astype(np.float32),
                         np.zeros(3, np.float32), padding="same")]
    study = translation_study(_blobs(), lecture, max_shift=8, shown_shift=2, size=64)
    assert np.nanmin(study.moved_back) >= 0.99 and not np.isnan(study.moved_back).any()
    for name, jump in (("layer 1 pool", 2), ("layer 2 conv", 2), ("layer 2 pool", 4)):
        curve = study.moved_back_curves[name]
        assert np.isnan(curve[1::2]).all() if jump == 2 else np.isnan(curve[[1, 2, 3]]).all()
        assert (curve[::jump] >= 0.99).all(), name


def test_the_dense_layer_has_no_moved_back_curve_and_follows_the_pixels():
    layers = [LayerSpec(np.ones((1, 3, 3, 1), np.float32) / 9, np.zeros(1, np.float32),
                        padding="same")]
    study = translation_study(_blobs(), layers, max_shift=8, shown_shift=2, size=64)
    assert "dense (random weights)" not in study.moved_back_curves
    dense, pixels = study.curves["dense (random weights)"], study.curves["input pixels"]
    assert np.abs(dense - pixels).max() < 0.15  # a random projection keeps correlations


def test_a_stack_wider_than_the_crop_is_refused():
    wide = LayerSpec(np.ones((1, 15, 15, 1), np.float32), np.zeros(1, np.float32),
                     padding="same", dilation=(8, 8))
    with pytest.raises(ValueError, match="receptive field is wider"):
        translation_study(_blobs(), [wide], max_shift=4, size=64)


def test_feature_similarity_is_the_mean_of_each_channels_correlation():
    rng = np.random.default_rng(5)
    a = rng.normal(size=(6, 7, 3))
    b = a + rng.normal(scale=[0.1, 1.0, 3.0], size=(6, 7, 3))  # channels alike to a degree
    a[:, :, 2] = b[:, :, 2] = 0.0  # a unit that never fires, in both: left out
    expected = (_correlation_loops(a[:, :, 0], b[:, :, 0])
                + _correlation_loops(a[:, :, 1], b[:, :, 1])) / 2
    assert feature_similarity(a, b) == pytest.approx(expected)
    assert feature_similarity(a, np.zeros_like(a)) == 0.0  # the dead channel: correlation 0
