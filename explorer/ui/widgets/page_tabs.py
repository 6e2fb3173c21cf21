"""Pages chosen by a tab bar that lives elsewhere: the window puts the bar above its docks.

A ``QTabWidget`` keeps its bar on top of its pages; as the window's central widget it moves
whenever a dock beside it hides or shows (the Layers and Kernels docks belong to some tabs
only), and a click lands on the wrong tab. Here the bar is a separate widget the window
places where nothing moves it, and the pages stack below. The calls the rest of the code
makes on the tabs are those of ``QTabWidget``.

Only the shown page's size counts: a stack sized for its largest page would keep the window
as wide as the widest tab even while a narrow one is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QSizePolicy,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)


class PageTabs(QWidget):
    """A stack of pages and the tab bar that chooses among them (``tabBar()``)."""

    currentChanged = Signal(int)  # the index of the page now shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pages: list[QWidget] = []
        self._policies: list[QSizePolicy] = []  # each page's own, while it is shown
        self._stack = QStackedWidget()
        self._bar = QTabBar(documentMode=True, expanding=False, usesScrollButtons=True)
        self._bar.setElideMode(Qt.TextElideMode.ElideNone)
        self._bar.currentChanged.connect(self._stack.setCurrentIndex)
        self._stack.currentChanged.connect(self._on_stack_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

    def tabBar(self) -> QTabBar:
        return self._bar

    def addTab(self, page: QWidget, title: str) -> int:
        """Add a page at the end; returns its index."""
        self._pages.append(page)
        self._policies.append(page.sizePolicy())
        with QSignalBlocker(self._bar):  # the stack announces the first page itself
            index = self._bar.addTab(title)
        self._stack.addWidget(page)
        self._size_by_current_page()
        return index

    def count(self) -> int:
        return len(self._pages)

    def widget(self, index: int) -> QWidget | None:
        return self._pages[index] if 0 <= index < len(self._pages) else None

    def indexOf(self, page: QWidget) -> int:
        return self._pages.index(page) if page in self._pages else -1

    def currentIndex(self) -> int:
        return self._stack.currentIndex()

    def setCurrentIndex(self, index: int) -> None:
        self._stack.setCurrentIndex(index)

    def currentWidget(self) -> QWidget | None:
        return self.widget(self.currentIndex())

    def setCurrentWidget(self, page: QWidget) -> None:
        index = self.indexOf(page)
        if index >= 0:
            self.setCurrentIndex(index)

    def tabText(self, index: int) -> str:
        return self._bar.tabText(index)

    def _on_stack_changed(self, index: int) -> None:
        with QSignalBlocker(self._bar):
            self._bar.setCurrentIndex(index)
        self._size_by_current_page()
        self.currentChanged.emit(index)

    def _size_by_current_page(self) -> None:
        """A stacked widget asks every page for its size; an ignored size policy takes a
        hidden page out of that."""
        ignored = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        current = self._stack.currentIndex()
        for i, (page, policy) in enumerate(zip(self._pages, self._policies, strict=True)):
            page.setSizePolicy(policy if i == current else ignored)
        # tell the window now, not at the next layout pass: a dock shown for this page lays
        # the window out at once, and must find this page's minimum, not the last one's (a
        # wide page's would make the window grow)
        self._stack.updateGeometry()
        self.updateGeometry()
