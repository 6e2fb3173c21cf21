"""Frame sources: the webcam, a video file, a synthetic scene or a still, read on their own thread.

DESIGN.md §3, step 1. A :class:`CaptureThread` owns one :class:`FrameSource`: it builds, opens,
reads and releases it inside its own ``run()`` (capture objects are not safe to share between
threads), and writes every picture into a one-slot :class:`LatestFrame` box. Nothing is queued:
a slow consumer sees the newest frame, and the box counts the frames it never saw.

Every picture that leaves this module is RGB uint8 of shape (H, W, 3), C-contiguous and
read-only (several readers may hold the same frame). Faults raise :class:`SourceError`, whose
message is meant for the status bar as is.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

log = logging.getLogger(__name__)

__all__ = [
    "CameraSource",
    "CaptureThread",
    "Frame",
    "FrameSource",
    "LatestFrame",
    "SourceError",
    "StillSource",
    "SyntheticSource",
    "VideoFileSource",
    "list_cameras",
]

DEFAULT_FPS = 30.0  # when a file or camera does not say its frame rate


class SourceError(ValueError):
    """A picture source cannot be opened or stopped working; the message is for the user."""


# --- the one-slot box ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Frame:
    """One captured picture: RGB uint8 (H, W, 3), read-only, numbered in capture order."""

    sequence: int
    image: np.ndarray
    timestamp: float  # time.perf_counter() when the picture was captured


def _as_rgb_frame(image: np.ndarray) -> np.ndarray:
    img = np.asarray(image)
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(
            f"a frame must be an 8-bit RGB picture of shape (H, W, 3), "
            f"not {img.dtype} of shape {img.shape}"
        )
    return np.ascontiguousarray(img)


class LatestFrame:
    """A thread-safe one-slot box that keeps only the newest frame.

    ``put`` numbers each picture (1, 2, 3 …) and replaces whatever was there; ``get`` returns
    the newest frame without removing it, so a timer can poll and compare sequence numbers.
    A frame replaced before any ``get`` returned it counts as ``dropped``.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._taken = True  # nothing to drop yet
        self._sequence = 0
        self._dropped = 0

    def put(self, image: np.ndarray, timestamp: float | None = None) -> Frame:
        """Store a picture as the newest frame and return it.

        The box takes ownership: the array is made read-only so that no reader can change a
        picture another reader is looking at. Raises ValueError unless it is RGB uint8.
        """
        img = _as_rgb_frame(image)
        img.flags.writeable = False
        stamp = time.perf_counter() if timestamp is None else float(timestamp)
        with self._cond:
            if not self._taken:
                self._dropped += 1
            self._sequence += 1
            self._frame = Frame(self._sequence, img, stamp)
            self._taken = False
            self._cond.notify_all()
            return self._frame

    def get(self) -> Frame | None:
        """The newest frame (None before the first ``put``); it stays in the box."""
        with self._cond:
            self._taken = True
            return self._frame

    def wait_newer(self, after: int, timeout: float | None = None) -> Frame | None:
        """Block until a frame numbered above ``after`` arrives; None when ``timeout`` runs out.

        For benches and headless use; a GUI polls ``get`` from a timer instead.
        """
        with self._cond:
            if not self._cond.wait_for(lambda: self._sequence > after, timeout):
                return None
            self._taken = True
            return self._frame

    @property
    def sequence(self) -> int:
        """Number of the newest frame; 0 before the first."""
        return self._sequence

    @property
    def dropped(self) -> int:
        """Frames overwritten before anyone read them."""
        return self._dropped


# --- sources ---------------------------------------------------------------------------------


class FrameSource(ABC):
    """Something that yields RGB uint8 pictures: open, read … read, release.

    A source is used by one thread only (the capture thread); ``release`` must be safe to call
    more than once and after a failed ``open``.
    """

    #: a live source (a camera) delivers pictures at its own pace; the others are paced by
    #: the capture thread at ``nominal_fps``
    is_live: bool = False

    @property
    @abstractmethod
    def name(self) -> str:
        """A short name for the status bar ("Camera 0", "clip.mp4")."""

    @property
    @abstractmethod
    def nominal_fps(self) -> float:
        """The frame rate the source is meant to be played at."""

    @property
    @abstractmethod
    def size(self) -> tuple[int, int] | None:
        """(width, height) of the pictures, None while it is not known (before ``open``)."""

    @abstractmethod
    def open(self) -> None:
        """Acquire the device or file. Raises SourceError."""

    @abstractmethod
    def read(self) -> np.ndarray | None:
        """The next picture, RGB uint8 (H, W, 3); None at the end of a stream.

        Raises SourceError when a picture cannot be had this time (the caller decides when
        repeated failures mean the source is gone).
        """

    @abstractmethod
    def release(self) -> None:
        """Give the device or file back."""

    def __enter__(self) -> FrameSource:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _check_size(width: int, height: int) -> None:
    if not (16 <= width <= 7680 and 16 <= height <= 4320):
        raise ValueError(
            f"a picture of {width}×{height} is outside the supported 16×16 … 7680×4320"
        )


def _check_fps(fps: float) -> None:
    if not (math.isfinite(fps) and 0 < fps <= 1000):
        raise ValueError(f"the frame rate must be between 0 and 1000 frames a second, not {fps}")


class SyntheticSource(FrameSource):
    """A moving test scene, a stand-in for the webcam in tests and benches.

    Frame ``i`` depends on ``i`` alone (``frame(i)``), so runs are reproducible. Patterns:

    - ``"shapes"``: a gradient with a moving disc, square and rotating bar, a checkerboard
      patch and the frame number as text — edges of every orientation and some fine detail;
    - ``"bars"``: vertical bars scrolling sideways and a horizontal band sweeping down — clean
      vertical and horizontal edges for the edge detectors.
    """

    PATTERNS = ("shapes", "bars")

    def __init__(
        self,
        width: int = 640,
        height: int = 480,
        fps: float = DEFAULT_FPS,
        pattern: str = "shapes",
        n_frames: int | None = None,
    ) -> None:
        _check_size(width, height)
        _check_fps(fps)
        if pattern not in self.PATTERNS:
            raise ValueError(
                f"unknown synthetic pattern {pattern!r}; choose one of {', '.join(self.PATTERNS)}"
            )
        if n_frames is not None and n_frames < 1:
            raise ValueError("a synthetic clip needs at least one frame")
        self._w, self._h, self._fps = width, height, float(fps)
        self._pattern, self._n_frames = pattern, n_frames
        self._index = 0
        # the static background, drawn once; each frame starts from a copy of it
        ramp = np.linspace(40, 200, width, dtype=np.float32)
        shade = np.linspace(0.8, 1.0, height, dtype=np.float32)[:, None]
        gray = (ramp[None, :] * shade).astype(np.uint8)
        self._background = np.dstack([gray, gray, (gray // 2 + 60).astype(np.uint8)])

    @property
    def name(self) -> str:
        return f"Synthetic {self._pattern}"

    @property
    def nominal_fps(self) -> float:
        return self._fps

    @property
    def size(self) -> tuple[int, int]:
        return (self._w, self._h)

    def open(self) -> None:
        self._index = 0

    def read(self) -> np.ndarray | None:
        if self._n_frames is not None and self._index >= self._n_frames:
            return None
        img = self.frame(self._index)
        self._index += 1
        return img

    def release(self) -> None:
        pass

    def frame(self, index: int) -> np.ndarray:
        """Frame number ``index`` of the scene (a new array)."""
        if self._pattern == "bars":
            return self._bars(index)
        return self._shapes(index)

    def _shapes(self, t: int) -> np.ndarray:
        w, h = self._w, self._h
        img = self._background.copy()
        s = min(w, h)
        phase = 2 * math.pi * t / 120  # one lap every 4 s at 30 fps
        cx = int(w * (0.5 + 0.35 * math.sin(phase)))
        cy = int(h * (0.5 + 0.30 * math.sin(2 * phase)))
        cv2.circle(img, (cx, cy), s // 8, (220, 40, 40), -1, cv2.LINE_AA)
        qx = int(w * (0.5 - 0.3 * math.cos(phase)))
        q = s // 6
        cv2.rectangle(img, (qx - q // 2, h // 5), (qx + q // 2, h // 5 + q), (40, 200, 60), -1)
        angle = 2 * math.pi * t / 90
        r = s // 3
        c, sn = int(r * math.cos(angle)), int(r * math.sin(angle))
        cv2.line(img, (w // 2 - c, h // 2 - sn), (w // 2 + c, h // 2 + sn), (250, 250, 250),
                 max(2, s // 60), cv2.LINE_AA)
        cell = max(4, s // 40)
        y0, x0 = h - 8 * cell - cell, cell
        yy, xx = np.mgrid[0:8 * cell, 0:8 * cell]
        checker = ((yy // cell + xx // cell + t // 15) % 2 * 255).astype(np.uint8)
        img[y0:y0 + 8 * cell, x0:x0 + 8 * cell] = checker[:, :, None]
        cv2.putText(img, f"frame {t}", (w // 2, h - cell), cv2.FONT_HERSHEY_SIMPLEX,
                    s / 480, (255, 255, 0), max(1, s // 240), cv2.LINE_AA)
        return img

    def _bars(self, t: int) -> np.ndarray:
        w, h = self._w, self._h
        period = max(8, w // 10)
        x = (np.arange(w) + 4 * t) % period
        row = np.where(x < period // 2, 230, 30).astype(np.uint8)
        # cv2.repeat copies whole rows: about 4× faster here than a NumPy broadcast assignment
        img = cv2.repeat(np.repeat(row, 3).reshape(1, w, 3), h, 1)
        band = max(4, h // 12)
        y = (3 * t) % (h + band) - band
        img[max(0, y):max(0, y + band)] = (250, 200, 40)
        return img


class StillSource(FrameSource):
    """One picture, repeated: lets the still image go through the same path as a live one."""

    def __init__(self, image: np.ndarray, fps: float = DEFAULT_FPS, name: str = "Still image"):
        img = np.asarray(image)
        if img.dtype != np.uint8:
            raise ValueError(f"the still image must be 8-bit, not {img.dtype}")
        if img.ndim == 2:
            img = np.dstack([img, img, img])
        elif img.ndim == 3 and img.shape[2] in (3, 4):
            img = img[:, :, :3]
        else:
            raise ValueError(f"the still image must be gray, RGB or RGBA, not of shape {img.shape}")
        _check_fps(fps)
        # one private read-only copy, handed out again and again without copying
        self._image = np.array(img, dtype=np.uint8, order="C")
        self._image.flags.writeable = False
        self._fps, self._name = float(fps), name

    @property
    def name(self) -> str:
        return self._name

    @property
    def nominal_fps(self) -> float:
        return self._fps

    @property
    def size(self) -> tuple[int, int]:
        return (self._image.shape[1], self._image.shape[0])

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        return self._image

    def release(self) -> None:
        pass


_quiet_lock = threading.Lock()
_quiet_depth = 0
_saved_log_level: int | None = None


@contextlib.contextmanager
def _quiet_opencv() -> Iterator[None]:
    """Hide OpenCV's warnings (e.g. "can't open camera by index") while probing devices.

    The log level is process-wide, so nested and concurrent users share one counter and the
    level is restored when the last one leaves. Only the bookkeeping is locked, never the
    (possibly slow) device call itself.
    """
    global _quiet_depth, _saved_log_level
    logging_mod = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging_mod is None:
        yield
        return
    with _quiet_lock:
        if _quiet_depth == 0:
            _saved_log_level = logging_mod.getLogLevel()
            logging_mod.setLogLevel(logging_mod.LOG_LEVEL_ERROR)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _saved_log_level is not None:
                logging_mod.setLogLevel(_saved_log_level)


def _bgr_to_rgb(bgr: np.ndarray) -> np.ndarray:
    if bgr.ndim == 2:
        return cv2.cvtColor(bgr, cv2.COLOR_GRAY2RGB)
    if bgr.shape[2] == 4:
        return cv2.cvtColor(bgr, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _capture_fps(cap: cv2.VideoCapture) -> float:
    fps = cap.get(cv2.CAP_PROP_FPS)
    return float(fps) if math.isfinite(fps) and 1 <= fps <= 1000 else DEFAULT_FPS


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
        if not self._path.exists():
            raise self._error("the file does not exist")
        if self._path.is_dir():
            raise self._error("it is a folder, not a video")
        cap = _open_file_capture(str(self._path))
        if cap is None and not str(self._path).isascii():
            cap = _open_file_capture(self._ascii_alias())
        if cap is None:
            raise self._error("it is not a video OpenCV can decode (or it is damaged)")
        self._cap = cap
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


# --- the capture thread ----------------------------------------------------------------------


class CaptureThread(threading.Thread):
    """Owns one source: opens, reads and releases it on this thread; fills a LatestFrame box.

    ``source_factory`` builds the source inside ``run()``, so the capture object is created,
    used and released by one thread. Non-live sources (files, synthetic, still) are paced to
    their ``nominal_fps`` when ``paced`` (a video plays at its speed); benches pass
    ``paced=False`` to read as fast as decoding allows. A camera paces itself.

    Faults: ``max_failures`` failed reads in a row, or failures with no picture for
    ``stall_timeout`` seconds, end the thread with ``on_error(SourceError)``; so does a failed
    open. The end of a non-looping stream ends it with ``on_end()``. Both callbacks run on
    this thread: a GUI must hand them over to its own thread (e.g. by emitting a Qt signal).
    After ``stop`` no error is reported (``last_error`` still records it).

    ``stop`` never hangs: it joins with a timeout. A driver call that blocks forever keeps the
    thread alive past that; the thread is a daemon so it cannot keep the program from exiting,
    and ``stop`` returns False so the caller can say so. ``stalled_for`` lets a watchdog see
    a read that blocks.
    """

    def __init__(
        self,
        source_factory: Callable[[], FrameSource],
        box: LatestFrame,
        mirror: bool = False,
        on_error: Callable[[SourceError], object] | None = None,
        on_end: Callable[[], object] | None = None,
        paced: bool = True,
        max_failures: int = 10,
        stall_timeout: float = 3.0,
    ) -> None:
        super().__init__(name="capture", daemon=True)
        if max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        self._factory = source_factory
        self.box = box
        self.mirror = mirror  # read on every frame: the UI may flip it while streaming
        self._on_error, self._on_end = on_error, on_end
        self._paced = paced
        self._max_failures, self._stall_timeout = max_failures, stall_timeout
        self._stop_event = threading.Event()
        self._cond = threading.Condition()
        self._paused = False
        self._steps = 0
        self._source: FrameSource | None = None
        self._times: deque[float] = deque(maxlen=30)
        self._fps = 0.0
        self._frames_read = 0
        self._last_frame_time: float | None = None
        self.last_error: SourceError | None = None

    # --- what the status bar reads (plain attribute reads; safe from any thread) -----------
    @property
    def source(self) -> FrameSource | None:
        """The source once it is open (for its name, size and fps); None before."""
        return self._source

    @property
    def fps(self) -> float:
        """Capture rate over the last 30 frames."""
        return self._fps

    @property
    def frames_read(self) -> int:
        return self._frames_read

    @property
    def stalled_for(self) -> float:
        """Seconds since the last picture, or since the source opened; 0 before that."""
        last = self._last_frame_time
        return 0.0 if last is None else time.perf_counter() - last

    @property
    def paused(self) -> bool:
        return self._paused

    # --- control (from any thread) ---------------------------------------------------------
    def pause(self) -> None:
        """Stop delivering pictures; a file stays where it is, a camera keeps being drained."""
        with self._cond:
            self._paused = True
            self._steps = 0

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._steps = 0
            self._cond.notify_all()

    def step(self) -> None:
        """While paused: deliver exactly one more picture."""
        with self._cond:
            if self._paused:
                self._steps += 1
                self._cond.notify_all()

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the thread to end and join it; True if it ended within ``timeout`` seconds."""
        self._stop_event.set()
        with self._cond:
            self._cond.notify_all()
        if self.ident is None:  # never started
            return True
        if threading.current_thread() is not self:
            self.join(timeout)
        return not self.is_alive()

    # --- the loop ---------------------------------------------------------------------------
    def run(self) -> None:
        source: FrameSource | None = None
        try:
            source = self._factory()
            source.open()
            self._source = source
            self._last_frame_time = time.perf_counter()
            self._loop(source)
        except SourceError as exc:
            self._fail(exc)
        except Exception as exc:  # a bug or an odd driver: report it, never die silently
            log.exception("capture failed")
            name = source.name if source is not None else "The picture source"
            self._fail(SourceError(f"{name} failed: {exc}"))
        finally:
            if source is not None:
                try:
                    source.release()
                except Exception:
                    log.exception("releasing %s failed", source.name)

    def _fail(self, error: SourceError) -> None:
        self.last_error = error
        if self._on_error is not None and not self._stop_event.is_set():
            self._call(self._on_error, error)

    @staticmethod
    def _call(callback: Callable[..., object], *args: object) -> None:
        try:
            callback(*args)
        except Exception:
            log.exception("a capture callback failed")

    def _wait_turn(self, live: bool) -> bool:
        """Block while paused (non-live sources); True if the next picture is to be shown."""
        with self._cond:
            if not self._paused:
                return True
            if live:
                # keep draining the camera so a step shows a fresh picture, not a stale one
                if self._steps:
                    self._steps -= 1
                    return True
                return False
            self._cond.wait_for(
                lambda: self._stop_event.is_set() or not self._paused or self._steps > 0
            )
            if self._paused and self._steps:
                self._steps -= 1
            return True

    def _loop(self, source: FrameSource) -> None:
        live = source.is_live
        period = 1.0 / source.nominal_fps
        due: float | None = None  # when the next paced picture is due
        failures = 0
        while not self._stop_event.is_set():
            show = self._wait_turn(live)
            if self._stop_event.is_set():
                return
            was_paused = self._paused
            try:
                image = source.read()
            except Exception as exc:
                failures += 1
                gone = failures >= self._max_failures or self.stalled_for > self._stall_timeout
                if gone:
                    if isinstance(exc, SourceError):
                        raise
                    raise SourceError(f"{source.name} stopped sending pictures: {exc}") from exc
                self._stop_event.wait(0.02)  # a short breath before trying again
                continue
            failures = 0
            now = time.perf_counter()
            self._last_frame_time = now
            if image is None:
                if self._on_end is not None:
                    self._call(self._on_end)
                return
            if not show:
                continue
            if self._paced and not live and not was_paused:
                if due is None or now - due > period:  # first frame, or fell behind: resync
                    due = now
                elif self._stop_event.wait(due - now):
                    return
                due += period
            else:
                due = None
            self._deliver(image)

    def _deliver(self, image: np.ndarray) -> None:
        if self.mirror:
            image = cv2.flip(image, 1)
        now = time.perf_counter()
        self.box.put(image, timestamp=now)
        self._frames_read += 1
        self._times.append(now)
        if len(self._times) > 1:
            span = self._times[-1] - self._times[0]
            self._fps = (len(self._times) - 1) / span if span > 0 else 0.0
