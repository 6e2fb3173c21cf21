"""The pieces around the network that need no weights: class names, mosaic, occlusion."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.levels import colorize
from explorer.core.network import NetworkError
from explorer.core.network.classes import imagenet_classes, parse_class_names
from explorer.core.network.mosaic import channel_mosaic, heat_overlay, mosaic_size, overlay
from explorer.core.network.occlusion import occlusion, positions
from explorer.core.network.preprocess import as_rgb, centre_crop

GREY_LUT = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)  # index → (i, i, i)
RED_LUT = np.stack([np.arange(256), np.zeros(256), np.zeros(256)], axis=1).astype(np.uint8)


# --- class names --------------------------------------------------------------------------


def test_there_are_1000_classes_with_their_usual_names():
    names = imagenet_classes()
    assert len(names.synonyms) == 1000
    assert names.label(0) == "tench"
    assert names.label(282) == "tiger cat"
    assert names.label(967) == "espresso"
    assert names.synonyms[281] == ("tabby", "tabby cat")


@pytest.mark.parametrize(("a", "b", "name"), [(134, 517, "crane"), (638, 639, "maillot")])
def test_a_name_shared_by_two_classes_carries_the_index(a, b, name):
    names = imagenet_classes()
    assert names.label(a) == f"{name} (class {a})"
    assert names.label(b) == f"{name} (class {b})"
    assert not names.ambiguous(282)


def test_labels_are_unique():
    names = imagenet_classes()
    labels = [names.label(i) for i in range(1000)]
    assert len(set(labels)) == 1000


def test_a_damaged_name_list_is_refused():
    with pytest.raises(NetworkError, match="1000 named lines"):
        parse_class_names("tench\ngoldfish\n")
    with pytest.raises(NetworkError):
        parse_class_names("a\n" * 999 + ",\n")


# --- preprocessing ------------------------------------------------------------------------


def test_the_crop_box_lies_where_the_crop_came_from():
    # a picture whose pixel values encode their own column: the crop's columns tell where
    # they came from, so the reported box can be checked against the pixels
    h, w = 300, 600
    picture = np.repeat(np.tile(np.arange(w) * 255 // (w - 1), (h, 1))[:, :, None], 3, 2)
    crop, box = centre_crop(picture.astype(np.uint8))
    assert crop.shape == (224, 224, 3)
    assert box.size == pytest.approx(224 * 300 / 256)
    assert box.top == pytest.approx((300 - box.size) / 2, abs=1.5)
    left_value = float(crop[112, 0, 0]) * (w - 1) / 255
    assert left_value == pytest.approx(box.left, abs=4)


def test_gray_and_rgba_pictures_become_rgb():
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    rgb = as_rgb(gray)
    assert rgb.shape == (3, 4, 3)
    for y in range(3):
        for x in range(4):
            assert rgb[y, x].tolist() == [gray[y, x]] * 3
    # every channel of every pixel a different number: a shifted or reordered channel shows
    rgba = (np.arange(2 * 3 * 4).reshape(2, 3, 4) * 10 + 5).astype(np.uint8)
    out = as_rgb(rgba)
    assert out.shape == (2, 3, 3)
    for y in range(2):
        for x in range(3):
            r, g, b, _alpha = (int(v) for v in rgba[y, x])
            assert out[y, x].tolist() == [r, g, b]


# --- the mosaic -------------------------------------------------------------------------------


def test_each_tile_shows_its_own_channel():
    maps = np.zeros((4, 4, 5), np.float32)
    for c in range(5):
        maps[:, :, c] = c + 1.0  # channel c is flat at c + 1
    m = channel_mosaic(maps, tile=8, columns=3, gap=2, signed_lut=RED_LUT,
                       sequential_lut=GREY_LUT)
    assert m.rgb.shape == (2 * 10 - 2, 3 * 10 - 2, 3) == (*mosaic_size(5, 8, 3, 2), 3)
    assert not m.levels.signed
    for c in range(5):
        x, y = m.tile_origin(c)
        assert (x, y) == ((c % 3) * 10, (c // 3) * 10)
        pixel = m.rgb[y + 4, x + 4]
        # shared levels: 0 … the layer's top value, so brightness grows with the channel
        expected = colorize(np.full((1, 1), c + 1.0, np.float32),
                            tuple(m.levels.levels[c]), GREY_LUT)[0, 0]
        np.testing.assert_array_equal(pixel, expected)
    assert m.rgb[5, 5, 0] < m.rgb[15, 15, 0]  # channel 0 darker than channel 4
    assert (m.rgb[18 - 1, 28 - 1] == (40, 40, 40)).all()  # the empty sixth place


def test_unit_at_finds_the_map_unit_under_the_pointer():
    maps = np.zeros((7, 7, 3), np.float32)
    m = channel_mosaic(maps, tile=70, columns=2, gap=5, signed_lut=RED_LUT,
                       sequential_lut=GREY_LUT)
    assert m.unit_at(0, 0) == (0, 0, 0)
    assert m.unit_at(69, 69) == (0, 6, 6)
    assert m.unit_at(72, 10) is None  # the gap
    assert m.unit_at(75 + 25, 35) == (1, 3, 2)  # 10 px a unit
    assert m.unit_at(10, 75 + 12) == (2, 1, 1)
    assert m.unit_at(80, 80) is None  # no fourth channel
    assert m.unit_at(-1, 5) is None


def test_signed_maps_use_the_signed_table_and_own_scales_per_channel():
    maps = np.zeros((2, 2, 2), np.float32)
    maps[0, 0, 0], maps[1, 1, 0] = -1.0, 1.0
    maps[0, 0, 1], maps[1, 1, 1] = -10.0, 10.0
    shared = channel_mosaic(maps, 2, 2, gap=0, signed_lut=RED_LUT, sequential_lut=GREY_LUT)
    own = channel_mosaic(maps, 2, 2, gap=0, per_channel=True, signed_lut=RED_LUT,
                         sequential_lut=GREY_LUT)
    assert shared.levels.signed and (shared.rgb[:, :, 1] == 0).all()  # only red: signed table
    assert shared.rgb[1, 1, 0] < shared.rgb[1, 3, 0]  # +1 weaker than +10 on a shared scale
    assert own.rgb[1, 1, 0] == own.rgb[1, 3, 0] == 255  # each at the top of its own scale


def test_overlays_blend_the_map_over_the_picture():
    picture = np.full((8, 8, 3), 100, np.uint8)
    plane = np.array([[0.0, 1.0], [0.0, 0.0]], np.float32)
    out = overlay(picture, plane, (0.0, 1.0), GREY_LUT, opacity=0.5)
    assert out.shape == (8, 8, 3)
    assert out[0, 7, 0] == round(0.5 * 255 + 0.5 * 100)  # the hot unit, a 4×4 block
    assert out[7, 0, 0] == 50  # a cold unit: half the picture
    heat = np.zeros((8, 8), np.float32)
    heat[0, 0], heat[0, 1] = 1.0, 0.5
    out = heat_overlay(picture, heat, 1.0, GREY_LUT, opacity=1.0)
    assert out[0, 0, 0] == 255  # the full value: all colour (the top of the ±1 scale)
    assert out[0, 1, 0] == round(0.5 * 100 + 0.5 * 191)  # half the value: half colour
    assert (out[1:] == 100).all()  # no drop: the picture unchanged


# --- occlusion ------------------------------------------------------------------------------


def test_positions_cover_the_whole_side():
    assert positions(224, 48, 16) == [*range(0, 177, 16)]
    assert positions(10, 4, 4) == [0, 4, 6]


def toy_network(picture: np.ndarray) -> np.ndarray:
    """'Class 1' is as likely as the top-left 20×20 corner is bright; class 0 takes the rest."""
    p1 = float(picture[:20, :20].mean()) / 255
    return np.array([1 - p1, p1], np.float32)


def test_occlusion_finds_the_part_the_network_looks_at():
    picture = np.full((64, 64, 3), 255, np.uint8)
    steps = list(occlusion(toy_network, picture, patch=16, stride=8))
    last = steps[-1]
    assert last.done == last.total == 49 and last.target == 1 and last.base == 1.0
    assert [s.done for s in steps] == [7 * (i + 1) for i in range(7)]  # one step a row
    heat = last.heat
    assert heat.shape == (64, 64)
    # slow reference: for each pixel, the mean drop over the squares that cover it
    expected = np.zeros((64, 64))
    count = np.zeros((64, 64))
    for y in range(0, 49, 8):
        for x in range(0, 49, 8):
            covered = picture.copy()
            covered[y:y + 16, x:x + 16] = 127
            drop = 1.0 - toy_network(covered)[1]
            expected[y:y + 16, x:x + 16] += drop
            count[y:y + 16, x:x + 16] += 1
    np.testing.assert_allclose(heat, expected / count, atol=1e-6)
    assert heat[5, 5] > 0.1 and heat[50, 50] == 0


def test_occlusion_refuses_a_square_larger_than_the_picture():
    with pytest.raises(ValueError, match="larger than the picture"):
        next(occlusion(toy_network, np.zeros((10, 10, 3), np.uint8), patch=12))
