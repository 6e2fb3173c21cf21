"""The explorer's centre: the input picture, every stage's maps, the selected stage large.

The panel shows results it is handed (``show_result``); it never computes the stack, and it
never shrinks or colours maps (the render step does, on the worker). It says how large it
shows things (``feature_tile``, ``pooled_tile``, ``strip_tiles``) and emits ``view_resized``
when that changes, so the controller asks for maps made for the new size.

Hovering a unit of any stage draws its receptive field on the input picture (its size and jump
from :func:`explorer.core.stack_info.stage_infos`) and explains the dot product behind it over
that stage's input maps; hovering a pooled unit draws its window on the feature map.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import qthrottled

from explorer.core.computer import StackResult
from explorer.core.dense_head import conv_stage_parameters, head_count_lines
from explorer.core.display import MapStyle
from explorer.core.formulas import shape_text
from explorer.core.levels import MapLevels
from explorer.core.pipeline import LayerSpec, StageResult
from explorer.core.readout import explain_pixel, explain_pooled, layer_padding
from explorer.core.render import StageDisplay
from explorer.core.stack_info import StageInfo, field_extent, stage_infos
from explorer.state import LEVEL_MODES, Document
from explorer.ui.presentation_type import as_heading
from explorer.ui.widgets.class_scores import ClassScores
from explorer.ui.widgets.colormaps import lookup_table
from explorer.ui.widgets.elided_label import ElidedLabel
from explorer.ui.widgets.flow_row import flow_row, side_by_side
from explorer.ui.widgets.input_view import InputView
from explorer.ui.widgets.kernel_editor import display_name
from explorer.ui.widgets.map_grid import MapGrid
from explorer.ui.widgets.readout_view import ReadoutView, activation_label
from explorer.ui.widgets.stage_strip import StageStrip, StripRow

__all__ = ["MapsPanel", "reduction_text", "stage_summary"]

pg.setConfigOptions(imageAxisOrder="row-major")

LEVEL_LABELS = {"per_map": "per map", "shared": "shared", "fixed": "fixed"}
LEVEL_TIPS = {
    "per_map": "Each map spans its own range (up to all but its strongest 0.3 % of values): "
               "every map shows its detail.",
    "shared": "All maps share one colour range: compare how strongly each filter responds.",
    "fixed": "A fixed range (±limit): steady colours while the picture or kernel changes.",
}
POOL_NAMES = {"max": "Max pooling", "avg": "Average pooling"}
STRETCH_TIP = ("Shade the input over its own range, its smallest value black and its largest "
               "white, instead of 0 black and 255 white: a picture of 0s and 10s is "
               "otherwise all but black. The numbers stay the picture's own.")
GREY_TIP = ("Show every map black to white (mid-grey at 0 for signed maps), as image "
            "processing shows a filter's output: a blurred photo looks like a photo. Off: "
            "blue–white–red for signed maps, viridis from 0 up.")
LIMIT_SPIN_WIDTH = 92
READOUT_MIN_HEIGHT = 240
QWIDGETSIZE_MAX = 16777215  # Qt's "no maximum"
LEFT_SPACING = 2  # px between the input and the readout
HOVER_REFRESH_MS = 100
LEFT_MIN_WIDTH = 200
LEFT_WANTED = 336  # px the readout needs for a 3×3 RGB dot product with every number written
LEFT_SHARE = 0.36  # of the panel's width for the input and readout, until the user drags
LEFT_MAX_SHARE = 0.5
STRIP_DEFAULT_TILE = (64, 64)
STRIP_MIN_WIDTH = 160
STRIP_SHARE = 0.2  # of the maps column's height, at most, for every stage's row
FEATURE_SHARE = 0.6  # of the grids' height for the feature maps; the pooled maps get the rest


def reduction_text(fm_shape: tuple[int, int], pooled_shape: tuple[int, int]) -> str:
    """How much a pooling shrank (rows, cols) maps, width × height:
    '320×240 → 160×120, 4× fewer values'."""
    (h, w), (ph, pw) = fm_shape, pooled_shape
    before, after = h * w, ph * pw
    text = f"{shape_text(fm_shape)} → {shape_text(pooled_shape)}"
    if after == 0:
        return text
    return text + f", {before / after:.3g}× fewer values"


def stage_summary(stage: StageResult) -> str:
    """'conv 8@3×3×4, stride 1 → ReLU → max 2×2': one stage in the lecture's words."""
    spec = stage.spec
    kh, kw = spec.kernel_shape
    text = f"conv {spec.n_filters}@{kh}×{kw}×{spec.channels}"
    if spec.stride != (1, 1):
        text += f", stride {spec.stride[0]}"
    if spec.dilation != (1, 1):
        text += f", dilation {spec.dilation[0]}"
    if spec.activation != "identity":
        text += f" → {activation_label(spec.activation)}"
    if spec.pool_mode != "none":
        text += f" → {spec.pool_mode} {spec.pool_size}×{spec.pool_size}"
    return text


class MapsPanel(QWidget):
    """Input with receptive field, stage strip, the selected stage's maps, hover readout."""

    view_resized = Signal()  # tile sizes changed: the controller asks for maps that fit

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._result: StackResult | None = None
        self._infos: list[StageInfo] = []
        # what the infos were worked out for: (the stack's specs, picture shape, channels)
        self._infos_key: tuple[tuple[LayerSpec, ...], tuple[int, ...], int] = ((), (), 0)
        self._hover: tuple[str, int, int, int, int] | None = None  # (kind, stage, k, r, c)
        # Live frames re-explain the hovered pixel at most ~10 times a second: repainting the
        # readout's tables costs several ms, and numbers changing faster cannot be read anyway.
        self._refresh_hover_soon = qthrottled(self._refresh_hover, timeout=HOVER_REFRESH_MS,
                                              parent=self)

        self.input_view = InputView()
        self.readout = ReadoutView()
        self.strip = StageStrip()
        # narrower than its own wish on a small screen, so that the maps column and both
        # docks fit 1024 pixels; the rows' text keeps its width and the maps shrink
        self.strip.setMinimumWidth(STRIP_MIN_WIDTH)
        self.feature_grid = MapGrid(colorbar=True)
        self.pooled_grid = MapGrid()
        # one line each, never wider than the maps: the whole text is in the tooltip
        self.fm_caption = as_heading(ElidedLabel(minimum_chars=8))
        self.fm_caption.setText("feature maps")
        self.pooled_caption = as_heading(ElidedLabel(minimum_chars=0))  # beside a button
        self.class_scores = ClassScores()
        self._build_toolbar()
        self._build_layout()

        self.feature_grid.hovered.connect(self.hover_feature)
        self.pooled_grid.hovered.connect(self.hover_pooled)
        self.strip.hovered.connect(self.hover_strip)
        self.feature_grid.clicked.connect(self._on_tile_clicked)
        self.pooled_grid.clicked.connect(self._on_tile_clicked)
        self.strip.stage_clicked.connect(self._on_stage_clicked)
        for widget in (self.feature_grid, self.pooled_grid, self.strip):
            widget.resized.connect(self.view_resized)
        self._connections = [
            (document.display.events.levels, self._on_levels_changed),
            (document.display.events.fixed_limit, self._on_fixed_limit_changed),
            (document.display.events.show_pooled, self._on_show_pooled_changed),
            (document.display.events.cell_values, self._on_cell_values_changed),
            (document.display.events.input_range, self._on_input_range_changed),
            (document.display.events.colour_map, self._on_colour_map_changed),
            (document.selection.events.filter, self._on_selected_filter_changed),
            (document.selection.events.layer, self._on_selected_layer_changed),
            (document.stack.filters_changed, self._on_filters_changed),
            (document.stack.changed, self._on_stack_changed),
            (document.picture_changed, self._on_picture_changed),
        ]
        self._source = document.picture.source if document.picture is not None else None
        for signal, slot in self._connections:
            signal.connect(slot)
        self._on_levels_changed()
        self._on_fixed_limit_changed()
        self._on_show_pooled_changed()
        self._on_cell_values_changed()
        self._on_input_range_changed()
        self._on_colour_map_changed()
        self._on_stack_changed()

    # --- construction -------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        self.level_buttons: dict[str, QToolButton] = {}
        self._level_group = QButtonGroup(self)
        for mode in LEVEL_MODES:
            button = QToolButton(text=LEVEL_LABELS[mode], checkable=True, toolTip=LEVEL_TIPS[mode])
            self._level_group.addButton(button)
            self.level_buttons[mode] = button
            button.toggled.connect(lambda on, m=mode: on and self._on_level_button(m))
        self.limit_spin = QDoubleSpinBox(
            prefix="± ", decimals=2, minimum=0.01, maximum=1e6, keyboardTracking=False,
            toolTip="The value shown at full colour when the levels are fixed",
        )
        self.limit_spin.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
        self.limit_spin.valueChanged.connect(self._on_limit_spin)
        self.clipped_label = QLabel(toolTip="Values beyond the fixed limit show at full colour")
        self.limit_spin.setMaximumWidth(LIMIT_SPIN_WIDTH)
        self.pooled_check = QCheckBox("pooled", toolTip="Show the pooled maps below")
        self.pooled_check.toggled.connect(self._on_pooled_check)
        self.values_check = QCheckBox(
            "numbers", toolTip="Write each value in its cell when the cells are large enough "
            "on screen: small maps, a small picture, or the input zoomed in (wheel)")
        self.values_check.toggled.connect(self._on_values_check)
        self.stretch_button = QToolButton(text="stretch input", checkable=True,
                                          toolTip=STRETCH_TIP)
        self.stretch_button.toggled.connect(self._on_stretch_button)
        self.grey_button = QToolButton(text="grey", checkable=True, toolTip=GREY_TIP)
        self.grey_button.toggled.connect(self._on_grey_button)
        self.closer_button = QToolButton(
            text="up close…", autoRaise=True, toolTip="Open the Pooling tab: the selected map "
            "before and after pooling at one scale, which value survived in each window, "
            "storage and time")
        self.closer_button.clicked.connect(self._on_closer_clicked)

        bar = flow_row(  # wraps when the panel is narrow (both docks on a 1024-pixel screen)
            side_by_side(QLabel("Levels:", toolTip="How feature-map values become colours"),
                         *self.level_buttons.values()),
            side_by_side(self.limit_spin, self.clipped_label),
            side_by_side(self.grey_button, self.stretch_button, self.values_check,
                         self.pooled_check))
        self._toolbar = bar

    def _build_layout(self) -> None:
        # the input gets the height its picture needs at the column's width; the readout
        # takes the rest (it grows with the kernel)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(LEFT_SPACING)
        left_layout.addWidget(self.input_view, 0)
        left_layout.addWidget(self.readout, 1)
        self.readout.setMinimumHeight(READOUT_MIN_HEIGHT)
        left.installEventFilter(self)
        self._left = left

        fm_box = QWidget()
        fm_layout = QVBoxLayout(fm_box)
        fm_layout.setContentsMargins(0, 0, 0, 0)
        fm_layout.setSpacing(2)
        fm_layout.addWidget(self.strip)
        fm_layout.addWidget(self.fm_caption)
        fm_layout.addWidget(self.feature_grid, 1)
        self.pooled_box = QWidget()
        pooled_layout = QVBoxLayout(self.pooled_box)
        pooled_layout.setContentsMargins(0, 0, 0, 0)
        pooled_layout.setSpacing(2)
        pooled_header = QHBoxLayout()  # the pooled maps' caption, and a way to look closer
        pooled_header.setContentsMargins(0, 0, 0, 0)
        pooled_header.addWidget(self.pooled_caption, 1)
        pooled_header.addWidget(self.closer_button)
        pooled_layout.addLayout(pooled_header)
        pooled_layout.addWidget(self.pooled_grid, 1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(fm_box)
        right.addWidget(self.pooled_box)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setChildrenCollapsible(False)
        self._right = right
        self._right_by_user = False
        right.splitterMoved.connect(self._on_right_splitter_moved)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        left.setMinimumWidth(LEFT_MIN_WIDTH)
        self._split_by_user = False
        self.splitter.splitterMoved.connect(self._on_splitter_moved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self._toolbar)
        layout.addWidget(self.splitter, 1)
        # the dense head's scores across the panel's foot, at a fixed height, only when the
        # stack ends in one
        layout.addWidget(self.class_scores, 0)
        self.class_scores.hide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._split_by_user:
            width = self.splitter.width()
            wanted = min(max(LEFT_WANTED, width * LEFT_SHARE), width * LEFT_MAX_SHARE)
            left = max(LEFT_MIN_WIDTH, int(wanted))
            self.splitter.setSizes([left, max(width - left, 1)])
        self._share_heights()

    def _on_splitter_moved(self, *_: object) -> None:
        self._split_by_user = True

    def _on_right_splitter_moved(self, *_: object) -> None:
        self._right_by_user = True

    def _share_heights(self) -> None:
        """The stage strip keeps to a share of the height; of the rest, the feature maps get
        FEATURE_SHARE and the pooled maps the remainder (until the user drags the divider)."""
        total = self._right.height()
        if total <= 0:
            return
        self.strip.set_height_budget(int(total * STRIP_SHARE))
        if self._right_by_user or self.pooled_box.isHidden():
            return
        above = self.fm_caption.sizeHint().height() + 2  # the feature grid's own column
        if not self.strip.isHidden():
            above += self.strip.height() + 2
        below = self.pooled_caption.sizeHint().height() + 2
        grids = max(total - self._right.handleWidth() - above - below, 2)
        top = min(max(int(above + grids * FEATURE_SHARE), 1), total - 1)
        if abs(self._right.sizes()[0] - top) > 2:
            self._right.setSizes([top, total - self._right.handleWidth() - top])

    def eventFilter(self, obj, event) -> bool:
        if obj is self._left and event.type() == QEvent.Type.Resize:
            self._fit_input_height()
            self.view_resized.emit()  # the shown input size sets the live processing size
        return super().eventFilter(obj, event)

    def _fit_input_height(self) -> None:
        """The input gets the height its picture needs, less what the readout cannot do
        without; the readout is capped to the rest, so large tables (a 15×15 kernel) never
        squeeze the picture to a strip."""
        wanted = self.input_view.height_for_width(self._left.width())
        readout = max(READOUT_MIN_HEIGHT, self.readout.minimumSizeHint().height())
        room = self._left.height() - readout - LEFT_SPACING
        height = max(min(wanted, room), 120) if wanted else None
        self.input_view.setMaximumHeight(height or QWIDGETSIZE_MAX)
        self.readout.setMaximumHeight(
            max(self._left.height() - height - LEFT_SPACING, readout) if height
            else QWIDGETSIZE_MAX)

    def export_targets(self) -> dict[str, QWidget]:
        """Parts of the panel File > Export view can picture."""
        targets: dict[str, QWidget] = {"Input and receptive field": self.input_view}
        if len(self.document.stack) > 1:
            targets["Every stage"] = self.strip
        targets.update({"Feature maps": self.feature_grid, "Pooled maps": self.pooled_grid,
                        "Hover readout": self.readout})
        return targets

    # --- what the render step needs ------------------------------------------------------
    def map_style(self) -> MapStyle:
        """How the worker should colour maps for this panel now."""
        display = self.document.display
        scheme = display.colour_map
        return MapStyle(display.levels, float(display.fixed_limit), lookup_table(True, scheme),
                        lookup_table(False, scheme))

    def feature_tile(self) -> tuple[int, int] | None:
        return self.feature_grid.tile_pixels()

    def pooled_tile(self) -> tuple[int, int] | None:
        if not self.document.display.show_pooled:
            return None
        return self.pooled_grid.tile_pixels() or self.feature_tile()

    def strip_tiles(self) -> tuple[tuple[int, int], ...] | None:
        """Tile sizes of every stage's maps in the strip; None with a single stage."""
        if len(self.document.stack) < 2:
            return None
        shapes = [info.output_shape for info in self._infos]
        if len(shapes) != len(self.document.stack) or any(s is None for s in shapes):
            return tuple(STRIP_DEFAULT_TILE for _ in range(len(self.document.stack)))
        return self.strip.tile_sizes(shapes)  # type: ignore[arg-type]

    def input_tile(self) -> tuple[int, int] | None:
        """Device pixels the input picture is drawn at when its view shows all of it."""
        return self.input_view.shown_tile()

    def shown_side(self) -> int:
        """Device pixels of the longer side of the input picture's view."""
        view = self.input_view
        return max(64, int(max(view.width(), view.height()) * view.devicePixelRatioF()))

    # --- results ------------------------------------------------------------------------
    @property
    def result(self) -> StackResult | None:
        return self._result

    @property
    def stage_infos(self) -> list[StageInfo]:
        return list(self._infos)

    @property
    def map_levels(self) -> MapLevels | None:
        """The levels, colormap choice and clipped share of the large maps on screen."""
        large = self._large()
        return None if large is None else large.levels

    def shown_stage(self) -> int | None:
        """The stage whose maps are large on screen."""
        large = self._large()
        return None if large is None else large.index

    def _large(self) -> StageDisplay | None:
        result = self._result
        if result is None or result.display is None:
            return None
        return result.display.large

    def show_result(self, result: StackResult) -> None:
        """Show a new stack result (cheap: reuses every tile; called for every live frame)."""
        self._result = result
        picture = result.picture
        specs = [s.spec for s in result.stages]
        channels = 1 if picture.ndim == 2 or picture.shape[2] == 1 else picture.shape[2]
        # live frames share the stack's specs: their sizes and fields are worked out once
        old_specs, old_shape, old_channels = self._infos_key
        same_specs = len(specs) == len(old_specs) and all(
            a is b for a, b in zip(specs, old_specs, strict=True))
        if not same_specs or (picture.shape[:2], channels) != (old_shape, old_channels):
            self._infos = stage_infos(specs, picture.shape[:2], channels)
            self._infos_key = (tuple(specs), picture.shape[:2], channels)
        shape_before = self.input_view.image_shape
        self.input_view.set_image(picture, layer_padding(specs[0], picture.shape[:2]),
                                  specs[0].pad_mode,
                                  result.display.input if result.display is not None else None)
        if self.input_view.image_shape != shape_before:
            self._fit_input_height()
        large = self._large()
        if large is not None:
            self._show_large(result.stages[large.index], large)
        self._show_strip(result)
        self._show_head(result)
        self._update_pooled_visibility()
        if self._hover is not None:
            self._refresh_hover_soon()

    def _show_head(self, result: StackResult) -> None:
        spec = result.request.head
        self.class_scores.setVisible(spec is not None)
        if spec is None:
            return
        out = result.stages[-1].output.shape
        conv = conv_stage_parameters([s.spec.weights.shape for s in result.stages])
        head_line, conv_line = head_count_lines(out, spec.classes, conv)
        size = shape_text(result.picture.shape[:2])
        if result.head is None:
            lines = [f"Dense head refused: {result.head_problem}", conv_line]
        else:
            lines = [f"{head_line} (its inputs grow with the picture: {size} here)", conv_line,
                     f"Random weights (normal, σ = 1/√inputs, seed {spec.seed}), never "
                     "trained: these scores mean nothing; the point is the count."]
        self.class_scores.set_scores(
            lines, None if result.head is None else result.head.probabilities)

    def _show_large(self, stage: StageResult, large: StageDisplay) -> None:
        h, w, k = stage.feature_maps.shape
        names = self._names(stage.index, k)
        levels = large.levels
        self.feature_grid.set_maps(large.feature, [f"{n} · {shape_text((h, w))}" for n in names],
                                   levels.levels, levels.signed)
        self.fm_caption.setText(self._fm_caption_text(stage))
        self._update_colorbar()
        self._update_clipped_label()
        if large.pooled is not None and stage.pooled is not None:
            ph, pw = stage.pooled.shape[:2]
            self.pooled_grid.set_maps(large.pooled,
                                      [f"{n} · {shape_text((ph, pw))}" for n in names],
                                      levels.levels, levels.signed)
            spec = stage.spec
            self.pooled_caption.setText(
                f"{POOL_NAMES.get(spec.pool_mode, spec.pool_mode)} {spec.pool_size}×"
                f"{spec.pool_size}, stride {spec.pool_stride}: "
                f"{reduction_text((h, w), (ph, pw))}")
        selected = self._selected_filter()
        self.feature_grid.set_selected(selected)
        self.pooled_grid.set_selected(selected)

    def _show_strip(self, result: StackResult) -> None:
        shown = result.display.strip if result.display is not None else ()
        self.strip.setVisible(bool(shown))
        if not shown:
            return
        rows = []
        for display in shown:
            stage = result.stages[display.index]
            info = self._infos[display.index]
            out = stage.output
            conv, _, rest = stage_summary(stage).partition(" → ")
            # the output size first: a narrow strip shortens the line from its end
            lines = [f"Layer {display.index + 1}: {conv}",
                     f"→ {shape_text(out.shape)}"
                     f"{' after ' + rest if rest else ''}"]
            if info.output_field is not None:
                fr, fc = info.output_field
                size = f"{fr.size}" if fr.size == fc.size else f"{fr.size}×{fc.size}"
                lines.append(f"sees {size} px, jump {fr.jump}")
            rows.append(StripRow(display.index, tuple(lines), display.mosaic,
                                 len(display.feature.planes), display.feature.extent,
                                 display.feature.full_shape))
        rows_before = len(self.strip.rows)
        self.strip.set_rows(rows)
        self.strip.set_selected(self.shown_stage() or 0)
        if len(rows) != rows_before:
            self._share_heights()

    def _fm_caption_text(self, stage: StageResult) -> str:
        spec = stage.spec
        kh, kw = spec.kernel_shape
        h, w, k = stage.feature_maps.shape
        where = ""
        if self._result is not None and len(self._result.stages) > 1:
            where = f"Layer {stage.index + 1} of {len(self._result.stages)}: "
        maps, kernels = ("feature map", "kernel") if k == 1 else ("feature maps", "kernels")
        random = ""
        if stage.index < len(self.document.stack) and \
                self.document.stack[stage.index].filters.random:
            random = " · random kernels"
        return (f"{where}{k} {maps} {shape_text((h, w))} (width×height) · "
                f"{kw}×{kh}×{spec.channels} {kernels}, stride {spec.stride[0]}, "
                f"{activation_label(spec.activation)}{random}")

    def _names(self, stage: int, k: int) -> list[str]:
        """The human names of a stage's k filters ("Vertical edge", not "vertical_edge")."""
        if stage < len(self.document.stack):
            names = self.document.stack[stage].filters.names()
            if len(names) == k:
                return [display_name(n) for n in names]
        return [f"filter {i + 1}" for i in range(k)]

    def input_names(self, stage: int, channels: int) -> list[str]:
        """The names of the maps a stage sees: R, G, B, or the previous stage's filters."""
        if stage == 0:
            return ["R", "G", "B"] if channels == 3 else ["gray"] * channels
        return self._names(stage - 1, channels)

    def _selected_filter(self) -> int | None:
        if self.shown_stage() != self.document.selected_index:
            return None  # the large maps are of another stage until the next result
        return self.document.selected_filter()

    def _update_colorbar(self) -> None:
        levels = self.map_levels
        if levels is None or not len(levels.levels):
            return
        mode = self.document.display.levels
        k = min(max(self._selected_filter() or 0, 0), len(levels.levels) - 1)
        lo, hi = levels.levels[k]
        if mode == "per_map":
            label = f"levels of {self._names(self.shown_stage() or 0, len(levels.levels))[k]}"
        else:
            label = "shared levels" if mode == "shared" else "fixed levels"
        self.feature_grid.set_colorbar((lo, hi), label, levels.all_zero(k))

    def _update_clipped_label(self) -> None:
        fixed = self.document.display.levels == "fixed"
        self.clipped_label.setVisible(fixed)
        levels = self.map_levels
        if fixed and levels is not None and levels.clipped is not None:
            self.clipped_label.setText(f"{levels.clipped * 100:.1f} % clipped")

    def _update_pooled_visibility(self) -> None:
        large = self._large()
        has_pooled = large is None or large.pooled is not None
        visible = bool(self.document.display.show_pooled and has_pooled)
        if visible == self.pooled_box.isHidden():
            self.pooled_box.setVisible(visible)
            self._share_heights()

    # --- hover --------------------------------------------------------------------------
    def _stage(self, index: int | None) -> StageResult | None:
        result = self._result
        if result is None or index is None or not 0 <= index < len(result.stages):
            return None
        return result.stages[index]

    def hover_feature(self, k: int, row: int, col: int) -> None:
        """Explain the large stage's feature map k at (row, col); draw its receptive field."""
        self._explain_unit(self.shown_stage(), k, row, col)

    def _explain_unit(self, index: int | None, k: int, row: int, col: int) -> None:
        stage = self._stage(index)
        if stage is None or index is None:
            return
        try:
            ex = explain_pixel(stage, k, row, col)
        except ValueError:
            self._clear_hover()
            return
        self._hover = ("feature", index, k, row, col)
        channels = ex.window.shape[2]
        self.readout.show_pixel(ex, self._names(index, stage.feature_maps.shape[2])[k],
                                self.input_names(index, channels))
        self._fit_input_height()  # tables for a larger kernel need more of the column
        if index == 0:
            dilated = any(d > 1 for d in stage.spec.dilation)
            self.input_view.show_field(ex.extent, rows=ex.rows if dilated else None,
                                       cols=ex.cols if dilated else None,
                                       in_padding=ex.in_padding)
            self.strip.clear_window()
        else:
            self._show_deep_field(self._infos[index].conv_field, row, col)
            self.strip.show_window(index - 1, ex.extent)
        self.pooled_grid.clear_window()
        self.feature_grid.clear_window()

    def _show_deep_field(self, field, row: int, col: int, pooled: bool = False) -> None:
        if field is None:
            self.input_view.clear_field()
            return
        r0, r1, c0, c1 = field_extent(field, row, col)
        self.input_view.show_field((math.floor(r0), math.ceil(r1), math.floor(c0),
                                    math.ceil(c1)), pooled=pooled, deep=not pooled)

    def hover_pooled(self, k: int, row: int, col: int) -> None:
        """Explain pooled map k at (row, col): its window on feature map k, and on the input."""
        index = self.shown_stage()
        stage = self._stage(index)
        if stage is None or index is None:
            return
        if stage.pooled is None:
            self._clear_hover()  # the newest stage has no pooling
            return
        try:
            ex = explain_pooled(stage.feature_maps, stage.spec, k, row, col)
        except ValueError:
            self._clear_hover()
            return
        self._hover = ("pooled", index, k, row, col)
        self.readout.show_pooled(ex, self._names(index, stage.feature_maps.shape[2])[k])
        marks = [ex.winner] if ex.winner is not None else []
        self.feature_grid.show_window(k, ex.extent, marks)
        self.strip.clear_window()
        self._show_deep_field(self._infos[index].pooled_field, row, col, pooled=True)

    def hover_strip(self, index: int, k: int, row: int, col: int) -> None:
        """A unit of any stage's output: its receptive field, and how it was made."""
        stage = self._stage(index)
        if stage is None:
            return
        if stage.pooled is None:
            self._explain_unit(index, k, row, col)
            return
        try:
            ex = explain_pooled(stage.feature_maps, stage.spec, k, row, col)
        except ValueError:
            return
        self._hover = ("strip", index, k, row, col)
        self.readout.show_pooled(ex, self._names(index, stage.feature_maps.shape[2])[k])
        self.feature_grid.clear_window()
        self.strip.clear_window()
        self._show_deep_field(self._infos[index].pooled_field, row, col, pooled=True)

    def _refresh_hover(self) -> None:
        """Explain the hovered unit again with the newest result."""
        if self._hover is None:
            return
        kind, index, k, row, col = self._hover
        if kind == "strip":
            self.hover_strip(index, k, row, col)
        elif index != self.shown_stage():
            self._clear_hover()
        elif kind == "feature":
            self.hover_feature(k, row, col)
        else:
            self.hover_pooled(k, row, col)

    def _clear_hover(self) -> None:
        self._hover = None
        self.readout.clear()
        self.input_view.clear_field()
        self.feature_grid.clear_window()
        self.strip.clear_window()

    # --- document → widgets -------------------------------------------------------------
    def _on_picture_changed(self, picture) -> None:
        source = None if picture is None else picture.source
        if source != self._source:  # a new picture: no readout of the old one stays
            self._source = source
            self._clear_hover()

    def _on_levels_changed(self, *_: object) -> None:
        mode = self.document.display.levels
        for m, button in self.level_buttons.items():
            with QSignalBlocker(button):
                button.setChecked(m == mode)
        self.limit_spin.setEnabled(mode == "fixed")
        self._update_clipped_label()

    def _on_fixed_limit_changed(self, *_: object) -> None:
        with QSignalBlocker(self.limit_spin):
            self.limit_spin.setValue(float(self.document.display.fixed_limit))

    def _on_show_pooled_changed(self, *_: object) -> None:
        with QSignalBlocker(self.pooled_check):
            self.pooled_check.setChecked(bool(self.document.display.show_pooled))
        self._update_pooled_visibility()

    def _on_cell_values_changed(self, *_: object) -> None:
        on = bool(self.document.display.cell_values)
        with QSignalBlocker(self.values_check):
            self.values_check.setChecked(on)
        for widget in (self.feature_grid, self.pooled_grid, self.input_view):
            widget.set_show_values(on)

    def _on_input_range_changed(self, *_: object) -> None:
        own = self.document.display.input_range == "own"
        with QSignalBlocker(self.stretch_button):
            self.stretch_button.setChecked(own)
        self.input_view.set_own_range(own)

    def _on_colour_map_changed(self, *_: object) -> None:
        scheme = self.document.display.colour_map
        with QSignalBlocker(self.grey_button):
            self.grey_button.setChecked(scheme == "grey")
        for grid in (self.feature_grid, self.pooled_grid):
            grid.set_colour_map(scheme)

    def _on_selected_filter_changed(self, *_: object) -> None:
        selected = self._selected_filter()
        self.feature_grid.set_selected(selected)
        self.pooled_grid.set_selected(selected)
        self._update_colorbar()

    def _on_selected_layer_changed(self, *_: object) -> None:
        self.strip.set_selected(self.document.selected_index)
        self._on_selected_filter_changed()

    def _on_stack_changed(self, *_: object) -> None:
        if len(self.document.stack) < 2:
            self.strip.hide()

    def _on_filters_changed(self, index: int) -> None:
        large = self._large()
        stage = self._stage(self.shown_stage())
        if large is None or stage is None or index != large.index:
            return
        # new names show at once; new weights arrive with the next result
        h, w, k = stage.feature_maps.shape
        names = self._names(index, k)
        self.feature_grid.set_titles([f"{n} · {shape_text((h, w))}" for n in names])
        if stage.pooled is not None:
            self.pooled_grid.set_titles([f"{n} · {shape_text(stage.pooled.shape[:2])}"
                                         for n in names])

    # --- widgets → document -------------------------------------------------------------
    def _on_level_button(self, mode: str) -> None:
        self.document.display.levels = mode

    def _on_limit_spin(self, value: float) -> None:
        self.document.display.fixed_limit = float(value)

    def _on_pooled_check(self, on: bool) -> None:
        self.document.display.show_pooled = bool(on)

    def _on_values_check(self, on: bool) -> None:
        self.document.display.cell_values = bool(on)

    def _on_stretch_button(self, on: bool) -> None:
        self.document.display.input_range = "own" if on else "full"

    def _on_grey_button(self, on: bool) -> None:
        self.document.display.colour_map = "grey" if on else "auto"

    def _on_closer_clicked(self) -> None:
        self.document.display.tab = "pooling"

    def _on_tile_clicked(self, k: int) -> None:
        index = self.shown_stage()
        if index is not None and index != self.document.selected_index:
            self.document.selection.layer = index
        self.document.selection.filter = int(k)

    def _on_stage_clicked(self, index: int) -> None:
        self.document.selection.layer = int(index)

    def cleanup(self) -> None:
        """Disconnect from the document (the main window calls this on close)."""
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        self._refresh_hover_soon.cancel()
