"""The explorer window end to end: sources, the request path, errors, export, settings."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QAction, QImage

from explorer.core import kernels
from explorer.core.computer import StackRequest, StackResult
from explorer.resources import sample_images
from explorer.ui.convert import array_to_qimage, qimage_to_array
from tests.reference import conv_loops, pads_by_definition
from tests.ui.results import wait_result


def _first(result: StackResult):
    return result.stages[0]


@pytest.mark.parametrize("path", sample_images(), ids=lambda p: p.name)
def test_every_sample_opens_and_is_computed(qtbot, window, path):
    result = wait_result(qtbot, window, lambda: window.open_image(path))
    side = max(result.picture.shape[:2])
    assert side <= window.document.input.max_side
    assert _first(result).feature_maps.shape[2] == window.document.layer.n_filters
    assert not window.banner.isVisible()


def test_a_generated_file_and_a_gray_picture(qtbot, window, tmp_path):
    gray = np.tile(np.arange(64, dtype=np.uint8) * 4, (48, 1))
    path = tmp_path / "ramp.png"
    cv2.imwrite(str(path), gray)
    result = wait_result(qtbot, window, lambda: window.open_image(path))
    assert window.document.input.grayscale  # a gray picture gives 1-channel kernels
    assert _first(result).spec.channels == 1
    assert result.picture.shape == (48, 64)


@pytest.fixture
def small_picture(qtbot, window, tmp_path):
    """A 14×18 photo-like picture: small enough for the loop reference."""
    picture = np.random.default_rng(5).integers(0, 256, (14, 18, 3), dtype=np.uint8)
    path = tmp_path / "small.png"
    cv2.imwrite(str(path), picture[:, :, ::-1])
    wait_result(qtbot, window, lambda: window.open_image(path))
    return picture


@pytest.mark.parametrize("name", kernels.names())
def test_every_preset_computes_what_the_loops_compute(qtbot, window, small_picture, name):
    result = wait_result(qtbot, window, lambda: window.kernel_editor.apply_preset_to_all(name))
    stage = _first(result)
    assert stage.spec.weights.shape[0] == window.document.layer.n_filters
    spec = stage.spec
    expected = conv_loops(small_picture, spec.weights, spec.bias, spec.stride, spec.padding,
                          spec.pad_mode, spec.dilation, spec.flip)
    np.testing.assert_allclose(stage.pre_activation, expected, rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize(
    "changes",
    [{"stride": 2}, {"dilation": 3}, {"padding": "valid"}, {"padding": "full"},
     {"padding": "custom", "pad_h": 4, "pad_w": 0}, {"kernel_h": 5, "kernel_w": 7},
     {"pool_size": 3, "pool_stride": 2}, {"pool_mode": "avg"}, {"n_filters": 9}],
)
def test_layer_settings_change_the_output_shape_as_the_lecture_says(qtbot, window, changes):
    layer = window.document.layer

    def apply():
        for name, value in changes.items():
            setattr(layer, name, value)

    stage = _first(wait_result(qtbot, window, apply))
    h, w = stage.input.shape[:2]
    pad = layer.conv_padding()
    ph, pw = (pad, pad) if isinstance(pad, str) else pad

    def windows(n: int, padding: int, taps: int, step: int) -> int:
        """Slow reference: slide a window of ``taps`` along the padded axis and count."""
        covered = sum(pads_by_definition(n, taps, step, layer.dilation, padding)) + n
        reach = (taps - 1) * layer.dilation + 1
        count, start = 0, 0
        while start + reach <= covered:
            count, start = count + 1, start + step
        return count

    oh = windows(h, ph, layer.kernel_h, layer.stride)
    ow = windows(w, pw, layer.kernel_w, layer.stride)
    assert stage.feature_maps.shape == (oh, ow, layer.n_filters)
    pooled = []
    for n in (oh, ow):  # the pooling window does not dilate
        count, start = 0, 0
        while start + layer.pool_size <= n:
            count, start = count + 1, start + layer.pool_stride
        pooled.append(count)
    assert stage.pooled.shape[:2] == tuple(pooled)


def test_absurd_settings_show_a_message_and_keep_the_last_result(qtbot, window, tmp_path):
    tiny = tmp_path / "tiny.png"
    cv2.imwrite(str(tiny), np.zeros((6, 6, 3), np.uint8))
    wait_result(qtbot, window, lambda: window.open_image(tiny))
    # the tiles' first layout may ask for one more rendering of these maps: let it land
    qtbot.wait(50)
    qtbot.waitUntil(lambda: not (window.controller.scheduled or window.controller.waiting),
                    timeout=10_000)
    good = window.last_result
    with qtbot.waitSignal(window.error_shown, timeout=20_000) as blocker:
        window.document.layer.padding = "valid"
        window.document.layer.kernel_h = 15
    assert "larger" in blocker.args[0]
    assert window.banner.isVisible()
    assert window.last_result is good  # the maps of the last good settings stay
    # a good setting again clears the message
    wait_result(qtbot, window, lambda: setattr(window.document.layer, "kernel_h", 3))
    assert not window.banner.isVisible()


@pytest.mark.parametrize("content", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n\0\0"])
def test_broken_files_give_a_message_and_no_crash(qtbot, window, tmp_path, content):
    before = window.last_result
    path = tmp_path / "broken.png"
    path.write_bytes(content)
    with qtbot.waitSignal(window.error_shown, timeout=5_000) as blocker:
        assert not window.open_image(path)
    assert "broken.png" in blocker.args[0]
    assert window.last_result is before
    assert window.document.image is not None


def test_an_older_result_arriving_late_is_dropped(window):
    shown = window.last_result
    older = StackResult(shown.generation - 1, shown.request, shown.picture, shown.stages)
    window.controller._on_result(older)
    assert window.last_result is shown
    assert window.maps_panel.result is shown


def test_the_worker_computes_the_newest_request_and_skips_the_rest(qtbot, window):
    """Requests sent while the worker is busy replace each other: only the last is computed."""
    worker = window.controller.worker
    computer = worker._computer
    gate, started = threading.Event(), threading.Event()
    computed: list[int] = []
    real = computer.compute

    def gated(request: StackRequest, token=None) -> StackResult:
        computed.append(request.generation)
        if request.generation == 1000:
            started.set()
            gate.wait(10)
            assert token.cancelled  # a newer still request stops the one it replaces
        return real(request, token)

    computer.compute = gated
    image, specs = window.source_image(), window.document.stack_specs()
    try:
        worker.compute(StackRequest(1000, image, specs))
        assert started.wait(10)
        for g in range(1001, 1010):
            worker.compute(StackRequest(g, image, specs))
        gate.set()
        qtbot.waitUntil(lambda: window.last_result.generation == 1009, timeout=20_000)
    finally:
        gate.set()
        computer.compute = real
    assert computed == [1000, 1009]


def test_paste_and_drop_a_picture(qtbot, window):
    rgb = np.zeros((30, 40, 3), np.uint8)
    rgb[:, :20] = (255, 128, 0)
    mime = QMimeData()
    mime.setImageData(array_to_qimage(rgb))
    result = wait_result(qtbot, window, lambda: window._accept_mime(mime, "the clipboard"))
    np.testing.assert_array_equal(window.document.image, rgb)
    assert result.picture.shape == (30, 40, 3)
    assert window.document.still.path is None


def test_qimage_round_trip():
    rgb = np.random.default_rng(0).integers(0, 256, (7, 13, 3), dtype=np.uint8)
    np.testing.assert_array_equal(qimage_to_array(array_to_qimage(rgb)), rgb)
    gray = rgb[:, :, 0].copy()
    np.testing.assert_array_equal(qimage_to_array(array_to_qimage(gray)), gray)
    with pytest.raises(ValueError):
        qimage_to_array(QImage())


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_export_every_target(window, tmp_path, scale):
    from explorer.ui.export_render import is_slide_target
    from explorer.ui.widgets.colormaps import lookup_table
    from tests.ui.pictures import colour_bars

    slides = 0
    for target, widget in window.export_targets().items():
        if not widget.isVisible():
            continue
        out = window.export_view(tmp_path / f"{target}.png", target, scale)
        image = QImage(str(out))
        pixels = qimage_to_array(image.convertToFormat(QImage.Format.Format_RGB888))
        # the picture holds the widget, not a blank: more than a handful of colours
        assert len(np.unique(pixels.reshape(-1, 3)[::7], axis=0)) > 8, target
        if is_slide_target(window.maps_panel, widget):  # maps: a bar under every map
            slides += 1
            bars = colour_bars(pixels, lookup_table(False))
            assert len(bars) == window.document.layer.n_filters, target
            assert all(right - left + 1 >= 100 * scale for _, _, left, right in bars)
        else:  # as it looks on screen
            assert image.width() == widget.width() * scale
            assert image.height() == widget.height() * scale
    assert slides == 2  # feature and pooled maps (one layer: no picture of every stage)


def test_copy_view_puts_the_window_on_the_clipboard(window):
    from PySide6.QtGui import QGuiApplication

    window.copy_view()
    copied = QGuiApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (window.width(), window.height())
    pixels = qimage_to_array(copied.convertToFormat(QImage.Format.Format_RGB888))
    grid = window.maps_panel.feature_grid
    # the first map's colours are in the copy (a tile drawn a little smaller than its picture
    # may skip a few)
    colours = {tuple(c) for c in grid.image_item(0).image.reshape(-1, 3)}
    copied_colours = {tuple(c) for c in pixels.reshape(-1, 3)}
    assert len(colours) > 20 and len(colours & copied_colours) >= 0.9 * len(colours)


def test_the_session_persists_between_runs_and_reset_forgets_it(qtbot, tmp_path):
    from explorer.ui import settings_io
    from explorer.ui.main_window import MainWindow

    first = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(first)
    first.layer_panel.use_stack_preset("lecture_x2")
    first.document.stack[1].settings.stride = 3
    first.document.layer.activation = "tanh"
    first.document.stack[1].filters.set_bias(2, 2.5)
    first.document.display.levels = "shared"
    first.close()
    second = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(second)
    doc = second.document
    assert len(doc.stack) == 2 and doc.stack[1].settings.stride == 3
    assert doc.stack[1].filters[2].bias == 2.5
    assert doc.display.levels == "shared"
    second.reset_to_defaults()
    assert len(doc.stack) == 1 and doc.layer.stride == 1
    assert doc.filters[0].bias == 0.0 and doc.display.levels == "per_map"
    assert settings_io.settings().value("session") is None
    second.shutdown()


def test_a_damaged_saved_session_starts_the_app_with_defaults_for_that_part(qtbot, tmp_path):
    import json

    from explorer.ui import settings_io
    from explorer.ui.main_window import MainWindow

    good = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(good)
    good.document.layer.stride = 2
    good.save_settings()
    good.shutdown()
    store = settings_io.settings()
    data = json.loads(store.value("session"))
    data["display"] = {"levels": "sideways"}
    store.setValue("session", json.dumps(data))
    win = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(win)
    assert win.document.layer.stride == 2  # the good part is back
    assert win.document.display.levels == "per_map"
    assert "display" in win.banner.text() and not win.banner.isHidden()
    win.shutdown()
    store.setValue("session", "[" * 50_000)  # hostile: nested far too deep
    win = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(win)
    assert len(win.document.stack) == 1
    win.shutdown()
    settings_io.clear_document_settings()


def test_close_stops_the_worker(qtbot, window):
    worker = window.controller.worker
    window.close()
    assert not worker.running


def test_every_tile_spans_its_whole_map(qtbot, window, tmp_path):
    """Shrunk or not, a tile's picture covers the map's extent (not a zoomed-in part)."""
    path = tmp_path / "big.png"
    cv2.imwrite(str(path), np.random.default_rng(0).integers(0, 256, (900, 1300, 3),
                                                             dtype=np.uint8))
    window.document.input.max_side = 1300
    wait_result(qtbot, window, lambda: window.open_image(path))
    qtbot.wait(50)
    result = wait_result(qtbot, window, lambda: window.document.filters.set_bias(0, 1.0))
    stage = _first(result)
    h, w = stage.feature_maps.shape[:2]
    for grid, (gh, gw) in ((window.maps_panel.feature_grid, (h, w)),
                           (window.maps_panel.pooled_grid, stage.pooled.shape[:2])):
        for tile in grid._tiles:
            rect = tile.image.mapRectToParent(tile.image.boundingRect())
            factor = gh // tile.shown_shape[0]
            assert factor > 1  # a 512-pixel map in a small tile is shown shrunk
            assert gh - factor < rect.height() <= gh
            assert gw - factor < rect.width() <= gw


def test_dropping_an_image_file_opens_it(qtbot, window, tmp_path):
    from PySide6.QtCore import QUrl

    path = tmp_path / "dropped.png"
    cv2.imwrite(str(path), np.full((20, 30, 3), 90, np.uint8))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    wait_result(qtbot, window, lambda: window._accept_mime(mime, "the dropped item"))
    assert window.document.source_name == "dropped.png"
    assert window.document.image.shape == (20, 30, 3)


def test_tiles_show_the_colours_the_worker_made_and_a_level_change_is_a_request(qtbot, window):
    qtbot.wait(50)
    result = wait_result(qtbot, window, lambda: window.document.filters.set_bias(0, 2.0))
    grid = window.maps_panel.feature_grid
    large = result.display.large
    for k in range(len(grid._tiles)):
        assert np.shares_memory(grid.image_item(k).image, large.feature.rgb[k])
    result = wait_result(qtbot, window,
                          lambda: setattr(window.document.display, "levels", "fixed"))
    assert result.stages is not None and result.display.large.levels.levels[0][1] == 255.0
    assert grid.tile_levels(0)[1] == window.document.display.fixed_limit


def test_the_same_photo_gets_the_same_colours_whatever_the_window_size(qtbot, tmp_path):
    from explorer.resources import resource_path
    from explorer.ui.main_window import MainWindow

    levels = []
    for size in ((1600, 1000), (900, 600)):
        win = MainWindow(restore_settings=False, library_path=tmp_path / "k.json")
        qtbot.addWidget(win)
        win.resize(*size)
        win.show()
        win.document.display.levels = "shared"
        result = wait_result(qtbot, win, lambda w=win: w.open_image(
            resource_path("samples", "astronaut.png")))
        qtbot.wait(100)
        result = wait_result(qtbot, win, lambda w=win: w.document.filters.set_bias(0, 0.5))
        levels.append(result.display.large.levels.levels)
        win.shutdown()
    np.testing.assert_allclose(levels[0], levels[1])


# --- the stack in the window -------------------------------------------------------------------
def test_a_stack_is_computed_and_every_stage_is_shown(qtbot, window):
    result = wait_result(qtbot, window,
                          lambda: window.layer_panel.use_stack_preset("tinyvgg"))
    assert [s.feature_maps.shape[2] for s in result.stages] == [8, 16, 16]
    qtbot.waitUntil(lambda: len(window.maps_panel.strip.rows) == 3, timeout=10_000)
    table = window.layer_panel.stack_table
    assert table.rowCount() == 3
    assert [table.item(r, 2).text() for r in range(3)] == ["4", "10", "22"]


def test_clicking_a_stage_row_shows_that_stage_large(qtbot, window):
    from PySide6.QtCore import QPoint, Qt

    window.layer_panel.use_stack_preset("lecture_x2")
    strip = window.maps_panel.strip
    qtbot.waitUntil(lambda: len(strip.rows) == 2, timeout=10_000)
    rect = strip.row_rect(1)
    with qtbot.waitSignal(window.result_shown, timeout=20_000):
        qtbot.mouseClick(strip, Qt.MouseButton.LeftButton,
                         pos=QPoint(int(rect.center().x()), int(rect.center().y())))
    assert window.document.selected_index == 1
    qtbot.waitUntil(lambda: window.maps_panel.shown_stage() == 1, timeout=10_000)
    assert "Layer 2 of 2" in window.maps_panel.fm_caption.text()
    assert window.layer_panel.convolution_group.title().startswith("Layer 2 of 2")


def test_still_then_live_then_still_gives_back_the_same_picture_and_size(qtbot, window):
    doc = window.document
    doc.input.max_side = 320
    still = doc.still.image
    before = wait_result(qtbot, window, lambda: doc.filters.set_bias(0, 1.0))
    window.start_synthetic()
    qtbot.waitUntil(lambda: doc.live.frame_height > 0, timeout=20_000)
    qtbot.wait(200)
    assert doc.still.image is still and doc.input.max_side == 320
    after = wait_result(qtbot, window, window.stop_live)
    assert doc.still.image is still
    np.testing.assert_array_equal(after.picture, before.picture)
    assert doc.input.max_side == 320 and not doc.live.active


def test_each_tab_keeps_only_the_docks_it_uses(qtbot, window):
    tabs = window.tabs
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        widget = tabs.widget(i)
        controller = window.tab_controllers.get(window.current_tab)
        stack_tab = widget in (window.maps_panel, window.params_panel) or \
            (controller is not None and controller.uses_layers)
        assert window.layer_dock.isVisible() == stack_tab, tabs.tabText(i)
        assert window.kernel_dock.isVisible() == (widget is window.maps_panel), tabs.tabText(i)
    tabs.setCurrentWidget(window.maps_panel)
    assert window.layer_dock.isVisible() and window.kernel_dock.isVisible()
    window.kernel_dock.toggleViewAction().trigger()  # closed by the user (View menu): a tab
    assert not window.kernel_dock.isVisible()  # round trip does not bring it back
    tabs.setCurrentWidget(window.text_tab.view)
    tabs.setCurrentWidget(window.maps_panel)
    assert not window.kernel_dock.isVisible()


def test_the_step_through_follows_the_explorers_first_layer(qtbot, window):
    tab = window.stepthrough
    window.document.stepthrough.update({"example": "explorer", "edits": (), "step": 0})
    window.tabs.setCurrentWidget(tab.view)
    qtbot.waitUntil(tab.is_settled)
    window.document.layer.stride = 2
    qtbot.waitUntil(lambda: tab.is_settled() and tab.walkthrough.example.stride == (2, 2))


def test_the_view_menu_can_always_hide_and_show_the_docks(qtbot, window):
    for tab in (window.maps_panel, window.params_panel):
        window.tabs.setCurrentWidget(tab)
        for dock in (window.layer_dock, window.kernel_dock):
            assert dock.toggleViewAction().isEnabled()


def test_the_window_fits_a_1280_pixel_screen_on_every_tab(qtbot, window):
    wait_result(qtbot, window, lambda: window.layer_panel.use_stack_preset("tinyvgg"))
    window.start_synthetic()
    qtbot.waitUntil(lambda: window.document.live.frame_height > 0, timeout=20_000)
    window._show_live_status()  # the longest status line
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        qtbot.wait(20)
        assert window.minimumSizeHint().width() <= 1280, window.tabs.tabText(i)
    window.stop_live()


def test_a_huge_settings_file_is_set_aside_and_the_app_starts(qtbot, tmp_path, monkeypatch):
    from explorer.ui import settings_io, settings_store
    from explorer.ui.main_window import MainWindow

    path = settings_io.settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(settings_store, "MAX_BYTES", 2**20)
    with open(path, "wb") as fh:  # far beyond anything the app writes
        fh.write(b'{"format": "cnn-explorer-settings", "values": {"session": "'
                 + b"x" * (2 * 2**20) + b'"}}')
    notes = settings_io.open_settings()
    assert len(notes) == 1 and "set aside" in notes[0] and "limit of 1 MB" in notes[0]
    assert not path.exists()
    aside = list(path.parent.glob(f"{path.name}.unreadable-*"))
    assert len(aside) == 1 and aside[0].stat().st_size > 2 * 2**20
    win = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(win)
    assert "set aside" in win.banner.text()
    assert len(win.document.stack) == 1
    win.shutdown()
    aside[0].unlink()


def test_a_window_opened_on_a_tab_shows_only_that_tabs_docks(qtbot, tmp_path):
    from explorer.state import Document
    from explorer.ui.main_window import MainWindow

    doc = Document()
    doc.display.tab = "network"
    win = MainWindow(doc, restore_settings=False, library_path=tmp_path / "k.json")
    qtbot.addWidget(win)
    win.show()
    try:
        assert win.tabs.tabText(win.tabs.currentIndex()) == "Network"
        assert not win.layer_dock.isVisible() and not win.kernel_dock.isVisible()
        win.tabs.setCurrentWidget(win.maps_panel)
        assert win.layer_dock.isVisible() and win.kernel_dock.isVisible()
    finally:
        win.shutdown()


def test_copy_stack_as_pytorch_puts_the_current_kernels_on_the_clipboard(qtbot, window):
    import ast

    from PySide6.QtGui import QGuiApplication

    action = next(a for a in window.findChildren(QAction)
                  if a.text() == "Copy stack as &PyTorch")
    window.document.filters.set_filter(0, np.full((3, 3, 3), 0.125, np.float32))
    action.trigger()
    code = QGuiApplication.clipboard().text()
    ast.parse(code)
    assert "nn.Conv2d(3, 4, (3, 3)" in code
    assert code.count("0.125") >= 27  # the edited filter, over R, G and B
