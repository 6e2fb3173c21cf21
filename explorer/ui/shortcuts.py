"""The window's shortcuts work whatever has focus, number fields included.

A number field (a kernel cell, a spin box) would otherwise swallow Space, F, Ctrl+E and
Ctrl+Z: Space would type a space into a weight instead of freezing the live picture, Ctrl+Z
would undo the field's text instead of the last edit. Those keys mean nothing in a number, so
while a number field has focus they go to the window's actions. Text fields (names, the
sentence of the 1-D tab) keep every key.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QWidget

from explorer.ui.widgets.kernel_grid import WeightCell


def _is_number_field(widget: QObject | None) -> bool:
    if isinstance(widget, WeightCell | QAbstractSpinBox):
        return True
    parent = widget.parent() if isinstance(widget, QWidget) else None
    return isinstance(parent, QAbstractSpinBox)  # a spin box's own line edit


class WindowShortcuts(QObject):
    """An application event filter letting ``window``'s shortcut keys through number fields."""

    def __init__(self, window: QWidget, sequences: list[QKeySequence]) -> None:
        super().__init__(window)
        self._window = window
        self._keys = {seq[0].toCombined() for seq in sequences if not seq.isEmpty()}
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not _is_number_field(obj):
            return False
        if not isinstance(obj, QWidget) or obj.window() is not self._window:
            return False
        key_event: QKeyEvent = event  # type: ignore[assignment]
        combined = key_event.keyCombination().toCombined()
        if combined not in self._keys:
            return False
        event.ignore()  # not wanted by the field: the window's shortcut takes the key
        return True

    def remove(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

