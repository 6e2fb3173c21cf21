"""The window's shortcuts work whatever has focus, number fields included.

A number field (a kernel cell, a spin box) would otherwise swallow Space, F, Ctrl+E and
Ctrl+Z: Space would type a space into a weight instead of freezing the live picture, Ctrl+Z
would undo the field's text instead of the last edit. Those keys mean nothing in a number, so
while a number field has focus they go to the window's actions. Text fields (names, the
sentence of the 1-D tab) keep every key.
"""

from __future__ import annotations

import contextlib

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
    """Lets ``window``'s shortcut keys through whichever number field has focus.

    The filter sits on the focused number field only, moved as focus moves: an application
    event filter would call into Python for every event of every widget, every paint and
    every live frame's signal included (docs/architecture.md, "Speed").
    """

    def __init__(self, window: QWidget, sequences: list[QKeySequence]) -> None:
        super().__init__(window)
        self._window = window
        self._keys = {seq[0].toCombined() for seq in sequences if not seq.isEmpty()}
        self._watched: QWidget | None = None
        app = QApplication.instance()
        app.focusChanged.connect(self._on_focus_changed)
        self._following = True  # connected to the application's focus changes
        self._on_focus_changed(None, app.focusWidget())

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        self._unwatch()
        if new is not None and _is_number_field(new) and new.window() is self._window:
            new.installEventFilter(self)
            self._watched = new

    def _unwatch(self) -> None:
        if self._watched is not None:
            with contextlib.suppress(RuntimeError):  # deleted while it had focus
                self._watched.removeEventFilter(self)
            self._watched = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        key_event: QKeyEvent = event  # type: ignore[assignment]
        combined = key_event.keyCombination().toCombined()
        if combined not in self._keys:
            return False
        event.ignore()  # not wanted by the field: the window's shortcut takes the key
        return True

    def remove(self) -> None:
        app = QApplication.instance()
        if app is not None and self._following:  # a window shut down twice asks twice
            app.focusChanged.disconnect(self._on_focus_changed)
        self._following = False
        self._unwatch()
