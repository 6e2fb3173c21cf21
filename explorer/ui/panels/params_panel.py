"""The parameter-count comparison: fully connected vs locally connected vs convolution.

The lectures' central argument made visible: on the same input, a fully connected layer needs
10¹² parameters where a shared convolution needs 10². The student sets the input, the window
and the filters (or picks a lecture example, or follows the explorer's own layer live) and sees
the three counts side by side, each with its formula, float32 memory and work per image, and a
log-scale bar chart with the factor between neighbouring bars.

The comparison's setup lives in the document (``document.params``), so it is saved with the
session; the controls show it and write to it. "Current explorer layer" follows any layer of
the stack (the selected one by default) on the picture it really sees.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.core import safe_files
from explorer.core.formulas import shape_text
from explorer.core.mlp_vs_cnn import ConvStage, Network, networks
from explorer.core.params import (
    PRESETS,
    LayerCounts,
    Setup,
    feature_map_size,
    format_bytes,
    format_count,
    format_exact,
    format_magnitude,
    format_ratio,
)
from explorer.core.stack_info import stage_infos
from explorer.state import Document
from explorer.state.limits import int_range
from explorer.ui import settings_io
from explorer.ui.dialog_folders import DialogFolders
from explorer.ui.presentation_type import as_caption
from explorer.ui.widgets.count_cards import (
    SMALL_PT,
    LayerCard,
    NetworkCard,
    font,
)
from explorer.ui.widgets.elided_combo import ElidedCombo
from explorer.ui.widgets.log_bar_chart import LogBarChart
from explorer.ui.widgets.number_field import NumberField

__all__ = ["CURRENT", "CUSTOM", "LAYER", "NETWORK", "NumberField", "ParamsPanel"]

CURRENT = "current"  # follows the explorer's layer live
CUSTOM = "custom"  # the student's own numbers
DEFAULT_PRESET = "lecture_1000"
LAYER, NETWORK = "layer", "network"  # what is compared: one layer of each kind, or networks

# (key, name, what it means, colour): Okabe–Ito colours, distinct for colour-blind viewers too
LAYERS = (
    ("dense", "fully connected", "every unit sees every pixel", "#D55E00"),
    ("local", "locally connected", "each unit its own window and weights", "#E69F00"),
    ("conv", "convolution", "one window per filter, shared", "#0072B2"),
)
MORE_COLOUR = "#56B4E9"  # the fourth bar: the same shared window with more filters
NETWORKS = (
    ("mlp", "fully connected network",
     "every unit of a layer sees all of the layer before: the picture's spatial structure is "
     "not used", "#D55E00"),
    ("cnn", "convolutional network",
     "shared kernels, pooled between stages, then one dense layer to the classes", "#0072B2"),
)
EXPLORER_CNN = ("the explorer's stack",
                "its layers with their pooling, then one dense layer from its last maps to "
                "the classes")
NETWORK_GAP = 0.6  # extra space on the x axis between the two networks' bars
PADDING_CHOICES = ("valid", "same", "full", "custom")
NO_PICTURE = (480, 640)  # what "current explorer layer" assumes before a picture is open
FOOTNOTE = "MACs: multiply-accumulates per image · float32: 4 bytes a parameter, 1 MB = 10⁶ bytes"
FOOTNOTE_DETAIL = ("A MAC is one multiplication and one addition: one per weight per output "
                   "value. Memory is the float32 size of the parameters alone.")
CONTROLS_WIDTH = (256, 380)  # the controls column: narrow in a 1280×720 window, never wider
# narrower than this (a 1280×720 window beside the layer dock), the panel opens with the
# controls folded away: the chart and the three cards need the width more
FOLD_CONTROLS_BELOW = 1100
CSV_COLUMNS = (
    "layer", "setup", "parameters", "weights", "biases", "formula", "float32 bytes",
    "float32 memory", "multiply-accumulates per image", "outputs",
)
NETWORK_CSV_COLUMNS = (
    "network", "layer", "setup", "parameters", "weights", "biases", "formula", "output shape",
    "float32 bytes", "multiply-accumulates per image",
)


def _field(name: str, log: bool = False, special_text: str = "") -> NumberField:
    """A number field with the document's range for ``document.params.<name>``."""
    low, high = int_range(name, "ParamsSettings")
    return NumberField(low, high, low, log=log, special_text=special_text)


class ParamsPanel(QWidget):
    """Layers, or whole networks, on the same input, counted side by side; a tab of the main
    window."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        # what is shown; None while the settings cannot work (``error`` says why)
        self.counts: dict[str, LayerCounts] | None = None
        self.nets: tuple[Network, Network] | None = None
        self.error = ""
        self._applying = False  # writing a preset into the document: not the student's edit
        self._build()
        self._connected = True
        self._links = [
            (document.params.events.all, self._on_params_changed),
            (document.stack.layer_changed, self._on_explorer_changed),
            (document.stack.changed, self._on_explorer_changed),
            (document.selection.events.layer, self._on_explorer_changed),
            (document.input.events.all, self._on_explorer_changed),
            (document.source_changed, self._on_explorer_changed),
        ]
        for signal, slot in self._links:
            signal.connect(slot)
        self.set_preset(document.params.preset)

    # --- construction --------------------------------------------------------------------
    def _build(self) -> None:
        # the examples' names are long: elided in a narrow window (a 1024-pixel screen beside
        # the layer dock), never widening the window past the screen
        self.preset_combo = ElidedCombo(minimum_chars=10)
        self.preset_combo.addItem("Current explorer layer (follows it live)", CURRENT)
        for key, setup in PRESETS.items():
            self.preset_combo.addItem(setup.label, key)
        self.preset_combo.addItem("Custom", CUSTOM)
        self.preset_combo.currentIndexChanged.connect(self._on_preset_chosen)

        self.height_field = _field("height", log=True)
        self.width_field = _field("width", log=True)
        self.channels_field = _field("channels", log=True)
        self.kernel_h_field = _field("kernel_h", log=True)
        self.kernel_w_field = _field("kernel_w", log=True)
        self.stride_field = _field("stride")
        self.dilation_field = _field("dilation")
        self.padding_combo = QComboBox()
        self.padding_combo.addItems(PADDING_CHOICES)
        self.pad_h_spin = QSpinBox(keyboardTracking=True)
        self.pad_w_spin = QSpinBox(keyboardTracking=True)
        for spin, name in ((self.pad_h_spin, "pad_h"), (self.pad_w_spin, "pad_w")):
            spin.setRange(*int_range(name, "ParamsSettings"))
        self.filters_field = _field("filters", log=True)
        self.more_field = _field("more_filters", log=True, special_text="none")
        self.more_field.spin.setSuffix(" filters")
        self.more_field.setToolTip(
            "A fourth bar: the same shared window with this many filters, as the lecture's "
            "“learn multiple filters” (100 filters 10×10: 10⁴ parameters).")
        self.units_field = _field("units", log=True, special_text="auto")
        self.units_field.setToolTip(
            "Hidden units of the fully connected layer (of each hidden layer of the network). "
            "“auto”: as many as the convolution's outputs H'·W'·K, so that all three layers "
            "produce the same output.")
        self.bias_check = QCheckBox("biases", toolTip="one per unit, per window, per filter")
        bias_hint = QLabel("one per unit, per window, per filter", wordWrap=True,
                           enabled=False)  # greyed: an explanation, not a control
        bias_row = QHBoxLayout()
        bias_row.addWidget(self.bias_check)
        bias_row.addWidget(bias_hint, 1)

        pads = QHBoxLayout()
        pads.setContentsMargins(0, 0, 0, 0)
        pads.addWidget(self.pad_h_spin, 1)
        pads.addWidget(QLabel("×"))
        pads.addWidget(self.pad_w_spin, 1)

        image_box = QGroupBox("Input image")
        image_form = QFormLayout(image_box)
        image_form.addRow("height", self.height_field)
        image_form.addRow("width", self.width_field)
        image_form.addRow("channels", self.channels_field)
        layer_box = QGroupBox("Window (kernel) and filters")
        self.layer_form = layer_form = QFormLayout(layer_box)
        layer_form.addRow("kernel h", self.kernel_h_field)
        layer_form.addRow("kernel w", self.kernel_w_field)
        layer_form.addRow("stride", self.stride_field)
        layer_form.addRow("dilation", self.dilation_field)
        layer_form.addRow("padding", self.padding_combo)
        layer_form.addRow("pad h × w", pads)
        layer_form.addRow("filters", self.filters_field)
        layer_form.addRow("4th bar", self.more_field)
        layer_form.addRow(bias_row)
        dense_box = QGroupBox("Fully connected layer")
        self.dense_box = dense_box
        dense_form = QFormLayout(dense_box)
        dense_form.addRow("units", self.units_field)
        # what "auto" means, next to the field that sets it
        self.units_label = QLabel(wordWrap=True)
        dense_form.addRow(self.units_label)

        # the whole networks: the perceptron's depth, the classes, the convolutional stages
        self.hidden_field = _field("hidden_layers")
        self.classes_field = _field("classes", log=True)
        self.stages_field = _field("stages")
        self.pool_field = _field("pool", special_text="none")
        self.pool_field.setToolTip("Max pooling after each convolution: 2 halves each side "
                                   "(window 2×2, stride 2); “none” keeps the maps' size.")
        self.network_box = QGroupBox("Whole networks")
        network_form = QFormLayout(self.network_box)
        network_form.addRow("hidden layers", self.hidden_field)
        network_form.addRow("classes", self.classes_field)
        network_form.addRow("conv stages", self.stages_field)
        network_form.addRow("pooling", self.pool_field)
        self.network_label = QLabel(wordWrap=True)
        network_form.addRow(self.network_label)
        for form in (image_form, layer_form, dense_form, network_form):
            form.setContentsMargins(6, 4, 6, 4)
            form.setVerticalSpacing(3)

        self.png_button = QPushButton("PNG ×2…", toolTip="the chart at twice its size")
        self.svg_button = QPushButton("SVG…", toolTip="the chart as a vector drawing")
        self.csv_button = QPushButton("CSV…", toolTip="the numbers as a table")
        self.png_button.clicked.connect(self._on_png_clicked)
        self.svg_button.clicked.connect(self._on_svg_clicked)
        self.csv_button.clicked.connect(self._on_csv_clicked)
        export_box = QGroupBox("Export for slides")
        export_layout = QGridLayout(export_box)
        export_layout.setContentsMargins(6, 4, 6, 4)
        export_layout.addWidget(self.png_button, 0, 0)
        export_layout.addWidget(self.svg_button, 0, 1)
        export_layout.addWidget(self.csv_button, 1, 0)

        controls = QWidget()
        column = QVBoxLayout(controls)
        column.setContentsMargins(0, 0, 6, 0)
        for widget in (image_box, layer_box, dense_box, self.network_box, export_box):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setWidget(controls)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # no minimum width: a splitter counts a folded column's minimum too, and the
        # controls beside the chart would widen a window on a 1024-pixel screen past it; the
        # column is given its width when shown (``_fit_controls``)

        # the example, what is compared and the button that gives the chart the whole width
        # stay in view
        self.controls_button = QToolButton(checkable=True, checked=True)
        self.controls_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.controls_button.toggled.connect(self.set_controls_visible)
        self.layer_button = QToolButton(text="One layer", checkable=True, checked=True,
                                        toolTip="one fully connected, one locally connected and "
                                        "one convolution layer on the same input")
        self.network_button = QToolButton(text="Whole networks", checkable=True,
                                          toolTip="a multilayer perceptron against a "
                                          "convolutional network, layer by layer, to the "
                                          "classes")
        self.scope_buttons = QButtonGroup(self)
        self.scope_buttons.setExclusive(True)
        for button in (self.layer_button, self.network_button):
            self.scope_buttons.addButton(button)
        self.scope_buttons.buttonToggled.connect(self._on_scope_chosen)
        self.follow_combo = ElidedCombo(minimum_chars=7)
        self.follow_combo.setToolTip("Which layer of the explorer's stack to count")
        self.follow_combo.currentIndexChanged.connect(self._on_follow_chosen)
        self.follow_combo.hide()
        example_row = QHBoxLayout()
        example_row.addWidget(self.controls_button)
        example_row.addWidget(self.layer_button)
        example_row.addWidget(self.network_button)
        example_row.addWidget(QLabel("Example"))
        example_row.addWidget(self.preset_combo, 1)
        example_row.addWidget(self.follow_combo)

        self.note_label = as_caption(QLabel(wordWrap=True))
        self.note_label.setFont(font(12))
        self.error_label = as_caption(QLabel(wordWrap=True))
        self.error_label.setFont(font(14, bold=True))
        self.error_label.setStyleSheet("color: #A01010;")
        self.error_label.hide()
        self.chart = LogBarChart()
        self.chart.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.chart.setMinimumHeight(240)
        self.cards = {key: LayerCard(name, meaning, colour)
                      for key, name, meaning, colour in LAYERS}
        self.layer_cards = QWidget()
        cards = QHBoxLayout(self.layer_cards)
        cards.setContentsMargins(0, 0, 0, 0)
        cards.setSpacing(6)
        for card in self.cards.values():
            cards.addWidget(card, 1)
        self.net_cards = {key: NetworkCard(name, meaning, colour)
                          for key, name, meaning, colour in NETWORKS}
        self.network_cards = QWidget()
        net_row = QHBoxLayout(self.network_cards)
        net_row.setContentsMargins(0, 0, 0, 0)
        net_row.setSpacing(6)
        for card in self.net_cards.values():
            net_row.addWidget(card, 1)
        self.network_cards.hide()
        footnote = QLabel(FOOTNOTE, wordWrap=True, toolTip=FOOTNOTE_DETAIL)
        footnote.setFont(font(SMALL_PT))

        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(4)
        right.addLayout(example_row)
        right.addWidget(self.note_label)
        right.addWidget(self.error_label)
        right.addWidget(self.chart, 1)
        right.addWidget(self.layer_cards)
        right.addWidget(self.network_cards)
        right.addWidget(footnote)
        content = QWidget()
        content.setLayout(right)
        # the student can give the chart more room; the controls start at a useful width
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(content)
        self.splitter.setCollapsible(0, True)  # drag the controls away in a narrow window
        self.splitter.setCollapsible(1, False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
        self._controls_width = 0  # the column's width before it was folded away
        self._controls_chosen = False  # shown or folded by the student, not by the width
        self._sized = False  # the splitter is divided on first show, when the width is known
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)
        self._label_controls_button()

        for field in (self.height_field, self.width_field, self.channels_field,
                      self.kernel_h_field, self.kernel_w_field, self.stride_field,
                      self.dilation_field, self.filters_field, self.more_field,
                      self.units_field):
            field.valueChanged.connect(self._on_control_changed)
        for spin in (self.pad_h_spin, self.pad_w_spin):
            spin.valueChanged.connect(self._on_control_changed)
        self.padding_combo.currentIndexChanged.connect(self._on_control_changed)
        self.bias_check.toggled.connect(self._on_control_changed)
        for field in (self.hidden_field, self.classes_field, self.stages_field,
                      self.pool_field):
            field.valueChanged.connect(self._on_network_control_changed)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            self._fit_controls()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # the main window hides a dock as this tab opens, so the first width is not the last
        if self._sized and not self._controls_chosen:
            self._fit_controls()

    # --- the controls column ---------------------------------------------------------------
    def controls_visible(self) -> bool:
        """Whether the column of number fields is shown beside the chart."""
        if not self._sized:  # divided on first show; until then the button holds the wish
            return self.controls_button.isChecked()
        return self.splitter.sizes()[0] > 0

    def set_controls_visible(self, visible: bool) -> None:
        """Show the number fields, or fold them away to give the chart and the cards the width.

        From then on the column keeps that state whatever the panel's width.
        """
        self._controls_chosen = True
        if self._sized:
            sizes = self.splitter.sizes()
            total = sum(sizes)
            if visible and sizes[0] == 0:
                controls = self._controls_width or max(CONTROLS_WIDTH[0], round(0.26 * total))
                self.splitter.setSizes([controls, max(1, total - controls)])
            elif not visible and sizes[0] > 0:
                self._controls_width = sizes[0]
                self.splitter.setSizes([0, total])
        self._label_controls_button(None if self._sized else visible)

    def _fit_controls(self) -> None:
        """Until the student chooses: the controls beside the chart where there is room."""
        low, high = CONTROLS_WIDTH
        width = self.width() - 8  # the splitter's width once laid out (4 px margins)
        controls = max(low, min(high, round(0.26 * width)))
        shown = self.controls_button.isChecked() if self._controls_chosen else (
            width >= FOLD_CONTROLS_BELOW)
        self._controls_width = controls
        self.splitter.setSizes([controls if shown else 0, width - (controls if shown else 0)])
        self._label_controls_button()

    def _on_splitter_moved(self, *_: object) -> None:
        self._controls_chosen = True  # the column was dragged: leave it where it is
        self._label_controls_button()

    def _label_controls_button(self, shown: bool | None = None) -> None:
        if shown is None:
            shown = self.controls_visible()
        self.controls_button.blockSignals(True)
        self.controls_button.setChecked(shown)
        self.controls_button.blockSignals(False)
        self.controls_button.setText("◀ Controls" if shown else "▶ Controls")
        self.controls_button.setToolTip("fold the number fields away: the chart gets the width"
                                        if shown else "show the number fields")

    # --- the settings ----------------------------------------------------------------------
    @property
    def preset(self) -> str:
        """A key of ``PRESETS``, ``CURRENT`` or ``CUSTOM``."""
        return self.document.params.preset

    @property
    def scope(self) -> str:
        """``LAYER`` (one layer of each kind) or ``NETWORK`` (whole networks)."""
        return self.document.params.scope

    def set_scope(self, scope: str) -> None:
        """Compare one layer of each kind, or a whole perceptron against a convolutional net."""
        self.document.params.scope = scope  # the document refuses anything else

    def set_preset(self, key: str) -> None:
        """Show a lecture example, follow the explorer layer (``CURRENT``) or keep ``CUSTOM``."""
        if self.preset_combo.findData(key) < 0:
            raise ValueError(f"there is no example called {key!r}")
        if key == CURRENT:
            self._apply(key, self.explorer_setup())
        elif key in PRESETS:
            self._apply(key, PRESETS[key])
        else:
            self._apply(key, None)

    def _apply(self, key: str, setup: Setup | None) -> None:
        """Write a preset's setup into the document (the panel then shows it).

        Following the explorer writes its layer only: the networks' depth and classes stay
        the student's.
        """
        self._applying = True
        try:
            values: dict[str, object] = {"preset": key}
            if setup is not None:
                values.update(_setup_fields(setup, networks=key != CURRENT))
            self.document.params.update(values)
        finally:
            self._applying = False
        self._show_document()

    def setup(self) -> Setup:
        """The document's comparison setup, as a :class:`Setup`."""
        p = self.document.params
        padding: object = p.padding
        if p.padding == "custom":
            padding = (p.pad_h, p.pad_w)
        return Setup(
            label=self.preset_combo.currentText(),
            input_shape=(p.height, p.width, p.channels),
            kernel_size=(p.kernel_h, p.kernel_w),
            filters=p.filters,
            units=p.units or None,
            stride=p.stride,
            padding=padding,  # type: ignore[arg-type]
            bias=p.bias,
            dilation=p.dilation,
            note=self._note_for(p.preset),
            more_filters=p.more_filters,
            hidden_layers=p.hidden_layers,
            classes=p.classes,
            stages=p.stages,
            pool=p.pool,
        )

    def followed_layer(self) -> int:
        """The explorer layer "current" follows: the chosen one, or the selected one."""
        stage = self.document.params.stage
        count = len(self.document.stack)
        return self.document.selected_index if stage < 0 else min(stage, count - 1)

    def explorer_setup(self, index: int | None = None) -> Setup:
        """A layer of the explorer's stack (the followed one by default) on the input it
        really sees."""
        doc = self.document
        if index is None:
            index = self.followed_layer()
        lay = doc.stack[index].settings
        h, w = doc.processing_shape()
        c = doc.channels
        if index > 0:
            infos = stage_infos(doc.stack_specs(), (h, w), c)
            before = infos[index - 1].output_shape
            if before is not None:
                h, w, c = before
        where = "Current explorer layer" if len(doc.stack) == 1 else \
            f"Explorer layer {index + 1} of {len(doc.stack)}"
        return Setup(
            label=where,
            input_shape=(h, w, c),
            kernel_size=(lay.kernel_h, lay.kernel_w),
            filters=lay.n_filters,
            stride=lay.stride,
            padding=lay.conv_padding(),
            bias=True,  # every explorer filter has a bias
            dilation=lay.dilation,
        )

    def explorer_stages(self) -> list[ConvStage]:
        """The explorer's stack as convolution stages, each with its own pooling."""
        stages = []
        for layer in self.document.stack:
            lay = layer.settings
            pooled = lay.pool_mode != "none"
            stages.append(ConvStage(
                (lay.kernel_h, lay.kernel_w), lay.n_filters, lay.stride, lay.conv_padding(),
                lay.dilation, pool=lay.pool_size if pooled else 1,
                pool_stride=lay.pool_stride if pooled else None))
        return stages

    def network_setup(self) -> tuple[Setup, list[ConvStage] | None]:
        """What the networks are built from: the document's setup, or while following the
        explorer its first layer on the picture and its whole stack."""
        setup = self.setup()
        if self.preset != CURRENT:
            return setup, None
        first = self.explorer_setup(0)
        p = self.document.params
        return Setup(first.label, first.input_shape, first.kernel_size, first.filters,
                     units=p.units or None, stride=first.stride, padding=first.padding,
                     bias=True, dilation=first.dilation, note=setup.note,
                     hidden_layers=p.hidden_layers, classes=p.classes), self.explorer_stages()

    def _show_document(self) -> None:
        """Push the document's setup into the controls without triggering their handlers."""
        p = self.document.params
        index = self.preset_combo.findData(p.preset)
        self.preset_combo.blockSignals(True)
        self.preset_combo.setCurrentIndex(index)
        self.preset_combo.blockSignals(False)
        self.scope_buttons.blockSignals(True)
        (self.network_button if p.scope == NETWORK else self.layer_button).setChecked(True)
        self.scope_buttons.blockSignals(False)
        self._fill_follow_combo()
        fields = ((self.height_field, p.height), (self.width_field, p.width),
                  (self.channels_field, p.channels), (self.kernel_h_field, p.kernel_h),
                  (self.kernel_w_field, p.kernel_w), (self.stride_field, p.stride),
                  (self.dilation_field, p.dilation), (self.filters_field, p.filters),
                  (self.more_field, p.more_filters), (self.units_field, p.units),
                  (self.hidden_field, p.hidden_layers), (self.classes_field, p.classes),
                  (self.stages_field, p.stages), (self.pool_field, p.pool))
        for field, value in fields:
            field.set_value(value)
        quiet = (self.padding_combo, self.pad_h_spin, self.pad_w_spin, self.bias_check)
        for widget in quiet:
            widget.blockSignals(True)
        try:
            self.padding_combo.setCurrentText(p.padding)
            self.pad_h_spin.setValue(p.pad_h)
            self.pad_w_spin.setValue(p.pad_w)
            self.bias_check.setChecked(p.bias)
        finally:
            for widget in quiet:
                widget.blockSignals(False)
        self._show_scope()
        self._recompute()

    def _show_scope(self) -> None:
        """The controls, cards and note of what is compared."""
        network = self.scope == NETWORK
        following = self.preset == CURRENT
        self.layer_form.setRowVisible(self.more_field, not network)
        self.dense_box.setTitle("Hidden layers of the perceptron" if network
                                else "Fully connected layer")
        self.network_box.setVisible(network)
        form = self.network_box.layout()
        for field in (self.stages_field, self.pool_field):
            form.setRowVisible(field, not following)  # the explorer's stack decides them
        self.layer_cards.setVisible(not network)
        self.network_cards.setVisible(network)
        name, meaning = EXPLORER_CNN if following else NETWORKS[1][1:3]
        self.net_cards["cnn"].describe(name, meaning)

    def _fill_follow_combo(self) -> None:
        combo = self.follow_combo
        count = len(self.document.stack)
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("the selected layer", -1)
        for i in range(count):
            combo.addItem(f"layer {i + 1}", i)
        stage = self.document.params.stage
        combo.setCurrentIndex(max(0, combo.findData(stage if stage < count else -1)))
        combo.blockSignals(False)
        # whole networks follow every layer of the stack: no single layer to choose
        combo.setVisible(self.preset == CURRENT and count > 1 and self.scope == LAYER)

    # --- reactions -----------------------------------------------------------------------
    def _on_preset_chosen(self, index: int) -> None:
        self.set_preset(self.preset_combo.itemData(index))

    def _on_scope_chosen(self, button, checked: bool) -> None:
        if checked:
            self.set_scope(NETWORK if button is self.network_button else LAYER)

    def _on_follow_chosen(self, index: int) -> None:
        self.document.params.stage = int(self.follow_combo.itemData(index))
        self.set_preset(CURRENT)

    def _on_control_changed(self, *_: object) -> None:
        """The student's own numbers: into the document, and the example becomes "custom"."""
        values = {
            "preset": CUSTOM,
            "height": self.height_field.value(), "width": self.width_field.value(),
            "channels": self.channels_field.value(),
            "kernel_h": self.kernel_h_field.value(), "kernel_w": self.kernel_w_field.value(),
            "stride": self.stride_field.value(), "dilation": self.dilation_field.value(),
            "filters": self.filters_field.value(), "units": self.units_field.value(),
            "more_filters": self.more_field.value(),
            "padding": self.padding_combo.currentText(),
            "pad_h": self.pad_h_spin.value(), "pad_w": self.pad_w_spin.value(),
            "bias": self.bias_check.isChecked(),
        }
        self._write(values)

    def _on_network_control_changed(self, *_: object) -> None:
        """The networks' depth, classes and pooling; an example becomes "custom", while
        following the explorer they are the student's own beside its stack."""
        values: dict[str, object] = {
            "hidden_layers": self.hidden_field.value(), "classes": self.classes_field.value(),
        }
        if self.preset != CURRENT:
            values.update(preset=CUSTOM, stages=self.stages_field.value(),
                          pool=self.pool_field.value())
        self._write(values)

    def _write(self, values: dict[str, object]) -> None:
        self._applying = True
        try:
            self.document.params.update(values)
        finally:
            self._applying = False
        self._show_document()

    def _on_params_changed(self, *_: object) -> None:
        if not self._applying:  # a session opened, a reset: show what the document holds
            self._show_document()

    def _on_explorer_changed(self, *_: object) -> None:
        if self.preset == CURRENT:
            self._apply(CURRENT, self.explorer_setup())

    # --- the numbers -----------------------------------------------------------------------
    def _recompute(self) -> None:
        custom_pads = self.padding_combo.currentText() == "custom"
        self.pad_h_spin.setEnabled(custom_pads)
        self.pad_w_spin.setEnabled(custom_pads)
        setup = self.setup()
        self.note_label.setText(setup.note)
        try:
            if self.scope == NETWORK:
                self._show_networks(setup)
            else:
                self._show_layers(setup)
        except ValueError as err:
            self._show_error(str(err))
            return
        self.error = ""
        self.error_label.hide()
        for button in (self.png_button, self.svg_button, self.csv_button):
            button.setEnabled(True)

    def _show_layers(self, setup: Setup) -> None:
        """Three layers (and the fourth bar) on the same input: counts, cards and chart."""
        counts = setup.counts()
        out_h, out_w = feature_map_size(setup.input_shape, setup.kernel_size, setup.stride,
                                        setup.padding, setup.dilation)
        self.counts, self.nets = counts, None
        maps = f"{shape_text((out_h, out_w, setup.filters))} = " \
            f"{format_count(out_h * out_w * setup.filters)}"
        dense = counts["dense"]
        self.cards["dense"].show_counts(dense, f"{format_count(dense.outputs)} hidden units")
        self.cards["local"].show_counts(counts["local"], maps)
        more = (setup.more_filters, counts["more"]) if "more" in counts else None
        self.cards["conv"].show_counts(counts["conv"], maps, more)
        if setup.units is None:
            self.units_label.setText(
                f"“auto”: H'·W'·K = {maps} units, as many as the convolution has outputs, so "
                "all three layers produce the same output.")
        else:
            self.units_label.setText(
                f"The other two layers produce {maps} values; “auto” gives all three the "
                "same output.")
        keys = [key for key, *_ in LAYERS] + (["more"] if more else [])
        names = [name for _, name, _, _ in LAYERS]
        colours = [colour for *_, colour in LAYERS]
        if more:
            names.append(f"{format_count(setup.more_filters)} filters")
            colours.append(MORE_COLOUR)
        params = [counts[key].params for key in keys]
        self.chart.set_bars(
            names=names,
            counts=params,
            value_labels=[format_magnitude(n) for n in params],  # the deck's terms: 10², 10⁴
            ratio_labels=[format_ratio(a, b) for a, b in itertools.pairwise(params)],
            colors=colours,
            title=describe(setup),
            y_label="parameters (log scale)",
        )

    def _show_networks(self, setup: Setup) -> None:
        """A perceptron and a convolutional network to the same classes: every layer with
        parameters a bar, each network's total in the legend, every layer on its card."""
        built, stack = self.network_setup()
        mlp, cnn = networks(built, stack)
        self.counts, self.nets = None, (mlp, cnn)
        for key, net in zip(("mlp", "cnn"), (mlp, cnn), strict=True):
            self.net_cards[key].show_network(net)
        units = mlp.layers[0].output_shape[0]
        if built.units is None:
            self.units_label.setText(
                f"“auto”: {format_count(units)} units a hidden layer, as many as the first "
                "convolution has outputs.")
        else:
            self.units_label.setText("Units in each hidden layer; “auto”: as many as the "
                                     "first convolution has outputs.")
        if stack is None:
            self.network_label.setText(
                "Convolutional network: the layer above, then the same window and filters "
                "at stride 1 with “same” padding; each stage pooled, then one dense layer to "
                "the classes.")
        else:
            self.network_label.setText(
                f"Convolutional network: the explorer's {len(stack)} "
                f"layer{'s' if len(stack) != 1 else ''} as set up in the Layers dock, then "
                "one dense layer to the classes.")
        mlp_bars, cnn_bars = mlp.with_params(), cnn.with_params()
        counts = [layer.counts.params for layer in (*mlp_bars, *cnn_bars)]
        gap = [0.0] * len(mlp_bars) + [NETWORK_GAP] * len(cnn_bars)
        (*_, mlp_colour), (*_, cnn_colour) = NETWORKS
        cnn_name = EXPLORER_CNN[0] if stack is not None else "convolutional"
        self.chart.set_bars(
            names=[layer.name for layer in (*mlp_bars, *cnn_bars)],
            counts=counts,
            value_labels=[format_magnitude(n) for n in counts],
            ratio_labels=[""] * (len(counts) - 1),
            colors=[mlp_colour] * len(mlp_bars) + [cnn_colour] * len(cnn_bars),
            title=describe_networks(built, mlp, cnn, stack is not None),
            y_label="parameters (log scale)",
            positions=[i + g for i, g in enumerate(gap)],
            legend=[(f"fully connected: {format_magnitude(mlp.params)} in all", mlp_colour),
                    (f"{cnn_name}: {format_magnitude(cnn.params)} in all, "
                     f"{format_ratio(mlp.params, cnn.params)}", cnn_colour)],
        )

    def _show_error(self, message: str) -> None:
        self.counts, self.nets, self.error = None, None, message
        what = "a network" if self.scope == NETWORK else "a layer"
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setText(f"These settings do not make {what}: {message}.")
        self.error_label.show()
        self.chart.clear_bars()
        for card in (*self.cards.values(), *self.net_cards.values()):
            card.show_nothing()
        self.units_label.clear()
        for button in (self.png_button, self.svg_button, self.csv_button):
            button.setEnabled(False)

    def _note_for(self, key: str) -> str:
        if key in PRESETS:
            return PRESETS[key].note
        if key == CURRENT:
            if self.scope == NETWORK:
                return ("Follows the explorer as you change it: its picture at its processing "
                        "size, and every layer of its stack.")
            index = self.followed_layer()
            if index > 0:
                where = f"the maps of layer {index} that it sees"
            elif self.document.source_shape() is not None:
                where = "the explorer's picture at its processing size"
            else:
                where = f"no picture is open yet, so a {shape_text(NO_PICTURE)} one"
            return (f"Follows the explorer's layer as you change it: {where}, its filters, "
                    "window, stride, dilation and padding.")
        return ("Your own numbers. Pick an example to start from the lectures' layers again.")

    # --- export --------------------------------------------------------------------------
    def export_csv(self, path: str | Path) -> Path:
        """The numbers on show as a CSV table (UTF-8 with a BOM, for spreadsheets): the
        layers compared, or every layer of both networks with their totals."""
        self._require_counts()
        path = safe_files.check_target(path, (".csv",), what="a CSV table")
        table = io.StringIO(newline="")
        writer = csv.writer(table)
        if self.nets is not None:
            self._write_network_rows(writer)
        else:
            self._write_layer_rows(writer)
        # whole or not at all: a full disk leaves an older table as it was
        return safe_files.atomic_write(path, table.getvalue().encode("utf-8-sig"))

    def _write_layer_rows(self, writer) -> None:
        setup = self.setup()
        setup_text = describe(setup)
        names = {key: name for key, name, *_ in LAYERS}
        names["more"] = f"convolution, {format_count(setup.more_filters)} filters"
        writer.writerow(CSV_COLUMNS)
        for key, c in (self.counts or {}).items():
            writer.writerow([names[key], setup_text, c.params, c.weights, c.biases,
                             c.formula, c.bytes, format_bytes(c.bytes), c.macs, c.outputs])

    def _write_network_rows(self, writer) -> None:
        built, stack = self.network_setup()
        mlp, cnn = self.nets  # type: ignore[misc]
        setup_text = describe_networks(built, mlp, cnn, stack is not None)
        writer.writerow(NETWORK_CSV_COLUMNS)
        for (_, name, _, _), net in zip(NETWORKS, (mlp, cnn), strict=True):
            for layer in net.layers:
                c = layer.counts
                writer.writerow([name, layer.name, setup_text, c.params, c.weights, c.biases,
                                 c.formula, "×".join(map(str, layer.output_shape)), c.bytes,
                                 c.macs])
            writer.writerow([name, "total", setup_text, net.params, net.weights, net.biases,
                             "", "", net.bytes, net.macs])

    def export_chart_png(self, path: str | Path, scale: float = 2) -> Path:
        """The chart as a PNG at ``scale`` × its size on screen."""
        self._require_counts()
        return self.chart.save_png(path, scale)

    def export_chart(self, path: str | Path, scale: float = 2, *,
                     overwrite: bool = True) -> Path:
        """The chart at ``scale`` × its size on screen, in the picture format the suffix
        names: the same pixels as :meth:`export_chart_png`."""
        self._require_counts()
        return self.chart.save_picture(path, scale, overwrite=overwrite)

    def export_chart_svg(self, path: str | Path) -> Path:
        self._require_counts()
        return self.chart.save_svg(path)

    def _require_counts(self) -> None:
        if self.counts is None and self.nets is None:
            raise ValueError(f"there is nothing to export: {self.error}")

    def _on_png_clicked(self) -> None:
        self._export_with_dialog("Save the chart as PNG", "PNG image (*.png)", ".png",
                                 self.export_chart_png)

    def _on_svg_clicked(self) -> None:
        self._export_with_dialog("Save the chart as SVG", "SVG drawing (*.svg)", ".svg",
                                 self.export_chart_svg)

    def _on_csv_clicked(self) -> None:
        self._export_with_dialog("Save the table as CSV", "CSV table (*.csv)", ".csv",
                                 self.export_csv)

    def _export_with_dialog(self, title: str, kind: str, suffix: str, export) -> None:
        folders = DialogFolders(settings_io.settings())
        name, _ = QFileDialog.getSaveFileName(
            self, title, folders.path("export", f"parameters{suffix}"), kind)
        if not name:
            return
        folders.remember("export", name)
        try:  # exactly the path chosen: a wrong suffix is refused, not replaced
            export(Path(name))
        except ValueError as err:
            self.error_label.setTextFormat(Qt.TextFormat.PlainText)  # a file name is no markup
            self.error_label.setText(str(err))
            self.error_label.show()

    # --- teardown ------------------------------------------------------------------------
    def cleanup(self) -> None:
        """Stop listening to the document (safe to call twice)."""
        if not self._connected:
            return
        self._connected = False
        for signal, slot in self._links:
            signal.disconnect(slot)
        self._links = []

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cleanup()
        super().closeEvent(event)


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value[0], value[1]) if isinstance(value, tuple | list) else (value, value)


def _setup_fields(setup: Setup, networks: bool = True) -> dict[str, object]:
    """A setup as the fields of ``document.params`` (with ``networks``, the networks' depth,
    classes, stages and pooling too; an example about networks also opens that view)."""
    h, w, *rest = setup.input_shape
    kh, kw = _pair(setup.kernel_size)
    if isinstance(setup.padding, str):
        padding, pads = setup.padding, (0, 0)
    elif setup.padding in (0, (0, 0)):
        padding, pads = "valid", (0, 0)
    else:
        padding, pads = "custom", _pair(setup.padding)
    fields: dict[str, object] = {
        "height": h, "width": w, "channels": rest[0] if rest else 1,
        "kernel_h": kh, "kernel_w": kw, "stride": _pair(setup.stride)[0],
        "dilation": _pair(setup.dilation)[0], "filters": setup.filters,
        "units": setup.units or 0, "padding": padding, "pad_h": pads[0], "pad_w": pads[1],
        "bias": setup.bias, "more_filters": setup.more_filters,
    }
    if networks:
        fields.update(hidden_layers=setup.hidden_layers, classes=setup.classes,
                      stages=setup.stages, pool=setup.pool)
    if setup.scope is not None:
        fields["scope"] = setup.scope
    return fields


def describe(setup: Setup) -> str:
    """One line for a chart title: ``"227×227×3 input · 96 filters 11×11 · stride 4"``."""
    h, w, *rest = setup.input_shape
    kh, kw = _pair(setup.kernel_size)
    parts = [f"{shape_text((h, w, rest[0] if rest else 1))} input",
             f"{setup.filters} filter{'s' if setup.filters != 1 else ''} {kh}×{kw}"]
    stride, dilation = _pair(setup.stride)[0], _pair(setup.dilation)[0]
    if stride != 1:
        parts.append(f"stride {stride}")
    if dilation != 1:
        parts.append(f"dilation {dilation}")
    if isinstance(setup.padding, str):
        parts.append(f"{setup.padding} padding")
    elif setup.padding not in (0, (0, 0)):
        ph, pw = _pair(setup.padding)
        parts.append(f"padding {ph}" if ph == pw else f"padding {ph}×{pw}")
    if setup.units is not None:
        parts.append(f"{format_exact(setup.units)} hidden units")
    if not setup.bias:
        parts.append("no biases")
    return " · ".join(parts)


def describe_networks(setup: Setup, mlp: Network, cnn: Network, explorer: bool) -> str:
    """One line for the networks' chart title: ``"1000×1000×1 input · 2 hidden layers of 10⁶
    units · 3 stages of 100 filters 10×10 · 10 classes"``."""
    h, w, *rest = setup.input_shape
    hidden = len(mlp.layers) - 1
    units = mlp.layers[0].output_shape[0]
    parts = [f"{h}×{w}×{rest[0] if rest else 1} input",
             f"{hidden} hidden layer{'s' if hidden != 1 else ''} of {format_exact(units)} units"]
    if explorer:
        convs = sum(layer.kind == "conv" for layer in cnn.layers)
        parts.append(f"the explorer's {convs} layer{'s' if convs != 1 else ''}")
    else:
        kh, kw = _pair(setup.kernel_size)
        parts.append(f"{setup.stages} stage{'s' if setup.stages != 1 else ''} of "
                     f"{setup.filters} filter{'s' if setup.filters != 1 else ''} {kh}×{kw}")
    classes = cnn.layers[-1].output_shape[0]
    parts.append(f"{format_count(classes)} class{'es' if classes != 1 else ''}")
    if not setup.bias:
        parts.append("no biases")
    return " · ".join(parts)
