"""The explorer's worker: its requests are :class:`StackRequest`s run by a
:class:`StackComputer` (which keeps the input and result caches between them).

A still's request stops a still's request still running; live frames never stop each other
(the newest frame would otherwise never finish). Results come back through
``done(generation, result)``; the receiver drops stale generations.
"""

from __future__ import annotations

from collections.abc import Callable

from explorer.core.cancel import CancelToken
from explorer.core.computer import StackComputer, StackRequest, StackResult
from explorer.core.pipeline import BufferPool
from explorer.core.sources import Frame
from explorer.ui.workers.worker import Worker


class ComputeWorker(Worker):
    """The :class:`Worker` that computes the newest :class:`StackRequest` it was given."""

    def __init__(self, parent=None) -> None:
        super().__init__("compute-worker", parent,
                         memory_message="not enough memory for this stack: lower the "
                         "processing size or the number of filters")
        self._computer = StackComputer()

    @property
    def buffers(self) -> BufferPool:
        """Live frames borrow their maps from here; the window hands them back."""
        return self._computer.buffers

    def compute(self, request: StackRequest,
                newest_frame: Callable[[], Frame | None] | None = None) -> int:
        """Compute ``request`` next, replacing any request that has not started yet.

        ``newest_frame`` (live requests): asked for when the request starts, so a request
        that waited while newer frames came computes the newest of them.
        """
        computer = self._computer

        def job(token: CancelToken) -> StackResult:
            frame = newest_frame() if newest_frame is not None else None
            return computer.compute(request if frame is None else request.with_frame(frame),
                                    token)

        return self.submit(job, tag=request.generation, supersede=not request.live)
