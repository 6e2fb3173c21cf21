"""The map grids and the input view are painted by Qt's own paintEvent, with the interpreter
lock free for the compute worker's threads, and still draw every map where its tile is."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QGraphicsView

from explorer.core.display import DisplayPlanes, screen_pixels
from explorer.ui.convert import qimage_to_array
from explorer.ui.widgets.input_view import InputView
from explorer.ui.widgets.map_grid import MapGrid

RED, BLUE = (230, 20, 20), (20, 20, 230)


def _flat_maps(colours: list[tuple[int, int, int]], side: int = 40) -> DisplayPlanes:
    planes = [np.full((side, side), float(k), np.float32) for k in range(len(colours))]
    pixels = [screen_pixels(np.full((side, side, 3), c, np.uint8)) for c in colours]
    return DisplayPlanes(1, (side, side), planes, pixels)


def _share_of(image: np.ndarray, colour: tuple[int, int, int]) -> float:
    return float(np.all(np.abs(image.astype(int) - colour) <= 8, axis=2).mean())


def test_the_views_that_draw_maps_every_frame_use_qts_own_paint_event():
    # a Python paintEvent would hold the interpreter lock for the whole scene's painting
    assert MapGrid.paintEvent is QGraphicsView.paintEvent
    assert InputView.paintEvent is QGraphicsView.paintEvent


def test_a_grid_resized_on_screen_draws_each_map_filling_its_own_tile(qtbot):
    grid = MapGrid()
    qtbot.addWidget(grid)
    grid.resize(300, 200)
    grid.show()
    qtbot.waitExposed(grid)
    grid.set_maps(_flat_maps([RED, BLUE]), ["red", "blue"], np.array([[0, 1], [0, 1]]), False)
    qtbot.wait(50)
    grid.resize(900, 420)  # the view boxes' transforms must follow before the next paint
    qtbot.waitUntil(lambda: grid.columns == 2 and grid.width() == 900, timeout=5000)
    qtbot.wait(50)
    picture = qimage_to_array(grid.grab().toImage())
    left, right = picture[:, :450], picture[:, 450:]
    # each square map fills its half's height but for its title: about 40 % of the half
    for half, colour, other in ((left, RED, BLUE), (right, BLUE, RED)):
        assert _share_of(half, colour) > 0.3
        assert _share_of(half, other) == 0.0


def test_a_view_range_changed_between_paints_is_drawn_at_once(qtbot):
    """pyqtgraph moves a view box's picture only when told a paint is coming: the grid still
    tells it, though Qt now paints without pyqtgraph's Python paintEvent."""
    grid = MapGrid()
    qtbot.addWidget(grid)
    grid.resize(400, 400)
    grid.show()
    qtbot.waitExposed(grid)
    halves = np.zeros((40, 40, 3), np.uint8)
    halves[:, :20], halves[:, 20:] = RED, BLUE
    display = DisplayPlanes(1, (40, 40), [np.zeros((40, 40), np.float32)],
                            [screen_pixels(halves)])
    grid.set_maps(display, ["halves"], np.array([[0, 1]]), False)
    qtbot.wait(50)
    before = qimage_to_array(grid.grab().toImage())
    assert _share_of(before, RED) > 0.2 and _share_of(before, BLUE) > 0.2
    grid.view_box(0).setRange(xRange=(0, 10), yRange=(15, 25), padding=0)  # red only
    after = qimage_to_array(grid.grab().toImage())
    assert _share_of(after, RED) > 0.5 and _share_of(after, BLUE) == 0.0
