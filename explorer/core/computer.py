"""The request path's pure part: a request in, a stack result ready for the screen out.

Stills and live frames take the same path (docs/architecture.md, "The request path"): the
controller builds an immutable :class:`StackRequest`, a worker hands it to a
:class:`StackComputer`, which checks the stack fits in memory, runs
:func:`~explorer.core.pipeline.run_stack` and the render step, and the GUI drops results whose
generation is older than the newest one it has shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from explorer.core.cancel import CancelToken
from explorer.core.dense_head import HeadCache, HeadResult, HeadSpec, run_head
from explorer.core.memory import check_fits
from explorer.core.pipeline import BufferPool, LayerSpec, StageResult, fit_input, run_stack
from explorer.core.render import RenderRequest, RenderResult, render
from explorer.core.sources import Frame


@dataclass(frozen=True)
class StackRequest:
    """What to compute: a picture through a stack, stamped with a generation number."""

    generation: int
    image: np.ndarray  # the source picture: (H, W) or (H, W, C) uint8
    layers: tuple[LayerSpec, ...]
    source_key: object = None  # names the picture for the input cache (None: no caching)
    stack_key: object = None  # names the stack for the result cache (None: no caching)
    max_side: int | None = None  # processing size: the longer side is shrunk to this
    grayscale: bool = False  # the first layer sees the picture's luma
    frame_time: float = 0.0  # time.perf_counter() when the picture was captured (live only)
    live: bool = False  # a live frame: compute into recycled buffers (see BufferPool)
    render: RenderRequest | None = None  # what of the maps the screen shows
    head: HeadSpec | None = None  # a dense head after the last stage (None: the stack ends)

    def with_frame(self, frame: Frame) -> StackRequest:
        """The same request for another live frame (the newest when it starts)."""
        return replace(self, image=frame.image, source_key=("live", frame.sequence, id(frame)),
                       frame_time=frame.timestamp)


@dataclass(frozen=True, eq=False)
class StackResult:
    """Everything the panels show for one request."""

    generation: int
    request: StackRequest
    picture: np.ndarray  # the picture as the first layer sees it (processing size, gray)
    stages: tuple[StageResult, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    display: RenderResult | None = None
    head: HeadResult | None = None  # the dense head's class scores, when the request has one
    head_problem: str = ""  # why the head was not computed (too many weights), else ""

    @property
    def total_ms(self) -> float:
        return sum(self.timings_ms.values())

    @property
    def buffers(self) -> tuple[np.ndarray, ...]:
        """Arrays borrowed from a BufferPool: hand them back once nothing shows them."""
        return tuple(b for stage in self.stages for b in stage.borrowed)


class StackComputer:
    """Runs requests with two caches, so an edit recomputes only what it changed.

    The picture as the first layer sees it (scaled, gray) is kept per source
    picture: a kernel edit on a 12-megapixel photo does not scale the photo again. The last
    stack result is kept per (picture, stack): a new colour level or window size only renders
    again. Live frames are never cached (each is new) and borrow their maps from ``buffers``.
    Used from one worker thread at a time.
    """

    def __init__(self) -> None:
        self.buffers = BufferPool()
        self._input_key: object = None
        self._input: np.ndarray | None = None
        self._stages_key: object = None
        self._stages: tuple[StageResult, ...] | None = None
        self._stages_ms = 0.0  # what computing the cached stages took
        self.heads = HeadCache()  # the dense head's weights, made once per size and seed

    def compute(self, request: StackRequest, cancel: CancelToken | None = None) -> StackResult:
        """The stack's maps for ``request``, rendered as asked. Raises ValueError, or
        ``Cancelled`` when ``cancel`` is set before the stack is done."""
        t0 = time.perf_counter()
        picture = self._picture(request)
        t1 = time.perf_counter()
        stages, layers_ms = self._run(request, picture, cancel)
        t2 = time.perf_counter()
        display = None
        if request.render is not None:
            try:
                display = render(stages, request.render, picture)
            except Exception:
                if request.live:
                    self.buffers.release(tuple(b for s in stages for b in s.borrowed))
                raise
        t3 = time.perf_counter()
        head, head_problem = self._head(request, stages)
        t4 = time.perf_counter()
        # a cached stack reports what computing it took, not the ~0 ms of looking it up
        timings = {"input": (t1 - t0) * 1e3, "layers": layers_ms, "display": (t3 - t2) * 1e3}
        if request.head is not None:
            timings["head"] = (t4 - t3) * 1e3
        return StackResult(request.generation, request, picture, stages, timings, display,
                           head, head_problem)

    def _head(self, request: StackRequest, stages: tuple[StageResult, ...]
              ) -> tuple[HeadResult | None, str]:
        """The dense head on the last stage's output; a head too large for memory is
        refused with the reason, and the maps are shown all the same."""
        if request.head is None or not stages:
            return None, ""
        maps = stages[-1].output
        try:
            return run_head(maps, self.heads.weights(maps.shape, request.head)), ""
        except ValueError as exc:
            return None, str(exc)

    def _picture(self, request: StackRequest) -> np.ndarray:
        key = (request.source_key, request.max_side, request.grayscale)
        if request.source_key is not None and key == self._input_key:
            assert self._input is not None
            return self._input
        picture = fit_input(request.image, request.max_side, request.grayscale)
        if request.source_key is not None and not request.live:
            self._input_key, self._input = key, picture
        return picture

    def _run(self, request: StackRequest, picture: np.ndarray, cancel: CancelToken | None
             ) -> tuple[tuple[StageResult, ...], float]:
        key = (request.source_key, request.max_side, request.grayscale, request.stack_key)
        cacheable = (request.source_key is not None and request.stack_key is not None
                     and not request.live)
        if cacheable and key == self._stages_key and self._stages is not None:
            return self._stages, self._stages_ms
        # let go of the old maps first: a 12-megapixel stack's arrays are gigabytes, and
        # holding two sets makes every new page a fresh one
        self._stages_key, self._stages = None, None
        start = time.perf_counter()
        channels = 1 if picture.ndim == 2 else picture.shape[2]
        # refuse with a size that fits, before the system would kill the app
        check_fits(picture.shape[:2], channels, request.layers)
        stages = tuple(run_stack(picture, request.layers,
                                 self.buffers if request.live else None, cancel))
        took = (time.perf_counter() - start) * 1e3
        if cacheable:
            self._stages_key, self._stages, self._stages_ms = key, stages, took
        return stages, took

