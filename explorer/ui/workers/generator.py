"""Run a core generator (a trainer) on its own thread, one yielded step at a time.

Long work lives in the core as a generator that yields progress; this thread pulls from it and
hands each step to the GUI thread through a queued signal. ``stop()`` is honoured between
steps: the generator is closed, the thread ends and is joined.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator

from PySide6.QtCore import QThread, Signal

__all__ = ["GeneratorWorker"]


class GeneratorWorker(QThread):
    """Pulls steps from ``make()`` until it ends, fails or is stopped."""

    step = Signal(object)  # whatever the generator yields
    finished_steps = Signal(bool)  # True when stopped before the end
    failed = Signal(str)  # a message for the user

    def __init__(self, make: Callable[[], Iterator[object]], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("generator-worker")
        self._make = make
        self._stop = threading.Event()

    def stop(self, timeout_ms: int = 10_000) -> bool:
        """Ask the generator to stop after its current step and join the thread."""
        self._stop.set()
        return self.wait(timeout_ms) if self.isRunning() else True

    def run(self) -> None:
        steps = None
        try:
            steps = self._make()
            for item in steps:
                self.step.emit(item)
                if self._stop.is_set():
                    break
        except ValueError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # a bug must not take the app down
            traceback.print_exc()
            self.failed.emit(f"unexpected error: {exc}")
            return
        finally:
            if steps is not None and hasattr(steps, "close"):
                steps.close()
        self.finished_steps.emit(self._stop.is_set())
