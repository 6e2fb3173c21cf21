"""File > Export view…: which part of the window, at which resolution, in which theme, to which
file.

The dialog closes only on a path the export can write: a picture suffix (PNG, JPEG, BMP, TIFF,
WebP), not a folder, in a folder that exists; replacing an existing file is asked first. It
starts in the folder of the last export (else the user's Pictures folder) with the last part,
resolution and theme chosen, and names the file after the part until the user types a name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
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
    QWidget,
)

from explorer.core.images import SAVE_SUFFIXES
from explorer.ui.dialog_folders import DialogFolders
from explorer.ui.export import FILE_FILTER, SCALES, check_export_path
from explorer.ui.widgets.banner import sentence

ERROR_STYLE = "color: #b71c1c;"
THEME_ITEMS = (("dark", "dark, as on screen"), ("light", "light, for slides"))
THEME_TIP = ("The feature maps, pooled maps and every stage are drawn with a colour bar and its "
             "numbers under each map, on a dark page or a white one")
NO_THEME_TIP = "Only pictures of maps have a light theme; this part is exported as it looks"


def file_name_for(target: str, suffix: str = ".png") -> str:
    """A file name from an export target: 'Feature maps' → 'feature-maps.png'."""
    stem = re.sub(r"[^a-z0-9]+", "-", target.lower()).strip("-") or "cnn-explorer"
    return stem + suffix


class ExportDialog(QDialog):
    """Choose a panel, a scale (1×/2×/3×), a theme for maps and a picture file.

    ``folders`` gives the start folder and remembers the choices (none without a store);
    ``slide_targets`` are the targets drawn as slides, which can take the light theme.
    """

    def __init__(self, targets: list[str], parent: QWidget | None = None, *,
                 folders: DialogFolders | None = None,
                 slide_targets: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export view")
        self._folders = folders or DialogFolders(None)
        self._slide_targets = set(slide_targets)
        self.target_box = QComboBox()
        self.target_box.addItems(targets)
        remembered = self.target_box.findText(self._folders.value("export/target", ""))
        if remembered >= 0:
            self.target_box.setCurrentIndex(remembered)
        self.scale_box = QComboBox()
        for s in SCALES:
            self.scale_box.addItem(f"{s}× ({'screen' if s == 1 else 'slides'})", s)
        scale = self.scale_box.findData(_whole(self._folders.value("export/scale", "2")))
        self.scale_box.setCurrentIndex(scale if scale >= 0 else 1)
        self.theme_box = QComboBox()
        for key, label in THEME_ITEMS:
            self.theme_box.addItem(label, key)
        theme = self.theme_box.findData(self._folders.value("export/theme", "dark"))
        self.theme_box.setCurrentIndex(max(theme, 0))
        suffix = self._folders.value("export/suffix", ".png")
        self._suffix = suffix if suffix in SAVE_SUFFIXES else ".png"
        self._named_by_user = False  # until then the file is named after the target
        self.path_edit = QLineEdit(self._folders.path(
            "export", file_name_for(self.target_box.currentText(), self._suffix)))
        # room for a whole path, and for a message under it without wrapping it thrice
        self.path_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("x" * 48))
        self.path_edit.setToolTip("The suffix picks the format: .png, .jpg, .bmp, .tif or .webp")
        self.path_edit.textEdited.connect(self._on_path_edited)
        self._confirmed = ""  # a path whose replacement the file chooser already confirmed
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.problem = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.hide()
        self.confirm_box: QMessageBox | None = None  # while "Replace it?" is asked
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Picture of", self.target_box)
        form.addRow("Resolution", self.scale_box)
        form.addRow("Maps on a page", self.theme_box)
        form.addRow("File", row)
        form.addRow(self.problem)
        form.addRow(buttons)
        self.target_box.currentTextChanged.connect(self._on_target_changed)
        self._on_target_changed(self.target_box.currentText())

    def _on_target_changed(self, target: str) -> None:
        slide = target in self._slide_targets
        self.theme_box.setEnabled(slide)
        self.theme_box.setToolTip(THEME_TIP if slide else NO_THEME_TIP)
        if not self._named_by_user:
            current = Path(self.path_edit.text())
            suffix = current.suffix.lower() if current.suffix.lower() in SAVE_SUFFIXES \
                else self._suffix
            self.path_edit.setText(str(current.with_name(file_name_for(target, suffix))))
            self._confirmed = ""

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export view", self.path_edit.text(),
                                              FILE_FILTER)
        if path:
            self.path_edit.setText(path)
            self._confirmed = path  # the file chooser asked before choosing an existing file
            self._named_by_user = True
            self.problem.hide()

    def _on_path_edited(self, _text: str) -> None:
        self._confirmed = ""
        self._named_by_user = True
        self.problem.hide()

    def accept(self) -> None:
        """Close only on a path that can be written, and never replace a file unasked."""
        path = self.path
        try:
            target = check_export_path(path)
        except ValueError as exc:
            self._show_problem(str(exc))
            return
        if target.exists() and path != self._confirmed and not self._replace_confirmed(target):
            return
        self._remember(target)
        super().accept()

    def _remember(self, target: Path) -> None:
        folders = self._folders
        folders.remember("export", target)
        folders.set_value("export/target", self.target)
        folders.set_value("export/scale", str(self.scale))
        folders.set_value("export/theme", self.theme_box.currentData())
        if target.suffix.lower() in SAVE_SUFFIXES:
            folders.set_value("export/suffix", target.suffix.lower())

    def _replace_confirmed(self, target: Path) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, "Replace the file?",
                          f"{target.name} already exists. Replace it?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # a file name is never markup
        box.setDefaultButton(QMessageBox.StandardButton.No)
        self.confirm_box = box
        try:
            answer = box.exec()
        finally:
            self.confirm_box = None
            box.deleteLater()
        return answer == QMessageBox.StandardButton.Yes

    def _show_problem(self, text: str) -> None:
        self.problem.setText(sentence(text))  # a file name keeps its case
        self.problem.show()
        self.adjustSize()  # the dialog grows to show the whole message

    @property
    def target(self) -> str:
        return self.target_box.currentText()

    @property
    def scale(self) -> int:
        return int(self.scale_box.currentData())

    @property
    def theme(self) -> str:
        """"dark" or "light"; always "dark" for a part that is exported as it looks."""
        if not self.theme_box.isEnabled():
            return "dark"
        return str(self.theme_box.currentData())

    @property
    def path(self) -> str:
        return self.path_edit.text().strip()


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0
