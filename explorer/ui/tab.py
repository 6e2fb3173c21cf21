"""What the main window expects of a tab beside the explorer (docs/architecture.md, "Tabs").

A tab is the same shape as the explorer: its settings are a model in the :class:`Document`
(``document.training``, ``document.network`` …), a :class:`TabController` turns their changes
and the picture being explored into work for its :class:`~explorer.ui.workers.worker.Worker`
and hands the results to its view, and the view (``controller.view``, a ``QWidget``) only
draws and writes the user's edits to the model. The window treats every tab alike:

- it adds ``view`` under ``title``, and keeps ``document.display.tab`` (``key``) and the tab on
  show in step both ways;
- it calls ``set_active(True)`` on the tab shown and ``set_active(False)`` on the others: a
  hidden tab keeps the newest picture but computes nothing;
- it shows ``message`` in the status bar and ``error`` in the banner, puts a ``NamedStack``
  from ``send_to_explorer`` into the explorer ("Use these kernels"), and shows
  ``status_text()`` (the tab's own rate and timing) whenever ``status_changed`` fires;
- a batch screenshot of the tab waits until ``is_settled()`` (``settled`` says when);
- presentation mode (F11, or ``presentation_asked``) shows ``presentation_view()`` full
  screen, in high contrast and large type, and tells the tab with ``set_presentation`` so
  that it can enlarge its own type; ``presentation_keys()`` adds the tab's keys to the hint;
- it calls ``cleanup()`` once when it closes: the controller stops its worker and timers and
  lets go of the document.

Every tab follows the source: the base class gets each new :class:`Picture` from the
document, and ``show_picture(picture, new_source)`` tells a tab whether what it derived from
the old picture (an overlay, a readout, a result) must go.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from explorer.state import Document
from explorer.state.document import Picture


class TabController(QObject):
    """Base class of a tab's controller; see the module docstring for the contract."""

    message = Signal(str)  # a note for the status bar
    error = Signal(str)  # a fault for the banner
    send_to_explorer = Signal(object)  # NamedStack
    status_changed = Signal()  # status_text() has changed
    settled = Signal()  # what the view shows is complete for the model and picture now
    presentation_asked = Signal()  # the tab's own "Present" button

    key: ClassVar[str] = ""  # stable, saved in sessions: one of state.limits.TAB_KEYS
    title: ClassVar[str] = "Tab"  # the label on the tab
    uses_layers: ClassVar[bool] = False  # the Layers dock stays beside the tab

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.view: QWidget = QWidget()  # replaced by the subclass
        self._active = False
        self._picture: Picture | None = document.picture
        self._shown_source: int | None = None  # the source of the picture last handed on
        self._shown: Picture | None = None
        self._links: list[tuple[object, Callable]] = []
        self.connect_model(document.picture_changed, self._on_picture_changed)

    # --- for subclasses --------------------------------------------------------------------
    def connect_model(self, signal, slot: Callable) -> None:
        """Connect ``slot`` to a document signal; :meth:`cleanup` disconnects it."""
        signal.connect(slot)
        self._links.append((signal, slot))

    def show_picture(self, picture: Picture | None, new_source: bool) -> None:
        """The picture being explored changed while the tab is shown (or was shown again
        after it changed). ``new_source``: a new still, a new feed or back to the still —
        forget what came from the old one. The default ignores pictures."""

    def activated(self) -> None:
        """The tab was just shown (after :meth:`show_picture` if the picture changed)."""

    def deactivated(self) -> None:
        """The tab was just hidden."""

    def status_text(self) -> str:
        """The tab's own rate and timing for the status bar ('' for none)."""
        return ""

    def presentation_view(self) -> QWidget:
        """What presentation mode shows full screen: the view, or the part of it that
        teaches (the window borrows it and gives it back)."""
        return self.view

    def set_presentation(self, on: bool) -> None:
        """Presentation mode began (True) or ended: a tab may enlarge its own type. The
        default leaves it to the presentation window's large type."""

    def presentation_keys(self) -> str:
        """The tab's keys, for the hint presentation mode shows for a moment ('' for none)."""
        return ""

    def is_settled(self) -> bool:
        """Whether the view shows the result of the current settings and picture (no work
        waiting or under way for it); a batch screenshot waits for this. Emit ``settled``
        when it becomes true."""
        return True

    # --- for the window --------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self._active

    @property
    def picture(self) -> Picture | None:
        """The newest picture being explored (kept while the tab is hidden)."""
        return self._picture

    def set_active(self, active: bool) -> None:
        """Shown (True) or hidden (False) by the window."""
        if active == self._active:
            return
        self._active = active
        if active:
            self._hand_on()
            self.activated()
        else:
            self.deactivated()

    def cleanup(self) -> None:
        """Let go of the document; subclasses stop their worker and timers too."""
        for signal, slot in self._links:
            signal.disconnect(slot)
        self._links = []

    # --- the picture -----------------------------------------------------------------------
    def _on_picture_changed(self, picture: Picture | None) -> None:
        self._picture = picture
        if self._active:
            self._hand_on()

    def _hand_on(self) -> None:
        picture = self._picture
        if picture is self._shown:
            return
        source = None if picture is None else picture.source
        new_source = source != self._shown_source
        self._shown, self._shown_source = picture, source
        self.show_picture(picture, new_source)


__all__ = ["TabController"]
