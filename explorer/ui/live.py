"""The live feed: a capture thread fills a one-slot box and tells the GUI thread so.

See docs/architecture.md, "The live path". The capture thread never touches Qt: after each
picture it emits a queued signal, at most one waiting at a time, and the GUI thread takes the
newest picture from the box when it runs, so a slow window sees the newest frame, never a
backlog. Freezing stops taking frames (a video file also pauses, so it does not run on
unseen); stepping takes exactly one more. Whether the feed is frozen is the document's
``live.frozen``, read through the ``frozen`` callable: it is stored nowhere else.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from explorer.core.sources import CaptureThread, Frame, FrameSource, LatestFrame, SourceError


class LiveFeed(QObject):
    """Runs one frame source and emits its newest frames on the GUI thread."""

    frame_ready = Signal(object)  # Frame
    failed = Signal(str)  # a message for the user; the feed has stopped
    ended = Signal()  # a stream without loop reached its end
    _frame_from_capture = Signal()
    _error_from_capture = Signal(object)
    _end_from_capture = Signal()

    def __init__(self, frozen: Callable[[], bool] = lambda: False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: CaptureThread | None = None
        self._box: LatestFrame | None = None
        self._factory: Callable[[], FrameSource] | None = None
        self._last_sequence = -1
        self._frozen = frozen
        self._step_pending = False
        self.run = 0  # counts the sources started: frames of one run share a number
        self._mirror = False
        self._notice_pending = threading.Event()  # a frame notice is queued, not yet handled
        self.name = ""
        conn = Qt.ConnectionType.QueuedConnection
        self._frame_from_capture.connect(self._take_newest, conn)
        self._error_from_capture.connect(self._on_capture_error, conn)
        self._end_from_capture.connect(self._on_capture_end, conn)

    # --- control -------------------------------------------------------------------------
    def start(self, factory: Callable[[], FrameSource], name: str, *, paced: bool = True) -> None:
        """Stop any running source and start the one ``factory`` builds (on its own thread)."""
        self.stop()
        self._factory, self.name = factory, name
        self._box = LatestFrame()
        self._last_sequence = -1
        self._step_pending = False
        self.run += 1
        self._notice_pending.clear()
        self._thread = CaptureThread(
            factory, self._box, mirror=self._mirror,
            on_error=self._error_from_capture.emit, on_end=self._end_from_capture.emit,
            paced=paced, on_frame=self._notify,
        )
        self._thread.start()

    def restart(self) -> bool:
        """Start the last source again (after a fault); False if there was none."""
        if self._factory is None:
            return False
        self.start(self._factory, self.name)
        return True

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop and join the capture thread; True if it ended in time (it never blocks long)."""
        thread, self._thread = self._thread, None
        return True if thread is None else thread.stop(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def follow_frozen(self) -> None:
        """Pause or resume the capture as ``frozen()`` now says."""
        self._step_pending = False
        if self._thread is not None:
            if self._frozen():
                self._thread.pause()
            else:
                self._thread.resume()

    def step(self) -> None:
        """While frozen: show exactly one more frame."""
        if not self._frozen() or self._thread is None:
            return
        self._step_pending = True
        self._thread.step()

    @property
    def mirror(self) -> bool:
        return self._mirror

    def set_mirror(self, mirror: bool) -> None:
        self._mirror = mirror
        if self._thread is not None:
            self._thread.mirror = mirror

    # --- numbers for the status bar ------------------------------------------------------
    @property
    def capture_fps(self) -> float:
        return self._thread.fps if self._thread is not None else 0.0

    @property
    def dropped(self) -> int:
        """Frames the capture thread delivered that nobody took (a slow consumer)."""
        return self._box.dropped if self._box is not None else 0

    # --- the capture thread's side -------------------------------------------------------
    def _notify(self) -> None:
        # one notice in the queue is enough: the GUI takes the newest frame when it runs
        if not self._notice_pending.is_set():
            self._notice_pending.set()
            self._frame_from_capture.emit()

    # --- the GUI-thread side -------------------------------------------------------------
    def _take_newest(self) -> None:
        self._notice_pending.clear()
        box = self._box
        frame: Frame | None = box.get() if box is not None else None
        if frame is None or frame.sequence == self._last_sequence or self._thread is None:
            return
        if self._frozen() and not self._step_pending:
            return
        self._step_pending = False
        self._last_sequence = frame.sequence
        self.frame_ready.emit(frame)

    def _on_capture_error(self, error: SourceError) -> None:
        self.stop()
        self.failed.emit(str(error))

    def _on_capture_end(self) -> None:
        self.stop()
        self.ended.emit()
