"""The Network tab, driven as a student would: a photo, a layer, a hover, a click, occlusion."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from explorer.core.images import load_image
from explorer.core.network import MissingPackageError
from explorer.core.network.mosaic import channel_mosaic
from explorer.resources import resource_path
from explorer.ui.panels.network_panel import NetworkTab
from explorer.ui.widgets.channel_mosaic import MIN_TILE, mosaic_layout
from explorer.ui.widgets.colormaps import lookup_table
from tests.network_support import needs_pretrained, shared_network

CATS = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}


def picture(name: str) -> np.ndarray:
    return load_image(resource_path("samples", name))


@pytest.fixture
def tab(qtbot):
    net = shared_network()  # converted once per session, on this thread
    widget = NetworkTab(loader=lambda: net)
    qtbot.addWidget(widget)
    widget.resize(1300, 900)
    with qtbot.waitSignal(widget.loaded, timeout=20_000):
        widget.show()
    yield widget
    widget.cleanup()


def show_still(qtbot, tab, name: str = "chelsea.png"):
    with qtbot.waitSignal(tab.result_shown, timeout=20_000) as blocker:
        tab.set_source(picture(name), name, False)
    return blocker.args[0]


def wait_for_layer(qtbot, tab, layer: str):
    qtbot.waitUntil(lambda: tab._result is not None and tab._result.request.layer == layer,
                    timeout=20_000)
    return tab._result


def hover(widget, pos: QPoint) -> None:
    """Move the mouse over ``widget`` with no button held (what mouse tracking reports)."""
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), widget.mapToGlobal(QPointF(pos)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


pytestmark = needs_pretrained


def test_a_photo_shows_its_top5_and_the_stems_32_maps(qtbot, tab):
    result = show_still(qtbot, tab)
    guesses = tab.bars.guesses()
    assert len(guesses) == 5 and guesses[0].label in CATS
    assert [g.probability for g in guesses] == sorted((g.probability for g in guesses),
                                                     reverse=True)
    mosaic = tab.mosaic.mosaic()
    assert mosaic.count == 32 and mosaic.map_shape == (112, 112)
    assert mosaic.tile >= MIN_TILE
    assert result.mosaic.rgb.std() > 10  # real maps, not a flat picture
    assert tab.picture.has_picture()
    assert "stem" in tab.maps_title.text() and "112×112" in tab.maps_title.text()


def test_the_layer_table_lists_the_network_with_its_numbers(tab):
    table = tab.layer_table
    assert table.rowCount() == 18
    cells = [table.item(0, c).text() for c in range(5)]
    assert cells == ["stem", "112×112×32", "928", "10.8 M", "3×3"]
    assert table.item(17, 0).text() == "head" and table.item(17, 1).text() == "7×7×1280"
    assert "4,652,008" in tab.totals.text()


def test_clicking_a_layer_shows_all_its_channels_in_a_scrolling_grid(qtbot, tab):
    show_still(qtbot, tab, "coffee.png")
    table = tab.layer_table
    row = 16  # block 16: 320 channels of 7×7
    table.scrollToItem(table.item(row, 0))
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    result = wait_for_layer(qtbot, tab, "block 16")
    assert tab.layer() == "block 16"
    mosaic = tab.mosaic.mosaic()
    assert result.maps.shape == (7, 7, 320) and mosaic.count == 320
    assert mosaic.tile >= MIN_TILE and mosaic.tile % 7 == 0  # whole pixels per unit
    assert tab.mosaic.canvas.height() > tab.mosaic.viewport().height()  # it scrolls
    assert tab.mosaic.verticalScrollBar().maximum() > 0


def test_hovering_a_unit_draws_its_receptive_field_on_the_picture(qtbot, tab):
    show_still(qtbot, tab)
    tab.set_layer("block 3")  # 56×56 maps, each unit sees 19×19 pixels, 4 px apart
    wait_for_layer(qtbot, tab, "block 3")
    mosaic = tab.mosaic.mosaic()
    x, y = mosaic.tile_origin(5)
    unit = mosaic.tile / 56
    hover(tab.mosaic.canvas, QPoint(int(x + (20 + 0.5) * unit), int(y + (10 + 0.5) * unit)))
    field = tab.picture.field()
    assert field is not None
    assert (field.width(), field.height()) == (19, 19)
    # unit (10, 20): centre at start + index × jump = 3 + 4 × index, in pixel centres
    assert field.center().y() == pytest.approx(3 + 4 * 10 + 0.5)
    assert field.center().x() == pytest.approx(3 + 4 * 20 + 0.5)
    text = tab.field_label.text()
    assert "map 5" in text and "row 10, col 20" in text and "19×19" in text
    expected = float(tab._result.maps[10, 20, 5])
    assert f"{expected:.3g}" in text
    hover(tab.mosaic.canvas, QPoint(x + 2, y + mosaic.tile + 1))  # the gap below the tile
    assert tab.picture.field() is None


def test_clicking_a_map_lays_it_over_the_picture_and_again_hides_it(qtbot, tab):
    first = show_still(qtbot, tab)
    x, y = tab.mosaic.tile_centre(6)
    with qtbot.waitSignal(tab.result_shown, timeout=20_000) as blocker:
        qtbot.mouseClick(tab.mosaic.canvas, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    result = blocker.args[0]
    assert result.request.channel == 6 and result.overlay is not None
    assert "map 6" in tab.picture_title.text()
    # the overlay is the picture tinted by the map: not the picture, and following the map
    assert np.abs(result.overlay.astype(int) - first.picture.astype(int)).mean() > 5
    with qtbot.waitSignal(tab.result_shown, timeout=20_000) as blocker:
        qtbot.mouseClick(tab.mosaic.canvas, Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    assert blocker.args[0].request.channel is None
    assert "centre 224×224" in tab.picture_title.text()


def test_use_these_kernels_sends_the_stem_to_the_explorer(qtbot, tab):
    show_still(qtbot, tab)
    tab.pages.setCurrentIndex(1)
    swatches = tab.kernels.swatches
    qtbot.mouseClick(swatches, Qt.MouseButton.LeftButton,
                     pos=swatches.swatch_rect(9).center().toPoint())
    assert "Kernel 10 of 32" in tab.kernels.caption.text()
    learned = tab.net.conv_weights("stem")[9]
    np.testing.assert_allclose(tab.kernels.slices[1].values(), learned[:, :, 1])
    with qtbot.waitSignal(tab.send_to_explorer, timeout=2000) as blocker:
        qtbot.mouseClick(tab.use_button, Qt.MouseButton.LeftButton)
    stack = blocker.args[0]
    (spec,) = stack.layers
    assert spec.weights.shape == (32, 3, 3, 3) and spec.stride == (2, 2)
    assert spec.padding == "same" and spec.activation == "relu" and spec.pool_mode == "none"
    assert "ReLU" in stack.title and stack.filter_names[0][9] == "stem 10"


def test_occlusion_heat_map_marks_where_the_network_looks(qtbot, tab):
    show_still(qtbot, tab, "coffee.png")
    box = tab.occlusion_box
    box.square.setCurrentIndex(box.square.findData(96))
    box.step.setCurrentIndex(box.step.findData(32))
    with qtbot.waitSignal(tab.occlusion_shown, timeout=60_000) as blocker:
        qtbot.mouseClick(box.run_button, Qt.MouseButton.LeftButton)
        assert box.cancel_button.isEnabled() and not box.run_button.isEnabled()
    step = blocker.args[0]
    assert step.done == step.total == 25
    assert tab.net.classes.label(step.target) == "espresso"
    assert step.heat.max() > 0.05  # covering the cup costs the network its answer
    assert "espresso" in tab.picture_title.text()
    assert box.run_button.isEnabled() and box.clear_button.isEnabled()
    qtbot.mouseClick(box.clear_button, Qt.MouseButton.LeftButton)
    assert "centre 224×224" in tab.picture_title.text()


def test_occlusion_can_be_cancelled(qtbot, tab):
    show_still(qtbot, tab)
    box = tab.occlusion_box
    box.square.setCurrentIndex(box.square.findData(32))
    box.step.setCurrentIndex(box.step.findData(8))  # 625 places: far from done when cancelled
    with qtbot.waitSignal(tab._worker.occlusion_progress, timeout=30_000):
        qtbot.mouseClick(box.run_button, Qt.MouseButton.LeftButton)
    assert 0 < box.progress.value() < box.progress.maximum() == 625
    qtbot.mouseClick(box.cancel_button, Qt.MouseButton.LeftButton)
    assert box.run_button.isEnabled() and not box.cancel_button.isEnabled()
    # the tab goes on serving pictures: the worker dropped the occlusion run
    with qtbot.assertNotEmitted(tab.occlusion_shown), \
            qtbot.waitSignal(tab.result_shown, timeout=20_000):
        tab.set_source(picture("coffee.png"), "coffee", False)


def test_live_frames_are_served_newest_first(qtbot, tab):
    frames = [np.full((480, 640, 3), 20 * i, np.uint8) for i in range(12)]
    for frame in frames:
        tab.set_source(frame, "live", True)
        tab.request()  # as if each frame came with its own event-loop turn
    qtbot.waitUntil(lambda: tab._result is not None
                    and tab._result.request.image is frames[-1], timeout=30_000)
    assert tab._worker.superseded > 0  # older frames were dropped, not queued


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

    widget = NetworkTab(loader=loader)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.message, timeout=10_000):
        widget.show()
    assert "pip install 'cnn-explorer[pretrained]'" in widget.status.text()
    assert "cannot run" in widget.status.text()
    assert not widget.layer_table.isEnabled() and not widget.use_button.isEnabled()
    widget.set_source(picture("coffee.png"), "coffee", False)  # nothing to do, no crash
    widget.cleanup()


def test_in_the_window_the_tab_gets_the_picture_and_sends_kernels_to_the_explorer(qtbot,
                                                                                   window):
    tab = window.network_tab
    bar = window.tabs.tabBar()
    index = window.tabs.indexOf(tab)
    assert window.tabs.tabText(index) == "Network"
    with qtbot.waitSignal(tab.result_shown, timeout=30_000):  # loads, then sees the coffee
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tab.bars.guesses()[0].label in {"espresso", "cup", "coffee mug"}
    tab.pages.setCurrentIndex(1)
    qtbot.mouseClick(tab.use_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.maps_panel
    spec = window.document.layer_spec()
    assert spec.n_filters == 32 and spec.stride == (2, 2) and spec.activation == "relu"
    np.testing.assert_allclose(spec.weights, tab.net.folded_conv("stem")[0] / 128, rtol=1e-5)
