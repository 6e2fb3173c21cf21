"""The explorer window: a picture through the user's kernels to feature maps and pooled maps.

The window owns the compute path (DESIGN.md §3): document changes schedule one request, the
worker computes the newest request, and results older than the one on screen are dropped.
Panels only talk to the document; the window hands them results.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core import images
from explorer.core.pipeline import LayerResult, NamedStack, Request
from explorer.resources import sample_images
from explorer.state import Document
from explorer.ui import settings_io
from explorer.ui.convert import qimage_to_array
from explorer.ui.export import copy_widget, save_widget_png
from explorer.ui.export_dialog import ExportDialog
from explorer.ui.live import LiveFeed
from explorer.ui.live_sources import CAMERA_SIZES, LiveSourcesMixin
from explorer.ui.panels.layer_panel import LayerPanel
from explorer.ui.panels.maps_panel import MapsPanel
from explorer.ui.panels.params_panel import ParamsPanel
from explorer.ui.panels.training_panel import TrainingTab
from explorer.ui.tab import Tab
from explorer.ui.widgets.banner import Banner, sentence
from explorer.ui.widgets.kernel_editor import KernelEditor
from explorer.ui.workers.compute import ComputeWorker

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)"


class MainWindow(LiveSourcesMixin, QMainWindow):
    """The explorer: source, layer controls, kernel editor, feature maps, parameters."""

    result_shown = Signal(object)  # the LayerResult now on screen
    error_shown = Signal(str)

    def __init__(
        self, document: Document | None = None, *, restore_settings: bool = True,
        library_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("CNN Explorer")
        self.setAcceptDrops(True)
        self.document = document or Document()
        self._persist = restore_settings  # a batch screenshot must not touch the user's settings
        if restore_settings:
            settings_io.restore_document(self.document)
        self._generation = 0
        self._connected = True  # to the document; shutdown() disconnects once
        self._shown_generation = -1
        self._last_result: LayerResult | None = None
        self._source_path: str | None = None
        self._live_image: np.ndarray | None = None  # the newest live frame, None on a still
        self._camera_size: tuple[int, int] = CAMERA_SIZES[0]
        self._results_shown: deque[float] = deque(maxlen=120)  # live results, for fps
        self._latency_ms = 0.0
        # compute live frames at the size the input is shown (benches switch this off)
        self.fit_live_to_view = True

        self.live = LiveFeed(self)
        self.live.frame_ready.connect(self._on_live_frame)
        self.live.failed.connect(self._on_live_failed)
        self.live.ended.connect(self._on_live_ended)
        self._live_status_timer = QTimer(self, interval=500)
        self._live_status_timer.timeout.connect(self._show_live_status)

        self._worker = ComputeWorker(self)
        self._worker.result_ready.connect(self._on_result)
        self._worker.failed.connect(self._on_failed)
        # Coalesce the bursts of document events one edit can cause into one request.
        self._compute_timer = QTimer(self, singleShot=True, interval=0)
        self._compute_timer.timeout.connect(self.request_compute)

        self._build_panels(library_path)
        self._build_menus()
        self._build_status_bar()
        self._connect_document()
        self._fit_to_screen()
        if restore_settings:
            self._restore_geometry()

    # --- construction --------------------------------------------------------------------
    def _build_panels(self, library_path: Path | None) -> None:
        doc = self.document
        self.maps_panel = MapsPanel(doc)
        self.params_panel = ParamsPanel(doc)
        self.layer_panel = LayerPanel(doc)
        self.kernel_editor = KernelEditor(doc, library_path)
        self.kernel_editor.message.connect(self.show_message)
        if self.kernel_editor.status_text():  # e.g. a damaged library found while building
            self.show_message(self.kernel_editor.status_text())

        self.banner = Banner()
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self.maps_panel, "Explorer")
        self.tabs.addTab(self.params_panel, "Parameters")
        self.extra_tabs: list[Tab] = []
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.setSpacing(4)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.layer_dock = self._dock("Layer", self.layer_panel,
                                     Qt.DockWidgetArea.LeftDockWidgetArea)
        self.kernel_dock = self._dock("Kernels", self.kernel_editor,
                                      Qt.DockWidgetArea.RightDockWidgetArea)
        self._kernel_dock_wanted = True
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.add_tab(TrainingTab())

    def add_tab(self, tab: Tab) -> Tab:
        """Add a tab beside the explorer and wire it to the window (see ``explorer.ui.tab``)."""
        self.extra_tabs.append(tab)
        self.tabs.addTab(tab, tab.title)
        tab.message.connect(self.show_message)
        tab.error.connect(self.show_error)
        tab.send_to_explorer.connect(self.use_stack)
        return tab

    def use_stack(self, stack: NamedStack) -> None:
        """Put a stack from another tab into the explorer, and show it there."""
        self.document.use_stack(stack)
        self.tabs.setCurrentWidget(self.maps_panel)
        if stack.title:
            self.show_message(f"The explorer now runs {stack.title}")

    def _on_tab_changed(self, index: int) -> None:
        """The parameter comparison needs the width: the kernel editor steps aside for it."""
        if self.tabs.widget(index) is self.params_panel:
            self._kernel_dock_wanted = self.kernel_dock.isVisible()
            self.kernel_dock.hide()
        elif self._kernel_dock_wanted:
            self.kernel_dock.show()

    def _fit_to_screen(self) -> None:
        """Start on most of the screen (a projector at 1920×1080 gets big maps)."""
        screen = QGuiApplication.primaryScreen()
        free = screen.availableGeometry() if screen else None
        if free is None or free.width() < 200:  # no usable screen (offscreen, tests)
            self.resize(1600, 1000)
        else:
            share = 1.0 if free.width() < 1500 else 0.96  # a small screen needs every pixel
            self.resize(int(free.width() * share), int(free.height() * share))
            self.move(free.center() - self.rect().center())
        # docks wide enough for their controls; the maps take the rest
        self.resizeDocks([self.layer_dock, self.kernel_dock], [300, 350],
                         Qt.Orientation.Horizontal)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self, objectName=f"{title.lower()}Dock")
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut: QKeySequence | str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self._action("&Open image…", self.open_image_dialog,
                                         QKeySequence.StandardKey.Open))
        self.samples_menu = file_menu.addMenu("Open &sample")
        for path in sample_images():
            self.samples_menu.addAction(
                self._action(path.stem.replace("_", " ").title(),
                             lambda _=False, p=path: self.open_image(p)))
        self.recent_menu = file_menu.addMenu("Open &recent")
        self._refresh_recent_menu()
        file_menu.addAction(self._action("Open &video…", self.open_video_dialog,
                                         "Ctrl+Shift+O", "Play a video file, looped"))
        file_menu.addAction(self._action("&Paste image", self.paste_image,
                                         QKeySequence.StandardKey.Paste,
                                         "Use the picture on the clipboard as the input"))
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Export view…", self.export_dialog, "Ctrl+E"))
        self.copy_action = self._action("&Copy view", self.copy_view, QKeySequence.StandardKey.Copy,
                                        "Copy a picture of the window to the clipboard")
        file_menu.addAction(self.copy_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        self._build_live_menu(bar.addMenu("&Live"))

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.layer_dock.toggleViewAction())
        view_menu.addAction(self.kernel_dock.toggleViewAction())
        view_menu.addSeparator()
        view_menu.addAction(self._action("&Reset to defaults", self.reset_to_defaults,
                                         tip="Forget every setting and start afresh"))
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About CNN Explorer", self._about))

    def _build_status_bar(self) -> None:
        self.status_sizes = QLabel()
        self.status_time = QLabel()
        self.status_live = QLabel()
        self.statusBar().addPermanentWidget(self.status_live)
        self.statusBar().addPermanentWidget(self.status_sizes)
        self.statusBar().addPermanentWidget(self.status_time)

    def _connect_document(self) -> None:
        doc = self.document
        doc.layer.events.connect(self.schedule_compute)
        doc.input.events.connect(self.schedule_compute)
        doc.filters.changed.connect(self.schedule_compute)
        doc.image_changed.connect(self.schedule_compute)

    def _disconnect_document(self) -> None:
        doc = self.document
        doc.layer.events.disconnect(self.schedule_compute)
        doc.input.events.disconnect(self.schedule_compute)
        doc.filters.changed.disconnect(self.schedule_compute)
        doc.image_changed.disconnect(self.schedule_compute)

    # --- the source ----------------------------------------------------------------------
    def open_image(self, path: str | Path) -> bool:
        """Load a picture file; on failure say why and keep the current picture."""
        try:
            image = images.load_image(path)
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        self.stop_live()
        self._source_path = str(path)
        self.set_image(image, Path(path).name)
        settings_io.add_recent_file(str(Path(path).resolve()))
        self._refresh_recent_menu()
        return True

    def set_image(self, image: np.ndarray, name: str) -> None:
        """Make ``image`` (RGB or gray uint8) the input; a gray picture switches to gray input."""
        self.document.input.grayscale = image.ndim == 2
        self.document.set_image(image, name)
        self.setWindowTitle(f"{name} — CNN Explorer")

    def open_image_dialog(self) -> None:
        start = str(Path(self._source_path).parent) if self._source_path else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open an image", start, IMAGE_FILTER)
        if path:
            self.open_image(path)

    def paste_image(self) -> bool:
        mime = QGuiApplication.clipboard().mimeData()
        return self._accept_mime(mime, "the clipboard")

    def _accept_mime(self, mime: QMimeData | None, where: str) -> bool:
        if mime is None:
            return False
        if mime.hasUrls():
            for url in mime.urls():
                if url.isLocalFile():
                    return self.open_image(url.toLocalFile())
        if mime.hasImage():
            try:
                image = qimage_to_array(mime.imageData())
            except (TypeError, ValueError) as exc:
                self.show_error(f"{where} holds no usable picture: {exc}")
                return False
            self.stop_live()
            self._source_path = None
            self.set_image(image, f"picture from {where}")
            return True
        self.show_error(f"{where} holds no picture or image file")
        return False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self._accept_mime(event.mimeData(), "the dropped item"):
            event.acceptProposedAction()

    def _refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = settings_io.recent_files()
        for path in files:
            self.recent_menu.addAction(
                self._action(Path(path).name, lambda _=False, p=path: self.open_image(p),
                             tip=path))
        self.recent_menu.setEnabled(bool(files))

    # --- compute -------------------------------------------------------------------------
    def schedule_compute(self, *_: object) -> None:
        self._compute_timer.start()

    def source_image(self) -> np.ndarray | None:
        """The picture being explored: the newest live frame, or the still."""
        return self._live_image if self._live_image is not None else self.document.image

    def shown_side(self) -> int:
        """Device pixels of the longer side of the input picture's view."""
        view = self.maps_panel.input_view
        return max(64, int(max(view.width(), view.height()) * view.devicePixelRatioF()))

    def request_compute(self, frame_time: float | None = None) -> int | None:
        """Send the current picture and layer to the worker; returns the generation."""
        image = self.source_image()
        if image is None:
            return None
        try:
            spec = self.document.layer_spec()
        except ValueError as exc:
            self.show_error(str(exc))
            return None
        self._generation += 1
        stamp = time.perf_counter() if frame_time is None else frame_time
        tiles = self.maps_panel.display_tiles()
        inp = self.document.input
        # scaling and gray conversion happen on the worker: they cost ms a frame at 720p
        self._worker.submit(Request(
            self._generation, image, spec, stamp, tiles, live=self._live_image is not None,
            max_side=inp.max_side, grayscale=inp.grayscale, style=self.maps_panel.map_style()))
        return self._generation

    @property
    def last_result(self) -> LayerResult | None:
        return self._last_result

    def _on_result(self, result: LayerResult) -> None:
        if result.generation <= self._shown_generation:
            self._worker.buffers.release(result.buffers)
            return  # an older request finished after a newer one was shown
        self._shown_generation = result.generation
        previous, self._last_result = self._last_result, result
        self.maps_panel.show_result(result)
        if result.generation == self._generation:
            self.banner.hide()
        if previous is not None:  # nothing shows it any more: its buffers can be reused
            self._worker.buffers.release(previous.buffers)
        self._show_result_status(result)
        if self.live.running:
            now = time.perf_counter()
            self._results_shown.append(now)
            self._latency_ms = (now - result.request.frame_time) * 1e3
        self.result_shown.emit(result)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation < self._generation:
            return  # a newer request is on its way; it may well succeed
        keep = " The last good result stays on screen." if self._last_result else ""
        self.show_error(sentence(message) + keep)

    def _show_result_status(self, result: LayerResult) -> None:
        img = result.image
        h, w = img.shape[:2]
        fh, fw, k = result.feature_maps.shape
        # tensor shapes as the lecture writes them: rows × columns (× maps)
        text = f"input {h}×{w} → {k} feature maps {fh}×{fw}"
        if result.pooled is not None:
            ph, pw = result.pooled.shape[:2]
            text += f" → pooled {ph}×{pw}"
        self.status_sizes.setText(text)
        t = result.timings_ms
        self.status_time.setText(
            f"convolution {t.get('convolution', 0):.1f} ms · total {result.total_ms:.1f} ms")

    # --- messages ------------------------------------------------------------------------
    def show_error(self, message: str, action: str = "", callback=None) -> None:
        """A problem the user should see: a banner above the maps, kept until the next result."""
        self.banner.show_message(message, action, callback)
        self.error_shown.emit(message)

    def show_message(self, message: str, timeout_ms: int = 6000) -> None:
        self.statusBar().showMessage(message, timeout_ms)

    # --- export --------------------------------------------------------------------------
    def export_targets(self) -> dict[str, QWidget]:
        """What File > Export view can picture."""
        targets = {"Whole window": self, "Current tab": self.tabs.currentWidget()}
        targets.update(self.maps_panel.export_targets())
        targets["Kernel editor"] = self.kernel_editor
        targets["Layer controls"] = self.layer_panel
        return targets

    def export_view(self, path: str | Path, target: str = "Whole window", scale: int = 1) -> Path:
        widget = self.export_targets()[target]
        return save_widget_png(widget, path, scale)

    def export_dialog(self) -> None:
        dialog = ExportDialog(list(self.export_targets()), self)
        if dialog.exec() and dialog.path:
            try:
                saved = self.export_view(dialog.path, dialog.target, dialog.scale)
            except ValueError as exc:
                self.show_error(str(exc))
            else:
                self.show_message(f"Saved {saved.name}")

    def copy_view(self) -> None:
        copy_widget(self)
        self.show_message("Copied a picture of the window to the clipboard")

    # --- settings ------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        store = settings_io.settings()
        geometry = store.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = store.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def save_settings(self) -> None:
        store = settings_io.settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        if self._source_path:
            store.setValue("source/last", self._source_path)
        settings_io.save_document(self.document, store)

    def reset_to_defaults(self) -> None:
        settings_io.clear_document_settings()
        self.document.reset()
        if self.document.image is not None:
            self.document.input.grayscale = self.document.image.ndim == 2
        self.show_message("Settings reset to their defaults")

    def _about(self) -> None:
        QMessageBox.about(
            self, "About CNN Explorer",
            "<b>CNN Explorer</b><p>See convolution, padding, stride, dilation, activations, "
            "pooling and parameter sharing happen on your own picture.</p>"
            "<p>CNN layers compute <i>cross-correlation</i>: the kernel is not flipped. "
            "Output size: o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1.</p>")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._persist:
            self.save_settings()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the worker and disconnect every panel from the document (idempotent)."""
        self._compute_timer.stop()
        self._live_status_timer.stop()
        self.live.stop()
        self._worker.stop()
        if self._connected:
            self._connected = False
            self._disconnect_document()
            for panel in (self.maps_panel, self.params_panel, self.layer_panel,
                          self.kernel_editor, *self.extra_tabs):
                panel.cleanup()
