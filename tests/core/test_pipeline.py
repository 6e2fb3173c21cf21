"""The pure layer pipeline: request in, feature maps and pooled maps out."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.activations import activation
from explorer.core.convolution import convolve
from explorer.core.pipeline import LayerSpec, Request, prepare_input, run_layer
from explorer.core.pooling import pool


def _spec(k=3, channels=3, n=2, **kw) -> LayerSpec:
    rng = np.random.default_rng(1)
    weights = rng.normal(size=(n, k, k, channels)).astype(np.float32)
    bias = np.arange(n, dtype=np.float32)
    return LayerSpec(weights=weights, bias=bias, **kw)


def test_run_layer_matches_the_core_functions_stage_by_stage():
    image = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    spec = _spec(padding="same", stride=(2, 2), activation="relu", pool_mode="max")
    result = run_layer(Request(7, image, spec))
    pre = convolve(image, spec.weights, bias=spec.bias, padding="same", stride=2)
    np.testing.assert_allclose(result.pre_activation, pre, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(result.feature_maps, np.maximum(pre, 0), rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(result.pooled, pool(np.maximum(pre, 0), 2), rtol=1e-5, atol=1e-3)
    assert result.generation == 7
    assert result.feature_maps.shape == (10, 15, 2)
    assert result.pooled.shape == (5, 7, 2)
    assert set(result.timings_ms) == {"input", "convolution", "activation", "pooling", "display"}
    assert result.display is None


def test_without_pooling_there_are_no_pooled_maps():
    image = np.zeros((8, 8), np.uint8)
    result = run_layer(Request(1, image, _spec(channels=1, pool_mode="none")))
    assert result.pooled is None
    assert result.feature_maps.shape == (6, 6, 2)


def test_activation_keeps_the_pre_activation_intact():
    image = np.random.default_rng(3).normal(size=(9, 9)).astype(np.float32)
    result = run_layer(Request(1, image, _spec(channels=1, activation="tanh", pool_mode="none")))
    np.testing.assert_allclose(result.feature_maps, activation("tanh")(result.pre_activation))
    assert (result.pre_activation < 0).any()


def test_prepare_input_converts_channels():
    rgb = np.full((4, 5, 3), (255, 0, 0), np.uint8)
    gray = prepare_input(rgb, 1)
    assert gray.shape == (4, 5, 1) and gray.dtype == np.float32
    assert prepare_input(rgb, 3).shape == (4, 5, 3)
    assert np.allclose(gray, 0.299 * 255, atol=1e-3)
    assert prepare_input(np.zeros((4, 5), np.uint8), 3).shape == (4, 5, 3)
    with pytest.raises(ValueError, match="2-D or 3-D"):
        prepare_input(np.zeros((2, 2, 2, 2)), 3)


def test_impossible_layers_raise_a_clear_value_error():
    image = np.zeros((4, 4), np.uint8)
    with pytest.raises(ValueError, match="larger"):
        run_layer(Request(1, image, _spec(k=7, channels=1, padding="valid")))


def test_display_planes_are_block_means_for_the_tiles():
    image = np.random.default_rng(4).integers(0, 256, (64, 96, 3), dtype=np.uint8)
    request = Request(1, image, _spec(padding="same"), display_tiles=((16, 24), (8, 12)))
    result = run_layer(request)
    fm = result.feature_maps
    assert result.display.factor == 4 and result.display.full_shape == (64, 96)
    expected = fm[:, :, 1].reshape(16, 4, 24, 4).mean(axis=(1, 3))
    np.testing.assert_allclose(result.display.planes[1], expected, rtol=1e-5, atol=1e-3)
    assert result.pooled_display.factor == 4
    assert result.pooled_display.planes[0].shape == (8, 12)



def test_the_worker_scales_and_grays_the_source_picture():
    image = np.random.default_rng(5).integers(0, 256, (100, 200, 3), dtype=np.uint8)
    spec = _spec(channels=1, pool_mode="none")
    result = run_layer(Request(1, image, spec, max_side=50, grayscale=True))
    assert result.image.shape == (25, 50)
    assert result.feature_maps.shape == (23, 48, 2)
    assert result.request.image is image  # the source stays untouched


def test_the_worker_colours_the_display_planes_with_the_panel_levels():
    from explorer.core.display import MapStyle
    from explorer.core.levels import colorize, map_levels

    image = np.random.default_rng(6).integers(0, 256, (64, 96, 3), dtype=np.uint8)
    grey = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    style = MapStyle("shared", 1.0, grey[::-1].copy(), grey)
    spec = _spec(padding="same", activation="identity")
    result = run_layer(Request(1, image, spec, display_tiles=((16, 24), (8, 12)), style=style))
    expected = map_levels(result.display.planes, "shared", 1.0)
    np.testing.assert_allclose(result.levels.levels, expected.levels)
    assert result.levels.signed  # identity keeps the negative responses: the signed table
    for k, plane in enumerate(result.display.planes):
        lo, hi = result.levels.levels[k]
        np.testing.assert_array_equal(result.display.rgb[k],
                                      colorize(plane, (lo, hi), style.signed_lut))
    assert len(result.pooled_display.rgb) == 2
