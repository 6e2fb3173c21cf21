"""The step-through tab: a worked example played window by window, for lectures and slides.

Every number comes from :mod:`explorer.core.stepthrough`; this tab only chooses the example
and the step, shows them, checks the quiz's answers and exports the frames. A lecturer drives
it from the keyboard or a clicker: → / Page Down forward, ← / Page Up back, Space play or
pause, Home the first step, End the last; F11 presentation mode (Esc leaves it).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QSlider,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from explorer.core.animation import check_frame_ms, check_writable, save_animation
from explorer.core.pipeline import LayerSpec
from explorer.core.stepthrough import (
    EXAMPLE_NAMES,
    MAX_CROP,
    Example,
    Score,
    SizeQuestion,
    Verdict,
    Walkthrough,
    cell_text,
    check_prediction,
    check_size,
    example,
    from_layer,
    lecture_volume,
    size_questions,
    walk,
)
from explorer.ui.controllers.widget_tab import Tab
from explorer.ui.step_frames import frame_steps, render_frames
from explorer.ui.widgets.animation_dialog import AnimationDialog
from explorer.ui.widgets.quiz_bar import QuizBar
from explorer.ui.widgets.step_canvas import StepCanvas
from explorer.ui.workers.animation import AnimationWriter

EXPLORER = "explorer"  # the picker's entry for the explorer's own layer
SPEEDS_MS = (250, 500, 800, 1200, 2000, 3000)
DEFAULT_SPEED_MS = 800
DEFAULT_CROP = 8


class _PresentationWindow(QWidget):
    """A full-screen black window that borrows the tab's canvas (and quiz line)."""

    def __init__(self, tab: StepThroughTab) -> None:
        super().__init__(tab, Qt.WindowType.Window)
        self.setWindowTitle("Step-through — presentation")
        self.setStyleSheet("background: black; color: white")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        hint = QLabel("→ next   ← back   Space play/pause   Home/End first/last   "
                      "F11 or Esc leave")
        hint.setStyleSheet("color: #aaaaaa; padding: 2px 12px")
        self.hint = hint
        layout.addWidget(hint)


class StepThroughTab(Tab):
    """Pick an example, step through it, quiz yourself, present it, export it."""

    title = "Step-through"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._picture: np.ndarray | None = None
        self._picture_name = "the picture"
        self._layer: LayerSpec | None = None
        self._pristine: Example = example("lecture-edge")
        self._walk: Walkthrough = walk(self._pristine)
        self._index = 0
        self._quiz = False
        self._revealed: set[int] = set()
        self._score = Score()
        self._question: SizeQuestion | None = None
        self._questions: list[SizeQuestion] = []
        self._filtering = False
        self._presentation: _PresentationWindow | None = None

        self.canvas = StepCanvas()
        self.canvas.board.cell_edited.connect(self._on_cell_edited)
        self.canvas.board.edit_refused.connect(self.message)
        self.quiz_bar = QuizBar()
        self.quiz_bar.submitted.connect(self.submit_answer)
        self.quiz_bar.hide()
        self._timer = QTimer(self, interval=DEFAULT_SPEED_MS)
        self._timer.timeout.connect(self._on_tick)
        # a background export: frames rendered on ticks, handed to the writer's thread
        self._writer: AnimationWriter | None = None
        self._export_frames = None
        self._export_bar: QProgressDialog | None = None
        self._export_total = self._export_done = 0
        self._export_timer = QTimer(self, interval=5)
        self._export_timer.timeout.connect(self._on_export_tick)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addLayout(self._build_picker_row())
        layout.addLayout(self._build_transport_row())
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.quiz_bar)

        self.presentation_action = QAction("&Presentation mode", self, checkable=True)
        self.presentation_action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.presentation_action.setStatusTip("The step-through alone, full screen, large type, "
                                              "high contrast (F11 or Esc to leave)")
        self.presentation_action.toggled.connect(self.set_presentation)
        self.addAction(self.presentation_action)
        self._load(self._pristine)

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
        self.picker.addItem("From the explorer: your layer on a crop", EXPLORER)
        self._refresh_explorer_entry()
        self.picker.currentIndexChanged.connect(self._on_picked)
        self.new_numbers_button = QPushButton("New numbers")
        self.new_numbers_button.setToolTip("Draw other small numbers for this example")
        self.new_numbers_button.clicked.connect(self.new_numbers)
        self.reset_button = QPushButton("Reset numbers")
        self.reset_button.setToolTip("Undo every number typed into the grids")
        self.reset_button.clicked.connect(self.reset_numbers)
        # a 3-channel layer shows three input grids: 8×8 keeps their numbers readable
        self.crop_size = QSpinBox(prefix="crop ", suffix=" px", minimum=3, maximum=MAX_CROP,
                                  value=DEFAULT_CROP)
        self.crop_size.setToolTip(f"The side of the crop, up to {MAX_CROP} pixels")
        self.crop_row = QSpinBox(prefix="at row ", minimum=0)
        self.crop_col = QSpinBox(prefix="column ", minimum=0)
        for spin in (self.crop_size, self.crop_row, self.crop_col):
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._on_crop_moved)
            spin.hide()
        self.quiz_box = QCheckBox("Quiz")
        self.quiz_box.setToolTip("Predict each value before it is shown")
        self.quiz_box.toggled.connect(self.set_quiz)
        self.size_button = QPushButton("Size question")
        self.size_button.setToolTip("A question on the output size of a random layer")
        self.size_button.clicked.connect(self.ask_size_question)
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

        def button(icon: QStyle.StandardPixmap, text: str, tip: str, slot) -> QPushButton:
            b = QPushButton(icons.standardIcon(icon), text)
            b.setToolTip(tip)
            b.clicked.connect(slot)
            return b

        self.play_button = button(QStyle.StandardPixmap.SP_MediaPlay, "Play",
                                  "Play or pause (Space)", self.toggle_play)
        self.slider = QSlider(Qt.Orientation.Horizontal, minimum=0)
        self.slider.valueChanged.connect(self.go_to)
        self.position = QLabel()
        self.speed = QComboBox()
        for ms in SPEEDS_MS:
            self.speed.addItem(f"{ms / 1000:g} s", ms)
        self.speed.setToolTip("How long each step shows while playing")
        self.speed.setCurrentIndex(SPEEDS_MS.index(DEFAULT_SPEED_MS))
        self.speed.currentIndexChanged.connect(
            lambda _i: self._timer.setInterval(int(self.speed.currentData())))
        row = QHBoxLayout()
        pixmap = QStyle.StandardPixmap
        row.addWidget(button(pixmap.SP_MediaSkipBackward, "", "First step (Home)", self.first))
        row.addWidget(button(pixmap.SP_MediaSeekBackward, "", "Step back (←)", self.step_back))
        row.addWidget(self.play_button)
        row.addWidget(button(pixmap.SP_MediaSeekForward, "", "Step forward (→)",
                             self.step_forward))
        row.addWidget(button(pixmap.SP_MediaSkipForward, "", "Last step (End)", self.last))
        row.addWidget(self.slider, 1)
        row.addWidget(self.position)
        row.addWidget(self.speed)
        present = QPushButton("Present")
        present.setToolTip("Full screen, large type, high contrast (F11; Esc leaves)")
        present.clicked.connect(lambda: self.set_presentation(True))
        export = QPushButton("Export…")
        export.setToolTip("Save the steps as a GIF, an MP4 or numbered PNG frames")
        export.clicked.connect(self.export_animation_dialog)
        row.addWidget(present)
        row.addWidget(export)
        return row

    # --- the contract of a tab -----------------------------------------------------------
    def set_source(self, image: np.ndarray, name: str, live: bool) -> None:
        """Keep the newest picture for the explorer's example.

        A new still is cropped at once; live frames only replace the picture the next crop is
        taken from, so the numbers on screen hold still while they are being read.
        """
        new_picture = self._picture is None or self._picture.shape != image.shape
        self._picture, self._picture_name = image, name
        if new_picture:
            self._centre_crop()
        self._refresh_explorer_entry()
        if not live and self.current_name == EXPLORER:
            self._load_explorer_example()

    def set_explorer_layer(self, spec: LayerSpec) -> None:
        """The explorer's first layer, for the "From the explorer" example."""
        self._layer = spec
        self._refresh_explorer_entry()
        if self.current_name == EXPLORER:
            self._load_explorer_example()

    def cleanup(self) -> None:
        self._timer.stop()
        self.cancel_export()
        self._watch_keys(False)
        if self._presentation is not None:
            self.set_presentation(False)
            self._presentation.deleteLater()
            self._presentation = None

    # --- what is shown -------------------------------------------------------------------
    @property
    def walkthrough(self) -> Walkthrough:
        return self._walk

    @property
    def index(self) -> int:
        return self._index

    @property
    def current_name(self) -> str:
        return str(self.picker.currentData())

    @property
    def score(self) -> Score:
        return self._score

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def select_example(self, name: str) -> None:
        """Show the example called ``name`` (see EXAMPLE_NAMES, or "explorer")."""
        i = self.picker.findData(name)
        if i < 0:
            raise ValueError(f"unknown example {name!r}: use one of {', '.join(EXAMPLE_NAMES)}")
        self.picker.setCurrentIndex(i)

    def _on_picked(self, _index: int) -> None:
        name = self.current_name
        is_explorer = name == EXPLORER
        for spin in (self.crop_size, self.crop_row, self.crop_col):
            spin.setVisible(is_explorer)
        if is_explorer:
            self._load_explorer_example()
        else:
            self._load(example(name))

    def _load(self, ex: Example, keep_step: bool = False) -> bool:
        """Make ``ex`` the example on screen; on a ValueError say why and keep the old one."""
        try:
            walkthrough = walk(ex)
        except ValueError as exc:
            self.error.emit(str(exc))
            return False
        if not keep_step or ex.name != self._walk.example.name:
            self._pristine = ex
        self._walk = walkthrough
        last = len(walkthrough.steps) - 1
        self._index = min(self._index, last) if keep_step else 0
        if not keep_step:
            self._revealed.clear()
            self.stop()
        self.new_numbers_button.setEnabled(ex.seed is not None)
        self.slider.blockSignals(True)
        self.slider.setMaximum(last)
        self.slider.blockSignals(False)
        self._show()
        return True

    def _show(self) -> None:
        hide = self._quiz and self._index not in self._revealed
        self.canvas.show_step(self._walk, self._index, hide_value=hide)
        self.slider.blockSignals(True)
        self.slider.setValue(self._index)
        self.slider.blockSignals(False)
        self.position.setText(f"step {self._index + 1} of {len(self._walk.steps)}")
        if self._quiz and self._question is None:
            step = self._walk.steps[self._index]
            if hide:
                self.quiz_bar.ask(f"o[{step.out[0]}, {step.out[1]}, {step.map}] = ")
                self.quiz_bar.answer.setFocus()
            else:
                self.quiz_bar.close_question()

    # --- stepping ------------------------------------------------------------------------
    def go_to(self, index: int) -> None:
        """Show step ``index``; in the quiz every step before it counts as shown."""
        last = len(self._walk.steps) - 1
        self._index = max(0, min(int(index), last))
        if self._quiz:
            self._revealed.update(range(self._index))
        self._show()

    def step_forward(self) -> None:
        if self._quiz and self._index not in self._revealed:
            self._reveal(self._index)  # → before an answer shows the value, unscored
            return
        if self._index == len(self._walk.steps) - 1:
            self.stop()
            return
        self.go_to(self._index + 1)

    def step_back(self) -> None:
        self.go_to(self._index - 1)

    def first(self) -> None:
        self.go_to(0)

    def last(self) -> None:
        if self._quiz:  # the quiz reveals one step at a time
            self.step_forward()
            return
        self.go_to(len(self._walk.steps) - 1)

    def toggle_play(self) -> None:
        if self.playing:
            self.stop()
            return
        if self._quiz:
            self.message.emit("The quiz waits for your answers: leave the quiz to play")
            return
        if self._index == len(self._walk.steps) - 1:
            self._index = 0
            self._show()
        self._timer.start()
        self.play_button.setText("Pause")
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause))

    def stop(self) -> None:
        self._timer.stop()
        self.play_button.setText("Play")
        self.play_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))

    def _on_tick(self) -> None:
        if self._index >= len(self._walk.steps) - 1:
            self.stop()
        else:
            self.go_to(self._index + 1)

    # --- numbers -------------------------------------------------------------------------
    def new_numbers(self) -> None:
        """Draw other small numbers for an example that can (the lecture's volume)."""
        seed = self._walk.example.seed
        if seed is None:
            return
        self._load(lecture_volume(seed + 1))

    def reset_numbers(self) -> None:
        self._load(self._pristine, keep_step=True)

    def _on_cell_edited(self, block: str, channel: int, row: int, col: int,
                        value: float) -> None:
        step = self._walk.steps[self._index]
        try:
            if block == "input":
                ex = self._walk.edit_input(row, col, channel, value)
            else:
                ex = self._walk.edit_kernel(step.map, row, col, channel, value)
        except ValueError as exc:
            self.message.emit(str(exc))
            return
        self._load(ex, keep_step=True)

    # --- the explorer's layer on a crop --------------------------------------------------
    def _refresh_explorer_entry(self) -> None:
        i = self.picker.findData(EXPLORER)
        ready = self._picture is not None and self._layer is not None
        item = self.picker.model().item(i)
        item.setEnabled(ready)
        tip = ("The explorer's first layer on a crop of up to 12×12 pixels of the picture"
               if ready else "Open a picture in the explorer first")
        self.picker.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)

    def _centre_crop(self) -> None:
        h, w = self._picture.shape[:2]
        for spin, n in ((self.crop_row, h), (self.crop_col, w)):
            spin.blockSignals(True)
            spin.setMaximum(max(n - 1, 0))
            spin.setValue(max((n - self.crop_size.value()) // 2, 0))
            spin.blockSignals(False)

    def _on_crop_moved(self, _value: int) -> None:
        if self.current_name == EXPLORER:
            self._load_explorer_example()

    def _load_explorer_example(self) -> None:
        if self._picture is None or self._layer is None:
            self.message.emit("Open a picture and set up a layer in the explorer first")
            return
        h, w = self._picture.shape[:2]
        self.crop_row.setMaximum(max(h - 1, 0))
        self.crop_col.setMaximum(max(w - 1, 0))
        try:
            ex = from_layer(self._picture, self._layer,
                            (self.crop_row.value(), self.crop_col.value()),
                            size=self.crop_size.value(), name=self._picture_name)
        except ValueError as exc:
            self.error.emit(str(exc))
            return
        self._load(ex)

    # --- the quiz ------------------------------------------------------------------------
    def set_quiz(self, on: bool) -> None:
        """Quiz mode: each value stays hidden until a prediction is typed (or → is pressed)."""
        self._quiz = bool(on)
        self.quiz_box.blockSignals(True)
        self.quiz_box.setChecked(self._quiz)
        self.quiz_box.blockSignals(False)
        self._score = Score()
        self._question = None
        self._revealed = set(range(self._index))  # what was already shown stays shown
        self.quiz_bar.setVisible(self._quiz)
        self.quiz_bar.score.setText("")
        self.quiz_bar.show_note("")
        if self._quiz:
            self.stop()
        self._show()

    def ask_size_question(self) -> SizeQuestion:
        """Put a "what is the output size?" question from random settings on the quiz line."""
        if not self._quiz:
            self.set_quiz(True)
        if not self._questions:
            self._questions = size_questions(20)
        self._question = self._questions.pop()
        self.quiz_bar.ask(self._question.text)
        self.quiz_bar.answer.setFocus()
        return self._question

    def submit_answer(self, text: str) -> Verdict | None:
        """Check a typed answer to the open question; None when it is not a number."""
        try:
            if self._question is not None:
                verdict = check_size(text, self._question)
            elif self._index in self._revealed:
                return None
            else:
                verdict = check_prediction(text, self._walk.steps[self._index],
                                           self._walk.example)
        except ValueError as exc:
            self.quiz_bar.show_note(str(exc))
            return None
        self._score.record(verdict)
        expected = cell_text(verdict.expected)
        if self._question is not None:
            how = self._question.explanation
            self._question = None
            self.quiz_bar.close_question()
        else:
            how = ""
            self._revealed.add(self._index)
            self._show()
        said = cell_text(verdict.given)
        text = f"Right: {expected}." if verdict.correct else \
            f"Not quite: you said {said}, it is {expected}."
        self.quiz_bar.show_verdict(verdict.correct, f"{text} {how}".strip())
        done = self._index == len(self._walk.steps) - 1 and self._index in self._revealed
        self.quiz_bar.score.setText(("Final score: " if done else "Score: ") + self._score.text)
        return verdict

    def _reveal(self, index: int) -> None:
        self._revealed.add(index)
        self.quiz_bar.show_note("Shown without an answer (not scored).")
        if index == len(self._walk.steps) - 1:
            self.quiz_bar.score.setText("Final score: " + self._score.text)
        self._show()

    # --- keys ----------------------------------------------------------------------------
    _KEYS: ClassVar[dict[Qt.Key, str]] = {
        Qt.Key.Key_Right: "step_forward", Qt.Key.Key_PageDown: "step_forward",
        Qt.Key.Key_Left: "step_back", Qt.Key.Key_PageUp: "step_back",
        Qt.Key.Key_Space: "toggle_play", Qt.Key.Key_Home: "first", Qt.Key.Key_End: "last",
    }

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._watch_keys(True)
        # the tab bar keeps the focus after a click on the tab; the grids take it so that
        # → and ← step instead of switching tabs
        QTimer.singleShot(0, self._focus_canvas)

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        if self._presentation is None or not self._presentation.isVisible():
            self._watch_keys(False)

    def _focus_canvas(self) -> None:
        if not self.isVisible():
            return
        waiting = self._quiz and self.quiz_bar.answer.isEnabled()
        (self.quiz_bar.answer if waiting else self.canvas.board).setFocus()

    def _watch_keys(self, on: bool) -> None:
        app = QApplication.instance()
        if app is None or on == self._filtering:
            return
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._filtering = on

    def _owns(self, obj: QObject) -> bool:
        if not isinstance(obj, QWidget):
            return False
        pw = self._presentation
        if pw is not None and pw.isVisible():
            return obj is pw or pw.isAncestorOf(obj)
        return obj is self or self.isAncestorOf(obj)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        # application-wide while the tab is shown: the keys step whatever has the focus in
        # the tab (a spin box, the quiz's answer box, a button) — a clicker sends these keys
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and self._owns(obj):
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if mods == Qt.KeyboardModifier.NoModifier:
                name = self._KEYS.get(Qt.Key(event.key()))
                if name is not None:
                    getattr(self, name)()
                    return True
                if event.key() == Qt.Key.Key_Escape and self.presenting:
                    self.set_presentation(False)
                    return True
        return super().eventFilter(obj, event)

    # --- presentation --------------------------------------------------------------------
    @property
    def presenting(self) -> bool:
        return self._presentation is not None and self._presentation.isVisible()

    def set_presentation(self, on: bool) -> None:
        """Full screen, high contrast, large type: the step-through alone (F11, Esc leaves)."""
        if on == self.presenting:
            return
        layout = self.layout()
        if on:
            if self._presentation is None:
                self._presentation = _PresentationWindow(self)
                self._presentation.addAction(self.presentation_action)
            pw = self._presentation
            pw.layout().addWidget(self.canvas, 1)
            pw.layout().addWidget(self.quiz_bar)
            self.canvas.set_presentation(True)
            self.quiz_bar.set_presentation(True)
            self._watch_keys(True)
            screen = self.screen() or QGuiApplication.primaryScreen()
            if screen is not None:  # the whole screen even where no window manager helps
                pw.setGeometry(screen.geometry())
            pw.showFullScreen()
            self.canvas.board.setFocus()
        else:
            pw = self._presentation
            layout.insertWidget(2, self.canvas, 1)
            layout.insertWidget(3, self.quiz_bar)
            self.canvas.set_presentation(False)
            self.quiz_bar.set_presentation(False)
            pw.hide()
            if not self.isVisible():
                self._watch_keys(False)
        self.quiz_bar.setVisible(self._quiz)
        self.presentation_action.blockSignals(True)
        self.presentation_action.setChecked(on)
        self.presentation_action.blockSignals(False)
        self._show()

    # --- export --------------------------------------------------------------------------
    def export_animation(self, path: str | Path, scale: int = 1, frame_ms: int = 800,
                         presentation: bool = False) -> list[Path]:
        """Write the example's steps as a GIF, an MP4 or numbered PNGs (by ``path``'s suffix).

        One frame a step, 1280×720 at 1× (2560×1440 at 2×), rendered and encoded before it
        returns (File > Export animation uses :meth:`start_export`, which encodes on a
        thread). Raises ValueError with a sentence on a bad path or setting.
        """
        check_writable(path)
        check_frame_ms(frame_ms)
        steps = frame_steps(self._walk, self._walk.steps[self._index].map)
        frames = render_frames(self._walk, steps, scale, presentation=presentation)
        return save_animation(frames, path, frame_ms)

    def start_export(self, path: str | Path, scale: int = 1, frame_ms: int = 800,
                     presentation: bool = False) -> AnimationWriter:
        """Write the animation in the background: frames rendered here, encoded on a thread.

        Returns the writer; its ``written``, ``failed`` and ``cancelled`` signals say how it
        ended (the tab also reports through ``message`` and ``error``). Raises ValueError at
        once for a bad path or setting.
        """
        self.cancel_export()
        check_writable(path)
        check_frame_ms(frame_ms)
        steps = frame_steps(self._walk, self._walk.steps[self._index].map)
        self._export_frames = render_frames(self._walk, steps, scale, presentation=presentation)
        self._export_total, self._export_done = len(steps), 0
        writer = AnimationWriter(path, frame_ms, self)
        writer.written.connect(self._on_export_written)
        writer.failed.connect(self._on_export_failed)
        self._writer = writer
        writer.start()
        self._export_timer.start()
        return writer

    def cancel_export(self) -> None:
        """Stop a background export; the target file is left as it was."""
        self._export_timer.stop()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.cancel()
            writer.deleteLater()
        if self._export_frames is not None:
            self._export_frames.close()
            self._export_frames = None
        self._close_export_bar()

    def _close_export_bar(self) -> None:
        bar, self._export_bar = self._export_bar, None
        if bar is not None:
            bar.canceled.disconnect(self._on_export_cancelled)  # closing emits canceled
            bar.close()
            bar.deleteLater()

    @property
    def exporting(self) -> bool:
        return self._writer is not None

    def _on_export_tick(self) -> None:
        writer = self._writer
        if writer is None or self._export_frames is None:
            self._export_timer.stop()
            return
        if not writer.wants_frame():
            return  # the encoder is behind: try again on the next tick
        try:
            frame = next(self._export_frames)
        except StopIteration:
            self._export_timer.stop()
            self._export_frames = None
            writer.finish()
            if self._export_bar is not None:
                self._export_bar.setLabelText("Writing the file…")
            return
        writer.offer(frame)
        self._export_done += 1
        if self._export_bar is not None:
            self._export_bar.setValue(self._export_done)

    def _end_export(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.wait()
            writer.deleteLater()
        self._close_export_bar()

    def _on_export_written(self, written: list[Path]) -> None:
        self._end_export()
        what = written[0].name if len(written) == 1 else \
            f"{len(written)} frames {written[0].name} … {written[-1].name}"
        self.message.emit(f"Saved {what}")

    def _on_export_failed(self, message: str) -> None:
        self._end_export()
        self.error.emit(message)

    def export_animation_dialog(self) -> None:
        """File > Export animation…: ask where and how, then write with a cancellable bar."""
        self.stop()
        try:
            count = len(frame_steps(self._walk, self._walk.steps[self._index].map))
        except ValueError as exc:
            self.error.emit(str(exc))
            return
        dialog = AnimationDialog(int(self.speed.currentData()), count, self)
        if not dialog.exec() or not dialog.path:
            return
        try:
            self.start_export(dialog.path, dialog.scale, dialog.frame_ms, dialog.presentation)
        except ValueError as exc:
            self.error.emit(str(exc))
            return
        bar = QProgressDialog("Rendering the frames…", "Cancel", 0, count, self)
        bar.setWindowModality(Qt.WindowModality.WindowModal)
        bar.setMinimumDuration(300)
        bar.canceled.connect(self._on_export_cancelled)
        self._export_bar = bar

    def _on_export_cancelled(self) -> None:
        self._close_export_bar()
        self.cancel_export()
        self.message.emit("Export cancelled; nothing was written")
