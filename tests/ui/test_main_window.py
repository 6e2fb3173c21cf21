"""The explorer window end to end: sources, the compute path, errors, export, settings."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QImage

from explorer.core import kernels, shapes
from explorer.core.convolution import convolve
from explorer.core.pipeline import LayerResult, Request
from explorer.resources import sample_images
from explorer.ui.convert import array_to_qimage, qimage_to_array


def _wait_result(qtbot, win, action) -> LayerResult:
    with qtbot.waitSignal(win.result_shown, timeout=20_000) as blocker:
        action()
    return blocker.args[0]


@pytest.mark.parametrize("path", sample_images(), ids=lambda p: p.name)
def test_every_sample_opens_and_is_computed(qtbot, window, path):
    result = _wait_result(qtbot, window, lambda: window.open_image(path))
    side = max(result.image.shape[:2])
    assert side <= window.document.input.max_side
    assert result.feature_maps.shape[2] == window.document.layer.n_filters
    assert not window.banner.isVisible()


def test_a_generated_file_and_a_gray_picture(qtbot, window, tmp_path):
    gray = np.tile(np.arange(64, dtype=np.uint8) * 4, (48, 1))
    path = tmp_path / "ramp.png"
    cv2.imwrite(str(path), gray)
    result = _wait_result(qtbot, window, lambda: window.open_image(path))
    assert window.document.input.grayscale  # a gray picture gives 1-channel kernels
    assert result.request.layer.channels == 1
    assert result.image.shape == (48, 64)


@pytest.mark.parametrize("name", kernels.names())
def test_every_preset_gives_the_core_convolution(qtbot, window, name):
    result = _wait_result(qtbot, window, lambda: window.kernel_editor.apply_preset_to_all(name))
    assert result.request.layer.weights.shape[0] == window.document.layer.n_filters
    spec = result.request.layer
    expected = convolve(result.image, spec.weights, bias=spec.bias, padding=spec.padding,
                        stride=spec.stride, pad_mode=spec.pad_mode, dilation=spec.dilation)
    np.testing.assert_allclose(result.pre_activation, expected, rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize(
    "changes",
    [{"stride": 2}, {"dilation": 3}, {"padding": "valid"}, {"padding": "full"},
     {"padding": "custom", "pad_h": 4, "pad_w": 0}, {"kernel_h": 5, "kernel_w": 7},
     {"pool_size": 3, "pool_stride": 2}, {"pool_mode": "avg"}, {"n_filters": 9}],
)
def test_layer_settings_change_the_output_shape_as_the_formula_says(qtbot, window, changes):
    layer = window.document.layer

    def apply():
        for name, value in changes.items():
            setattr(layer, name, value)

    result = _wait_result(qtbot, window, apply)
    h, w = result.image.shape[:2]
    pad = layer.conv_padding()
    ph, pw = (pad, pad) if isinstance(pad, str) else pad
    oh = shapes.output_size(h, layer.kernel_h, layer.stride, ph, layer.dilation)
    ow = shapes.output_size(w, layer.kernel_w, layer.stride, pw, layer.dilation)
    assert result.feature_maps.shape == (oh, ow, layer.n_filters)
    assert result.pooled.shape[:2] == (
        shapes.output_size(oh, layer.pool_size, layer.pool_stride),
        shapes.output_size(ow, layer.pool_size, layer.pool_stride),
    )


def test_absurd_settings_show_a_message_and_keep_the_last_result(qtbot, window, tmp_path):
    tiny = tmp_path / "tiny.png"
    cv2.imwrite(str(tiny), np.zeros((6, 6, 3), np.uint8))
    good = _wait_result(qtbot, window, lambda: window.open_image(tiny))
    with qtbot.waitSignal(window.error_shown, timeout=20_000) as blocker:
        window.document.layer.padding = "valid"
        window.document.layer.kernel_h = 15
    assert "larger" in blocker.args[0]
    assert window.banner.isVisible()
    assert window.last_result is good
    # a good setting again clears the message
    _wait_result(qtbot, window, lambda: setattr(window.document.layer, "kernel_h", 3))
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


def test_stale_results_are_dropped(window):
    shown = window.last_result
    old = LayerResult(shown.generation - 1, shown.request, shown.image, shown.pre_activation,
                      shown.feature_maps, shown.pooled)
    window._on_result(old)
    assert window.last_result is shown


def test_worker_keeps_only_the_newest_request(qtbot, window):
    image = window.source_image()
    spec = window.document.layer_spec()
    worker = window._worker
    with qtbot.waitSignal(window.result_shown, timeout=20_000):
        for g in range(1000, 1010):
            worker.submit(Request(g, image, spec))
    qtbot.waitUntil(lambda: window.last_result.generation == 1009, timeout=20_000)
    assert worker.superseded >= 1


def test_paste_and_drop_a_picture(qtbot, window):
    rgb = np.zeros((30, 40, 3), np.uint8)
    rgb[:, :20] = (255, 128, 0)
    mime = QMimeData()
    mime.setImageData(array_to_qimage(rgb))
    result = _wait_result(qtbot, window, lambda: window._accept_mime(mime, "the clipboard"))
    np.testing.assert_array_equal(window.document.image, rgb)
    assert result.image.shape == (30, 40, 3)


def test_qimage_round_trip():
    rgb = np.random.default_rng(0).integers(0, 256, (7, 13, 3), dtype=np.uint8)
    np.testing.assert_array_equal(qimage_to_array(array_to_qimage(rgb)), rgb)
    gray = rgb[:, :, 0].copy()
    np.testing.assert_array_equal(qimage_to_array(array_to_qimage(gray)), gray)
    with pytest.raises(ValueError):
        qimage_to_array(QImage())


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_export_every_target(window, tmp_path, scale):
    for target, widget in window.export_targets().items():
        if not widget.isVisible():
            continue
        out = window.export_view(tmp_path / f"{target}.png", target, scale)
        image = QImage(str(out))
        assert image.width() == widget.width() * scale
        assert image.height() == widget.height() * scale


def test_copy_view_puts_the_window_on_the_clipboard(window):
    from PySide6.QtGui import QGuiApplication

    window.copy_view()
    assert QGuiApplication.clipboard().image().width() == window.width()


def test_settings_persist_and_reset(qtbot, tmp_path):
    from explorer.ui import settings_io
    from explorer.ui.main_window import MainWindow

    first = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(first)
    first.document.layer.stride = 3
    first.document.layer.activation = "tanh"
    first.document.filters.set_bias(0, 2.5)
    first.close()
    second = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(second)
    assert second.document.layer.stride == 3
    assert second.document.layer.activation == "tanh"
    assert second.document.filters[0].bias == 2.5
    second.reset_to_defaults()
    assert second.document.layer.stride == 1
    assert second.document.filters[0].bias == 0.0
    assert settings_io.settings().value("layer") is None
    second.shutdown()


def test_malformed_settings_are_ignored(qtbot, tmp_path):
    from explorer.ui import settings_io
    from explorer.ui.main_window import MainWindow

    store = settings_io.settings()
    store.setValue("layer", '{"stride": -4, "padding": "sideways", "kernel_h": 5}')
    store.setValue("filters", "[[[not json")
    win = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(win)
    assert win.document.layer.stride == 1
    assert win.document.layer.padding == "same"
    assert win.document.layer.kernel_h == 5
    win.shutdown()
    settings_io.clear_document_settings()


def test_close_stops_the_worker(qtbot, window):
    worker = window._worker
    window.close()
    assert not worker.isRunning()


def test_every_tile_spans_its_whole_map(qtbot, tmp_path):
    """Shrunk or not, a tile's picture covers the map's extent (not a zoomed-in part),
    also for the first result, when the tiles are laid out while it is being shown."""
    from explorer.resources import resource_path
    from explorer.ui.main_window import MainWindow

    win = MainWindow(restore_settings=False, library_path=tmp_path / "k.json")
    qtbot.addWidget(win)
    win.resize(1600, 1000)
    win.show()
    qtbot.waitExposed(win)
    win.maps_panel.display_tiles = lambda: ((100, 100), (60, 60))  # as after a first layout
    result = _wait_result(qtbot, win, lambda: win.open_image(
        resource_path("samples", "astronaut.png")))
    h, w = result.feature_maps.shape[:2]
    for grid, (gh, gw) in ((win.maps_panel.feature_grid, (h, w)),
                           (win.maps_panel.pooled_grid, result.pooled.shape[:2])):
        for tile in grid._tiles:
            rect = tile.image.mapRectToParent(tile.image.boundingRect())
            factor = gh // tile.shown_shape[0]
            assert gh - factor < rect.height() <= gh
            assert gw - factor < rect.width() <= gw
    win.shutdown()


def test_dropping_an_image_file_opens_it(qtbot, window, tmp_path):
    from PySide6.QtCore import QUrl

    path = tmp_path / "dropped.png"
    cv2.imwrite(str(path), np.full((20, 30, 3), 90, np.uint8))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    _wait_result(qtbot, window, lambda: window._accept_mime(mime, "the dropped item"))
    assert window.document.source_name == "dropped.png"
    assert window.document.image.shape == (20, 30, 3)


def test_tiles_show_the_colours_the_worker_made(qtbot, window):
    window.resize(1600, 1000)
    qtbot.wait(50)
    # once the tiles are laid out, a result of the same shape is coloured on the worker
    _wait_result(qtbot, window, lambda: window.document.filters.set_bias(0, 1.0))
    qtbot.wait(50)
    result = _wait_result(qtbot, window, lambda: window.document.filters.set_bias(0, 2.0))
    grid = window.maps_panel.feature_grid
    assert result.display.rgb is not None
    for k in range(len(grid._tiles)):
        assert np.shares_memory(grid.image_item(k).image, result.display.rgb[k])
    # a new level mode re-colours the maps on screen at once, without waiting for the worker
    window.document.display.levels = "fixed"
    assert grid.tile_levels(0)[1] == window.document.display.fixed_limit
