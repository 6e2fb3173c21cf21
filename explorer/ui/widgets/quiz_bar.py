"""The quiz's line under the step-through: the question, the answer box, right or wrong, score.

The answer box is never disabled: a disabled box that has the focus hands it on (to the tab
bar, whose arrow keys switch tabs). Between questions it is read-only.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from explorer.ui.presentation_type import as_caption, as_heading

# (on the app's light background, on the presentation's black one)
RIGHT_COLOURS = ("#1a7f37", "#5fd35f")
WRONG_COLOURS = ("#c62828", "#ff7070")
ANSWER_WIDTH = {False: 160, True: 280}  # px: in the window, in presentation mode's type


class QuizBar(QWidget):
    """Shows a question and reports the typed answer (Enter or Check)."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # long questions and verdicts wrap: they never widen the window
        self.prompt = as_heading(QLabel(wordWrap=True))
        self.answer = as_caption(QLineEdit(placeholderText="your prediction"))
        self.answer.setMaximumWidth(ANSWER_WIDTH[False])
        self.answer.setMinimumWidth(90)
        self.answer.returnPressed.connect(self._submit)
        self.check = QPushButton("Check")
        self.check.clicked.connect(self._submit)
        self.verdict = as_caption(QLabel(wordWrap=True))
        self.score = as_caption(QLabel())
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 2)
        row.addWidget(self.prompt)
        row.addWidget(self.answer)
        row.addWidget(self.check)
        row.addWidget(self.verdict, 1)
        row.addWidget(self.score)
        self._dark = False
        self.close_question()

    def set_presentation(self, on: bool) -> None:
        """Brighter right/wrong colours on the presentation's black background, and room
        for the answer in its large type."""
        self._dark = on
        self.answer.setMaximumWidth(ANSWER_WIDTH[on])

    def _submit(self) -> None:
        if self.asking:
            self.submitted.emit(self.answer.text())

    @property
    def asking(self) -> bool:
        """Whether a question waits for its answer."""
        return not self.answer.isReadOnly()

    def ask(self, question: str) -> None:
        """Put ``question`` up with an empty answer box (a question already up stays as it
        is, with what is typed so far)."""
        if self.asking and self.prompt.text() == question:
            return
        self.prompt.setText(question)
        self.answer.clear()
        self.answer.setReadOnly(False)
        self.answer.setPlaceholderText("your prediction")
        self.check.setEnabled(True)
        self.verdict.clear()

    def close_question(self) -> None:
        """The answer is in (or the value was shown): nothing to type until the next step."""
        self.answer.setReadOnly(True)
        self.answer.setPlaceholderText("")
        self.check.setEnabled(False)

    def show_verdict(self, right: bool, text: str) -> None:
        colour = (RIGHT_COLOURS if right else WRONG_COLOURS)[int(self._dark)]
        self.verdict.setStyleSheet(f"color: {colour}; font-weight: bold")
        self.verdict.setText(text)

    def show_note(self, text: str) -> None:
        self.verdict.setStyleSheet("")
        self.verdict.setText(text)
