"""The Network tab's worker: loads the pretrained network, then serves the newest picture.

One thread owns the network (an OpenCV net runs one pass at a time). A view request that
arrives while another is computed replaces any waiting one, so a live feed never builds a
backlog. An occlusion run (a core generator) advances one row of squares at a time between
view requests, so the live view stays alive while it runs; cancelling drops the generator.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator

import numpy as np
from PySide6.QtCore import QThread, Signal

from explorer.core.network import Network, NetworkError, load_pretrained
from explorer.core.network.occlusion import OcclusionStep, occlusion
from explorer.core.network.view import ViewRequest, compute_view


class NetworkWorker(QThread):
    """Loads the network on its own thread and computes views and occlusion maps."""

    loaded = Signal(object)  # Network
    load_failed = Signal(str)
    view_ready = Signal(object)  # ViewResult
    view_failed = Signal(int, str)  # generation, message
    occlusion_progress = Signal(int, object)  # job, OcclusionStep
    occlusion_finished = Signal(int, object)  # job, the last OcclusionStep
    occlusion_failed = Signal(int, str)

    def __init__(self, loader: Callable[[], Network] = load_pretrained, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("network-worker")
        self._loader = loader
        self._cond = threading.Condition()
        self._pending: ViewRequest | None = None
        self._occlusion: tuple[int, Iterator[OcclusionStep]] | None = None
        self._job = 0
        self._stopping = False
        self.superseded = 0  # view requests replaced before they were computed

    # --- called from the GUI thread --------------------------------------------------------
    def begin(self) -> None:
        """Start loading the network (once)."""
        if not self.isRunning() and not self._stopping and not self.isFinished():
            self.start()

    def submit(self, request: ViewRequest) -> None:
        """Compute ``request`` next, replacing any request that has not started."""
        with self._cond:
            if self._pending is not None:
                self.superseded += 1
            self._pending = request
            self._cond.notify()
        self.begin()

    def start_occlusion(self, picture: np.ndarray, patch: int, stride: int) -> int:
        """Start an occlusion run on a 224×224 picture; returns its job number."""
        with self._cond:
            self._job += 1
            job = self._job
            self._occlusion = (job, self._occlusion_steps(picture, patch, stride))
            self._cond.notify()
        self.begin()
        return job

    def cancel_occlusion(self) -> None:
        with self._cond:
            self._occlusion = None

    def stop(self, timeout_ms: int = 10_000) -> bool:
        """Finish the current step, drop the rest, and join the thread."""
        with self._cond:
            self._stopping = True
            self._pending = None
            self._occlusion = None
            self._cond.notify()
        return self.wait(timeout_ms) if self.isRunning() else True

    # --- the thread ------------------------------------------------------------------------
    def _occlusion_steps(self, picture: np.ndarray, patch: int, stride: int
                         ) -> Iterator[OcclusionStep]:
        yield from occlusion(self._net.probabilities, picture, patch, stride)

    def run(self) -> None:
        try:
            self._net = self._loader()
        except ValueError as exc:  # NetworkError and friends: a sentence for the user
            self.load_failed.emit(str(exc))
            return
        except Exception as exc:  # a bug must not kill the app
            traceback.print_exc()
            self.load_failed.emit(f"the network could not be loaded ({exc})")
            return
        self.loaded.emit(self._net)
        while True:
            with self._cond:
                while self._pending is None and self._occlusion is None and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                request, self._pending = self._pending, None
                job = self._occlusion
            if request is not None:
                self._view(request)
            elif job is not None:
                self._occlusion_step(*job)

    def _view(self, request: ViewRequest) -> None:
        try:
            result = compute_view(self._net, request)
        except (ValueError, NetworkError) as exc:
            self.view_failed.emit(request.generation, str(exc))
        except Exception as exc:
            traceback.print_exc()
            self.view_failed.emit(request.generation, f"unexpected error: {exc}")
        else:
            self.view_ready.emit(result)

    def _occlusion_step(self, job: int, steps: Iterator[OcclusionStep]) -> None:
        try:
            step = next(steps)
        except StopIteration:
            return
        except Exception as exc:
            if not isinstance(exc, ValueError):
                traceback.print_exc()
            self._finish_occlusion(job)
            self.occlusion_failed.emit(job, str(exc))
            return
        if step.done == step.total:
            self._finish_occlusion(job)
            self.occlusion_finished.emit(job, step)
        else:
            self.occlusion_progress.emit(job, step)

    def _finish_occlusion(self, job: int) -> None:
        with self._cond:
            if self._occlusion is not None and self._occlusion[0] == job:
                self._occlusion = None
