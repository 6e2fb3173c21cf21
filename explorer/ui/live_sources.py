"""The main window's live half: the Live menu and toolbar, and what they say.

The controller runs the feed and keeps the document's live state; this mixin only offers the
actions and shows the state (the toolbar, the status line, faults in the banner). Going live
never replaces the still picture, and "Back to the still image" shows it again exactly, with
its own processing size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QFileDialog, QMenu

from explorer.core import images
from explorer.core.safe_files import regular_file_problem
from explorer.core.sources import CameraSource, SyntheticSource, VideoFileSource, list_cameras
from explorer.ui.widgets.banner import sentence

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v *.mpg);;All files (*)"
SAVE_FILTER = ("PNG image (*.png);;JPEG image (*.jpg *.jpeg);;BMP image (*.bmp);;"
               "TIFF image (*.tif *.tiff);;WebP image (*.webp)")
CAMERA_SIZES = ((640, 480), (1280, 720), (1920, 1080))
KIND_WORDS = {"camera": "camera", "video": "video", "synthetic": "scene"}


class LiveSourcesMixin:
    """Live menu, live toolbar and status of the main window."""

    def _build_live_menu(self, menu: QMenu) -> None:
        self.camera_menu = menu.addMenu("&Camera")
        self.camera_menu.aboutToShow.connect(self._refresh_camera_menu)
        size_menu = menu.addMenu("Camera &resolution (width × height)")
        sizes = QActionGroup(self)  # one resolution at a time
        chosen = (self.document.live_settings.camera_width,
                  self.document.live_settings.camera_height)
        for w, h in CAMERA_SIZES:
            action = self._action(f"{w}×{h}", lambda _=False, s=(w, h): self._set_camera_size(s))
            action.setCheckable(True)
            action.setChecked((w, h) == chosen)
            action.setActionGroup(sizes)
            size_menu.addAction(action)
        menu.addAction(self._action("Open &video…", self.open_video_dialog))
        menu.addAction(self._action("&Synthetic scene", self.start_synthetic,
                                    tip="Moving shapes and edges: a live source with no camera"))
        menu.addSeparator()
        self.mirror_action = self._action("&Mirror", self._on_mirror_action,
                                          tip="Flip the picture left to right, like a mirror")
        self.mirror_action.setCheckable(True)
        self.mirror_action.setChecked(self.document.live_settings.mirror)
        self.freeze_action = self._action("&Freeze", self.set_frozen, "Space",
                                          "Hold the current frame (Space); F steps one frame")
        self.freeze_action.setCheckable(True)
        self.step_action = self._action("S&tep one frame", self.controller.step, "F",
                                        "While frozen: take the next frame")
        self.save_frame_action = self._action("Sa&ve frame…", self.save_frame_dialog)
        self.use_frame_action = self._action("&Use frame as still image", self.use_frame_as_still)
        self.stop_live_action = self._action("Back to the still &image", self.stop_live)
        for action in (self.mirror_action, self.freeze_action, self.step_action,
                       self.save_frame_action, self.use_frame_action, self.stop_live_action):
            menu.addAction(action)
        self.live_toolbar = self.addToolBar("Live")
        self.live_toolbar.setObjectName("liveToolbar")
        for action in (self.freeze_action, self.step_action, self.mirror_action,
                       self.use_frame_action, self.stop_live_action):
            self.live_toolbar.addAction(action)

    def _connect_live(self) -> None:
        self._live_status_timer = QTimer(self, interval=500)
        self._live_status_timer.timeout.connect(self._show_live_status)
        controller = self.controller
        controller.live_failed.connect(self._on_live_failed)
        controller.live_ended.connect(self._on_live_ended)
        live = self.document.live
        for signal in (live.events.active, live.events.frozen, live.events.frame_height):
            signal.connect(self._update_live_actions)
        self._update_live_actions()

    def _refresh_camera_menu(self) -> None:
        self.camera_menu.clear()
        found = list_cameras()
        if not found:
            action = self.camera_menu.addAction("No camera found")
            action.setEnabled(False)
        for index in found:
            self.camera_menu.addAction(
                self._action(f"Camera {index}", lambda _=False, i=index: self.start_camera(i)))

    # --- sources -------------------------------------------------------------------------
    def start_live(self, factory, name: str, kind: str) -> None:
        """Switch to a live source built by ``factory`` on the capture thread."""
        self.banner.dismiss()
        self.freeze_action.setChecked(False)
        self.controller.start_live(factory, name, kind)
        self._live_status_timer.start()
        self.setWindowTitle(f"{name} — CNN Explorer")

    def start_camera(self, index: int = 0) -> None:
        settings = self.document.live_settings
        w, h = settings.camera_width, settings.camera_height
        self.start_live(lambda: CameraSource(index, w, h), f"Camera {index}", "camera")

    def open_video(self, path: str | Path) -> bool:
        problem = regular_file_problem(path)
        if problem == "does not exist":
            self.show_error(f"No video file at {path}.")
            return False
        if problem is not None:  # a pipe or a device would never end
            self.show_error(sentence(f"{Path(path).name} {problem}"))
            return False
        self.start_live(lambda: VideoFileSource(path, loop=True), Path(path).name, "video")
        return True

    def open_video_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video",
                                              str(self.dialogs.folder("video")), VIDEO_FILTER)
        if path:
            self.dialogs.remember("video", path)
            self.open_video(path)

    def start_synthetic(self) -> None:
        self.start_live(lambda: SyntheticSource(640, 480), "Synthetic scene", "synthetic")

    def _set_camera_size(self, size: tuple[int, int]) -> None:
        settings = self.document.live_settings
        settings.camera_width, settings.camera_height = size
        live = self.document.live
        if live.active and live.kind == "camera":
            self.start_camera(int(live.name.split()[-1]))

    def stop_live(self) -> None:
        """Back to the still picture, exactly as it was."""
        was_live = self.document.live.active
        self._live_status_timer.stop()
        self.controller.stop_live()
        self.status_live.clear()
        if was_live:
            self.banner.mend("live")  # the live fault is gone with the live source
        if was_live and self.document.still.image is not None:
            self.setWindowTitle(f"{self.document.still.name} — CNN Explorer")

    def set_frozen(self, frozen: bool) -> None:
        self.controller.set_frozen(bool(frozen))

    def _on_mirror_action(self, on: bool) -> None:
        self.document.live_settings.mirror = bool(on)

    def _update_live_actions(self, *_: object) -> None:
        live = self.document.live
        for action in (self.freeze_action, self.mirror_action, self.stop_live_action):
            action.setEnabled(live.active)
        self.freeze_action.setChecked(live.frozen)
        self.step_action.setEnabled(live.active and live.frozen)
        has_frame = live.active and live.frame_height > 0
        self.save_frame_action.setEnabled(has_frame)
        self.use_frame_action.setEnabled(has_frame)
        self.live_toolbar.setVisible(live.active)

    def _on_live_failed(self, message: str) -> None:
        self._live_status_timer.stop()
        keep = " The last picture stays on screen." if self.last_result else ""
        self.show_error(sentence(message) + keep, "Retry", self._retry_live,
                        mended_by="live")

    def _retry_live(self) -> None:
        if self.controller.restart_live():
            self._live_status_timer.start()

    def _on_live_ended(self) -> None:
        self._live_status_timer.stop()
        self.show_message(f"{self.document.live.name} ended")

    def _show_live_status(self) -> None:
        live = self.document.live
        if not live.active:
            return
        controller = self.controller
        feed = controller.live
        word = KIND_WORDS.get(live.kind, "source")
        text = f"{live.name}: {word} {feed.capture_fps:.0f} fps"
        explorer = self.current_tab == "explorer"  # another tab reports its own rate
        if explorer:
            dropped = feed.dropped + controller.worker.superseded
            text += (f" · processed {controller.processed_fps():.0f} fps · "
                     f"{controller.latency_ms:.0f} ms late · {dropped} dropped")
        result = self.last_result
        if explorer and live.frame_height and result is not None:
            shown = result.picture.shape[:2]
            if shown != (live.frame_height, live.frame_width):
                text += (f" · at {shown[0]}×{shown[1]} of {live.frame_height}×"
                         f"{live.frame_width}")
        if live.frozen:
            text += " · FROZEN"
        self.status_live.setText(text)

    def current_frame(self) -> np.ndarray | None:
        return self.controller.current_frame()

    def save_frame(self, path: str | Path) -> Path:
        frame = self.current_frame()
        if frame is None:
            raise ValueError("there is no live frame to save")
        path = Path(path)
        images.save_image(path, frame)
        return path

    def save_frame_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save frame",
                                              self.dialogs.path("frame", "frame.png"), SAVE_FILTER)
        if path:
            self.dialogs.remember("frame", path)
            try:
                saved = self.save_frame(path)
            except ValueError as exc:
                self.show_error(str(exc))
            else:
                self.show_message(f"Saved {saved.name}")

    def use_frame_as_still(self) -> None:
        frame = self.current_frame()
        if frame is None:
            return
        name = f"frame from {self.document.live.name}"
        self.stop_live()
        self.set_image(frame, name)
