"""Run a long computation written as a generator on its own thread: pause, resume, stop.

The core writes long work as a plain generator of progress steps (training, kernel fitting);
a thread pulls the steps. A pause is not asking for the next step; a stop closes the
generator, keeping the last finished step. Steps reach the GUI thread through queued signals
in batches, at most one batch every ``interval`` seconds, so a fast generator never floods the
event loop and the window stays responsive however small the steps are.

The thread is a Python thread (Qt queues the signals it emits to the receivers' thread): the
core's thread-pool limits look the calling thread up in Python's ``threading`` registry.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterator

from PySide6.QtCore import QObject, Signal


class GeneratorWorker(QObject):
    """Pulls steps from one generator at a time; see the module docstring."""

    steps = Signal(list)  # the steps since the last batch, oldest first
    finished_run = Signal(object, bool)  # last step (None if none), True if it ran to the end
    failed = Signal(str)  # a sentence for the user; finished_run follows

    def __init__(self, parent: QObject | None = None, interval: float = 0.1) -> None:
        super().__init__(parent)
        self.interval = interval
        self._thread: threading.Thread | None = None
        self._go = threading.Event()  # set while running, cleared while paused
        self._stopping = False
        self._busy = False  # from start_run until just before finished_run is emitted

    @property
    def running(self) -> bool:
        return self._busy

    @property
    def paused(self) -> bool:
        return self._busy and not self._go.is_set()

    def start_run(self, generator: Iterator) -> None:
        """Start pulling from ``generator``; the previous run must have finished."""
        if self._busy:
            raise RuntimeError("the worker is still running a generator")
        self.join()  # the previous thread may still be returning from its last emit
        self._stopping = False
        self._go.set()
        self._busy = True
        self._thread = threading.Thread(target=self._run, args=(generator,),
                                        name="explorer-generator", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Finish the current step, then wait."""
        self._go.clear()

    def resume(self) -> None:
        self._go.set()

    def request_stop(self) -> None:
        """Stop after the current step without waiting for it; ``finished_run`` follows."""
        self._stopping = True
        self._go.set()

    def stop(self, timeout: float = 10.0) -> bool:
        """Finish the current step, close the generator and join the thread."""
        self.request_stop()
        return self.join(timeout)

    def join(self, timeout: float = 10.0) -> bool:
        """Wait for the thread to end; True if it has."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _run(self, generator: Iterator) -> None:
        last, pending, completed = None, [], False
        sent = time.monotonic()
        try:
            while True:
                self._go.wait()
                if self._stopping:
                    break
                try:
                    step = next(generator)
                except StopIteration:
                    completed = True
                    break
                last = step
                pending.append(step)
                now = time.monotonic()
                if now - sent >= self.interval:
                    self.steps.emit(pending)
                    pending, sent = [], now
        except ValueError as exc:
            self.failed.emit(str(exc))
        except MemoryError:
            self.failed.emit("not enough memory for this computation")
        except Exception as exc:  # a bug must not take the application down
            traceback.print_exc()
            self.failed.emit(f"unexpected error: {exc}")
        finally:
            close = getattr(generator, "close", None)
            if close is not None:
                close()
            if pending:
                self.steps.emit(pending)
            self._busy = False
            self.finished_run.emit(last, completed)
