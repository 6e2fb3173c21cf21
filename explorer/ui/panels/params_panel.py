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
import math
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontMetricsF, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
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
    QSlider,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.core import safe_files
from explorer.core.formulas import shape_text
from explorer.core.params import (
    PRESETS,
    LayerCounts,
    Setup,
    feature_map_size,
    format_bytes,
    format_count,
    format_exact,
    format_power,
    format_ratio,
)
from explorer.core.stack_info import stage_infos
from explorer.state import Document
from explorer.ui import settings_io
from explorer.ui.dialog_folders import DialogFolders
from explorer.ui.widgets.log_bar_chart import LogBarChart, fitting_points

__all__ = ["CURRENT", "CUSTOM", "ParamsPanel"]

CURRENT = "current"  # follows the explorer's layer live
CUSTOM = "custom"  # the student's own numbers
DEFAULT_PRESET = "lecture_1000"

# (key, name, what it means, colour): Okabe–Ito colours, distinct for colour-blind viewers too
LAYERS = (
    ("dense", "fully connected", "every unit sees every pixel", "#D55E00"),
    ("local", "locally connected", "each unit its own window and weights", "#E69F00"),
    ("conv", "convolution", "one window per filter, shared", "#0072B2"),
)
PADDING_CHOICES = ("valid", "same", "full", "custom")
MAX_SIDE = 65536  # the explorer processes pictures up to this size ("full size")
MAX_KERNEL = 4096
MAX_UNITS = 10**7
NO_PICTURE = (480, 640)  # what "current explorer layer" assumes before a picture is open
FOOTNOTE = "MACs: multiply-accumulates per image · float32: 4 bytes a parameter, 1 MB = 10⁶ bytes"
FOOTNOTE_DETAIL = ("A MAC is one multiplication and one addition: one per weight per output "
                   "value. Memory is the float32 size of the parameters alone.")
NBSP = "\u00a0"  # a space where a label must not wrap
SMALL_PT = 11  # the smallest type on the panel, still legible from the middle of a room
CONTROLS_WIDTH = (256, 380)  # the controls column: narrow in a 1280×720 window, never wider
# narrower than this (a 1280×720 window beside the layer dock), the panel opens with the
# controls folded away: the chart and the three cards need the width more
FOLD_CONTROLS_BELOW = 1100
CSV_COLUMNS = (
    "layer", "setup", "parameters", "weights", "biases", "formula", "float32 bytes",
    "float32 memory", "multiply-accumulates per image", "outputs",
)


def _font(points: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return font


class NumberField(QWidget):
    """A spin box and a slider for one whole number; the slider is logarithmic on big ranges.

    With ``special_text`` the minimum 0 means "automatic" and the spin box shows that text.
    """

    valueChanged = Signal(int)

    STEPS = 1000  # slider positions on a logarithmic range

    def __init__(self, minimum: int, maximum: int, value: int, log: bool = False,
                 special_text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._min, self._max, self._log = minimum, maximum, log
        self._special = bool(special_text)
        self.spin = QSpinBox(minimum=minimum, maximum=maximum, value=value)
        self.spin.setKeyboardTracking(True)  # the counts follow each digit typed
        self.spin.setGroupSeparatorShown(True)  # 10,000,000 reads better than 10000000
        self.spin.setAccelerated(True)
        if special_text:
            self.spin.setSpecialValueText(special_text)
        self.spin.setMinimumWidth(104)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        if log:
            self.slider.setRange(0, self.STEPS)
        else:
            self.slider.setRange(minimum, maximum)
        self.slider.setValue(self._position(value))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.spin)
        layout.addWidget(self.slider, 1)
        self.spin.valueChanged.connect(self._on_spin_changed)
        self.slider.valueChanged.connect(self._on_slider_moved)

    def value(self) -> int:
        return self.spin.value()

    def set_value(self, value: int) -> None:
        """Show ``value`` without emitting ``valueChanged`` (the panel is pushing state in)."""
        value = max(self._min, min(self._max, int(value)))
        for widget in (self.spin, self.slider):
            widget.blockSignals(True)
        try:
            self.spin.setValue(value)
            self.slider.setValue(self._position(value))
        finally:
            for widget in (self.spin, self.slider):
                widget.blockSignals(False)

    # --- the logarithmic slider ----------------------------------------------------------
    def _position(self, value: int) -> int:
        if not self._log:
            return value
        low = max(1, self._min)
        if self._special and value <= 0:
            return 0
        first = 1 if self._special else 0  # position 0 is "automatic"
        t = math.log(max(value, low) / low) / math.log(self._max / low)
        return first + round(t * (self.STEPS - first))

    def _value_at(self, position: int) -> int:
        if not self._log:
            return position
        if self._special and position == 0:
            return 0
        low = max(1, self._min)
        first = 1 if self._special else 0
        t = (position - first) / (self.STEPS - first)
        return max(low, min(self._max, round(low * (self._max / low) ** t)))

    def _on_slider_moved(self, position: int) -> None:
        value = self._value_at(position)
        if value != self.spin.value():
            self.spin.setValue(value)  # emits through _on_spin_changed

    def _on_spin_changed(self, value: int) -> None:
        if self._value_at(self.slider.value()) != value:  # leave a dragged slider alone
            self.slider.blockSignals(True)
            self.slider.setValue(self._position(value))
            self.slider.blockSignals(False)
        self.valueChanged.emit(value)


class _LayerCard(QFrame):
    """One layer's numbers: its count, its formula, its memory and its work per image.

    Compact enough for three side by side under the chart in a 1280×720 window: the count
    and the formula stay large and on one line, the explanations wrap in smaller type.
    """

    def __init__(self, name: str, meaning: str, colour: str) -> None:
        super().__init__(frameShape=QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"_LayerCard {{ border-top: 6px solid {colour}; }}")
        self.setFont(_font(SMALL_PT))
        self.title = QLabel(name)
        self.title.setStyleSheet(f"color: {colour};")
        subtitle = QLabel(meaning, wordWrap=True)
        self.count = QLabel()
        self.split = QLabel(wordWrap=True)  # weights + biases: the exact numbers
        self.formula = QLabel(wordWrap=True)  # wraps only where the smallest type is too wide
        self.details = QLabel(wordWrap=True)
        labels = (self.title, subtitle, self.count, self.split, self.formula, self.details)
        for label in labels:
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # the three cards share the width equally, whatever their text
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 6)
        layout.setSpacing(1)
        for label in labels:
            layout.addWidget(label)
        layout.addStretch(1)
        self._fit_text()

    def show_counts(self, counts: LayerCounts, outputs_text: str) -> None:
        self.count.setText(format_exact(counts.params))  # 10¹² as a power, as on the chart
        if counts.biases:
            split = (f"= {format_count(counts.weights)} weights + "
                     f"{format_count(counts.biases)} biases")
        else:
            split = f"= {format_count(counts.weights)} weights, no biases"
        self.split.setText(_breaking_before(split, ("+", "no")))
        exact, _, rounded = counts.formula.partition(" ≈ ")  # "≈ 1.97 × 10⁸" stays whole
        self.formula.setText(_breaking_before(exact, ("×", "="))
                             + (f" {_breaking_before('≈ ' + rounded, ())}" if rounded else ""))
        memory = f"float32: {format_bytes(counts.bytes)} · MACs: {format_power(counts.macs)}"
        outputs = f"outputs: {outputs_text}"
        self.details.setText(_breaking_before(memory, ("MACs:",)) + "\n"
                             + _breaking_before(outputs, ("=",)))
        self._fit_text()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()

    def _fit_text(self) -> None:
        """Name, count and formula in the largest type that fits: digits should not wrap.

        The formula takes as few lines as it can, in the largest type that gives that few (the
        smallest if it needs three); it breaks before its ×, = or ≈ only.
        """
        width = self.contentsRect().width() - 20
        self.title.setFont(_font(fitting_points(self.title.text(), width, 15,
                                                smallest=SMALL_PT), bold=True))
        self.count.setFont(_font(fitting_points(self.count.text(), width, 22, smallest=9),
                                 bold=True))
        pieces = self.formula.text().split(" ")
        # fewest lines first, then the largest type (range: from 14 points down)
        points = min(range(14, SMALL_PT - 1, -1),
                     key=lambda pt: (_lines_needed(pieces, _font(pt), width), -pt))
        if _lines_needed(pieces, _font(points), width) > 2:
            points = SMALL_PT  # three lines or more: small type keeps the card short
        self.formula.setFont(_font(points))

    def show_nothing(self) -> None:
        self.count.setText("—")
        for label in (self.split, self.formula, self.details):
            label.clear()


class ParamsPanel(QWidget):
    """Three layers on the same input, counted side by side; a tab of the main window."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.counts: dict[str, LayerCounts] | None = None  # None while the settings cannot work
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
        self.preset_combo = QComboBox()
        self.preset_combo.addItem("Current explorer layer (follows it live)", CURRENT)
        for key, setup in PRESETS.items():
            self.preset_combo.addItem(setup.label, key)
        self.preset_combo.addItem("Custom", CUSTOM)
        self.preset_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset_combo.setMinimumContentsLength(20)
        self.preset_combo.currentIndexChanged.connect(self._on_preset_chosen)

        self.height_field = NumberField(1, MAX_SIDE, 256, log=True)
        self.width_field = NumberField(1, MAX_SIDE, 256, log=True)
        self.channels_field = NumberField(1, 1024, 3, log=True)
        self.kernel_h_field = NumberField(1, MAX_KERNEL, 3, log=True)
        self.kernel_w_field = NumberField(1, MAX_KERNEL, 3, log=True)
        self.stride_field = NumberField(1, 64, 1)
        self.dilation_field = NumberField(1, 32, 1)
        self.padding_combo = QComboBox()
        self.padding_combo.addItems(PADDING_CHOICES)
        self.pad_h_spin = QSpinBox(minimum=0, maximum=MAX_SIDE, keyboardTracking=True)
        self.pad_w_spin = QSpinBox(minimum=0, maximum=MAX_SIDE, keyboardTracking=True)
        self.filters_field = NumberField(1, 4096, 1, log=True)
        self.units_field = NumberField(0, MAX_UNITS, 0, log=True, special_text="auto")
        self.units_field.setToolTip(
            "Hidden units of the fully connected layer. “auto”: as many as the convolution's "
            "outputs H'·W'·K, so that all three layers produce the same output.")
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
        layer_form = QFormLayout(layer_box)
        layer_form.addRow("kernel h", self.kernel_h_field)
        layer_form.addRow("kernel w", self.kernel_w_field)
        layer_form.addRow("stride", self.stride_field)
        layer_form.addRow("dilation", self.dilation_field)
        layer_form.addRow("padding", self.padding_combo)
        layer_form.addRow("pad h × w", pads)
        layer_form.addRow("filters", self.filters_field)
        layer_form.addRow(bias_row)
        dense_box = QGroupBox("Fully connected layer")
        dense_form = QFormLayout(dense_box)
        dense_form.addRow("units", self.units_field)
        # what "auto" means, next to the field that sets it
        self.units_label = QLabel(wordWrap=True)
        dense_form.addRow(self.units_label)
        for form in (image_form, layer_form, dense_form):
            form.setContentsMargins(6, 4, 6, 4)
            form.setVerticalSpacing(3)

        self.png_button = QPushButton("PNG ×2…", toolTip="the chart at twice its size")
        self.svg_button = QPushButton("SVG…", toolTip="the chart as a vector drawing")
        self.csv_button = QPushButton("CSV…", toolTip="the three layers' numbers as a table")
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
        for widget in (image_box, layer_box, dense_box, export_box):
            column.addWidget(widget)
        column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setWidget(controls)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(CONTROLS_WIDTH[0])

        # the example and the button that gives the chart the whole width stay in view
        self.controls_button = QToolButton(checkable=True, checked=True)
        self.controls_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.controls_button.toggled.connect(self.set_controls_visible)
        self.follow_combo = QComboBox(toolTip="Which layer of the explorer's stack to count")
        self.follow_combo.currentIndexChanged.connect(self._on_follow_chosen)
        self.follow_combo.hide()
        example_row = QHBoxLayout()
        example_row.addWidget(self.controls_button)
        example_row.addWidget(QLabel("Example"))
        example_row.addWidget(self.preset_combo, 1)
        example_row.addWidget(self.follow_combo)

        self.note_label = QLabel(wordWrap=True)
        self.note_label.setFont(_font(12))
        self.error_label = QLabel(wordWrap=True)
        self.error_label.setFont(_font(14, bold=True))
        self.error_label.setStyleSheet("color: #A01010;")
        self.error_label.hide()
        self.chart = LogBarChart()
        self.chart.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.chart.setMinimumHeight(240)
        self.cards = {key: _LayerCard(name, meaning, colour)
                      for key, name, meaning, colour in LAYERS}
        cards = QHBoxLayout()
        cards.setSpacing(6)
        for card in self.cards.values():
            cards.addWidget(card, 1)
        footnote = QLabel(FOOTNOTE, wordWrap=True, toolTip=FOOTNOTE_DETAIL)
        footnote.setFont(_font(SMALL_PT))

        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(4)
        right.addLayout(example_row)
        right.addWidget(self.note_label)
        right.addWidget(self.error_label)
        right.addWidget(self.chart, 1)
        right.addLayout(cards)
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
                      self.dilation_field, self.filters_field, self.units_field):
            field.valueChanged.connect(self._on_control_changed)
        for spin in (self.pad_h_spin, self.pad_w_spin):
            spin.valueChanged.connect(self._on_control_changed)
        self.padding_combo.currentIndexChanged.connect(self._on_control_changed)
        self.bias_check.toggled.connect(self._on_control_changed)

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
        """Write a preset's setup into the document (the panel then shows it)."""
        self._applying = True
        try:
            values: dict[str, object] = {"preset": key}
            if setup is not None:
                values.update(_setup_fields(setup))
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
        )

    def followed_layer(self) -> int:
        """The explorer layer "current" follows: the chosen one, or the selected one."""
        stage = self.document.params.stage
        count = len(self.document.stack)
        return self.document.selected_index if stage < 0 else min(stage, count - 1)

    def explorer_setup(self) -> Setup:
        """A layer of the explorer's stack on the input it really sees."""
        doc = self.document
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

    def _show_document(self) -> None:
        """Push the document's setup into the controls without triggering their handlers."""
        p = self.document.params
        index = self.preset_combo.findData(p.preset)
        self.preset_combo.blockSignals(True)
        self.preset_combo.setCurrentIndex(index)
        self.preset_combo.blockSignals(False)
        self._fill_follow_combo()
        self.height_field.set_value(p.height)
        self.width_field.set_value(p.width)
        self.channels_field.set_value(p.channels)
        self.kernel_h_field.set_value(p.kernel_h)
        self.kernel_w_field.set_value(p.kernel_w)
        self.stride_field.set_value(p.stride)
        self.dilation_field.set_value(p.dilation)
        self.filters_field.set_value(p.filters)
        self.units_field.set_value(p.units)
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
        self._recompute()

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
        combo.setVisible(self.preset == CURRENT and count > 1)

    # --- reactions -----------------------------------------------------------------------
    def _on_preset_chosen(self, index: int) -> None:
        self.set_preset(self.preset_combo.itemData(index))

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
            "padding": self.padding_combo.currentText(),
            "pad_h": self.pad_h_spin.value(), "pad_w": self.pad_w_spin.value(),
            "bias": self.bias_check.isChecked(),
        }
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
            counts = setup.counts()
            out_h, out_w = feature_map_size(setup.input_shape, setup.kernel_size, setup.stride,
                                            setup.padding, setup.dilation)
        except ValueError as err:
            self._show_error(str(err))
            return
        self.counts, self.error = counts, ""
        self.error_label.hide()
        for button in (self.png_button, self.svg_button, self.csv_button):
            button.setEnabled(True)
        maps = f"{shape_text((out_h, out_w, setup.filters))} = " \
            f"{format_count(out_h * out_w * setup.filters)}"
        dense = counts["dense"]
        self.cards["dense"].show_counts(dense, f"{format_count(dense.outputs)} hidden units")
        self.cards["local"].show_counts(counts["local"], maps)
        self.cards["conv"].show_counts(counts["conv"], maps)
        if setup.units is None:
            self.units_label.setText(
                f"“auto”: H'·W'·K = {maps} units, as many as the convolution has outputs, so "
                "all three layers produce the same output.")
        else:
            self.units_label.setText(
                f"The other two layers produce {maps} values; “auto” gives all three the "
                "same output.")
        params = [counts[key].params for key, *_ in LAYERS]
        self.chart.set_bars(
            names=[name for _, name, _, _ in LAYERS],
            counts=params,
            value_labels=[format_exact(n) for n in params],
            ratio_labels=[format_ratio(a, b) for a, b in itertools.pairwise(params)],
            colors=[colour for *_, colour in LAYERS],
            title=describe(setup),
            y_label="parameters (log scale)",
        )

    def _show_error(self, message: str) -> None:
        self.counts, self.error = None, message
        self.error_label.setText(f"These settings do not make a layer: {message}.")
        self.error_label.show()
        self.chart.clear_bars()
        for card in self.cards.values():
            card.show_nothing()
        self.units_label.clear()
        for button in (self.png_button, self.svg_button, self.csv_button):
            button.setEnabled(False)

    def _note_for(self, key: str) -> str:
        if key in PRESETS:
            return PRESETS[key].note
        if key == CURRENT:
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
        """The three layers' numbers as a CSV table (UTF-8 with a BOM, for spreadsheets)."""
        counts = self._require_counts()
        setup_text = describe(self.setup())
        path = safe_files.check_target(path, (".csv",), what="a CSV table")
        names = {key: name for key, name, *_ in LAYERS}
        table = io.StringIO(newline="")
        writer = csv.writer(table)
        writer.writerow(CSV_COLUMNS)
        for key, c in counts.items():
            writer.writerow([names[key], setup_text, c.params, c.weights, c.biases,
                             c.formula, c.bytes, format_bytes(c.bytes), c.macs, c.outputs])
        # whole or not at all: a full disk leaves an older table as it was
        return safe_files.atomic_write(path, table.getvalue().encode("utf-8-sig"))

    def export_chart_png(self, path: str | Path, scale: float = 2) -> Path:
        """The chart as a PNG at ``scale`` × its size on screen."""
        self._require_counts()
        return self.chart.save_png(path, scale)

    def export_chart_svg(self, path: str | Path) -> Path:
        self._require_counts()
        return self.chart.save_svg(path)

    def _require_counts(self) -> dict[str, LayerCounts]:
        if self.counts is None:
            raise ValueError(f"there is nothing to export: {self.error}")
        return self.counts

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


def _breaking_before(text: str, words: tuple[str, ...]) -> str:
    """``text`` that wraps only before one of ``words``: its other spaces do not break.

    A narrow card then wraps "(227·227·3 + 1) × 55·55·96 = 44,892,355,200" between its
    factors, never inside a number or a bracket.
    """
    pieces = text.split(" ")
    return pieces[0] + "".join(
        (" " if piece in words else NBSP) + piece for piece in pieces[1:])


def _lines_needed(pieces: list[str], font: QFont, width: float) -> int:
    """How many lines a label wrapping between ``pieces`` (joined by spaces) takes."""
    metrics = QFontMetricsF(font)
    lines, line = 1, ""
    for piece in pieces:
        joined = f"{line} {piece}" if line else piece
        if line and metrics.horizontalAdvance(joined) + 8 > width:
            lines, line = lines + 1, piece
        else:
            line = joined
    return lines


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value[0], value[1]) if isinstance(value, tuple | list) else (value, value)


def _setup_fields(setup: Setup) -> dict[str, object]:
    """A setup as the fields of ``document.params``."""
    h, w, *rest = setup.input_shape
    kh, kw = _pair(setup.kernel_size)
    if isinstance(setup.padding, str):
        padding, pads = setup.padding, (0, 0)
    elif setup.padding in (0, (0, 0)):
        padding, pads = "valid", (0, 0)
    else:
        padding, pads = "custom", _pair(setup.padding)
    return {
        "height": h, "width": w, "channels": rest[0] if rest else 1,
        "kernel_h": kh, "kernel_w": kw, "stride": _pair(setup.stride)[0],
        "dilation": _pair(setup.dilation)[0], "filters": setup.filters,
        "units": setup.units or 0, "padding": padding, "pad_h": pads[0], "pad_w": pads[1],
        "bias": setup.bias,
    }


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
