"""Run a generator in a child process: the GUI keeps Python's interpreter lock to itself.

Training is thousands of small NumPy operations. In a thread of the GUI's process they hold
the interpreter lock between operations, and every Python paint or slot of the window waits
for it, several milliseconds each time: the window stutters by tenths of a second. In a child
process the two share nothing but the CPU cores, and the child runs at a lower priority
(niceness 10, where the system has one), so the window's thread goes first when they compete.

It can pause (the child finishes its step, then waits), resume and stop (keeping the last
finished step), and hands the steps over in batches at most every ``interval`` seconds, so a
fast generator never floods the window's event loop. The child is started with "spawn" (a
fork of a process with threads, as a Qt program has, is unsafe); it builds the generator from
a picklable ``factory`` and ``kwargs`` and sends its steps (pickled) back through a pipe, read
here by a Python thread that emits queued signals.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, Signal

from explorer.ui.workers.generator_process import run_generator

_SPAWN = multiprocessing.get_context("spawn")


class ProcessWorker(QObject):
    """Runs one generator at a time in a child process; pause, resume, stop."""

    steps = Signal(list)  # the steps since the last batch, oldest first
    finished_run = Signal(object, bool)  # last step (None if none), True if it ran to the end
    failed = Signal(str)  # a sentence for the user; finished_run follows

    def __init__(self, parent: QObject | None = None, interval: float = 0.1) -> None:
        super().__init__(parent)
        self.interval = interval
        self._process = None
        self._reader: threading.Thread | None = None
        self._go = _SPAWN.Event()
        self._stop = _SPAWN.Event()
        self._busy = False

    @property
    def running(self) -> bool:
        return self._busy

    @property
    def paused(self) -> bool:
        return self._busy and not self._go.is_set()

    def start_run(self, factory: Callable[..., Iterator], kwargs: dict) -> None:
        """Start ``factory(**kwargs)`` in a child process; the previous run must be over."""
        if self._busy:
            raise RuntimeError("the worker is still running a generator")
        self.join()
        self._go, self._stop = _SPAWN.Event(), _SPAWN.Event()
        self._go.set()
        receive, send = _SPAWN.Pipe(duplex=False)
        process = _SPAWN.Process(target=run_generator, name="explorer-generator",
                                 args=(factory, kwargs, send, self._go, self._stop,
                                       self.interval), daemon=True)
        self._busy = True
        process.start()
        send.close()  # the child holds the sending end now: its exit ends our reads
        self._process = process
        self._reader = threading.Thread(target=self._read, args=(receive, process),
                                        name="explorer-generator-reader", daemon=True)
        self._reader.start()

    def pause(self) -> None:
        """The child finishes its current step, then waits."""
        self._go.clear()

    def resume(self) -> None:
        self._go.set()

    def request_stop(self) -> None:
        """Stop after the current step without waiting for it; ``finished_run`` follows."""
        self._stop.set()
        self._go.set()

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop after the current step and wait for the child to end."""
        self.request_stop()
        return self.join(timeout)

    def join(self, timeout: float = 10.0) -> bool:
        """Wait for the child and the reading thread to end; True if they have."""
        reader = self._reader
        if reader is None:
            return True
        reader.join(timeout)
        if reader.is_alive() and self._process is not None:
            self._process.terminate()  # hung: it must not outlive the window
            reader.join(timeout)
        return not reader.is_alive()

    def _read(self, conn, process) -> None:
        last, completed, ended = None, False, False
        try:
            while True:
                kind, payload = conn.recv()
                if kind == "steps":
                    last = payload[-1]
                    self.steps.emit(payload)
                elif kind == "error":
                    self.failed.emit(payload)
                elif kind == "end":
                    completed, ended = bool(payload), True
                    break
        except (EOFError, OSError):
            pass
        finally:
            conn.close()
            process.join(5)
            if process.is_alive():
                process.terminate()
                process.join(5)
            if not ended and not self._stop.is_set():
                self.failed.emit("the computation ended unexpectedly (its process stopped)")
            self._busy = False
            self.finished_run.emit(last, completed)
