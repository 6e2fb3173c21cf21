"""What a unit looks for: the digits that excite one channel most, and its dream.

Pick a conv layer and a channel (written to ``document.training``). On the left, the top-9: of
the 5,000 digits, the nine whose strongest unit of that channel is largest, each shown as the
patch that unit sees (its receptive field); click one to load its digit into the digit test.
On the right, the channel's dream: a picture grown from noise to excite the unit in the middle
of its map, animated while it forms.

The view draws what the Training tab's controller hands it (found on the tab's worker) and
tells it which patch was clicked (``patch_picked``); the controller also listens to the
Dream and Stop buttons.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.top_patches import TopPatches
from explorer.core.training import DreamStep
from explorer.state import Document
from explorer.ui.presentation_type import as_heading
from explorer.ui.widgets.digit_gallery import DigitGallery
from explorer.ui.widgets.digit_picture import DigitPicture

PATCH_TILE = 72


def _label(text: str = "") -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


class UnitsPanel(QWidget):
    """The unit's choice above; its top-9 and its dream side by side."""

    patch_picked = Signal(int)  # position in the top-9, best first

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.patches: TopPatches | None = None  # the top-9 on show
        self._filters: tuple[int, ...] = ()  # channels of each conv layer of the network
        self._build()
        self.show_settings()

    # --- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        self.layer_combo = QComboBox(toolTip="The conv layer whose channel is studied")
        self.layer_combo.currentIndexChanged.connect(self._on_layer_edited)
        self.channel_spin = QSpinBox(toolTip="The channel (feature map) of that layer, "
                                             "numbered as its kernels are")
        self.channel_spin.setKeyboardTracking(False)
        self.channel_spin.valueChanged.connect(self._on_channel_edited)
        self.note = _label()
        choice = QHBoxLayout()
        choice.addWidget(QLabel("Layer:"))
        choice.addWidget(self.layer_combo)
        choice.addSpacing(12)
        choice.addWidget(QLabel("Channel:"))
        choice.addWidget(self.channel_spin)
        choice.addSpacing(12)
        choice.addWidget(self.note, 1)

        self.gallery = DigitGallery(tile=PATCH_TILE)
        self.gallery.setFixedWidth(3 * (PATCH_TILE + 6))
        self.gallery.selected.connect(self.patch_picked)
        self.patches_title = _label()
        top_box = as_heading(QGroupBox("The 9 digits that excite it most"))
        top_layout = QVBoxLayout(top_box)
        top_layout.addWidget(self.patches_title)
        top_layout.addWidget(self.gallery, 0, Qt.AlignmentFlag.AlignHCenter)
        top_layout.addStretch(1)

        self.dream = DigitPicture(side=150)
        self.dream_title = _label()
        self.dream_button = QPushButton("Dream")
        self.dream_button.setToolTip("From faint noise, change the picture step by step to "
                                     "excite the unit in the middle of the channel's map")
        self.stop_button = QPushButton("Stop")
        dream_box = as_heading(QGroupBox("Its dream"))
        dream_layout = QVBoxLayout(dream_box)
        dream_layout.addWidget(self.dream_title)
        dream_layout.addWidget(self.dream, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.dream_button)
        buttons.addWidget(self.stop_button)
        dream_layout.addLayout(buttons)

        columns = QHBoxLayout()
        columns.addWidget(top_box, 0)
        columns.addWidget(dream_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(choice)
        layout.addLayout(columns, 1)

    # --- the user's edits go to the model -------------------------------------------------
    def _on_layer_edited(self, index: int) -> None:
        if index >= 0:
            self.document.training.unit_layer = index

    def _on_channel_edited(self, value: int) -> None:
        self.document.training.unit_channel = value - 1  # shown from 1, as the kernels are

    # --- the model is shown ---------------------------------------------------------------
    def set_layers(self, filters: tuple[int, ...]) -> None:
        """The network's conv layers, by their number of channels (none: no CNN to study)."""
        self._filters = tuple(filters)
        with QSignalBlocker(self.layer_combo):
            self.layer_combo.clear()
            for i, k in enumerate(filters):
                self.layer_combo.addItem(f"conv {i + 1} ({k} channels)")
        self.show_settings()

    def show_settings(self) -> None:
        """Put the layer and channel chosen into the controls (as far as the network has
        them: its controller keeps the document within them)."""
        settings = self.document.training
        enabled = bool(self._filters)
        layer = min(settings.unit_layer, len(self._filters) - 1) if enabled else 0
        with QSignalBlocker(self.layer_combo):
            self.layer_combo.setCurrentIndex(layer if enabled else -1)
        with QSignalBlocker(self.channel_spin):
            self.channel_spin.setRange(1, self._filters[layer] if enabled else 1)
            self.channel_spin.setValue(settings.unit_channel + 1)
        for widget in (self.layer_combo, self.channel_spin):
            widget.setEnabled(enabled)

    def clear_unit(self) -> None:
        """No unit to speak of (no network, or a perceptron)."""
        self.note.setText("")
        self.patches_title.setText("")

    def show_unit(self, layer: int, channel: int, field: int, count: int) -> None:
        """Say which unit is studied: conv ``layer``'s ``channel`` (both from 0), whose units
        see ``field``×``field`` pixels, over ``count`` digits."""
        self.note.setText(f"A unit of channel {channel + 1} of conv {layer + 1} sees "
                          f"{field}×{field} pixels of the digit (its receptive field).")
        self.patches_title.setText(f"Of the {count:,} digits, the 9 whose strongest unit of "
                                   "this channel is largest, best first: the patch that unit "
                                   "sees. Click one to test its digit.")

    def show_patches(self, patches: TopPatches | None, note: str = "") -> None:
        """The top-9 (None: ``note`` instead)."""
        self.patches = patches
        if patches is None:
            self.gallery.set_digits([], [], note)
        else:
            self.gallery.set_digits(list(patches.patches),
                                    [f"{v:.2f}" for v in patches.values], note)

    def show_dream(self, step: DreamStep | None, what: str = "", note: str = "") -> None:
        """The channel's dream as far as it has come (None: ``note``)."""
        if step is None:
            self.dream.set_picture(None, note)
            self.dream_title.setText("")
            return
        state = "done" if step.done else "forming"
        self.dream.set_picture(step.picture)
        self.dream_title.setText(f"{what}: step {step.step} of {step.steps} ({state}), the "
                                 f"unit gives {step.value:.2f}.")

    def show_running(self, dreaming: bool, can_dream: bool) -> None:
        self.dream_button.setEnabled(can_dream and not dreaming)
        self.stop_button.setEnabled(dreaming)
