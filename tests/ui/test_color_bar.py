"""The maps' colour bar cannot be misread: both ends numbered (and 0 when it crosses zero),
compact numbers, every text inside the bar and clear of the others, 'all 0' for a map of
zeros. Each check paints the bar and reads what was written and where."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSizeF
from PySide6.QtGui import QImage, QPainter

from explorer.ui.convert import qimage_to_array
from explorer.ui.widgets.color_bar import ColorBar, bar_values, compact_number
from explorer.ui.widgets.colormaps import lookup_table

MINUS = "\u2212"
BACKGROUND = (30, 30, 30)


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"), (401.3, "401"), (-3.0, MINUS + "3"), (12.5, "12.5"), (1234.4, "1234"),
    (123_456.0, "1.2e5"), (-0.00012, MINUS + "1.2e-4"), (2.0e9, "2e9"),
])
def test_numbers_are_compact(value, text):
    assert compact_number(value) == text


@pytest.mark.parametrize(("lo", "hi", "zero"), [
    (0.0, 400.0, False), (-173.4, 173.4, True), (-120_000.0, 120_000.0, True),
    (0.0, 0.037, False), (-3.0, 9.0, True), (2.5, 3.5, False),
])
def test_both_ends_are_numbered_and_zero_when_crossed(lo, hi, zero):
    values = bar_values(lo, hi, 300, 36)
    numbers = [v for v, _ in values]
    assert numbers[0] == lo and numbers[-1] == hi
    assert (0.0 in numbers) == (zero or lo == 0)
    assert values[0][1] == compact_number(lo) and values[-1][1] == compact_number(hi)
    gaps = np.diff(numbers) / (hi - lo) * 300
    assert gaps.min() >= 36 - 1e-6  # no two numbers on top of each other
    if abs(hi) >= 1e5:  # one notation along the bar
        assert all("e" in t or t == "0" for _, t in values), values


def paint(bar: ColorBar, width: int, height: int) -> np.ndarray:
    bar.resize(QSizeF(width, height))
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(0xFF1E1E1E)
    painter = QPainter(image)
    bar.paint(painter)
    painter.end()
    return qimage_to_array(image)


def ink(picture: np.ndarray, rect) -> int:
    """Pixels of text (not the background) in a rectangle of the picture."""
    r = rect.toAlignedRect()
    part = picture[max(r.top(), 0):r.bottom() + 1, max(r.left(), 0):r.right() + 1]
    return int((np.abs(part.astype(int) - BACKGROUND).sum(axis=-1) > 120).sum())


def _check_layout(bar: ColorBar, picture: np.ndarray) -> list[str]:
    h, w = picture.shape[:2]
    placed = bar.placed_texts()
    for text, rect in placed:
        assert rect.left() >= -0.5 and rect.top() >= -0.5, f"{text!r} cut at {rect}"
        assert rect.right() <= w + 0.5 and rect.bottom() <= h + 0.5, f"{text!r} cut at {rect}"
        assert ink(picture, rect) > 5, f"{text!r} is not drawn where it says"
    for i, (a, ra) in enumerate(placed):
        for b, rb in placed[i + 1:]:
            assert not ra.intersected(rb).isValid() or \
                ra.intersected(rb).width() * ra.intersected(rb).height() < 1, \
                f"{a!r} overlaps {b!r}"
    return [t for t, _ in placed]


@pytest.mark.parametrize("horizontal", [False, True])
@pytest.mark.parametrize(("levels", "ends"), [
    ((0.0, 400.0), ["0", "400"]),
    ((-123_456.0, 123_456.0), [MINUS + "1.2e5", "1.2e5"]),
    ((-0.00123, 0.00123), [MINUS + "1.2e-3", "1.2e-3"]),
])
def test_the_painted_bar_numbers_its_ends_inside_itself_clear_of_its_caption(
        qtbot, horizontal, levels, ends):
    bar = ColorBar(lookup_table(levels[0] < 0), horizontal=horizontal)
    bar.setLevels(levels)
    bar.set_label("levels of a filter with a long name")
    picture = paint(bar, *((420, 54) if horizontal else (80, 260)))
    texts = _check_layout(bar, picture)
    assert ends[0] in texts and ends[-1] in texts
    assert "0" in texts  # the low end, or the middle of a diverging bar
    assert "levels of a filter with a long name" in texts


def test_a_short_vertical_bar_still_numbers_both_ends(qtbot):
    bar = ColorBar(lookup_table(False))
    bar.setLevels((0.0, 400.0))
    bar.set_label("levels of vertical edge")
    texts = _check_layout(bar, paint(bar, 80, 60))
    assert texts[:2] == ["0", "400"]


def test_an_all_zero_map_says_so_instead_of_zero_to_one(qtbot):
    bar = ColorBar(lookup_table(False))
    bar.setLevels((0.0, 1.0), flat=True)
    texts = _check_layout(bar, paint(bar, 80, 200))
    assert texts == ["all 0"]
    assert bar.ticks() == []


# --- in the window -----------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_the_window_bar_shows_its_whole_range_uncut(qtbot, window, size):
    window.resize(*size)
    grid = window.maps_panel.feature_grid
    qtbot.waitUntil(lambda: grid.colorbar() is not None and grid.colorbar().isVisible())
    qtbot.wait(300)  # the tiles and the bar settle at the new size
    picture = qimage_to_array(grid.grab().toImage())  # paints the bar as the screen does
    bar = grid.colorbar()
    lo, hi = bar.levels()
    texts = [t for t, _ in bar.placed_texts()]
    assert compact_number(lo) in texts and compact_number(hi) in texts, texts
    ratio = picture.shape[1] / grid.width()
    for text, rect in bar.placed_texts():
        on_view = grid.mapFromScene(bar.mapRectToScene(rect)).boundingRect()
        assert grid.rect().contains(on_view), f"{text!r} cut by the layout at {size}"
        box = picture[int(on_view.top() * ratio):int((on_view.bottom() + 1) * ratio),
                      int(on_view.left() * ratio):int((on_view.right() + 1) * ratio)]
        assert (np.abs(box.astype(int) - BACKGROUND).sum(axis=-1) > 120).sum() > 5, text
