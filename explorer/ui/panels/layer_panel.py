"""The layer controls (left dock): the input, the stack, and the selected layer's settings.

The stack group lists every conv → activation → pool block with its output size, receptive
field and parameters; blocks are added, removed and moved there, and clicking one selects it.
The controls below edit the selected block. Every control writes its field of the document as
soon as it changes; document events push values back into the widgets with their signals
blocked, so there is no feedback loop and a "Reset to defaults" (or an opened session) shows
up here without any extra call. Below the controls, the output-size formula is worked out
with the selected layer's own input size, and the parameter box compares it with a dense and
a locally connected layer.
"""

from __future__ import annotations

import math
from functools import partial

from PySide6.QtCore import QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QPalette, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core import activations, formulas, shapes
from explorer.core.dense_head import head_parameters
from explorer.core.stack_info import StageInfo, stage_infos
from explorer.state import ACTIVATIONS, MAX_LAYERS, PAD_MODES, Document, int_range
from explorer.state.document import default_filter
from explorer.state.presets import STACK_PRESETS, use_stack_preset
from explorer.ui.widgets.formula_label import FormulaLabel
from explorer.ui.widgets.parameter_box import ParameterBox
from explorer.ui.widgets.scroll_column import ScrollColumn
from explorer.ui.widgets.stack_table import StackTable

SIZE_CHOICES = (160, 240, 320, 480, 640, 960, 1280)
# Until a picture arrives, the formulas use a webcam's 4:3 frame.
ASSUMED_FRAME = (480, 640)
AS_SHOWN = -1  # the live size choice "compute at the size the input is shown"
COMBO_CHARS = 12  # characters a combo box shows at the least

PADDING_CHOICES = (
    ("valid", "valid (no padding)", "No padding: the window stays inside the picture and the "
     "feature map shrinks by d·(k−1)."),
    ("same", "same", "Pad so that, with stride 1, the feature map is as large as the input; "
     "an odd total pad puts the extra row or column after."),
    ("full", "full", "Pad by d·(k−1) on every side: every position where the window touches "
     "the picture gives an output, so the feature map grows."),
    ("custom", "custom", "Choose the rows and columns of padding yourself."),
)
PAD_MODE_TIPS = {
    "zeros": "Pad with 0: the usual choice in CNNs; edges of the picture look like edges.",
    "reflect": "Mirror the picture at its border (the border pixel is not repeated).",
    "replicate": "Repeat the border pixel outwards.",
    "circular": "Wrap around: the left border continues with the right side of the picture.",
}
POOL_CHOICES = (
    ("none", "none", "No pooling: the feature maps are the layer's output."),
    ("max", "max", "Keep the strongest response of each window; the lesser values are lost."),
    ("avg", "average", "Keep the mean of each window."),
)
OPERATION_CHOICES = (
    (False, "cross-correlation (no flip)", "Slide the kernel as it is: what CNN layers compute."),
    (True, "convolution (flip)", "Turn the kernel by 180° before sliding it: convolution as "
     "signal processing defines it. Symmetric kernels give the same result either way."),
)


def _spin(field: str, tip: str) -> QSpinBox:
    """A spin box for a layer setting, with the document's own range for it."""
    minimum, maximum = int_range(field)
    spin = QSpinBox(minimum=minimum, maximum=maximum, toolTip=tip)
    spin.setAccelerated(True)
    # commit on Enter, focus-out or an arrow step: typing "16" must not pass through 1 filter
    # (and cut the others) on the way
    spin.setKeyboardTracking(False)
    return spin


def _combo(choices: tuple[tuple[object, str, str], ...], tip: str) -> QComboBox:
    """A combo box whose items carry the document value as data and teach in their tooltip."""
    combo = QComboBox(toolTip=tip)
    for value, text, item_tip in choices:
        combo.addItem(text, value)
        combo.setItemData(combo.count() - 1, item_tip, Qt.ItemDataRole.ToolTipRole)
    return combo


def _narrow(combo: QComboBox) -> QComboBox:
    """A combo box whose longest item does not set the dock's width (a list that grows):
    a narrow dock shows the start of the chosen text, the list shows every item whole."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(COMBO_CHARS)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    with QSignalBlocker(combo):
        combo.setCurrentIndex(combo.findData(value))


def _show(spin: QSpinBox, value: int) -> None:
    # A value from elsewhere (a settings file, a loaded model) may lie beyond the usual range;
    # widen the range rather than show a number the document does not hold.
    with QSignalBlocker(spin):
        spin.setRange(min(spin.minimum(), value), max(spin.maximum(), value))
        spin.setValue(value)


def _smaller(widget: QWidget) -> None:
    font = widget.font()
    if font.pointSizeF() > 0:  # a pixel-sized font has no point size to scale
        font.setPointSizeF(font.pointSizeF() * 0.9)
        widget.setFont(font)


def _note(text: str) -> QLabel:
    """A caption in a quieter colour and a smaller font."""
    label = QLabel(text, wordWrap=True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    _smaller(label)
    return label


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for w in widgets:
        layout.addWidget(w)
    layout.addStretch(1)
    return box


def _form(group: QGroupBox) -> QFormLayout:
    form = QFormLayout(group)
    form.setContentsMargins(6, 4, 6, 6)
    form.setVerticalSpacing(4)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


class LayerPanel(QWidget):
    """The stack, and controls for its selected layer with their output-size formulas."""

    message = Signal(str)  # a sentence for the status bar

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._writing_kernel = False
        self._infos: list[StageInfo] = []
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(4, 4, 4, 4)
        column.setSpacing(6)
        column.addWidget(self._build_input())
        column.addWidget(self._build_stack())
        column.addWidget(self._build_convolution())
        column.addWidget(self._build_pooling())
        column.addWidget(self._build_output_size())
        self.parameter_box = ParameterBox()
        column.addWidget(self.parameter_box)
        column.addStretch(1)

        scroll = ScrollColumn(content)  # never narrower than the controls: it scrolls down
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self.square_check.setChecked(document.layer.kernel_h == document.layer.kernel_w)
        self._connect_widgets()
        self._links = [
            (document.stack.layer_changed, self._on_layer_changed),
            (document.stack.filters_changed, self._on_filters_changed),
            (document.stack.changed, self._on_stack_changed),
            (document.stack.head.events.all, self._on_head_changed),
            (document.selection.events.layer, self._on_selection_changed),
            (document.input.events.all, self._on_input_changed),
            (document.source_changed, self._on_input_changed),
        ]
        for signal, slot in self._links:
            signal.connect(slot)
        self._sync_input()
        self._sync_layer()
        self._sync_head()

    def sizeHint(self) -> QSize:
        return QSize(max(300, self.minimumSizeHint().width()), 640)

    def cleanup(self) -> None:
        """Stop listening to the document (the window calls this when it closes)."""
        for signal, slot in self._links:
            signal.disconnect(slot)
        self._links = []

    # --- construction --------------------------------------------------------------------
    def _build_input(self) -> QGroupBox:
        group = QGroupBox("Input")
        form = _form(group)
        self.channels_combo = _combo(
            ((False, "colour (RGB)", "Three channels: every kernel is 3 deep, one slice for R, "
              "G and B."),
             (True, "grayscale", "One channel: every kernel is a single slice.")),
            "Colour input has 3 channels, so the kernels are 3 deep; grayscale has 1.",
        )
        form.addRow("Channels", self.channels_combo)
        self.size_combo = QComboBox(toolTip=(
            "The picture is scaled down so its longer side is at most this many pixels (never "
            "enlarged). Smaller is faster; the formulas below use this size."))
        self.size_label = QLabel()
        form.addRow("Size", _row(self.size_combo, self.size_label))
        return group

    def _build_stack(self) -> QGroupBox:
        group = QGroupBox("Stack of layers")
        group.setToolTip("conv → activation → pool blocks, each one fed by the one above")
        column = QVBoxLayout(group)
        column.setContentsMargins(6, 4, 6, 6)
        column.setSpacing(4)
        self.stack_preset_combo = _narrow(QComboBox(toolTip="Start from a ready-made stack"))
        self.stack_preset_combo.addItem("Start from…", None)
        for preset in STACK_PRESETS.values():
            self.stack_preset_combo.addItem(preset.label, preset.key)
            self.stack_preset_combo.setItemData(self.stack_preset_combo.count() - 1,
                                                preset.description,
                                                Qt.ItemDataRole.ToolTipRole)
        column.addWidget(self.stack_preset_combo)
        self.stack_table = StackTable()
        column.addWidget(self.stack_table)
        self.add_button = QPushButton("+ Add", toolTip="Add a block after the selected one "
                                      "(its settings copied, random kernels)")
        self.remove_button = QPushButton("− Remove", toolTip="Remove the selected block")
        self.up_button = QPushButton("↑", toolTip="Move the selected block up")
        self.down_button = QPushButton("↓", toolTip="Move the selected block down")
        for button in (self.up_button, self.down_button):
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("↑") + 24)
        column.addWidget(_row(self.add_button, self.remove_button, self.up_button,
                              self.down_button))
        self.head_check = QCheckBox("Dense head", toolTip=(
            "End the stack in a fully connected layer: every value of the last stage's "
            "output joined to every class score (random weights: the point is the count)"))
        self.head_classes_spin = QSpinBox(toolTip="How many class scores the dense head gives")
        self.head_seed_spin = QSpinBox(prefix="seed ", toolTip=(
            "The seed of the head's random weights (normal, σ = 1/√inputs)"))
        for spin, field in ((self.head_classes_spin, "classes"), (self.head_seed_spin, "seed")):
            spin.setRange(*int_range(field, "HeadSettings"))
            spin.setKeyboardTracking(False)  # commit on Enter, focus-out or an arrow step
        self.head_seed_spin.setMaximum(9999)  # wide enough to read; any seed comes from a file
        self.head_classes_spin.setSuffix(" classes")
        column.addWidget(_row(self.head_check, self.head_classes_spin))
        self.head_seed_label = QLabel("random weights,")
        column.addWidget(_row(self.head_seed_label, self.head_seed_spin))
        self.stack_total = _note("")
        column.addWidget(self.stack_total)
        return group

    def _build_convolution(self) -> QGroupBox:
        group = QGroupBox("Convolution")
        self.convolution_group = group
        form = _form(group)
        self.filters_spin = _spin("n_filters", "How many filters the layer has: each one "
                                  "slides its own kernel and makes its own feature map.")
        form.addRow("Filters", _row(self.filters_spin))

        self.kernel_h_spin = _spin("kernel_h", "Kernel height: the rows of the window "
                                   "each output looks at.")
        self.kernel_w_spin = _spin("kernel_w", "Kernel width: the columns of the window "
                                   "each output looks at.")
        self.square_check = QCheckBox("square", toolTip="Keep the kernel square: changing one "
                                      "side changes the other.")
        form.addRow("Kernel", _row(self.kernel_h_spin, QLabel("×"), self.kernel_w_spin,
                                   self.square_check))
        self.kernel_note = _note("")
        form.addRow(self.kernel_note)

        self.padding_combo = _combo(PADDING_CHOICES, "Padding adds a border around the "
                                    "picture so the window can also sit on the edges.")
        form.addRow("Padding", self.padding_combo)
        self.pad_h_spin = _spin("pad_h", "Rows of padding added above and below the picture.")
        self.pad_w_spin = _spin("pad_w", "Columns of padding added left and right.")
        form.addRow("Pad h × w", _row(self.pad_h_spin, QLabel("×"), self.pad_w_spin))
        self.pad_mode_combo = _combo(
            tuple((m, m, PAD_MODE_TIPS.get(m, "")) for m in PAD_MODES),
            "What the padded border is filled with.")
        form.addRow("Pad with", self.pad_mode_combo)

        self.stride_spin = _spin("stride", "Stride: how far the window moves between outputs. "
                                 "Stride 2 halves the feature map.")
        self.dilation_spin = _spin("dilation", "Dilation: the gap between kernel taps. A k×k "
                                   "kernel then spans d·(k−1)+1 pixels with the same k×k weights.")
        form.addRow("Stride", _row(self.stride_spin, QLabel("Dilation"), self.dilation_spin))

        self.operation_combo = _combo(OPERATION_CHOICES, "Cross-correlation or true "
                                      "convolution (the kernel turned by 180°).")
        form.addRow("Operation", self.operation_combo)
        form.addRow(_note("CNN layers compute cross-correlation (no flip)."))

        self.activation_combo = _combo(
            tuple((name, _activation_text(name), activations.DESCRIPTIONS.get(name, ""))
                  for name in ACTIVATIONS),
            "The function applied to every value of the feature map after the bias is added.")
        form.addRow("Activation", self.activation_combo)
        return group

    def _build_pooling(self) -> QGroupBox:
        group = QGroupBox("Pooling")
        form = _form(group)
        self.pool_combo = _combo(POOL_CHOICES, "Pooling shrinks each feature map by "
                                 "summarising every window in one value.")
        form.addRow("Pooling", self.pool_combo)
        self.pool_size_spin = _spin("pool_size", "Side of each pooling window.")
        self.pool_stride_spin = _spin("pool_stride", "How far the pooling window moves between "
                                      "outputs.")
        form.addRow("Size", _row(self.pool_size_spin, QLabel("Stride"), self.pool_stride_spin))
        return group

    def _build_output_size(self) -> QGroupBox:
        group = QGroupBox("Output size")
        group.setToolTip("o = ⌊(i + 2p − d·(k−1) − 1)/s⌋ + 1 with i the input size, p the "
                         "padding, d the dilation, k the kernel size and s the stride.")
        column = QVBoxLayout(group)
        column.setContentsMargins(6, 4, 6, 6)
        column.setSpacing(2)
        column.addWidget(_note("o = ⌊(i + 2p − d·(k−1) − 1)/s⌋ + 1"))
        self.conv_height = FormulaLabel()
        self.conv_width = FormulaLabel()
        self.pool_height = FormulaLabel()
        self.pool_width = FormulaLabel()
        self.pool_heading = _note("after pooling  o = ⌊(i − size)/stride⌋ + 1")
        for label in (self.conv_height, self.conv_width, self.pool_heading, self.pool_height,
                      self.pool_width):
            if isinstance(label, FormulaLabel):
                _smaller(label)  # one formula a line in a 300-pixel dock
            column.addWidget(label)
        return group

    def _connect_widgets(self) -> None:
        self.stack_preset_combo.activated.connect(self._on_stack_preset_chosen)
        self.stack_table.layer_chosen.connect(self._on_layer_chosen)
        self.add_button.clicked.connect(self.add_layer)
        self.remove_button.clicked.connect(self.remove_layer)
        self.up_button.clicked.connect(lambda: self.move_layer(-1))
        self.down_button.clicked.connect(lambda: self.move_layer(1))
        self.head_check.toggled.connect(self._on_head_check)
        self.head_classes_spin.valueChanged.connect(self._on_head_classes)
        self.head_seed_spin.valueChanged.connect(self._on_head_seed)
        self.channels_combo.currentIndexChanged.connect(self._on_channels_chosen)
        self.size_combo.activated.connect(self._on_size_chosen)
        self.kernel_h_spin.valueChanged.connect(self._on_kernel_h_changed)
        self.kernel_w_spin.valueChanged.connect(self._on_kernel_w_changed)
        self.square_check.toggled.connect(self._on_square_toggled)
        spins = {
            "n_filters": self.filters_spin, "pad_h": self.pad_h_spin,
            "pad_w": self.pad_w_spin, "stride": self.stride_spin,
            "dilation": self.dilation_spin, "pool_size": self.pool_size_spin,
            "pool_stride": self.pool_stride_spin,
        }
        for field, spin in spins.items():
            spin.valueChanged.connect(partial(self._on_layer_value_changed, field))
        self._layer_combos = {
            "padding": self.padding_combo, "pad_mode": self.pad_mode_combo,
            "flip": self.operation_combo, "activation": self.activation_combo,
            "pool_mode": self.pool_combo,
        }
        for field, combo in self._layer_combos.items():
            combo.currentIndexChanged.connect(partial(self._on_layer_choice_changed, field))

    # --- widgets → document --------------------------------------------------------------
    def _on_head_check(self, on: bool) -> None:
        self.document.stack.head.on = on

    def _on_head_classes(self, value: int) -> None:
        self.document.stack.head.classes = value

    def _on_head_seed(self, value: int) -> None:
        self.document.stack.head.seed = value

    def _on_layer_value_changed(self, field: str, value: int) -> None:
        setattr(self.document.layer, field, value)

    def _on_layer_choice_changed(self, field: str, index: int) -> None:
        if index >= 0:
            setattr(self.document.layer, field, self._layer_combos[field].itemData(index))

    def _on_kernel_h_changed(self, value: int) -> None:
        square = self.square_check.isChecked()
        self._set_kernel(value, value if square else self.document.layer.kernel_w)

    def _on_kernel_w_changed(self, value: int) -> None:
        square = self.square_check.isChecked()
        self._set_kernel(value if square else self.document.layer.kernel_h, value)

    def _on_square_toggled(self, checked: bool) -> None:
        if checked:
            self._set_kernel(self.document.layer.kernel_h, self.document.layer.kernel_h)

    def _set_kernel(self, height: int, width: int) -> None:
        # The two fields change one after the other; showing the half-way (rectangular) kernel
        # would release the square lock, so the widgets wait for both.
        self._writing_kernel = True
        try:
            self.document.set_kernel_size(height, width)
        finally:
            self._writing_kernel = False
        self._sync_layer()

    # --- the stack ---------------------------------------------------------------------------
    def add_layer(self) -> None:
        """A new block after the selected one, which it then selects."""
        doc = self.document
        index = doc.selected_index + 1
        try:
            doc.stack.insert(index)
        except ValueError as exc:
            self.message.emit(str(exc)[:1].upper() + str(exc)[1:])
            return
        doc.selection.layer = index

    def remove_layer(self) -> None:
        doc = self.document
        index = doc.selected_index
        try:
            doc.stack.remove(index)
        except ValueError as exc:
            self.message.emit(str(exc)[:1].upper() + str(exc)[1:])
            return
        doc.selection.layer = max(0, index - 1)

    def move_layer(self, step: int) -> None:
        doc = self.document
        index = doc.selected_index
        to = index + step
        if not 0 <= to < len(doc.stack):
            return
        doc.stack.move(index, to)
        doc.selection.layer = to

    def use_stack_preset(self, key: str) -> None:
        doc = self.document
        use_stack_preset(doc.stack, key, doc.channels, default_filter)
        doc.selection.layer = 0
        doc.selection.filter = 0

    def _on_stack_preset_chosen(self, index: int) -> None:
        key = self.stack_preset_combo.itemData(index)
        with QSignalBlocker(self.stack_preset_combo):
            self.stack_preset_combo.setCurrentIndex(0)
        if key is not None:
            self.use_stack_preset(key)
            self.message.emit(f"The stack is now: {STACK_PRESETS[key].label}")

    def _on_layer_chosen(self, index: int) -> None:
        if index != self.document.selected_index:
            self.document.selection.layer = index

    def _on_channels_chosen(self, index: int) -> None:
        self.document.input.grayscale = bool(self.channels_combo.itemData(index))

    def _on_size_chosen(self, index: int) -> None:
        side = self.size_combo.itemData(index)
        inp = self.document.input
        if self.document.live.active:
            if side == AS_SHOWN:
                inp.fit_live = True
            elif side is not None:
                inp.fit_live = False
                inp.live_side = int(side)
        elif side is not None:
            inp.max_side = int(side)

    # --- document → widgets --------------------------------------------------------------
    def _on_layer_changed(self, index: int, name: str) -> None:
        if index == self.document.selected_index and not self._writing_kernel:
            self._sync_layer()
        else:  # an earlier layer can change the selected one's input size
            self._update_results()

    def _on_filters_changed(self, index: int) -> None:
        # a bank reshaped after its settings said so (both kernel sides set at once): the
        # table and the formulas read the kernels' own shape
        if index <= self.document.selected_index and not self._writing_kernel:
            self._sync_square()
            self._update_results()

    def _on_stack_changed(self) -> None:
        self._sync_square()
        self._sync_layer()

    def _sync_square(self) -> None:
        # another layer or a new stack (a preset, a session, Reset, Undo): "square" shows
        # whether its kernels are square
        with QSignalBlocker(self.square_check):
            lay = self.document.layer
            self.square_check.setChecked(lay.kernel_h == lay.kernel_w)

    def _on_selection_changed(self, *_: object) -> None:
        self._sync_square()
        self._sync_layer()

    def _on_input_changed(self, *_: object) -> None:
        self._sync_input()

    def _sync_layer(self) -> None:
        doc = self.document
        lay = doc.layer
        index = doc.selected_index
        count = len(doc.stack)
        self.convolution_group.setTitle(
            "Convolution" if count == 1 else f"Layer {index + 1} of {count}: convolution")
        self.remove_button.setEnabled(count > 1)
        self.add_button.setEnabled(count < MAX_LAYERS)
        self.up_button.setEnabled(index > 0)
        self.down_button.setEnabled(index < count - 1)
        _show(self.filters_spin, lay.n_filters)
        _show(self.kernel_h_spin, lay.kernel_h)
        _show(self.kernel_w_spin, lay.kernel_w)
        if lay.kernel_h != lay.kernel_w:
            with QSignalBlocker(self.square_check):
                self.square_check.setChecked(False)
        _select(self.padding_combo, lay.padding)
        _show(self.pad_h_spin, lay.pad_h)
        _show(self.pad_w_spin, lay.pad_w)
        custom = lay.padding == "custom"
        self.pad_h_spin.setEnabled(custom)
        self.pad_w_spin.setEnabled(custom)
        _select(self.pad_mode_combo, lay.pad_mode)
        _show(self.stride_spin, lay.stride)
        _show(self.dilation_spin, lay.dilation)
        _select(self.operation_combo, lay.flip)
        _select(self.activation_combo, lay.activation)
        _select(self.pool_combo, lay.pool_mode)
        _show(self.pool_size_spin, lay.pool_size)
        _show(self.pool_stride_spin, lay.pool_stride)
        pooling = lay.pool_mode != "none"
        self.pool_size_spin.setEnabled(pooling)
        self.pool_stride_spin.setEnabled(pooling)
        self._update_results()

    def _sync_input(self) -> None:
        _select(self.channels_combo, self.document.input.grayscale)
        self._fill_size_combo()
        self._update_results()

    def _picture_size(self) -> tuple[int, int] | None:
        return self.document.source_shape()

    def _fill_size_combo(self) -> None:
        """Offer the sizes below the picture's own, then "full size"; mark the current one.

        Live frames have their own size: "as shown" computes them at the size the input is
        shown, and a choice made live never changes the still picture's size.
        """
        doc = self.document
        live = doc.live.active
        side = doc.processing_side()
        picture = self._picture_size()
        longest = max(picture) if picture else None
        combo = self.size_combo
        with QSignalBlocker(combo):
            combo.clear()
            if live:
                combo.addItem("as shown", AS_SHOWN)  # the size is in the label beside it
                combo.setItemData(0, "Compute live frames at the size the input is shown "
                                  f"({side} px on the longer side now)",
                                  Qt.ItemDataRole.ToolTipRole)
                if doc.input.fit_live:
                    combo.setCurrentIndex(0)
            choices = [s for s in SIZE_CHOICES if longest is None or s < longest]
            full = longest is not None and side >= longest
            if not full and side not in choices:
                choices = sorted([*choices, side])  # a size set elsewhere (settings file)
            for s in choices:
                combo.addItem(f"{s} px", s)
            combo.addItem("full size", longest)
            if longest is None:
                model = combo.model()
                if isinstance(model, QStandardItemModel):
                    model.item(combo.count() - 1).setEnabled(False)
            if not (live and doc.input.fit_live):
                combo.setCurrentIndex(combo.count() - 1 if full else combo.findData(side))

    def _processing_size(self) -> tuple[int, int]:
        return self.document.processing_shape()

    def _layer_input(self) -> tuple[int, int, int]:
        """(rows, cols, maps) the selected layer sees: the picture, or the previous output."""
        index = self.document.selected_index
        if 0 < index < len(self._infos):
            shape = self._infos[index].input_shape
            if self._infos[index - 1].output_shape is not None:
                return shape
        h, w = self._processing_size()
        return h, w, self.document.channels

    def _on_head_changed(self, *_: object) -> None:
        self._sync_head()
        self._update_stack()

    def _sync_head(self) -> None:
        head = self.document.stack.head
        with QSignalBlocker(self.head_check), QSignalBlocker(self.head_classes_spin), \
                QSignalBlocker(self.head_seed_spin):
            self.head_check.setChecked(head.on)
            self.head_classes_spin.setValue(head.classes)
            if head.seed > self.head_seed_spin.maximum():
                self.head_seed_spin.setMaximum(head.seed)
            self.head_seed_spin.setValue(head.seed)
        for widget in (self.head_classes_spin, self.head_seed_spin, self.head_seed_label):
            widget.setEnabled(head.on)

    def _update_stack(self) -> None:
        doc = self.document
        specs = doc.stack_specs()
        h, w = self._processing_size()
        self._infos = stage_infos(specs, (h, w), doc.channels)
        self.stack_table.show_stack(specs, self._infos, doc.selected_index)
        total = sum(i.params for i in self._infos)
        macs = sum(i.macs for i in self._infos)
        count = len(specs)
        text = (f"{count} layer{'s' if count > 1 else ''}: {formulas.short_count(total)} "
                f"parameters, {formulas.short_count(macs)} multiply-accumulates a picture")
        head = doc.stack.head
        last = self._infos[-1].output_shape if self._infos else None
        if head.on and last is not None:
            weights = head_parameters(math.prod(last), head.classes)
            text += f"; the dense head adds {formulas.short_count(weights)} weights"
        self.stack_total.setText(text)

    def _update_results(self) -> None:
        """Rework the stack table, the size caption, the formulas and the parameter counts."""
        self._update_stack()
        h, w = self._processing_size()
        picture = self._picture_size()
        if picture is None:
            self.size_label.setText("no picture")
            self.size_label.setToolTip("Until a picture is open, the formulas assume a "
                                       f"{formulas.size_text(*ASSUMED_FRAME)} camera frame.")
        else:
            self.size_label.setText(formulas.size_text(h, w))
            self.size_label.setToolTip(f"The picture is {formulas.size_text(*picture)}; the "
                                       f"layer sees it at {formulas.size_text(h, w)}.")
        lay = self.document.layer
        index = self.document.selected_index
        h, w, channels = self._layer_input()
        note = (f"each filter: {lay.kernel_h}×{lay.kernel_w}×{channels} weights + 1 bias = "
                f"{lay.kernel_h * lay.kernel_w * channels + 1}")
        if index > 0:
            note = (f"input: the {channels} maps of layer {index} ({formulas.shape_text((h, w))}); "
                    + note)
        self.kernel_note.setText(note)
        out_h = _show_conv(self.conv_height, "H′", "height", h, lay.kernel_h, lay.stride,
                           lay.pad_h, lay.padding, lay.dilation)
        out_w = _show_conv(self.conv_width, "W′", "width", w, lay.kernel_w, lay.stride,
                           lay.pad_w, lay.padding, lay.dilation)
        pooling = lay.pool_mode != "none"
        for label in (self.pool_heading, self.pool_height, self.pool_width):
            label.setVisible(pooling)
        if pooling:
            _show_pool(self.pool_height, "H″", "height", out_h, lay.pool_size, lay.pool_stride)
            _show_pool(self.pool_width, "W″", "width", out_w, lay.pool_size, lay.pool_stride)
        self.parameter_box.show_layer(
            (h, w, channels), (lay.kernel_h, lay.kernel_w), lay.n_filters, lay.stride,
            lay.conv_padding(), lay.dilation,
        )


def _activation_text(name: str) -> str:
    """The combo text of an activation: its name and its formula, "ReLU  max(0, x)"."""
    title = activations.DESCRIPTIONS.get(name, name).split(":", 1)[0]
    return f"{title}  {activations.formula(name)}"


def _show_conv(label: FormulaLabel, symbol: str, axis: str, n: int, kernel: int, stride: int,
               pad: int, padding: str, dilation: int) -> int | None:
    """Work out one axis of the feature map; returns its size, or None when it cannot work."""
    axis_padding = pad if padding == "custom" else padding
    try:
        text = formulas.conv_output_formula(n, kernel, stride, axis_padding, dilation,
                                            name=symbol)
    except ValueError as exc:
        label.show_problem(f"No feature map: in {axis}, {exc}.")
        return None
    label.show_formula(text)
    return shapes.output_size(n, kernel, stride, axis_padding, dilation)


def _show_pool(label: FormulaLabel, symbol: str, axis: str, n: int | None, size: int,
               stride: int) -> None:
    if n is None:
        label.show_formula(f"{symbol}: no feature map to pool")
        return
    try:
        label.show_formula(formulas.pool_output_formula(n, size, stride, name=symbol))
    except ValueError as exc:
        label.show_problem(f"No pooled map: in {axis}, {exc}.")
