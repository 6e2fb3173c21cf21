"""A message strip over the maps: what went wrong, and a way to try again.

A message stays until the user dismisses it, or until what it is about is mended: a
computation that failed or was stopped is mended by a good result of newer settings, a live
source's fault by leaving the live source. A file that could not be read is mended by
nothing: its message stays until read and dismissed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

STYLE = (
    "#banner { background: #fff3cd; border: 1px solid #ffe69c; border-radius: 4px; }"
    "#banner QLabel { color: #664d03; }"
)


def capitalised(message: str) -> str:
    """A core message with a capital first letter, unless it starts with a file name (the
    kernel… → The kernel…, but never photo.png → Photo.png, another file's name)."""
    if message.split(" ", 1)[0].isalpha():
        return message[:1].upper() + message[1:]
    return message


def sentence(message: str) -> str:
    """A core message as a sentence: capital first letter, closing full stop."""
    message = capitalised(message.strip())
    if not message:
        return message
    return message if message[-1] in ".!?" else message + "."


class Banner(QFrame):
    """A dismissable warning with an optional action button (e.g. "Retry")."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="banner")
        self.setStyleSheet(STYLE)
        # messages quote file and kernel names: never read them as markup
        self._label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self._action = QPushButton()
        self._action.hide()
        self._callback: Callable[[], object] | None = None
        self.mended_by = ""  # what makes the message out of date; "" for nothing
        self._action.clicked.connect(self._on_action_clicked)
        close = QPushButton("Dismiss", flat=True)
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._action)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str, action: str = "",
                     callback: Callable[[], object] | None = None, mended_by: str = "") -> None:
        """Show ``text`` (and a button ``action`` that calls ``callback``) until dismissed,
        or until :meth:`mend` is called with ``mended_by``."""
        self.mended_by = mended_by
        self._label.setText(text)
        self._callback = callback
        self._action.setText(action)
        self._action.setVisible(bool(action and callback))
        self.show()

    def dismiss(self) -> None:
        self.mended_by = ""
        self.hide()

    def mend(self, what: str) -> None:
        """``what`` happened (e.g. "result"): take away a message it makes out of date."""
        if what and self.mended_by == what:
            self.dismiss()

    def text(self) -> str:
        return self._label.text()

    def action_text(self) -> str:
        return self._action.text() if self._action.isVisible() else ""

    def trigger(self) -> None:
        """Press the action button (tests, keyboard)."""
        self._on_action_clicked()

    def _on_action_clicked(self) -> None:
        callback = self._callback
        self.dismiss()
        if callback is not None:
            callback()
