"""What a live frame costs the GUI thread, by structure (the timings live in ``bench/``).

Once the sizes have settled, a new live frame must only hand pictures to the views: nothing
laid out, resized or measured again, every map and the input arriving from the worker as
screen pixels at exactly the size they are drawn, and no numbers written in cells too small
for them.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QGraphicsWidget, QHBoxLayout, QWidget

from explorer.core.computer import StackComputer
from explorer.core.sources import SyntheticSource
from explorer.state import Document
from explorer.state.document import default_filter
from explorer.state.presets import build_stack
from explorer.ui import widgets
from explorer.ui.controller import ExplorerController
from explorer.ui.panels.maps_panel import MapsPanel
from explorer.ui.widgets.cell_values import CellValues
from explorer.ui.widgets.elided_label import ElidedLabel


class _LayoutWatch(QObject):
    """Records every layout request and resize that reaches the panel or its scenes."""

    def __init__(self, panel: MapsPanel) -> None:
        super().__init__()
        self.panel = panel
        self.scenes = {v.scene() for v in (panel.feature_grid, panel.pooled_grid,
                                           panel.input_view)}
        self.seen: list[str] = []

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize,
                            QEvent.Type.GraphicsSceneResize):
            inside = (isinstance(obj, QWidget) and (obj is self.panel
                                                    or self.panel.isAncestorOf(obj))) or \
                (isinstance(obj, QGraphicsWidget) and obj.scene() in self.scenes)
            if inside:
                self.seen.append(f"{event.type().name} → {type(obj).__name__}")
        return False


@pytest.fixture(params=["one layer", "three stages"])
def live_panel(request, qtbot):
    doc = Document()
    if request.param == "three stages":  # the stage strip shows too
        doc.stack.replace(build_stack("tinyvgg", 3, default_filter))
    else:
        doc.layer.n_filters = 8
    panel = MapsPanel(doc)
    qtbot.addWidget(panel)
    panel.resize(1150, 820)
    panel.show()
    qtbot.waitExposed(panel)
    controller = ExplorerController(doc, panel)
    controller.start_live(lambda: SyntheticSource(640, 480), "scene", "synthetic")
    yield panel, controller
    controller.shutdown()


def _live_results(qtbot, controller: ExplorerController, n: int) -> list:
    seen = []

    def keep(result) -> None:
        if result.request.live:
            seen.append(result)

    controller.result_shown.connect(keep)
    qtbot.waitUntil(lambda: len(seen) >= n, timeout=30_000)
    controller.result_shown.disconnect(keep)
    return seen


def test_a_live_frame_of_an_unchanged_size_lays_out_and_measures_nothing(
        qtbot, live_panel, monkeypatch):
    panel, controller = live_panel
    _live_results(qtbot, controller, 6)  # the first frames settle every size
    qtbot.wait(100)
    measured: list[int] = []
    real_fit = widgets.map_grid.fit_titles_sized
    monkeypatch.setattr(widgets.map_grid, "fit_titles_sized",
                        lambda *a, **k: measured.append(1) or real_fit(*a, **k))
    numbers = _count_numbers(monkeypatch)
    watch = _LayoutWatch(panel)
    QApplication.instance().installEventFilter(watch)
    try:
        results = _live_results(qtbot, controller, 3)
        qtbot.wait(50)  # the last result painted
    finally:
        QApplication.instance().removeEventFilter(watch)
    assert len({r.generation for r in results}) >= 3
    assert watch.seen == []
    assert measured == []
    assert numbers == []  # maps this large show colours only: no numbers worked out
    for grid in (panel.feature_grid, panel.pooled_grid):
        assert not any(grid.cell_labels(k).isVisible() for k in range(grid.tile_count))


def test_frames_that_come_while_a_request_waits_make_no_request_and_the_last_is_computed(
        qtbot, monkeypatch):
    """A camera faster than the maps: while the worker is busy and the next request already
    waits, new frames only become the document's picture; no request is built for them. The
    waiting request computes the newest frame when it starts, even when no more come."""
    gate = threading.Event()
    real_compute = StackComputer.compute

    def held(self, request, token):
        gate.wait(20)  # the worker is busy with the first frame until the test lets it go
        return real_compute(self, request, token)

    monkeypatch.setattr(StackComputer, "compute", held)
    doc = Document()
    panel = MapsPanel(doc)
    qtbot.addWidget(panel)
    panel.resize(900, 700)
    panel.show()
    controller = ExplorerController(doc, panel)
    built: list[int] = []
    real_submit = controller.worker.compute
    controller.worker.compute = lambda request, newest=None: built.append(
        request.source_key[1]) or real_submit(request, newest)
    pictures: list[int] = []
    doc.picture_changed.connect(lambda picture: pictures.append(picture.sequence))
    ended: list[bool] = []
    controller.live_ended.connect(lambda: ended.append(True))  # after the clip's last frame
    # enough frames that the GUI takes six of them even on a loaded machine (it takes only
    # the newest of those that came since it last looked)
    frames = 300
    controller.start_live(lambda: SyntheticSource(64, 48, fps=200, n_frames=frames),
                          "clip", "video")
    try:
        qtbot.waitUntil(lambda: len(pictures) >= 6, timeout=20_000)
        # the frame being computed, and one waiting (a settings change, such as the size the
        # first frame sets, may renew it with the newest frame); the other frames made none
        assert len(set(built)) <= 2
        gate.set()
        qtbot.waitUntil(lambda: bool(ended), timeout=20_000)
        last = pictures[-1]
        qtbot.waitUntil(lambda: controller.last_result is not None
                        and controller.last_result.request.source_key[1] == last,
                        timeout=20_000)
        assert len(built) < len(pictures)
    finally:
        gate.set()
        controller.shutdown()


def _count_numbers(monkeypatch) -> list[tuple[CellValues, tuple[int, ...]]]:
    """The cell-number items handed values, and the values' shapes, call by call."""
    handed: list[tuple[CellValues, tuple[int, ...]]] = []
    real_set = CellValues.set_cells

    def set_cells(self, values, *args, **kwargs) -> None:
        handed.append((self, np.shape(values)))
        real_set(self, values, *args, **kwargs)

    monkeypatch.setattr(CellValues, "set_cells", set_cells)
    return handed


def test_live_frames_of_maps_small_enough_write_their_numbers(qtbot, monkeypatch):
    """The other side of the rule above: a tiny live picture's maps get numbers, frame after
    frame (so the count above would see numbers if large maps were given them)."""
    doc = Document()
    doc.layer.n_filters = 1
    doc.layer.pool_mode = "none"
    panel = MapsPanel(doc)
    qtbot.addWidget(panel)
    panel.resize(1150, 820)
    panel.show()
    qtbot.waitExposed(panel)
    controller = ExplorerController(doc, panel)
    controller.start_live(lambda: SyntheticSource(16, 16), "tiny scene", "synthetic")
    try:
        _live_results(qtbot, controller, 4)
        qtbot.wait(100)
        numbers = _count_numbers(monkeypatch)
        results = _live_results(qtbot, controller, 3)
        qtbot.wait(50)
        grid = panel.feature_grid
        assert grid.values_shown
        first_tile = [shape for item, shape in numbers if item is grid.cell_labels(0)]
        assert first_tile == [(16, 16)] * len(first_tile)
        assert len(first_tile) >= len(results)  # the numbers of each new frame
        assert len(grid.cell_texts(0)) == 16
        panel.grab()  # paint: the numbers are really written
        assert grid.cell_labels(0).drawn == 16 * 16
    finally:
        controller.shutdown()


def test_live_maps_and_input_arrive_as_screen_pixels_at_their_drawn_size(qtbot, live_panel):
    panel, controller = live_panel
    _live_results(qtbot, controller, 6)
    qtbot.wait(100)
    result = _live_results(qtbot, controller, 1)[0]
    for grid in (panel.feature_grid, panel.pooled_grid):
        rows, cols = grid.tile_pixels()
        for k in range(grid.tile_count):
            pixels = grid.image_item(k).pixels
            # 32-bit screen pixels the painter copies as they are, one per screen pixel
            assert pixels.dtype == np.uint8 and pixels.shape[2] == 4
            assert abs(pixels.shape[0] - rows) <= 1 and abs(pixels.shape[1] - cols) <= 1
        assert not grid.values_shown  # 100-pixel maps: no numbers in their cells
    shown = result.display.input
    assert shown is not None and shown.pixels.shape[2] == 4
    assert panel.input_view.image.pixels is shown.pixels  # the worker's, not remade here
    if len(result.stages) > 1:
        assert all(row.mosaic.shape[2] == 4 for row in panel.strip.rows)


class _WindowWatch(QObject):
    """Records every layout request and resize anywhere in the application."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize,
                            QEvent.Type.GraphicsSceneResize):
            self.seen.append(f"{event.type().name} → {type(obj).__name__}")
        return False


def test_a_live_frame_lays_out_nothing_anywhere_in_the_window(qtbot, window):
    """The whole window as the app shows it (status bar timings, messages over the pages,
    docks, the tab bar): once the sizes have settled, live frames only repaint."""
    window.document.layer.n_filters = 8
    seen = []
    window.result_shown.connect(
        lambda result: seen.append(result) if result.request.live else None)
    window.start_live(lambda: SyntheticSource(640, 480), "scene", "synthetic")
    qtbot.waitUntil(lambda: len(seen) >= 8, timeout=30_000)
    qtbot.wait(200)
    watch = _WindowWatch()
    QApplication.instance().installEventFilter(watch)
    first = len(seen)
    try:
        qtbot.waitUntil(lambda: len(seen) >= first + 4, timeout=30_000)
        qtbot.wait(50)
    finally:
        QApplication.instance().removeEventFilter(watch)
    assert len({r.generation for r in seen[first:]}) >= 4
    assert watch.seen == []


@pytest.fixture
def shortcut_filter_calls(monkeypatch) -> list[str]:
    """The events the window's shortcut filter is asked about, counted from its creation
    (request it before ``window``)."""
    from explorer.ui.shortcuts import WindowShortcuts

    calls: list[str] = []
    plain = WindowShortcuts.eventFilter

    def counting(self, obj, event):
        calls.append(event.type().name)
        return plain(self, obj, event)

    monkeypatch.setattr(WindowShortcuts, "eventFilter", counting)
    return calls


def test_live_frames_pass_through_no_python_event_filter_of_the_window(
        qtbot, shortcut_filter_calls, window):
    """Every event of a live frame (the worker's signal, each repaint) stays in C++: the
    shortcut keys' filter sits on the focused number field only, never on the application."""
    seen = []
    window.result_shown.connect(
        lambda result: seen.append(result) if result.request.live else None)
    window.start_live(lambda: SyntheticSource(640, 480), "scene", "synthetic")
    qtbot.waitUntil(lambda: len(seen) >= 4, timeout=30_000)
    window.maps_panel.feature_grid.viewport().repaint()
    window.stop_live()
    assert shortcut_filter_calls == []
    # a kernel cell with focus is watched: its keys are asked about
    cell = window.kernel_editor.slices.cell(0, 1, 1)
    cell.setFocus()
    qtbot.keyClick(cell, "a")
    assert "ShortcutOverride" in shortcut_filter_calls


class _LayoutRequests(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def test_a_timing_rewritten_every_frame_asks_for_no_new_layout(qtbot):
    """The status bar's timings change every live frame; asking for room each time lays out
    the whole window (and animates its docks) every frame."""
    bar = QWidget()
    layout = QHBoxLayout(bar)
    label = ElidedLabel()
    layout.addWidget(label)
    layout.addStretch(1)
    qtbot.addWidget(bar)
    bar.show()
    label.setText("layers 9.3 ms · total 15.2 ms")
    qtbot.wait(10)
    requests = _LayoutRequests()
    bar.installEventFilter(requests)
    for text in ("layers 9.8 ms · total 14.9 ms", "layers 10.1 ms · total 16.0 ms",
                 "layers 9.5 ms · total 15.5 ms", "layers 8.7 ms · total 13.1 ms"):
        label.setText(text)
        QApplication.processEvents()
        assert label.text() == text  # what is painted follows every frame
    assert requests.count == 0
    label.setText("input 720×1280 → 360×640×8 → 180×320×16 → 90×160×16 · much more to say")
    QApplication.processEvents()
    assert requests.count >= 1  # a text that needs more room still gets it
    assert label.sizeHint().width() >= label.fontMetrics().horizontalAdvance(label.text())


def test_a_steady_label_asks_for_no_layout_however_long_its_text(qtbot):
    """The status bar's labels: a timing that grows under load ("9.8 ms" → "1234.5 ms")
    must not lay out the window again."""
    bar = QWidget()
    layout = QHBoxLayout(bar)
    label = ElidedLabel(steady=20)
    layout.addWidget(label, 1)
    qtbot.addWidget(bar)
    bar.show()
    label.setText("layers 9.8 ms")
    qtbot.wait(10)
    width = label.width()
    requests = _LayoutRequests()
    bar.installEventFilter(requests)
    for text in ("layers 1234.5 ms · total 2345.6 ms", "", "layers 9.8 ms · total 15.0 ms"):
        label.setText(text)
        QApplication.processEvents()
    assert requests.count == 0 and label.width() == width
    assert label.text() == "layers 9.8 ms · total 15.0 ms"
