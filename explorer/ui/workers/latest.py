"""A worker thread that runs the newest job it was given (the explorer's and the tabs').

One slot holds the newest job: a job given while another runs replaces the waiting one, so a
slider dragged across its range or a live camera computes only what is newest, never a
backlog (see docs/architecture.md, "The request path"). A job is a function of a
:class:`~explorer.core.cancel.CancelToken`; a job marked ``supersede`` also stops a running
``supersede`` job (a still's older settings are moot once newer ones exist). ValueErrors
become messages; a bug is reported and the worker carries on.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QThread, Signal

from explorer.core.cancel import Cancelled, CancelToken

Job = Callable[[CancelToken], object]


@dataclass
class _Queued:
    tag: int
    job: Job
    supersede: bool


class LatestJobWorker(QThread):
    """Runs the newest submitted job: ``done(tag, result)``, ``failed(tag, message)`` or
    ``cancelled(tag)``."""

    done = Signal(int, object)
    failed = Signal(int, str)
    cancelled = Signal(int)

    memory_message = "not enough memory for this"

    def __init__(self, name: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._cond = threading.Condition()
        self._pending: _Queued | None = None
        self._running: _Queued | None = None
        self._token: CancelToken | None = None  # stops the running job
        self._stopping = False
        self._tag = 0
        self.superseded = 0  # jobs replaced before they started

    @property
    def newest(self) -> int:
        """The tag of the newest job submitted."""
        return self._tag

    def submit(self, job: Job, tag: int | None = None, supersede: bool = False) -> int:
        """Queue ``job`` (replacing a waiting one); returns its tag, newest highest."""
        with self._cond:
            self._tag = self._tag + 1 if tag is None else tag
            if self._pending is not None:
                self.superseded += 1
            self._pending = _Queued(self._tag, job, supersede)
            running = self._running
            if supersede and running is not None and running.supersede \
                    and self._token is not None:
                self._token.cancel()
            self._cond.notify()
            queued = self._tag
        if not self.isRunning() and not self._stopping:
            self.start()
        return queued

    def cancel_current(self) -> None:
        """Stop the running job and drop the waiting one (a Cancel button)."""
        with self._cond:
            self._pending = None
            if self._token is not None:
                self._token.cancel()

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Stop the running job, drop the rest, and join the thread."""
        with self._cond:
            self._stopping = True
            self._pending = None
            if self._token is not None:
                self._token.cancel()
            self._cond.notify()
        return self.wait(timeout_ms) if self.isRunning() else True

    def run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                queued, self._pending = self._pending, None
                self._running, self._token = queued, CancelToken()
                token = self._token
            try:
                self._run(queued, token)
            finally:
                with self._cond:
                    self._running = self._token = None

    def _run(self, queued: _Queued, token: CancelToken) -> None:
        try:
            result = queued.job(token)
        except Cancelled:
            self.cancelled.emit(queued.tag)
        except ValueError as exc:
            self.failed.emit(queued.tag, str(exc))
        except MemoryError:
            self.failed.emit(queued.tag, self.memory_message)
        except Exception as exc:  # a bug must not kill the worker or the app
            traceback.print_exc()
            self.failed.emit(queued.tag, f"unexpected error: {exc}")
        else:
            self.done.emit(queued.tag, result)
