"""Presentation mode (View > Presentation mode, F11): the tab on show, full screen, for a room.

One :class:`PresentationWindow` per main window borrows a page (the part of a tab that
teaches: the maps, the parameter chart, the step-through's slide) into a full-screen,
high-contrast window with large type, and gives it back where it was when it leaves (Esc or
F11). A page borrowed from a tab widget leaves a placeholder in its tab, so the window's tabs
and the document's tab on show stay as they were. The tab itself can enlarge its own type
(``TabController.set_presentation``).
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

HINT_MS = 4000  # how long the keys are shown at the top of the screen
STYLE = "background: black; color: white"


class _Slot:
    """Where a borrowed page came from, to put it back there."""

    def __init__(self, page: QWidget) -> None:
        self.page = page
        self.tabs: QTabWidget | None = None
        self.layout: QBoxLayout | None = None
        self.index = self.stretch = 0
        self.text = ""
        self.placeholder: QLabel | None = None
        parent = page.parentWidget()
        tabs = parent.parentWidget() if parent is not None else None
        if isinstance(tabs, QTabWidget) and tabs.indexOf(page) >= 0:
            self.tabs = tabs
            self.index = tabs.indexOf(page)
            self.text = tabs.tabText(self.index)
        elif parent is not None and isinstance(parent.layout(), QBoxLayout):
            self.layout = parent.layout()
            self.index = self.layout.indexOf(page)
            self.stretch = self.layout.stretch(self.index)

    def take(self) -> None:
        if self.tabs is not None:  # a placeholder keeps the tab, its place and its index
            self.placeholder = QLabel("Shown full screen: press Esc or F11 to bring it back",
                                      alignment=Qt.AlignmentFlag.AlignCenter)
            with QSignalBlocker(self.tabs), QSignalBlocker(self.tabs.tabBar()):
                self.tabs.removeTab(self.index)
                self.tabs.insertTab(self.index, self.placeholder, self.text)
                self.tabs.setCurrentIndex(self.index)

    def give_back(self) -> None:
        page = self.page
        if self.tabs is not None:
            with QSignalBlocker(self.tabs), QSignalBlocker(self.tabs.tabBar()):
                self.tabs.removeTab(self.index)
                self.tabs.insertTab(self.index, page, self.text)
                self.tabs.setCurrentIndex(self.index)
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
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._slot: _Slot | None = None
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
        if screen is not None:  # the whole screen even where no window manager helps
            self.setGeometry(screen.geometry())
            font = QFont(self.font())
            font.setPixelSize(max(18, round(screen.geometry().height() / 36)))
            self.setFont(font)  # large type for every widget that does not set its own
        self.showFullScreen()
        self.activateWindow()
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
