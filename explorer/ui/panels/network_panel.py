"""The Network tab: the photo or the live feed through a real pretrained CNN.

EfficientNet-Lite0, trained on ImageNet: what it sees (the centre 224×224), its five best
guesses, every channel of the layer chosen along the network (hover a unit to see its
receptive field on the picture, click a map to lay it over the picture), its 32 learned
first-layer kernels, and occlusion (where does it look?). All computing happens on the tab's
worker thread; the newest picture wins, so the window never waits for the network.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.network import Network, load_pretrained
from explorer.core.network.architecture import classifier_parameters
from explorer.core.network.mosaic import heat_overlay
from explorer.core.network.occlusion import OcclusionStep
from explorer.core.network.stem import stem_stack
from explorer.core.network.view import ViewRequest, ViewResult
from explorer.core.params import format_count
from explorer.ui.controllers.widget_tab import Tab
from explorer.ui.widgets.channel_mosaic import ChannelMosaic
from explorer.ui.widgets.class_bars import ClassBars
from explorer.ui.widgets.colormaps import lookup_table
from explorer.ui.widgets.layer_table import LayerTable, format_macs
from explorer.ui.widgets.occlusion_box import OcclusionBox
from explorer.ui.widgets.picture_view import PictureView
from explorer.ui.widgets.stem_kernels import StemKernels
from explorer.ui.workers.network import NetworkWorker

DEFAULT_LAYER = "stem"
SEES = "What the network sees: the centre 224×224 of the picture"
USE_TIP = ("Put the 32 kernels into the explorer as its layer (stride 2, TensorFlow 'same' "
           "padding), rescaled for the explorer's 0…255 pixels, with BatchNorm folded in: its "
           "feature maps are then the network's own first-layer maps. The explorer has no "
           "ReLU6 (which also caps values at 6), so it runs them with ReLU.")


def _bold(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label


class NetworkTab(Tab):
    """See the module docstring; ``loader`` builds the network (tests and benches pass one)."""

    title = "Network"
    loaded = Signal(object)  # the Network, once it is ready
    result_shown = Signal(object)  # the ViewResult now on screen
    occlusion_shown = Signal(object)  # the finished OcclusionStep

    def __init__(self, loader: Callable[[], Network] = load_pretrained,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.net: Network | None = None
        self._image: np.ndarray | None = None
        self._live = False
        self._layer = DEFAULT_LAYER
        self._channel: int | None = None
        self._generation = 0
        self._shown_generation = -1
        self._result: ViewResult | None = None
        self._heat: OcclusionStep | None = None
        self._heat_picture: np.ndarray | None = None
        self._occlusion_job: int | None = None
        self._hover: tuple[int, int, int] | None = None  # the unit under the mouse
        self._shown_at: deque[float] = deque(maxlen=30)
        self._closed = False

        self._worker = NetworkWorker(loader, self)
        self._worker.loaded.connect(self._on_loaded)
        self._worker.load_failed.connect(self._on_load_failed)
        self._worker.view_ready.connect(self._on_view)
        self._worker.view_failed.connect(self._on_view_failed)
        self._worker.occlusion_progress.connect(self._on_occlusion_progress)
        self._worker.occlusion_finished.connect(self._on_occlusion_finished)
        self._worker.occlusion_failed.connect(self._on_occlusion_failed)
        # one request for a burst of changes (a layer click and a resize in one go)
        self._request_timer = QTimer(self, singleShot=True, interval=0)
        self._request_timer.timeout.connect(self.request)
        self._resize_timer = QTimer(self, singleShot=True, interval=120)
        self._resize_timer.timeout.connect(self._on_resized)
        self._build()
        self._set_ready(False)

    # --- construction --------------------------------------------------------------------
    def _build(self) -> None:
        self.status = QLabel("The pretrained network loads when this tab is first shown.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.picture_title = QLabel(SEES)
        self.picture_title.setWordWrap(True)
        self.picture = PictureView()
        self.field_label = QLabel("Hover a feature map to see what one unit looks at.")
        self.field_label.setWordWrap(True)
        for label in (self.picture_title, self.field_label):  # no jumps as the text changes
            label.setMinimumHeight(2 * label.fontMetrics().lineSpacing() + 4)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.bars = ClassBars()
        self.bars.set_note("no guesses yet")
        self.occlusion_box = OcclusionBox()
        self.occlusion_box.run_requested.connect(self.start_occlusion)
        self.occlusion_box.cancel_requested.connect(self.cancel_occlusion)
        self.occlusion_box.clear_requested.connect(self.clear_occlusion)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(4, 4, 4, 4)
        lv.addWidget(self.status)
        lv.addWidget(self.picture_title)
        lv.addWidget(self.picture, 1)
        lv.addWidget(self.field_label)
        lv.addWidget(_bold("Top-5 guesses (ImageNet classes)"))
        lv.addWidget(self.bars)
        lv.addWidget(self.occlusion_box)
        lv.addStretch(1)  # spare height below, not between the parts
        left_scroll = QScrollArea()
        left_scroll.setWidget(left)
        left_scroll.setWidgetResizable(True)
        left_scroll.setMinimumWidth(270)

        # feature maps: the layer picker above the tiled channels
        self.layer_table = LayerTable()
        self.layer_table.layer_chosen.connect(self.set_layer)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.maps_title = QLabel()
        self.maps_title.setWordWrap(True)
        self.per_channel = QCheckBox("each map its own colour scale")
        self.per_channel.setToolTip("Off: one scale for the whole layer, so strong and weak "
                                    "channels compare. On: every map stretched to its range.")
        self.per_channel.toggled.connect(lambda _on: self.schedule_request())
        self.mosaic = ChannelMosaic()
        self.mosaic.hovered.connect(self._on_unit_hovered)
        self.mosaic.clicked.connect(self._on_channel_clicked)
        self.mosaic.resized.connect(self._resize_timer.start)
        maps_page = QWidget()
        mv = QVBoxLayout(maps_page)
        mv.setContentsMargins(0, 4, 0, 0)
        mv.addWidget(self.layer_table)
        mv.addWidget(self.totals)
        head = QHBoxLayout()
        head.addWidget(self.maps_title, 1)
        head.addWidget(self.per_channel)
        mv.addLayout(head)
        mv.addWidget(self.mosaic, 1)

        # the learned first-layer kernels
        self.kernels = StemKernels()
        self.use_button = QPushButton("Use these kernels in the explorer")
        self.use_button.setToolTip(USE_TIP)
        self.use_button.clicked.connect(self.use_kernels)
        intro = QLabel(
            "The 32 kernels of the network's first layer (3×3 over R, G and B, stride 2), "
            "learned from ImageNet as AlexNet's were: each shown as a tiny colour picture "
            "(grey is 0; a colour means the kernel looks for it, its opposite colour that it "
            "looks for its absence). Click one to see its 27 weights.")
        intro.setWordWrap(True)
        use_note = QLabel("The explorer runs them with ReLU: it has no ReLU6, which also "
                          "caps values at 6.")
        use_note.setWordWrap(True)
        kernels_page = QWidget()
        kv = QVBoxLayout(kernels_page)
        kv.addWidget(intro)
        kv.addWidget(self.kernels)
        kv.addWidget(self.use_button, 0, Qt.AlignmentFlag.AlignLeft)
        kv.addWidget(use_note)
        kv.addStretch(1)
        kernels_scroll = QScrollArea()
        kernels_scroll.setWidget(kernels_page)
        kernels_scroll.setWidgetResizable(True)

        self.pages = QTabWidget()
        self.pages.addTab(maps_page, "Feature maps")
        self.pages.addTab(kernels_scroll, "First-layer kernels")

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left_scroll)
        splitter.addWidget(self.pages)
        # a quarter of the width for the picture, the guesses and occlusion; it grows with it
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([300, 900])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def _set_ready(self, ready: bool) -> None:
        for w in (self.layer_table, self.per_channel, self.occlusion_box, self.use_button):
            w.setEnabled(ready)

    # --- the tab contract ----------------------------------------------------------------
    def set_source(self, image: np.ndarray, name: str, live: bool) -> None:
        self._image, self._live = image, live
        self.load()
        self.schedule_request()

    def cleanup(self) -> None:
        self._closed = True
        self._request_timer.stop()
        self._resize_timer.stop()
        self._worker.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.load()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._resize_timer.start()

    # --- loading -------------------------------------------------------------------------
    def load(self) -> None:
        """Start loading the network (once, on the worker thread)."""
        if self.net is None and not self._closed and not self._worker.isRunning() \
                and not self._worker.isFinished():
            self.status.setText("Loading the pretrained network (EfficientNet-Lite0)…")
            self._worker.begin()

    def _on_loaded(self, net: Network) -> None:
        self.net = net
        self.layer_table.set_layers(net.layers)
        self.layer_table.select_layer(self._layer)
        fc = classifier_parameters()
        total = sum(i.parameters for i in net.layers) + fc
        macs = sum(i.macs for i in net.layers)
        self.totals.setText(
            f"In all {format_count(total)} learned parameters ({format_count(fc)} of them in "
            f"the final fully connected layer) and {format_macs(macs)} MACs for one 224×224 "
            "picture.")
        self.kernels.set_kernels(net.conv_weights("stem"))
        self.status.setText(
            "EfficientNet-Lite0, trained on the 1000 classes of ImageNet. "
            + " ".join(net.notes))
        self._set_ready(True)
        self.loaded.emit(net)
        self.schedule_request()

    def _on_load_failed(self, message: str) -> None:
        text = message[:1].upper() + message[1:]
        self.status.setText(f"<b>The Network tab cannot run.</b> {text}.")
        self.bars.set_note("no network")
        self.message.emit(f"Network tab: {message}")

    # --- requests and results ------------------------------------------------------------
    def schedule_request(self) -> None:
        self._request_timer.start()

    def request(self) -> int | None:
        """Send the newest picture to the worker; returns the generation, or None."""
        if self.net is None or self._image is None or self._closed:
            return None
        c = self.net.layer_info(self._layer).shape
        tile, columns = self.mosaic.layout_for(c[2], c[0])
        self._generation += 1
        self._worker.submit(ViewRequest(
            self._generation, self._image, self._layer, tile, columns,
            lookup_table(True), lookup_table(False), self.per_channel.isChecked(),
            self._channel, time.perf_counter()))
        return self._generation

    def _on_view(self, result: ViewResult) -> None:
        if result.generation <= self._shown_generation or self._closed:
            return
        self._shown_generation = result.generation
        self._result = result
        self.mosaic.set_mosaic(result.mosaic)
        self.mosaic.set_selected(self._channel)
        self.bars.set_guesses(result.top)
        self._show_picture()
        self._describe_maps(result)
        if self._hover is not None:  # a live frame: the hovered unit has a new value
            self._on_unit_hovered(*self._hover)
        self._shown_at.append(time.perf_counter())
        self.result_shown.emit(result)

    def _on_view_failed(self, generation: int, message: str) -> None:
        if generation >= self._generation:
            self.error.emit(f"The network could not look at this picture: {message}")

    def _describe_maps(self, result: ViewResult) -> None:
        h, w, c = result.maps.shape
        levels = result.mosaic.levels
        scale = ("each its own colour scale" if self.per_channel.isChecked() else
                 f"one colour scale {levels.levels[0][0]:.3g} … {levels.levels[0][1]:.3g}")
        kind = ("signed: the block ends without an activation" if levels.signed
                else "after ReLU6")
        timing = ""
        if self._live and len(self._shown_at) > 1:
            span = self._shown_at[-1] - self._shown_at[0]
            if span > 0:
                timing = f" · {(len(self._shown_at) - 1) / span:.0f} pictures/s"
        t = result.timings_ms
        self.maps_title.setText(
            f"<b>{result.request.layer}</b>: {c} feature maps of {h}×{w} ({kind}; {scale}). "
            f"Hover a unit for its receptive field, click a map to lay it over the picture. "
            f"<span style='color:gray'>network {t.get('network', 0):.0f} ms{timing}</span>")

    def _show_picture(self) -> None:
        if self._heat is not None and self._heat_picture is not None:
            limit = float(np.abs(self._heat.heat).max())
            self.picture.set_picture(heat_overlay(self._heat_picture, self._heat.heat, limit,
                                                  lookup_table(True)))
            return
        result = self._result
        if result is None:
            return
        if result.overlay is not None and self._channel is not None:
            self.picture.set_picture(result.overlay)
            self.picture_title.setText(f"{result.request.layer}, map {self._channel} over the "
                                       "picture (click the map again to hide it)")
        else:
            self.picture.set_picture(result.picture)
            self.picture_title.setText(SEES)

    # --- user actions --------------------------------------------------------------------
    def set_layer(self, name: str) -> None:
        """Show the channels of layer ``name`` ("stem", "block 1" … "head")."""
        if self.net is not None:
            self.net.layer_info(name)  # raises for an unknown name
        if name != self._layer:
            self._layer = name
            self._channel = None
            self._hover = None
            self.picture.set_field(None)
            self.layer_table.select_layer(name)
            self.schedule_request()

    def layer(self) -> str:
        return self._layer

    def _on_channel_clicked(self, channel: int) -> None:
        self._channel = None if channel == self._channel else channel
        self.mosaic.set_selected(self._channel)
        self.schedule_request()

    def _on_unit_hovered(self, channel: int, row: int, col: int) -> None:
        result = self._result
        self._hover = (channel, row, col) if channel >= 0 else None
        if self._hover is None or result is None or self.net is None:
            self.picture.set_field(None)
            return
        h, w, c = result.maps.shape
        if channel >= c or row >= h or col >= w:  # the grid of an older layer
            return
        info = self.net.layer_info(result.request.layer)
        rf = info.rf
        cy, cx = rf.start + row * rf.jump, rf.start + col * rf.jump
        half = (rf.size - 1) / 2
        # pixel i spans [i, i + 1): the field's edges are half a pixel beyond its centres
        self.picture.set_field(QRectF(cx - half, cy - half, rf.size, rf.size))
        value = float(result.maps[row, col, channel])
        beyond = " — more than the whole picture" if rf.size > 224 else ""
        self.field_label.setText(
            f"{info.name}, map {channel}, unit (row {row}, col {col}) = {value:.3g}: it sees "
            f"{rf.size}×{rf.size} input pixels{beyond} (neighbouring units are {rf.jump} px "
            "apart).")

    def use_kernels(self) -> None:
        if self.net is None:
            return
        stack = stem_stack(*self.net.folded_conv("stem"))
        self.send_to_explorer.emit(stack)

    # --- occlusion -----------------------------------------------------------------------
    def start_occlusion(self, square: int, step: int) -> int | None:
        """Slide a grey ``square`` over the picture now on screen; returns the job number."""
        if self._result is None:
            self.message.emit("Occlusion needs a picture on screen first")
            return None
        self._heat_picture = self._result.picture
        self._heat = None
        self._occlusion_job = self._worker.start_occlusion(self._heat_picture, square, step)
        self.occlusion_box.set_running(True)
        return self._occlusion_job

    def cancel_occlusion(self) -> None:
        self._worker.cancel_occlusion()
        self._occlusion_job = None
        self.occlusion_box.set_running(False)
        self.clear_occlusion()
        self.message.emit("Occlusion cancelled")

    def clear_occlusion(self) -> None:
        self._heat = None
        self._heat_picture = None
        self.occlusion_box.clear_button.setEnabled(False)
        self._show_picture()

    def _on_occlusion_progress(self, job: int, step: OcclusionStep) -> None:
        if job != self._occlusion_job:
            return
        self.occlusion_box.set_progress(step.done, step.total)
        self._heat = step  # the map fills in row by row
        self._show_picture()
        self.picture_title.setText(f"Occlusion running: {step.done} of {step.total} places")

    def _on_occlusion_finished(self, job: int, step: OcclusionStep) -> None:
        if job != self._occlusion_job:
            return
        self._occlusion_job = None
        self._heat = step
        self.occlusion_box.set_running(False)
        self.occlusion_box.clear_button.setEnabled(True)
        self._show_picture()
        name = self.net.classes.label(step.target) if self.net is not None else str(step.target)
        peak = float(step.heat.max())
        self.picture_title.setText(
            f"Occlusion of this picture: red where the grey square lowers p({name}) = "
            f"{100 * step.base:.1f} % (by up to {100 * peak:.1f} points), blue where it "
            "raises it.")
        self.occlusion_shown.emit(step)

    def _on_occlusion_failed(self, job: int, message: str) -> None:
        if job != self._occlusion_job:
            return
        self._occlusion_job = None
        self.occlusion_box.set_running(False)
        self.error.emit(f"Occlusion stopped: {message}")

    def _on_resized(self) -> None:
        mosaic = self.mosaic.mosaic()
        if self.net is None or mosaic is None:
            return
        if self.mosaic.layout_for(mosaic.count, mosaic.map_shape[0]) != (mosaic.tile,
                                                                        mosaic.columns):
            self.schedule_request()
