"""The Network tab, driven as a student would: a photo, a layer, a hover, a click, occlusion.

Its settings live in ``document.network``: what the user clicks lands there, and what a
session or a script sets there shows in the controls and the maps.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from explorer.core.images import load_image
from explorer.core.network import MissingPackageError
from explorer.core.network.mosaic import channel_mosaic
from explorer.resources import resource_path
from explorer.state import Document
from explorer.ui.controllers.network import NetworkController
from explorer.ui.widgets.channel_mosaic import MIN_TILE, mosaic_layout
from explorer.ui.widgets.colormaps import lookup_table
from tests.network_support import needs_pretrained, shared_network

CATS = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}


def picture(name: str) -> np.ndarray:
    return load_image(resource_path("samples", name))


@pytest.fixture(autouse=True)
def _free_widgets_on_the_gui_thread():
    """Qt objects caught in reference cycles are freed by the garbage collector on whichever
    thread runs it next, a worker's too, where deleting them can crash: collect them here,
    on the GUI thread, once the test has let go of them."""
    yield
    gc.collect()


@pytest.fixture
def tab(qtbot):
    net = shared_network()  # converted once per session, on this thread
    controller = NetworkController(Document(), loader=lambda: net)
    view = controller.view
    qtbot.addWidget(view)
    view.resize(1300, 900)
    view.show()
    with qtbot.waitSignal(controller.loaded, timeout=20_000):
        controller.set_active(True)  # the window shows the tab
    yield controller
    controller.cleanup()


def show_still(qtbot, tab, name: str = "chelsea.png"):
    with qtbot.waitSignal(tab.result_shown, timeout=20_000) as blocker:
        tab.document.set_still(picture(name), name)
    return blocker.args[0]


def wait_for_layer(qtbot, tab, layer: str):
    qtbot.waitUntil(lambda: tab.result is not None and tab.result.request.layer == layer
                    and tab.is_settled(), timeout=20_000)
    return tab.result


def hover(widget, pos: QPoint) -> None:
    """Move the mouse over ``widget`` with no button held (what mouse tracking reports)."""
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), widget.mapToGlobal(QPointF(pos)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def choose(qtbot, combo, text: str) -> None:
    """Pick an item of a combo box by typing its first characters, as on a keyboard."""
    combo.setFocus()
    qtbot.keyClicks(combo, text)


pytestmark = needs_pretrained


def test_a_photo_shows_its_top5_and_the_stems_32_maps(qtbot, tab):
    result = show_still(qtbot, tab)
    view = tab.view
    guesses = view.bars.guesses()
    assert len(guesses) == 5 and guesses[0].label in CATS
    assert [g.probability for g in guesses] == sorted((g.probability for g in guesses),
                                                     reverse=True)
    mosaic = view.mosaic.mosaic()
    assert mosaic.count == 32 and mosaic.map_shape == (112, 112)
    assert mosaic.tile >= MIN_TILE
    assert result.mosaic.rgb.std() > 10  # real maps, not a flat picture
    assert view.picture.has_picture()
    assert "stem" in view.maps_title.text() and "112×112" in view.maps_title.text()
    assert tab.is_settled()
    assert "network" in tab.status_text() and " ms" in tab.status_text()


def test_the_layer_table_lists_the_network_with_its_numbers(tab):
    table = tab.view.layer_table
    assert table.rowCount() == 18
    cells = [table.item(0, c).text() for c in range(5)]
    assert cells == ["stem", "112×112×32", "928", "10.8 M", "3×3"]
    assert table.item(17, 0).text() == "head" and table.item(17, 1).text() == "7×7×1280"
    assert "4,652,008" in tab.view.totals.text()


def test_clicking_a_layer_shows_all_its_channels_in_a_scrolling_grid(qtbot, tab):
    show_still(qtbot, tab, "coffee.png")
    tab.document.network.channel = 3  # a map of the stem laid over the picture
    view = tab.view
    table = view.layer_table
    row = 16  # block 16: 320 channels of 7×7
    table.scrollToItem(table.item(row, 0))
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    result = wait_for_layer(qtbot, tab, "block 16")
    assert tab.document.network.layer == "block 16"
    assert tab.document.network.channel == -1  # map 3 of the stem means nothing here
    mosaic = view.mosaic.mosaic()
    assert result.maps.shape == (7, 7, 320) and mosaic.count == 320
    assert mosaic.tile >= MIN_TILE and mosaic.tile % 7 == 0  # whole pixels per unit
    assert view.mosaic.canvas.height() > view.mosaic.viewport().height()  # it scrolls
    assert view.mosaic.verticalScrollBar().maximum() > 0


def test_hovering_a_unit_draws_its_receptive_field_on_the_picture(qtbot, tab):
    show_still(qtbot, tab)
    tab.document.network.layer = "block 3"  # 56×56 maps, each unit sees 19×19 px, 4 px apart
    wait_for_layer(qtbot, tab, "block 3")
    view = tab.view
    mosaic = view.mosaic.mosaic()
    x, y = mosaic.tile_origin(5)
    unit = mosaic.tile / 56
    hover(view.mosaic.canvas, QPoint(int(x + (20 + 0.5) * unit), int(y + (10 + 0.5) * unit)))
    field = view.picture.field()
    assert field is not None
    assert (field.width(), field.height()) == (19, 19)
    # unit (10, 20): centre at start + index × jump = 3 + 4 × index, in pixel centres
    assert field.center().y() == pytest.approx(3 + 4 * 10 + 0.5)
    assert field.center().x() == pytest.approx(3 + 4 * 20 + 0.5)
    text = view.field_label.text()
    assert "map 5" in text and "row 10, col 20" in text and "19×19" in text
    expected = float(shared_network().activations(picture("chelsea.png"), "block 3")[10, 20, 5])
    assert f"{expected:.3g}" in text
    hover(view.mosaic.canvas, QPoint(x + 2, y + mosaic.tile + 1))  # the gap below the tile
    assert view.picture.field() is None
    assert "Hover" in view.field_label.text()


def test_clicking_a_map_lays_it_over_the_picture_and_again_hides_it(qtbot, tab):
    first = show_still(qtbot, tab)
    view = tab.view
    x, y = view.mosaic.tile_centre(6)
    with qtbot.waitSignal(tab.result_shown, timeout=20_000) as blocker:
        qtbot.mouseClick(view.mosaic.canvas, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    result = blocker.args[0]
    assert tab.document.network.channel == 6
    assert result.request.channel == 6 and result.overlay is not None
    assert view.mosaic.canvas.selected == 6
    assert "map 6" in view.picture_title.text()
    # the overlay is the picture tinted by the map: not the picture, and following the map
    assert np.abs(result.overlay.astype(int) - first.picture.astype(int)).mean() > 5
    with qtbot.waitSignal(tab.result_shown, timeout=20_000) as blocker:
        qtbot.mouseClick(view.mosaic.canvas, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    assert blocker.args[0].request.channel is None
    assert tab.document.network.channel == -1
    assert "centre 224×224" in view.picture_title.text()


def test_each_map_its_own_scale_is_a_setting(qtbot, tab):
    show_still(qtbot, tab)
    view = tab.view
    with qtbot.waitSignal(tab.result_shown, timeout=20_000) as blocker:
        qtbot.mouseClick(view.per_channel, Qt.MouseButton.LeftButton,
                         pos=QPoint(8, view.per_channel.height() // 2))
    assert tab.document.network.per_channel is True
    assert blocker.args[0].request.per_channel is True
    assert "each its own colour scale" in view.maps_title.text()


def test_settings_from_a_session_or_script_show_in_the_controls_and_maps(qtbot, tab):
    show_still(qtbot, tab)
    s = tab.document.network
    s.update({"layer": "block 5", "channel": 7, "per_channel": True, "page": "kernels",
              "kernel": 3, "occlusion_square": 64, "occlusion_step": 8})
    result = wait_for_layer(qtbot, tab, "block 5")
    view = tab.view
    assert view.layer_table.current_layer() == "block 5"
    assert result.maps.shape[2] == 40 and result.request.channel == 7
    assert result.request.per_channel and view.per_channel.isChecked()
    assert view.mosaic.canvas.selected == 7
    assert view.pages.currentIndex() == 1
    assert "Kernel 4 of 32" in view.kernels.caption.text()
    box = view.occlusion_box
    assert (box.square.currentData(), box.step.currentData()) == (64, 8)
    s.occlusion_square = 50  # no item offers it: one is added, in order
    assert box.square.currentData() == 50 and box.square.currentText() == "50×50 px"
    assert [box.square.itemData(i) for i in range(box.square.count())] == [32, 48, 50, 64, 96]
    assert s.occlusion_square == 50  # showing it wrote nothing back


def test_use_these_kernels_sends_the_stem_to_the_explorer(qtbot, tab):
    show_still(qtbot, tab)
    view = tab.view
    bar = view.pages.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert tab.document.network.page == "kernels"
    swatches = view.kernels.swatches
    qtbot.mouseClick(swatches, Qt.MouseButton.LeftButton,
                     pos=swatches.swatch_rect(9).center().toPoint())
    assert tab.document.network.kernel == 9
    assert "Kernel 10 of 32" in view.kernels.caption.text()
    learned = shared_network().conv_weights("stem")[9]
    np.testing.assert_allclose(view.kernels.slices[1].values(), learned[:, :, 1])
    with qtbot.waitSignal(tab.send_to_explorer, timeout=2000) as blocker:
        qtbot.mouseClick(view.use_button, Qt.MouseButton.LeftButton)
    stack = blocker.args[0]
    (spec,) = stack.layers
    assert spec.weights.shape == (32, 3, 3, 3) and spec.stride == (2, 2)
    assert spec.padding == "same" and spec.activation == "relu" and spec.pool_mode == "none"
    assert "ReLU" in stack.title and stack.filter_names[0][9] == "stem 10"


def test_occlusion_heat_map_marks_where_the_network_looks(qtbot, tab):
    show_still(qtbot, tab, "coffee.png")
    view = tab.view
    box = view.occlusion_box
    choose(qtbot, box.square, "96")
    choose(qtbot, box.step, "32")
    assert (tab.document.network.occlusion_square, tab.document.network.occlusion_step) == \
        (96, 32)
    with qtbot.waitSignal(tab.occlusion_shown, timeout=60_000) as blocker:
        qtbot.mouseClick(box.run_button, Qt.MouseButton.LeftButton)
        assert box.cancel_button.isEnabled() and not box.run_button.isEnabled()
    shown = blocker.args[0]
    step = shown.step
    assert step.done == step.total == 25
    assert shown.label == "espresso"
    assert step.heat.max() > 0.05  # covering the cup costs the network its answer
    assert "espresso" in view.picture_title.text()
    assert box.run_button.isEnabled() and box.clear_button.isEnabled()
    # the heat map was laid over the picture on the worker: strong values colour it
    base = tab.result.picture.astype(int)
    strong = np.abs(step.heat) > 0.5 * np.abs(step.heat).max()
    assert np.abs(shown.overlay.astype(int) - base)[strong].mean() > 20
    qtbot.mouseClick(box.clear_button, Qt.MouseButton.LeftButton)
    assert "centre 224×224" in view.picture_title.text()
    assert not view.has_occlusion()


def test_occlusion_can_be_cancelled(qtbot, tab):
    show_still(qtbot, tab)
    box = tab.view.occlusion_box
    choose(qtbot, box.square, "32")
    choose(qtbot, box.step, "8")  # 625 places: far from done when cancelled
    with qtbot.waitSignal(tab.worker.progress, timeout=30_000):
        qtbot.mouseClick(box.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.progress.value() > 0, timeout=10_000)
    assert 0 < box.progress.value() < box.progress.maximum() == 625
    qtbot.mouseClick(box.cancel_button, Qt.MouseButton.LeftButton)
    assert box.run_button.isEnabled() and not box.cancel_button.isEnabled()
    assert not tab.worker.running_steps
    # the tab goes on serving pictures: the worker dropped the occlusion run
    with qtbot.assertNotEmitted(tab.occlusion_shown), \
            qtbot.waitSignal(tab.result_shown, timeout=20_000):
        tab.document.set_still(picture("coffee.png"), "coffee")


def test_a_hidden_tab_pauses_its_occlusion_and_resumes_it_when_shown(qtbot, tab):
    show_still(qtbot, tab, "coffee.png")
    box = tab.view.occlusion_box
    choose(qtbot, box.square, "96")
    choose(qtbot, box.step, "32")
    with qtbot.waitSignal(tab.worker.progress, timeout=30_000):
        qtbot.mouseClick(box.run_button, Qt.MouseButton.LeftButton)
    tab.set_active(False)  # another tab is shown
    assert tab.worker.paused
    with qtbot.waitSignal(tab.occlusion_shown, timeout=60_000) as blocker:
        tab.set_active(True)
    assert blocker.args[0].step.done == 25


def test_view_requests_are_served_between_the_rows_of_an_occlusion(qtbot, tab):
    show_still(qtbot, tab)
    box = tab.view.occlusion_box
    choose(qtbot, box.square, "32")
    choose(qtbot, box.step, "8")  # 25 rows of 25 places
    with qtbot.waitSignal(tab.worker.progress, timeout=30_000):
        qtbot.mouseClick(box.run_button, Qt.MouseButton.LeftButton)
    tab.document.network.layer = "block 1"  # a new view while the rows go on
    result = wait_for_layer(qtbot, tab, "block 1")
    assert result.maps.shape == (112, 112, 16)
    assert tab.worker.running_steps  # the occlusion was not stopped to serve it
    assert tab.view.has_occlusion()  # and its heat map stays over the same picture
    tab.cancel_occlusion()


def test_occlusion_on_a_live_feed_holds_the_frame_it_measures(qtbot, tab):
    doc = tab.document
    doc.live.active = True
    frame = picture("coffee.png")
    with qtbot.waitSignal(tab.result_shown, timeout=20_000):
        doc.show_frame(frame, 1, 1)
    box = tab.view.occlusion_box
    choose(qtbot, box.square, "96")
    choose(qtbot, box.step, "32")
    with qtbot.waitSignal(tab.occlusion_shown, timeout=60_000) as blocker:
        qtbot.mouseClick(box.run_button, Qt.MouseButton.LeftButton)
        assert doc.live.frozen  # the feed holds the frame being measured
    assert blocker.args[0].label == "espresso"
    assert tab.view.has_occlusion()
    doc.live.frozen = False  # the feed goes on: the heat map was of the frame before
    with qtbot.waitSignal(tab.message, timeout=2000) as note:
        doc.show_frame(picture("chelsea.png"), 1, 2)
    assert "picture changed" in note.args[0]
    assert not tab.view.has_occlusion() and "p(" not in tab.view.picture_title.text()
    assert not box.clear_button.isEnabled()


def test_live_frames_are_served_newest_first(qtbot, tab):
    doc = tab.document
    doc.live.active = True
    frames = [np.full((480, 640, 3), 20 * i, np.uint8) for i in range(12)]
    for i, frame in enumerate(frames):
        doc.show_frame(frame, 1, i + 1)
        tab.request()  # as if each frame came with its own event-loop turn
    qtbot.waitUntil(tab.is_settled, timeout=30_000)
    assert tab.result.request.image is frames[-1]
    assert tab.worker.superseded > 0  # older frames were dropped, not queued


class LayoutWatch(QObject):
    """Counts the layout requests any widget gets (a re-layout climbs to the window)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.requests += 1
        return False


def test_a_live_frame_repaints_the_tab_without_laying_it_out_again(qtbot, tab):
    doc = tab.document
    doc.network.layer = "block 3"  # signed maps: the colour scale follows each frame
    doc.live.active = True
    rng = np.random.default_rng(0)
    frames = [picture("coffee.png"), picture("chelsea.png"),
              *(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8) for _ in range(3))]
    with qtbot.waitSignal(tab.result_shown, timeout=20_000):
        doc.show_frame(frames[0], 1, 1)
    view = tab.view
    x, y = view.mosaic.tile_centre(4)
    hover(view.mosaic.canvas, QPoint(x, y))  # its readout changes with every frame too
    qtbot.wait(50)
    watch = LayoutWatch()
    app = QApplication.instance()
    app.installEventFilter(watch)
    try:
        readouts, captions = set(), set()
        for i, frame in enumerate(frames[1:], start=2):
            with qtbot.waitSignal(tab.result_shown, timeout=20_000):
                doc.show_frame(frame, 1, i)
            qtbot.wait(20)  # let posted events run
            readouts.add(view.field_label.text())
            captions.add(view.maps_title.text())
    finally:
        app.removeEventFilter(watch)
    assert len(readouts) == len(captions) == 4  # new numbers with every frame
    assert watch.requests == 0


def test_a_hidden_tab_computes_nothing_and_catches_up_when_shown(qtbot, tab):
    show_still(qtbot, tab)
    tab.set_active(False)
    with qtbot.assertNotEmitted(tab.result_shown, wait=300):
        tab.document.network.layer = "block 2"
        tab.document.set_still(picture("coffee.png"), "coffee")
    assert not tab.is_settled()
    with qtbot.waitSignal(tab.result_shown, timeout=20_000) as blocker:
        tab.set_active(True)
    result = blocker.args[0]
    assert result.request.layer == "block 2" and result.top[0].label == "espresso"


def test_the_grid_stays_legible_for_every_layer():
    net = shared_network()
    for info in net.layers:
        h, _, c = info.shape
        tile, columns = mosaic_layout(c, h, 620, 400)
        assert tile >= MIN_TILE and columns * (tile + 4) - 4 <= max(620, MIN_TILE)
        if c <= 32:
            rows = -(-c // columns)
            assert rows * (tile + 4) - 4 <= 400  # a few channels fit without scrolling
    maps = np.zeros((7, 7, 1280), np.float32)
    m = channel_mosaic(maps, 56, 10, signed_lut=lookup_table(True),
                       sequential_lut=lookup_table(False))
    assert m.rgb.shape[:2] == (128 * 60 - 4, 10 * 60 - 4)


def test_a_missing_package_is_explained_in_the_tab(qtbot):
    def loader():
        raise MissingPackageError("the pretrained network is not installed: install it with "
                                  "pip install 'cnn-explorer[pretrained]'")

    doc = Document()
    tab = NetworkController(doc, loader=loader)
    view = tab.view
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(tab.message, timeout=10_000):
        tab.set_active(True)
    assert "pip install 'cnn-explorer[pretrained]'" in view.status.text()
    assert "cannot run" in view.status.text()
    assert not view.layer_table.isEnabled() and not view.use_button.isEnabled()
    assert tab.is_settled()  # a screenshot shows why the tab cannot run
    doc.set_still(picture("coffee.png"), "coffee")  # nothing to do, no crash
    qtbot.wait(50)
    assert tab.result is None
    tab.cleanup()
