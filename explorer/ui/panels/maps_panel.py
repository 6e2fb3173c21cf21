"""The explorer's centre: input picture, feature maps, pooled maps and the hover readout.

The panel shows results it is handed (``show_result``); it never computes the layer. Hovering
a feature-map pixel draws its receptive field on the input and explains the dot product behind
it; hovering a pooled pixel draws its window on the feature map. Colour settings and the
selected filter live in ``document.display``; the panel reads and writes them there.
"""

from __future__ import annotations

import cv2
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSignalBlocker, Qt
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

from explorer.core.display import DisplayPlanes, MapStyle, shrink
from explorer.core.levels import map_levels
from explorer.core.pipeline import LayerResult
from explorer.core.readout import explain_pixel, explain_pooled, layer_padding
from explorer.state import LEVEL_MODES, Document
from explorer.ui.widgets.colormaps import MapLevels, lookup_table
from explorer.ui.widgets.input_view import InputView
from explorer.ui.widgets.map_grid import MapGrid
from explorer.ui.widgets.readout_view import ReadoutView, activation_label

__all__ = ["MapsPanel", "reduction_text"]

pg.setConfigOptions(imageAxisOrder="row-major")

LEVEL_LABELS = {"per_map": "per map", "shared": "shared", "fixed": "fixed"}
LEVEL_TIPS = {
    "per_map": "Each map spans its own range (up to all but its strongest 0.3 % of values): "
               "every map shows its detail.",
    "shared": "All maps share one colour range: compare how strongly each filter responds.",
    "fixed": "A fixed range (±limit): steady colours while the picture or kernel changes.",
}
POOL_NAMES = {"max": "Max pooling", "avg": "Average pooling"}
READOUT_MIN_HEIGHT = 240
HOVER_REFRESH_MS = 100
LEFT_MIN_WIDTH = 280
LEFT_SHARE = 0.36  # of the panel's width for the input and readout, until the user drags


def reduction_text(fm_shape: tuple[int, int], pooled_shape: tuple[int, int]) -> str:
    """How much a pooling shrank the maps: '240×320 → 120×160, 4× fewer values'."""
    (h, w), (ph, pw) = fm_shape, pooled_shape
    before, after = h * w, ph * pw
    text = f"{h}×{w} → {ph}×{pw}"
    if after == 0:
        return text
    ratio = before / after
    return text + f", {ratio:.3g}× fewer values"


def _planes(maps: np.ndarray) -> list[np.ndarray]:
    """(H, W, K) maps as K C-contiguous float32 planes, without a copy when possible.

    The engine lays maps out map by map, so each ``maps[:, :, k]`` is already a plane;
    interleaved maps (built by hand) are split by OpenCV in one pass.
    """
    maps = np.asarray(maps, dtype=np.float32)
    planes = [maps[:, :, k] for k in range(maps.shape[2])]
    if all(p.flags.c_contiguous for p in planes):
        return planes
    if maps.shape[2] == 1 or not maps.flags.c_contiguous:
        return [np.ascontiguousarray(p) for p in planes]
    return list(cv2.split(maps))


class MapsPanel(QWidget):
    """Input with receptive field, feature-map grid, pooled-map grid, hover readout."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._result: LayerResult | None = None
        self._levels: MapLevels | None = None
        self._hover: tuple[str, int, int, int] | None = None  # ("feature"|"pooled", k, r, c)
        # Live frames re-explain the hovered pixel at most ~10 times a second: repainting the
        # readout's tables costs several ms, and numbers changing faster cannot be read anyway.
        self._refresh_hover_soon = qthrottled(self._refresh_hover, timeout=HOVER_REFRESH_MS,
                                              parent=self)

        self.input_view = InputView()
        self.readout = ReadoutView()
        self.feature_grid = MapGrid(colorbar=True)
        self.pooled_grid = MapGrid()
        self.fm_caption = QLabel("feature maps")
        self.pooled_caption = QLabel(wordWrap=True)
        self._build_toolbar()
        self._build_layout()

        self.feature_grid.hovered.connect(self.hover_feature)
        self.pooled_grid.hovered.connect(self.hover_pooled)
        self.feature_grid.clicked.connect(self._on_tile_clicked)
        self.pooled_grid.clicked.connect(self._on_tile_clicked)
        self._connections = [
            (document.display.events.levels, self._on_levels_changed),
            (document.display.events.fixed_limit, self._on_fixed_limit_changed),
            (document.display.events.show_pooled, self._on_show_pooled_changed),
            (document.display.events.selected_filter, self._on_selected_filter_changed),
            (document.filters.changed, self._on_filters_changed),
        ]
        for signal, slot in self._connections:
            signal.connect(slot)
        self._on_levels_changed()
        self._on_fixed_limit_changed()
        self._on_show_pooled_changed()

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
        self.pooled_check = QCheckBox("pooled maps")
        self.pooled_check.toggled.connect(self._on_pooled_check)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(QLabel("Colour levels:"))
        for button in self.level_buttons.values():
            bar.addWidget(button)
        bar.addWidget(self.limit_spin)
        bar.addWidget(self.clipped_label)
        bar.addStretch(1)
        bar.addWidget(self.pooled_check)
        self._toolbar = bar

    def _build_layout(self) -> None:
        # the input gets the height its picture needs at the column's width; the readout
        # takes the rest (it grows with the kernel)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(2)
        left_layout.addWidget(self.input_view, 0)
        left_layout.addWidget(self.readout, 1)
        self.readout.setMinimumHeight(READOUT_MIN_HEIGHT)
        left.installEventFilter(self)
        self._left = left

        fm_box = QWidget()
        fm_layout = QVBoxLayout(fm_box)
        fm_layout.setContentsMargins(0, 0, 0, 0)
        fm_layout.setSpacing(2)
        fm_layout.addWidget(self.fm_caption)
        fm_layout.addWidget(self.feature_grid, 1)
        self.pooled_box = QWidget()
        pooled_layout = QVBoxLayout(self.pooled_box)
        pooled_layout.setContentsMargins(0, 0, 0, 0)
        pooled_layout.setSpacing(2)
        pooled_layout.addWidget(self.pooled_caption)
        pooled_layout.addWidget(self.pooled_grid, 1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(fm_box)
        right.addWidget(self.pooled_box)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)

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

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._split_by_user:
            width = self.splitter.width()
            left = max(LEFT_MIN_WIDTH, int(width * LEFT_SHARE))
            self.splitter.setSizes([left, max(width - left, 1)])

    def _on_splitter_moved(self, *_: object) -> None:
        self._split_by_user = True

    def eventFilter(self, obj, event) -> bool:
        if obj is self._left and event.type() == QEvent.Type.Resize:
            self._fit_input_height()
        return super().eventFilter(obj, event)

    def _fit_input_height(self) -> None:
        wanted = self.input_view.height_for_width(self._left.width())
        room = self._left.height() - READOUT_MIN_HEIGHT
        self.input_view.setMaximumHeight(max(min(wanted, room), 120) if wanted else 16777215)

    def export_targets(self) -> dict[str, QWidget]:
        """Parts of the panel File > Export view can picture."""
        return {"Input and receptive field": self.input_view, "Feature maps": self.feature_grid,
                "Pooled maps": self.pooled_grid, "Hover readout": self.readout}

    # --- results ------------------------------------------------------------------------
    @property
    def result(self) -> LayerResult | None:
        return self._result

    @property
    def map_levels(self) -> MapLevels | None:
        """The levels, colormap choice and clipped share of the maps on screen."""
        return self._levels

    def show_result(self, result: LayerResult) -> None:
        """Show a new layer result (cheap: reuses every tile; called for every live frame)."""
        self._result = result
        spec = result.request.layer
        maps = result.feature_maps
        h, w = maps.shape[:2]
        image = result.image
        shape_before = self.input_view.image_shape
        self.input_view.set_image(image, layer_padding(spec, image.shape[:2]))
        if self.input_view.image_shape != shape_before:
            self._fit_input_height()
        planes = _planes(maps)
        factor, shown = self._shown(self.feature_grid, planes, result.display)
        display = self.document.display
        coloured = self._coloured(result, shown)
        if coloured:  # the worker already took the levels and coloured the tiles
            levels = result.levels
        else:  # colour statistics from the shrunk planes: what is on screen, 4–16× cheaper
            levels = map_levels(shown, display.levels, display.fixed_limit)
        self._levels = levels
        names = self._names(len(planes))
        self.feature_grid.set_maps(planes, [f"{n} · {h}×{w}" for n in names],
                                   levels.levels, levels.signed, shown, factor,
                                   result.display.rgb if coloured else None)
        self.fm_caption.setText(self._fm_caption_text(result))
        self._update_colorbar()
        self._update_clipped_label()

        pooled = result.pooled
        if pooled is not None and display.show_pooled:
            ph, pw = pooled.shape[:2]
            # pooled values lie within their feature map's range: same colours, same bar
            pooled_planes = _planes(pooled)
            pooled_factor, pooled_shown = self._shown(self.pooled_grid, pooled_planes,
                                                      result.pooled_display)
            pooled_rgb = None
            if coloured and pooled_shown is result.pooled_display.planes:
                pooled_rgb = result.pooled_display.rgb
            self.pooled_grid.set_maps(pooled_planes, [f"{n} · {ph}×{pw}" for n in names],
                                      levels.levels, levels.signed, pooled_shown, pooled_factor,
                                      pooled_rgb)
            self.pooled_caption.setText(
                f"{POOL_NAMES.get(spec.pool_mode, spec.pool_mode)} {spec.pool_size}×"
                f"{spec.pool_size}, stride {spec.pool_stride}: "
                f"{reduction_text((h, w), (ph, pw))}")
        self._update_pooled_visibility()
        self.feature_grid.set_selected(self._selected())
        self.pooled_grid.set_selected(self._selected())
        if self._hover is not None:
            self._refresh_hover_soon()

    @staticmethod
    def _shown(grid: MapGrid, planes: list[np.ndarray],
               ready: DisplayPlanes | None) -> tuple[int, list[np.ndarray]]:
        """(factor, planes) as the grid shows them: the worker's, when shrunk rightly."""
        factor = grid.shrink_factor(planes[0].shape if planes else (0, 0))
        if ready is not None and ready.factor == factor and len(ready.planes) == len(planes):
            return factor, ready.planes
        return factor, [shrink(p, factor) for p in planes]

    def _coloured(self, result: LayerResult, shown: list[np.ndarray]) -> bool:
        """Whether the worker coloured exactly these planes in the document's level mode."""
        style = result.request.style
        display = self.document.display
        return (result.levels is not None and result.display is not None
                and result.display.rgb is not None and shown is result.display.planes
                and style is not None and style.levels == display.levels
                and style.fixed_limit == display.fixed_limit)

    def map_style(self) -> MapStyle:
        """How the worker should colour maps for this panel now."""
        display = self.document.display
        return MapStyle(display.levels, float(display.fixed_limit), lookup_table(True),
                        lookup_table(False))

    def display_tiles(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """Screen pixels of a feature-map tile and a pooled tile, for the compute worker."""
        feature, pooled = self.feature_grid.tile_pixels(), self.pooled_grid.tile_pixels()
        if feature is None:
            return None
        return (feature, pooled or feature)

    def _fm_caption_text(self, result: LayerResult) -> str:
        spec = result.request.layer
        kh, kw = spec.kernel_shape
        h, w = result.feature_maps.shape[:2]
        k = result.feature_maps.shape[2]
        return (f"{k} feature maps {h}×{w} · {kh}×{kw}×{spec.channels} kernels, "
                f"stride {spec.stride[0]}, {activation_label(spec.activation)}")

    def _names(self, k: int) -> list[str]:
        names = self.document.filters.names()
        return names if len(names) == k else [f"filter {i}" for i in range(k)]

    def _selected(self) -> int:
        return int(self.document.display.selected_filter)

    def _update_colorbar(self) -> None:
        if self._levels is None or not len(self._levels.levels):
            return
        mode = self.document.display.levels
        k = min(max(self._selected(), 0), len(self._levels.levels) - 1)
        lo, hi = self._levels.levels[k]
        if mode == "per_map":
            label = f"levels of {self._names(len(self._levels.levels))[k]}"
        else:
            label = "shared levels" if mode == "shared" else "fixed levels"
        self.feature_grid.set_colorbar((lo, hi), label)

    def _update_clipped_label(self) -> None:
        fixed = self.document.display.levels == "fixed"
        self.clipped_label.setVisible(fixed)
        if fixed and self._clipped_text() is not None:
            self.clipped_label.setText(self._clipped_text())

    def _clipped_text(self) -> str | None:
        if self._levels is None or self._levels.clipped is None:
            return None
        return f"{self._levels.clipped * 100:.1f} % clipped"

    def _update_pooled_visibility(self) -> None:
        result = self._result
        has_pooled = result is None or result.pooled is not None
        self.pooled_box.setVisible(bool(self.document.display.show_pooled and has_pooled))

    # --- hover --------------------------------------------------------------------------
    def hover_feature(self, k: int, row: int, col: int) -> None:
        """Explain feature map k at (row, col) and draw its receptive field on the input."""
        if self._result is None:
            return
        try:
            ex = explain_pixel(self._result, k, row, col)
        except ValueError:
            self._clear_hover()
            return
        self._hover = ("feature", k, row, col)
        self.readout.show_pixel(ex, self._names(self._result.feature_maps.shape[2])[k])
        dilated = any(d > 1 for d in self._result.request.layer.dilation)
        self.input_view.show_field(ex.extent, rows=ex.rows if dilated else None,
                                   cols=ex.cols if dilated else None, in_padding=ex.in_padding)
        self.pooled_grid.clear_window()
        self.feature_grid.clear_window()

    def hover_pooled(self, k: int, row: int, col: int) -> None:
        """Explain pooled map k at (row, col): its window on feature map k, and on the input."""
        result = self._result
        if result is None:
            return
        if result.pooled is None:
            self._clear_hover()  # the newest layer has no pooling
            return
        try:
            ex = explain_pooled(result.feature_maps, result.request.layer, k, row, col)
        except ValueError:
            self._clear_hover()
            return
        self._hover = ("pooled", k, row, col)
        self.readout.show_pooled(ex, self._names(result.feature_maps.shape[2])[k])
        marks = [ex.winner] if ex.winner is not None else []
        self.feature_grid.show_window(k, ex.extent, marks)
        # the pooled pixel sees the union of its window's receptive fields
        r0, r1, c0, c1 = ex.extent
        first = explain_pixel(result, k, r0, c0).extent
        last = explain_pixel(result, k, r1 - 1, c1 - 1).extent
        self.input_view.show_field((first[0], last[1], first[2], last[3]), pooled=True)

    def _refresh_hover(self) -> None:
        """Explain the hovered pixel again with the newest result."""
        if self._hover is None:
            return
        kind, k, row, col = self._hover
        if kind == "feature":
            self.hover_feature(k, row, col)
        else:
            self.hover_pooled(k, row, col)

    def _clear_hover(self) -> None:
        self._hover = None
        self.readout.clear()
        self.input_view.clear_field()
        self.feature_grid.clear_window()

    # --- document → widgets -------------------------------------------------------------
    def _on_levels_changed(self, *_: object) -> None:
        mode = self.document.display.levels
        for m, button in self.level_buttons.items():
            with QSignalBlocker(button):
                button.setChecked(m == mode)
        self.limit_spin.setEnabled(mode == "fixed")
        self._redisplay()

    def _on_fixed_limit_changed(self, *_: object) -> None:
        with QSignalBlocker(self.limit_spin):
            self.limit_spin.setValue(float(self.document.display.fixed_limit))
        self._redisplay()

    def _on_show_pooled_changed(self, *_: object) -> None:
        with QSignalBlocker(self.pooled_check):
            self.pooled_check.setChecked(bool(self.document.display.show_pooled))
        self._redisplay()

    def _on_selected_filter_changed(self, *_: object) -> None:
        self.feature_grid.set_selected(self._selected())
        self.pooled_grid.set_selected(self._selected())
        self._update_colorbar()

    def _on_filters_changed(self) -> None:
        if self._result is None:
            return
        # new names show at once; new weights arrive with the next result
        h, w, k = self._result.feature_maps.shape
        names = self._names(k)
        self.feature_grid.set_titles([f"{n} · {h}×{w}" for n in names])
        if self._result.pooled is not None:
            ph, pw = self._result.pooled.shape[:2]
            self.pooled_grid.set_titles([f"{n} · {ph}×{pw}" for n in names])

    def _redisplay(self) -> None:
        if self._result is not None:
            self.show_result(self._result)
        else:
            self._update_clipped_label()
            self._update_pooled_visibility()

    # --- widgets → document -------------------------------------------------------------
    def _on_level_button(self, mode: str) -> None:
        self.document.display.levels = mode

    def _on_limit_spin(self, value: float) -> None:
        self.document.display.fixed_limit = float(value)

    def _on_pooled_check(self, on: bool) -> None:
        self.document.display.show_pooled = bool(on)

    def _on_tile_clicked(self, k: int) -> None:
        self.document.display.selected_filter = int(k)

    def cleanup(self) -> None:
        """Disconnect from the document (the main window calls this on close)."""
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        self._refresh_hover_soon.cancel()
