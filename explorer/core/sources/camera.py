"""Webcams through OpenCV: a camera source and a list of the cameras that open."""

from __future__ import annotations

import os
import sys

import cv2
import numpy as np

from explorer.core.sources.base import DEFAULT_FPS, FrameSource, SourceError, _check_size
from explorer.core.sources.opencv import _bgr_to_rgb, _capture_fps, _quiet_opencv


def _camera_device_exists(index: int) -> bool | None:
    """Whether the system has a camera at ``index``; None where we cannot tell cheaply."""
    if sys.platform.startswith("linux"):
        return os.path.exists(f"/dev/video{index}")
    return None


class CameraSource(FrameSource):
    """A webcam through ``cv2.VideoCapture(index)``.

    A requested width/height is a wish: the camera picks the nearest mode it has, and ``size``
    reports what it actually delivers. Mirroring is the capture thread's job.
    """

    is_live = True

    def __init__(
        self,
        index: int,
        width: int | None = None,
        height: int | None = None,
        api_preference: int = cv2.CAP_ANY,
    ) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise SourceError(f"a camera index is a whole number from 0, not {index!r}")
        if width is not None or height is not None:
            _check_size(width or 640, height or 480)
        self._index, self._req_w, self._req_h = index, width, height
        self._api = api_preference
        self._cap: cv2.VideoCapture | None = None
        self._pending: np.ndarray | None = None
        self._size: tuple[int, int] | None = None
        self._fps = DEFAULT_FPS

    @property
    def index(self) -> int:
        return self._index

    @property
    def name(self) -> str:
        return f"Camera {self._index}"

    @property
    def nominal_fps(self) -> float:
        return self._fps

    @property
    def size(self) -> tuple[int, int] | None:
        return self._size

    def _busy(self) -> SourceError:
        return SourceError(
            f"Camera {self._index} is busy or cannot be opened "
            "(is another program using it?)"
        )

    def open(self) -> None:
        self.release()
        i = self._index
        exists = _camera_device_exists(i)
        if exists is False:
            raise SourceError(f"No camera found at index {i}")
        with _quiet_opencv():
            cap = cv2.VideoCapture(i, self._api)
        if not cap.isOpened():
            cap.release()
            if exists is None:  # elsewhere than Linux, a failed open cannot tell the two apart
                raise SourceError(f"No camera found at index {i}, or another program is using it")
            raise self._busy()
        self._cap = cap
        if self._req_w:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self._req_w)
        if self._req_h:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self._req_h)
        # ask the driver to hold one picture, not a backlog (ignored where unsupported)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        # A busy camera often opens fine and then fails to stream: read one picture now.
        ok, bgr = cap.read()
        if not ok or bgr is None:
            self.release()
            raise self._busy()
        self._pending = _bgr_to_rgb(bgr)
        self._size = (bgr.shape[1], bgr.shape[0])
        self._fps = _capture_fps(cap)

    def read(self) -> np.ndarray:
        if self._cap is None:
            raise SourceError(f"Camera {self._index} is not open")
        if self._pending is not None:
            img, self._pending = self._pending, None
            return img
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            raise SourceError("The camera stopped sending pictures (unplugged?)")
        return _bgr_to_rgb(bgr)

    def release(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        self._pending = None


def list_cameras(max_index: int = 5) -> list[int]:
    """Indices 0 … max_index − 1 at which a camera opens; [] quickly on a machine without.

    Only opens and releases each device (no picture is read), so a camera that is busy in
    another program may still be listed; opening it then says so.
    """
    found = []
    for i in range(max_index):
        if _camera_device_exists(i) is False:
            continue
        with _quiet_opencv():
            cap = cv2.VideoCapture(i)
            try:
                if cap.isOpened():
                    found.append(i)
            finally:
                cap.release()
    return found
