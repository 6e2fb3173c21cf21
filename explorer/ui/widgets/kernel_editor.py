"""The kernel editor (right dock): the weights and bias of one filter, presets, and a library.

It edits the selected filter of the selected layer. Every edit goes straight to the document
(``document.filters``, the selected layer's bank); the editor redraws from the stack's
signals, so what it shows is always what the layer computes with. It never computes the
layer: the controller coalesces document events into one request.

Where an operation acts:

* typing or wheeling a weight: one cell of one channel slice, or the same cell of every slice
  when "Link channels" is on;
* Normalize, Negate, Randomize, Zero: the whole weight volume (all slices at once — Normalize
  makes the *volume's* weights sum to 1, so a flat gray area keeps its brightness);
* Transpose and Rotate: every channel slice the same way (a spatial turn of the window).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSignalBlocker, QSize, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core import kernel_io, kernels, safe_files
from explorer.state import MAX_FILTERS, Document, Filter, default_filter
from explorer.ui.widgets.banner import capitalised
from explorer.ui.widgets.elided_combo import ElidedCombo
from explorer.ui.widgets.kernel_slices import KernelSlices
from explorer.ui.widgets.plain_text import plain_tooltip

EDITED = " (edited)"
BIAS_LIMIT = 1000.0  # inputs are 0–255, so larger biases only blank the map
ERROR_STYLE = "color: #b71c1c;"
PREFERRED_WIDTH = 340


def default_library_path() -> Path:
    """``kernels.json`` in the application's data folder, which survives restarts."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(folder) / "kernels.json"


def _base_name(name: str) -> str:
    return name.removesuffix(EDITED)


def display_name(name: str) -> str:
    """A preset's label ("Sobel x", "Sobel x (edited)") for a filter named after it; other
    names as they are."""
    preset = kernels.PRESETS.get(_base_name(name))
    if preset is None:
        return name
    return preset.label + (EDITED if name.endswith(EDITED) else "")


def _edited(name: str) -> str:
    """The name of a filter changed by hand: it is no longer the preset it was named after."""
    return name if name.endswith(EDITED) else name + EDITED


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape)


class KernelEditor(QWidget):
    """Edit the selected filter's weights and bias; apply presets; save and load kernels."""

    message = Signal(str)  # a sentence for the status bar (also shown in the editor)

    def __init__(
        self, document: Document, library_path: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._library = kernels.KernelLibrary(
            library_path if library_path is not None else default_library_path())
        self._rng = np.random.default_rng()
        self._shown_names: list[str] = []

        self._build_filter_row()
        self._slices = KernelSlices()
        self._slices.edited.connect(self._on_cell_edited)
        self._slices.rejected.connect(lambda text: self._say(text, error=True))
        self._build_transform_buttons()
        self._tabs = QTabWidget()
        self._tabs.addTab(self._build_presets_tab(), "Presets")
        self._tabs.addTab(self._build_library_tab(), "My kernels")
        self._tabs.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        # messages quote kernel and file names: never read them as markup
        self._status = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self._status.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addLayout(self._filter_row)
        layout.addWidget(self._link)
        layout.addWidget(self._slices, 100)  # the grids first; spare height goes below
        layout.addLayout(self._buttons)
        layout.addWidget(self._tabs)
        layout.addWidget(self._status)
        layout.addStretch(1)

        self._connections: list[tuple[object, Callable]] = [
            (document.stack.filters_changed, self._on_filters_changed),
            (document.stack.layer_changed, self._on_layer_changed),
            (document.stack.changed, self._on_stack_changed),
            (document.selection.events.filter, self._on_selected_filter_changed),
            (document.selection.events.layer, self._on_selected_filter_changed),
            (document.input.events.grayscale, self._on_grayscale_changed),
            (document.source_changed, self.clear_note),
        ]
        for signal, slot in self._connections:
            signal.connect(slot)
        self._sync()
        self._library.remove_stale_temp_files()  # left by a save that was killed
        self.reload_library()

    # --- construction --------------------------------------------------------------------
    def _build_filter_row(self) -> None:
        self._filter_combo = ElidedCombo(minimum_chars=8)  # names can be long
        self._filter_combo.setToolTip("The filter to edit (its feature map is highlighted)")
        self._filter_combo.currentIndexChanged.connect(self._on_filter_combo_changed)
        self._bias = QDoubleSpinBox(decimals=2, singleStep=1.0, keyboardTracking=False)
        self._bias.setRange(-BIAS_LIMIT, BIAS_LIMIT)
        self._bias.setToolTip(
            "The bias b is added to every output of this filter: Σ(window ⊙ kernel) + b, "
            "before the activation. A negative bias makes ReLU keep only strong responses.")
        self._bias.valueChanged.connect(self._on_bias_changed)
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(QLabel("Filter"))
        row.addWidget(self._filter_combo, 1)
        row.addWidget(QLabel("bias"))
        row.addWidget(self._bias)
        self._filter_row = row
        self._link = QCheckBox("Link channels: edit R, G, B alike")
        self._link.setToolTip(
            "On: typing or wheeling a weight sets the same weight in every channel slice.\n"
            "Off: each channel slice is edited on its own.")

    def _build_transform_buttons(self) -> None:
        specs = [
            ("Normalize", self.normalize, "Scale the whole volume so its weights sum to 1 "
             "(a flat area keeps its brightness); an edge detector, whose weights sum to 0, "
             "is scaled so its positive weights sum to 1"),
            ("Negate", self.negate, "Flip the sign of every weight: an edge detector then "
             "responds to the opposite edge"),
            ("Transpose", self.transpose, "Swap rows and columns in every channel slice: a "
             "vertical-edge kernel becomes a horizontal one (square kernels only)"),
            ("Rotate 90° ↺", self.rotate90, "Turn every channel slice a quarter "
             "counter-clockwise (square kernels only)"),
            ("Randomize", self.randomize, "Random weights for the whole volume, as a network "
             "starts before training (He initialisation, std √(2 / (kh·kw·C)))"),
            ("Zero", self.zero, "Set every weight of the volume to 0"),
        ]
        self._buttons = QGridLayout()
        self._buttons.setSpacing(4)
        self._transform_buttons: dict[str, QPushButton] = {}
        for i, (text, slot, tip) in enumerate(specs):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            self._buttons.addWidget(button, i // 3, i % 3)
            self._transform_buttons[text] = button

    def _build_presets_tab(self) -> QWidget:
        self._preset_combo = QComboBox()
        for preset in kernels.PRESETS.values():
            self._preset_combo.addItem(preset.label, preset.name)
            self._preset_combo.setItemData(
                self._preset_combo.count() - 1, preset.description, Qt.ItemDataRole.ToolTipRole)
        self._preset_combo.currentIndexChanged.connect(self._on_preset_combo_changed)
        self._preset_text = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self._preset_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._preset_text.setMinimumHeight(3 * self.fontMetrics().lineSpacing())
        apply_one = QPushButton("Apply")
        apply_one.setToolTip("Give the selected filter this kernel (its bias stays)")
        apply_one.clicked.connect(lambda: self.apply_preset())
        apply_all = QPushButton("Apply to all")
        apply_all.setToolTip("Give every filter this kernel (their biases stay)")
        apply_all.clicked.connect(lambda: self.apply_preset_to_all())
        lecture = QPushButton("Lecture set")
        lecture.setToolTip("Every filter back to the lecture's starting kernels (vertical edge, "
                           "horizontal edge, Sobel x, Sobel y, …) with bias 0")
        lecture.clicked.connect(self.apply_lecture_set)
        buttons = QHBoxLayout()
        for button in (apply_one, apply_all, lecture):
            buttons.addWidget(button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._preset_combo)
        layout.addWidget(self._preset_text)
        layout.addLayout(buttons)
        layout.addStretch(1)  # the buttons stay under the description
        self._on_preset_combo_changed()
        return tab

    def _build_library_tab(self) -> QWidget:
        self._save_name = QLineEdit()
        self._save_name.setToolTip("The name to save the selected filter under (an existing "
                                   "kernel of that name is replaced)")
        self._save_name.returnPressed.connect(self._on_save_clicked)
        save = QPushButton("Save")
        save.setToolTip("Save the selected filter's weights and bias to your kernel library")
        save.clicked.connect(self._on_save_clicked)
        self._library_list = QListWidget()
        self._library_list.setToolTip("Your saved kernels; double-click one to load it")
        self._library_list.setMaximumHeight(6 * self.fontMetrics().lineSpacing())
        self._library_list.itemDoubleClicked.connect(
            lambda item: self.load_from_library(item.text()))
        load = QPushButton("Load")
        load.setToolTip("Give the selected filter the chosen saved kernel")
        load.clicked.connect(lambda: self._with_chosen(self.load_from_library))
        delete = QPushButton("Delete")
        delete.setToolTip("Remove the chosen kernel from your library")
        delete.clicked.connect(lambda: self._with_chosen(self.delete_from_library))
        self._set_aside = QPushButton("Rename the damaged file and start afresh")
        self._set_aside.setToolTip("Nothing is deleted: the file gets a .bad-<date> name")
        self._set_aside.clicked.connect(self.set_library_aside)
        self._set_aside.hide()

        top = QHBoxLayout()
        top.addWidget(self._save_name, 1)
        top.addWidget(save)
        bottom = QHBoxLayout()
        bottom.addWidget(load)
        bottom.addWidget(delete)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self._library_list)
        layout.addLayout(bottom)
        layout.addWidget(self._set_aside)
        return tab

    def sizeHint(self) -> QSize:
        """The right dock's designed width: room for a 15-wide slice and four pictures."""
        hint = super().sizeHint()
        return QSize(max(hint.width(), PREFERRED_WIDTH), hint.height())

    # --- reading (for the main window and tests) -----------------------------------------
    @property
    def slices(self) -> KernelSlices:
        return self._slices

    @property
    def library_path(self) -> Path:
        return self._library.path

    def selected_filter(self) -> int:
        """The document's selected filter, kept within the filters that exist."""
        return self._document.selected_filter()

    def library_names(self) -> list[str]:
        """The saved kernels listed in the editor."""
        return [self._library_list.item(i).text() for i in range(self._library_list.count())]

    def status_text(self) -> str:
        """The last message shown in the editor ("" when none)."""
        return self._status.text()

    # --- document → widgets --------------------------------------------------------------
    def _on_filters_changed(self, index: int) -> None:
        if index == self._document.selected_index:
            self._sync()

    def _on_layer_changed(self, index: int, name: str) -> None:
        # the bank has reshaped (kernel size, count), or a deeper layer's input maps changed
        if name in ("kernel_h", "kernel_w", "n_filters") and index in (
                self._document.selected_index, self._document.selected_index - 1):
            self._sync()

    def _on_selected_filter_changed(self, *_: object) -> None:
        self._sync()

    def _on_stack_changed(self) -> None:
        self.clear_note()  # a new stack (Reset, a session, Undo): old notes are moot
        self._sync()

    def _on_grayscale_changed(self, *_: object) -> None:
        self._sync()  # 3 ↔ 1 channel slices

    def _sync(self) -> None:
        """Show the document: filter list, the selected filter's weights and bias."""
        bank = self._document.filters
        names = bank.names()
        index = self.selected_filter()
        with QSignalBlocker(self._filter_combo):
            if names != self._shown_names:
                self._filter_combo.clear()
                for i, name in enumerate(names):
                    self._filter_combo.addItem(f"{i + 1} · {display_name(name)}")
                self._shown_names = names
            self._filter_combo.setCurrentIndex(index)
        if not len(bank):
            return
        chosen = bank[index]
        self._slices.set_volume(chosen.weights, self._input_names(bank.channels))
        with QSignalBlocker(self._bias):
            self._bias.setValue(chosen.bias)
        self._save_name.setPlaceholderText(display_name(chosen.name))
        preset_row = self._preset_combo.findData(_base_name(chosen.name))
        if preset_row >= 0:  # a filter named after a preset: offer that preset
            self._preset_combo.setCurrentIndex(preset_row)
        self._link.setVisible(bank.channels > 1)
        kh, kw = bank.kernel_shape
        for text in ("Transpose", "Rotate 90° ↺"):
            self._transform_buttons[text].setEnabled(kh == kw)

    def _input_names(self, channels: int) -> tuple[str, ...] | None:
        """The names of the maps the selected layer sees (None: the picture's channels)."""
        doc = self._document
        index = doc.selected_index
        if index == 0:
            return None
        names = doc.stack[index - 1].filters.names()
        if len(names) != channels:
            return None
        return tuple(display_name(n) for n in names)

    # --- widgets → document --------------------------------------------------------------
    def _on_filter_combo_changed(self, index: int) -> None:
        if index >= 0:
            self._document.selection.filter = index

    def _on_bias_changed(self, value: float) -> None:
        self._try(lambda: self._document.filters.set_bias(self.selected_filter(), value))

    def _on_cell_edited(self, channel: int, row: int, col: int, value: float) -> None:
        chosen = self._document.filters[self.selected_filter()]
        w = chosen.weights.copy()
        if self._link.isChecked():
            w[row, col, :] = value
        else:
            w[row, col, channel] = value
        self._set_weights(w, _edited(chosen.name))

    def _set_weights(self, weights: np.ndarray, name: str | None = None) -> bool:
        i = self.selected_filter()
        return self._try(lambda: self._document.filters.set_filter(i, weights, name=name))

    def _try(self, action: Callable[[], object]) -> bool:
        """Run a document edit; a ValueError becomes a message instead of a crash, and an
        edit that works takes away an earlier error message (it no longer applies)."""
        try:
            action()
        except ValueError as err:
            self._say(str(err), error=True)
            return False
        self.clear_error()
        return True

    def clear_error(self) -> None:
        if self._status.isVisible() and self._status.styleSheet() == ERROR_STYLE:
            self._status.hide()

    def clear_note(self, *_: object) -> None:
        """Forget the last note or error: what it spoke of has gone (undone, a new picture)."""
        self._status.clear()
        self._status.hide()

    def _say(self, text: str, error: bool = False) -> None:
        text = capitalised(text)
        self._status.setText(text)
        self._status.setStyleSheet(ERROR_STYLE if error else "")
        self._status.show()
        self.message.emit(text)

    # --- the transform buttons -----------------------------------------------------------
    def _transform(self, change: Callable[[np.ndarray], np.ndarray], name: str | None) -> None:
        chosen = self._document.filters[self.selected_filter()]
        self._set_weights(change(chosen.weights), name or _edited(chosen.name))

    def normalize(self) -> None:
        """The whole volume scaled to sum 1 (an edge detector: its positive weights to 1)."""
        self._transform(kernels.normalize, None)

    def negate(self) -> None:
        self._transform(kernels.negate, None)

    def transpose(self) -> None:
        """Every channel slice transposed (square kernels; a 3×5 would not fit the layer)."""
        if self._square_or_say("transposed"):
            self._transform(kernels.transpose, None)

    def rotate90(self) -> None:
        """Every channel slice turned a quarter counter-clockwise (square kernels)."""
        if self._square_or_say("rotated"):
            self._transform(kernels.rotate90, None)

    def randomize(self) -> None:
        self._transform(lambda w: kernels.randomize(w.shape, self._rng), "random")

    def zero(self) -> None:
        self._transform(np.zeros_like, "zero")

    def _square_or_say(self, verb: str) -> bool:
        kh, kw = self._document.filters.kernel_shape
        if kh == kw:
            return True
        self._say(f"a {kh}×{kw} kernel cannot be {verb} in place: it would become {kw}×{kh}; "
                  "make the kernel square first", error=True)
        return False

    # --- presets -------------------------------------------------------------------------
    def _on_preset_combo_changed(self, *_: object) -> None:
        preset = kernels.get(self._preset_combo.currentData())
        self._preset_text.setText(preset.description)
        self._preset_combo.setToolTip(preset.description)

    def _chosen_preset(self, name: str | None) -> kernels.KernelPreset:
        return kernels.get(name if name is not None else self._preset_combo.currentData())

    def apply_preset(self, name: str | None = None) -> None:
        """Give the selected filter a preset (the combo's when ``name`` is None)."""
        preset = self._chosen_preset(name)
        grown = self._make_room(preset.weights.shape[:2], preset.label)
        if self._set_weights(preset.weights, preset.name) and grown:
            self._say(grown)

    def apply_preset_to_all(self, name: str | None = None) -> None:
        """Give every filter the same preset; each keeps its bias."""
        preset = self._chosen_preset(name)
        grown = self._make_room(preset.weights.shape[:2], preset.label)
        bank = self._document.filters
        # the bank spreads the 2-D preset over the channels
        if self._try(lambda: bank.set_filters(
                [Filter(preset.name, preset.weights, bank[i].bias) for i in range(len(bank))])) \
                and grown:
            self._say(grown)

    def apply_lecture_set(self) -> None:
        """Every filter back to the lecture's starting presets, with bias 0."""
        bank = self._document.filters
        self._try(lambda: bank.set_filters([default_filter(bank, i) for i in range(len(bank))]))

    def _make_room(self, shape: tuple[int, int], label: str) -> str:
        """Grow the layer's kernels to hold a larger one whole (never cut it silently); returns
        what was done, or "" when it already fits."""
        kh, kw = self._document.filters.kernel_shape
        ph, pw = int(shape[0]), int(shape[1])
        if ph <= kh and pw <= kw:
            return ""
        new = (max(kh, ph), max(kw, pw))
        self._document.set_kernel_size(*new)
        return (f"the layer's kernels grew from {kh}×{kw} to {new[0]}×{new[1]} to hold the whole "
                f"{ph}×{pw} {label} (the other filters are padded with zeros; Ctrl+Z takes it "
                "back)")

    # --- kernel files --------------------------------------------------------------------
    def import_kernels(self, path: str | Path) -> bool:
        """Replace the selected layer's filters by those of a file (.npy, .npz, the library's
        .json, an ONNX model's first Conv); the count and kernel size follow the file."""
        doc = self._document
        index = doc.selected_index
        try:
            bank = kernel_io.read_kernels(path)
            channels = doc.stack.channels_into(index)
            if index == 0 and bank.channels in (1, 3):
                bank = bank.with_channels(channels)  # gray ↔ colour: as a preset is spread
            if bank.channels != channels:
                raise ValueError(f"these kernels are {bank.channels} deep, but layer "
                                 f"{index + 1} sees {channels} maps")
            if bank.count > MAX_FILTERS:
                raise ValueError(f"the file holds {bank.count} filters; a layer has at most "
                                 f"{MAX_FILTERS}")
        except ValueError as err:
            self._say(str(err), error=True)
            return False
        kh, kw = bank.weights.shape[1:3]
        layer = doc.selected_layer
        layer.settings.n_filters = bank.count
        doc.set_kernel_size(kh, kw)
        if not self._try(lambda: layer.filters.set_filters(
                [Filter(n, w, float(b)) for n, w, b in
                 zip(bank.names, bank.weights, bank.bias, strict=True)])):
            return False
        where = bank.source or Path(path).name
        self._say(f"{bank.count} kernels {kh}×{kw} from {where} are layer {index + 1}'s "
                  "filters now (Ctrl+Z takes them back)")
        return True

    def export_kernels(self, path: str | Path) -> Path | None:
        """Write the selected layer's filters (weights, biases, names) to .npy, .npz or .json."""
        bank = self._document.filters
        try:
            saved = kernel_io.write_kernels(path, kernel_io.KernelBank(
                bank.weights(), bank.biases(), tuple(bank.names())))
        except ValueError as err:
            self._say(str(err), error=True)
            return None
        self._say(f"saved layer {self._document.selected_index + 1}'s {len(bank)} kernels as "
                  f"{saved.name}")
        return saved

    # --- the user's library --------------------------------------------------------------
    def reload_library(self) -> bool:
        """List the saved kernels; a damaged file gives a message and is left untouched."""
        self._library_list.clear()
        try:
            saved = self._library.load()
        except kernels.LibraryError as err:
            self._set_aside.show()
            self._say(str(err), error=True)
            return False
        self._set_aside.hide()
        for kernel in saved.values():
            item = QListWidgetItem(kernel.name)
            tip = f"{_shape_text(kernel.weights.shape)}, bias {kernel.bias:g}"
            item.setToolTip(plain_tooltip(f"{tip}\n{kernel.description}"
                                          if kernel.description else tip))
            self._library_list.addItem(item)
        return True

    def save_to_library(self, name: str) -> bool:
        """Save the selected filter (weights and bias) as ``name``; True when saved."""
        name = name.strip()
        if not name:
            self._say("type a name for the kernel first", error=True)
            return False
        i = self.selected_filter()
        chosen = self._document.filters[i]
        description = (f"{_shape_text(chosen.weights.shape)}, saved from filter {i + 1} "
                       f"({display_name(chosen.name)})")
        try:
            self._library.save(kernels.UserKernel(name, chosen.weights, chosen.bias, description))
        except ValueError as err:  # LibraryError too: the file stays as it was
            self._say(str(err), error=True)
            return False
        self.reload_library()
        matches = self._library_list.findItems(name, Qt.MatchFlag.MatchExactly)
        if matches:
            self._library_list.setCurrentItem(matches[0])
        self._save_name.clear()
        self._say(f"saved “{name}” to your kernel library")
        return True

    def load_from_library(self, name: str) -> bool:
        """Give the selected filter the saved kernel ``name`` (weights, bias and name)."""
        try:
            saved = self._library.load()
        except kernels.LibraryError as err:
            self._say(str(err), error=True)
            return False
        kernel = saved.get(name)
        if kernel is None:
            self._say(f"there is no kernel named “{name}” in your library", error=True)
            return False
        weights = kernel.weights
        grown = self._make_room(weights.shape[:2], f"“{name}”")
        bank = self._document.filters
        if weights.ndim == 3 and weights.shape[2] != bank.channels:
            # a colour kernel on gray input (or back): its channel sum acts on the gray value
            weights = weights.sum(axis=2)
        i = self.selected_filter()
        if not self._try(lambda: bank.set_filter(i, weights, name=kernel.name)):
            return False
        self._try(lambda: bank.set_bias(i, kernel.bias))
        kh, kw = bank.kernel_shape
        if grown:
            self._say(grown)
        elif kernel.weights.shape[:2] != (kh, kw):
            self._say(f"“{name}” is {_shape_text(kernel.weights.shape[:2])}; it sits in the "
                      f"middle of the layer's {kh}×{kw} kernel, padded with zeros")
        else:
            self._say(f"loaded “{name}” into filter {i + 1}")
        return True

    def delete_from_library(self, name: str) -> bool:
        """Remove ``name`` from the library; True when it was there."""
        try:
            self._library.delete(name)
        except ValueError as err:
            self._say(str(err), error=True)
            return False
        self.reload_library()
        self._say(f"deleted “{name}” from your kernel library")
        return True

    def set_library_aside(self) -> Path | None:
        """Rename a damaged library file (nothing is lost) so a new library can start."""
        try:
            moved = self._library.set_aside()
        except OSError as err:
            cause = safe_files.describe_os_error(err, self._library.path)
            self._say(f"the damaged library could not be renamed ({cause})", error=True)
            return None
        except ValueError as err:  # another window is saving: the lock was not free
            self._say(str(err), error=True)
            return None
        self.reload_library()
        self._say(f"the damaged library was renamed to {moved.name}; new kernels go to a "
                  f"fresh {self._library.path.name}")
        return moved

    def _on_save_clicked(self) -> None:
        name = self._save_name.text().strip() or self._save_name.placeholderText()
        self.save_to_library(name)

    def _with_chosen(self, action: Callable[[str], bool]) -> None:
        item = self._library_list.currentItem()
        if item is None:
            self._say("choose a saved kernel in the list first", error=True)
            return
        action(item.text())

    # --- teardown ------------------------------------------------------------------------
    def cleanup(self) -> None:
        """Disconnect from the document (the main window calls this on close; idempotent)."""
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
