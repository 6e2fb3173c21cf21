"""The Network tab in the window: it follows the source, reports its own rate, opens from a
session on its saved layer, and a batch screenshot waits for the finished tab.

Driven as a user does: the tab bar clicked, pictures opened, the Live menu's actions, the
occlusion box's keys and buttons; what is checked is what the tab shows.
"""

from __future__ import annotations

import gc

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from explorer.app import main
from explorer.core.images import load_image
from explorer.resources import resource_path
from explorer.ui.convert import qimage_to_array
from explorer.ui.widgets.class_bars import BAR
from explorer.ui.widgets.colormaps import lookup_table
from tests.network_support import needs_pretrained
from tests.ui.pictures import load, lut_index

pytestmark = needs_pretrained
LOAD_MS = 60_000  # the first window of a test run converts the network


@pytest.fixture(autouse=True)
def _free_widgets_on_the_gui_thread():
    """Qt objects caught in reference cycles are freed by the garbage collector on whichever
    thread runs it next, a worker's too, where deleting them can crash: collect them here,
    on the GUI thread, once the test has let go of them."""
    yield
    gc.collect()


def sample(name: str) -> np.ndarray:
    return load_image(resource_path("samples", name))


def centre(image: np.ndarray) -> np.ndarray:
    """The centre of a picture at 224×224, as the network sees it: the shorter side scaled
    to 256 pixels, the middle 224 of them (cut from the original here, then resized)."""
    h, w = image.shape[:2]
    side = round(min(h, w) * 224 / 256)
    top, left = (h - side) // 2, (w - side) // 2
    square = image[top:top + side, left:left + side]
    return cv2.resize(square, (224, 224), interpolation=cv2.INTER_AREA)


def shown(view) -> np.ndarray:
    """The picture the tab paints, as the user sees it, back at 224×224."""
    widget = view.picture
    screen = qimage_to_array(widget.grab().toImage())
    t = widget.target()
    part = screen[round(t.top()):round(t.bottom()), round(t.left()):round(t.right())]
    return cv2.resize(part, (224, 224), interpolation=cv2.INTER_AREA)


def shows(view, image: np.ndarray) -> bool:
    """Whether the tab's picture is the centre of ``image``, with nothing laid over it."""
    if view.picture.target().isEmpty():
        return False  # no picture
    return float(np.abs(shown(view).astype(int) - centre(image).astype(int)).mean()) < 12


def open_network_tab(qtbot, window):
    """Click the Network tab and wait for its first guesses; returns its view."""
    view = window.tab_controllers["network"].view
    bar = window.tabs.tabBar()
    index = window.tabs.indexOf(view)
    assert window.tabs.tabText(index) == "Network"
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: len(view.bars.guesses()) == 5, timeout=LOAD_MS)
    return view


def occlude(qtbot, view) -> None:
    """Run a quick occlusion (96 px squares every 32 px) and wait for its heat map."""
    box = view.occlusion_box
    for combo, text in ((box.square, "96"), (box.step, "32")):
        combo.setFocus()
        qtbot.keyClicks(combo, text)
    qtbot.mouseClick(box.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.clear_button.isEnabled(), timeout=60_000)
    assert "p(" in view.picture_title.text()


def hover_a_unit(view) -> None:
    canvas = view.mosaic.canvas
    x, y = view.mosaic.tile_centre(3)
    pos = QPointF(x, y)
    QApplication.sendEvent(canvas, QMouseEvent(
        QEvent.Type.MouseMove, pos, canvas.mapToGlobal(pos), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    assert view.picture.field() is not None and "map 3" in view.field_label.text()


def nothing_of_the_occlusion(view) -> bool:
    return ("p(" not in view.picture_title.text()
            and not view.occlusion_box.clear_button.isEnabled())


def test_during_live_the_tab_shows_the_live_frame_and_nothing_of_the_still(qtbot, window):
    window.open_image(resource_path("samples", "chelsea.png"))
    view = open_network_tab(qtbot, window)
    qtbot.waitUntil(lambda: shows(view, sample("chelsea.png")), timeout=20_000)
    occlude(qtbot, view)
    hover_a_unit(view)
    window.start_synthetic()  # Live > Synthetic scene
    qtbot.waitUntil(lambda: window.document.picture.live, timeout=20_000)
    window.freeze_action.trigger()  # hold one frame to compare with
    frame = window.document.picture.image
    qtbot.waitUntil(lambda: shows(view, frame), timeout=20_000)
    assert nothing_of_the_occlusion(view)
    assert view.picture.field() is None and "map 3" not in view.field_label.text()
    assert view.bars.guesses()  # the frame's own guesses


def test_back_to_the_still_and_a_new_still_leave_no_occlusion(qtbot, window):
    view = open_network_tab(qtbot, window)
    window.start_synthetic()
    qtbot.waitUntil(lambda: window.document.picture.live, timeout=20_000)
    window.freeze_action.trigger()  # Live > Freeze: one frame to measure
    frame = window.document.picture.image
    qtbot.waitUntil(lambda: shows(view, frame), timeout=20_000)
    occlude(qtbot, view)
    assert not shows(view, frame)  # the heat map covers the frame
    window.stop_live_action.trigger()  # Live > Back to the still image
    qtbot.waitUntil(lambda: shows(view, sample("coffee.png")), timeout=20_000)
    assert nothing_of_the_occlusion(view)
    occlude(qtbot, view)
    window.open_image(resource_path("samples", "chelsea.png"))
    qtbot.waitUntil(lambda: shows(view, sample("chelsea.png")), timeout=20_000)
    assert nothing_of_the_occlusion(view)
    assert view.bars.guesses()[0].label in {"tabby", "tiger cat", "Egyptian cat"}


def test_the_status_bar_reports_the_network_tabs_own_rate_and_timing(qtbot, window):
    open_network_tab(qtbot, window)
    window.start_synthetic()
    qtbot.waitUntil(lambda: "pictures/s" in window.status_sizes.text(), timeout=30_000)
    text = window.status_sizes.text()
    assert "network" in text and " ms" in text and "layers" not in text
    qtbot.waitUntil(lambda: "scene" in window.status_live.text(), timeout=5000)
    assert "processed" not in window.status_live.text()  # the explorer's rate, not shown
    explorer = window.tabs.indexOf(window.maps_panel)
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(explorer).center())
    qtbot.waitUntil(lambda: "layers" in window.status_time.text(), timeout=20_000)
    assert "pictures/s" not in window.status_sizes.text()
    window.stop_live()


def _lesson(tmp_path):
    from explorer.state import Document
    from explorer.state.session import write_session

    doc = Document()
    path = resource_path("samples", "coffee.png")
    doc.set_still(sample("coffee.png"), "coffee.png", str(path))
    doc.network.layer = "block 5"  # 40 signed maps of 28×28
    doc.network.channel = 7
    doc.display.tab = "network"
    return write_session(tmp_path / "lesson.json", doc)


def test_a_session_reopens_the_network_tab_on_its_layer(qtbot, window, tmp_path):
    lesson = _lesson(tmp_path)
    window.open_image(resource_path("samples", "chelsea.png"))
    assert window.open_session(lesson)  # File > Open session
    view = window.tab_controllers["network"].view
    assert window.tabs.currentWidget() is view
    qtbot.waitUntil(lambda: view.mosaic.mosaic() is not None
                    and view.mosaic.mosaic().count == 40, timeout=LOAD_MS)
    assert view.layer_table.current_layer() == "block 5"
    assert view.mosaic.canvas.selected == 7
    assert "map 7" in view.picture_title.text()
    assert view.bars.guesses()[0].label == "espresso"


def test_a_batch_screenshot_of_the_tab_waits_for_the_finished_tab(qtbot, tmp_path):
    lesson = _lesson(tmp_path)
    out = tmp_path / "network.png"
    assert main(["--session", str(lesson), "--tab", "network", "--screenshot", str(out)]) == 0
    picture = load(out)
    # the top-5 bars and block 5's 40 maps in the diverging colours of signed maps
    assert np.count_nonzero(np.all(picture == BAR.getRgb()[:3], axis=-1)) > 500
    assert np.count_nonzero(lut_index(picture, lookup_table(True)) >= 0) > 40_000


def test_in_the_window_the_tab_sends_its_kernels_to_the_explorer(qtbot, window):
    view = open_network_tab(qtbot, window)
    assert view.bars.guesses()[0].label in {"espresso", "cup", "coffee mug"}
    bar = view.pages.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    qtbot.mouseClick(view.use_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.maps_panel
    spec = window.document.layer_spec()
    assert spec.n_filters == 32 and spec.stride == (2, 2) and spec.activation == "relu"
    from tests.network_support import shared_network

    np.testing.assert_allclose(spec.weights, shared_network().folded_conv("stem")[0] / 128,
                               rtol=1e-5)
