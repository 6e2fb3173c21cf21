"""The Training tab's controller: a digit network trained, evaluated, tested and explained.

Its model is ``document.training`` (the training settings, the page on show, the digit test's
source and the kernel fit's settings); it also follows the picture being explored. It owns the
network on show and everything derived from it, and the work:

- **training** is :func:`train_digits` pulled by the tab's :class:`Worker` in a child process
  at a lower priority (``run_steps(…, in_process=True)``): thousands of small NumPy calls in
  the window's process would make every paint wait. Its steps arrive ten times a second.
- **what the view lacks** (the evaluation of a finished network, a picked mistake's maps, the
  reading of the drawn or filmed digit, the picture prepared for the kernel fit) is one
  request on the same worker, computed from the model and picture as they are when it is
  sent; one request is under way at a time, and when it is back whatever changed meanwhile is
  asked for next. A result that no longer fits the network or the source is not shown.
- **the kernel fit's descent** is the long job of a second :class:`Worker`: a worker holds one
  long job, and a student may fit a kernel while the network trains.

A new network (training started, a network loaded, Reset) clears what belonged to the old one:
the evaluation, the picked mistake and the reading; a new source clears the reading and the
fit made on the old picture.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog

from explorer.core.images import load_image
from explorer.core.pipeline import StageResult
from explorer.core.training import (
    DigitModel,
    Digits,
    Evaluation,
    FitProblem,
    FitStep,
    Reading,
    TrainStep,
    architecture,
    descend,
    evaluate,
    fit_problem,
    load_digits,
    load_model,
    read_frame,
    read_picture,
    save_model,
    train_digits,
)
from explorer.resources import resource_path
from explorer.state import Document
from explorer.state.document import Picture
from explorer.ui.panels.training_panel import TrainingPanel
from explorer.ui.tab import TabController
from explorer.ui.widgets.banner import sentence
from explorer.ui.workers.worker import Worker

MODEL_FILTER = "Digit network (*.npz);;All files (*)"
SAMPLE = ("samples", "coffee.png")  # the kernel fit's picture before any picture is opened
TRAIN_INTERVAL = 0.1  # s between batches of training steps: ten redraws a second
FIT_INTERVAL = 0.05  # s between batches of descent steps
FIT_SETTINGS = ("fit_target", "fit_colour", "fit_momentum", "fit_steps")
RUN_SETTINGS = ("epochs", "learning_rate", "batch_size", "seed")


@dataclass(frozen=True, eq=False)
class Needs:
    """What the view lacks, as one request: each part None when nothing is wanted."""

    model: DigitModel | None
    network: int  # which network (see TrainingController._network)
    version: int  # which state of it (each training step is one)
    evaluate: bool = False
    pick: tuple[int, np.ndarray] | None = None  # a test digit's index and picture
    read: tuple[str, np.ndarray] | None = None  # ("draw" | "picture", the picture)
    read_key: tuple = ()
    fit: tuple[np.ndarray | None, str, bool] | None = None  # picture (None: sample), target, colour
    fit_key: tuple = ()

    def empty(self) -> bool:
        return not self.evaluate and self.pick is None and self.read is None and self.fit is None


@dataclass(frozen=True, eq=False)
class Results:
    evaluation: tuple[Evaluation, Digits] | None = None
    picked: tuple[list[StageResult], np.ndarray] | None = None  # stages, probabilities
    reading: Reading | None = None
    fit: FitProblem | str | None = None  # the prepared problem, or why it cannot be fitted
    seconds: float = 0.0


def bring_up_to_date(needs: Needs) -> Results:
    """The request, on the worker: every part the view lacks."""
    start = time.perf_counter()
    model = needs.model
    evaluation = picked = reading = fit = None
    if needs.evaluate and model is not None:
        test = load_digits()[1]
        evaluation = (evaluate(model, test), test)
    if needs.pick is not None and model is not None:
        picked = model.stages(needs.pick[1])
    if needs.read is not None:
        kind, picture = needs.read
        if kind == "picture":
            reading = read_frame(model, picture)
        elif model is not None:
            try:
                reading = read_picture(model, picture, "light")
            except ValueError as exc:  # an empty or unreadable drawing: said, not a fault
                reading = Reading(None, [], None, problem=str(exc))
    if needs.fit is not None:
        picture, target, colour = needs.fit
        if picture is None:
            picture = load_image(resource_path(*SAMPLE))
        try:
            fit = fit_problem(picture, target, colour=colour)
        except ValueError as exc:  # e.g. a flat picture: nothing to fit on
            fit = str(exc)
    return Results(evaluation, picked, reading, fit, time.perf_counter() - start)


class TrainingController(TabController):
    """See the module docstring."""

    key = "training"
    title = "Training"

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(document, parent)
        self.view = TrainingPanel(document)
        self.worker = Worker("training-worker", self)
        self.fit_worker = Worker("kernel-fit-worker", self)
        # the network on show and what was derived from it
        self.model: DigitModel | None = None
        self._network = 0  # a new network (trained, loaded, reset) gets a new number …
        self._version = 0  # … and so does each state of it (every training step)
        self.evaluation: Evaluation | None = None
        self._test: Digits | None = None  # the digits evaluated
        self._evaluation_failed = -1  # the version whose evaluation failed: not asked again
        self.picked: int | None = None  # the test digit whose maps are wanted
        self._picked_shown: tuple = ()
        self._read_shown: tuple = ()  # the reading key on show
        self._pad_version = 0
        self.last_step: TrainStep | None = None
        self._run: int | None = None  # the training run's tag
        self._finished: TrainStep | None = None  # the last run's last step
        self._read_seconds = 0.0  # how long the last reading's request took
        # the kernel fit
        self.fit_problem: FitProblem | None = None
        self._fit_shown: tuple = ()  # the key of the problem on show
        self._fit_run: int | None = None
        self._fit_kept = False  # a fit (under way or done) is on show: frames do not replace it
        self._fit_start_wanted = False
        self._fit_started = 0.0
        self._fit_steps = 0
        self._fit_rate: float | None = None
        # one request at a time; a burst of changes is one request
        self._in_flight: tuple[int, Needs] | None = None
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.request)
        self._connect()
        self.view.show_architecture(architecture())
        self._show_run()
        self._clear_fit()
        self._clear_reading()

    def _connect(self) -> None:
        view, worker = self.view, self.worker
        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        worker.progress.connect(self._on_steps)
        worker.finished.connect(self._on_finished)
        self.fit_worker.progress.connect(self._on_fit_steps)
        self.fit_worker.finished.connect(self._on_fit_finished)
        self.fit_worker.failed.connect(self._on_fit_failed)
        view.start_button.clicked.connect(self.start)
        view.pause_button.clicked.connect(self.toggle_pause)
        view.stop_button.clicked.connect(self.stop)
        view.reset_button.clicked.connect(self.reset)
        view.use_first_button.clicked.connect(lambda: self.use_kernels(1))
        view.use_all_button.clicked.connect(lambda: self.use_kernels(None))
        view.save_button.clicked.connect(self.save_dialog)
        view.load_button.clicked.connect(self.load_dialog)
        view.watch.mistake_picked.connect(self.pick)
        view.test_panel.pad.changed.connect(self._on_pad_changed)
        view.test_panel.pad.cleared.connect(self._on_pad_changed)
        view.fit_panel.start_button.clicked.connect(self.start_fit)
        view.fit_panel.stop_button.clicked.connect(self.fit_worker.stop_steps)
        self.connect_model(self.document.training.events.all, self._on_settings_changed)

    # --- the model -------------------------------------------------------------------------
    def _on_settings_changed(self, info) -> None:
        self.view.show_settings()
        name = info.signal.name
        if name == "test_source":
            self._clear_reading()
        elif name in FIT_SETTINGS:
            self._on_fit_settings_changed(name)
        self.schedule()

    def show_picture(self, picture: Picture | None, new_source: bool) -> None:
        if new_source:  # nothing made from the old picture stays
            if self.document.training.test_source == "picture":
                self._clear_reading()
            self._forget_fit()
        self.schedule()

    def activated(self) -> None:
        self.schedule()

    # --- requests --------------------------------------------------------------------------
    def schedule(self, *_: object) -> None:
        self._timer.start()

    def request(self) -> int | None:
        """Ask the worker for what the view lacks (unless a request is under way)."""
        if self._in_flight is not None:
            return None  # asked again when it is back
        needs = self._needs()
        if needs.read is None and needs.read_key and needs.read_key != self._read_shown:
            self._show_nothing_to_read(needs.read_key)
        if needs.empty():
            self.settled.emit()
            return None
        tag = self.worker.submit(lambda _token: bring_up_to_date(needs))
        self._in_flight = (tag, needs)
        return tag

    def _needs(self) -> Needs:
        model, version = self.model, self._version
        evaluate_now = (model is not None and self._run is None and self.evaluation is None
                        and self._evaluation_failed != version)
        pick = None
        if self.picked is not None and self._test is not None and model is not None \
                and self._picked_shown != (version, self.picked):
            pick = (self.picked, self._test.images[self.picked])
        read, read_key = self._read_need()
        fit, fit_key = self._fit_need()
        return Needs(model, self._network, version, evaluate_now, pick, read, read_key, fit,
                     fit_key)

    def _reading_key(self) -> tuple:
        """(network, version, source): the reading on show must be of these."""
        if self.document.training.test_source == "draw":
            return (self._network, self._version, "draw", self._pad_version)
        picture = self.picture
        return (self._network, self._version, "picture",
                None if picture is None else picture.source,
                None if picture is None else picture.sequence)

    def _read_need(self) -> tuple[tuple[str, np.ndarray] | None, tuple]:
        """The picture to read and its key; no picture when there is nothing to read."""
        if not self.active or self.document.training.page != "test":
            return None, ()
        key = self._reading_key()
        if key == self._read_shown:
            return None, key
        if key[2] == "draw":
            pad = self.view.test_panel.pad
            if self.model is None or pad.is_empty:
                return None, key
            return ("draw", pad.image()), key
        picture = self.picture
        return (None if picture is None else ("picture", picture.image)), key

    def _show_nothing_to_read(self, key: tuple) -> None:
        """No network, an empty pad or no picture: the view says what to do."""
        self._clear_reading()
        if key[2] == "picture" and key[3] is None:
            self.view.test_panel.show_no_picture()
        self._read_shown = key

    @staticmethod
    def _same_reading(asked: tuple, now: tuple) -> bool:
        """Whether a reading asked as ``asked`` may be shown now: the same network and source
        (a newer step of the training, a newer stroke or frame is read next; the reading shows
        the digit or frame it read, so picture and numbers agree)."""
        return bool(asked) and asked[0] == now[0] and asked[2] == now[2] \
            and (asked[2] == "draw" or asked[3] == now[3])

    def is_settled(self) -> bool:
        # every change starts the timer; the request it makes leaves nothing wanted
        return not self._timer.isActive() and self._in_flight is None

    def _on_done(self, tag: int, results: Results) -> None:
        if self._in_flight is None or tag != self._in_flight[0]:
            return
        needs = self._in_flight[1]
        self._in_flight = None
        if results.reading is not None:
            self._read_seconds = results.seconds
        current = needs.version == self._version
        if results.evaluation is not None and current:
            self._show_evaluation(*results.evaluation)
        if results.picked is not None and current and needs.pick is not None \
                and needs.pick[0] == self.picked:
            self._picked_shown = (needs.version, self.picked)
            self.view.watch.show_picked(self.picked, needs.pick[1], *results.picked)
        if results.reading is not None and self._same_reading(needs.read_key,
                                                               self._reading_key()):
            self._read_shown = needs.read_key
            self.view.test_panel.show_reading(results.reading, self._waiting_text())
        if results.fit is not None and not self._fit_kept \
                and self._same_fit(needs.fit_key, self._fit_key()):
            self._show_fit_problem(results.fit, needs.fit_key)
        self.status_changed.emit()
        self.request()  # whatever changed meanwhile

    def _on_failed(self, tag: int, message: str) -> None:
        if tag == self._run:
            self.error.emit(sentence(message))
            return
        if self._in_flight is None or tag != self._in_flight[0]:
            return
        needs = self._in_flight[1]
        self._in_flight = None
        # not asked again until something changes
        if needs.evaluate:
            self._evaluation_failed = needs.version
        if needs.pick is not None:
            self._picked_shown = (needs.version, needs.pick[0])
        if needs.read is not None:
            self._read_shown = needs.read_key
        if needs.fit is not None:
            self._fit_shown = needs.fit_key
        self.error.emit(sentence(message))
        self.request()

    # --- the network -----------------------------------------------------------------------
    @property
    def training(self) -> bool:
        """Whether a training run is under way (paused or not)."""
        return self._run is not None

    def _new_network(self, model: DigitModel | None) -> None:
        """Another network: nothing derived from the old one stays."""
        self._network += 1
        self._set_model(model)
        self.evaluation = None
        self._test = None
        self.picked = None
        self._picked_shown = ()
        self.last_step = self._finished = None
        self.view.watch.clear()
        self._clear_reading()
        self.view.show_score("")
        self.status_changed.emit()

    def _set_model(self, model: DigitModel | None) -> None:
        self.model = model
        self._version += 1
        self.schedule()

    def start(self) -> bool:
        """Start training a new network (or resume a paused one)."""
        if self.worker.paused and self.training:
            self.toggle_pause()
            return True
        if self.training:
            return False
        settings = self.document.training
        kwargs = {name: getattr(settings, name) for name in RUN_SETTINGS}
        try:
            train_digits(**kwargs).close()  # settings that cannot work are said here
        except ValueError as exc:
            self.error.emit(sentence(str(exc)))
            return False
        self._new_network(None)
        self.view.watch.set_epochs(settings.epochs)
        self.view.show_architecture(architecture())
        self._run = self.worker.run_steps(train_digits, kwargs, in_process=True,
                                          interval=TRAIN_INTERVAL)
        if settings.page == "network":  # from the network's summary to its training
            settings.page = "watch"
        self.view.show_progress(0.0, "Starting …")
        self._show_run()
        return True

    def toggle_pause(self) -> None:
        if not self.training:
            return
        if self.worker.paused:
            self.worker.resume()
            self.view.progress_label.setText("Resumed …")
        else:
            self.worker.pause()
            self.view.progress_label.setText("Paused: Resume goes on where it stopped.")
        self._show_run()
        self.status_changed.emit()

    def stop(self) -> None:
        """Stop after the current batch; the network keeps what it learned so far."""
        if self.training:
            self.worker.stop_steps()
            self.view.progress_label.setText("Stopping after this batch …")

    def reset(self) -> None:
        """Forget the network: stop training, clear the curves and the results."""
        if self.training:
            self.worker.cancel_steps()
            self._run = None
        self._new_network(None)
        self.view.show_progress(0.0, "Not trained yet.")
        self.view.show_architecture(architecture())
        self._show_run()

    def _show_run(self) -> None:
        self.view.show_run(self.training, self.training and self.worker.paused,
                           self.model is not None)

    def _on_steps(self, tag: int, steps: list[TrainStep]) -> None:
        if tag != self._run:
            return
        last = steps[-1]
        self.last_step = last
        self._set_model(last.model)
        self.view.watch.add_steps(steps)
        paused = " (paused)" if self.worker.paused else ""
        self.view.show_progress(
            last.progress, f"Epoch {last.epoch} of {last.total_steps // last.batches}, batch "
            f"{last.batch} of {last.batches}{paused} · about {_seconds_left(last):.0f} s left")
        test = self.view.watch.test_accuracy_now()
        text = f"Right on the training digits (this epoch): {last.train_accuracy:.1%}"
        if test is not None:
            text += f" · on the test digits: <b>{test:.1%}</b>"
        self.view.show_score(text)
        self._show_run()
        self.status_changed.emit()

    def _on_finished(self, tag: int, last: TrainStep | None, completed: bool) -> None:
        if tag != self._run:
            return
        self._run = None
        self._finished = last
        if last is not None:
            self.last_step = last
            self._set_model(last.model)
            verb = "Trained" if completed else "Stopped"
            self.view.show_progress(last.progress, f"{verb} after {last.epoch_progress:.2f} "
                                    f"epochs in {last.seconds:.1f} s of computing.")
            accuracy = self.view.watch.test_accuracy_now()
            self.message.emit(f"{verb}: the network reads {accuracy:.1%} of the test digits"
                              if accuracy is not None else f"{verb}.")
        self._show_run()
        self.status_changed.emit()
        self.schedule()  # the evaluation

    def _show_evaluation(self, evaluation: Evaluation, test: Digits) -> None:
        self.evaluation, self._test = evaluation, test
        self.view.watch.show_evaluation(evaluation, test.images)
        self.view.show_score(f"Right on the {len(test):,} test digits: "
                             f"<b>{evaluation.accuracy:.1%}</b>")

    def pick(self, index: int) -> None:
        """Show a test digit's maps at each stage (a mistake clicked in the gallery)."""
        if self.evaluation is None or self._test is None or not 0 <= index < len(self._test):
            return
        self.picked = int(index)
        self.schedule()

    def use_kernels(self, layers: int | None) -> None:
        """Send the learned stack (or its first ``layers``) to the explorer."""
        if self.model is None:
            return
        what = "first-layer kernels" if layers == 1 else "conv layers"
        self.send_to_explorer.emit(self.model.named_stack(
            layers, f"the {what} learned on MNIST"))

    def save_dialog(self) -> None:
        if self.model is None:
            return
        path, _ = QFileDialog.getSaveFileName(self.view, "Save the digit network", "digits.npz",
                                              MODEL_FILTER)
        if path:
            self.save(path)

    def save(self, path: str | Path) -> bool:
        if self.model is None:
            return False
        try:
            saved = save_model(self.model, path)
        except ValueError as exc:
            self.error.emit(sentence(str(exc)))
            return False
        self.message.emit(f"Saved the network as {saved.name}")
        return True

    def load_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.view, "Load a digit network", "",
                                              MODEL_FILTER)
        if path:
            self.load(path)

    def load(self, path: str | Path) -> bool:
        if self.training:
            return False
        try:
            model = load_model(path)
        except ValueError as exc:
            self.error.emit(sentence(str(exc)))
            return False
        name = Path(path).name
        self._new_network(model)
        self.view.show_architecture(model.architecture())
        self.view.watch.show_model(model, f"loaded from {name}")
        self.view.show_progress(0.0, f"Loaded {name}.")
        self.message.emit(f"Loaded the network {name}")
        self._show_run()
        return True

    # --- the digit test --------------------------------------------------------------------
    def _on_pad_changed(self) -> None:
        self._pad_version += 1
        self.schedule()

    def _waiting_text(self) -> str:
        if self.model is None:
            return "Train the network (or load a saved one) to test it."
        if self.document.training.test_source == "picture":
            return "Hold a digit in the orange box."
        return "Draw a digit on the black pad."

    def _clear_reading(self) -> None:
        self._read_shown = ()
        self.view.test_panel.clear(self._waiting_text())

    # --- the kernel fit --------------------------------------------------------------------
    def _fit_key(self) -> tuple:
        """(source, frame, target, colour): the prepared picture on show must be of these."""
        settings = self.document.training
        picture = self.picture
        return (None if picture is None else picture.source,
                None if picture is None else picture.sequence,
                settings.fit_target, settings.fit_colour)

    @staticmethod
    def _same_fit(asked: tuple, now: tuple) -> bool:
        """A picture prepared from an older frame of the same source may be shown (it shows
        the frame it was made of); the newest is prepared next."""
        return bool(asked) and asked[0] == now[0] and asked[2:] == now[2:]

    def _fit_need(self) -> tuple[tuple[np.ndarray | None, str, bool] | None, tuple]:
        if not self.active or self.document.training.page != "fit" or self._fit_kept:
            return None, ()
        key = self._fit_key()
        if key == self._fit_shown:
            return None, key
        settings = self.document.training
        picture = self.picture
        return (None if picture is None else picture.image, settings.fit_target,
                settings.fit_colour), key

    def _show_fit_problem(self, problem: FitProblem | str, key: tuple) -> None:
        self._fit_shown = key
        if isinstance(problem, str):
            self.fit_problem = None
            self.view.fit_panel.clear(sentence(problem))
        else:
            self.fit_problem = problem
            self.view.fit_panel.show_problem(problem, self._fit_picture_name())
        self._show_fit_run()
        if self._fit_start_wanted and self.fit_problem is not None:
            self._fit_start_wanted = False
            self._start_fit()

    def _fit_picture_name(self) -> str:
        picture = self.picture
        return SAMPLE[1] if picture is None else picture.name or "the picture"

    def start_fit(self) -> bool:
        """Fit a kernel on the picture shown (prepared anew first if the source moved on)."""
        if self._fit_run is not None:
            return False
        if self.fit_problem is None or self._fit_shown != self._fit_key():
            self._fit_kept = False
            self._fit_start_wanted = True  # when the picture is prepared
            self.schedule()
            return False
        self._start_fit()
        return True

    def _start_fit(self) -> None:
        settings = self.document.training
        self._fit_kept = True
        self._fit_steps, self._fit_rate = 0, None
        self._fit_started = time.perf_counter()
        self._fit_run = self.fit_worker.run_steps(
            descend, {"problem": self.fit_problem, "steps": settings.fit_steps,
                      "momentum": settings.fit_momentum}, interval=FIT_INTERVAL)
        self.view.fit_panel.show_started(self._fit_picture_name())
        self._show_fit_run()

    def _on_fit_steps(self, tag: int, steps: list[FitStep]) -> None:
        if tag != self._fit_run:
            return
        self._fit_steps += len(steps)
        elapsed = time.perf_counter() - self._fit_started
        self._fit_rate = self._fit_steps / elapsed if elapsed > 0 else None
        self.view.fit_panel.add_steps(steps)
        self.status_changed.emit()

    def _on_fit_finished(self, tag: int, last: FitStep | None, completed: bool) -> None:
        if tag != self._fit_run:
            return
        self._fit_run = None
        if last is not None:
            done = "Done" if completed else "Stopped"
            self.message.emit(f"{done} after {last.step} steps: loss {last.loss:.3g}")
        self._show_fit_run()
        self.status_changed.emit()
        self.settled.emit()

    def _on_fit_failed(self, tag: int, message: str) -> None:
        if tag == self._fit_run:
            self.error.emit(sentence(message))

    def _on_fit_settings_changed(self, name: str) -> None:
        if name in ("fit_target", "fit_colour"):
            self._forget_fit()
        elif self._fit_kept:  # the curves belong to other settings: back to the prepared picture
            self._cancel_fit()
            self._fit_kept = False
            if self.fit_problem is not None:
                self.view.fit_panel.show_problem(self.fit_problem, self._fit_picture_name())
            self._show_fit_run()

    def _forget_fit(self) -> None:
        """The fit's picture or target changed: its run and its result go."""
        self._cancel_fit()
        self._fit_kept = False
        self._fit_shown = ()
        self._clear_fit()

    def _cancel_fit(self) -> None:
        if self._fit_run is not None:
            self.fit_worker.cancel_steps()
            self._fit_run = None

    def _clear_fit(self) -> None:
        self.fit_problem = None
        self.view.fit_panel.clear("Preparing the picture …")
        self._show_fit_run()

    def _show_fit_run(self) -> None:
        self.view.fit_panel.show_running(self._fit_run is not None,
                                         self.fit_problem is not None)

    # --- the status bar --------------------------------------------------------------------
    def status_text(self) -> str:
        parts = []
        step = self.last_step
        if self.training and step is not None:
            if self.worker.paused:
                parts.append(f"training paused at step {step.step} of {step.total_steps}")
            else:
                parts.append(f"training {_rate(step):.0f} steps/s · about "
                             f"{_seconds_left(step):.0f} s left")
        elif self._finished is not None:
            parts.append(f"trained {self._finished.step} steps in {self._finished.seconds:.1f}"
                         f" s ({_rate(self._finished):.0f} steps/s)")
        if self._fit_rate is not None:
            parts.append(f"kernel fit {self._fit_rate:.0f} steps/s")
        if self._read_seconds and self.model is not None \
                and self.document.training.page == "test":
            parts.append(f"digit read in {self._read_seconds * 1000:.0f} ms")
        return " · ".join(parts)

    def cleanup(self) -> None:
        super().cleanup()
        self._timer.stop()
        self.worker.stop()
        self.fit_worker.stop()


def _rate(step: TrainStep) -> float:
    """Training steps a second of computing."""
    return step.step / step.seconds if step.seconds > 0 else 0.0


def _seconds_left(step: TrainStep) -> float:
    return step.seconds / step.progress * (1 - step.progress) if step.progress > 0 else 0.0
