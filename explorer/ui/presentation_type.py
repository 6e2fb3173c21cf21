"""Headings and captions that read from the back of a room while a page is presented.

A tab's page is made for a laptop: 12-pixel labels a projector's back row cannot read. A
tab marks the labels that head or explain its pictures with :func:`as_heading` or
:func:`as_caption`; while presentation mode shows the page, :class:`PageType` sets them in 28
pixels or more on a 720-line projector (more on a taller screen), and gives every one of
them back exactly the font it had when presentation mode ends (its own, or none, so that it
inherits again). Widgets made while the page is shown get it when they are first shown.

Only marked widgets grow: a page's controls, tables and small print keep their type, so the
pictures keep their room (every label grown at once leaves a 1280×720 page no room for its
pictures). A tab's paragraph of explanation (:func:`as_explanation`) is read on a laptop; in
presentation mode the lecturer says it, and it leaves its room to the pictures until the
page goes back. A widget that draws its own type (a slide, a chart) sizes it itself; one that
fits a marked label's type to its width asks :func:`least_px` for the least it may take.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QFontInfo
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

ROLE = "presentationRole"  # "heading", "caption" or "explanation"
LEAST = "presentationLeastPx"  # set on a marked widget while it is presented
HEADING_LINES = 720 / 28  # a heading is 28 pixels on a 720-line projector
W = TypeVar("W", bound=QWidget)


def as_heading(widget: W) -> W:
    """Mark ``widget`` (a label, a group box) as naming a picture or a part of the page: in
    presentation mode its type reads from the back of a room. Returns the widget."""
    widget.setProperty(ROLE, "heading")
    return widget


def as_caption(widget: W) -> W:
    """Mark ``widget`` as a sentence that explains a picture: in presentation mode its type
    reads from the back of a room. Returns the widget."""
    widget.setProperty(ROLE, "caption")
    return widget


def as_explanation(widget: W) -> W:
    """Mark ``widget`` as a tab's paragraph of explanation: hidden in presentation mode,
    where the lecturer says it. Returns the widget."""
    widget.setProperty(ROLE, "explanation")
    return widget


def heading_px(screen_height: int) -> int:
    """The least type of headings and captions on a screen this many pixels tall."""
    return max(28, round(screen_height / HEADING_LINES))


def for_the_room(widget: QWidget) -> bool:
    """Whether ``widget`` is marked as a heading or a caption."""
    return widget.property(ROLE) in ("heading", "caption")


def least_px(widget: QWidget) -> int:
    """The least type of a marked widget while it is presented, else 0: for a widget that
    sets the type of its labels itself (fitting it to its width)."""
    value = widget.property(LEAST)
    return int(value) if value else 0


class PageType(QObject):
    """The large type of one presented page, from :meth:`apply` to :meth:`restore`."""

    def __init__(self, page: QWidget, screen_height: int) -> None:
        super().__init__()
        self.page = page
        self.least = heading_px(screen_height)
        # each widget given large type: (the widget, its font before, whether it was its own)
        self._before: list[tuple[QWidget, QFont, bool]] = []
        self._hidden: list[QWidget] = []  # explanations hidden while the page is shown
        self._seen: set[QWidget] = set()
        self._watching = False

    def apply(self) -> None:
        """Large type for the page's headings and captions, and for those made in it from
        now on; its explanations hidden."""
        for widget in (self.page, *self.page.findChildren(QWidget)):
            if widget.property(ROLE) == "explanation" and not widget.isHidden():
                widget.hide()
                self._hidden.append(widget)
            self._enlarge(widget)
        app = QApplication.instance()
        if app is not None and not self._watching:
            app.installEventFilter(self)
            self._watching = True

    def restore(self) -> None:
        """Every grown widget's font as it was: its own, or none (it inherits again)."""
        if self._watching:
            QApplication.instance().removeEventFilter(self)
            self._watching = False
        for widget, font, own in self._before:
            if isValid(widget):  # not deleted while it was shown
                widget.setProperty(LEAST, None)
                widget.setFont(font if own else QFont())
        for widget in self._hidden:
            if isValid(widget):
                widget.show()
        self._before, self._hidden = [], []
        self._seen = set()

    def _enlarge(self, widget: QWidget) -> None:
        if widget in self._seen or not for_the_room(widget):
            return
        self._seen.add(widget)
        own = widget.testAttribute(Qt.WidgetAttribute.WA_SetFont)
        self._before.append((widget, QFont(widget.font()), own))
        widget.setProperty(LEAST, self.least)
        if QFontInfo(widget.font()).pixelSize() < self.least:
            font = QFont(widget.font())
            font.setPixelSize(self.least)
            widget.setFont(font)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # a heading made while the page is shown: large type before it is first shown
        if event.type() == QEvent.Type.Polish and isinstance(obj, QWidget) \
                and self.page.isAncestorOf(obj):
            self._enlarge(obj)
        return False
