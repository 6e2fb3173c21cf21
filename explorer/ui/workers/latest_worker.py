"""A thread that runs the newest job of each kind; older waiting jobs of that kind are dropped.

A drawing pad or a webcam asks "what digit is this?" far more often than it needs answering:
only the newest picture matters. Jobs are plain callables tagged with a kind ("probe",
"evaluate" …), so a stream of probes never pushes out a one-off evaluation. A Python thread,
as :mod:`.generator_worker` explains.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class LatestWorker(QObject):
    """Runs submitted callables off the GUI thread, the newest of each kind only."""

    done = Signal(str, object)  # kind, what the callable returned
    failed = Signal(str, str)  # kind, a sentence for the user

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cond = threading.Condition()
        self._pending: dict[str, Callable[[], object]] = {}
        self._stopping = False
        self._thread: threading.Thread | None = None

    def submit(self, kind: str, job: Callable[[], object]) -> None:
        """Queue ``job``, replacing a waiting job of the same kind."""
        with self._cond:
            if self._stopping:
                return
            self._pending.pop(kind, None)  # re-inserted last: kinds keep their arrival order
            self._pending[kind] = job
            self._cond.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="explorer-latest",
                                                daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Finish the running job, drop the waiting ones, join the thread."""
        with self._cond:
            self._stopping = True
            self._pending.clear()
            self._cond.notify()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                kind = next(iter(self._pending))
                job = self._pending.pop(kind)
            try:
                result = job()
            except ValueError as exc:
                self.failed.emit(kind, str(exc))
            except Exception as exc:  # a bug must not kill the worker
                traceback.print_exc()
                self.failed.emit(kind, f"unexpected error: {exc}")
            else:
                self.done.emit(kind, result)
