"""The Pooling tab's controller: one feature map before and after pooling, looked at closely.

Its model is ``document.pooling`` (the zoom's first window); the map studied is the explorer's
selection (layer and filter), and it follows the stack, the input settings, the colour levels
and colour map, and the picture being explored. Every change becomes one request for the
tab's worker: scale the picture as the explorer's first layer sees it, run the stack up to the
selected layer, pool it, time both and a following layer, and colour the two maps
(:mod:`explorer.core.pooling_study`); the view only draws.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QTimer

from explorer.core.cancel import CancelToken
from explorer.core.pipeline import LayerSpec, fit_input
from explorer.core.pooling_study import PoolingStudy, pooling_study
from explorer.state import Document
from explorer.state.document import Picture
from explorer.ui.panels.pooling_panel import PoolingPanel
from explorer.ui.tab import TabController
from explorer.ui.widgets.colormaps import lookup_table
from explorer.ui.workers.worker import Worker


@dataclass(frozen=True, eq=False)
class PoolingRequest:
    """Everything the worker needs, frozen when the request is made."""

    image: np.ndarray
    side: int
    grayscale: bool
    layers: tuple[LayerSpec, ...]
    stage: int
    filter: int
    zoom: tuple[int, int]
    levels: str
    fixed_limit: float
    luts: tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True, eq=False)
class PoolingResult:
    study: PoolingStudy
    seconds: float


def study_request(request: PoolingRequest, token: CancelToken) -> PoolingResult:
    """The whole request, on the worker."""
    start = time.perf_counter()
    picture = fit_input(request.image, request.side, request.grayscale)
    study = pooling_study(picture, request.layers, request.stage, request.filter, request.zoom,
                          request.levels, request.fixed_limit, request.luts, cancel=token)
    return PoolingResult(study, time.perf_counter() - start)


class PoolingController(TabController):
    """See the module docstring."""

    key = "pooling"
    title = "Pooling"
    uses_layers = True  # pooling is set in the Layers dock

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(document, parent)
        self.view = PoolingPanel(document)
        self.worker = Worker("pooling-worker", self)
        self.worker.done.connect(self._on_done)
        self.worker.failed.connect(self._on_failed)
        self.result: PoolingResult | None = None
        self._asked = 0
        self._shown_tag = 0
        self._stale = True
        self._timer = QTimer(self, singleShot=True, interval=0)  # a burst of edits: one request
        self._timer.timeout.connect(self.request)
        doc = document
        for signal in (doc.stack.changed, doc.stack.layer_changed, doc.stack.filters_changed,
                       doc.selection.events.all):
            self.connect_model(signal, self._on_choice_changed)
        for signal in (doc.pooling.events.all, doc.input.events.all, doc.display.events.levels,
                       doc.display.events.fixed_limit, doc.display.events.colour_map):
            self.connect_model(signal, self.schedule)
        self.view.show_settings()

    def _on_choice_changed(self, *_: object) -> None:
        self.view.show_settings()
        self.schedule()

    # --- requests --------------------------------------------------------------------------
    def schedule(self, *_: object) -> None:
        self._stale = True
        if self.active:
            self._timer.start()

    def show_picture(self, picture: Picture | None, new_source: bool) -> None:
        if new_source:
            self.result = None
            self.view.clear()
        self.schedule()

    def activated(self) -> None:
        self.view.show_settings()
        if self._stale:
            self._timer.start()

    def request(self) -> int | None:
        """Study the selected layer's pooling on the current picture (on the worker)."""
        picture = self.picture
        if picture is None or not self.active:
            return None
        doc = self.document
        self._stale = False
        index = doc.selected_index
        if doc.stack[index].settings.pool_mode == "none":
            self._asked = 0
            self.view.show_note(f"Layer {index + 1} has no pooling: choose max or average "
                                "pooling for it in the Layers panel, or another layer above.")
            self.settled.emit()
            return None
        scheme = doc.display.colour_map
        request = PoolingRequest(
            picture.image, doc.processing_side(), doc.input.grayscale, doc.stack_specs(), index,
            doc.selected_filter(), (doc.pooling.zoom_row, doc.pooling.zoom_col),
            doc.display.levels, float(doc.display.fixed_limit),
            (lookup_table(True, scheme), lookup_table(False, scheme)))
        self._asked = self.worker.submit(lambda token: study_request(request, token),
                                         supersede=True)
        self.view.set_working(True)
        return self._asked

    def is_settled(self) -> bool:
        if self._stale or self._timer.isActive():
            return False
        return self._asked == 0 or (self.result is not None and self._shown_tag == self._asked)

    # --- results ---------------------------------------------------------------------------
    def _on_done(self, tag: int, result: PoolingResult) -> None:
        if tag != self._asked:
            return  # a newer request is on its way
        self._shown_tag = tag
        self.result = result
        self.view.show_result(result.study)
        self.status_changed.emit()
        self.settled.emit()

    def _on_failed(self, tag: int, message: str) -> None:
        if tag != self._asked:
            return
        self.view.set_working(False)
        self.view.show_note(message[:1].upper() + message[1:])
        self.settled.emit()

    def status_text(self) -> str:
        if self.result is None:
            return ""
        return f"pooling study {self.result.seconds * 1000:.0f} ms"

    def cleanup(self) -> None:
        super().cleanup()
        self._timer.stop()
        self.worker.stop()
