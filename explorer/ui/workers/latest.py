"""A worker thread for a tab's own computing: it runs the newest job it was given.

Like the explorer's compute worker, one slot holds the newest job and a job given while
another runs replaces the waiting one, so a slider dragged across its range computes only
what the student stops on. A job is a plain function returning a result; ValueErrors become
messages.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QThread, Signal


class LatestJobWorker(QThread):
    """Runs the newest submitted job; ``done(tag, result)`` or ``failed(tag, message)``."""

    done = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._cond = threading.Condition()
        self._pending: tuple[int, Callable[[], object]] | None = None
        self._stopping = False
        self._tag = 0

    def submit(self, job: Callable[[], object]) -> int:
        """Queue ``job`` (replacing a waiting one); returns its tag, newest highest."""
        with self._cond:
            self._tag += 1
            self._pending = (self._tag, job)
            self._cond.notify()
            tag = self._tag
        if not self.isRunning() and not self._stopping:
            self.start()
        return tag

    @property
    def newest(self) -> int:
        return self._tag

    def stop(self, timeout_ms: int = 5000) -> bool:
        with self._cond:
            self._stopping = True
            self._pending = None
            self._cond.notify()
        return self.wait(timeout_ms) if self.isRunning() else True

    def run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                (tag, job), self._pending = self._pending, None
            try:
                result = job()
            except ValueError as exc:
                self.failed.emit(tag, str(exc))
            except MemoryError:
                self.failed.emit(tag, "not enough memory for this")
            except Exception as exc:  # a bug must not kill the worker
                traceback.print_exc()
                self.failed.emit(tag, f"unexpected error: {exc}")
            else:
                self.done.emit(tag, result)
