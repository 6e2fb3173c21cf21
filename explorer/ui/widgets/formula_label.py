"""A label for a worked formula that turns into a plain-words warning when the numbers fail."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

# Readable on light and dark palettes alike.
WARNING_STYLE = "color: #d9480f; font-weight: 600;"


class FormulaLabel(QLabel):
    """Shows ``o = … = 240``, or, when the settings cannot work, why not in a warning colour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._problem = False

    @property
    def is_problem(self) -> bool:
        """True while the label shows a warning instead of a formula."""
        return self._problem

    def show_formula(self, text: str) -> None:
        self._set(text, problem=False)

    def show_problem(self, text: str) -> None:
        self._set(text, problem=True)

    def _set(self, text: str, *, problem: bool) -> None:
        if problem != self._problem:
            self._problem = problem
            self.setStyleSheet(WARNING_STYLE if problem else "")
        self.setText(text)
