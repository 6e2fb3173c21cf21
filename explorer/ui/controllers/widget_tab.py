"""A tab whose view still keeps its own settings: the picture handed to ``set_source``.

Transitional: each tab moves to a model in the document and a controller of its own; this
adapter lets the window treat the rest alike meanwhile.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from explorer.state import Document
from explorer.state.document import Picture
from explorer.ui.tab import TabController


class Tab(QWidget):
    """A tab view that still keeps its settings and runs its own work."""

    message = Signal(str)
    error = Signal(str)
    send_to_explorer = Signal(object)  # NamedStack

    title = "Tab"
    uses_layers = False

    def set_source(self, image: np.ndarray, name: str, live: bool) -> None:
        """The newest picture being explored; the default ignores it."""

    def cleanup(self) -> None:
        """Stop every worker and timer of the tab (idempotent)."""


class WidgetTab(TabController):
    """Wraps a widget with ``set_source(image, name, live)``, ``message``, ``error``,
    ``send_to_explorer`` and ``cleanup()``."""

    def __init__(self, document: Document, view: QWidget, key: str,
                 parent: QObject | None = None) -> None:
        super().__init__(document, parent)
        self.view = view
        self.key = key  # type: ignore[misc]
        self.title = view.title  # type: ignore[misc, attr-defined]
        self.uses_layers = getattr(view, "uses_layers", False)  # type: ignore[misc]
        for name in ("message", "error", "send_to_explorer"):
            signal = getattr(view, name, None)
            if signal is not None:
                signal.connect(getattr(self, name))

    def show_picture(self, picture: Picture | None, new_source: bool) -> None:
        if picture is not None:
            self.view.set_source(picture.image, picture.name, picture.live)  # type: ignore[attr-defined]

    def cleanup(self) -> None:
        super().cleanup()
        self.view.cleanup()  # type: ignore[attr-defined]
