"""The live half of the explorer window: camera, video and synthetic sources.

A mixin of :class:`~explorer.ui.main_window.MainWindow`, kept apart so each file has one
purpose. Frames from the :class:`~explorer.ui.live.LiveFeed` take the window's one request
path (``request_compute``); the processing size goes through the document, so the formulas
and parameter counts always state what is computed.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QFileDialog, QMenu

from explorer.core import images
from explorer.core.sources import (
    CameraSource,
    Frame,
    SyntheticSource,
    VideoFileSource,
    list_cameras,
)
from explorer.ui.widgets.banner import sentence

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm *.m4v *.mpg);;All files (*)"
SAVE_FILTER = "PNG image (*.png);;JPEG image (*.jpg *.jpeg);;All files (*)"
CAMERA_SIZES = ((640, 480), (1280, 720), (1920, 1080))


class LiveSourcesMixin:
    """Live menu, live toolbar and the live-frame path of the main window."""

    def _build_live_menu(self, menu: QMenu) -> None:
        self.camera_menu = menu.addMenu("&Camera")
        self.camera_menu.aboutToShow.connect(self._refresh_camera_menu)
        size_menu = menu.addMenu("Camera &resolution")
        sizes = QActionGroup(self)  # one resolution at a time
        for w, h in CAMERA_SIZES:
            action = self._action(f"{w}×{h}", lambda _=False, s=(w, h): self._set_camera_size(s))
            action.setCheckable(True)
            action.setChecked((w, h) == self._camera_size)
            action.setActionGroup(sizes)
            size_menu.addAction(action)
        menu.addAction(self._action("Open &video…", self.open_video_dialog))
        menu.addAction(self._action("&Synthetic scene", self.start_synthetic,
                                    tip="Moving shapes and edges: a live source with no camera"))
        menu.addSeparator()
        self.mirror_action = self._action("&Mirror", self.live.set_mirror,
                                          tip="Flip the picture left to right, like a mirror")
        self.mirror_action.setCheckable(True)
        self.freeze_action = self._action("&Freeze", self.set_frozen, "Space",
                                          "Hold the current frame (Space); F steps one frame")
        self.freeze_action.setCheckable(True)
        self.step_action = self._action("S&tep one frame", self.live.step, "F",
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

    # --- sources and the frame path -----------------------------------------------------
    def start_live(self, factory, name: str) -> None:
        """Switch to a live source built by ``factory`` on the capture thread."""
        self.banner.hide()
        self._live_image = None
        self._results_shown.clear()
        self.freeze_action.setChecked(False)
        self.live.start(factory, name)
        self._live_status_timer.start()
        self._update_live_actions()
        self.setWindowTitle(f"{name} — CNN Explorer")

    def start_camera(self, index: int = 0) -> None:
        w, h = self._camera_size
        self.start_live(lambda: CameraSource(index, w, h), f"Camera {index}")

    def open_video(self, path: str | Path) -> bool:
        if not Path(path).is_file():
            self.show_error(f"no video file at {path}")
            return False
        self.start_live(lambda: VideoFileSource(path, loop=True), Path(path).name)
        return True

    def open_video_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video", "", VIDEO_FILTER)
        if path:
            self.open_video(path)

    def start_synthetic(self) -> None:
        self.start_live(lambda: SyntheticSource(640, 480), "Synthetic scene")

    def _set_camera_size(self, size: tuple[int, int]) -> None:
        self._camera_size = size
        if self.live.running and self.live.name.startswith("Camera"):
            index = int(self.live.name.split()[-1])
            self.start_camera(index)

    def stop_live(self) -> None:
        """Back to the still picture (the document's image)."""
        if not self.live.running and self._live_image is None:
            return
        self.live.stop()
        self._live_status_timer.stop()
        self._live_image = None
        self.status_live.clear()
        self._update_live_actions()
        if self.document.image is not None:
            self.setWindowTitle(f"{self.document.source_name} — CNN Explorer")
            self.schedule_compute()

    def set_frozen(self, frozen: bool) -> None:
        self.live.set_frozen(frozen)
        self.freeze_action.setChecked(frozen)
        self._update_live_actions()

    def _update_live_actions(self) -> None:
        live = self.live.running or self._live_image is not None
        for action in (self.freeze_action, self.mirror_action, self.stop_live_action):
            action.setEnabled(live)
        self.step_action.setEnabled(live and self.live.frozen)
        has_frame = self._live_image is not None
        self.save_frame_action.setEnabled(has_frame)
        self.use_frame_action.setEnabled(has_frame)
        self.live_toolbar.setVisible(live)

    def _on_live_frame(self, frame: Frame) -> None:
        first = self._live_image is None or self._live_image.shape != frame.image.shape
        self._live_image = frame.image
        if first:
            # panels that show sizes learn the frame's size; later frames skip the document
            self.document.set_image(frame.image, self.live.name)
            self._fit_live_processing_size(frame.image.shape)
            self._update_live_actions()
        self.request_compute(frame.timestamp)

    def _fit_live_processing_size(self, frame_shape: tuple[int, ...]) -> None:
        """Compute live frames at the size they are shown, when that is smaller.

        It goes through the document's processing size, so the Size control, the output-size
        formulas and the parameter counts all state the size that is really computed.
        """
        side = self.shown_side()
        if not self.fit_live_to_view or max(frame_shape[:2]) <= side:
            return
        if self.document.input.max_side > side:
            self.document.input.max_side = side
            fh, fw = frame_shape[:2]
            self.show_message(f"Live: computing at the size shown ({side} px on the longer "
                              f"side) instead of the {fw}×{fh} px frames; change it under Size",
                              10_000)

    def _on_live_failed(self, message: str) -> None:
        self._live_status_timer.stop()
        self._update_live_actions()
        keep = " The last picture stays on screen." if self._last_result else ""
        self.show_error(sentence(message) + keep, "Retry", self._retry_live)

    def _retry_live(self) -> None:
        if self.live.restart():
            self._live_status_timer.start()
            self._update_live_actions()

    def _on_live_ended(self) -> None:
        self._live_status_timer.stop()
        self.show_message(f"{self.live.name} ended")
        self._update_live_actions()

    def _show_live_status(self) -> None:
        if not self.live.running:
            return
        now = time.perf_counter()
        recent = [t for t in self._results_shown if now - t < 2.0]
        processed = (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 1 else 0.0
        dropped = self.live.dropped + self._worker.superseded
        text = (f"{self.live.name}: camera {self.live.capture_fps:.0f} fps · processed "
                f"{processed:.0f} fps · latency {self._latency_ms:.0f} ms · dropped {dropped}")
        if self._live_image is not None:
            fh, fw = self._live_image.shape[:2]
            shown = self._last_result.image if self._last_result is not None else None
            if shown is not None and shown.shape[:2] != (fh, fw):
                text += (f" · computing {shown.shape[0]}×{shown.shape[1]} of "
                         f"{fh}×{fw} frames")
        if self.live.frozen:
            text += " · FROZEN"
        self.status_live.setText(text)

    def current_frame(self) -> np.ndarray | None:
        return None if self._live_image is None else self._live_image.copy()

    def save_frame(self, path: str | Path) -> Path:
        frame = self.current_frame()
        if frame is None:
            raise ValueError("there is no live frame to save")
        path = Path(path)
        images.save_image(path, frame)
        return path

    def save_frame_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save frame", "frame.png", SAVE_FILTER)
        if path:
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
        name = f"frame from {self.live.name}"
        self.stop_live()
        self._source_path = None
        self.set_image(frame, name)
