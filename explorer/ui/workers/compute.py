"""The explorer's worker: its requests are :class:`StackRequest`s run by a
:class:`StackComputer` (which keeps the input and result caches between them).

A still's request stops a still's request still running; live frames never stop each other
(the newest frame would otherwise never finish). Results come back through
``done(generation, result)``; the receiver drops stale generations.
"""

from __future__ import annotations

from explorer.core.computer import StackComputer, StackRequest
from explorer.core.pipeline import BufferPool
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

    def compute(self, request: StackRequest) -> int:
        """Compute ``request`` next, replacing any request that has not started yet."""
        computer = self._computer
        return self.submit(lambda token: computer.compute(request, token),
                           tag=request.generation, supersede=not request.live)
