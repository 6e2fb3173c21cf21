"""The Pooling tab's view: a feature map before and after pooling, a zoom, storage and time.

It shows the map of the explorer's selected layer and filter (its Layer and Filter choosers
write ``document.selection``), and moves the zoom in ``document.pooling``; what it draws comes
from its controller (:mod:`explorer.ui.controllers.pooling`), coloured on the worker.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from explorer.core.pooling_study import BYTES_PER_VALUE, TIMING_REPEATS, PoolingStudy
from explorer.state import Document
from explorer.ui.presentation_type import as_caption, as_explanation
from explorer.ui.widgets.elided_combo import ElidedCombo
from explorer.ui.widgets.kernel_editor import display_name
from explorer.ui.widgets.pooling_pair import PoolingPair
from explorer.ui.widgets.pooling_zoom import PoolingZoomView
from explorer.ui.widgets.readout_view import activation_label
from explorer.ui.widgets.scroll_column import ScrollColumn

EXPLANATION = ("Pooling keeps one value of each window: the map gets smaller (less storage, "
               "less work for the next layer) at the price of the lesser values. Both maps "
               "below cover the same picture at the same scale; click either to look at its "
               "windows up close.")
POOL_NAMES = {"max": "Max pooling", "avg": "Average pooling"}
STORAGE_MIN_WIDTH = 280


def byte_text(count: int) -> str:
    """'4,915,200 bytes (4.7 MiB)': exact, and in a unit a reader can picture."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count:,} bytes ({count / size:.1f} {unit})"
    return f"{count:,} bytes"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 0.01 else f"{seconds * 1000:.1f} ms"


def storage_html(study: PoolingStudy) -> str:
    """The before/after table: shape, values, bytes and times, and how much pooling saved."""
    b, a = study.before, study.after
    spec = study.spec
    ratio = b.values / a.values if a.values else 0.0
    act = activation_label(spec.activation)
    rows = [
        ("maps (H×W×K)", "×".join(map(str, b.shape)), "×".join(map(str, a.shape))),
        ("values", f"{b.values:,}", f"{a.values:,}"),
        (f"storage ({BYTES_PER_VALUE} bytes each)", byte_text(b.bytes), byte_text(a.bytes)),
        ("made in", f"{ms(study.conv_seconds)} (conv + {act})",
         f"+ {ms(study.pool_seconds)} (pooling)"),
        ("the next layer takes", ms(study.next_before_seconds), ms(study.next_after_seconds)),
    ]
    cells = "".join(
        f"<tr><td>{name}</td><td align='right'>{x}</td><td align='right'>{y}</td></tr>"
        for name, x, y in rows)
    speedup = (study.next_before_seconds / study.next_after_seconds
               if study.next_after_seconds > 0 else 0.0)
    return (f"<table cellspacing='0' cellpadding='2'><tr><th></th><th align='right'>before "
            f"pooling</th><th align='right'>after</th></tr>{cells}</table>"
            f"<p>{ratio:.3g}× fewer values; the next layer runs {speedup:.1f}× faster on the "
            f"pooled maps. Timed on the worker as the layer was computed; the next layer is "
            f"{study.next_layer}, the fastest of {TIMING_REPEATS} runs.</p>")


class PoolingPanel(QWidget):
    """Layer and filter choosers, the two maps, the zoom, and the storage table."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.study: PoolingStudy | None = None
        intro = as_explanation(QLabel(EXPLANATION, wordWrap=True))
        self.layer_combo = QComboBox(toolTip="The layer whose pooling is studied (the "
                                             "explorer's selected layer)")
        self.layer_combo.activated.connect(self._on_layer_chosen)
        self.filter_combo = ElidedCombo(minimum_chars=12)  # names can be long
        self.filter_combo.setToolTip("The filter whose map is shown (the explorer's selected "
                                     "filter)")
        self.filter_combo.activated.connect(self._on_filter_chosen)
        self.caption = as_caption(QLabel(textFormat=Qt.TextFormat.PlainText, wordWrap=True))
        self.note = QLabel(textFormat=Qt.TextFormat.PlainText, wordWrap=True)
        self.note.setStyleSheet("color: #b71c1c;")
        self.note.hide()
        self.working = QLabel("computing…")
        self.working.hide()
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Layer"))
        controls.addWidget(self.layer_combo)
        controls.addWidget(QLabel("Filter"))
        controls.addWidget(self.filter_combo, 1)
        controls.addWidget(self.working)

        self.pair = PoolingPair()
        self.pair.zoom_moved.connect(self._on_zoom_moved)
        self.zoom_view = PoolingZoomView()
        self.zoom_caption = as_caption(QLabel(textFormat=Qt.TextFormat.PlainText,
                                           wordWrap=True))
        self.storage = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.storage.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.storage.setMinimumWidth(STORAGE_MIN_WIDTH)
        self.storage.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        zoom_box = QWidget()
        zoom_layout = QVBoxLayout(zoom_box)
        zoom_layout.setContentsMargins(0, 0, 0, 0)
        zoom_layout.addWidget(self.zoom_caption)
        zoom_layout.addWidget(self.zoom_view, 1)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(zoom_box)
        bottom.addWidget(ScrollColumn(self.storage))  # a small screen scrolls, never clips
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 2)
        bottom.setChildrenCollapsible(False)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.pair)
        split.addWidget(bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(intro)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)

    # --- model → widgets -------------------------------------------------------------------
    def show_settings(self) -> None:
        """Put the layers, the filters and the selection into the choosers."""
        doc = self.document
        with QSignalBlocker(self.layer_combo):
            self.layer_combo.clear()
            for i, layer in enumerate(doc.stack):
                mode = layer.settings.pool_mode
                pooling = "no pooling" if mode == "none" else \
                    f"{mode} {layer.settings.pool_size}×{layer.settings.pool_size}"
                self.layer_combo.addItem(f"{i + 1} ({pooling})")
            self.layer_combo.setCurrentIndex(doc.selected_index)
        with QSignalBlocker(self.filter_combo):
            self.filter_combo.clear()
            for i, name in enumerate(doc.filters.names()):
                self.filter_combo.addItem(f"{i + 1} · {display_name(name)}")
            self.filter_combo.setCurrentIndex(doc.selected_filter())

    def set_working(self, working: bool) -> None:
        self.working.setVisible(working)

    def show_note(self, text: str) -> None:
        """Say why there is nothing to show (a layer without pooling, a failed study)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))
        if text:
            self.clear()

    def clear(self) -> None:
        self.study = None
        self.pair.clear()
        self.zoom_view.clear()
        self.caption.clear()
        self.zoom_caption.clear()
        self.storage.clear()

    def show_result(self, study: PoolingStudy) -> None:
        self.study = study
        self.note.hide()
        self.set_working(False)
        spec, zoom = study.spec, study.zoom
        (h, w), (ph, pw) = study.feature_map.shape, study.pooled_map.shape
        names = self.document.stack[study.stage].filters.names() \
            if study.stage < len(self.document.stack) else []
        name = display_name(names[study.filter]) if study.filter < len(names) else \
            f"filter {study.filter + 1}"
        pool = POOL_NAMES.get(spec.pool_mode, spec.pool_mode)
        self.caption.setText(
            f"Layer {study.stage + 1}, filter {study.filter + 1} ({name}): {pool} "
            f"{spec.pool_size}×{spec.pool_size}, stride {spec.pool_stride}. Drawn at one "
            f"scale: a pooled cell is {spec.pool_stride} map cells wide.")
        self.pair.set_maps(study.feature_rgb, study.pooled_rgb, spec.pool_size,
                           spec.pool_stride, (f"before: {h}×{w}", f"after: {ph}×{pw}"),
                           (zoom.top, zoom.left, zoom.rows, zoom.cols))
        r0, c0 = zoom.origin
        ch, cw = zoom.cells.shape
        cells_rgb = study.feature_rgb[r0 : r0 + ch, c0 : c0 + cw]
        pooled_rgb = study.pooled_rgb[zoom.top : zoom.top + zoom.rows,
                                      zoom.left : zoom.left + zoom.cols]
        self.zoom_view.set_zoom(zoom, cells_rgb, pooled_rgb)
        kept = "the largest value, ringed, survives" if zoom.mode == "max" else \
            "their mean survives"
        self.zoom_caption.setText(
            f"Rows {r0}–{r0 + ch - 1}, columns {c0}–{c0 + cw - 1}: in each outlined window "
            f"{kept}.")
        self.storage.setText(storage_html(study))

    # --- widgets → model -------------------------------------------------------------------
    def _on_layer_chosen(self, index: int) -> None:
        self.document.selection.layer = int(index)

    def _on_filter_chosen(self, index: int) -> None:
        self.document.selection.filter = int(index)

    def _on_zoom_moved(self, row: int, col: int) -> None:
        settings = self.document.pooling
        settings.update({"zoom_row": int(row), "zoom_col": int(col)})
