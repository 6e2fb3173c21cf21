"""One long job in a child process, for :class:`~explorer.ui.workers.worker.Worker`.

In a child process the GUI and the job share nothing but the CPU cores, and the child runs at
a lower priority (niceness 10 where the system has one), so the window's thread goes first
when they compete. The child is started with "spawn" (a fork of a process with threads, as a
Qt program has, is unsafe); it builds the generator from a picklable ``factory`` and
``kwargs`` (:mod:`explorer.ui.workers.generator_process`, which imports no Qt) and sends its
steps back through a pipe in batches, read here by a thread that reports to the worker.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterator

from explorer.ui.workers.generator_process import run_generator

_SPAWN = multiprocessing.get_context("spawn")


class ChildRun:
    """A generator pulled in a child process; ``report(self, kind, payload)`` is called on the
    reading thread with ("progress", steps), ("failed", sentence) and, last,
    ("finished", (last step or None, completed))."""

    def __init__(self, tag: int, factory: Callable[..., Iterator], kwargs: dict,
                 interval: float, report: Callable[[ChildRun, str, object], None]) -> None:
        self.tag = tag
        self._factory, self._kwargs, self._interval = factory, kwargs, interval
        self._report = report
        self._go = _SPAWN.Event()
        self._stop = _SPAWN.Event()
        self._go.set()
        self._process = None
        self._reader: threading.Thread | None = None
        self._discarded = False

    @property
    def alive(self) -> bool:
        return self._reader is not None and self._reader.is_alive()

    def start(self) -> None:
        receive, send = _SPAWN.Pipe(duplex=False)
        process = _SPAWN.Process(target=run_generator, name="explorer-generator",
                                 args=(self._factory, self._kwargs, send, self._go, self._stop,
                                       self._interval), daemon=True)
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
        """Stop after the current step, without waiting; ``finished`` follows."""
        self._stop.set()
        self._go.set()

    def discard(self) -> None:
        """Stop, and report nothing more."""
        self._discarded = True
        self.request_stop()

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop after the current step and wait for the child to end; True if it has."""
        self.discard()
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
                    self._tell("progress", payload)
                elif kind == "error":
                    self._tell("failed", payload)
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
                self._tell("failed", "the computation ended unexpectedly (its process stopped)")
            self._tell("finished", (last, completed))

    def _tell(self, kind: str, payload: object) -> None:
        if not self._discarded:
            self._report(self, kind, payload)
