"""The Translation tab's controller: the explorer's stack on a crop moved sideways.

Its model is ``document.translation`` (the shift shown, the filter whose maps are drawn, the
stack studied: the explorer's own, or the pretrained network's first two convolutions, whose
kernels were learned); it also follows the stack, the input settings and the picture being
explored. Every change becomes one request for the tab's worker: scale the picture as the
explorer's first layer sees it, run the study (:mod:`explorer.core.invariance`) and colour
the maps, all off the GUI thread; the view only hands the pictures and curves to pyqtgraph.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache

import numpy as np
from PySide6.QtCore import QObject

from explorer.core.invariance import TranslationStudy, coloured_planes, translation_study
from explorer.core.pipeline import LayerSpec, NamedStack, fit_input
from explorer.state import Document
from explorer.state.document import Picture
from explorer.state.limits import int_range
from explorer.ui.controllers.study import Job, StudyController
from explorer.ui.panels.translation_panel import TranslationPanel
from explorer.ui.widgets.colormaps import lookup_table

CROP = 128  # the side of the crop that moves


@dataclass(frozen=True, eq=False)
class TranslationResult:
    """A study and its maps coloured for the view."""

    study: TranslationStudy
    pictures: dict[str, tuple[np.ndarray, np.ndarray]]  # name → (shift 0, shown shift) RGB
    seconds: float


@cache
def learned_stack() -> NamedStack:
    """The pretrained network's first two convolutions, read once (on the worker)."""
    from explorer.core.network.early import early_stack

    return early_stack()


def study_picture(image: np.ndarray, side: int, layers: tuple[LayerSpec, ...] | None,
                  random: tuple[bool, ...], shift: int, filter_index: int,
                  luts: tuple[np.ndarray, np.ndarray]) -> TranslationResult:
    """The whole request, on the worker: scale, study, colour. ``layers`` None: the learned
    layers."""
    start = time.perf_counter()
    if layers is None:
        try:
            layers = learned_stack().layers
        except ValueError as exc:  # the pretrained network is not installed, or damaged
            raise ValueError(f"the learned kernels cannot be read: {exc}; study the "
                             "explorer's stack instead") from None
        random = (False,) * len(layers)
    picture = fit_input(image, side, layers[0].channels == 1)
    max_shift = int_range("shift", "TranslationSettings")[1]
    study = translation_study(picture, layers, max_shift=max_shift, shown_shift=shift,
                              size=CROP, filter_index=filter_index, random=random)
    pictures = coloured_planes(study, *luts)
    return TranslationResult(study, pictures, time.perf_counter() - start)


class TranslationController(StudyController):
    """See the module docstring."""

    key = "translation"
    title = "Translation"
    uses_layers = True  # the study runs the explorer's own stack
    study_name = "translation study"

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(document, TranslationPanel(document, CROP), parent)
        doc = document
        self.connect_model(doc.translation.events.all, self._on_settings_changed)
        self.view.show_settings()
        for signal in (doc.stack.changed, doc.stack.layer_changed, doc.stack.filters_changed,
                       doc.input.events.all):
            self.connect_model(signal, self.schedule)

    def _on_settings_changed(self, *_: object) -> None:
        self.view.show_settings()
        self.schedule()

    def make_job(self, picture: Picture) -> Job:
        doc = self.document
        learned = doc.translation.stack == "pretrained"
        layers = None if learned else doc.stack_specs()
        random = () if learned else tuple(layer.filters.random for layer in doc.stack)
        args = (picture.image, doc.processing_side(), layers, random,
                doc.translation.shift, doc.translation.filter,
                (lookup_table(True), lookup_table(False)))
        return lambda _token: study_picture(*args)

    def show_result(self, result: TranslationResult) -> None:
        self.view.show_result(result.study, result.pictures)
