"""Presentation mode (View > Presentation mode, F11): the tab on show, full screen, for a room.

One :class:`PresentationWindow` per main window borrows a page (the part of a tab that
teaches: the maps, the parameter chart, the step-through's slide) into a full-screen,
high-contrast window with large type, and gives it back where it was when it leaves (Esc or
F11). A page borrowed from the window's stack of pages leaves a placeholder in its place, so
the window's tabs and the document's tab on show stay as they were. The page's headings and
captions get type for the room (:mod:`explorer.ui.presentation_type`) and their own fonts
back after; a widget that draws its own type can enlarge it when the tab is told
(``TabController.set_presentation``).
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from explorer.ui.presentation_type import PageType

HINT_MS = 4000  # how long the keys are shown at the top of the screen
STYLE = "background: black; color: white"


class _Slot:
    """Where a borrowed page came from, to put it back there."""

    def __init__(self, page: QWidget) -> None:
        self.page = page
        self.stack: QStackedWidget | None = None
        self.layout: QBoxLayout | None = None
        self.index = self.stretch = 0
        self.current = False
        self.placeholder: QLabel | None = None
        parent = page.parentWidget()
        if isinstance(parent, QStackedWidget) and parent.indexOf(page) >= 0:
            self.stack = parent  # the window's pages (or a tab widget's)
            self.index = parent.indexOf(page)
            self.current = parent.currentWidget() is page
        elif parent is not None and isinstance(parent.layout(), QBoxLayout):
            self.layout = parent.layout()
            self.index = self.layout.indexOf(page)
            self.stretch = self.layout.stretch(self.index)

    def take(self) -> None:
        """A page of a stack leaves a placeholder in its place: the stack's indices, its page
        on show and the tab bar stay as they were, and nobody hears of a change."""
        stack = self.stack
        if stack is None:
            return
        self.placeholder = QLabel("Shown full screen: press Esc or F11 to bring it back",
                                  alignment=Qt.AlignmentFlag.AlignCenter)
        with QSignalBlocker(stack):
            stack.insertWidget(self.index, self.placeholder)
            stack.removeWidget(self.page)
            if self.current:
                stack.setCurrentIndex(self.index)

    def give_back(self) -> None:
        page = self.page
        if self.stack is not None:
            with QSignalBlocker(self.stack):
                self.stack.insertWidget(self.index, page)
                if self.placeholder is not None:
                    self.stack.removeWidget(self.placeholder)
                if self.current:
                    self.stack.setCurrentIndex(self.index)
            if self.placeholder is not None:
                self.placeholder.deleteLater()
        elif self.layout is not None:
            self.layout.insertWidget(self.index, page, self.stretch)
        page.show()


class PresentationWindow(QWidget):
    """A full-screen black window that shows one borrowed page in large type."""

    left = Signal()  # the page went back (Esc, F11, or the window closed)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("CNN Explorer — presentation")
        self.setStyleSheet(STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # keeps the keys when the page cannot
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._slot: _Slot | None = None
        self._type: PageType | None = None
        self.hint = QLabel(self)
        self.hint.setStyleSheet("background: rgba(40, 40, 40, 220); color: #dddddd; "
                                "padding: 6px 12px; border-radius: 6px")
        self.hint.hide()
        self._hint_timer = QTimer(self, singleShot=True, interval=HINT_MS)
        self._hint_timer.timeout.connect(self.hint.hide)

    @property
    def page(self) -> QWidget | None:
        """The page on show, or None."""
        return None if self._slot is None else self._slot.page

    @property
    def presenting(self) -> bool:
        return self._slot is not None

    def present(self, page: QWidget, keys: str = "") -> None:
        """Borrow ``page`` and show it full screen; ``keys`` adds the page's own keys to the
        hint shown for a moment at the top."""
        if self._slot is not None:
            self.leave()
        slot = _Slot(page)
        slot.take()
        self._slot = slot
        self._layout.addWidget(page, 1)
        page.show()
        screen = self.parentWidget().screen() if self.parentWidget() else None
        screen = screen or QGuiApplication.primaryScreen()
        height = screen.geometry().height() if screen is not None else 720
        if screen is not None:  # the whole screen even where no window manager helps
            self.setGeometry(screen.geometry())
        self._type = PageType(page, height)
        self._type.apply()  # headings and captions for the room
        self.showFullScreen()
        self.activateWindow()
        # the keys follow the page: to its own focus widget, or to this window (Esc, F11)
        inner = page.focusWidget()
        (inner if inner is not None and page.isAncestorOf(inner) else self).setFocus()
        self.hint.setText("   ".join(k for k in (keys, "F11 or Esc leave") if k))
        self.hint.adjustSize()
        self._place_hint()
        self.hint.raise_()
        self.hint.show()
        self._hint_timer.start()

    def leave(self) -> None:
        """Give the page back where it was and hide the window."""
        slot, self._slot = self._slot, None
        if slot is None:
            return
        self._layout.removeWidget(slot.page)
        slot.give_back()
        if self._type is not None:  # back in the window: the fonts it had there
            self._type.restore()
            self._type = None
        self._hint_timer.stop()
        self.hint.hide()
        self.hide()
        if self.parentWidget() is not None:  # the keys go back to the main window
            self.parentWidget().activateWindow()
        self.left.emit()

    def _place_hint(self) -> None:
        self.hint.move(max(self.width() - self.hint.width() - 16, 0), 12)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_hint()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.leave()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        self.leave()
        super().closeEvent(event)
