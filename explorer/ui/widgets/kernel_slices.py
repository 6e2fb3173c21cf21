"""A filter's weight volume, one channel slice at a time: numeric grids and small pictures.

A 3×3×3 filter over colour input is three 3×3 slices, one per input channel (the lecture's
``w0[:, :, 0]``, ``w0[:, :, 1]``, ``w0[:, :, 2]``), labelled R, G and B; gray input has one
slice. The grids are stacked so each gets the dock's whole width, which keeps a 15×15 slice
legible; the pictures sit in one row below, with the channel sum — what the filter does to a
gray picture — beside them.

A deeper layer sees the previous layer's maps, often more than three: its filter is then
shown as one picture per input map, in rows, each named after that map, and one numeric grid
for the map chosen (click a picture, or pick the map's name).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from explorer.ui.widgets.elided_combo import ElidedCombo
from explorer.ui.widgets.kernel_grid import WHEEL_HELP, KernelGrid, WeightCell, format_weight
from explorer.ui.widgets.kernel_image import KernelImage

CHANNEL_NAMES: dict[int, tuple[str, ...]] = {1: ("gray",), 3: ("R", "G", "B")}
MAX_GRIDS = 3  # more input maps than this: one grid for the chosen map, pictures for all
PICTURES_PER_ROW = 6  # as wide as an RGB filter's four pictures: the dock keeps its width
CHANNEL_COLOURS = {"R": "#c62828", "G": "#2e7d32", "B": "#1565c0"}


def channel_names(channels: int) -> tuple[str, ...]:
    """R, G, B for colour input, gray for one channel, c1, c2 … otherwise."""
    return CHANNEL_NAMES.get(channels, tuple(f"c{i + 1}" for i in range(channels)))


def sum_hint(total: float, scale: float) -> str:
    """What the weights' sum means for a flat (uniform) patch of the input."""
    if abs(total) <= 1e-6 * max(scale, 1e-12):
        return ("The weights sum to 0: a flat area gives 0 (+ bias); only changes such "
                "as edges respond.")
    if abs(total - 1.0) <= 1e-4:
        return "The weights sum to 1: a flat area keeps its brightness."
    text = format_weight(total, 3)
    return f"The weights sum to {text}: a flat area comes out {text} times as bright."


def _style_channel_label(label: QLabel, name: str) -> None:
    label.setText(name)
    colour = CHANNEL_COLOURS.get(name)
    label.setStyleSheet("font-weight: bold;" + (f" color: {colour};" if colour else ""))


def _channel_label(name: str) -> QLabel:
    label = QLabel(textFormat=Qt.TextFormat.PlainText)
    _style_channel_label(label, name)
    return label


def _short(name: str, length: int = 12) -> str:
    return name if len(name) <= length else name[:length - 1] + "…"


def _discard(widget: QWidget) -> None:
    """Take a widget out of its layout at once (so size hints are right) and delete it."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


class _ClickableImage(KernelImage):
    clicked = Signal()

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(event)


class KernelSlices(QWidget):
    """Editable grids for every channel slice of one filter, and its pictures."""

    edited = Signal(int, int, int, float)  # channel, row, col, new value
    rejected = Signal(str)  # why a typed text was not used

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shape: tuple[int, int, int] | None = None
        self._names: tuple[str, ...] = ()
        self._chosen = 0  # the input map whose grid is shown (deep filters)
        self._weights = np.zeros((1, 1, 1), np.float32)
        self._map_combo = ElidedCombo(minimum_chars=12)  # "map 3 · " and a name, maybe long
        self._map_combo.setToolTip("The input map whose weights the grid shows")
        self._map_combo.currentIndexChanged.connect(self._on_map_chosen)
        self._map_combo.hide()
        self._grids: list[KernelGrid] = []
        self._labels: list[QLabel] = []
        self._images: list[KernelImage] = []
        self._holders: list[QWidget] = []  # one per picture: the image and its caption
        self._sum_image: KernelImage | None = None

        self._grid_box = QWidget()
        self._grid_layout = QGridLayout(self._grid_box)
        self._grid_layout.setContentsMargins(0, 2, 0, 2)
        self._grid_layout.setHorizontalSpacing(3)
        self._grid_layout.setVerticalSpacing(6)
        self._grid_layout.setColumnStretch(0, 1)
        self._grid_layout.setColumnStretch(3, 1)
        # spare height goes below the last slice, never into gaps between the slices
        self._grid_layout.setRowStretch(MAX_GRIDS, 1)
        self._grid_box.installEventFilter(self)
        self._scroll = QScrollArea()
        self._scroll.setWidget(self._grid_box)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setToolTip(WHEEL_HELP)

        self._picture_box = QWidget()
        self._picture_layout = QHBoxLayout(self._picture_box)
        self._picture_layout.setContentsMargins(0, 0, 0, 0)
        self._picture_layout.setSpacing(6)
        self._picture_layout.addStretch(1)
        self._picture_layout.addStretch(1)  # the pictures go between these two
        self._deep_box = QWidget()  # a deep filter's pictures, in rows
        self._deep_layout = QGridLayout(self._deep_box)
        self._deep_layout.setContentsMargins(0, 0, 0, 0)
        self._deep_layout.setSpacing(3)
        self._deep_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._deep_box.hide()
        self._picture_box.setToolTip(
            "The weights as colours: red positive, blue negative, white zero, on one scale "
            "for the slices. Σ is the sum of the slices: what the filter does to a gray picture."
        )
        self._picture_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._sum_label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self._sum_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # two lines hold every hint at the dock's width; a fixed height keeps the slices from
        # growing, so spare height goes below the editor's controls
        self._sum_label.setFixedHeight(2 * self._sum_label.fontMetrics().lineSpacing() + 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self._deep_box)
        layout.addWidget(self._map_combo)
        layout.addWidget(self._scroll, 1)
        # the widget's maximum follows its parts (a capped scroll area, fixed pictures), so
        # the editor gives spare height to its bottom rather than to gaps in here
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinAndMaxSize)
        layout.addWidget(self._picture_box)
        layout.addWidget(self._sum_label)

    # --- reading (the editor's tests use these) ------------------------------------------
    @property
    def shape(self) -> tuple[int, int, int] | None:
        """(kh, kw, C) the grids are built for."""
        return self._shape

    def cell(self, channel: int, row: int, col: int) -> WeightCell:
        """The cell of input channel ``channel`` (a deep filter: the chosen map's grid)."""
        if self.deep:
            if channel != self._chosen:
                self.choose_map(channel)
            return self._grids[0].cell(row, col)
        return self._grids[channel].cell(row, col)

    @property
    def deep(self) -> bool:
        """More input maps than grids: one grid for the chosen map."""
        return self._shape is not None and self._shape[2] > MAX_GRIDS

    @property
    def chosen_map(self) -> int:
        return self._chosen

    def choose_map(self, channel: int) -> None:
        """Show input map ``channel``'s weights in the grid (deep filters)."""
        if not self.deep or self._shape is None:
            return
        channel = max(0, min(int(channel), self._shape[2] - 1))
        if self._map_combo.currentIndex() != channel:
            self._map_combo.setCurrentIndex(channel)  # calls back into _on_map_chosen
            return
        self._chosen = channel
        self._grids[0].set_values(self._weights[:, :, channel])
        _style_channel_label(self._labels[0], _short(self._names[channel]))
        for k, image in enumerate(self._images):
            image.setStyleSheet("border: 2px solid #ffbe28;" if k == channel else "")

    def _on_map_chosen(self, index: int) -> None:
        if index >= 0:
            self.choose_map(index)

    def channel_labels(self) -> list[str]:
        return [label.text() for label in self._labels]

    def images(self) -> list[KernelImage]:
        """One picture per channel slice, then the channel sum (colour input only)."""
        return self._images + ([self._sum_image] if self._sum_image else [])

    def sum_text(self) -> str:
        return self._sum_label.text()

    # --- writing -------------------------------------------------------------------------
    def set_volume(self, weights: np.ndarray, names: tuple[str, ...] | None = None) -> None:
        """Show a (kh, kw, C) filter; ``names`` name its input maps (R, G, B by default).

        Rebuilds the grids only when the shape or the names change."""
        w = np.asarray(weights, np.float32)
        names = tuple(names) if names is not None else channel_names(w.shape[2])
        if w.shape != self._shape or names != self._names:
            self._names = names
            self._reshape(*w.shape)
        self._weights = w
        limit = float(np.abs(w).max()) if w.size else 0.0  # one scale for every slice
        for ch, image in enumerate(self._images):
            image.set_kernel(w[:, :, ch], limit)
        if self.deep:
            self.choose_map(self._chosen)
        else:
            for ch, grid in enumerate(self._grids):
                grid.set_values(w[:, :, ch])
        total_plane = w.sum(axis=2)
        if self._sum_image is not None:
            self._sum_image.set_kernel(total_plane, float(np.abs(total_plane).max()))
        self._sum_label.setText(sum_hint(float(total_plane.sum()), float(np.abs(w).sum())))

    def _reshape(self, kernel_h: int, kernel_w: int, channels: int) -> None:
        """Grids for a new kernel shape, keeping the cells that stay (a 15×15 slice has 225)."""
        deep = channels > MAX_GRIDS
        grids = 1 if deep else channels
        for widget in (*self._grids[grids:], *self._labels[grids:]):
            _discard(widget)
        del self._grids[grids:], self._labels[grids:]
        for grid in self._grids:
            grid.set_shape(kernel_h, kernel_w)
        for ch in range(len(self._grids), grids):
            label = _channel_label("")
            grid = KernelGrid()
            grid.set_shape(kernel_h, kernel_w)
            grid.edited.connect(lambda r, c, v, ch=ch: self.edited.emit(
                self._chosen if self.deep else ch, r, c, v))
            grid.rejected.connect(self.rejected)
            # centred between two stretching columns; the label hugs its grid
            self._grid_layout.addWidget(label, ch, 1, Qt.AlignmentFlag.AlignTop)
            self._grid_layout.addWidget(grid, ch, 2, Qt.AlignmentFlag.AlignTop)
            for widget in (label, grid):
                widget.show()  # now, not by the layout's posted call: sizes must count it
            self._labels.append(label)
            self._grids.append(grid)
        for widget in (*self._grids, *self._labels):
            widget.updateGeometry()  # a kept grid's cached size is still its old shape's
        names = self._names
        self._shape = (kernel_h, kernel_w, channels)
        if deep:
            self._chosen = min(self._chosen, channels - 1)
            self._labels[0].setToolTip("The weights that multiply the chosen input map")
            self._build_deep_pictures(names)
            with QSignalBlocker(self._map_combo):
                self._map_combo.clear()
                for i, name in enumerate(names):
                    self._map_combo.addItem(f"map {i + 1} · {name}")
                self._map_combo.setCurrentIndex(self._chosen)
        else:
            self._chosen = 0
            for label, name in zip(self._labels, names, strict=True):
                _style_channel_label(label, name)
                label.setToolTip(f"The weights that multiply the {name} channel of the window")
            self._build_pictures(names)
        self._map_combo.setVisible(deep)
        self._deep_box.setVisible(deep)
        self._picture_box.setVisible(not deep)
        self._fit_scroll_height()

    def _build_deep_pictures(self, names: tuple[str, ...]) -> None:
        """One small picture per input map, in rows, each captioned with the map's name."""
        for holder in self._holders:
            _discard(holder)
        self._images, self._holders, self._sum_image = [], [], None
        for i, name in enumerate(names):
            image = _ClickableImage(side=34)
            image.setToolTip(f"map {i + 1} · {name}: click to edit these weights")
            image.clicked.connect(lambda i=i: self.choose_map(i))
            caption = QLabel(_short(name, 6), alignment=Qt.AlignmentFlag.AlignCenter,
                             textFormat=Qt.TextFormat.PlainText)
            font = caption.font()
            font.setPointSizeF(max(font.pointSizeF() * 0.75, 6))
            caption.setFont(font)
            column = QVBoxLayout()
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(0)
            column.addWidget(image, 0, Qt.AlignmentFlag.AlignHCenter)
            column.addWidget(caption)
            holder = QWidget()
            holder.setLayout(column)
            self._deep_layout.addWidget(holder, i // PICTURES_PER_ROW, i % PICTURES_PER_ROW)
            self._images.append(image)
            self._holders.append(holder)

    def _build_pictures(self, names: tuple[str, ...]) -> None:
        for holder in self._holders:
            _discard(holder)  # a holder takes its picture with it
        self._images, self._holders, self._sum_image = [], [], None
        side = 64 if len(names) > 1 else 72
        for name in names:
            self._add_picture(KernelImage(side=side), name)
        if len(names) > 1:
            self._sum_image = KernelImage(side=side)
            self._add_picture(self._sum_image, "Σ")

    def _fit_scroll_height(self) -> None:
        """No taller than the grids: spare height goes below the editor's controls instead."""
        self._grid_layout.activate()  # the size hint of the grids as they are now
        height = self._grid_box.sizeHint().height() + 2 * self._scroll.frameWidth()
        if self._scroll.maximumHeight() != height:
            self._scroll.setMaximumHeight(height)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # the grids' layout has just been redone (new cells shown, new cell sizes): its
        # height is known only now
        if obj is self._grid_box and event.type() == QEvent.Type.LayoutRequest:
            self._fit_scroll_height()
        return super().eventFilter(obj, event)

    def _add_picture(self, image: KernelImage, name: str) -> None:
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        caption = _channel_label(name)
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(image, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(caption)
        holder = QWidget()  # deleting the holder removes the picture and caption together
        holder.setLayout(column)
        self._picture_layout.insertWidget(self._picture_layout.count() - 1, holder)
        if image is not self._sum_image:
            self._images.append(image)
        self._holders.append(holder)
