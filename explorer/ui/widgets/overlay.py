"""Strips that float over the bottom edge of a widget, outside its layout.

A message or a busy bar placed in the layout above the maps pushes them down when it shows
and back up when it hides: the maps are resized, and a resize asks for maps made for the new
size, whose result would replace the one the message is about (a Cancel undone at once, a
fault hidden before it is read). Floating over the host's bottom edge, the strips cover a
little of the page while they show and never change its size.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QVBoxLayout, QWidget

MARGIN = 6  # px between the strips and the host's edges


class BottomOverlay(QWidget):
    """Shows ``strips`` (each shown and hidden by its owner) over ``host``'s bottom edge,
    as wide as the host; hidden while none of them is shown."""

    def __init__(self, host: QWidget, strips: Sequence[QWidget]) -> None:
        super().__init__(host)
        self._host = host
        self._strips = tuple(strips)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        for strip in self._strips:
            layout.addWidget(strip)
            strip.installEventFilter(self)
        host.installEventFilter(self)
        self.hide()
        self._place()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        host_resized = obj is self._host and kind == QEvent.Type.Resize
        strip_toggled = obj in self._strips and kind in (QEvent.Type.ShowToParent,
                                                          QEvent.Type.HideToParent)
        if host_resized or strip_toggled:
            self._place()
        return super().eventFilter(obj, event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a strip's text changed its height
            self._place()
        return super().event(event)

    def _place(self) -> None:
        if not any(strip.isVisibleTo(self) for strip in self._strips):
            self.hide()
            return
        width = max(self._host.width() - 2 * MARGIN, 1)
        layout = self.layout()
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() \
            else layout.totalSizeHint().height()
        height = min(height, max(self._host.height() - 2 * MARGIN, 1))
        self.setGeometry(MARGIN, self._host.height() - height - MARGIN, width, height)
        self.show()
        self.raise_()
