"""The explorer's controller: document changes and live frames in, requests out, results shown.

It owns the one request path of docs/architecture.md: every change that alters what the
explorer shows (a kernel, a layer, the picture, a colour level, a window size, a live frame)
becomes an immutable :class:`StackRequest` for the compute worker; results older than the
one on screen are dropped; the newest is handed to the maps panel. It also runs the live
feed and keeps the document's live state, so the window, the feed and the document never
disagree about what is on.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from explorer.core.computer import StackRequest, StackResult
from explorer.core.pipeline import LayerSpec
from explorer.core.render import RenderRequest
from explorer.core.sources import Frame, FrameSource
from explorer.state import Document
from explorer.ui.live import LiveFeed
from explorer.ui.panels.maps_panel import MapsPanel
from explorer.ui.workers.compute import ComputeWorker


class ExplorerController(QObject):
    """Turns the document and the live feed into compute requests; shows the results."""

    result_shown = Signal(object)  # the StackResult now on screen
    failed = Signal(str)  # a compute fault, for the banner
    live_failed = Signal(str)
    live_ended = Signal()
    computing = Signal(bool)  # a still's request is under way (True) or done (False)
    cancelled = Signal()  # the user stopped a computation; the maps show older settings

    def __init__(self, document: Document, maps: MapsPanel, parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self.document = document
        self.maps = maps
        self._generation = 0
        self._shown_generation = -1
        self._last_result: StackResult | None = None
        self._frame: Frame | None = None  # the newest live frame
        self._still_key = itertools.count(1)
        self._source_key: object = next(self._still_key)
        self._stack_key = 0
        self._specs: tuple[LayerSpec, ...] = ()  # the stack's specs as of _specs_key
        self._specs_key = -1
        self._results_shown: deque[float] = deque(maxlen=120)
        self.latency_ms = 0.0

        self.worker = ComputeWorker(self)
        self.worker.done.connect(self._on_done)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self._waiting = False  # a still's request is computing (live frames never wait)
        # after a Cancel the maps stay as they are until the next edit: nothing else (a new
        # tile size, the explorer shown again) computes the stopped settings behind the
        # user's back
        self._held = False
        self.live = LiveFeed(lambda: document.live.frozen, self)
        self.live.frame_ready.connect(self._on_live_frame)
        self.live.failed.connect(self._on_live_failed)
        self.live.ended.connect(self._on_live_ended)
        # one edit can cause a burst of document events: they coalesce into one request
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.request_compute)

        doc = document
        self._links: list[tuple[object, Callable]] = [
            (doc.stack.changed, self._on_stack_changed),
            (doc.stack.layer_changed, self._on_stack_changed),
            (doc.stack.filters_changed, self._on_stack_changed),
            (doc.stack.head.events.all, self.schedule),  # the maps' cache stays: same stack
            (doc.input.events.all, self.schedule),
            (doc.display.events.levels, self.schedule),
            (doc.display.events.fixed_limit, self.schedule),
            (doc.display.events.colour_map, self.schedule),
            (doc.display.events.show_pooled, self.schedule),
            (doc.display.events.input_range, self.schedule),  # the input's pixels change
            (doc.selection.events.layer, self.schedule),
            (doc.source_changed, self._on_source_changed),
            (doc.live_settings.events.mirror, self._on_mirror_changed),
            (doc.live.events.frozen, self._on_frozen_changed),
            (doc.display.events.tab, self._on_tab_changed),
            (maps.view_resized, self._on_view_resized),
        ]
        for signal, slot in self._links:
            signal.connect(slot)
        self.live.set_mirror(doc.live_settings.mirror)

    # --- what is being explored ----------------------------------------------------------
    def source_image(self) -> np.ndarray | None:
        """The picture being explored: the newest live frame, or the still."""
        if self.document.live.active and self._frame is not None:
            return self._frame.image
        return self.document.still.image

    @property
    def last_result(self) -> StackResult | None:
        return self._last_result

    def current_frame(self) -> np.ndarray | None:
        """A copy of the newest live frame (None on a still)."""
        if not self.document.live.active or self._frame is None:
            return None
        return self._frame.image.copy()

    # --- requests ------------------------------------------------------------------------
    def schedule(self, *_: object) -> None:
        """An edit: compute the current settings soon (a burst of events makes one request)."""
        self._held = False
        self._timer.start()

    def _refresh(self) -> None:
        """The same settings are wanted again (maps of a new size, the explorer shown again):
        compute them soon, unless a Cancel holds the maps as they are."""
        if not self._held:
            self._timer.start()

    @property
    def explorer_visible(self) -> bool:
        """While another tab is on show, live frames skip the explorer's stack."""
        return self.document.display.tab == "explorer"

    def _on_tab_changed(self, tab: str) -> None:
        if tab == "explorer":
            self._refresh()

    def request_compute(self, frame_time: float | None = None) -> int | None:
        """Send the current picture and stack to the worker; returns the generation."""
        image = self.source_image()
        if image is None:
            return None
        self._held = False
        doc = self.document
        self._generation += 1
        live = doc.live.active and self._frame is not None
        stamp = time.perf_counter() if frame_time is None else frame_time
        source_key = ("live", self._frame.sequence, id(self._frame)) if live else self._source_key
        self.worker.compute(StackRequest(
            self._generation, image, self._stack_specs(), source_key=source_key,
            stack_key=self._stack_key, max_side=doc.processing_side(),
            grayscale=doc.input.grayscale, frame_time=stamp, live=live,
            render=self._render_request(), head=doc.stack.head.spec()),
            self._newest_frame if live else None)
        self._set_waiting(not live)
        return self._generation

    def _set_waiting(self, waiting: bool) -> None:
        if waiting != self._waiting:
            self._waiting = waiting
            self.computing.emit(waiting)

    @property
    def waiting(self) -> bool:
        return self._waiting

    def cancel(self) -> None:
        """Stop computing the newest settings; the maps on screen stay as they are."""
        if not self._waiting:
            return
        self._timer.stop()
        self._held = True
        self.worker.cancel_current()
        self._shown_generation = max(self._shown_generation, self._generation)
        self._set_waiting(False)
        self.cancelled.emit()

    def _on_cancelled(self, generation: int) -> None:
        if generation == self._generation:  # not a superseded one: the newest was stopped
            self._set_waiting(False)

    def _stack_specs(self) -> tuple[LayerSpec, ...]:
        """The stack as the pipeline takes it, snapshotted once per stack edit: live frames
        share one snapshot (and the panels what they work out from it)."""
        if self._specs_key != self._stack_key:
            self._specs, self._specs_key = self.document.stack_specs(), self._stack_key
        return self._specs

    def _render_request(self) -> RenderRequest:
        maps = self.maps
        return RenderRequest(maps.map_style(), self.document.selected_index,
                             maps.feature_tile(), maps.pooled_tile(), maps.strip_tiles(),
                             maps.input_tile(), self.document.display.input_range == "own")

    def _on_stack_changed(self, *_: object) -> None:
        self._stack_key += 1
        self.schedule()

    def _on_source_changed(self) -> None:
        if not self.document.live.active:
            self._source_key = next(self._still_key)
        self.schedule()

    def _on_view_resized(self) -> None:
        self._fit_live_side()
        self._refresh()

    # --- results -------------------------------------------------------------------------
    def _on_done(self, generation: int, result: StackResult) -> None:
        self._on_result(result)

    def _on_result(self, result: StackResult) -> None:
        if result.generation <= self._shown_generation:
            self.worker.buffers.release(result.buffers)
            return  # an older request finished after a newer one was shown
        self._shown_generation = result.generation
        previous, self._last_result = self._last_result, result
        self.maps.show_result(result)
        if result.generation == self._generation:
            self._set_waiting(False)
        if previous is not None and previous.buffers:  # nothing shows it any more
            self.worker.buffers.release(previous.buffers)
        if self.live.running:
            now = time.perf_counter()
            self._results_shown.append(now)
            self.latency_ms = (now - result.request.frame_time) * 1e3
        self.result_shown.emit(result)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation < self._generation:
            return  # a newer request is on its way; it may well succeed
        self._set_waiting(False)
        self.failed.emit(message)

    def is_newest(self, result: StackResult) -> bool:
        return result.generation == self._generation

    @property
    def generation(self) -> int:
        """The newest request's generation."""
        return self._generation

    @property
    def scheduled(self) -> bool:
        """Whether a request is about to be sent (document events are being coalesced)."""
        return self._timer.isActive()

    def processed_fps(self) -> float:
        now = time.perf_counter()
        recent = [t for t in self._results_shown if now - t < 2.0]
        return (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 1 else 0.0

    # --- the live feed -------------------------------------------------------------------
    def start_live(self, factory: Callable[[], FrameSource], name: str, kind: str) -> None:
        """Switch to a live source built by ``factory`` on the capture thread.

        The still picture stays in the document, untouched, for "Back to the still image".
        """
        self._frame = None
        self._results_shown.clear()
        self._drop_in_flight()
        live = self.document.live
        live.frozen = False
        live.frame_height = live.frame_width = 0
        live.name, live.kind = name, kind
        self.live.start(factory, name)
        live.active = True

    def stop_live(self) -> None:
        """Back to the still picture, exactly as it was."""
        self.live.stop()
        self._frame = None
        self._drop_in_flight()
        live = self.document.live
        if live.active:
            live.active = False
            live.frozen = False
            self._on_source_changed()

    def _drop_in_flight(self) -> None:
        """Results of the previous source still being computed are not shown when they land."""
        self._shown_generation = self._generation

    def restart_live(self) -> bool:
        if not self.live.restart():
            return False
        self.document.live.active = True
        return True

    def set_frozen(self, frozen: bool) -> None:
        self.document.live.frozen = frozen

    def _on_frozen_changed(self, frozen: bool) -> None:
        self.live.follow_frozen()
        if frozen:
            self.schedule()  # edits while frozen recompute the held frame

    def step(self) -> None:
        self.live.step()

    def _on_mirror_changed(self, mirror: bool) -> None:
        self.live.set_mirror(mirror)

    def _on_live_frame(self, frame: Frame) -> None:
        if not self.document.live.active:
            return
        self._frame = frame
        live = self.document.live
        h, w = frame.image.shape[:2]
        if (live.frame_height, live.frame_width) != (h, w):
            live.frame_height, live.frame_width = h, w  # sizes in panels follow
            self._fit_live_side()
        self.document.show_frame(frame.image, self.live.run, frame.sequence)
        # While a live request still waits for the worker, a new frame needs no request of
        # its own: the waiting one takes the newest frame when it starts (_newest_frame), so
        # a camera faster than the maps costs no requests built to be thrown away.
        if self.explorer_visible and not self.worker.has_waiting:
            self.request_compute(frame.timestamp)

    def _newest_frame(self) -> Frame | None:
        """The newest live frame (asked for on the worker's thread as a request starts)."""
        return self._frame

    def _fit_live_side(self) -> None:
        """Compute live frames at the size they are shown (the live Size, never the still's)."""
        doc = self.document
        if not (doc.live.active and doc.input.fit_live):
            return
        frame_side = max(doc.live.frame_height, doc.live.frame_width)
        if not frame_side:
            return
        side = max(16, min(frame_side, self.maps.shown_side()))
        if doc.input.live_side != side:
            doc.input.live_side = side

    def _on_live_failed(self, message: str) -> None:
        self.live_failed.emit(message)

    def _on_live_ended(self) -> None:
        self.live_ended.emit()

    # --- teardown ------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the feed and the worker, and let go of the document (idempotent)."""
        self._timer.stop()
        self.live.stop()
        self.worker.stop()
        for signal, slot in self._links:
            signal.disconnect(slot)
        self._links = []
