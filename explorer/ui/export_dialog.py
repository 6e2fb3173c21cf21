"""File > Export view…: which part of the window, at which resolution, to which file.

The dialog closes only on a path the export can write: a picture suffix (PNG, JPEG, BMP, TIFF,
WebP), not a folder, in a folder that exists; replacing an existing file is asked first.
"""

from __future__ import annotations

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

from explorer.ui.export import FILE_FILTER, SCALES, check_export_path
from explorer.ui.widgets.banner import sentence

ERROR_STYLE = "color: #b71c1c;"


class ExportDialog(QDialog):
    """Choose a panel, a scale (1×/2×/3×) and a picture file."""

    def __init__(self, targets: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export view")
        self.target_box = QComboBox()
        self.target_box.addItems(targets)
        self.scale_box = QComboBox()
        for s in SCALES:
            self.scale_box.addItem(f"{s}× ({'screen' if s == 1 else 'slides'})", s)
        self.scale_box.setCurrentIndex(1)
        self.path_edit = QLineEdit(str(Path.home() / "cnn-explorer.png"))
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
        form.addRow("File", row)
        form.addRow(self.problem)
        form.addRow(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export view", self.path_edit.text(),
                                              FILE_FILTER)
        if path:
            self.path_edit.setText(path)
            self._confirmed = path  # the file chooser asked before choosing an existing file
            self.problem.hide()

    def _on_path_edited(self, _text: str) -> None:
        self._confirmed = ""
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
        super().accept()

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
    def path(self) -> str:
        return self.path_edit.text().strip()
