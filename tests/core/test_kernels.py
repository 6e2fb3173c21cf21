"""Kernel presets, the editor's helpers and the JSON kernel library."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import kernels, safe_files
from explorer.core.kernels import KernelLibrary, LibraryError, UserKernel
from explorer.state import DEFAULT_PRESETS  # at import: the engine's threads start with it
from tests.hostile import (
    fill_disk_after,
    folder_files,
    named_pipe,
    needs_dev_zero,
    needs_fifo,
    needs_symlinks,
)


def correlate_valid(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """What a CNN layer computes (no flip, no padding), as a plain loop: the reference."""
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for y in range(out.shape[0]):
        for x in range(out.shape[1]):
            total = 0.0
            for i in range(kh):
                for j in range(kw):
                    total += float(image[y + i, x + j]) * float(kernel[i, j])
            out[y, x] = total
    return out


# --- presets -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", kernels.names())
def test_every_preset_is_a_well_formed_read_only_kernel(name):
    preset = kernels.get(name)
    assert preset.name == name
    assert preset.description.strip() and "\n" not in preset.description
    assert preset.label.strip()
    w = preset.weights
    assert w.dtype == np.float32 and w.ndim == 2
    assert min(w.shape) >= 1 and max(w.shape) <= 15
    assert np.all(np.isfinite(w)) and np.any(w != 0)
    assert not w.flags.writeable
    with pytest.raises(ValueError):
        w[0, 0] = 42.0


def test_the_presets_a_lecturer_needs_are_there():
    required = {
        "identity", "box_blur", "gaussian_blur", "sharpen", "laplacian", "outline", "emboss",
        "vertical_edge", "horizontal_edge", "sobel_x", "sobel_y", "scharr_x", "scharr_y",
        "prewitt_x", "prewitt_y", "unsharp_mask", "motion_blur",
    }
    assert required <= set(kernels.names())
    assert kernels.names() == list(kernels.PRESETS)


def test_the_document_default_filters_are_presets():
    # a new document's filters: the lecture's edge detectors first, then other presets, each
    # once, so no two of the first maps look alike
    assert DEFAULT_PRESETS[:4] == ("vertical_edge", "horizontal_edge", "sobel_x", "sobel_y")
    assert len(set(DEFAULT_PRESETS)) == len(DEFAULT_PRESETS) == 16
    assert set(DEFAULT_PRESETS) <= set(kernels.names())


LECTURE_KERNELS = {
    "vertical_edge": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    "horizontal_edge": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "sobel_x": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "sobel_y": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "scharr_x": [[3, 0, -3], [10, 0, -10], [3, 0, -3]],
    "scharr_y": [[3, 10, 3], [0, 0, 0], [-3, -10, -3]],
    "prewitt_x": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    "prewitt_y": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box_blur": np.full((3, 3), 1 / 9),
    "gaussian_blur": np.outer([1, 2, 1], [1, 2, 1]) / 16,
    "gaussian_blur_5x5": np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "unsharp_mask": np.array([[1, 4, 6, 4, 1], [4, 16, 24, 16, 4], [6, 24, -476, 24, 6],
                              [4, 16, 24, 16, 4], [1, 4, 6, 4, 1]]) / -256,
    "motion_blur": np.pad(np.full((1, 7), 1 / 7), ((3, 3), (0, 0))),
}


@pytest.mark.parametrize("name", sorted(LECTURE_KERNELS))
def test_known_kernel_values(name):
    np.testing.assert_allclose(kernels.get(name).weights, LECTURE_KERNELS[name], rtol=1e-6)


BLURS = ["box_blur", "gaussian_blur", "gaussian_blur_5x5", "motion_blur"]
SUM_TO_ONE = [*BLURS, "identity", "sharpen", "unsharp_mask", "emboss"]
SUM_TO_ZERO = [
    "vertical_edge", "horizontal_edge", "sobel_x", "sobel_y", "scharr_x", "scharr_y",
    "prewitt_x", "prewitt_y", "diagonal_edge", "antidiagonal_edge", "horizontal_line",
    "vertical_line", "laplacian", "outline",
]


def test_every_preset_is_classified_by_its_sum():
    assert set(SUM_TO_ONE) | set(SUM_TO_ZERO) == set(kernels.names())


@pytest.mark.parametrize("name", SUM_TO_ONE)
def test_brightness_keeping_kernels_sum_to_one(name):
    assert float(kernels.get(name).weights.sum(dtype=np.float64)) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("name", BLURS)
def test_blurs_have_no_negative_weights(name):
    assert kernels.get(name).weights.min() >= 0


@pytest.mark.parametrize("name", SUM_TO_ZERO)
def test_edge_and_line_detectors_sum_to_zero(name):
    # a flat area gives no response at all
    assert float(kernels.get(name).weights.sum(dtype=np.float64)) == pytest.approx(0.0, abs=1e-6)
    flat = np.full((5, 5), 77.0)
    np.testing.assert_allclose(correlate_valid(flat, kernels.get(name).weights), 0, atol=1e-3)


def test_the_lecture_six_by_six_example():
    image = np.zeros((6, 6))
    image[:, :3] = 10
    out = correlate_valid(image, kernels.get("vertical_edge").weights)
    np.testing.assert_array_equal(out, [[0, 30, 30, 0]] * 4)


def half_bright(which: str) -> np.ndarray:
    """A 6×6 picture, 10 on one side of an edge and 0 on the other."""
    y, x = np.mgrid[0:6, 0:6]
    side = {"left": x < 3, "top": y < 3, "top_left": x + y < 5, "top_right": x - y > 0}
    return np.where(side[which], 10.0, 0.0)


@pytest.mark.parametrize(("name", "bright"), [
    ("vertical_edge", "left"), ("sobel_x", "left"), ("scharr_x", "left"), ("prewitt_x", "left"),
    ("horizontal_edge", "top"), ("sobel_y", "top"), ("scharr_y", "top"), ("prewitt_y", "top"),
    ("diagonal_edge", "top_left"), ("antidiagonal_edge", "top_right"),
])
def test_edge_detectors_are_positive_on_the_bright_side_they_name(name, bright):
    k = kernels.get(name).weights
    out = correlate_valid(half_bright(bright), k)
    assert out.max() > 0 and out.min() >= 0
    flipped = correlate_valid(10.0 - half_bright(bright), k)
    assert flipped.min() < 0 and flipped.max() <= 0


def test_line_detector_prefers_a_thin_line_to_an_edge():
    line = np.zeros((7, 7))
    line[3] = 10
    k = kernels.get("horizontal_line").weights
    assert correlate_valid(line, k).max() == pytest.approx(60)
    assert correlate_valid(half_bright("top"), k).max() == pytest.approx(30)


def test_laplacian_ignores_a_smooth_ramp():
    ramp = np.add.outer(np.arange(6) * 3.0, np.arange(6) * 5.0)
    np.testing.assert_allclose(correlate_valid(ramp, kernels.get("laplacian").weights), 0,
                               atol=1e-4)


def test_identity_copies_the_window_centre():
    image = np.arange(25.0).reshape(5, 5)
    out = correlate_valid(image, kernels.get("identity").weights)
    np.testing.assert_array_equal(out, image[1:-1, 1:-1])


def test_unknown_preset_lists_the_known_names():
    with pytest.raises(ValueError, match="no kernel preset named 'sobel_z'") as info:
        kernels.get("sobel_z")
    assert "sobel_x" in str(info.value) and "identity" in str(info.value)


# --- builders ------------------------------------------------------------------------------------

def test_gaussian_follows_opencvs_small_kernel_table():
    np.testing.assert_allclose(kernels.gaussian(1), [[1.0]])
    np.testing.assert_allclose(kernels.gaussian(3), np.outer([1, 2, 1], [1, 2, 1]) / 16)
    np.testing.assert_allclose(kernels.gaussian(5), np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])
                               / 256, rtol=1e-6)
    g7 = np.array([2, 7, 14, 18, 14, 7, 2]) / 64
    np.testing.assert_allclose(kernels.gaussian(7), np.outer(g7, g7), rtol=1e-6)


@pytest.mark.parametrize(("size", "sigma"), [(1, None), (3, None), (5, None), (7, None),
                                             (3, 0.5), (9, 2.0), (15, 3.0)])
def test_gaussian_agrees_with_opencv(size, sigma):
    cv2 = pytest.importorskip("cv2")
    g = cv2.getGaussianKernel(size, -1 if sigma is None else sigma, ktype=cv2.CV_64F)
    np.testing.assert_allclose(kernels.gaussian(size, sigma), g @ g.T, rtol=1e-5, atol=1e-8)


# OpenCV's rule for sizes past 7, 0.3·((size − 1)/2 − 1) + 0.8, worked out by hand
DOCUMENTED_SIGMA = {9: 1.7, 11: 2.0}


@pytest.mark.parametrize(("size", "sigma"), [(9, None), (11, None), (5, 2.0), (7, 0.8), (4, 1.5)])
def test_gaussian_matches_a_sampled_bell_curve(size, sigma):
    s = DOCUMENTED_SIGMA[size] if sigma is None else sigma
    centre = (size - 1) / 2
    expected = [[math.exp(-((i - centre) ** 2 + (j - centre) ** 2) / (2 * s * s))
                 for j in range(size)] for i in range(size)]
    total = sum(sum(row) for row in expected)
    k = kernels.gaussian(size, sigma)
    assert k.dtype == np.float32 and k.shape == (size, size)
    for i in range(size):
        for j in range(size):
            assert k[i, j] == pytest.approx(expected[i][j] / total, rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("size", [0, 16, -3, 2.5, True, "3"])
def test_builders_refuse_bad_sizes(size):
    for build in (kernels.gaussian, kernels.box, kernels.motion):
        with pytest.raises(ValueError, match="size"):
            build(size)


@pytest.mark.parametrize("sigma", [0.0, -1.0, math.nan, math.inf])
def test_gaussian_refuses_a_bad_sigma(sigma):
    with pytest.raises(ValueError, match="sigma"):
        kernels.gaussian(5, sigma)


def test_box_is_the_plain_mean():
    np.testing.assert_allclose(kernels.box(4), np.full((4, 4), 1 / 16))


def test_motion_blur_lines():
    horizontal = np.pad(np.full((1, 5), 0.2), ((2, 2), (0, 0)))
    np.testing.assert_allclose(kernels.motion(5, 0), horizontal)
    np.testing.assert_allclose(kernels.motion(5, 90), horizontal.T)
    # 45°: from bottom-left to top-right
    np.testing.assert_allclose(kernels.motion(5, 45), np.fliplr(np.eye(5)) / 5)
    np.testing.assert_allclose(kernels.motion(4, 180), kernels.motion(4, 0))


@settings(max_examples=60, deadline=None)
@given(size=st.sampled_from([1, 3, 5, 7, 9, 15]), angle=st.floats(-720, 720))
def test_motion_blur_is_a_centred_line_that_keeps_brightness(size, angle):
    k = kernels.motion(size, angle)
    assert k.dtype == np.float32
    assert float(k.sum(dtype=np.float64)) == pytest.approx(1.0, abs=1e-5)
    assert k[size // 2, size // 2] > 0
    np.testing.assert_array_equal(k, np.rot90(k, 2))  # a line through the centre


# --- editor helpers ------------------------------------------------------------------------------

def test_normalize_divides_by_the_sum():
    k = np.full((3, 3), 2.0)
    np.testing.assert_allclose(kernels.normalize(k), np.full((3, 3), 1 / 9))
    np.testing.assert_allclose(kernels.normalize(-k), np.full((3, 3), 1 / 9))


def test_normalize_scales_a_zero_sum_kernel_by_its_positive_weights():
    out = kernels.normalize(kernels.get("sobel_x").weights)
    np.testing.assert_allclose(out, np.array(LECTURE_KERNELS["sobel_x"]) / 4)
    assert out.flags.writeable


def test_normalize_leaves_an_all_zero_kernel_alone():
    np.testing.assert_array_equal(kernels.normalize(np.zeros((3, 3))), np.zeros((3, 3)))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=9, max_size=9))
def test_normalize_makes_the_sum_one_or_the_positive_part_one(values):
    k = np.array(values, np.float32).reshape(3, 3)
    out = kernels.normalize(k).astype(np.float64)
    assert np.all(np.isfinite(out))
    if abs(float(k.sum(dtype=np.float64))) > 1e-3 * float(np.abs(k).sum()):
        assert out.sum() == pytest.approx(1.0, rel=1e-3)
    elif np.any(k > 0):
        assert out[out > 0].sum() == pytest.approx(1.0, rel=1e-3)


def test_helpers_return_new_writeable_float32_arrays():
    preset = kernels.get("sobel_x").weights
    for out in (kernels.normalize(preset), kernels.negate(preset), kernels.transpose(preset),
                kernels.rotate90(preset)):
        assert out.dtype == np.float32 and out.flags.writeable and out.flags.c_contiguous
        assert not np.shares_memory(out, preset)
    np.testing.assert_array_equal(preset, LECTURE_KERNELS["sobel_x"])  # untouched


def test_negate_transpose_rotate():
    v = kernels.get("vertical_edge").weights
    np.testing.assert_array_equal(kernels.negate(v), [[-1, 0, 1]] * 3)
    np.testing.assert_array_equal(kernels.transpose(v), kernels.get("horizontal_edge").weights)
    # a quarter turn counter-clockwise: the left column becomes the bottom row
    np.testing.assert_array_equal(kernels.rotate90(kernels.get("sobel_x").weights),
                                  [[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    k = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(kernels.rotate90(k, 4), k)
    np.testing.assert_array_equal(kernels.rotate90(k, -1), kernels.rotate90(k, 3))


def test_helpers_keep_the_channels_of_a_volume():
    vol = np.arange(2 * 3 * 3, dtype=np.float32).reshape(2, 3, 3)
    t = kernels.transpose(vol)
    r = kernels.rotate90(vol)
    assert t.shape == (3, 2, 3) and r.shape == (3, 2, 3)
    for c in range(3):
        np.testing.assert_array_equal(t[:, :, c], vol[:, :, c].T)
        np.testing.assert_array_equal(r[:, :, c], np.rot90(vol[:, :, c]))


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((0, 3)), np.full((3, 3), np.nan),
                                 np.zeros((2, 2, 2, 2))])
def test_helpers_refuse_non_kernels(bad):
    for helper in (kernels.normalize, kernels.negate, kernels.transpose, kernels.rotate90):
        with pytest.raises(ValueError):
            helper(bad)


def test_randomize_is_he_initialisation():
    k = kernels.randomize((15, 15, 3), rng=0)
    assert k.shape == (15, 15, 3) and k.dtype == np.float32
    assert float(k.std()) == pytest.approx(math.sqrt(2 / 675), rel=0.15)
    assert abs(float(k.mean())) < 0.2 * math.sqrt(2 / 675)
    np.testing.assert_array_equal(k, kernels.randomize((15, 15, 3), np.random.default_rng(0)))
    assert not np.array_equal(k, kernels.randomize((15, 15, 3), rng=1))
    assert kernels.randomize((3, 5)).shape == (3, 5)
    for bad in [(3,), (0, 3), (3, 3, 3, 3)]:
        with pytest.raises(ValueError):
            kernels.randomize(bad)


# --- user kernels --------------------------------------------------------------------------------

def test_user_kernel_is_validated_and_read_only():
    k = UserKernel(" edges ", [[1, 0, -1]], 0.5, "mine")
    assert k.name == "edges" and k.bias == 0.5 and k.weights.dtype == np.float32
    assert not k.weights.flags.writeable
    assert UserKernel("rgb", np.ones((3, 3, 3))).weights.shape == (3, 3, 3)
    bad = [
        dict(name="", weights=[[1]]), dict(name="x", weights=[[np.nan]]),
        dict(name="x", weights=np.ones((16, 3))), dict(name="x", weights=np.ones((3, 3, 2))),
        dict(name="x", weights=[[1]], bias=math.inf), dict(name="x", weights=[[1]], bias=True),
        dict(name="x", weights=[1, 2, 3]), dict(name=None, weights=[[1]]),
    ]
    for kwargs in bad:
        with pytest.raises(ValueError):
            UserKernel(**kwargs)


# --- the library ---------------------------------------------------------------------------------

@pytest.fixture
def lib_path(tmp_path):
    return tmp_path / "nested" / "folder" / "kernels.json"


def library_files(lib_path) -> list[str]:
    """The library's folder without the lock file that saves leave (an empty file)."""
    return [n for n in folder_files(lib_path.parent) if n != ".kernels.json.lock"]


def test_a_missing_file_is_an_empty_library(lib_path):
    lib = KernelLibrary(lib_path)
    assert lib.load() == {} and lib.names() == []
    assert not lib_path.parent.exists()  # reading creates nothing


def test_round_trip(lib_path):
    lib = KernelLibrary(lib_path)
    rng = np.random.default_rng(3)
    gray = UserKernel("my edge", rng.normal(size=(3, 5)), -1.25, "a 3×5 edge, mine")
    color = UserKernel("Wärme 🔥", rng.normal(size=(2, 2, 3)), 0.0)
    one = UserKernel("dot", [[7]])
    for k in (gray, color, one):
        lib.save(k)
    loaded = KernelLibrary(lib_path).load()
    assert list(loaded) == ["my edge", "Wärme 🔥", "dot"]
    for k in (gray, color, one):
        got = loaded[k.name]
        np.testing.assert_array_equal(got.weights, k.weights)  # float32 survives JSON exactly
        assert got.weights.dtype == np.float32 and not got.weights.flags.writeable
        assert (got.bias, got.description) == (k.bias, k.description)
    doc = json.loads(lib_path.read_text(encoding="utf-8"))
    assert doc["format"] == "cnn-explorer-kernels" and doc["version"] == 1
    assert doc["kernels"][1]["weights"][0][0] == pytest.approx(color.weights[0, 0].tolist())


def test_save_replaces_by_name_in_place_and_delete_removes(lib_path):
    lib = KernelLibrary(lib_path)
    for name in "abc":
        lib.save(UserKernel(name, [[1.0]]))
    lib.save(UserKernel("b", [[2.0, 3.0]], 4.0))
    assert lib.names() == ["a", "b", "c"]
    np.testing.assert_array_equal(lib.load()["b"].weights, [[2.0, 3.0]])
    lib.delete("a")
    assert lib.names() == ["b", "c"]
    with pytest.raises(ValueError, match="no kernel named 'a'"):
        lib.delete("a")


def library_text(entries: list | str, *, version: object = 1, fmt: str = "cnn-explorer-kernels"):
    return json.dumps({"format": fmt, "version": version, "kernels": entries})


MALFORMED = {
    "not json": "{this is not json",
    "empty": "",
    "a list": "[1, 2, 3]",
    "other format": library_text([], fmt="something-else"),
    "newer version": library_text([], version=2),
    "text version": library_text([], version="1"),
    "kernels not a list": library_text("edges"),
    "entry not an object": library_text([[1, 2]]),
    "no name": library_text([{"weights": [[1]]}]),
    "empty name": library_text([{"name": "  ", "weights": [[1]]}]),
    "name a number": library_text([{"name": 5, "weights": [[1]]}]),
    "NaN weight": '{"format": "cnn-explorer-kernels", "version": 1, '
                  '"kernels": [{"name": "x", "weights": [[1, NaN]]}]}',
    "infinite weight": '{"format": "cnn-explorer-kernels", "version": 1, '
                       '"kernels": [{"name": "x", "weights": [[Infinity]]}]}',
    "text weight": library_text([{"name": "x", "weights": [[1, "2"]]}]),
    "bool weight": library_text([{"name": "x", "weights": [[True]]}]),
    "ragged rows": library_text([{"name": "x", "weights": [[1, 2, 3], [1, 2]]}]),
    "ragged channels": library_text([{"name": "x", "weights": [[[1, 2, 3], [1, 2]]]}]),
    "mixed cells": library_text([{"name": "x", "weights": [[1, [1, 2, 3]]]}]),
    "flat weights": library_text([{"name": "x", "weights": [1, 2, 3]}]),
    "no weights": library_text([{"name": "x"}]),
    "empty rows": library_text([{"name": "x", "weights": [[], []]}]),
    "huge kernel": library_text([{"name": "x", "weights": np.ones((16, 16)).tolist()}]),
    "very huge kernel": library_text([{"name": "x", "weights": np.ones((200, 200)).tolist()}]),
    "two channels": library_text([{"name": "x", "weights": np.ones((3, 3, 2)).tolist()}]),
    "duplicate names": library_text([{"name": "x", "weights": [[1]]},
                                     {"name": "x", "weights": [[2]]}]),
    "NaN bias": '{"format": "cnn-explorer-kernels", "version": 1, '
                '"kernels": [{"name": "x", "weights": [[1]], "bias": NaN}]}',
    "text bias": library_text([{"name": "x", "weights": [[1]], "bias": "0"}]),
    "description a list": library_text([{"name": "x", "weights": [[1]], "description": []}]),
    # what a damaged or hostile file holds: none of it may stop the app from starting
    "nested very deep": '{"format": "cnn-explorer-kernels", "version": 1, "kernels": '
                        + "[" * 100_000 + "]" * 100_000 + "}",
    "an integer of 5000 digits": library_text([{"name": "x", "weights": [[1]]}]).replace(
        '"version": 1', '"version": ' + "1" * 5000),
    "a weight of 5000 digits": library_text([{"name": "x", "weights": [[1]]}]).replace(
        "[[1]]", "[[" + "9" * 5000 + "]]"),
    "a bias of 40 digits": library_text([{"name": "x", "weights": [[1]],
                                          "bias": int("9" * 40)}]),
    "a weight beyond float32": library_text([{"name": "x", "weights": [[1e39]]}]),
    "a bias beyond float32": library_text([{"name": "x", "weights": [[1]], "bias": -1e39}]),
    "a weight too large to be finite": library_text([{"name": "x", "weights": [[1]]}]).replace(
        "[[1]]", "[[1e999]]"),
    "version true": library_text([], version=True),
    "version 1.0": library_text([], version=1.0),
    "a name of 300 characters": library_text([{"name": "n" * 300, "weights": [[1]]}]),
    "weights nested in lists": library_text([{"name": "x", "weights": [[[[1]]]]}]),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_library_is_refused_and_kept(lib_path, case):
    lib_path.parent.mkdir(parents=True)
    lib_path.write_text(MALFORMED[case], encoding="utf-8")
    before = lib_path.read_bytes()
    lib = KernelLibrary(lib_path)
    with pytest.raises(LibraryError, match=r"kernels\.json") as info:
        lib.load()
    assert info.value.path == lib_path and isinstance(info.value, ValueError)
    assert "untouched" in str(info.value)
    with pytest.raises(LibraryError):
        lib.save(UserKernel("new", [[1.0]]))
    with pytest.raises(LibraryError):
        lib.delete("x")
    assert lib_path.read_bytes() == before
    assert library_files(lib_path) == ["kernels.json"]


def test_a_binary_file_is_refused(lib_path):
    lib_path.parent.mkdir(parents=True)
    lib_path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    with pytest.raises(LibraryError, match="not a text file"):
        KernelLibrary(lib_path).load()


def test_a_folder_in_place_of_the_file_is_refused(lib_path):
    lib_path.mkdir(parents=True)
    with pytest.raises(LibraryError, match="folder"):
        KernelLibrary(lib_path).load()


def test_messages_say_what_is_wrong(lib_path):
    lib_path.parent.mkdir(parents=True)
    lib = KernelLibrary(lib_path)
    for case, phrase in [("ragged rows", "different lengths"), ("newer version", "newer"),
                         ("not json", "line 1"), ("huge kernel", "16×16"),
                         ("duplicate names", "two kernels named 'x'")]:
        lib_path.write_text(MALFORMED[case], encoding="utf-8")
        with pytest.raises(LibraryError, match=phrase):
            lib.load()


def test_set_aside_moves_a_damaged_file_and_a_new_library_starts(lib_path):
    lib_path.parent.mkdir(parents=True)
    lib_path.write_text("{broken", encoding="utf-8")
    lib = KernelLibrary(lib_path)
    moved = lib.set_aside()
    assert moved.parent == lib_path.parent
    assert moved.name.startswith("kernels.bad-") and moved.suffix == ".json"
    assert moved.read_text(encoding="utf-8") == "{broken"
    assert lib.load() == {}
    lib.save(UserKernel("fresh", [[1.0]]))
    assert lib.names() == ["fresh"]
    lib_path.write_text("{broken again", encoding="utf-8")
    second = lib.set_aside()  # the same second: a distinct name, nothing overwritten
    assert second != moved and moved.read_text(encoding="utf-8") == "{broken"


def test_a_full_disk_in_the_middle_of_a_save_leaves_the_old_file(lib_path, monkeypatch):
    lib = KernelLibrary(lib_path)
    lib.save(UserKernel("keep me", [[1, 2], [3, 4]], 1.0))
    before = lib_path.read_bytes()
    fill_disk_after(monkeypatch, 40)  # the disk fills after 40 bytes of the new file
    with pytest.raises(LibraryError, match="could not be saved") as info:
        lib.save(UserKernel("new", np.ones((5, 5))))
    assert "the disk is full" in str(info.value)
    assert isinstance(info.value.__cause__, ValueError)
    monkeypatch.undo()
    assert lib_path.read_bytes() == before
    assert library_files(lib_path) == ["kernels.json"]  # no temporary file left behind
    assert lib.names() == ["keep me"]


def test_a_failed_rename_leaves_the_old_file(lib_path, monkeypatch):
    lib = KernelLibrary(lib_path)
    lib.save(UserKernel("keep me", [[1.0]]))
    before = lib_path.read_bytes()

    def refuse(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(LibraryError, match="permission denied"):
        lib.save(UserKernel("new", [[2.0]]))
    monkeypatch.undo()
    assert lib_path.read_bytes() == before
    assert library_files(lib_path) == ["kernels.json"]


# --- hostile files and two windows at once -------------------------------------------------------

def test_hostile_libraries_say_why(lib_path):
    lib_path.parent.mkdir(parents=True)
    lib = KernelLibrary(lib_path)
    for case, phrase in [("nested very deep", "nested more than 32 levels deep"),
                         ("an integer of 5000 digits", "integer with 5000 digits"),
                         ("a weight beyond float32", "within ±3.4e+38"),
                         ("a bias beyond float32", "bias must be a finite number"),
                         ("a weight too large to be finite", "too large to be finite"),
                         ("version true", "unknown format version ('True')"),
                         ("a name of 300 characters", "at most 200 characters")]:
        lib_path.write_text(MALFORMED[case], encoding="utf-8")
        with pytest.raises(LibraryError) as info:
            lib.load()
        assert phrase in str(info.value), case
        assert str(info.value).startswith("the kernel library kernels.json ")


def test_a_library_over_the_size_limit_is_refused_and_kept(lib_path, monkeypatch):
    lib = KernelLibrary(lib_path)
    lib.save(UserKernel("big", np.ones((7, 7, 3))))
    before = lib_path.read_bytes()
    monkeypatch.setattr(kernels, "MAX_LIBRARY_BYTES", 100)
    with pytest.raises(LibraryError, match=r"more than the limit of 100 bytes; the file was "
                                           r"left untouched"):
        lib.load()
    with pytest.raises(LibraryError):
        lib.save(UserKernel("new", [[1.0]]))
    assert lib_path.read_bytes() == before


def test_too_many_kernels_are_refused(lib_path, monkeypatch):
    monkeypatch.setattr(kernels, "MAX_LIBRARY_KERNELS", 3)
    lib_path.parent.mkdir(parents=True)
    lib_path.write_text(library_text([{"name": f"k{i}", "weights": [[i]]} for i in range(4)]),
                        encoding="utf-8")
    with pytest.raises(LibraryError, match="holds 4 kernels, more than the 3"):
        KernelLibrary(lib_path).load()


@needs_fifo
def test_a_pipe_in_place_of_the_library_is_refused_without_waiting(lib_path):
    lib_path.parent.mkdir(parents=True)
    with named_pipe(lib_path):
        lib = KernelLibrary(lib_path)
        with pytest.raises(LibraryError, match=r"is a named pipe \(FIFO\), not a regular file"):
            lib.load()
        with pytest.raises(LibraryError, match="named pipe"):
            lib.save(UserKernel("new", [[1.0]]))
        assert os.path.exists(lib_path) and not lib_path.is_file()  # still the pipe


@needs_dev_zero
@needs_symlinks
def test_a_link_to_a_device_is_refused_and_kept(lib_path):
    lib_path.parent.mkdir(parents=True)
    lib_path.symlink_to("/dev/zero")
    with pytest.raises(LibraryError, match="is a device, not a regular file"):
        KernelLibrary(lib_path).load()
    assert lib_path.is_symlink()


def test_stale_temporary_files_of_killed_saves_are_removed(lib_path):
    lib = KernelLibrary(lib_path)
    lib.save(UserKernel("keep me", [[1.0]]))
    before = lib_path.read_bytes()
    stale = [lib_path.parent / f".kernels.json.{i}x7q.tmp" for i in range(5)]
    fresh = lib_path.parent / ".kernels.json.busy.tmp"  # a save in progress elsewhere
    for p in (*stale, fresh):
        p.write_bytes(b'{"format": "cnn-explorer-kernels", "vers')
    an_hour_ago = time.time() - 3600
    for p in stale:
        os.utime(p, (an_hour_ago, an_hour_ago))
    assert sorted(lib.remove_stale_temp_files()) == sorted(stale)
    assert library_files(lib_path) == [".kernels.json.busy.tmp", "kernels.json"]
    assert lib_path.read_bytes() == before
    assert KernelLibrary(lib_path.parent / "missing" / "k.json").remove_stale_temp_files() == []


SAVE_MANY = """
import sys
from explorer.core.kernels import KernelLibrary, UserKernel
lib = KernelLibrary(sys.argv[1])
for i in range(int(sys.argv[3])):
    lib.save(UserKernel(f"{sys.argv[2]} {i}", [[float(i), 1.0], [2.0, 3.0]], float(i)))
"""


def test_two_processes_saving_at_once_keep_every_kernel(lib_path):
    lib_path.parent.mkdir(parents=True)
    count = 30
    writers = [subprocess.Popen([sys.executable, "-c", SAVE_MANY, str(lib_path), who,
                                 str(count)], stderr=subprocess.PIPE, text=True)
               for who in ("left", "right")]
    for w in writers:
        _, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
    saved = KernelLibrary(lib_path).load()
    expected = {f"{who} {i}" for who in ("left", "right") for i in range(count)}
    assert set(saved) == expected
    assert saved["right 7"].bias == 7.0
    assert library_files(lib_path) == ["kernels.json"]


def test_a_save_waits_for_the_lock_and_says_so_when_it_cannot_get_it(lib_path):
    lib = KernelLibrary(lib_path)
    lib.save(UserKernel("keep me", [[1.0]]))
    before = lib_path.read_bytes()
    lib.lock_timeout = 0.1
    with safe_files.file_lock(lib.lock_path):  # another window is in the middle of a save
        with pytest.raises(LibraryError, match="is being saved by another CNN Explorer window"):
            lib.save(UserKernel("new", [[2.0]]))
        with pytest.raises(LibraryError, match="is being saved"):
            lib.set_aside()
    assert lib_path.read_bytes() == before
