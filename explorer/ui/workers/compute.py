"""The compute worker: runs stack requests off the GUI thread.

One slot holds the newest request; a request that arrives while another is being computed
replaces any waiting one, so dragging a slider or a live camera never builds a backlog (see
docs/architecture.md, "The request path"). Results come back through queued signals; the
receiver drops stale generations.
"""

from __future__ import annotations

import threading
import traceback

from PySide6.QtCore import QThread, Signal

from explorer.core.cancel import Cancelled, CancelToken
from explorer.core.pipeline import BufferPool, StackComputer, StackRequest, StackResult


class ComputeWorker(QThread):
    """A thread that computes the newest :class:`StackRequest` it has been given."""

    result_ready = Signal(object)  # StackResult
    failed = Signal(int, str)  # generation, a message for the user
    cancelled = Signal(int)  # generation of a request stopped before it finished

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("compute-worker")
        self._cond = threading.Condition()
        self._pending: StackRequest | None = None
        self._stopping = False
        self.superseded = 0  # requests replaced before they were computed
        self._computer = StackComputer()
        self._running: StackRequest | None = None
        self._token: CancelToken | None = None  # stops the running request

    @property
    def buffers(self) -> BufferPool:
        """Live frames borrow their maps from here; the window hands them back."""
        return self._computer.buffers

    def submit(self, request: StackRequest) -> None:
        """Queue ``request``, replacing any request that has not started yet."""
        with self._cond:
            if self._pending is not None:
                self.superseded += 1
            self._pending = request
            running = self._running
            if running is not None and not running.live and not request.live \
                    and self._token is not None:
                self._token.cancel()  # a still's newer settings: the older maps are moot
            self._cond.notify()
        if not self.isRunning() and not self._stopping:
            self.start()

    def cancel_current(self) -> None:
        """Stop the request being computed and drop the one waiting (a Cancel button)."""
        with self._cond:
            self._pending = None
            if self._token is not None:
                self._token.cancel()

    def stop(self, timeout_ms: int = 3000) -> bool:
        """Stop the current request, drop the rest, and join the thread."""
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
                request, self._pending = self._pending, None
                self._running, self._token = request, CancelToken()
                token = self._token
            try:
                self._compute(request, token)
            finally:
                with self._cond:
                    self._running = self._token = None

    def _compute(self, request: StackRequest, token: CancelToken) -> None:
        try:
            result: StackResult = self._computer.compute(request, token)
        except Cancelled:
            self.cancelled.emit(request.generation)
        except ValueError as exc:
            self.failed.emit(request.generation, str(exc))
        except MemoryError:
            self.failed.emit(request.generation, "not enough memory for this stack: "
                             "lower the processing size or the number of filters")
        except Exception as exc:  # a bug must not kill the worker or the app
            traceback.print_exc()
            self.failed.emit(request.generation, f"unexpected error: {exc}")
        else:
            self.result_ready.emit(result)
