"""File > Export animation…: where to, GIF, MP4 or numbered PNGs, at 1× or 2×, how fast."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from explorer.core.animation import FORMATS, MAX_FRAME_MS, MIN_FRAME_MS, targets
from explorer.ui import settings_io
from explorer.ui.dialog_folders import DialogFolders
from explorer.ui.step_frames import ANIMATION_SCALES, SLIDE_SIZE

FILE_FILTER = ("GIF animation (*.gif);;MP4 video (*.mp4);;"
               "Numbered PNG frames (*.png)")


class AnimationDialog(QDialog):
    """Choose the file (its suffix picks the format), the scale and the frame duration."""

    def __init__(self, frame_ms: int, steps: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self._steps = steps
        self._folders = DialogFolders(settings_io.settings())
        self.path_edit = QLineEdit(self._folders.path("animation", "step-through.gif"))
        self.path_edit.setMinimumWidth(360)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.scale_box = QComboBox()
        w, h = SLIDE_SIZE
        for s in ANIMATION_SCALES:
            self.scale_box.addItem(f"{s}× ({w * s}×{h * s})", s)
        self.frame_spin = QSpinBox(minimum=MIN_FRAME_MS, maximum=MAX_FRAME_MS, singleStep=100,
                                   suffix=" ms")
        self.frame_spin.setKeyboardTracking(False)
        self.frame_spin.setValue(frame_ms)
        self.contrast_box = QCheckBox("High contrast (white on black)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("File", row)
        form.addRow("Size", self.scale_box)
        form.addRow("Each step", self.frame_spin)
        form.addRow("", self.contrast_box)
        note = QLabel(f"{steps} frames, one a step; .png writes one numbered file a frame.",
                      wordWrap=True)
        form.addRow(note)
        form.addRow(buttons)

    def accept(self) -> None:
        """Save, after asking about the files that would be replaced: for numbered PNGs the
        frames themselves (``step-through_001.png`` …), not the name typed."""
        existing = self.replaced_files()
        if existing:
            listed = existing[0].name if len(existing) == 1 else \
                f"{existing[0].name} … {existing[-1].name} ({len(existing)} files)"
            answer = QMessageBox.question(
                self, "Replace files?", f"{listed} already exist{'s' if len(existing) == 1 else ''}"
                f" in {existing[0].parent.name or existing[0].parent}. Replace "
                f"{'it' if len(existing) == 1 else 'them'}?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().accept()

    def replaced_files(self) -> list[Path]:
        """The files the export would replace, as named on the disk."""
        if not self.path or Path(self.path).suffix.lower() not in FORMATS:
            return []  # refused with a message when the export starts
        return [p for p in targets(self.path, self._steps) if p.is_file()]

    def _browse(self) -> None:
        # no question here: accept() asks about the files really replaced (the frames)
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export animation", self.path_edit.text(), FILE_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self._folders.remember("animation", path)
            if not Path(path).suffix:
                path += "." + chosen.rsplit("*.", 1)[-1].rstrip(")")
            self.path_edit.setText(path)

    @property
    def path(self) -> str:
        return self.path_edit.text().strip()

    @property
    def scale(self) -> int:
        return int(self.scale_box.currentData())

    @property
    def frame_ms(self) -> int:
        return self.frame_spin.value()

    @property
    def presentation(self) -> bool:
        return self.contrast_box.isChecked()
