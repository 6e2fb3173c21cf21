"""The 1-D tab: convolution beyond images, over a sentence (Kim, 2014) or a signal.

Two pages behind a switch: *Sentence* (word vectors, filters of widths 2–4, max-over-time
pooling and a small classifier) and *Signal* (a waveform with smoothing and edge kernels,
padding and stride). Neither uses the window's source picture.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.ui.controllers.widget_tab import Tab
from explorer.ui.panels.sentence_panel import SentencePanel
from explorer.ui.panels.signal_panel import SignalPanel

__all__ = ["TextTab"]

INTRO = "The same sliding window, along one axis: over a sentence's word vectors or a signal."


class TextTab(Tab):
    """Sentence and signal pages of 1-D convolution."""

    title = "1-D: text and signals"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sentence = SentencePanel()
        self.signal = SignalPanel()
        self.sentence.message.connect(self.message)
        self.signal.message.connect(self.message)
        self.signal.error.connect(self.error)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.sentence)
        self.pages.addWidget(self.signal)

        self.mode_buttons = QButtonGroup(self)
        switch = QHBoxLayout()
        for i, text in enumerate(("Sentence", "Signal")):
            button = QPushButton(text, checkable=True, checked=i == 0)
            self.mode_buttons.addButton(button, i)
            switch.addWidget(button)
        self.mode_buttons.idClicked.connect(self.pages.setCurrentIndex)
        intro = QLabel(INTRO, wordWrap=True)
        switch.addWidget(intro, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(switch)
        layout.addWidget(self.pages, 1)

    def show_mode(self, index: int) -> None:
        """0 sentence, 1 signal."""
        self.mode_buttons.button(index).click()

    def cleanup(self) -> None:
        self.sentence.cleanup()
