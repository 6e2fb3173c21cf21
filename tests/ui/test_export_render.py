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
    _stage_slide,
    bar_labels,
    feature_slide,
    level_text,
    render_slide,
    slide_size,
    slide_texts,
    stages_slide,
)
from explorer.ui.widgets.colormaps import lookup_table
from tests.ui.pictures import colour_bars, has_colour, lut_index, near
from tests.ui.results import wait_result

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
@pytest.fixture
def small(qtbot, window, tmp_path):
    """A 24×32 picture with a bright square: edges in every direction."""
    picture = np.full((24, 32, 3), 40, np.uint8)
    picture[6:18, 8:22] = 220
    path = tmp_path / "square.png"
    cv2.imwrite(str(path), picture)
    wait_result(qtbot, window, lambda: window.open_image(path))
    qtbot.wait(50)  # the tiles settle at their size
    return wait_result(qtbot, window, lambda: window.document.filters.set_bias(0, 0.5))


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
    human = {"vertical_edge": "Vertical edge", "horizontal_edge": "Horizontal edge",
             "sobel_x": "Sobel x", "sobel_y": "Sobel y"}
    assert [m.title for m in slide.sections[0].maps] == \
        [human[n] for n in window.document.filters.names()]
    # 'same' zero padding: the ranges come from the maps' inside, and the slide says so
    assert "border that sees the zero padding" in slide.note


def test_signed_maps_export_with_diverging_bars(qtbot, window, small, tmp_path):
    wait_result(qtbot, window, lambda: setattr(window.document.layer, "activation", "identity"))
    from tests.ui.pictures import load

    picture = load(window.export_view(tmp_path / "signed.png", "Feature maps", 1))
    assert tuple(picture[0, 0]) == (30, 30, 30)  # the dark page, as on screen
    assert len(colour_bars(picture, DIV)) == window.document.layer.n_filters
    assert not colour_bars(picture, SEQ)


def test_pooled_maps_and_every_stage_export_a_bar_per_map(qtbot, window, small, tmp_path):
    from tests.ui.pictures import load

    pooled = load(window.export_view(tmp_path / "pooled.png", "Pooled maps", 1, "light"))
    assert len(colour_bars(pooled, SEQ)) == window.document.layer.n_filters
    wait_result(qtbot, window, lambda: window.layer_panel.use_stack_preset("lecture_x2"))
    qtbot.waitUntil(lambda: len(window.maps_panel.strip.rows) == 2, timeout=10_000)
    stages = load(window.export_view(tmp_path / "stages.png", "Every stage", 1, "light"))
    assert len(colour_bars(stages, SEQ)) == 4 + 8  # every map of both stages
    headings = [s.heading for s in stages_slide(window.maps_panel).sections]
    assert "random kernels" not in headings[0] and headings[1].endswith("random kernels")


def test_no_pooling_means_no_pooled_maps_to_export(qtbot, window, small, tmp_path):
    wait_result(qtbot, window, lambda: setattr(window.document.layer, "pool_mode", "none"))
    with pytest.raises(ValueError, match="no pooling"):
        window.export_view(tmp_path / "pooled.png", "Pooled maps", 1)
    assert not (tmp_path / "pooled.png").exists()


def test_the_light_theme_is_only_for_maps(window, small, tmp_path):
    with pytest.raises(ValueError, match="light theme is for pictures of maps"):
        window.export_view(tmp_path / "kernels.png", "Kernel editor", 1, "light")
    assert not (tmp_path / "kernels.png").exists()


# --- the lecture's 6×6 example: numbers, indices and the kernel on the slide --------------------
SIX = np.zeros((6, 6), np.uint8)
SIX[:, :3] = 10  # the lecture's picture: 10s on the left, 0s on the right
LECTURE_KERNEL = np.array([[1, 0, -1]] * 3, np.float32)


def correlate_loops(picture: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """'valid' cross-correlation by plain loops."""
    kh, kw = kernel.shape
    out = np.zeros((picture.shape[0] - kh + 1, picture.shape[1] - kw + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = sum(float(picture[r + a, c + b]) * float(kernel[a, b])
                            for a in range(kh) for b in range(kw))
    return out


def _lecture_layer(qtbot, window, picture: np.ndarray, tmp_path) -> None:
    path = tmp_path / "lecture.png"
    cv2.imwrite(str(path), picture)
    doc = window.document
    wait_result(qtbot, window, lambda: window.open_image(path))
    layer = doc.layer
    for name, value in (("n_filters", 1), ("padding", "valid"), ("pool_mode", "none"),
                        ("activation", "identity")):
        wait_result(qtbot, window, lambda n=name, v=value: setattr(layer, n, v))
    wait_result(qtbot, window,
                 lambda: doc.filters.set_filter(0, LECTURE_KERNEL, name="vertical_edge"))
    qtbot.wait(50)


def _texts_in(texts, left, top, right, bottom) -> list[str]:
    return [t for t, r in texts if left <= r.center().x() <= right and top <= r.center().y()
            <= bottom]


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_the_lecture_six_by_six_slide_shows_its_numbers_indices_and_kernel(
        qtbot, window, tmp_path, scale):
    _lecture_layer(qtbot, window, SIX, tmp_path)
    want = correlate_loops(SIX, LECTURE_KERNEL)
    assert want[0].tolist() == [0, 30, 30, 0]
    slide = feature_slide(window.maps_panel)
    image, texts = slide_texts(slide, scale, "light")
    picture = as_array(image)
    from tests.ui.pictures import load

    saved = load(window.export_view(tmp_path / "six.png", "Feature maps", scale, "light"))
    np.testing.assert_array_equal(saved, picture)  # the file is the slide read here
    # the map: columns 1 and 2 are 30, the top of the table; 0 and 3 its bottom
    top, bottom, left30, right30 = _block(picture, SEQ[255])
    cell = (right30 - left30 + 1) / 2
    left, right = left30 - cell, right30 + cell
    assert bottom - top + 1 == pytest.approx(4 * cell, abs=2)
    for r in range(4):
        for c in range(4):
            x0, y0 = left + c * cell, top + r * cell
            inside = [(t, rect) for t, rect in texts if x0 < rect.center().x() < x0 + cell
                      and y0 < rect.center().y() < y0 + cell]
            assert [t for t, _ in inside] == [f"{want[r, c]:.0f}"], (r, c, inside)
            ink = (15, 15, 15) if want[r, c] == 30 else (250, 250, 250)  # dark on yellow
            box = inside[0][1].toAlignedRect()
            written = near(picture[box.top():box.bottom() + 1, box.left():box.right() + 1], ink)
            assert written.sum() >= 4 * scale, f"no digits drawn in cell {(r, c)}"
    # column indices above the map, row indices left of it
    above = [(t, rect.center().x()) for t, rect in texts
             if rect.bottom() <= top + 1 and rect.top() >= top - 30 * scale
             and left <= rect.center().x() <= right]
    assert [t for t, _ in sorted(above, key=lambda a: a[1])] == ["0", "1", "2", "3"]
    beside = [(t, rect.center().y()) for t, rect in texts
              if rect.right() <= left + 1 and rect.left() >= left - 40 * scale
              and top <= rect.center().y() <= bottom]
    assert [t for t, _ in sorted(beside, key=lambda a: a[1])] == ["0", "1", "2", "3"]
    # the title in words, the kernel's weights to the left, the bar's ends below
    assert "Vertical edge" in _texts_in(texts, left, 0, right, top)
    kernel = _texts_in(texts, 0, top - 2, left - 40 * scale, bottom)
    assert sorted(kernel) == sorted(["1", "0", "-1"] * 3), kernel
    assert "kernel" in [t for t, _ in texts]
    under = _texts_in(texts, left, bottom, right, picture.shape[0])
    assert under == ["0", "30"]


def test_an_all_zero_map_is_labelled_all_zero_not_zero_to_one(qtbot, window, tmp_path):
    _lecture_layer(qtbot, window, np.full((6, 6), 10, np.uint8), tmp_path)  # no edge: zeros
    slide = feature_slide(window.maps_panel)
    assert slide.sections[0].maps[0].zero
    image, texts = slide_texts(slide, 1)
    picture = as_array(image)
    top, bottom, left, right = _block(picture, SEQ[0])  # the map, all at the table's start
    assert bottom - top > 40
    assert _texts_in(texts, left, bottom, right, picture.shape[0]) == ["all 0"]  # not 0 … 1
    bar = window.maps_panel.feature_grid.colorbar()
    assert bar.flat and bar.ticks() == []


# --- every stage on one 16:9 slide ------------------------------------------------------------
def _stage_blocks(depth: int) -> list:
    blocks = []
    for i in range(depth):
        side = max(128 >> i, 4)
        count = min(8 * 2 ** i, 32)
        maps = tuple(SlideMap(np.full((side, side), float(k), np.float32), f"f{k + 1}",
                              (0.0, 40.0), SEQ, False) for k in range(count))
        tile_w = max(96, 112)
        blocks.append((f"Layer {i + 1}", maps, (tile_w, tile_w)))
    return blocks


@pytest.mark.parametrize("depth", [2, 3, 5, 7])
def test_stages_of_any_depth_wrap_into_columns_near_16_by_9(qtbot, depth):
    slide = _stage_slide("a picture", "a note", _stage_blocks(depth))
    width, height = slide_size(slide)
    assert 1.45 <= width / height <= 2.2, (depth, width, height)
    image = render_slide(slide, 1)
    assert image.width() / image.height() == pytest.approx(width / height, rel=0.02)
    if depth >= 3:
        assert slide.columns >= 2  # side by side, not one tall column
    picture = as_array(image)
    assert len(colour_bars(picture, SEQ)) == sum(len(b[1]) for b in _stage_blocks(depth))
