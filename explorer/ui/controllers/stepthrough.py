"""The Step-through tab's controller: a worked example, its step, the quiz, the export.

Its model is ``document.stepthrough``. The example's steps are built on the tab's worker
(the example or the explorer's crop, the typed numbers put in, every window walked) whenever
the example, its seed, its typed numbers or its crop change, and — for "From the explorer" —
when the explorer's first layer or the picture's source changes (live frames of one feed
only replace the picture the next crop is taken from, so the numbers being read hold still).
The step, the quiz, the playing and the channel presentation mode shows of a volume (one at a
time, so that its numbers read from the back of a room) only redraw. The quiz's round (what
was shown, the score, an open size question) is kept here; the view writes the user's edits
to the model and asks for the rest through its signals. An export renders and writes its
frames as a long job on the same worker (:func:`~explorer.ui.step_frames.export_steps`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from explorer.core import images
from explorer.core.animation import check_frame_ms, check_writable
from explorer.core.cancel import CancelToken
from explorer.core.pipeline import LayerSpec, NamedStack
from explorer.core.stepthrough import (
    QuizRound,
    SizeQuestion,
    Verdict,
    Walkthrough,
    apply_edits,
    cell_text,
    example,
    explorer_lesson,
    fitting_edits,
    from_layer,
    walk,
)
from explorer.state import Document
from explorer.state.document import Picture
from explorer.state.limits import EXPLORER_EXAMPLE
from explorer.ui.convert import qimage_to_array
from explorer.ui.export import saved_text
from explorer.ui.panels.stepthrough_panel import StepThroughPanel
from explorer.ui.step_frames import ExportProgress, check_scale, export_steps, frame_steps
from explorer.ui.tab import TabController
from explorer.ui.widgets.step_slide import SLIDE_SIZE, StepSlide, render_slide
from explorer.ui.workers.worker import Worker

EXPORT_NEWS_S = 0.1  # how often an export's progress reaches the bar


@dataclass(frozen=True, eq=False)
class Recipe:
    """Everything a walkthrough is built from (the picture and layer only for the explorer's
    example)."""

    name: str
    seed: int
    edits: tuple
    crop: tuple[int, int, int]  # size, row, column
    image: np.ndarray | None = None
    picture_name: str = ""
    spec: LayerSpec | None = None


@dataclass(frozen=True, eq=False)
class Built:
    walkthrough: Walkthrough
    left_out: int  # typed numbers that lie outside the explorer's crop
    seconds: float


def build_walkthrough(recipe: Recipe) -> Built:
    """The whole request, on the worker: the example, its typed numbers, every step."""
    start = time.perf_counter()
    edits = recipe.edits
    if recipe.name == EXPLORER_EXAMPLE:
        if recipe.image is None or recipe.spec is None:
            raise ValueError("open a picture in the explorer first: this example is a crop "
                             "of it")
        size, row, col = recipe.crop
        h, w = recipe.image.shape[:2]
        ex = from_layer(recipe.image, recipe.spec, (min(row, h - 1), min(col, w - 1)), size,
                        name=recipe.picture_name)
        edits = fitting_edits(ex, edits)
    else:
        ex = example(recipe.name, recipe.seed)
    walkthrough = walk(apply_edits(ex, edits))
    return Built(walkthrough, len(recipe.edits) - len(edits), time.perf_counter() - start)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class StepThroughController(TabController):
    """See the module docstring."""

    key = "step-through"
    title = "Step-through"
    exported = Signal(list)  # the files an export wrote

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(document, parent)
        self.view = StepThroughPanel(document)
        self.worker = Worker("step-through-worker", self)
        self.worker.done.connect(self._on_built)
        self.worker.failed.connect(self._on_failed)
        self.worker.progress.connect(self._on_export_progress)
        self.worker.finished.connect(self._on_export_finished)
        self.walkthrough: Walkthrough | None = None
        self.quiz = QuizRound()
        self._built: Built | None = None
        self._asked = 0  # the tag of the newest request
        self._shown_tag = 0  # the tag of the walkthrough (or failure) on screen
        self._stale = True  # the model or picture changed since the last request
        self._dialog_waiting = False  # File > Export animation before the steps were built
        self._picture_shape: tuple[int, ...] | None = None
        self._timer = QTimer(self, singleShot=True, interval=0)  # a burst of edits: one request
        self._timer.timeout.connect(self.request)
        settings = document.stepthrough
        self._play = QTimer(self, interval=settings.speed_ms)
        self._play.timeout.connect(self._on_tick)
        # an export under way: its job's tag, its token, frames done, the bar on screen
        self._export: int | None = None
        self._export_token: CancelToken | None = None
        self._export_shown = False
        self.export_done = 0

        events = settings.events
        self.connect_model(events.example, self._on_example_changed)
        for name in ("seed", "edits", "crop_size", "crop_row", "crop_col"):
            self.connect_model(getattr(events, name), self._on_numbers_changed)
        self.connect_model(events.step, self._on_step_changed)
        self.connect_model(events.channel, self._on_step_changed)
        self.connect_model(events.quiz, self._on_quiz_changed)
        self.connect_model(events.speed_ms, self._on_speed_changed)
        doc = document
        for signal in (doc.stack.changed, doc.stack.layer_changed, doc.stack.filters_changed,
                       doc.input.events.grayscale):
            self.connect_model(signal, self._on_layer_changed)

        view = self.view
        view.command.connect(self._on_command)
        view.answered.connect(self.answer)
        view.size_question.connect(self.ask_size_question)
        view.export_clicked.connect(self.export_animation_dialog)
        view.export_cancelled.connect(self._on_export_cancel_clicked)
        view.present_clicked.connect(self.presentation_asked)
        view.message.connect(self.message)

    # --- for the window --------------------------------------------------------------------
    def presentation_view(self):
        """The slide and the quiz line, without the controls."""
        return self.view.stage

    def set_presentation(self, on: bool) -> None:
        self.view.set_presentation(on)
        self._show()  # a volume: one channel at a time, or every channel again

    def presentation_keys(self) -> str:
        keys = "→ next   ← back   Space play/pause   Home/End first/last"
        if self._volume_channels():
            keys += "   ↓ ↑ channel by channel, then their sum"
        return keys

    def _volume_channels(self) -> int:
        """The channels a convolution of the example sums over, when more than one."""
        w = self.walkthrough
        if w is None or w.kernels is None or w.channels < 2:
            return 0
        return w.channels

    def shown_channel(self, presentation: bool | None = None) -> int | None:
        """The channel of a volume that presentation mode shows (``presentation`` None:
        whether it is on now): input channel c, the number of channels for their sum, or
        None for every channel at once (not presenting, or no volume)."""
        channels = self._volume_channels()
        presenting = self.view.presenting if presentation is None else presentation
        if not presenting or not channels:
            return None
        return min(self.document.stepthrough.channel, channels)

    def next_channel(self) -> None:
        """Presentation of a volume: the next input channel, after the last their sum."""
        shown = self.shown_channel()
        if shown is not None:
            self.document.stepthrough.channel = min(shown + 1, self._volume_channels())

    def previous_channel(self) -> None:
        shown = self.shown_channel()
        if shown is not None:
            self.document.stepthrough.channel = max(shown - 1, 0)

    @property
    def index(self) -> int:
        """The step on show: the model's, within the example's steps."""
        w = self.walkthrough
        step = self.document.stepthrough.step
        return step if w is None else min(step, len(w.steps) - 1)

    def save_slide(self, path: str | Path, scale: int = 1, presentation: bool = False, *,
                   overwrite: bool = True) -> Path:
        """The step on show as a slide picture of 1280×720 × ``scale`` (1 to 3), as an
        exported frame paints it (``presentation``: as presentation mode does, on black)."""
        if self.walkthrough is None:
            raise ValueError("the step-through has no steps yet")
        if scale not in (1, 2, 3):
            raise ValueError(f"a slide is rendered at 1×, 2× or 3×, not {scale}×")
        target = images.check_save_path(path, overwrite=overwrite)
        slide = StepSlide(self.walkthrough, self.index,
                          channel=self.shown_channel(presentation))
        image = render_slide(slide, SLIDE_SIZE, scale, presentation)
        return images.save_image(target, qimage_to_array(image), overwrite=overwrite)

    @property
    def playing(self) -> bool:
        return self._play.isActive()

    # --- model changes ---------------------------------------------------------------------
    def _on_example_changed(self, *_: object) -> None:
        self.stop()
        self._restart_quiz()
        self._on_numbers_changed()

    def _on_numbers_changed(self, *_: object) -> None:
        self.view.show_settings()
        self.schedule()

    def _on_layer_changed(self, *_: object) -> None:
        if self.document.stepthrough.example == EXPLORER_EXAMPLE:
            self.schedule()

    def _on_step_changed(self, *_: object) -> None:
        self._show()

    def _on_quiz_changed(self, *_: object) -> None:
        self.stop()
        self._restart_quiz()
        self.view.show_settings()
        self._show()

    def _on_speed_changed(self, *_: object) -> None:
        self._play.setInterval(self.document.stepthrough.speed_ms)
        self.view.show_settings()

    def show_picture(self, picture: Picture | None, new_source: bool) -> None:
        shape = None if picture is None else picture.image.shape[:2]
        if new_source or shape != self._picture_shape:  # not for every live frame
            self._picture_shape = shape
            self.view.set_picture(picture)
        if new_source and self.document.stepthrough.example == EXPLORER_EXAMPLE:
            self.schedule()

    def lesson(self, name: str) -> tuple[np.ndarray, NamedStack]:
        """A lecture example for the explorer: its input as the picture, its filters as the
        first layer (File > Open lecture example). The numbers are those this tab shows when
        it is on that example (its draw and what was typed), else the example's own."""
        settings = self.document.stepthrough
        if settings.example == name:
            ex = apply_edits(example(name, settings.seed), settings.edits)
        else:
            ex = example(name)
        picture, spec = explorer_lesson(ex)
        k = spec.n_filters
        names = ("vertical edge [1 0 −1]",) if name == "lecture-edge" else tuple(
            f"W{i}" for i in range(k))
        return picture, NamedStack((spec,), (names,), f"the lecture's {ex.title.lower()}")

    # --- requests --------------------------------------------------------------------------
    def schedule(self, *_: object) -> None:
        self._stale = True
        if self.active or self._dialog_waiting:
            self._timer.start()

    def activated(self) -> None:
        if self._stale:
            self._timer.start()

    def deactivated(self) -> None:
        self.stop()

    def _recipe(self) -> Recipe:
        s = self.document.stepthrough
        crop = (s.crop_size, s.crop_row, s.crop_col)
        if s.example != EXPLORER_EXAMPLE:
            return Recipe(s.example, s.seed, s.edits, crop)
        picture = self.picture
        return Recipe(s.example, s.seed, s.edits, crop,
                      None if picture is None else picture.image,
                      "the picture" if picture is None else picture.name,
                      self.document.layer_spec(0))

    def request(self) -> int | None:
        """Build the example's steps again (on the worker)."""
        if not self.active and not self._dialog_waiting:
            return None
        recipe = self._recipe()
        self._stale = False
        self._asked = self.worker.submit(lambda _token: build_walkthrough(recipe),
                                         supersede=True)
        return self._asked

    def is_settled(self) -> bool:
        return not self._stale and not self._timer.isActive() and self._asked > 0 \
            and self._shown_tag == self._asked

    def _on_built(self, tag: int, built: Built) -> None:
        if tag != self._asked:
            return  # a newer request is on its way
        self._shown_tag = tag
        self._built = built
        self.walkthrough = built.walkthrough
        if built.left_out:
            n = built.left_out
            self.message.emit(f"{n} typed number{'s lie' if n > 1 else ' lies'} outside this "
                              "crop: left out until the crop holds it again")
        settings = self.document.stepthrough
        last = len(built.walkthrough.steps) - 1
        if not self._stale and settings.step > last:
            settings.step = last  # a session's or an older example's step: within this one
        self._show()
        self.status_changed.emit()
        self.settled.emit()
        if self._dialog_waiting:
            self._dialog_waiting = False
            QTimer.singleShot(0, self.export_animation_dialog)

    def _on_failed(self, tag: int, message: str) -> None:
        if self._export is not None and tag == self._export:
            self._end_export()
            self.error.emit(_sentence(message))
            return
        if tag != self._asked:
            return
        self._shown_tag = tag
        self._dialog_waiting = False
        self.walkthrough = self._built = None  # nothing of another example under this name
        self._show()
        self.error.emit(_sentence(message))
        self.settled.emit()

    def status_text(self) -> str:
        if self._export is not None:
            return f"exporting: {self.export_done} frames written"
        if self._built is None:
            return ""
        steps = len(self._built.walkthrough.steps)
        return f"{steps} steps worked out in {self._built.seconds * 1000:.0f} ms"

    # --- what is shown ---------------------------------------------------------------------
    def _show(self) -> None:
        w = self.walkthrough
        if w is None:
            self.view.clear()
            return
        quiz = self.document.stepthrough.quiz
        index = self.index
        hidden = quiz and self.quiz.hides(index)
        self.view.show_step(w, index, hidden, self.shown_channel())
        if not quiz:
            return
        bar = self.view.quiz_bar
        question = self.quiz.question
        if question is not None:  # a size question first, then the step's own
            bar.ask(question.text)
        elif hidden:
            step = w.steps[index]
            bar.ask(f"o[{step.out[0]}, {step.out[1]}, {step.map}] = ")
        else:
            bar.close_question()

    # --- stepping --------------------------------------------------------------------------
    def _on_command(self, name: str) -> None:
        {"forward": self.step_forward, "back": self.step_back, "first": self.first,
         "last": self.last, "play": self.toggle_play, "next channel": self.next_channel,
         "previous channel": self.previous_channel}[name]()

    def step_forward(self) -> None:
        w = self.walkthrough
        if w is None:
            return
        index, last = self.index, len(w.steps) - 1
        if self.document.stepthrough.quiz and self.quiz.hides(index):
            self.quiz.reveal(index)  # → before an answer shows the value, unscored
            bar = self.view.quiz_bar
            bar.show_note("Shown without an answer (not scored).")
            if index == last:
                bar.score.setText("Final score: " + self.quiz.score.text)
            self._show()
            return
        if index >= last:
            self.stop()
            return
        self.document.stepthrough.step = index + 1

    def step_back(self) -> None:
        if self.walkthrough is not None:
            self.document.stepthrough.step = max(self.index - 1, 0)

    def first(self) -> None:
        """The first step; in the quiz, a new round."""
        settings = self.document.stepthrough
        if settings.quiz:
            self._restart_quiz()
        if settings.step == 0:
            self._show()
        settings.step = 0

    def last(self) -> None:
        if self.document.stepthrough.quiz:  # the quiz reveals one step at a time
            self.step_forward()
        elif self.walkthrough is not None:
            self.document.stepthrough.step = len(self.walkthrough.steps) - 1

    def toggle_play(self) -> None:
        if self.playing:
            self.stop()
            return
        if self.document.stepthrough.quiz:
            self.message.emit("The quiz waits for your answers: leave the quiz to play")
            return
        w = self.walkthrough
        if w is None:
            return
        if self.index >= len(w.steps) - 1:
            self.document.stepthrough.step = 0
        self._play.start()
        self.view.set_playing(True)

    def stop(self) -> None:
        self._play.stop()
        self.view.set_playing(False)

    def _on_tick(self) -> None:
        w = self.walkthrough
        if w is None or self.index >= len(w.steps) - 1:
            self.stop()
        else:
            self.document.stepthrough.step = self.index + 1

    # --- the quiz --------------------------------------------------------------------------
    def _restart_quiz(self) -> None:
        self.quiz.restart()
        bar = self.view.quiz_bar
        bar.score.setText("")
        bar.show_note("")

    def ask_size_question(self) -> SizeQuestion:
        """Put a "what is the output size?" question from random settings on the quiz line
        (it is asked before the step's own question)."""
        settings = self.document.stepthrough
        if not settings.quiz:
            settings.quiz = True
        question = self.quiz.ask_size()
        self.view.quiz_bar.ask(question.text)
        return question

    def answer(self, text: str) -> Verdict | None:
        """Check a typed answer to the open question; None when there is none or ``text`` is
        no number (the question stays open)."""
        w = self.walkthrough
        if w is None or not self.document.stepthrough.quiz:
            return None
        bar = self.view.quiz_bar
        index = self.index
        question = self.quiz.question
        try:
            if question is not None:
                verdict = self.quiz.answer_size(text)
            elif self.quiz.hides(index):
                verdict = self.quiz.answer_step(text, w.steps[index], w.example)
            else:
                return None
        except ValueError as exc:
            bar.show_note(_sentence(str(exc)))
            return None
        self._show()  # the step's value, or the step's own question after a size question
        expected, said = cell_text(verdict.expected), cell_text(verdict.given)
        text = f"Right: {expected}." if verdict.correct else \
            f"Not quite: you said {said}, it is {expected}."
        how = "" if question is None else question.explanation
        bar.show_verdict(verdict.correct, f"{text} {how}".strip())
        done = index == len(w.steps) - 1 and not self.quiz.hides(index)
        bar.score.setText(("Final score: " if done else "Score: ") + self.quiz.score.text)
        return verdict

    # --- export ----------------------------------------------------------------------------
    def export_animation_dialog(self) -> None:
        """File > Export animation…: ask where and how, then write with a cancellable bar."""
        self.stop()
        w = self.walkthrough
        if w is None or not self.is_settled():
            # the steps are built first: on the tab, which File > Export animation shows
            self._dialog_waiting = True
            self.document.display.tab = self.key
            self.schedule()
            return
        try:
            count = len(frame_steps(w, w.steps[self.index].map))
        except ValueError as exc:
            self.error.emit(_sentence(str(exc)))
            return
        choice = self.view.ask_export(self.document.stepthrough.speed_ms, count)
        if choice is None:
            return
        try:
            self.start_export(choice.path, choice.scale, choice.frame_ms, choice.presentation)
        except ValueError as exc:
            self.error.emit(_sentence(str(exc)))
            return
        self._export_shown = True
        self.view.show_export_progress(0, count)

    def start_export(self, path: str | Path, scale: int = 1, frame_ms: int = 800,
                     presentation: bool = False) -> int:
        """Render and write the example's steps as a GIF, an MP4 or numbered PNGs (by
        ``path``'s suffix) on the worker: one 1280×720 frame a step at 1× (2560×1440 at 2×).

        Returns the job's tag; ``exported`` names the files when they are in place (and
        ``message`` says so), ``error`` says why not. Raises ValueError at once for a bad
        path or setting.
        """
        w = self.walkthrough
        if w is None:
            raise ValueError("the step-through has nothing to export yet")
        check_writable(path)
        check_frame_ms(frame_ms)
        check_scale(scale)
        steps = frame_steps(w, w.steps[self.index].map)
        self.cancel_export()
        self._export_token = CancelToken()
        self.export_done = 0
        self._export = self.worker.run_steps(
            export_steps, {"walkthrough": w, "steps": steps, "path": path,
                           "frame_ms": frame_ms, "scale": scale, "presentation": presentation,
                           "token": self._export_token}, interval=EXPORT_NEWS_S)
        self.status_changed.emit()
        return self._export

    @property
    def exporting(self) -> bool:
        return self._export is not None

    def cancel_export(self) -> None:
        """Stop an export under way; the target is left as it was."""
        if self._export is None:
            return
        if self._export_token is not None:
            self._export_token.cancel()
        self.worker.cancel_steps()
        self._end_export()

    def _end_export(self) -> None:
        self._export = self._export_token = None
        self._export_shown = False
        self.view.end_export_progress()
        self.status_changed.emit()

    def _on_export_cancel_clicked(self) -> None:
        self.cancel_export()
        self.message.emit("Export cancelled; nothing was written")

    def _on_export_progress(self, tag: int, steps: list) -> None:
        if tag != self._export or not steps:
            return
        news: ExportProgress = steps[-1]
        self.export_done = news.done
        if self._export_shown:
            self.view.show_export_progress(news.done, news.total)
        self.status_changed.emit()

    def _on_export_finished(self, tag: int, last: ExportProgress | None,
                            completed: bool) -> None:
        if tag != self._export:
            return
        self._end_export()
        if not completed or last is None or not last.written:
            return
        written = list(last.written)
        video = written[0].suffix.lower() == ".mp4"
        self.message.emit(saved_text(written, "H.264 video" if video else ""))
        self.exported.emit(written)

    # --- lifetime --------------------------------------------------------------------------
    def cleanup(self) -> None:
        super().cleanup()
        self._timer.stop()
        self.stop()
        self.cancel_export()
        self.worker.stop()
        self.view.cleanup()
