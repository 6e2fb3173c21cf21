"""Keep a window within its screen's free area (the screen less its panels and task bars).

A classroom projector may have 1024×768 pixels: a window larger than that has its Kernels
dock or its status bar off the screen, out of reach. The window starts on most of its
screen, and shrinks to fit when its saved geometry is from a larger screen or it is moved to
a smaller one. Nothing here makes it grow, and a size asked for on purpose (a batch export's
picture size) is left alone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

LARGE_SCREEN = 1500  # px wide: from here the window leaves a margin round itself
LARGE_SHARE = 0.96
NO_SCREEN_SIZE = (1600, 1000)  # no usable screen (e.g. a batch export)


def free_area(window: QWidget) -> QRect | None:
    """The free area of the window's screen, None without a usable screen."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    free = screen.availableGeometry() if screen is not None else None
    return free if free is not None and free.width() >= 200 else None


def start_on_screen(window: QWidget) -> None:
    """Size and centre ``window`` on its screen: all of a small screen, most of a large one."""
    free = free_area(window)
    if free is None:
        window.resize(*NO_SCREEN_SIZE)
        return
    share = 1.0 if free.width() < LARGE_SCREEN else LARGE_SHARE
    window.resize(int(free.width() * share), int(free.height() * share))
    window.move(free.center() - window.rect().center())


def fit_on_screen(window: QWidget, free: QRect | None = None) -> None:
    """Shrink and move ``window`` so that it lies within its screen's free area (its frame
    included); a window that already does is left alone."""
    free = free or free_area(window)
    if free is None:
        return
    frame = window.frameGeometry()
    if free.contains(frame):
        return
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    width = min(window.width(), free.width() - extra_w)
    height = min(window.height(), free.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    frame = window.frameGeometry()
    x = min(max(frame.x(), free.left()), free.right() + 1 - frame.width())
    y = min(max(frame.y(), free.top()), free.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)


class ScreenFit(QObject):
    """Fits ``window`` on a screen it is moved to (its native window exists once shown)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._watched = None
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self._window and event.type() == QEvent.Type.Show:
            handle = self._window.windowHandle()
            if handle is not None and handle is not self._watched:
                self._watched = handle
                handle.screenChanged.connect(self._on_screen_changed)
        return super().eventFilter(obj, event)

    def _on_screen_changed(self, screen: QScreen | None) -> None:
        if screen is not None:
            fit_on_screen(self._window, screen.availableGeometry())
