"""MNIST-style preprocessing on pictures made by hand, checked with plain loops."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.training import centre_box, mnist_style
from explorer.core.training.preprocess import binarise, stroke_width


def paper(h=100, w=100):
    return np.full((h, w), 230, np.uint8)


def centre_of_mass(img):
    total = my = mx = 0.0
    for y in range(img.shape[0]):
        for x in range(img.shape[1]):
            v = float(img[y, x])
            total += v
            my += v * y
            mx += v * x
    return my / total, mx / total


def ink_box(img, level=0):
    rows = [y for y in range(img.shape[0]) if any(v > level for v in img[y])]
    cols = [x for x in range(img.shape[1]) if any(v > level for v in img[:, x])]
    return rows[0], rows[-1], cols[0], cols[-1]


def test_a_dark_bar_on_paper_becomes_a_white_20_pixel_bar_centred_on_black():
    picture = paper()
    picture[10:70, 60:90] = 20  # 60 tall, 30 wide, far from the centre
    out = mnist_style(picture)
    assert out.shape == (28, 28) and out.dtype == np.uint8
    top, bottom, left, right = ink_box(out)
    assert bottom - top + 1 == 20 and right - left + 1 == 10  # scaled by 20/60
    assert out[14, 14] == 255 and out[0, 0] == 0 and out[27, 27] == 0
    cy, cx = centre_of_mass(out)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5


def test_light_ink_on_black_gives_the_same_picture_as_dark_ink_on_paper():
    picture = paper()
    picture[20:80, 30:45] = 10
    picture[20:35, 30:75] = 10  # an L-like "7" turned: lopsided mass
    inverted = 255 - picture
    np.testing.assert_array_equal(mnist_style(picture), mnist_style(inverted))
    np.testing.assert_array_equal(mnist_style(picture, ink="dark"),
                                  mnist_style(inverted, ink="light"))


def test_a_lopsided_digit_is_placed_by_its_centre_of_mass_not_its_box():
    picture = paper(120, 120)
    picture[10:110, 20:40] = 0  # a thick vertical stroke …
    picture[90:110, 20:100] = 0  # … and a foot: the mass sits low and left of the box centre
    out = mnist_style(picture)
    cy, cx = centre_of_mass(out)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    top, bottom, left, right = ink_box(out)
    assert max(bottom - top, right - left) + 1 == 20
    assert (top + bottom) / 2 < 14 and (left + right) / 2 > 14  # the box is off centre


def test_specks_are_ignored():
    picture = paper()
    picture[20:80, 40:60] = 0
    clean = mnist_style(picture)
    picture[2, 2] = picture[95, 90] = picture[50, 5] = 0
    np.testing.assert_array_equal(mnist_style(picture), clean)


def test_a_hairline_is_thickened_to_a_stroke_mnist_would_have():
    picture = paper(200, 200)
    picture[20:180, 100] = 0  # a 1-pixel line, 160 long: 0.125 px after scaling to 20
    out = mnist_style(picture)
    middle = out[14]
    assert (middle > 100).sum() >= 2  # at least two bright pixels across the stroke
    assert out.max() > 200


def test_colour_and_gray_pictures_give_the_same_digit():
    gray = paper()
    gray[30:70, 45:55] = 0
    colour = np.repeat(gray[:, :, None], 3, axis=2)
    np.testing.assert_array_equal(mnist_style(colour), mnist_style(gray))


def test_a_large_photo_is_handled_like_a_small_one():
    small = paper(100, 100)
    small[20:80, 40:60] = 0
    large = np.kron(small, np.ones((8, 8), np.uint8))  # 800×800
    a, b = mnist_style(small).astype(int), mnist_style(large).astype(int)
    assert np.abs(a - b).max() <= 40  # shrunk first: edges may round differently


@pytest.mark.parametrize("picture", [np.full((50, 50), 128, np.uint8),
                                     np.random.default_rng(0).integers(120, 130, (40, 40))])
def test_a_picture_without_a_digit_is_refused(picture):
    with pytest.raises(ValueError, match="no digit"):
        mnist_style(picture)


@pytest.mark.parametrize("bad", [np.zeros((0, 5)), np.zeros((3, 3, 3, 3)),
                                 np.array([["a", "b"], ["c", "d"]])])
def test_what_is_not_a_picture_is_refused(bad):
    with pytest.raises(ValueError):
        mnist_style(bad)


def test_unknown_ink_is_refused():
    with pytest.raises(ValueError, match="ink"):
        binarise(paper(), ink="blue")


def test_stroke_width_of_drawn_bars():
    for width in (3, 7, 12):
        mask = np.zeros((80, 80), bool)
        mask[10:70, 30:30 + width] = True
        assert stroke_width(mask) == pytest.approx(width, abs=1.5)


def test_centre_box_is_the_middle_square():
    frame = np.arange(60 * 80).reshape(60, 80)
    crop, (top, left, h, w) = centre_box(frame, 0.5)
    assert (top, left, h, w) == (15, 25, 30, 30)
    np.testing.assert_array_equal(crop, frame[15:45, 25:55])
    with pytest.raises(ValueError):
        centre_box(frame, 0)
