"""Encode an animation off the GUI thread while the GUI thread renders its frames.

Widgets can only be painted on the GUI thread, but encoding is the slow part (a 2× GIF frame
takes ~0.25 s to quantise and compress, in Pillow code that releases the GIL). The GUI thread
hands rendered frames over through a small queue; this thread writes them as they come, so
the window stays responsive and memory holds a few frames, not the whole animation.
"""

from __future__ import annotations

import queue
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PySide6.QtCore import QThread, Signal

from explorer.core.animation import save_animation

QUEUE_FRAMES = 3
_END = None


class _Cancelled(Exception):
    pass


class AnimationWriter(QThread):
    """Writes frames given with :meth:`offer` to ``path``; :meth:`finish` ends the input."""

    written = Signal(list)  # the paths written
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, path: str | Path, frame_ms: int, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("animation-writer")
        self._path = path
        self._frame_ms = frame_ms
        self._frames: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=QUEUE_FRAMES)
        self._cancel = threading.Event()

    def wants_frame(self) -> bool:
        """Whether :meth:`offer` would be taken at once (the queue has room)."""
        return not self._frames.full()

    def offer(self, frame: np.ndarray) -> None:
        """Hand over the next frame; call only when :meth:`wants_frame` says so."""
        self._frames.put_nowait(frame)

    def finish(self) -> None:
        """No more frames: write the end of the file."""
        self._frames.put(_END)

    def cancel(self, timeout_ms: int = 10_000) -> bool:
        """Stop and leave the target as it was (the partial file is removed); join."""
        self._cancel.set()  # a writer waiting for a frame looks at it every 0.1 s
        return self.wait(timeout_ms) if self.isRunning() else True

    def _incoming(self) -> Iterator[np.ndarray]:
        while True:
            try:
                frame = self._frames.get(timeout=0.1)
            except queue.Empty:
                frame = np.empty(0)  # nothing yet: look at the cancel flag again
            if self._cancel.is_set():
                raise _Cancelled
            if frame is _END:
                return
            if frame.size:
                yield frame

    def run(self) -> None:
        try:
            paths = save_animation(self._incoming(), self._path, self._frame_ms)
        except _Cancelled:
            self.cancelled.emit()
        except ValueError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug must not take the app down
            traceback.print_exc()
            self.failed.emit(f"unexpected error while writing the animation: {exc}")
        else:
            self.written.emit(paths)
