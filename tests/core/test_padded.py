"""The padded view: what each pad mode puts round the picture, against a loop and the engine."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.convolution import convolve
from explorer.core.padded import padded_view
from tests.reference import read

PAD_MODES = ("zeros", "reflect", "replicate", "circular")


def _loop(image: np.ndarray, pad: tuple[int, int, int, int], mode: str) -> np.ndarray:
    """Every padded pixel read one at a time by the pad mode's rule (tests/reference.py)."""
    x = image if image.ndim == 3 else image[:, :, None]
    top, bottom, left, right = pad
    h, w = x.shape[:2]
    out = np.zeros((h + top + bottom, w + left + right, x.shape[2]), np.float64)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = read(x, i - top, j - left, mode)
    return out if image.ndim == 3 else out[:, :, 0]


@pytest.mark.parametrize("mode", PAD_MODES)
@pytest.mark.parametrize("pad", [(1, 1, 1, 1), (2, 0, 1, 3), (0, 0, 0, 0), (7, 6, 9, 5)])
def test_ring_holds_what_the_pad_mode_reads(mode, pad):
    rng = np.random.default_rng(3)
    image = rng.integers(1, 256, (4, 5)).astype(np.uint8)  # no zeros: a zero ring shows
    got = padded_view(image, pad, mode)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, _loop(image, pad, mode))
    top, _, left, _ = pad
    np.testing.assert_array_equal(got[top:top + 4, left:left + 5], image)


@pytest.mark.parametrize("mode", PAD_MODES)
def test_colour_pictures_keep_their_channels(mode):
    rng = np.random.default_rng(4)
    image = rng.random((3, 4, 3)).astype(np.float32)
    got = padded_view(image, (2, 1, 1, 2), mode)
    assert got.shape == (6, 7, 3) and got.dtype == np.float32
    np.testing.assert_allclose(got, _loop(image, (2, 1, 1, 2), mode))


def test_the_four_modes_differ_on_the_lecture_picture():
    image = np.zeros((6, 6), np.uint8)
    image[:, :3] = 10
    rings = {m: padded_view(image, (1, 1, 1, 1), m) for m in PAD_MODES}
    assert rings["zeros"][3].tolist() == [0, 10, 10, 10, 0, 0, 0, 0]
    assert rings["replicate"][3].tolist() == [10, 10, 10, 10, 0, 0, 0, 0]
    assert rings["reflect"][3].tolist() == [10, 10, 10, 10, 0, 0, 0, 0]
    assert rings["circular"][3].tolist() == [0, 10, 10, 10, 0, 0, 0, 10]


@pytest.mark.parametrize("mode", PAD_MODES)
def test_ring_is_what_the_engine_multiplies(mode):
    """A kernel with a single 1 at (a, b) reads padded[i + a, j + b]: every tap of the ring."""
    rng = np.random.default_rng(5)
    image = rng.integers(0, 100, (5, 4)).astype(np.float32)
    p = 2
    expected = padded_view(image, (p, p, p, p), mode)
    k = 2 * p + 1
    for a in range(k):
        for b in range(k):
            delta = np.zeros((k, k), np.float32)
            delta[a, b] = 1.0
            out = convolve(image, delta, padding=p, pad_mode=mode)[:, :, 0]
            np.testing.assert_array_equal(out, expected[a:a + 5, b:b + 4])


@pytest.mark.parametrize("pad", [(1, 1, 1), (-1, 0, 0, 0), (1.5, 0, 0, 0), (True, 0, 0, 0)])
def test_bad_padding_is_refused_with_a_sentence(pad):
    with pytest.raises(ValueError, match="padding"):
        padded_view(np.zeros((3, 3), np.uint8), pad, "zeros")


def test_unknown_mode_and_empty_picture_are_refused():
    with pytest.raises(ValueError, match="padding mode"):
        padded_view(np.zeros((3, 3), np.uint8), (1, 1, 1, 1), "mirror")
    with pytest.raises(ValueError, match="rows and columns"):
        padded_view(np.zeros((0, 3), np.uint8), (1, 1, 1, 1), "zeros")
