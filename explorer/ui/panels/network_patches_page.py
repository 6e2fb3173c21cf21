"""The Network tab's "Top-9 patches" page: what excites one channel of the layer on show.

The nine pictures whose strongest unit of the channel is largest, best first, each as the
patch that unit sees (its receptive field in the 224×224 picture the network saw), over the
bundled sample pictures and the pictures of the current source (a live feed's frames as they
come). Found on the tab's worker and updated with every picture; a click opens the patch's
picture. The page writes the layer and the channel to ``document.network``.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from explorer.core.network.architecture import LAYERS
from explorer.core.network.patch_pool import PoolPatches
from explorer.state import Document
from explorer.ui.widgets.patch_grid import PatchGrid
from explorer.ui.widgets.steady_label import SteadyLabel

WAITING = "Searching the pictures…"
SCORING = ("Each picture is scored by the channel's strongest unit (its largest value "
           "anywhere in the feature map); shown is the patch of the picture that unit sees.")
HOW = f"{SCORING} Click a patch to open its picture."


def patches_title(patches: PoolPatches, field: int) -> str:
    return (f"{patches.layer}, channel {patches.channel}: the {len(patches.top)} pictures that "
            f"excite it most, each as the {field}×{field} patch its strongest unit sees")


def searched(patches: PoolPatches) -> str:
    frames = patches.frames
    source = f" and {frames} picture{'s' if frames != 1 else ''} seen in this tab" \
        if frames else ""
    return f"Searched {patches.samples} sample pictures{source}."


class PatchesPage(QWidget):
    """See the module docstring. ``layer_chosen`` goes to the panel, which owns the rule for
    a new layer; ``patch_chosen(i)`` when patch ``i`` is clicked."""

    layer_chosen = Signal(str)
    patch_chosen = Signal(int)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.layer_combo = QComboBox()
        for layer in LAYERS:
            self.layer_combo.addItem(layer.name, layer.name)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_index)
        self.channel = QSpinBox()
        self.channel.setKeyboardTracking(False)  # "1" on the way to "12" is no choice
        self.channel.setRange(0, 0)
        self.channel.valueChanged.connect(self._on_channel)
        self.title = SteadyLabel(WAITING, lines=2)
        self.grid = PatchGrid()
        self.grid.chosen.connect(self.patch_chosen)
        self.note = QLabel(HOW)
        self.note.setWordWrap(True)
        self.searched = QLabel()

        row = QHBoxLayout()
        row.addWidget(QLabel("Layer"))
        row.addWidget(self.layer_combo)
        row.addSpacing(12)
        row.addWidget(QLabel("Channel"))
        row.addWidget(self.channel)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.title)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.searched)
        layout.addWidget(self.note)

    def _on_layer_index(self, index: int) -> None:
        name = self.layer_combo.itemData(index)
        if name is not None:
            self.layer_chosen.emit(name)

    def _on_channel(self, value: int) -> None:
        self.document.network.patch_channel = int(value)

    def set_channels(self, count: int) -> None:
        """The layer on show has ``count`` channels."""
        with QSignalBlocker(self.channel):
            self.channel.setRange(0, max(0, count - 1))
            self.channel.setSuffix(f" of 0–{count - 1}")
        self.show_settings()

    def show_settings(self) -> None:
        s = self.document.network
        with QSignalBlocker(self.layer_combo):
            self.layer_combo.setCurrentIndex(max(0, self.layer_combo.findData(s.layer)))
        with QSignalBlocker(self.channel):
            self.channel.setValue(min(s.patch_channel, self.channel.maximum()))

    def show_patches(self, patches: PoolPatches | None, field: int = 0) -> None:
        if patches is None:
            self.grid.set_patches([], [], WAITING)
            self.title.setText(WAITING)
            self.searched.setText("")
            return
        top = patches.top
        captions = [f"{i + 1}. {seen.name} · {value:.3g}"
                    for i, (seen, value) in enumerate(zip(patches.pictures, top.values,
                                                          strict=True))]
        self.grid.set_patches(list(top.patches), captions)
        self.title.setText(patches_title(patches, field))
        self.searched.setText(searched(patches))
