"""Slide pictures of the maps: a colour bar and its numbers under every map, dark or light."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from explorer.ui.export_render import (
    NUMBER_PX,
    THEMES,
    Slide,
    SlideMap,
    SlideSection,
    bar_labels,
    feature_slide,
    level_text,
    render_slide,
)
from explorer.ui.widgets.colormaps import lookup_table
from tests.ui.pictures import colour_bars, has_colour, lut_index, near

SEQ, DIV = lookup_table(False), lookup_table(True)


def as_array(image) -> np.ndarray:
    from explorer.ui.convert import qimage_to_array

    return qimage_to_array(image)


def rgb(color) -> tuple[int, int, int]:
    return (color.red(), color.green(), color.blue())


# --- the numbers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"), (401.3, "401"), (-3.0, "\u22123"), (12.5, "12.5"), (0.1234, "0.123"),
    (1234.4, "1234"), (99_999.0, "99999"), (123_456.0, "1.2e5"), (0.00012, "1.2e-4"),
    (-0.5, "\u22120.5"), (2.0e9, "2e9"),
])
def test_level_text_reads_like_a_slide(value, text):
    assert level_text(value) == text


def test_a_diverging_bar_gets_its_zero_and_a_sequential_one_only_its_ends():
    assert bar_labels((-4.0, 4.0), signed=True) == ["\u22124", "0", "4"]
    assert bar_labels((0.0, 10.0), signed=False) == ["0", "10"]
    assert bar_labels((0.0, 10.0), signed=True) == ["0", "10"]  # no zero inside the range


# --- a slide made by hand ------------------------------------------------------------------------
def _slide() -> Slide:
    flat = np.full((12, 16), 4.0, np.float32)  # 4 of 0..10: table entry 102
    negative = np.full((12, 16), -2.0, np.float32)  # −2 of −4..4: entry 64 of the diverging one
    board = np.indices((12, 16)).sum(axis=0) % 2 * 10.0  # 0 and 10: the two ends
    maps = (SlideMap(flat, "flat", (0.0, 10.0), SEQ, False),
            SlideMap(negative, "negative", (-4.0, 4.0), DIV, True),
            SlideMap(board.astype(np.float32), "board", (0.0, 10.0), SEQ, False))
    return Slide("a picture", "a note", (SlideSection("three maps", maps, 3, (120, 90)),))


def _block(picture: np.ndarray, color) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the block of this colour (a bar has a pixel or two of
    each colour a row: it is left out)."""
    mask = (picture == np.asarray(color, np.uint8)).all(axis=-1)
    rows = np.nonzero(mask.sum(axis=1) > 20)[0]
    assert rows.size, f"no block of {color}"
    cols = np.nonzero(mask[rows].any(axis=0))[0]
    return rows.min(), rows.max(), cols.min(), cols.max()


def _bar_under(bars, block) -> tuple[int, int, int, int]:
    _top, bottom, left, right = block
    found = [b for b in bars if abs(b[2] - left) <= 2 and abs(b[3] - right) <= 2
             and 0 < b[0] - bottom < 30]
    assert len(found) == 1, f"one bar under the map at {block}: {bars}"
    return found[0]


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("scale", [1, 2])
def test_every_map_has_its_colours_and_a_bar_with_numbers_under_it(qtbot, theme, scale):
    picture = as_array(render_slide(_slide(), scale, theme))
    page, ink = rgb(THEMES[theme].background), rgb(THEMES[theme].text)
    for corner in (picture[0, 0], picture[-1, -1], picture[0, -1], picture[-1, 0]):
        assert tuple(corner) == page
    flat = _block(picture, SEQ[102])
    negative = _block(picture, DIV[64])
    # the board's cells are its table's two ends, at every scale a cell is whole pixels
    assert has_colour(picture, SEQ[0]) and has_colour(picture, SEQ[255])
    assert flat[3] - flat[2] + 1 == 120 * scale and flat[1] - flat[0] + 1 == 90 * scale
    seq_bars, div_bars = colour_bars(picture, SEQ), colour_bars(picture, DIV)
    assert len(seq_bars) == 2 and len(div_bars) == 1  # flat and board; negative
    for bar, signed in ((_bar_under(seq_bars, flat), False),
                        (_bar_under(div_bars, negative), True)):
        _top, bottom, left, right = bar
        assert right - left + 1 == 120 * scale  # as wide as its map
        numbers = near(picture[bottom + 1:bottom + 4 + NUMBER_PX * scale, left:right + 1], ink)
        quarter = numbers.shape[1] // 4
        assert numbers[:, :quarter].any() and numbers[:, -quarter:].any()  # both ends
        assert numbers[:, 3 * quarter // 2:5 * quarter // 2].any() == signed  # "0" if signed
    title_band = near(picture[:30 * scale], ink)
    assert title_band.sum() > 50 * scale  # the picture's title is written


def test_a_slide_at_twice_the_scale_is_twice_as_large(qtbot):
    one, two = render_slide(_slide(), 1), render_slide(_slide(), 2)
    assert abs(two.width() - 2 * one.width()) <= 1 and abs(two.height() - 2 * one.height()) <= 1


def test_a_large_map_is_shrunk_by_block_means_for_its_tile(qtbot):
    plane = np.zeros((400, 480), np.float32)
    plane[:, 240:] = 10.0  # left half 0, right half 10
    plane[:, 238:240] = 5.0  # a two-column seam: its block mean is between
    item = SlideMap(plane, "big", (0.0, 10.0), SEQ, False)
    picture = as_array(render_slide(Slide("", "", (SlideSection("", (item,), 1, (120, 100)),))))
    index = lut_index(picture, SEQ)
    rows = np.nonzero((index == 0).sum(axis=1) >= 50)[0]
    row = index[rows[len(rows) // 2]]
    inside = row[row >= 0]
    # a 4× shrink: 60 columns of 0, one column of the seam's mean (2.5 → 64), 59 of 10
    assert (inside == 0).sum() >= 59 and (inside == 255).sum() >= 59
    assert (inside == 64).sum() == 1


def test_bad_requests_are_refused_with_a_sentence(qtbot):
    with pytest.raises(ValueError, match="dark or light"):
        render_slide(_slide(), 1, "sepia")
    with pytest.raises(ValueError, match="1, 2 or 3"):
        render_slide(_slide(), 4)
    with pytest.raises(ValueError, match="no maps"):
        render_slide(Slide("t", "n", (SlideSection("", (), 1, (100, 100)),)))


# --- the window's maps as slides ----------------------------------------------------------------
def _wait_newest(qtbot, window, action):
    action()
    controller = window.controller
    qtbot.waitUntil(lambda: not controller.scheduled, timeout=5_000)
    target = controller.generation
    qtbot.waitUntil(lambda: window.last_result is not None
                    and window.last_result.generation >= target, timeout=20_000)
    return window.last_result


@pytest.fixture
def small(qtbot, window, tmp_path):
    """A 24×32 picture with a bright square: edges in every direction."""
    picture = np.full((24, 32, 3), 40, np.uint8)
    picture[6:18, 8:22] = 220
    path = tmp_path / "square.png"
    cv2.imwrite(str(path), picture)
    _wait_newest(qtbot, window, lambda: window.open_image(path))
    qtbot.wait(50)  # the tiles settle at their size
    return _wait_newest(qtbot, window, lambda: window.document.filters.set_bias(0, 0.5))


def _tile_colours(grid, k: int) -> set[tuple[int, ...]]:
    return {tuple(c) for c in grid.image_item(k).image.reshape(-1, 3)}


def test_the_feature_maps_slide_has_a_bar_per_map_and_the_colours_on_screen(window, small,
                                                                              tmp_path):
    out = window.export_view(tmp_path / "maps.png", "Feature maps", 2, "light")
    from tests.ui.pictures import load

    picture = load(out)
    assert tuple(picture[0, 0]) == (255, 255, 255)
    grid = window.maps_panel.feature_grid
    count = window.document.layer.n_filters
    assert len(colour_bars(picture, SEQ)) == count  # ReLU maps: the sequential table
    exported = {tuple(c) for c in picture.reshape(-1, 3)}
    for k in range(count):
        assert _tile_colours(grid, k) <= exported, f"map {k} has colours the screen does not"
    slide = feature_slide(window.maps_panel)
    assert [m.levels for m in slide.sections[0].maps] == \
        [grid.tile_levels(k) for k in range(count)]
    assert [m.title for m in slide.sections[0].maps] == window.document.filters.names()


def test_signed_maps_export_with_diverging_bars(qtbot, window, small, tmp_path):
    _wait_newest(qtbot, window, lambda: setattr(window.document.layer, "activation", "identity"))
    from tests.ui.pictures import load

    picture = load(window.export_view(tmp_path / "signed.png", "Feature maps", 1))
    assert tuple(picture[0, 0]) == (30, 30, 30)  # the dark page, as on screen
    assert len(colour_bars(picture, DIV)) == window.document.layer.n_filters
    assert not colour_bars(picture, SEQ)


def test_pooled_maps_and_every_stage_export_a_bar_per_map(qtbot, window, small, tmp_path):
    from tests.ui.pictures import load

    pooled = load(window.export_view(tmp_path / "pooled.png", "Pooled maps", 1, "light"))
    assert len(colour_bars(pooled, SEQ)) == window.document.layer.n_filters
    _wait_newest(qtbot, window, lambda: window.layer_panel.use_stack_preset("lecture_x2"))
    qtbot.waitUntil(lambda: len(window.maps_panel.strip.rows) == 2, timeout=10_000)
    stages = load(window.export_view(tmp_path / "stages.png", "Every stage", 1, "light"))
    assert len(colour_bars(stages, SEQ)) == 4 + 8  # every map of both stages


def test_no_pooling_means_no_pooled_maps_to_export(qtbot, window, small, tmp_path):
    _wait_newest(qtbot, window, lambda: setattr(window.document.layer, "pool_mode", "none"))
    with pytest.raises(ValueError, match="no pooling"):
        window.export_view(tmp_path / "pooled.png", "Pooled maps", 1)
    assert not (tmp_path / "pooled.png").exists()


def test_the_light_theme_is_only_for_maps(window, small, tmp_path):
    with pytest.raises(ValueError, match="light theme is for pictures of maps"):
        window.export_view(tmp_path / "kernels.png", "Kernel editor", 1, "light")
    assert not (tmp_path / "kernels.png").exists()
