"""The main window: menus, docks and tabs round the explorer.

The window builds the document's views and the controller that owns the compute path
(docs/architecture.md); it opens pictures and sessions, shows messages and exports. Panels
only talk to the document; the controller hands results to the maps panel.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QMimeData, QSignalBlocker, Qt, QTimer, Signal
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
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QToolBar,
    QWidget,
)

from explorer.core import images
from explorer.core.computer import StackResult
from explorer.core.formulas import shape_text
from explorer.core.pipeline import NamedStack
from explorer.core.stepthrough import LECTURE_LESSONS
from explorer.core.torch_export import stack_code, write_stack_code
from explorer.resources import sample_images
from explorer.state import Document
from explorer.state.history import History
from explorer.state.session import (
    SessionError,
    apply_session,
    read_session,
    session_picture,
    write_session,
)
from explorer.ui import settings_io
from explorer.ui.controller import ExplorerController
from explorer.ui.controllers.network import NetworkController
from explorer.ui.controllers.pooling import PoolingController
from explorer.ui.controllers.stepthrough import StepThroughController
from explorer.ui.controllers.text import TextController
from explorer.ui.controllers.training import TrainingController
from explorer.ui.controllers.translation import TranslationController
from explorer.ui.convert import qimage_to_array
from explorer.ui.dialog_folders import DialogFolders
from explorer.ui.export import copy_widget, save_target, saved_text
from explorer.ui.export_dialog import ExportDialog
from explorer.ui.export_render import is_slide_target
from explorer.ui.gui_gc import collect_on_gui_thread
from explorer.ui.live_sources import LiveSourcesMixin
from explorer.ui.panels.layer_panel import LayerPanel
from explorer.ui.panels.maps_panel import MapsPanel
from explorer.ui.panels.params_panel import ParamsPanel
from explorer.ui.presentation import PresentationWindow
from explorer.ui.shortcuts import WindowShortcuts
from explorer.ui.tab import TabController
from explorer.ui.widgets.banner import Banner, sentence
from explorer.ui.widgets.busy_bar import BusyBar
from explorer.ui.widgets.elided_label import ElidedLabel
from explorer.ui.widgets.kernel_editor import KernelEditor
from explorer.ui.widgets.overlay import BottomOverlay
from explorer.ui.widgets.page_tabs import PageTabs
from explorer.ui.widgets.screen_fit import ScreenFit, fit_on_screen, start_on_screen
from explorer.ui.widgets.scroll_column import ScrollColumn

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)"
SESSION_FILTER = "CNN Explorer sessions (*.json);;All files (*)"
KERNEL_FILTER = ("Kernels (*.npz *.npy *.json *.onnx);;NumPy (*.npz *.npy);;"
                 "Kernel library (*.json);;ONNX model (*.onnx);;All files (*)")
KERNEL_SAVE_FILTER = "NumPy with biases and names (*.npz);;NumPy weights (*.npy);;" \
    "Kernel library (*.json)"
HISTORY_SETTLE_MS = 400  # edits this close together are one undo step
LESSON_TITLES = {"lecture-edge": "6×6 &vertical edge, kernel [1 0 −1]",
                 "lecture-volume": "5×5×3 &volume, two 3×3×3 filters, stride 2, padding 1"}
DOCK_SHARE = 0.25  # of the window's width, at most, for each dock at the start


class MainWindow(LiveSourcesMixin, QMainWindow):
    """The explorer: source, stack controls, kernel editor, feature maps, parameters."""

    result_shown = Signal(object)  # the StackResult now on screen
    error_shown = Signal(str)

    def __init__(
        self, document: Document | None = None, *, restore_settings: bool = True,
        library_path: Path | None = None,
    ) -> None:
        super().__init__()
        collect_on_gui_thread()  # workers must never be the ones to destroy widgets
        self.setWindowTitle("CNN Explorer")
        self.setAcceptDrops(True)
        self.document = document or Document()
        self._persist = restore_settings  # a batch screenshot must not touch the user's settings
        # dialogs start in the last folder used, else Pictures; a batch run remembers nothing
        self.dialogs = DialogFolders(settings_io.settings() if restore_settings else None)
        # what went wrong while starting: shown together once the window is built
        self.startup_notes = settings_io.restore_document(self.document) \
            if restore_settings else []
        self._connected = True  # to the document; shutdown() disconnects once

        self._build_panels(library_path)
        self.controller = ExplorerController(self.document, self.maps_panel, self)
        self.controller.result_shown.connect(self._on_result_shown)
        self.controller.failed.connect(self._on_compute_failed)
        self.controller.computing.connect(self.busy_bar.set_busy)
        self.controller.cancelled.connect(self._on_cancelled)
        self.busy_bar.cancel_clicked.connect(self.controller.cancel)
        self.history = History(self.document)
        self._build_menus()
        self._build_status_bar()
        self._connect_live()
        self._connect_history()
        self._fit_to_screen()
        if restore_settings:
            self._restore_geometry()
        self._update_live_actions()  # a restored layout must not bring back a live toolbar
        self.shortcuts = WindowShortcuts(self, [
            a.shortcut() for a in self.findChildren(QAction) if not a.shortcut().isEmpty()])
        self.document.display.events.tab.connect(self._show_tab)
        self._show_tab(self.document.display.tab)
        self._on_tab_changed(self.tabs.currentIndex())
        self.show_startup_notes()

    # --- construction --------------------------------------------------------------------
    def _build_panels(self, library_path: Path | None) -> None:
        doc = self.document
        self.maps_panel = MapsPanel(doc)
        self.params_panel = ParamsPanel(doc)
        self.layer_panel = LayerPanel(doc)
        self.kernel_editor = KernelEditor(doc, library_path)
        self.kernel_editor.message.connect(self.show_message)
        self.layer_panel.message.connect(self.show_message)
        if self.kernel_editor.status_text():  # e.g. a damaged library found while building
            self.startup_notes.append(self.kernel_editor.status_text())

        self.banner = Banner()
        self.busy_bar = BusyBar()
        self.tabs = PageTabs()
        self.tabs.addTab(self.maps_panel, "Explorer")
        self.tabs.addTab(self.params_panel, "Parameters")
        self._tab_keys = ["explorer", "parameters"]
        self.tab_controllers: dict[str, TabController] = {}
        self.pooling_tab = self.add_tab(PoolingController(doc))
        self.translation = self.add_tab(TranslationController(doc))
        self.stepthrough = self.add_tab(StepThroughController(doc))
        self.text_tab = self.add_tab(TextController(doc))
        self.network_tab = self.add_tab(NetworkController(doc))
        self.training_tab = self.add_tab(TrainingController(doc))
        self.tabs.setContentsMargins(4, 4, 4, 0)
        self.setCentralWidget(self.tabs)
        # messages and the busy bar float over the pages' bottom edge: showing one never
        # resizes the maps (a resize would ask for new maps, whose result would hide it)
        self.message_overlay = BottomOverlay(self.tabs, [self.busy_bar, self.banner])
        self._place_tab_bar()

        self.layer_dock = self._dock("Layers", self.layer_panel,
                                     Qt.DockWidgetArea.LeftDockWidgetArea)
        self.kernel_dock = self._dock("Kernels", ScrollColumn(self.kernel_editor),
                                      Qt.DockWidgetArea.RightDockWidgetArea)
        self._docks_hidden: dict[QDockWidget, bool] = {}  # hidden for a tab, not by the user
        self.tabs.currentChanged.connect(self._on_tab_changed)

    def _place_tab_bar(self) -> None:
        """The tab bar spans the window's top, above the dock areas: docks that hide or show
        with a tab move the pages, never the tabs."""
        bar = QToolBar("Tabs", self, objectName="tabsToolbar", movable=False,
                       floatable=False)
        bar.toggleViewAction().setVisible(False)  # not something to close
        tab_bar = self.tabs.tabBar()
        tab_bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        bar.addWidget(tab_bar)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)  # later toolbars go below it
        self.tab_toolbar = bar

    def add_tab(self, tab: TabController) -> TabController:
        """Add a tab beside the explorer and wire it to the window (see ``explorer.ui.tab``)."""
        self.tab_controllers[tab.key] = tab
        self._tab_keys.append(tab.key)
        self.tabs.addTab(tab.view, tab.title)
        tab.message.connect(self.show_message)
        tab.error.connect(self.show_error)
        tab.send_to_explorer.connect(self.use_stack)
        tab.status_changed.connect(self._show_status)
        tab.presentation_asked.connect(lambda: self.set_presentation(True))
        return tab

    @property
    def extra_tabs(self) -> list[QWidget]:
        """The views of the tabs beside the explorer and the parameters."""
        return [tab.view for tab in self.tab_controllers.values()]

    @property
    def current_tab(self) -> str:
        """The key of the tab on show (``document.display.tab``)."""
        return self.document.display.tab

    def use_stack(self, stack: NamedStack) -> None:
        """Put a stack from another tab into the explorer, and show it there."""
        try:
            self.document.use_stack(stack)
        except ValueError as exc:
            self.show_error(sentence(str(exc)))
            return
        self.document.display.tab = "explorer"
        if stack.title:
            self.show_message(f"The explorer now runs {stack.title}")

    def _show_tab(self, key: str) -> None:
        """Show the tab ``key`` (the document's display.tab changed, e.g. by a session)."""
        if key in self._tab_keys and self.tabs.currentIndex() != self._tab_keys.index(key):
            self.tabs.setCurrentIndex(self._tab_keys.index(key))

    def _on_tab_changed(self, index: int) -> None:
        key = self._tab_keys[index] if 0 <= index < len(self._tab_keys) else "explorer"
        self.document.display.tab = key
        for tab in self.tab_controllers.values():
            if tab.key != key:
                tab.set_active(False)
        current = self.tab_controllers.get(key)
        # the kernel editor belongs to the explorer, the layer controls to the tabs that work
        # on the stack; the other tabs get the width, and the docks come back with their tab
        self._show_dock(self.kernel_dock, key == "explorer")
        self.busy_bar.set_on_page(key == "explorer")
        self._show_dock(self.layer_dock, key in ("explorer", "parameters")
                        or (current is not None and current.uses_layers))
        if current is not None:
            current.set_active(True)
        self._show_status()

    def _show_dock(self, dock: QDockWidget, wanted_here: bool) -> None:
        """Hide a dock for a tab that does not need it, and bring it back afterwards unless
        the user closed it."""
        hidden_by_tab = self._docks_hidden.get(dock, False)
        if wanted_here:
            if hidden_by_tab:
                dock.show()
            self._docks_hidden[dock] = False
        elif not dock.isHidden():  # shown, or to be shown with the window (a --tab start)
            dock.hide()
            self._docks_hidden[dock] = True

    def _fit_to_screen(self) -> None:
        """Start on most of the screen (a projector at 1920×1080 gets big maps), and keep to
        the screen the window is moved to."""
        start_on_screen(self)
        self.screen_fit = ScreenFit(self)
        # docks wide enough for their controls where there is room; the maps take the rest
        width = self.width()
        self.resizeDocks([self.layer_dock, self.kernel_dock],
                         [min(300, int(width * DOCK_SHARE)), min(350, int(width * DOCK_SHARE))],
                         Qt.Orientation.Horizontal)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self, objectName=f"{title.lower()}Dock")
        # closable, so that View > Layers / Kernels can take it away and bring it back
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
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
        lessons = file_menu.addMenu("Open &lecture example")
        for name in LECTURE_LESSONS:
            lessons.addAction(self._action(
                LESSON_TITLES[name], lambda _=False, n=name: self.open_lecture_example(n),
                tip="The lecture's picture and filters in the explorer, its numbers in the "
                "maps"))
        self.recent_menu = file_menu.addMenu("Open &recent")
        self._refresh_recent_menu()
        file_menu.addAction(self._action("Open &video…", self.open_video_dialog,
                                         "Ctrl+Shift+O", "Play a video file, looped"))
        file_menu.addAction(self._action("&Paste image", self.paste_image,
                                         QKeySequence.StandardKey.Paste,
                                         "Use the picture on the clipboard as the input"))
        file_menu.addSeparator()
        file_menu.addAction(self._action(
            "Open sess&ion…", self.open_session_dialog, "Ctrl+Shift+L",
            "Open a saved stack of layers, its kernels, the picture and the display"))
        file_menu.addAction(self._action(
            "Save session &as…", self.save_session_dialog, QKeySequence.StandardKey.SaveAs,
            "Save the stack, every kernel, the picture and the display in one file"))
        file_menu.addAction(self._action(
            "&Import kernels…", self.import_kernels_dialog,
            tip="The selected layer's filters from a .npy, .npz, kernel-library .json file, or "
            "the first convolution of an ONNX model"))
        file_menu.addAction(self._action(
            "E&xport kernels…", self.export_kernels_dialog,
            tip="The selected layer's filters as .npy, .npz or kernel-library .json"))
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Export view…", self.export_dialog, "Ctrl+E"))
        file_menu.addAction(self._action(
            "Export stack as &PyTorch…", self.export_code_dialog,
            tip="The stack as a runnable torch.nn.Sequential with the current weights"))
        file_menu.addAction(self._action("Export &animation…",
                                         self.stepthrough.export_animation_dialog,
                                         tip="The step-through as a GIF, an MP4 or PNG frames"))
        self.copy_action = self._action("&Copy view", self.copy_view, QKeySequence.StandardKey.Copy,
                                        "Copy a picture of the window to the clipboard")
        file_menu.addAction(self.copy_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self._action("&Undo", self.undo, QKeySequence.StandardKey.Undo,
                                        "Take back the last kernel or layer edit")
        self.redo_action = self._action("&Redo", self.redo, "Ctrl+Shift+Z",
                                        "Do again what Undo took back")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self._action(
            "Copy stack as &PyTorch", self.copy_code,
            tip="The stack as PyTorch code, weights included, to paste into a notebook"))

        self._build_live_menu(bar.addMenu("&Live"))

        self._presented: object | None = None  # the tab or page presentation mode shows
        self.presentation = PresentationWindow(self)
        self.presentation.left.connect(self._on_presentation_left)
        self.presentation_action = QAction("&Presentation mode", self, checkable=True)
        self.presentation_action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.presentation_action.setStatusTip("The tab on show alone, full screen, large type, "
                                              "high contrast (F11 or Esc to leave)")
        self.presentation_action.toggled.connect(self.set_presentation)
        self.presentation.addAction(self.presentation_action)
        leave = QAction("Leave presentation mode", self.presentation)
        leave.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        leave.triggered.connect(lambda: self.set_presentation(False))
        self.presentation.addAction(leave)

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.layer_dock.toggleViewAction())
        view_menu.addAction(self.kernel_dock.toggleViewAction())
        view_menu.addAction(self.presentation_action)
        view_menu.addSeparator()
        view_menu.addAction(self._action("&Reset to defaults", self.reset_to_defaults,
                                         tip="Forget every setting and start afresh"))
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About CNN Explorer", self._about))

    def _build_status_bar(self) -> None:
        # elided, never widening the window; the whole text in each tooltip
        # they want fixed room and share the rest by stretch: a longer timing moves nothing
        self.status_sizes = ElidedLabel(steady=30)
        self.status_time = ElidedLabel(steady=24)
        self.status_live = ElidedLabel(minimum_chars=24, steady=40)
        self.statusBar().addPermanentWidget(self.status_live, 3)
        self.statusBar().addPermanentWidget(self.status_sizes, 2)
        self.statusBar().addPermanentWidget(self.status_time, 1)

    # --- presentation mode ---------------------------------------------------------------
    def set_presentation(self, on: bool) -> None:
        """Show the tab on show full screen, in high contrast and large type (F11), or give
        it back (F11, Esc)."""
        if on == self.presentation.presenting:
            self._check_presentation_action()
            return
        if not on:
            self.presentation.leave()  # _on_presentation_left tells the page
            return
        tab = self.tab_controllers.get(self.current_tab)
        page = tab.presentation_view() if tab is not None else self.tabs.currentWidget()
        self._presented = tab if tab is not None else page
        self.presentation.present(page, tab.presentation_keys() if tab is not None else "")
        self._tell_presented(True)
        self._check_presentation_action()

    def _on_presentation_left(self) -> None:
        self._tell_presented(False)
        self._presented = None
        self._check_presentation_action()

    def _tell_presented(self, on: bool) -> None:
        hook = getattr(self._presented, "set_presentation", None)
        if hook is not None:
            hook(on)

    def _check_presentation_action(self) -> None:
        with QSignalBlocker(self.presentation_action):
            self.presentation_action.setChecked(self.presentation.presenting)

    # --- the source ----------------------------------------------------------------------
    def open_image(self, path: str | Path) -> bool:
        """Load a picture file; on failure say why and keep the current picture."""
        try:
            image = images.load_image(path)
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        self.stop_live()
        self.set_image(image, Path(path).name, str(Path(path).resolve()))
        if self._persist:
            settings_io.add_recent_file(str(Path(path).resolve()))
            self._refresh_recent_menu()
        return True

    def open_lecture_example(self, name: str) -> None:
        """The lecture's 6×6 edge picture or 5×5×3 volume as the picture, with its filters as
        the first layer (no activation, no pooling): the maps show the slide's output."""
        try:
            picture, stack = self.stepthrough.lesson(name)
        except ValueError as exc:
            self.show_error(sentence(str(exc)))
            return
        self.stop_live()
        self.set_image(picture, LESSON_TITLES[name].replace("&", ""))
        self.use_stack(stack)

    def set_image(self, image: np.ndarray, name: str, path: str | None = None) -> None:
        """Make ``image`` (RGB or gray uint8) the still picture; gray switches to gray input."""
        self.document.set_still(image, name, path)
        self.setWindowTitle(f"{name} — CNN Explorer")

    def open_image_dialog(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Open an image",
                                                str(self.dialogs.folder("image")), IMAGE_FILTER)
        if chosen:
            self.dialogs.remember("image", chosen)
            self.open_image(chosen)

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
        files = settings_io.recent_files() if self._persist else []
        for path in files:
            # "&" in a file name would make the next letter a keyboard shortcut
            self.recent_menu.addAction(
                self._action(Path(path).name.replace("&", "&&"),
                             lambda _=False, p=path: self.open_image(p), tip=path))
        self.recent_menu.setEnabled(bool(files))

    # --- undo ----------------------------------------------------------------------------
    def _connect_history(self) -> None:
        # one step per burst of edits: a weight typed, a spin box dragged, a preset applied
        self._history_timer = QTimer(self, singleShot=True, interval=HISTORY_SETTLE_MS)
        self._history_timer.timeout.connect(self.history.record)
        doc = self.document
        for signal in (doc.stack.changed, doc.stack.layer_changed, doc.stack.filters_changed,
                       doc.input.events.grayscale, doc.stack.head.events.all,
                       doc.stepthrough.events.edits,
                       *(getattr(doc.text.events, name) for name in doc.text.EDITS)):
            signal.connect(self._on_edit)
        self.history.changed.connect(self._update_undo_actions)
        self._update_undo_actions()

    def _on_edit(self, *_: object) -> None:
        if self.history.restoring:
            return
        self._history_timer.start()
        self.undo_action.setEnabled(True)

    def _update_undo_actions(self) -> None:
        self.undo_action.setEnabled(self.history.can_undo or self._history_timer.isActive())
        self.redo_action.setEnabled(self.history.can_redo)

    def undo(self) -> None:
        self._history_timer.stop()
        if self.history.undo():
            self.show_message("Undone")
        self._update_undo_actions()

    def redo(self) -> None:
        self._history_timer.stop()
        self.history.redo()
        self._update_undo_actions()

    # --- sessions ------------------------------------------------------------------------
    def save_session(self, path: str | Path) -> Path:
        """Write the session file; raises SessionError (a ValueError) with the cause."""
        return write_session(path, self.document)

    def open_session(self, path: str | Path) -> bool:
        """Open a session file; a damaged one is refused with a message and left as it is."""
        try:
            session = read_session(path)
        except SessionError as exc:
            self.show_error(sentence(str(exc)))
            return False
        self.stop_live()
        apply_session(self.document, session)
        try:
            session_picture(self.document, session)
        except ValueError as exc:
            self.show_error(sentence(str(exc)) + " The current picture stays.")
        self.setWindowTitle(f"{self.document.still.name} — CNN Explorer")
        self.show_message(f"Opened the session {Path(path).name}")
        return True

    def save_session_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the session",
                                              self.dialogs.path("session", "session.json"),
                                              SESSION_FILTER)
        if not path:
            return
        self.dialogs.remember("session", path)
        try:
            saved = self.save_session(path)
        except ValueError as exc:
            self.show_error(sentence(str(exc)))
        else:
            self.show_message(f"Saved the session as {saved.name}")

    def open_session_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a session",
                                              str(self.dialogs.folder("session")), SESSION_FILTER)
        if path:
            self.dialogs.remember("session", path)
            self.open_session(path)

    # --- kernel files --------------------------------------------------------------------
    def import_kernels_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import kernels",
                                              str(self.dialogs.folder("kernels")),
                                              KERNEL_FILTER)
        if path:
            self.dialogs.remember("kernels", path)
            self.kernel_editor.import_kernels(path)

    def export_kernels_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export kernels",
                                              self.dialogs.path("kernels", "kernels.npz"),
                                              KERNEL_SAVE_FILTER)
        if path:
            self.dialogs.remember("kernels", path)
            self.kernel_editor.export_kernels(path)

    # --- compute -------------------------------------------------------------------------
    def schedule_compute(self, *_: object) -> None:
        self.controller.schedule()

    def request_compute(self, frame_time: float | None = None) -> int | None:
        return self.controller.request_compute(frame_time)

    def source_image(self) -> np.ndarray | None:
        return self.controller.source_image()

    @property
    def last_result(self) -> StackResult | None:
        return self.controller.last_result

    def _on_result_shown(self, result: StackResult) -> None:
        if self.controller.is_newest(result):
            self.banner.mend("result")
        self._show_status()
        self.result_shown.emit(result)

    def _on_cancelled(self) -> None:
        self.show_error("Stopped: the maps show the settings before your last change. Change a "
                        "setting, or compute these ones after all.", "Compute",
                        self.controller.request_compute, mended_by="result")

    def _on_compute_failed(self, message: str) -> None:
        keep = " The last good result stays on screen." if self.last_result else ""
        self.show_error(sentence(message) + keep, mended_by="result")

    def _show_status(self) -> None:
        """The status bar speaks of the tab on show: the explorer's sizes and timings, or the
        tab's own rate and timing."""
        tab = self.tab_controllers.get(self.current_tab)
        if tab is not None:
            self.status_sizes.setText(tab.status_text())
            self.status_time.setText("")
            return
        result = self.last_result
        if self.current_tab != "explorer" or result is None:
            self.status_sizes.setText("")
            self.status_time.setText("")
            return
        text = f"input {shape_text(result.picture.shape[:2])}"
        for stage in result.stages:
            text += f" → {shape_text(stage.output.shape)}"
        self.status_sizes.setText(text)
        t = result.timings_ms
        self.status_time.setText(
            f"layers {t.get('layers', 0):.1f} ms · total {result.total_ms:.1f} ms")

    # --- start-up notes ------------------------------------------------------------------
    def show_startup_notes(self) -> None:
        """Every note from the start (a settings file left alone or set aside, a part of the
        kept session skipped, a damaged kernel library) at once, in a banner that stays until
        dismissed: one after another in the status bar, only the last could be read."""
        notes = [sentence(note) for note in self.startup_notes]
        if not notes:
            self.banner.dismiss()
        elif len(notes) == 1:
            self.show_error(notes[0])
        else:
            self.show_error("While starting:\n" + "\n".join(f"• {note}" for note in notes))

    # --- messages ------------------------------------------------------------------------
    def show_error(self, message: str, action: str = "", callback=None,
                   mended_by: str = "") -> None:
        """A problem the user should see: a banner over the pages, kept until dismissed, or
        until what ``mended_by`` names happens ("result": a good result of newer settings;
        "live": leaving the live source)."""
        self.banner.show_message(message, action, callback, mended_by)
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

    def export_view(self, path: str | Path, target: str = "Whole window", scale: int = 1,
                    theme: str = "dark", *, overwrite: bool = True) -> Path:
        """Save one export target; maps become a slide with a colour bar under each map."""
        return save_target(self.export_targets()[target], path, scale, theme=theme,
                           panel=self.maps_panel, overwrite=overwrite)

    def export_dialog(self) -> None:
        targets = self.export_targets()
        slides = [name for name, w in targets.items() if is_slide_target(self.maps_panel, w)]
        dialog = ExportDialog(list(targets), self, folders=self.dialogs, slide_targets=slides)
        if dialog.exec() and dialog.path:
            try:
                saved = self.export_view(dialog.path, dialog.target, dialog.scale, dialog.theme)
            except ValueError as exc:
                self.show_error(str(exc))
            else:
                self.show_message(saved_text([saved]))

    def copy_view(self) -> None:
        copy_widget(self)
        self.show_message("Copied a picture of the window to the clipboard")

    # --- the stack as code ---------------------------------------------------------------
    def _code_title(self) -> str:
        n = len(self.document.stack)
        return f"The CNN Explorer stack of {n} layer{'s' if n > 1 else ''}"

    def copy_code(self) -> bool:
        """Put the stack as PyTorch code on the clipboard (weights written into it)."""
        try:
            code, _ = stack_code(self.document.stack_specs(), self._code_title())
        except ValueError as exc:
            self.show_error(sentence(str(exc)) + " (File > Export stack as PyTorch).")
            return False
        QGuiApplication.clipboard().setText(code)
        self.show_message(f"Copied the stack as PyTorch code ({len(code.splitlines())} lines) "
                          "to the clipboard")
        return True

    def export_code(self, path: str | Path) -> list[Path]:
        """Write the stack as PyTorch code (and its weights beside it when there are many)."""
        return write_stack_code(path, self.document.stack_specs(), self._code_title())

    def export_code_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the stack as PyTorch code",
                                              self.dialogs.path("code", "stack.py"),
                                              "Python (*.py)")
        if not path:
            return
        self.dialogs.remember("code", path)
        try:
            written = self.export_code(path)
        except ValueError as exc:
            self.show_error(sentence(str(exc)))
        else:
            self.show_message("Saved " + " and ".join(
                f"{p} ({p.stat().st_size:,} bytes)" for p in written), 12_000)

    # --- settings ------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        store = settings_io.settings()
        geometry = store.value("window/geometry")
        if isinstance(geometry, bytes):
            self.restoreGeometry(QByteArray(geometry))
        state = store.value("window/state")
        if isinstance(state, bytes):
            self.restoreState(QByteArray(state))
        fit_on_screen(self)  # saved on a larger screen

    def save_settings(self) -> bool:
        """Keep the window and the session for the next start. When the settings file cannot
        be written (a full disk, a folder made read-only), the session goes to the fallback
        file instead, and stderr names it: the window is closing, no banner would be seen."""
        store = settings_io.settings()
        store.update({"window/geometry": bytes(self.saveGeometry().data()),
                      "window/state": bytes(self.saveState().data())})
        if settings_io.save_document(self.document, store):
            return True
        kept = settings_io.keep_elsewhere(self.document)
        print(f"cnn-explorer: the settings could not be saved to {store.fileName()} "
              f"({store.error}); {kept}", file=sys.stderr)
        return False

    def reset_to_defaults(self) -> None:
        if self._persist:
            settings_io.clear_document_settings()
        self.document.reset()
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
        """Stop the worker and the feed; disconnect every panel from the document (idempotent)."""
        self._live_status_timer.stop()
        self._history_timer.stop()
        self.presentation.leave()
        self.shortcuts.remove()
        self.controller.shutdown()
        if self._connected:
            self._connected = False
            for panel in (self.maps_panel, self.params_panel, self.layer_panel,
                          self.kernel_editor, *self.tab_controllers.values()):
                panel.cleanup()
