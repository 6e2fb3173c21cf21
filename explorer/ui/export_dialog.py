"""File > Export view…: which part of the window, at which resolution, to which file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from explorer.ui.export import SCALES


class ExportDialog(QDialog):
    """Choose a panel, a scale (1×/2×/3×) and a PNG file."""

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
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Picture of", self.target_box)
        form.addRow("Resolution", self.scale_box)
        form.addRow("File", row)
        form.addRow(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export view", self.path_edit.text(),
                                              "PNG image (*.png)")
        if path:
            self.path_edit.setText(path)

    @property
    def target(self) -> str:
        return self.target_box.currentText()

    @property
    def scale(self) -> int:
        return int(self.scale_box.currentData())

    @property
    def path(self) -> str:
        return self.path_edit.text().strip()
