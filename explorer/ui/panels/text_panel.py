"""The 1-D tab's view: convolution beyond images, over a sentence (Kim, 2014) or a signal.

Two pages behind a switch: *Sentence* (word vectors, filters of widths 2–4, max-over-time
pooling and a small classifier) and *Signal* (a waveform with smoothing and edge kernels,
padding and stride). The switch writes ``document.text.page``; the pages write their own
settings; the controller (:mod:`explorer.ui.controllers.text`) hands them what to draw.

An export of the tab pictures the page's teaching picture, without the controls that edit it:
the sentence read by the network as one slide, or the signal and its output.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.state import Document
from explorer.ui.panels.sentence_panel import SentencePanel
from explorer.ui.panels.sentence_slide import SentenceSlide
from explorer.ui.panels.signal_panel import SignalPanel
from explorer.ui.presentation_type import as_explanation

__all__ = ["PAGES", "TextPanel"]

INTRO = "The same sliding window, along one axis: over a sentence's word vectors or a signal."
PAGES = ("sentence", "signal")


class TextPanel(QWidget):
    """Sentence and signal pages of 1-D convolution."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.sentence = SentencePanel(document)
        self.signal = SignalPanel(document)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.sentence)
        self.pages.addWidget(self.signal)

        self.mode_buttons = QButtonGroup(self)
        switch = QHBoxLayout()
        for i, text in enumerate(("Sentence", "Signal")):
            button = QPushButton(text, checkable=True)
            self.mode_buttons.addButton(button, i)
            switch.addWidget(button)
        self.mode_buttons.idClicked.connect(self._on_page_clicked)
        intro = as_explanation(QLabel(INTRO, wordWrap=True))
        switch.addWidget(intro, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(switch)
        layout.addWidget(self.pages, 1)

    def _on_page_clicked(self, index: int) -> None:
        self.document.text.page = PAGES[index]

    def show_settings(self) -> None:
        """Put ``document.text`` into the switch and both pages' controls."""
        index = PAGES.index(self.document.text.page)
        with QSignalBlocker(self.mode_buttons):
            self.mode_buttons.button(index).setChecked(True)
        self.pages.setCurrentIndex(index)
        self.sentence.show_settings()
        self.signal.show_settings()

    @contextlib.contextmanager
    def teaching_picture(self) -> Iterator[QWidget]:
        """The widget an export of the tab pictures, while the export runs: a slide of the
        sentence (made for it, never on screen) or the signal page's plots. Raises
        ValueError when the sentence page has nothing to show."""
        if self.document.text.page == "signal":
            yield self.signal.plots
            return
        reading = self.sentence.reading
        if reading is None or reading.prediction is None:
            raise ValueError("the 1-D tab shows no sentence to picture: type one")
        slide = SentenceSlide(reading)
        slide.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        slide.show()  # laid out and polished, as a picture of it needs
        try:
            yield slide
        finally:
            slide.close()
            slide.deleteLater()
