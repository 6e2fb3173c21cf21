"""What a unit of the pretrained network looks for, driven as a student would: the Learned
filters page (the lecture's AlexNet figure from real weights) and the Top-9 patches page (the
pictures that excite a channel, live, a click opening one).

What is checked is what the pages paint and what lands in ``document.network``.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from explorer.core.images import load_image
from explorer.resources import resource_path, sample_images
from explorer.state import Document
from explorer.ui.controllers.network import NetworkController
from explorer.ui.convert import qimage_to_array
from tests.network_support import needs_pretrained, shared_network

pytestmark = needs_pretrained
WAIT_MS = 60_000


@pytest.fixture(autouse=True)
def _free_widgets_on_the_gui_thread():
    """Qt objects in reference cycles are freed here, on the GUI thread, not on a worker's."""
    yield
    gc.collect()


@pytest.fixture
def tab(qtbot):
    net = shared_network()
    controller = NetworkController(Document(), loader=lambda: net)
    view = controller.view
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    with qtbot.waitSignal(controller.loaded, timeout=WAIT_MS):
        controller.set_active(True)
    yield controller
    controller.cleanup()


def open_page(qtbot, tab, title: str) -> None:
    bar = tab.view.pages.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())


def painted(widget) -> np.ndarray:
    return qimage_to_array(widget.grab().toImage())


def expected_tile(values: np.ndarray) -> np.ndarray:
    """The documented mapping, one value at a time: zero grey (128), the tile's largest
    magnitude at 0 or 255, one symmetric scale for the tile's three colours."""
    k = values.shape[0]
    peak = 0.0
    for v in values.ravel():
        peak = max(peak, abs(float(v)))
    out = np.zeros((k, k, 3), np.int64)
    for y in range(k):
        for x in range(k):
            for c in range(3):
                v = float(values[y, x, c]) / peak if peak > 0 else 0.0
                out[y, x, c] = min(255, max(0, round(128 + 127 * v)))
    return out


def tile_on_screen(tiles_widget, i: int) -> np.ndarray:
    """Tile ``i`` as painted: the centre pixel of each filter pixel's block."""
    picture = painted(tiles_widget)
    rect = tiles_widget.tile_rect(i)
    _, zoom = tiles_widget.grid()
    k = rect.width() // zoom
    return np.array([[picture[rect.top() + y * zoom + zoom // 2,
                              rect.left() + x * zoom + zoom // 2] for x in range(k)]
                     for y in range(k)], np.int64)


def test_the_learned_filters_page_draws_block_2s_96_filters_beside_the_stem(qtbot, tab):
    with qtbot.waitSignal(tab.figure_shown, timeout=WAIT_MS):
        open_page(qtbot, tab, "Learned filters")
    assert tab.document.network.page == "filters"
    page = tab.view.figure_page
    qtbot.waitUntil(lambda: page.filters.count() == 96, timeout=5000)
    _, zoom = page.filters.grid()
    assert zoom >= 3  # tiles of at least 33×33 px at 1280×800
    net = shared_network()
    filters = net.unit_filters("block 2 depthwise")
    for channel in (0, 37, 95):
        np.testing.assert_array_equal(tile_on_screen(page.filters, channel),
                                      expected_tile(filters[channel]))
    stem = net.conv_weights("stem")
    np.testing.assert_array_equal(tile_on_screen(page.stem, 9), expected_tile(stem[9]))
    assert "96 input-space filters of 11×11" in page.filters_title.text()
    assert "AlexNet" in page.why.text()


def test_another_early_layer_is_chosen_from_the_list(qtbot, tab):
    tab.document.network.page = "filters"
    page = tab.view.figure_page
    qtbot.waitUntil(lambda: page.shown_layer() == "block 2 depthwise", timeout=WAIT_MS)
    combo = page.layer_combo
    combo.setFocus()
    with qtbot.waitSignal(tab.figure_shown, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        qtbot.keyClick(combo, Qt.Key.Key_Down)  # block 2 depthwise → block 2 → block 3 …
    assert tab.document.network.filter_layer == "block 3 depthwise"
    assert blocker.args[0].tiles.shape == (144, 19, 19, 3)
    assert page.filters.count() == 144
    np.testing.assert_array_equal(
        tile_on_screen(page.filters, 100),
        expected_tile(shared_network().unit_filters("block 3 depthwise")[100]))


def samples() -> list[tuple[str, np.ndarray]]:
    return [(path.name, load_image(path)) for path in sample_images()]


def brute_force(pictures: list[np.ndarray], layer: str, channel: int, k: int = 9) -> list[int]:
    """Indices of the k pictures whose strongest unit is largest, best first."""
    net = shared_network()
    scored = []
    for index, picture in enumerate(pictures):
        plane = net.activations(picture, layer)[:, :, channel]
        best = -np.inf
        for value in plane.ravel():
            best = max(best, float(value))
        scored.append((-best, index))
    return [index for _, index in sorted(scored)[:k]]


def set_channel(qtbot, spin, value: int) -> None:
    """Type a channel and press Enter, as a user does."""
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, str(value))
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def test_the_top_patches_follow_the_channel_typed_and_the_live_frames(qtbot, tab):
    doc = tab.document
    doc.network.layer = "block 3"
    open_page(qtbot, tab, "Top-9 patches")
    page = tab.view.patches_page
    with qtbot.waitSignal(tab.patches_shown, timeout=WAIT_MS) as blocker:
        set_channel(qtbot, page.channel, 17)
    assert doc.network.patch_channel == 17 and doc.network.page == "patches"
    found = blocker.args[0]
    named = samples()
    want = brute_force([image for _, image in named], "block 3", 17)
    assert [p.name for p in found.pictures] == [named[i][0] for i in want]
    assert page.grid.count() == len(named)  # fewer than nine pictures so far: all shown
    assert page.grid.captions()[0].startswith(f"1. {named[want[0]][0]} · ")
    # a live feed: each frame joins the search as it comes, and the top-9 follows
    doc.live.active = True
    rng = np.random.default_rng(3)
    frames = [named[3][1][::-1].copy(), rng.integers(0, 256, (240, 320, 3), dtype=np.uint8),
              np.ascontiguousarray(named[0][1][:, ::-1]), named[2][1][100:400, 50:500].copy()]
    for i, frame in enumerate(frames, start=1):
        with qtbot.waitSignal(tab.patches_shown, timeout=WAIT_MS) as blocker:
            doc.show_frame(frame, 1, i)
        assert blocker.args[0].frames == i
    found = blocker.args[0]
    everything = [image for _, image in named] + frames
    names = [name for name, _ in named] + [f"frame {i}" for i in range(1, 5)]
    assert [p.name for p in found.pictures] == [names[i] for i in
                                                brute_force(everything, "block 3", 17)]
    assert page.grid.count() == 9
    assert "4 pictures seen in this tab" in page.searched.text()


def test_clicking_a_patch_opens_its_picture_and_a_new_source_leaves_only_the_samples(
        qtbot, tab):
    doc = tab.document
    doc.live.active = True
    frame = load_image(resource_path("samples", "coffee.png"))[::-1].copy()
    doc.network.page = "patches"
    with qtbot.waitSignal(tab.patches_shown, timeout=WAIT_MS):
        doc.show_frame(frame, 1, 1)
    page = tab.view.patches_page
    found = tab.patches
    grid = page.grid
    sample_at = next(i for i, p in enumerate(found.pictures) if p.path is not None)
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton,
                     pos=grid.patch_rect(sample_at).center())
    name = found.pictures[sample_at].name
    assert doc.still.name == name
    np.testing.assert_array_equal(doc.still.image,
                                  load_image(resource_path("samples", name)))
    doc.live.active = False  # back to the still: a new source
    with qtbot.waitSignal(tab.patches_shown, timeout=WAIT_MS) as blocker:
        doc.set_still(doc.still.image, doc.still.name, doc.still.path)
    again = blocker.args[0]
    assert again.frames == 0  # the feed's frame left the search; the opened sample is in it
    assert all(p.path is not None for p in again.pictures)


def colours(picture: np.ndarray) -> set[int]:
    rgb = picture.reshape(-1, 3).astype(np.int64)
    return set(np.unique((rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).tolist())


def colour_codes(tile: np.ndarray) -> set[int]:
    return {(int(r) << 16) | (int(g) << 8) | int(b) for r, g, b in tile.reshape(-1, 3)}


def test_the_batch_slide_of_the_learned_filters_is_the_figure_without_controls(
        qtbot, tmp_path):
    from explorer.app import main
    from explorer.state.session import write_session
    from tests.ui.pictures import load

    doc = Document()
    doc.network.page = "filters"
    doc.display.tab = "network"
    lesson = write_session(tmp_path / "lesson.json", doc)
    out = tmp_path / "filters.png"
    assert main(["--session", str(lesson), "--panel", "network", "--scale", "2",
                 "--screenshot", str(out)]) == 0
    picture = load(out)
    shown = colours(picture)
    filters = shared_network().unit_filters("block 2 depthwise")
    for channel in range(96):  # every filter pixel, in the documented mapping
        assert colour_codes(expected_tile(filters[channel])) <= shown, channel
    stem = shared_network().conv_weights("stem")
    assert colour_codes(expected_tile(stem[31])) <= shown
    # the slides' dark page, not the window: the controls' grey is nowhere to be seen in bulk
    assert (picture[:8, :8] == 30).all()
    window_grey = tab_background(qtbot)
    assert np.count_nonzero(np.all(picture == window_grey, axis=-1)) < 0.01 * picture[..., 0].size


def tab_background(qtbot) -> tuple[int, int, int]:
    from PySide6.QtWidgets import QWidget

    widget = QWidget()
    qtbot.addWidget(widget)
    return widget.palette().window().color().getRgb()[:3]


def test_export_view_current_tab_saves_the_top_patches_as_a_slide(qtbot, window, tmp_path):
    from tests.ui.pictures import load

    tab = window.tab_controllers["network"]
    window.document.network.page = "patches"
    bar = window.tabs.tabBar()
    with qtbot.waitSignal(tab.patches_shown, timeout=WAIT_MS):
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                         pos=bar.tabRect(window.tabs.indexOf(tab.view)).center())
    qtbot.waitUntil(tab.is_settled, timeout=WAIT_MS)
    out = window.export_view(tmp_path / "patches.png", "Current tab")
    picture = load(out)
    shown = colours(picture)
    for patch in tab.patches.top.patches:  # each patch, pixel for pixel (enlarged)
        assert colour_codes(patch) <= shown
    assert tuple(picture[4, 4]) == (30, 30, 30)  # the slides' dark page


def test_the_channel_list_follows_the_layer_and_a_clicked_map_is_the_patches_channel(
        qtbot, tab):
    with qtbot.waitSignal(tab.result_shown, timeout=WAIT_MS):
        tab.document.set_still(load_image(resource_path("samples", "coffee.png")), "coffee")
    view = tab.view
    x, y = view.mosaic.tile_centre(6)
    qtbot.mouseClick(view.mosaic.canvas, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    assert (tab.document.network.channel, tab.document.network.patch_channel) == (6, 6)
    open_page(qtbot, tab, "Top-9 patches")
    page = view.patches_page
    assert page.channel.value() == 6
    combo = page.layer_combo
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_End)  # the head: 1280 channels, where the stem had 32
    qtbot.keyClick(combo, Qt.Key.Key_Up)  # block 16: 320
    assert tab.document.network.layer == "block 16"
    assert tab.document.network.patch_channel == 0  # a new layer starts at its first channel
    assert page.channel.maximum() == 319
    with qtbot.waitSignal(tab.patches_shown, timeout=WAIT_MS) as blocker:
        set_channel(qtbot, page.channel, 300)
    assert tab.document.network.patch_channel == 300
    assert (blocker.args[0].layer, blocker.args[0].channel) == ("block 16", 300)
    assert view.layer_table.current_layer() == "block 16"  # one layer for both pages


def test_a_session_or_script_sets_the_pages_and_they_show_it(qtbot, tab):
    doc = tab.document
    view = tab.view
    with qtbot.waitSignal(tab.figure_shown, timeout=WAIT_MS) as blocker:
        doc.network.update({"page": "filters", "filter_layer": "block 1 depthwise"})
    assert blocker.args[0].tiles.shape == (32, 7, 7, 3)
    assert view.pages.currentIndex() == 2
    assert view.figure_page.layer_combo.currentData() == "block 1 depthwise"
    with qtbot.waitSignal(tab.patches_shown, timeout=WAIT_MS) as blocker:
        doc.network.update({"page": "patches", "layer": "block 5", "patch_channel": 33})
    assert (blocker.args[0].layer, blocker.args[0].channel) == ("block 5", 33)
    page = view.patches_page
    assert view.pages.currentIndex() == 3
    assert (page.layer_combo.currentData(), page.channel.value()) == ("block 5", 33)
    assert doc.network.patch_channel == 33  # showing it wrote nothing back
