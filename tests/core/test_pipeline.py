"""The pure stack pipeline: every stage against plain loops; caches; the render step."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.computer import StackComputer, StackRequest
from explorer.core.display import MapStyle, rgb_view, screen_pixels
from explorer.core.pipeline import BufferPool, LayerSpec, prepare_input, run_stack
from explorer.core.render import RenderRequest, mosaic
from tests.reference import activation_loops, conv_loops, pool_loops

PADDINGS = ("valid", "same", "full", "custom")
PAD_MODES = ("zeros", "reflect", "replicate", "circular")
POOLS = ("none", "max", "avg")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "identity", "abs")


def _random_stack(rng: np.random.Generator, channels: int) -> list[LayerSpec]:
    """2 or 3 random stages: every padding, pad mode, stride, dilation, flip and pooling."""
    specs = []
    for _ in range(int(rng.integers(2, 4))):
        k = int(rng.integers(1, 5))
        s, d = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        padding: object = str(rng.choice(PADDINGS))
        if padding == "custom":
            padding = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
        n = int(rng.integers(1, 4))
        weights = rng.normal(size=(n, k, k, channels)).astype(np.float32)
        bias = rng.normal(size=n).astype(np.float32)
        specs.append(LayerSpec(weights, bias, (s, s), padding, str(rng.choice(PAD_MODES)),
                               (d, d), bool(rng.integers(2)), str(rng.choice(ACTIVATIONS)),
                               str(rng.choice(POOLS)), int(rng.integers(1, 3)),
                               int(rng.integers(1, 3))))
        channels = n
    return specs


def _reference(picture: np.ndarray, specs: list[LayerSpec]) -> list[tuple]:
    x = np.asarray(picture, np.float64)
    out = []
    for spec in specs:
        pre = conv_loops(x, spec.weights, spec.bias, spec.stride, spec.padding, spec.pad_mode,
                         spec.dilation, spec.flip)
        maps = activation_loops(pre, spec.activation)
        pooled = None
        if spec.pool_mode != "none":
            pooled = pool_loops(maps, spec.pool_size, spec.pool_stride, spec.pool_mode)
        out.append((maps, pooled))
        x = pooled if pooled is not None else maps
    return out


def test_random_stacks_match_plain_loops_stage_by_stage():
    rng = np.random.default_rng(2024)
    checked = refused = 0
    while checked < 40:
        size = (int(rng.integers(6, 13)), int(rng.integers(6, 13)))
        channels = int(rng.choice([1, 3]))
        specs = _random_stack(rng, channels)
        picture = rng.integers(0, 256, (*size, channels), dtype=np.uint8)
        if channels == 1:
            picture = picture[:, :, 0]
        try:
            stages = run_stack(picture, specs)
        except ValueError as exc:  # a stage left nothing to compute on: said, not crashed
            assert "layer" in str(exc)
            refused += 1
            continue
        for stage, (maps, pooled) in zip(stages, _reference(picture, specs), strict=True):
            tol = 1e-4 * max(1.0, float(np.abs(maps).max()))
            np.testing.assert_allclose(stage.feature_maps, maps, rtol=1e-4, atol=tol)
            if pooled is None:
                assert stage.pooled is None
            else:
                np.testing.assert_allclose(stage.pooled, pooled, rtol=1e-4, atol=tol)
        checked += 1
    assert refused < checked


@pytest.mark.parametrize("threads", ["one thread", "every thread"])
def test_live_frames_match_plain_loops_stage_by_stage(threads, monkeypatch):
    """Live frames go another way: borrowed buffers, and each map activated and pooled on the
    thread that made it. Small pictures are shared out between threads too when asked."""
    import explorer.core.convolution as engine

    if threads == "every thread":
        monkeypatch.setattr(engine, "_PARALLEL_MIN_WORK", 1)
    rng = np.random.default_rng(77)
    buffers = BufferPool()
    checked = 0
    while checked < 25:
        size = (int(rng.integers(6, 15)), int(rng.integers(6, 15)))
        specs = _random_stack(rng, 3)
        if checked % 3 == 0:  # the live default too: 'same' padding, stride 1, many maps
            specs[0] = LayerSpec(rng.normal(size=(5, 3, 3, 3)).astype(np.float32),
                                 rng.normal(size=5).astype(np.float32), padding="same",
                                 activation=str(rng.choice(ACTIVATIONS)),
                                 pool_mode=str(rng.choice(POOLS)))
            if specs[1].channels != 5:
                specs = specs[:1]
        picture = rng.integers(0, 256, (*size, 3), dtype=np.uint8)
        try:
            stages = run_stack(picture, specs, buffers)
        except ValueError:
            continue
        for stage, (maps, pooled) in zip(stages, _reference(picture, specs), strict=True):
            tol = 1e-4 * max(1.0, float(np.abs(maps).max()))
            np.testing.assert_allclose(stage.feature_maps, maps, rtol=1e-4, atol=tol)
            if pooled is None:
                assert stage.pooled is None
            else:
                np.testing.assert_allclose(stage.pooled, pooled, rtol=1e-4, atol=tol)
        for stage in stages:
            buffers.release(stage.borrowed)
        checked += 1


@pytest.mark.parametrize("pooling", [(2, 2), (3, 2), (2, 3), (3, 3), (1, 1)])
@pytest.mark.parametrize("layer", ["stride 2", "one filter", "circular", "valid",
                                   "whole maps"])
def test_live_frames_made_in_thin_bands_match_plain_loops(layer, pooling, monkeypatch):
    """Every way the engine splits a live layer between threads (thin bands of rows, or
    whole maps each), then activated and pooled into borrowed buffers, pooling windows that
    overlap, leave gaps or tile the map."""
    import explorer.core.convolution as engine

    monkeypatch.setattr(engine, "_PARALLEL_MIN_WORK", 1)
    monkeypatch.setattr(engine, "_BAND_BYTES", 1)  # as many bands as the rows allow
    rng = np.random.default_rng(5)
    n, stride, padding, pad_mode = 4, 1, "same", "zeros"
    if layer == "stride 2":
        stride = 2
    elif layer == "one filter":
        n = 1
    elif layer == "circular":
        pad_mode = "circular"
    elif layer == "valid":
        padding = "valid"
    spec = LayerSpec(rng.normal(size=(n, 3, 3, 3)).astype(np.float32),
                     rng.normal(size=n).astype(np.float32), (stride, stride), padding,
                     pad_mode, activation="leaky_relu", pool_mode="max",
                     pool_size=pooling[0], pool_stride=pooling[1])
    picture = rng.integers(0, 256, (61, 47, 3), dtype=np.uint8)
    buffers = BufferPool()
    for _ in range(2):  # the second frame into the first frame's buffers
        (stage,) = run_stack(picture, [spec], buffers)
        ((maps, pooled),) = _reference(picture, [spec])
        np.testing.assert_allclose(stage.feature_maps, maps, rtol=1e-4, atol=1e-2)
        np.testing.assert_allclose(stage.pooled, pooled, rtol=1e-4, atol=1e-2)
        buffers.release(stage.borrowed)


def test_a_stage_that_does_not_fit_names_its_layer():
    rng = np.random.default_rng(0)
    first = LayerSpec(rng.normal(size=(2, 3, 3, 1)).astype(np.float32), np.zeros(2, np.float32),
                      padding="valid")
    second = LayerSpec(rng.normal(size=(2, 7, 7, 2)).astype(np.float32),
                       np.zeros(2, np.float32), padding="valid")
    with pytest.raises(ValueError, match=r"layer 2: .*larger"):
        run_stack(np.zeros((12, 12), np.uint8), [first, second])
    with pytest.raises(ValueError, match="no layers"):
        run_stack(np.zeros((12, 12), np.uint8), [])


def test_prepare_input_converts_channels():
    rgb = np.full((4, 5, 3), (255, 0, 0), np.uint8)
    gray = prepare_input(rgb, 1)
    assert gray.shape == (4, 5, 1) and gray.dtype == np.float32
    assert prepare_input(rgb, 3).shape == (4, 5, 3)
    assert np.allclose(gray, 0.299 * 255, atol=1e-3)
    assert prepare_input(np.zeros((4, 5), np.uint8), 3).shape == (4, 5, 3)
    with pytest.raises(ValueError, match="2-D or 3-D"):
        prepare_input(np.zeros((2, 2, 2, 2)), 3)


# --- the computer's caches ------------------------------------------------------------------
def _spec(channels: int = 3, n: int = 2, **kw) -> LayerSpec:
    rng = np.random.default_rng(1)
    return LayerSpec(rng.normal(size=(n, 3, 3, channels)).astype(np.float32),
                     np.arange(n, dtype=np.float32), **kw)


def test_an_edit_reuses_the_scaled_picture_and_a_display_change_reuses_the_maps():
    photo = np.random.default_rng(2).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    computer = StackComputer()
    first = computer.compute(StackRequest(1, photo, (_spec(),), source_key=1, stack_key=1,
                                          max_side=100))
    edited = computer.compute(StackRequest(2, photo, (_spec(n=3),), source_key=1, stack_key=2,
                                           max_side=100))
    assert edited.picture is first.picture  # not scaled again
    assert edited.stages[0].feature_maps.shape[2] == 3
    again = computer.compute(StackRequest(3, photo, (_spec(n=3),), source_key=1, stack_key=2,
                                          max_side=100))
    assert again.stages is edited.stages  # same picture, same stack: only rendered again
    other = computer.compute(StackRequest(4, photo, (_spec(n=3),), source_key=2, stack_key=2,
                                          max_side=100))
    assert other.stages is not edited.stages
    assert first.picture.shape == (75, 100, 3) and photo.shape == (300, 400, 3)


def test_live_frames_are_never_cached_and_borrow_buffers():
    frame = np.random.default_rng(3).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    computer = StackComputer()
    spec = _spec(pool_mode="max")
    one = computer.compute(StackRequest(1, frame, (spec, _spec(2)), source_key=("live", 1),
                                        stack_key=1, live=True))
    assert len(one.buffers) == 4  # feature and pooled maps of two stages
    computer.buffers.release(one.buffers)
    two = computer.compute(StackRequest(2, frame, (spec, _spec(2)), source_key=("live", 1),
                                        stack_key=1, live=True))
    assert two.stages is not one.stages
    assert any(np.shares_memory(a, b) for a in one.buffers for b in two.buffers)


# --- the render step ------------------------------------------------------------------------
GREY = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)


def _colour_reference(plane: np.ndarray, lo: float, hi: float, lut: np.ndarray) -> np.ndarray:
    index = np.clip(np.round((plane.astype(np.float64) - lo) / (hi - lo) * 255), 0, 255)
    return lut[index.astype(int)]


def test_render_shrinks_by_block_means_and_colours_with_the_levels():
    image = np.random.default_rng(4).integers(0, 256, (64, 96, 3), dtype=np.uint8)
    style = MapStyle("shared", 1.0, GREY[::-1].copy(), GREY)
    spec = _spec(padding="same", activation="identity")
    render = RenderRequest(style, 0, (16, 24), (8, 12))
    result = StackComputer().compute(StackRequest(1, image, (spec,), render=render))
    large = result.display.large
    fm = result.stages[0].feature_maps
    assert large.feature.factor == 4 and large.feature.full_shape == (64, 96)
    expected = fm[:, :, 1].reshape(16, 4, 24, 4).mean(axis=(1, 3))
    np.testing.assert_allclose(large.feature.planes[1], expected, rtol=1e-5, atol=1e-3)
    assert large.levels.signed  # identity keeps negative responses: the signed table
    lo, hi = large.levels.levels[0]
    assert lo == -hi and np.all(large.levels.levels == large.levels.levels[0])  # shared
    for k, plane in enumerate(large.feature.planes):
        got = large.feature.rgb[k].astype(int)
        want = _colour_reference(plane, lo, hi, style.signed_lut).astype(int)
        assert np.abs(got - want).max() <= 1  # rounding at a level's edge
    assert large.pooled.planes[0].shape == (8, 12)


def test_colour_levels_do_not_depend_on_the_size_maps_are_shown_at():
    image = np.random.default_rng(5).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    style = MapStyle("shared", 1.0, GREY, GREY)
    spec = _spec(padding="same")
    levels = []
    for tile in ((240, 320), (60, 80), (20, 26)):
        result = StackComputer().compute(StackRequest(
            1, image, (spec,), render=RenderRequest(style, 0, tile, tile)))
        levels.append(result.display.large.levels.levels)
    np.testing.assert_allclose(levels[0], levels[1])
    np.testing.assert_allclose(levels[0], levels[2])


def test_the_strip_shows_every_stage_output_side_by_side():
    image = np.random.default_rng(6).integers(0, 256, (96, 96, 3), dtype=np.uint8)
    style = MapStyle("per_map", 1.0, GREY, GREY)
    specs = (_spec(n=3, padding="same"), _spec(channels=3, n=2, padding="same"))
    render = RenderRequest(style, 1, None, None, ((12, 12), (8, 8)))
    result = StackComputer().compute(StackRequest(1, image, specs, render=render))
    strip = result.display.strip
    assert [s.index for s in strip] == [0, 1]
    assert strip[0].feature.full_shape == (48, 48)  # the pooled output of stage 1
    assert strip[0].mosaic.shape == (12, 3 * 12 + 2 * 2, 4)  # screen pixels
    assert strip[1].feature.full_shape == (24, 24)
    assert strip[1].mosaic.shape == (8, 2 * 8 + 2, 4)
    np.testing.assert_array_equal(rgb_view(strip[0].mosaic)[:, 14:26], strip[0].feature.rgb[1])


def test_mosaic_leaves_a_gap_between_tiles():
    tiles = [screen_pixels(np.full((2, 3, 3), v, np.uint8)) for v in (10, 200)]
    m = rgb_view(mosaic(tiles, gap=1))
    assert m.shape == (2, 7, 3)
    assert (m[:, :3] == 10).all() and (m[:, 4:] == 200).all()
    assert (m[:, 3] != 10).all() and (m[:, 3] != 200).all()


@pytest.mark.parametrize("pad_mode", PAD_MODES)
@pytest.mark.parametrize("padding", ["valid", "same", "full", (2, 1)])
def test_a_deep_layer_with_many_maps_matches_plain_loops(pad_mode, padding):
    """Many input maps and filters: the engine multiplies a window matrix (its deep path)."""
    from explorer.core import convolution

    rng = np.random.default_rng(8)
    x = rng.normal(size=(9, 11, 12)).astype(np.float32)
    w = rng.normal(size=(8, 3, 3, 12)).astype(np.float32)
    bias = rng.normal(size=8).astype(np.float32)
    assert convolution._prefer_matmul(12, 8)
    for stride, dilation, flip in ((1, 1, False), (2, 1, True), (1, 2, False), (2, 2, True)):
        got = convolution.convolve(x, w, bias=bias, stride=stride, padding=padding,
                                   pad_mode=pad_mode, dilation=dilation, flip=flip)
        want = conv_loops(x, w, bias, (stride, stride), padding, pad_mode,
                          (dilation, dilation), flip)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3)
