"""The step-through tab's view: a worked example played window by window.

It writes the user's edits to ``document.stepthrough`` (the example, the step from the
slider, the quiz box, the speed, the crop, "New numbers", "Reset numbers" and the numbers
typed into the grids) and asks its controller (:mod:`explorer.ui.controllers.stepthrough`)
for what is more than an edit: stepping with the quiz's rules, playing, checking an answer,
a size question, an export. It draws what the controller hands it.

The keys, while the tab is shown, whatever in the window has the focus (the grids keep it
through the quiz): → / Page Down forward, ← / Page Up back (what a presentation clicker
sends), Space play or pause, Home the first step (and a new round of the quiz), End the last.
In the quiz, a number typed on the grids goes into the answer box and Enter checks it.
In presentation mode (the window's F11, or Present) the window borrows the ``stage`` (the
slide and the quiz line) and the keys go on working there; ↓ and ↑ go through a volume's
channels one at a time, then to their sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QSlider,
    QSpinBox,
    QStyle,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from explorer.core.stepthrough import EXAMPLE_NAMES, Walkthrough, example
from explorer.state import Document
from explorer.state.document import Picture
from explorer.state.limits import EXPLORER_EXAMPLE, int_range
from explorer.ui.widgets.animation_dialog import AnimationDialog
from explorer.ui.widgets.quiz_bar import QuizBar
from explorer.ui.widgets.step_canvas import StepCanvas

SPEEDS_MS = (250, 500, 800, 1200, 2000, 3000)
_ANSWER_CHARS = set("0123456789.,-−+eE")  # what a number is typed with
_TYPED_INTO = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)


@dataclass(frozen=True)
class ExportChoice:
    """What the export dialog was told: where, how large, how fast, which look."""

    path: str
    scale: int
    frame_ms: int
    presentation: bool


class StepThroughPanel(QWidget):
    """Pick an example, step through it, quiz yourself, present it, export it."""

    command = Signal(str)  # forward, back, first, last, play, next channel, previous channel
    answered = Signal(str)  # the text in the quiz's answer box, Enter or Check
    size_question = Signal()
    export_clicked = Signal()
    export_cancelled = Signal()
    present_clicked = Signal()
    message = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.walkthrough: Walkthrough | None = None
        self.index = 0
        self._filtering = False
        self._presenting = False
        self._export_bar: QProgressDialog | None = None

        self.canvas = StepCanvas()
        self.canvas.cell_edited.connect(self._on_cell_edited)
        self.canvas.matrix_entered.connect(self._on_matrix_entered)
        self.canvas.edit_refused.connect(self.message)
        self.canvas.message.connect(self.message)
        self.quiz_bar = QuizBar()
        self.quiz_bar.submitted.connect(self._on_submitted)
        self.quiz_bar.hide()

        # the slide and the quiz line: what presentation mode shows
        self.stage = QWidget()
        stage = QVBoxLayout(self.stage)
        stage.setContentsMargins(0, 0, 0, 0)
        stage.setSpacing(4)
        stage.addWidget(self.canvas, 1)
        stage.addWidget(self.quiz_bar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(self._build_picker_row())
        layout.addLayout(self._build_transport_row())
        layout.addWidget(self.stage, 1)
        # a click on a button or the quiz box leaves the keys with the grids (Tab still
        # reaches them from the keyboard)
        for widget in self.findChildren(QAbstractButton):
            widget.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.show_settings()
        self.set_picture(document.picture)

    # --- construction --------------------------------------------------------------------
    def _build_picker_row(self) -> QHBoxLayout:
        self.picker = QComboBox()
        self.picker.setToolTip("The worked example to step through")
        # the window's minimum width must stay small: long titles are elided, not widened for
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(16)
        for name in EXAMPLE_NAMES:
            ex = example(name)
            self.picker.addItem(ex.title, name)
            self.picker.setItemData(self.picker.count() - 1, ex.caption,
                                    Qt.ItemDataRole.ToolTipRole)
        self.picker.addItem("From the explorer: your layer on a crop", EXPLORER_EXAMPLE)
        self.picker.currentIndexChanged.connect(self._on_picked)
        self.new_numbers_button = QPushButton("New numbers")
        self.new_numbers_button.setToolTip("Draw other small numbers for this example")
        self.new_numbers_button.clicked.connect(self._on_new_numbers)
        self.reset_button = QPushButton("Reset numbers")
        self.reset_button.setToolTip("Undo every number typed into the grids")
        self.reset_button.clicked.connect(self._on_reset_numbers)
        size_low, size_high = int_range("crop_size", "StepThroughSettings")
        # a 3-channel layer shows three input grids: 8×8 keeps their numbers readable
        self.crop_size = QSpinBox(prefix="crop ", suffix=" px", minimum=size_low,
                                  maximum=size_high)
        self.crop_size.setToolTip(f"The side of the crop, up to {size_high} pixels")
        self.crop_row = QSpinBox(prefix="at row ", minimum=0)
        self.crop_col = QSpinBox(prefix="column ", minimum=0)
        for spin in (self.crop_size, self.crop_row, self.crop_col):
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._on_crop_edited)
            spin.hide()
        self.quiz_box = QCheckBox("Quiz")
        self.quiz_box.setToolTip("Predict each value before it is shown (Home starts again)")
        self.quiz_box.toggled.connect(self._on_quiz_toggled)
        self.size_button = QPushButton("Size question")
        self.size_button.setToolTip("A question on the output size of a random layer")
        self.size_button.clicked.connect(self.size_question)
        row = QHBoxLayout()
        row.addWidget(self.picker, 1)
        row.addWidget(self.new_numbers_button)
        row.addWidget(self.reset_button)
        row.addWidget(self.crop_size)
        row.addWidget(self.crop_row)
        row.addWidget(self.crop_col)
        row.addStretch(1)
        row.addWidget(self.quiz_box)
        row.addWidget(self.size_button)
        return row

    def _build_transport_row(self) -> QHBoxLayout:
        icons = self.style()

        def button(icon: QStyle.StandardPixmap, text: str, tip: str, name: str) -> QPushButton:
            b = QPushButton(icons.standardIcon(icon), text)
            b.setToolTip(tip)
            b.clicked.connect(lambda: self.command.emit(name))
            return b

        pixmap = QStyle.StandardPixmap
        self.play_button = button(pixmap.SP_MediaPlay, "Play", "Play or pause (Space)", "play")
        self.slider = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=0)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.position = QLabel()
        self.speed = QComboBox()
        self.speed.setToolTip("How long each step shows while playing")
        for ms in SPEEDS_MS:
            self.speed.addItem(f"{ms / 1000:g} s", ms)
        self.speed.currentIndexChanged.connect(self._on_speed_picked)
        row = QHBoxLayout()
        row.addWidget(button(pixmap.SP_MediaSkipBackward, "", "First step (Home)", "first"))
        row.addWidget(button(pixmap.SP_MediaSeekBackward, "", "Step back (←)", "back"))
        row.addWidget(self.play_button)
        row.addWidget(button(pixmap.SP_MediaSeekForward, "", "Step forward (→)", "forward"))
        row.addWidget(button(pixmap.SP_MediaSkipForward, "", "Last step (End)", "last"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.position)
        row.addWidget(self.speed)
        present = QPushButton("Present")
        present.setToolTip("Full screen, large type, high contrast (F11; Esc leaves)")
        present.clicked.connect(self.present_clicked)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save the steps as a GIF, an MP4 or numbered PNG frames")
        self.export_button.clicked.connect(self.export_clicked)
        row.addWidget(present)
        row.addWidget(self.export_button)
        return row

    # --- the user's edits go to the model -------------------------------------------------
    def _on_picked(self, _index: int) -> None:
        name = str(self.picker.currentData())
        values: dict[str, object] = {"example": name, "edits": (), "step": 0, "channel": 0}
        picture = self.document.picture
        if name == EXPLORER_EXAMPLE and picture is not None:  # a crop at the centre
            h, w = picture.image.shape[:2]
            size = self.document.stepthrough.crop_size
            values.update(crop_row=max((h - size) // 2, 0), crop_col=max((w - size) // 2, 0))
        self.document.stepthrough.update(values)

    def _on_crop_edited(self, _value: int) -> None:
        self.document.stepthrough.update({"crop_size": self.crop_size.value(),
                                          "crop_row": self.crop_row.value(),
                                          "crop_col": self.crop_col.value()})

    def _on_quiz_toggled(self, on: bool) -> None:
        self.document.stepthrough.quiz = bool(on)

    def _on_speed_picked(self, _index: int) -> None:
        self.document.stepthrough.speed_ms = int(self.speed.currentData())

    def _on_slider_moved(self, value: int) -> None:
        self.document.stepthrough.step = int(value)

    def _on_new_numbers(self) -> None:
        settings = self.document.stepthrough
        seed = settings.seed + 1 if settings.seed < int_range("seed", "StepThroughSettings")[1] \
            else 0
        settings.update({"seed": seed, "edits": ()})

    def _on_reset_numbers(self) -> None:
        self.document.stepthrough.edits = ()

    def _on_cell_edited(self, block: str, channel: int, row: int, col: int,
                        value: float) -> None:
        walkthrough = self.walkthrough
        if walkthrough is None:
            return
        k = walkthrough.steps[self.index].map
        try:
            edit = walkthrough.edit(block, channel, row, col, value, k)
        except ValueError as exc:
            self.message.emit(str(exc)[:1].upper() + str(exc)[1:])
            return
        settings = self.document.stepthrough
        settings.edits = (*settings.edits, edit)

    def _on_matrix_entered(self, block: str, channel: int, row: int, col: int,
                           matrix: np.ndarray) -> None:
        """A typed or pasted matrix: one edit of the document (one step of undo)."""
        walkthrough = self.walkthrough
        if walkthrough is None:
            return
        k = walkthrough.steps[self.index].map
        try:
            edits = walkthrough.paste(block, channel, row, col, matrix, k)
        except ValueError as exc:
            self.message.emit(str(exc)[:1].upper() + str(exc)[1:])
            return
        settings = self.document.stepthrough
        settings.edits = (*settings.edits, *edits)
        s = self.canvas.renderer.board.slice(block, channel)
        name = "the grid" if s is None else self.canvas.renderer.board.slice_name(s, k)
        h, w = np.atleast_2d(matrix).shape
        self.message.emit(f"Put a {h}×{w} matrix into {name}")

    def _on_submitted(self, text: str) -> None:
        self.answered.emit(text)
        if self.isVisible() or self.presenting:  # the grids keep the keys after an answer
            self.canvas.setFocus()

    # --- the model is shown ---------------------------------------------------------------
    def show_settings(self) -> None:
        """Put ``document.stepthrough`` into the controls (without echoing it back)."""
        settings = self.document.stepthrough
        with QSignalBlocker(self.picker):
            self.picker.setCurrentIndex(self.picker.findData(settings.example))
        with QSignalBlocker(self.quiz_box):
            self.quiz_box.setChecked(settings.quiz)
        self.quiz_bar.setVisible(settings.quiz)
        with QSignalBlocker(self.speed):
            i = self.speed.findData(settings.speed_ms)
            if i < 0:  # a speed from a session or a script that the list lacks
                self.speed.addItem(f"{settings.speed_ms / 1000:g} s", settings.speed_ms)
                i = self.speed.count() - 1
            self.speed.setCurrentIndex(i)
        is_explorer = settings.example == EXPLORER_EXAMPLE
        for spin, value in ((self.crop_size, settings.crop_size),
                            (self.crop_row, settings.crop_row),
                            (self.crop_col, settings.crop_col)):
            spin.setVisible(is_explorer)
            with QSignalBlocker(spin):
                spin.setValue(value)

    def set_picture(self, picture: Picture | None) -> None:
        """The picture being explored: the explorer's example needs one, and its crop lies
        in it."""
        i = self.picker.findData(EXPLORER_EXAMPLE)
        ready = picture is not None
        self.picker.model().item(i).setEnabled(ready)
        tip = ("The explorer's first layer on a crop of up to 12×12 pixels of the picture"
               if ready else "Open a picture in the explorer first")
        self.picker.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        if picture is not None:
            h, w = picture.image.shape[:2]
            settings = self.document.stepthrough
            for spin, n, value in ((self.crop_row, h, settings.crop_row),
                                   (self.crop_col, w, settings.crop_col)):
                with QSignalBlocker(spin):
                    spin.setMaximum(max(n - 1, 0))
                    spin.setValue(value)

    def show_step(self, walkthrough: Walkthrough, index: int, hide_value: bool,
                  channel: int | None = None) -> None:
        """Step ``index`` of ``walkthrough`` on the canvas (a volume's channel ``channel``
        alone, or all of them), the slider and the position."""
        self.walkthrough, self.index = walkthrough, index
        self.canvas.show_step(walkthrough, index, hide_value, channel)
        last = len(walkthrough.steps) - 1
        with QSignalBlocker(self.slider):
            self.slider.setMaximum(last)
            self.slider.setValue(index)
        self.position.setText(f"step {index + 1} of {last + 1}")
        self.new_numbers_button.setEnabled(walkthrough.example.seed is not None)

    def clear(self) -> None:
        """Nothing to show (yet)."""
        self.walkthrough = None
        self.canvas.clear()
        self.position.setText("")

    def set_playing(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else \
            QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setText("Pause" if playing else "Play")
        self.play_button.setIcon(self.style().standardIcon(icon))

    # --- export ---------------------------------------------------------------------------
    def ask_export(self, frame_ms: int, frames: int) -> ExportChoice | None:
        """Ask where and how to export ``frames`` frames; None when the user cancels."""
        dialog = AnimationDialog(frame_ms, frames, self)
        try:
            if not dialog.exec() or not dialog.path:
                return None
            return ExportChoice(dialog.path, dialog.scale, dialog.frame_ms,
                                dialog.presentation)
        finally:
            dialog.deleteLater()

    def show_export_progress(self, done: int, total: int) -> None:
        """A progress bar with Cancel while frames are written (after a moment)."""
        bar = self._export_bar
        if bar is None:
            bar = QProgressDialog("Rendering the frames…", "Cancel", 0, total, self)
            bar.setWindowModality(Qt.WindowModality.WindowModal)
            bar.setMinimumDuration(300)
            bar.canceled.connect(self._on_export_bar_cancelled)
            self._export_bar = bar
        bar.setMaximum(total)
        bar.setValue(done)
        if done >= total:
            bar.setLabelText("Writing the file…")

    def end_export_progress(self) -> None:
        bar, self._export_bar = self._export_bar, None
        if bar is not None:
            bar.canceled.disconnect(self._on_export_bar_cancelled)  # closing emits canceled
            bar.close()
            bar.deleteLater()

    def _on_export_bar_cancelled(self) -> None:
        self.end_export_progress()
        self.export_cancelled.emit()

    # --- keys ------------------------------------------------------------------------------
    _KEYS: ClassVar[dict[Qt.Key, str]] = {
        Qt.Key.Key_Right: "forward", Qt.Key.Key_PageDown: "forward",
        Qt.Key.Key_Left: "back", Qt.Key.Key_PageUp: "back",
        Qt.Key.Key_Space: "play", Qt.Key.Key_Home: "first", Qt.Key.Key_End: "last",
    }
    _CLICKER = (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp)
    # presentation mode only: in the window they stay the lists' and the slider's
    _CHANNEL_KEYS: ClassVar[dict[Qt.Key, str]] = {
        Qt.Key.Key_Down: "next channel", Qt.Key.Key_Up: "previous channel"}

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._watch_keys(True)
        # the tab bar keeps the focus after a click on the tab; the grids take it so that
        # the keys step from the start
        QTimer.singleShot(0, self._focus_canvas)

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        if not self.presenting:
            self._watch_keys(False)

    def _focus_canvas(self) -> None:
        if self.isVisible() or self.presenting:
            self.canvas.setFocus()

    def _watch_keys(self, on: bool) -> None:
        app = QApplication.instance()
        if app is None or on == self._filtering:
            return
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._filtering = on

    def _in_reach(self, obj: QObject) -> bool:
        """Whether a key for ``obj`` is the step-through's: anything in the tab, the rest of
        the window showing it (its tab bar too) but a box being typed into and the menu bar,
        or anything in the presentation window. Dialogs, menus and popup lists are windows of
        their own and keep their keys."""
        if not isinstance(obj, QWidget) or isinstance(obj, QMenuBar):
            return False
        if self.presenting:
            return obj.window() is self.stage.window()
        if not self.isVisible() or obj.window() is not self.window():
            return False
        if obj is self or self.isAncestorOf(obj):
            return True
        return not isinstance(obj, _TYPED_INTO)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # application-wide while the tab is shown: a clicker sends these keys to whatever
        # has the focus, and they must step, never switch tabs
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and self._in_reach(obj) and self._handle_key(obj, event):
            return True
        return super().eventFilter(obj, event)

    def _handle_key(self, obj: QObject, event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods not in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            return False
        key = Qt.Key(event.key())
        if obj is self.canvas.editor and key not in self._CLICKER:
            return False  # the cell being typed into keeps its cursor keys
        if mods == Qt.KeyboardModifier.NoModifier:
            name = self._KEYS.get(key)
            if name is None and self.presenting:
                name = self._CHANNEL_KEYS.get(key)
            if name is not None:
                self.command.emit(name)
                return True
        # the quiz's answer is typed on the grids, which keep the focus
        typing = (event.text() != "" and event.text() in _ANSWER_CHARS) or key in (
            Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if obj is self.canvas and self.quiz_bar.asking and typing:
            QApplication.sendEvent(self.quiz_bar.answer, event)
            return True
        return False

    # --- presentation ----------------------------------------------------------------------
    @property
    def presenting(self) -> bool:
        """Whether the window shows the stage full screen."""
        return self._presenting

    def set_presentation(self, on: bool) -> None:
        """The stage was borrowed for presentation mode (or given back): high contrast and
        large type, and the keys where the stage is."""
        self._presenting = on
        self.canvas.set_presentation(on)
        self.quiz_bar.set_presentation(on)
        self.quiz_bar.setVisible(self.document.stepthrough.quiz)
        if on:
            self._watch_keys(True)
        elif not self.isVisible():
            self._watch_keys(False)
        QTimer.singleShot(0, self._focus_canvas)

    def cleanup(self) -> None:
        self.end_export_progress()
        self._watch_keys(False)
