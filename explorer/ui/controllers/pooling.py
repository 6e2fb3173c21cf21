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
from PySide6.QtCore import QObject

from explorer.core.cancel import CancelToken
from explorer.core.pipeline import LayerSpec, fit_input
from explorer.core.pooling_study import PoolingStudy, pooling_study
from explorer.state import Document
from explorer.state.document import Picture
from explorer.ui.controllers.study import Job, StudyController
from explorer.ui.panels.pooling_panel import PoolingPanel
from explorer.ui.widgets.colormaps import lookup_table


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


class PoolingController(StudyController):
    """See the module docstring."""

    key = "pooling"
    title = "Pooling"
    uses_layers = True  # pooling is set in the Layers dock
    study_name = "pooling study"

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(document, PoolingPanel(document), parent)
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

    def activated(self) -> None:
        self.view.show_settings()
        super().activated()

    def make_job(self, picture: Picture) -> Job | None:
        """Study the selected layer's pooling on the current picture."""
        doc = self.document
        index = doc.selected_index
        if doc.stack[index].settings.pool_mode == "none":
            self.view.show_note(f"Layer {index + 1} has no pooling: choose max or average "
                                "pooling for it in the Layers panel, or another layer above.")
            return None
        scheme = doc.display.colour_map
        request = PoolingRequest(
            picture.image, doc.processing_side(), doc.input.grayscale, doc.stack_specs(), index,
            doc.selected_filter(), (doc.pooling.zoom_row, doc.pooling.zoom_col),
            doc.display.levels, float(doc.display.fixed_limit),
            (lookup_table(True, scheme), lookup_table(False, scheme)))
        return lambda token: study_request(request, token)

    def show_result(self, result: PoolingResult) -> None:
        self.view.show_result(result.study)

    def report_failure(self, text: str) -> None:
        self.view.show_note(text)  # in the tab, where the maps would be
