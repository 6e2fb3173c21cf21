"""The Network tab's view: the photo or the live feed through a real pretrained CNN.

EfficientNet-Lite0, trained on ImageNet: what it sees (the centre 224×224), its five best
guesses, every channel of the layer chosen along the network (hover a unit to see its
receptive field on the picture, click a map to lay it over the picture), its 32 learned
first-layer kernels, the lecture's AlexNet figure from its own weights (the learned filters
of an early layer), the top-9 patches that excite a channel, and occlusion (where does it
look?).

The view writes the user's choices to ``document.network`` and draws what its controller
(:mod:`explorer.ui.controllers.network`) hands it, all computed on the worker. Text that
changes with every live frame sits in :class:`SteadyLabel`s, so a frame repaints the tab
without laying the window out again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from PySide6.QtCore import QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.formulas import shape_text
from explorer.core.network import LayerInfo
from explorer.core.network.filter_figure import FilterFigure
from explorer.core.network.occlusion import OcclusionStep
from explorer.core.network.patch_pool import PoolPatches
from explorer.core.network.view import ViewResult
from explorer.core.params import format_count
from explorer.state import Document
from explorer.ui.panels.network_figure_page import FilterFigurePage
from explorer.ui.panels.network_patches_page import SCORING, PatchesPage
from explorer.ui.panels.network_slide import (
    FiltersSlide,
    MapsSlide,
    NetworkSlideView,
    PatchesSlide,
)
from explorer.ui.presentation_type import as_explanation, as_heading
from explorer.ui.widgets.channel_mosaic import ChannelMosaic
from explorer.ui.widgets.class_bars import ClassBars
from explorer.ui.widgets.layer_table import LayerTable, format_macs
from explorer.ui.widgets.occlusion_box import OcclusionBox
from explorer.ui.widgets.picture_view import PictureView
from explorer.ui.widgets.scroll_column import ScrollColumn
from explorer.ui.widgets.steady_label import SteadyLabel
from explorer.ui.widgets.stem_kernels import StemKernels

PAGES = ("maps", "kernels", "filters", "patches")  # document.network.page, in tab order
SEES = "What the network sees: the centre 224×224 of the picture"
HOVER_PROMPT = ("Hover a feature map to see what one unit looks at; click a map to lay it "
                "over the picture.")
NOT_LOADED = "The pretrained network loads when this tab is first shown."
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


def maps_caption(layer: str, maps_shape: tuple[int, int, int], levels, per_channel: bool
                 ) -> str:
    """What the mosaic shows: the layer, its maps, their kind and colour scale."""
    h, w, c = maps_shape
    scale = ("each its own colour scale" if per_channel else
             f"one colour scale {levels.levels[0][0]:.3g} … {levels.levels[0][1]:.3g}")
    kind = "signed: no activation ends the block" if levels.signed else "after ReLU6"
    return f"{layer}: {c} feature maps of {shape_text((h, w))} ({kind}; {scale})"


class NetworkPanel(QWidget):
    """See the module docstring. Signals are the user's actions that are not settings."""

    run_occlusion = Signal()
    cancel_occlusion = Signal()
    clear_occlusion = Signal()
    use_kernels = Signal()
    unit_hovered = Signal(int, int, int)  # channel, row, col; channel −1 off the tiles
    patch_chosen = Signal(int)  # a top patch clicked: open its picture
    maps_resized = Signal()  # the mosaic's view changed size: tiles may fit differently

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._occlusion_overlay: np.ndarray | None = None  # the heat map over the picture
        self._shown_rgb: np.ndarray | None = None  # the picture on show
        self._result: ViewResult | None = None  # the maps and guesses on show
        self._figure: FilterFigure | None = None
        self._patches: PoolPatches | None = None
        self._build()
        self.set_ready(False)
        self.show_settings()

    # --- construction --------------------------------------------------------------------
    def _build(self) -> None:
        self.status = QLabel(NOT_LOADED)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.picture_title = SteadyLabel(SEES, lines=3)
        self.picture = PictureView()
        self.field_label = SteadyLabel(HOVER_PROMPT, lines=3)
        self.bars = ClassBars()
        self.bars.set_note("no guesses yet")
        self.occlusion_box = OcclusionBox()
        self.occlusion_box.run_requested.connect(self.run_occlusion)
        self.occlusion_box.cancel_requested.connect(self.cancel_occlusion)
        self.occlusion_box.clear_requested.connect(self.clear_occlusion)
        self.occlusion_box.square_chosen.connect(self._on_square_chosen)
        self.occlusion_box.step_chosen.connect(self._on_step_chosen)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(4, 4, 4, 4)
        lv.addWidget(self.status)
        lv.addWidget(self.picture_title)
        lv.addWidget(self.picture, 1)
        lv.addWidget(self.field_label)
        top5 = as_heading(_bold("Top-5 guesses (ImageNet classes)"))
        top5.setWordWrap(True)  # large type in presentation mode: the column keeps its width
        lv.addWidget(top5)
        lv.addWidget(self.bars)
        lv.addWidget(self.occlusion_box)
        lv.addStretch(1)  # spare height below, not between the parts
        left_scroll = ScrollColumn(left)  # as wide as its controls, scrolled down
        # the picture is as tall as it is wide: a scroll bar that came and went would change
        # its width, hence the column's height, hence the scroll bar, without end
        left_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)

        # feature maps: the layer picker above the tiled channels
        self.layer_table = LayerTable()
        self.layer_table.layer_chosen.connect(self._on_layer_chosen)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.maps_title = as_heading(SteadyLabel(lines=2))
        self.per_channel = QCheckBox("each map its own colour scale")
        self.per_channel.setToolTip("Off: one scale for the whole layer, so strong and weak "
                                    "channels compare. On: every map stretched to its range.")
        self.per_channel.toggled.connect(self._on_per_channel_toggled)
        self.mosaic = ChannelMosaic()
        self.mosaic.hovered.connect(self.unit_hovered)
        self.mosaic.clicked.connect(self._on_channel_clicked)
        self.mosaic.resized.connect(self.maps_resized)
        maps_page = QWidget()
        mv = QVBoxLayout(maps_page)
        mv.setContentsMargins(0, 4, 0, 0)
        mv.addWidget(self.layer_table)
        mv.addWidget(self.totals)
        mv.addWidget(self.per_channel)
        mv.addWidget(self.maps_title)
        mv.addWidget(self.mosaic, 1)

        # the learned first-layer kernels
        self.kernels = StemKernels()
        self.kernels.swatches.chosen.connect(self._on_kernel_chosen)
        self.use_button = QPushButton("Use these kernels in the explorer")
        self.use_button.setToolTip(USE_TIP)
        self.use_button.clicked.connect(self.use_kernels)
        intro = as_explanation(QLabel(
            "The 32 kernels of the network's first layer (3×3 over R, G and B, stride 2), "
            "learned from ImageNet as AlexNet's were: each shown as a tiny colour picture "
            "(grey is 0; a colour means the kernel looks for it, its opposite colour that it "
            "looks for its absence). Click one to see its 27 weights."))
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

        # the lecture's AlexNet figure, and what excites a channel
        self.figure_page = FilterFigurePage(self.document)
        self.patches_page = PatchesPage(self.document)
        self.patches_page.layer_chosen.connect(self._on_layer_chosen)
        self.patches_page.patch_chosen.connect(self.patch_chosen)

        self.pages = QTabWidget()
        self.pages.addTab(maps_page, "Feature maps")
        self.pages.addTab(kernels_scroll, "First-layer kernels")
        self.pages.addTab(self.figure_page, "Learned filters")
        self.pages.addTab(self.patches_page, "Top-9 patches")
        self.pages.currentChanged.connect(self._on_page_chosen)

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

    def set_ready(self, ready: bool) -> None:
        """The controls that need the network work once it is loaded."""
        for w in (self.layer_table, self.per_channel, self.occlusion_box, self.use_button,
                  self.patches_page.layer_combo, self.patches_page.channel):
            w.setEnabled(ready)

    # --- the user's edits go to the model -------------------------------------------------
    def _on_layer_chosen(self, name: str) -> None:
        settings = self.document.network
        if name != settings.layer:
            settings.layer = name
            settings.channel = -1  # a map number of the old layer means nothing in the new
            settings.patch_channel = 0

    def _on_channel_clicked(self, channel: int) -> None:
        settings = self.document.network
        settings.channel = -1 if channel == settings.channel else channel
        if channel >= 0:
            settings.patch_channel = channel  # its top-9 patches are one page away

    def _on_per_channel_toggled(self, on: bool) -> None:
        self.document.network.per_channel = bool(on)

    def _on_page_chosen(self, index: int) -> None:
        if 0 <= index < len(PAGES):
            self.document.network.page = PAGES[index]

    def _on_kernel_chosen(self, index: int) -> None:
        self.document.network.kernel = index

    def _on_square_chosen(self, square: int) -> None:
        self.document.network.occlusion_square = square

    def _on_step_chosen(self, step: int) -> None:
        self.document.network.occlusion_step = step

    # --- the model is shown ---------------------------------------------------------------
    def show_settings(self) -> None:
        """Put ``document.network`` into the controls (without echoing it back)."""
        s = self.document.network
        with QSignalBlocker(self.layer_table):
            self.layer_table.select_layer(s.layer)
        with QSignalBlocker(self.per_channel):
            self.per_channel.setChecked(s.per_channel)
        with QSignalBlocker(self.pages):
            self.pages.setCurrentIndex(PAGES.index(s.page) if s.page in PAGES else 0)
        self.kernels.choose(s.kernel)
        self.figure_page.show_settings()
        self.patches_page.show_settings()
        self.occlusion_box.set_values(s.occlusion_square, s.occlusion_step)
        self.mosaic.set_selected(self._shown_channel())

    def _shown_channel(self) -> int | None:
        """The model's channel, if the maps on screen have it."""
        channel = self.document.network.channel
        mosaic = self.mosaic.mosaic()
        if channel < 0 or (mosaic is not None and channel >= mosaic.count):
            return None
        return channel

    # --- the network ----------------------------------------------------------------------
    def show_loading(self) -> None:
        self.status.setText("Loading the pretrained network (EfficientNet-Lite0)…")

    def show_load_failed(self, message: str) -> None:
        text = message[:1].upper() + message[1:]
        self.status.setText(f"<b>The Network tab cannot run.</b> {text}.")
        self.bars.set_note("no network")
        self.set_ready(False)

    def show_network(self, layers: list[LayerInfo], stem_kernels: np.ndarray, parameters: int,
                     classifier: int, macs: int, notes: tuple[str, ...]) -> None:
        """The network is loaded: its layers, its numbers and its first-layer kernels."""
        self.layer_table.set_layers(layers)
        self.totals.setText(
            f"In all {format_count(parameters)} learned parameters ({format_count(classifier)} "
            f"of them in the final fully connected layer) and {format_macs(macs)} MACs for "
            "one 224×224 picture.")
        self.kernels.set_kernels(stem_kernels)
        self.status.setText("EfficientNet-Lite0, trained on the 1000 classes of ImageNet. "
                            + " ".join(notes))
        self.set_ready(True)
        self.show_settings()

    def show_patch_range(self, channels: int) -> None:
        """The layer on show has ``channels`` channels to choose the patches' from."""
        self.patches_page.set_channels(channels)

    # --- results --------------------------------------------------------------------------
    def show_figure(self, figure: FilterFigure) -> None:
        self._figure = figure
        self.figure_page.show_figure(figure)

    def show_patches(self, patches: PoolPatches | None, field: int = 0) -> None:
        self._patches = patches
        self.patches_page.show_patches(patches, field)

    def clear(self) -> None:
        """Nothing of an old picture stays: its maps, guesses, readout and heat map."""
        self._result = None
        self.mosaic.set_mosaic(None)
        self.mosaic.clear_hover()
        self.bars.set_note("looking…")
        self._occlusion_overlay = None
        self._set_picture(None)
        self.picture.set_field(None)
        self.picture_title.setText(SEES)
        self.field_label.setText(HOVER_PROMPT)
        self.maps_title.setText("")

    def show_view(self, result: ViewResult) -> None:
        """One picture's maps, guesses and picture (every live frame: draws, lays out
        nothing)."""
        self._result = result
        self.mosaic.set_mosaic(result.mosaic)
        self.mosaic.set_selected(self._shown_channel())
        self.bars.set_guesses(result.top)
        self.maps_title.setText(maps_caption(result.request.layer, result.maps.shape,
                                             result.mosaic.levels, result.request.per_channel))
        if self._occlusion_overlay is not None:
            return  # the heat map stays over this same picture
        channel = result.request.channel
        if result.overlay is not None and channel is not None:
            self._set_picture(result.overlay)
            self.picture_title.setText(f"{result.request.layer}, map {channel} over the "
                                       "picture (click the map again to hide it)")
        else:
            self._set_picture(result.picture)
            self.picture_title.setText(SEES)

    def _set_picture(self, rgb: np.ndarray | None) -> None:
        self._shown_rgb = rgb
        self.picture.set_picture(rgb)

    def shown_picture(self) -> np.ndarray | None:
        """The picture on show (the network's view, a map over it or a heat map)."""
        return self._shown_rgb

    def show_field(self, field: QRectF | None, text: str = HOVER_PROMPT) -> None:
        """The receptive field of the unit under the mouse (picture pixels), and its readout."""
        self.picture.set_field(field)
        self.field_label.setText(text)

    # --- occlusion ------------------------------------------------------------------------
    def set_occlusion_running(self, running: bool) -> None:
        self.occlusion_box.set_running(running)
        if running:
            self.occlusion_box.clear_button.setEnabled(False)

    def show_occlusion(self, step: OcclusionStep, overlay: np.ndarray, label: str,
                       finished: bool) -> None:
        """The heat map so far over the occluded picture; ``finished``: the whole of it."""
        self._occlusion_overlay = overlay
        self._set_picture(overlay)
        if not finished:
            self.occlusion_box.set_progress(step.done, step.total)
            self.picture_title.setText(f"Occlusion running: {step.done} of {step.total} places")
            return
        self.occlusion_box.set_running(False)
        self.occlusion_box.clear_button.setEnabled(True)
        peak = float(step.heat.max())
        self.picture_title.setText(
            f"Occlusion of this picture: red where the grey square lowers p({label}) = "
            f"{100 * step.base:.1f} % (by up to {100 * peak:.1f} points), blue where it "
            "raises it.")

    def remove_occlusion(self, result: ViewResult | None) -> None:
        """No heat map any more: the picture of ``result`` (if any) shows again."""
        self._occlusion_overlay = None
        self.occlusion_box.set_running(False)
        self.occlusion_box.clear_button.setEnabled(False)
        if result is not None:
            self.show_view(result)
        else:
            self.picture_title.setText(SEES)

    def has_occlusion(self) -> bool:
        return self._occlusion_overlay is not None

    # --- the teaching picture -------------------------------------------------------------
    @contextmanager
    def teaching_picture(self) -> Iterator[QWidget]:
        """The widget File › Export view › Current tab pictures, while the export runs: the
        page on show as a slide (made for it, never on screen): the picture, its top-5 and
        the layer's maps; the learned-filter figure; or the top-9 patches. Raises ValueError
        when the page has nothing to show yet."""
        slide = self._slide()
        view = NetworkSlideView(slide)
        view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        view.show()
        try:
            yield view
        finally:
            view.close()
            view.deleteLater()

    def _slide(self) -> MapsSlide | FiltersSlide | PatchesSlide:
        page = self.document.network.page
        if page == "filters":
            if self._figure is None:
                raise ValueError("the Network tab is still working out the learned filters")
            return FiltersSlide("The learned filters of EfficientNet-Lite0 (trained on "
                                "ImageNet), drawn as the lecture draws AlexNet's", self._figure)
        if page == "patches":
            if self._patches is None:
                raise ValueError("the Network tab is still searching for the top patches")
            patches = self.patches_page
            return PatchesSlide(patches.title.text(), self._patches,
                                f"{patches.searched.text()} {SCORING}")
        if self._result is None or self._shown_rgb is None:
            raise ValueError("the Network tab shows no picture to export yet")
        picture = self.document.picture
        name = picture.name if picture is not None else "a picture"
        return MapsSlide(f"EfficientNet-Lite0 (trained on ImageNet) looks at {name}",
                         self._shown_rgb, self.picture_title.text(), tuple(self._result.top),
                         self._result.mosaic.rgb, self.maps_title.text())
