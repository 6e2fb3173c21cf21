"""A video file played through OpenCV, looped at its end."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import cv2
import numpy as np

from explorer.core import safe_files
from explorer.core.images import MAX_PIXELS
from explorer.core.sources.base import DEFAULT_FPS, FrameSource, SourceError
from explorer.core.sources.opencv import _bgr_to_rgb, _capture_fps, _quiet_opencv


def _open_file_capture(path: str) -> cv2.VideoCapture | None:
    """The file through FFmpeg, else through any backend that takes it; None if none does."""
    with _quiet_opencv():
        for api in (cv2.CAP_FFMPEG, cv2.CAP_ANY):
            cap = cv2.VideoCapture(path, api)
            if cap.isOpened():
                return cap
            cap.release()
    return None


class VideoFileSource(FrameSource):
    """A video file, looped at its end by default.

    File names: OpenCV passes the name to its backends as a byte string. On Linux and macOS
    that is UTF-8 and any name works; on Windows OpenCV cannot open names outside the ANSI code
    page (opencv/opencv#4292). When a non-ASCII name fails to open, the file is read through
    an ASCII-named hard link in the temporary folder, or, where no link can be made (another
    drive), through a temporary copy — which takes time and disk space for a long video. The
    link or copy is deleted on ``release``.
    """

    def __init__(self, path: str | os.PathLike[str], loop: bool = True) -> None:
        self._path = Path(path)
        self._loop = loop
        self._cap: cv2.VideoCapture | None = None
        self._alias_dir: str | None = None
        self._opened_as = str(self._path)
        self._pending: np.ndarray | None = None
        self._size: tuple[int, int] | None = None
        self._fps = DEFAULT_FPS

    @property
    def name(self) -> str:
        return self._path.name

    @property
    def path(self) -> Path:
        return self._path

    @property
    def loop(self) -> bool:
        return self._loop

    @property
    def nominal_fps(self) -> float:
        return self._fps

    @property
    def size(self) -> tuple[int, int] | None:
        return self._size

    def _error(self, why: str) -> SourceError:
        return SourceError(f"{self.name} cannot be read: {why}")

    def open(self) -> None:
        self.release()
        problem = safe_files.regular_file_problem(self._path)
        if problem == "does not exist":
            raise self._error("the file does not exist")
        if problem == "is a folder, not a file":
            raise self._error("it is a folder, not a video")
        if problem is not None:  # a pipe or a device would hang the decoder, or never end
            raise self._error(f"it {problem}")
        cap = _open_file_capture(str(self._path))
        if cap is None and not str(self._path).isascii():
            cap = _open_file_capture(self._ascii_alias())
        if cap is None:
            raise self._error("it is not a video OpenCV can decode (or it is damaged)")
        self._cap = cap
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0)
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0)
        if width * height > MAX_PIXELS:  # each frame would take gigabytes, many times a second
            self.release()
            raise self._error(f"its frames are {width}×{height} pixels, more than the "
                              f"{MAX_PIXELS // 1_000_000}-megapixel limit")
        # a file can open and still hold nothing decodable: read the first picture now
        ok, bgr = cap.read()
        if not ok or bgr is None:
            self.release()
            raise self._error("it contains no picture OpenCV can decode")
        self._pending = _bgr_to_rgb(bgr)
        self._size = (bgr.shape[1], bgr.shape[0])
        self._fps = _capture_fps(cap)

    def _ascii_alias(self) -> str:
        """An ASCII-named hard link to (or copy of) the file, for OpenCV on Windows."""
        self._alias_dir = tempfile.mkdtemp(prefix="cnn-explorer-video-")
        suffix = self._path.suffix if self._path.suffix.isascii() else ""
        alias = os.path.join(self._alias_dir, "video" + suffix)
        try:
            os.link(self._path, alias)
        except OSError:
            shutil.copyfile(self._path, alias)
        self._opened_as = alias
        return alias

    def read(self) -> np.ndarray | None:
        if self._cap is None:
            raise self._error("it is not open")
        if self._pending is not None:
            img, self._pending = self._pending, None
            return img
        ok, bgr = self._cap.read()
        if ok and bgr is not None:
            return _bgr_to_rgb(bgr)
        if not self._loop:
            return None
        # Back to the start by opening again: seeking to frame 0 is unreliable for some
        # codecs, and opening costs about a millisecond.
        self._cap.release()
        self._cap = _open_file_capture(self._opened_as)
        if self._cap is None:
            raise self._error("the file went away while playing")
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            raise self._error("no picture after starting over")
        return _bgr_to_rgb(bgr)

    def release(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
        self._pending = None
        if self._alias_dir is not None:
            shutil.rmtree(self._alias_dir, ignore_errors=True)
            self._alias_dir = None
            self._opened_as = str(self._path)
