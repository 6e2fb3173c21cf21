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
from PySide6.QtCore import QObject, QTimer

from explorer.core.invariance import TranslationStudy, coloured_planes, translation_study
from explorer.core.pipeline import LayerSpec, NamedStack, fit_input
from explorer.state import Document
from explorer.state.document import Picture
from explorer.state.limits import int_range
from explorer.ui.panels.translation_panel import TranslationPanel
from explorer.ui.tab import TabController
from explorer.ui.widgets.colormaps import lookup_table
from explorer.ui.workers.worker import Worker

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


class TranslationController(TabController):
    """See the module docstring."""

    key = "translation"
    title = "Translation"
    uses_layers = True  # the study runs the explorer's own stack

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(document, parent)
        self.view = TranslationPanel(document, CROP)
        self.worker = Worker("translation-worker", self)
        self.worker.done.connect(self._on_done)
        self.worker.failed.connect(self._on_failed)
        self.result: TranslationResult | None = None
        self._asked = 0  # the tag of the newest request
        self._shown_tag = 0  # the tag of the result on screen
        self._stale = True  # the model or picture changed since the last request
        self._timer = QTimer(self, singleShot=True, interval=0)  # a burst of edits: one request
        self._timer.timeout.connect(self.request)
        doc = document
        self.connect_model(doc.translation.events.all, self._on_settings_changed)
        self.view.show_settings()
        for signal in (doc.stack.changed, doc.stack.layer_changed, doc.stack.filters_changed,
                       doc.input.events.all):
            self.connect_model(signal, self.schedule)

    def _on_settings_changed(self, *_: object) -> None:
        self.view.show_settings()
        self.schedule()

    # --- requests --------------------------------------------------------------------------
    def schedule(self, *_: object) -> None:
        self._stale = True
        if self.active:
            self._timer.start()

    def show_picture(self, picture: Picture | None, new_source: bool) -> None:
        if new_source:  # nothing of the old picture stays on screen
            self.result = None
            self.view.clear()
        self.schedule()

    def activated(self) -> None:
        if self._stale:
            self._timer.start()

    def request(self) -> int | None:
        """Study the current picture and stack again (on the worker)."""
        picture = self.picture
        if picture is None or not self.active:
            return None
        doc = self.document
        learned = doc.translation.stack == "pretrained"
        layers = None if learned else doc.stack_specs()
        random = () if learned else tuple(layer.filters.random for layer in doc.stack)
        args = (picture.image, doc.processing_side(), layers, random,
                doc.translation.shift, doc.translation.filter,
                (lookup_table(True), lookup_table(False)))
        self._stale = False
        self._asked = self.worker.submit(lambda _token: study_picture(*args), supersede=True)
        self.view.set_working(True)
        return self._asked

    def is_settled(self) -> bool:
        return not self._stale and not self._timer.isActive() and self.result is not None \
            and self._shown_tag == self._asked

    # --- results ---------------------------------------------------------------------------
    def _on_done(self, tag: int, result: TranslationResult) -> None:
        if tag != self._asked:
            return  # a newer request is on its way
        self._shown_tag = tag
        self.result = result
        self.view.show_result(result.study, result.pictures)
        self.status_changed.emit()
        self.settled.emit()

    def _on_failed(self, tag: int, message: str) -> None:
        if tag != self._asked:
            return
        self.view.set_working(False)
        self.error.emit(message[:1].upper() + message[1:])

    def status_text(self) -> str:
        if self.result is None:
            return ""
        return f"translation study {self.result.seconds * 1000:.0f} ms"

    def cleanup(self) -> None:
        super().cleanup()
        self._timer.stop()
        self.worker.stop()
