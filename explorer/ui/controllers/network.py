"""The Network tab's controller: the picture being explored through a pretrained CNN.

Its model is ``document.network`` (the layer and channel on show, the colour scale, the page,
the first-layer kernel, the occlusion's square and step); it also follows the picture. All the
network's work is done by the tab's one :class:`Worker`, and the :class:`Network` is touched
only on that worker's thread (:class:`NetworkOnWorker`):

- loading the network is a request; what the view needs of it (layers, kernels, numbers)
  comes back as :class:`NetworkFacts`;
- each picture or setting is a view request, the newest winning, so a live feed never builds
  a backlog; the mosaic's tile size is worked out once per layer and view size, not per frame;
- occlusion is long work (``run_steps``): a row of squares at a time between view requests,
  each row's heat map already laid over the picture on the worker.

What came from one picture goes with it: a new source clears the maps, the guesses, the
hovered readout and the heat map; a heat map belongs to the one picture it was measured on,
so any newer picture ends it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QRectF, QTimer, Signal

from explorer.core.network import LayerInfo, Network, load_pretrained
from explorer.core.network.architecture import classifier_parameters
from explorer.core.network.mosaic import heat_overlay
from explorer.core.network.occlusion import OcclusionStep, occlusion
from explorer.core.network.preprocess import centre_crop
from explorer.core.network.stem import stem_stack
from explorer.core.network.view import ViewRequest, ViewResult, compute_view
from explorer.core.pipeline import NamedStack
from explorer.state import Document
from explorer.state.document import Picture
from explorer.ui.panels.network_panel import NetworkPanel
from explorer.ui.tab import TabController
from explorer.ui.widgets.colormaps import lookup_table
from explorer.ui.workers.worker import Worker

RATE_WINDOW_S = 2.0  # pictures shown in this long are the rate in the status bar
RESIZE_SETTLE_MS = 120  # a dragged splitter: one new layout when it stops


@dataclass(frozen=True, eq=False)
class NetworkFacts:
    """What the view needs of the loaded network; plain data, safe on any thread."""

    layers: tuple[LayerInfo, ...]
    stem_kernels: np.ndarray  # (32, 3, 3, 3): the first layer's learned kernels, RGB
    stem_stack: NamedStack  # those kernels as the explorer's layer
    parameters: int  # learned numbers in all
    classifier: int  # of them in the final fully connected layer
    macs: int  # multiply-accumulates for one picture
    notes: tuple[str, ...]  # what happened while loading

    def layer(self, name: str) -> LayerInfo:
        return next(info for info in self.layers if info.name == name)


@dataclass(frozen=True, eq=False)
class OcclusionView:
    """One step of occlusion, made ready for the view on the worker."""

    step: OcclusionStep
    overlay: np.ndarray  # (224, 224, 3) uint8: the heat map so far over the picture
    label: str  # the class whose probability is watched


class NetworkOnWorker:
    """The pretrained network, used only by jobs on the tab's worker thread."""

    def __init__(self, loader: Callable[[], Network]) -> None:
        self._loader = loader
        self._net: Network | None = None

    def load(self, _token: object = None) -> NetworkFacts:
        net = self._net = self._loader()
        layers = tuple(net.layers)
        classifier = classifier_parameters()
        return NetworkFacts(
            layers, net.conv_weights("stem"), stem_stack(*net.folded_conv("stem")),
            sum(info.parameters for info in layers) + classifier, classifier,
            sum(info.macs for info in layers), tuple(net.notes))

    def view(self, request: ViewRequest) -> ViewResult:
        return compute_view(self._network(), request)

    def occlusion(self, image: np.ndarray, square: int, step: int, lut: np.ndarray
                  ) -> Iterator[OcclusionView]:
        """Occlusion of the centre of ``image`` (what the network sees), row by row."""
        net = self._network()
        picture, _ = centre_crop(image)
        for progress in occlusion(net.probabilities, picture, square, step):
            limit = float(np.abs(progress.heat).max())
            yield OcclusionView(progress, heat_overlay(picture, progress.heat, limit, lut),
                                net.classes.label(progress.target))

    def _network(self) -> Network:
        if self._net is None:
            raise ValueError("the network is not loaded")
        return self._net


class NetworkController(TabController):
    """See the module docstring; ``loader`` builds the network (tests and benches pass one)."""

    key = "network"
    title = "Network"
    loaded = Signal()  # the network is ready (its facts are in ``facts``)
    result_shown = Signal(object)  # the ViewResult now on screen
    occlusion_shown = Signal(object)  # the finished OcclusionView

    def __init__(self, document: Document, loader: Callable[[], Network] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(document, parent)
        self.view = NetworkPanel(document)
        self.worker = Worker("network-worker", self)
        self.worker.done.connect(self._on_done)
        self.worker.failed.connect(self._on_failed)
        self.worker.progress.connect(self._on_occlusion_progress)
        self.worker.finished.connect(self._on_occlusion_finished)
        self._network = NetworkOnWorker(loader or (lambda: load_pretrained()))
        self._luts = (lookup_table(True), lookup_table(False))  # signed, sequential
        self.facts: NetworkFacts | None = None
        self.result: ViewResult | None = None
        self._load_tag: int | None = None
        self._load_error = ""
        self._asked = 0  # the tag of the newest view request
        self._result_tag = 0  # the tag of the view on screen
        self._source_start = 0  # the first tag asked for the current source
        self._stale = True  # the model or picture changed since the last request
        self._arrived = 0.0  # when the newest picture came (a live frame's latency)
        self._layout: tuple[tuple[str, int, int], tuple[int, int]] | None = None
        self._hover: tuple[int, int, int] | None = None  # the unit under the mouse
        self._shown_at: deque[float] = deque(maxlen=60)
        self._occluded: Picture | None = None  # the picture the heat map belongs to
        self._occlusion_tag: int | None = None  # the running occlusion's job
        self._timer = QTimer(self, singleShot=True, interval=0)  # a burst: one request
        self._timer.timeout.connect(self.request)
        self._resize_timer = QTimer(self, singleShot=True, interval=RESIZE_SETTLE_MS)
        self._resize_timer.timeout.connect(self._on_resized)

        view = self.view
        view.run_occlusion.connect(self.start_occlusion)
        view.cancel_occlusion.connect(self.cancel_occlusion)
        view.clear_occlusion.connect(self.clear_occlusion)
        view.use_kernels.connect(self.use_kernels)
        view.unit_hovered.connect(self._on_unit_hovered)
        view.maps_resized.connect(self._resize_timer.start)
        events = document.network.events
        self.connect_model(events.layer, self._on_layer_changed)
        for name in ("channel", "per_channel"):
            self.connect_model(getattr(events, name), self._on_view_setting_changed)
        for name in ("page", "kernel", "occlusion_square", "occlusion_step"):
            self.connect_model(getattr(events, name), self._on_setting_changed)

    # --- the model ------------------------------------------------------------------------
    def _on_setting_changed(self, *_: object) -> None:
        self.view.show_settings()

    def _on_view_setting_changed(self, *_: object) -> None:
        self.view.show_settings()
        self.schedule()

    def _on_layer_changed(self, *_: object) -> None:
        self._hover = None  # the unit under the mouse was one of the old layer's
        self.view.show_field(None)
        self._on_view_setting_changed()

    # --- loading --------------------------------------------------------------------------
    def activated(self) -> None:
        if self.facts is None:
            self.load()
        elif self._stale:
            self._timer.start()
        if self.worker.paused:
            self.worker.resume()

    def deactivated(self) -> None:
        if self.worker.running_steps:  # a hidden tab computes nothing
            self.worker.pause()

    def load(self) -> None:
        """Load the network on the worker (once)."""
        if self._load_tag is None and self.facts is None:
            self.view.show_loading()
            self._load_tag = self.worker.submit(self._network.load)

    def _on_loaded(self, facts: NetworkFacts) -> None:
        self.facts = facts
        self.view.show_network(list(facts.layers), facts.stem_kernels, facts.parameters,
                               facts.classifier, facts.macs, facts.notes)
        self.loaded.emit()
        if self.picture is None:
            self.settled.emit()
        self.schedule()

    def _on_load_failed(self, message: str) -> None:
        self._load_error = message
        self.view.show_load_failed(message)
        self.message.emit(f"Network tab: {message}")
        self.settled.emit()  # the tab shows all it can: why it cannot run

    # --- view requests --------------------------------------------------------------------
    def schedule(self, *_: object) -> None:
        self._stale = True
        if self.active:
            self._timer.start()

    def show_picture(self, picture: Picture | None, new_source: bool) -> None:
        self._arrived = time.perf_counter()
        if new_source or picture is None:  # nothing of the old source stays on screen
            self._source_start = self.worker.newest + 1  # views asked before are dropped
            self.result = None
            self._hover = None
            self._shown_at.clear()
            self.view.clear()
            self.status_changed.emit()
        if self._occluded is not None and picture is not self._occluded:
            self._end_occlusion("Occlusion cleared: the picture changed")
        self.schedule()

    def request(self) -> int | None:
        """Look at the newest picture with the current settings (on the worker)."""
        picture = self.picture
        if picture is None or self.facts is None or not self.active:
            return None
        s = self.document.network
        count = self.facts.layer(s.layer).shape[2]
        tile, columns = self._mosaic_layout(s.layer)
        tag = self.worker.newest + 1
        request = ViewRequest(tag, picture.image, s.layer, tile, columns, *self._luts,
                              per_channel=s.per_channel,
                              channel=s.channel if 0 <= s.channel < count else None,
                              frame_time=self._arrived)
        self._stale = False
        self._asked = self.worker.submit(lambda _token: self._network.view(request), tag=tag)
        return self._asked

    def _mosaic_layout(self, layer: str) -> tuple[int, int]:
        """(tile, columns) of the layer's mosaic at the view's size, worked out again only
        when the layer or the size changes."""
        viewport = self.view.mosaic.viewport()
        key = (layer, viewport.width(), viewport.height())
        if self._layout is None or self._layout[0] != key:
            h, _, c = self.facts.layer(layer).shape
            self._layout = (key, self.view.mosaic.layout_for(c, h))
        return self._layout[1]

    def _on_resized(self) -> None:
        result = self.result
        if result is None or self.facts is None:
            return
        mosaic = result.mosaic
        if self._mosaic_layout(result.request.layer) != (mosaic.tile, mosaic.columns):
            self.schedule()

    def is_settled(self) -> bool:
        if self._load_error:
            return True
        if self.facts is None:
            return False
        if self.picture is None:
            return True
        return (not self._stale and not self._timer.isActive() and self.result is not None
                and self._result_tag == self._asked)

    # --- results --------------------------------------------------------------------------
    def _on_done(self, tag: int, result: object) -> None:
        if tag == self._load_tag:
            self._on_loaded(result)  # type: ignore[arg-type]
        elif tag > self._result_tag and tag >= self._source_start:
            # newer than the view on screen and of this source: a live feed outruns the
            # network, so waiting for the newest request's own answer would show nothing
            self._on_view(result)  # type: ignore[arg-type]

    def _on_view(self, result: ViewResult) -> None:
        self._result_tag = result.generation
        self.result = result
        self.view.show_view(result)
        self._show_hover()  # a live frame: the hovered unit has a new value
        self._shown_at.append(time.perf_counter())
        self.status_changed.emit()
        self.result_shown.emit(result)
        self.settled.emit()

    def _on_failed(self, tag: int, message: str) -> None:
        if tag == self._load_tag:
            self._on_load_failed(message)
        elif tag == self._occlusion_tag:
            self._occlusion_tag = None
            self.view.remove_occlusion(self.result)
            self.error.emit(f"Occlusion stopped: {message}")
        elif tag == self._asked:
            self.error.emit(f"The network could not look at this picture: {message}")

    def status_text(self) -> str:
        result = self.result
        if result is None:
            return ""
        t = result.timings_ms
        text = f"network {t.get('network', 0):.0f} ms · maps {t.get('drawing', 0):.0f} ms"
        rate = self.pictures_per_second()
        picture = self.picture
        if picture is not None and picture.live and rate > 0:
            text += f" · {rate:.0f} pictures/s"
        return text

    def pictures_per_second(self) -> float:
        """Pictures shown per second, over the last couple of seconds."""
        now = time.perf_counter()
        recent = [t for t in self._shown_at if now - t < RATE_WINDOW_S]
        return (len(recent) - 1) / (recent[-1] - recent[0]) if len(recent) > 1 else 0.0

    # --- the unit under the mouse ---------------------------------------------------------
    def _on_unit_hovered(self, channel: int, row: int, col: int) -> None:
        self._hover = (channel, row, col) if channel >= 0 else None
        self._show_hover()

    def _show_hover(self) -> None:
        result, facts, hover = self.result, self.facts, self._hover
        if hover is None or result is None or facts is None:
            self.view.show_field(None)
            return
        channel, row, col = hover
        h, w, c = result.maps.shape
        if channel >= c or row >= h or col >= w:  # the grid of an older layer
            self.view.show_field(None)
            return
        info = facts.layer(result.request.layer)
        rf = info.rf
        cy, cx = rf.start + row * rf.jump, rf.start + col * rf.jump
        half = (rf.size - 1) / 2
        value = float(result.maps[row, col, channel])
        beyond = " — more than the whole picture" if rf.size > 224 else ""
        # pixel i spans [i, i + 1): the field's edges are half a pixel beyond its centres
        self.view.show_field(
            QRectF(cx - half, cy - half, rf.size, rf.size),
            f"{info.name}, map {channel}, unit (row {row}, col {col}) = {value:.3g}: it sees "
            f"{rf.size}×{rf.size} input pixels{beyond} (neighbouring units are {rf.jump} px "
            "apart).")

    # --- the first-layer kernels ----------------------------------------------------------
    def use_kernels(self) -> None:
        if self.facts is not None:
            self.send_to_explorer.emit(self.facts.stem_stack)

    # --- occlusion ------------------------------------------------------------------------
    def start_occlusion(self) -> int | None:
        """Slide the grey square over the picture on screen; returns the job's tag.

        A heat map is of one picture: a live feed is frozen on its frame first.
        """
        picture = self.picture
        if self.facts is None or picture is None or self.result is None:
            self.message.emit("Occlusion needs a picture on screen first")
            return None
        live = self.document.live
        if picture.live and not live.frozen:
            live.frozen = True
            self.message.emit("The live feed holds this frame for occlusion; unfreeze it to "
                              "go on")
        s = self.document.network
        self._occluded = picture
        self._occlusion_tag = self.worker.run_steps(
            self._network.occlusion, {"image": picture.image, "square": s.occlusion_square,
                                      "step": s.occlusion_step, "lut": self._luts[0]})
        self.view.set_occlusion_running(True)
        return self._occlusion_tag

    def cancel_occlusion(self) -> None:
        self._end_occlusion("Occlusion cancelled")

    def clear_occlusion(self) -> None:
        self._end_occlusion()

    def _end_occlusion(self, note: str = "") -> None:
        """Stop the occlusion if it runs and take its heat map off the picture; ``note``
        tells the user, if there was one."""
        running = self._occlusion_tag is not None
        if running:
            self.worker.cancel_steps()
        had = running or self._occluded is not None
        self._occlusion_tag = None
        self._occluded = None
        if had:
            self.view.remove_occlusion(self.result)
            if note:
                self.message.emit(note)

    def _on_occlusion_progress(self, tag: int, steps: list) -> None:
        if tag == self._occlusion_tag and steps:
            last: OcclusionView = steps[-1]
            self.view.show_occlusion(last.step, last.overlay, last.label, finished=False)

    def _on_occlusion_finished(self, tag: int, last: OcclusionView | None,
                               completed: bool) -> None:
        if tag != self._occlusion_tag:
            return
        self._occlusion_tag = None
        if last is None or not completed:
            self.view.remove_occlusion(self.result)
            return
        self.view.show_occlusion(last.step, last.overlay, last.label, finished=True)
        self.occlusion_shown.emit(last)

    # --- lifetime -------------------------------------------------------------------------
    def cleanup(self) -> None:
        super().cleanup()
        self._timer.stop()
        self._resize_timer.stop()
        self.worker.stop()


__all__ = ["NetworkController", "NetworkFacts", "NetworkOnWorker", "OcclusionView"]
