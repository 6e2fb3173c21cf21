"""A strip that says the maps are being computed, for how long, and offers to stop.

It appears only when a computation has taken longer than a moment (quick edits never make it
flicker), counts the seconds while it waits, and its Cancel stops the engine.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

SHOW_AFTER_MS = 300
TICK_MS = 100


class BusyBar(QWidget):
    """Hidden until ``start()`` has waited :data:`SHOW_AFTER_MS`; ``stop()`` hides it."""

    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._since: float | None = None
        self._on_page = True  # the explorer's page is on show: elsewhere it would mislead
        self.label = QLabel(wordWrap=True)
        self.spinner = QProgressBar(minimum=0, maximum=0, textVisible=False)  # busy, no %
        self.spinner.setFixedWidth(120)
        self.spinner.setFixedHeight(12)
        self.cancel_button = QPushButton("Cancel", toolTip="Stop computing: the maps on screen "
                                         "stay as they are")
        self.cancel_button.clicked.connect(self.cancel_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.spinner)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel_button)
        self.setAutoFillBackground(True)  # it floats over the maps
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)
        self.hide()

    @property
    def waiting(self) -> bool:
        return self._since is not None

    def set_busy(self, busy: bool) -> None:
        if busy:
            self.start()
        else:
            self.stop()

    def start(self) -> None:
        if self._since is None:
            self._since = time.perf_counter()
            self._timer.start()

    def stop(self) -> None:
        self._since = None
        self._timer.stop()
        self.hide()

    def set_on_page(self, on_page: bool) -> None:
        """Show the strip only over the explorer's page; it keeps counting elsewhere."""
        self._on_page = on_page
        if not on_page:
            self.hide()
        elif self._since is not None:
            self._tick()

    def elapsed(self) -> float:
        return 0.0 if self._since is None else time.perf_counter() - self._since

    def _tick(self) -> None:
        seconds = self.elapsed()
        if seconds * 1000 < SHOW_AFTER_MS or not self._on_page:
            return
        self.label.setText(f"Computing the maps for the new settings… {seconds:.1f} s "
                           "(the maps still show the previous ones)")
        self.show()
