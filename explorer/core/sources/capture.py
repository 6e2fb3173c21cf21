"""The capture thread: owns one source and fills a LatestFrame box with its pictures."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

import cv2
import numpy as np

from explorer.core.sources.base import FrameSource, SourceError
from explorer.core.sources.box import LatestFrame

log = logging.getLogger(__name__)


class CaptureThread(threading.Thread):
    """Owns one source: opens, reads and releases it on this thread; fills a LatestFrame box.

    ``source_factory`` builds the source inside ``run()``, so the capture object is created,
    used and released by one thread. Non-live sources (files, synthetic, still) are paced to
    their ``nominal_fps`` when ``paced`` (a video plays at its speed); benches pass
    ``paced=False`` to read as fast as decoding allows. A camera paces itself.

    Faults: ``max_failures`` failed reads in a row, or failures with no picture for
    ``stall_timeout`` seconds, end the thread with ``on_error(SourceError)``; so does a failed
    open. The end of a non-looping stream ends it with ``on_end()``. ``on_frame()`` is called
    after each new picture is in the box. The callbacks run on this thread: a GUI must hand
    them over to its own thread (e.g. by emitting a Qt signal).
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
        on_frame: Callable[[], object] | None = None,
        max_failures: int = 10,
        stall_timeout: float = 3.0,
    ) -> None:
        super().__init__(name="capture", daemon=True)
        if max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        self._factory = source_factory
        self.box = box
        self.mirror = mirror  # read on every frame: the UI may flip it while streaming
        self._on_error, self._on_end, self._on_frame = on_error, on_end, on_frame
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
        if self._on_frame is not None:
            self._call(self._on_frame)
        self._frames_read += 1
        self._times.append(now)
        if len(self._times) > 1:
            span = self._times[-1] - self._times[0]
            self._fps = (len(self._times) - 1) / span if span > 0 else 0.0
