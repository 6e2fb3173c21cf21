"""The 1-D tab's controller: a sentence through Kim's filters, a signal through a kernel.

Its model is ``document.text``; it uses no picture. Every change of the page on show becomes
one request for the tab's worker: build the filter bank the model describes and read the
sentence with it (:mod:`explorer.core.text.bank`, :mod:`explorer.core.text.sentence`), or
make the signal and slide the kernel along it (:mod:`explorer.core.text.signal`). The view
only draws the result and writes the user's edits to the model.

The filters' weights are a result, not a setting: the tab keeps, for each vocabulary and
number of channels (static vectors, or static and fine-tuned), the newest trained network (the
one shipped with the app until the user trains), and every bank
is built from it by matching filter keys, whatever changed the model (an edit, undo, a
session). A training runs as long work on the same worker; each epoch becomes the trained
network and the sentence is read again. A change of the filters during a training ends it
after its epoch, keeping what it learnt.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from explorer.core.text.bank import (
    Bank,
    Trained,
    build_bank,
    default_training,
    phrase_tokens,
    train_bank,
)
from explorer.core.text.sentence import Reading, read_sentence
from explorer.core.text.signal import SignalStudy, signal_samples, study_signal
from explorer.core.text.vectors import vocabulary
from explorer.state import Document
from explorer.state.tabs import MAX_WORD_FILTERS
from explorer.ui.panels.text_panel import TextPanel
from explorer.ui.tab import TabController
from explorer.ui.workers.worker import Worker

SENTENCE = ("sentence", "vocabulary", "channels", "padding", "groups", "word_filters")
FILTERS = ("vocabulary", "channels", "groups", "word_filters")  # a change ends a training
SIGNAL = ("signal", "samples", "drawn", "wav_file", "taps", "signal_padding", "signal_stride")


@dataclass(frozen=True, eq=False)
class Timed:
    """A page's result and how long it took."""

    result: Reading | SignalStudy
    seconds: float


def read_job(text: str, padding: int, vocabulary_key: str, groups: Sequence[tuple[int, int]],
             phrases: Sequence[str], trained: Trained | None, channels: int = 1) -> Timed:
    """The sentence page's request, on the worker: the bank, then the sentence through it."""
    start = time.perf_counter()
    vocab = vocabulary(vocabulary_key)
    bank = build_bank(groups, phrases, vocab,
                      trained if trained is not None else default_training(vocab, channels),
                      channels)
    return Timed(read_sentence(text, padding, bank, vocab), time.perf_counter() - start)


def signal_job(kind: str, samples: int, drawn: tuple[float, ...], wav_file: str,
               taps: tuple[float, ...], padding: int, stride: int) -> Timed:
    """The signal page's request, on the worker (reading a WAV file once)."""
    start = time.perf_counter()
    signal, note = signal_samples(kind, samples, np.asarray(drawn, np.float32), wav_file)
    study = study_signal(signal, note, taps, padding, stride)
    return Timed(study, time.perf_counter() - start)


def train_steps(groups: Sequence[tuple[int, int]], phrases: Sequence[str],
                vocabulary_key: str, trained: Trained | None,
                channels: int = 1) -> Iterator[Trained]:
    """Training as long work: the vocabulary and the phrases are loaded on the worker."""
    vocab = vocabulary(vocabulary_key)
    yield from train_bank(groups, phrases, vocab,
                          trained if trained is not None else default_training(vocab, channels),
                          channels=channels)


def training_text(bank: Bank) -> str:
    """What the classifier's weights are, for the bank on show."""
    trained = bank.trained
    if trained is None:
        return "Untrained: the filters are random and the last layer is zero. Press Train."
    if not bank.as_trained:
        parts = []
        if bank.new:
            parts.append(f"{bank.new} new {'filter has' if bank.new == 1 else 'filters have'} "
                         "no weight in the last layer")
        if bank.left_out:
            verb = "filter is" if bank.left_out == 1 else "filters are"
            parts.append(f"{bank.left_out} trained {verb} left out")
        return (f"The filters changed since training ({', '.join(parts)}): press Train to "
                "teach the last layer these filters.")
    if trained.by == "shipped" or trained.step is None:
        if bank.network.channels == 2:
            return ("Shipped filters, half in each channel; the fine-tuned copy equals the "
                    "static vectors until you press Train.")
        return ("Trained on short phrases made from a sentiment lexicon (e.g. “the food was "
                "not good”).")
    return "Trained by you. " + epoch_text(trained)


def epoch_text(trained: Trained) -> str:
    step = trained.step
    assert step is not None
    return (f"Epoch {step.epoch}/{step.epochs}: loss {step.loss:.3f}, accuracy "
            f"{step.accuracy:.0%} on the training phrases, {step.held_out_accuracy:.0%} on "
            "phrases around words it never saw.")


class TextController(TabController):
    """See the module docstring."""

    key = "text"
    title = "1-D: text and signals"
    training_finished = Signal()

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(document, parent)
        self.view = TextPanel(document)
        self.worker = Worker("text-worker", self)
        self.worker.done.connect(self._on_done)
        self.worker.failed.connect(self._on_failed)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_training_finished)
        self.reading: Reading | None = None
        self.study: SignalStudy | None = None
        self._seconds = {"sentence": 0.0, "signal": 0.0}
        # by vocabulary and channels; none yet: the default
        self._trained: dict[tuple[str, int], Trained] = {}
        self._training: int | None = None  # the tag of the training under way
        self._training_key: tuple[str, int] = ("", 0)  # its vocabulary and channels
        self._training_problem = ""  # why the last training stopped early
        self._stale = {"sentence": True, "signal": True}
        self._asked = {"sentence": 0, "signal": 0}  # the newest request of each page
        self._answered = {"sentence": 0, "signal": 0}  # the request shown (or failed)
        self._pages: dict[int, str] = {}  # tag → page
        self._reported = {"sentence": "", "signal": ""}  # the last error put in the banner
        self._timer = QTimer(self, singleShot=True, interval=0)  # a burst of edits: one request
        self._timer.timeout.connect(self.request)
        events = document.text.events
        for name in document.text.as_dict():
            self.connect_model(getattr(events, name), partial(self._on_setting_changed, name))
        sentence, signal = self.view.sentence, self.view.signal
        for page in (sentence, signal):
            page.message.connect(self.message)
        sentence.words_entered.connect(self.add_word_filter)
        sentence.train_clicked.connect(self.start_training)
        sentence.stop_clicked.connect(self.stop_training)
        self.view.show_settings()

    # --- the model -------------------------------------------------------------------------
    def _on_setting_changed(self, name: str, *_: object) -> None:
        self.view.show_settings()
        if name == "page":
            self.status_changed.emit()
        if name in FILTERS:
            self._training_problem = ""
            if self._training is not None:
                self.worker.stop_steps()  # its epochs so far stay the trained network
        for page, fields in (("sentence", SENTENCE), ("signal", SIGNAL)):
            if name in fields:
                self._stale[page] = True
        self.schedule()

    def add_word_filter(self, text: str) -> None:
        """A filter built from the words typed: checked against the vocabulary (loaded by
        the sentence's first reading), then added to the model."""
        settings = self.document.text
        phrase = text.strip()
        try:
            phrase_tokens(vocabulary(settings.vocabulary), phrase)
            if len(settings.word_filters) >= MAX_WORD_FILTERS:
                raise ValueError(f"at most {MAX_WORD_FILTERS} filters built from words")
        except ValueError as exc:
            self.view.sentence.show_words_problem(str(exc))
            return
        settings.word_filters = (*settings.word_filters, phrase)
        self.view.sentence.words_added()
        self.message.emit(f"Added a filter that detects “{phrase}”")

    # --- requests --------------------------------------------------------------------------
    def schedule(self, *_: object) -> None:
        if self.active:
            self._timer.start()

    def activated(self) -> None:
        self._timer.start()

    def _current(self, page: str) -> bool:
        return not self._stale[page] and self._asked[page] == self._answered[page] != 0

    def request(self) -> int | None:
        """Compute the page on show again (on the worker), unless it shows the model now."""
        page = self.document.text.page
        if not self.active or not self._stale[page]:
            return None  # its request is under way or answered
        s = self.document.text
        if page == "sentence":
            args = (s.sentence, s.padding, s.vocabulary, s.groups, s.word_filters,
                    self._trained.get((s.vocabulary, s.channels)), s.channels)
            job = partial(read_job, *args)
        else:
            args = (s.signal, s.samples, s.drawn, s.wav_file, s.taps, s.signal_padding,
                    s.signal_stride)
            job = partial(signal_job, *args)
        self._stale[page] = False
        tag = self.worker.submit(lambda _token: job())
        self._asked[page] = tag
        self._pages[tag] = page
        return tag

    def is_settled(self) -> bool:
        return not self._timer.isActive() and self._current(self.document.text.page)

    # --- results ---------------------------------------------------------------------------
    def _accept(self, tag: int) -> str | None:
        """The page a request's answer is for, if it is still the newest of that page and
        nothing changed since it was asked."""
        page = self._pages.pop(tag, None)
        for old in [t for t in self._pages if t < tag]:
            # replaced by a newer request before it ran: no answer comes, so ask again
            lost = self._pages.pop(old)
            if self._asked[lost] == old:
                self._stale[lost] = True
        if page is None or tag != self._asked[page] or self._stale[page]:
            return None
        self._answered[page] = tag
        return page

    def _on_done(self, tag: int, timed: Timed) -> None:
        page = self._accept(tag)
        if page is None:
            return
        self._seconds[page] = timed.seconds
        self._reported[page] = ""
        if page == "sentence":
            self.reading = timed.result  # type: ignore[assignment]
            self.view.sentence.show_reading(self.reading)
            self._show_training_state()
        else:
            self.study = timed.result  # type: ignore[assignment]
            self.view.signal.show_study(self.study)
        self.status_changed.emit()
        if page == self.document.text.page:
            self.settled.emit()

    def _on_failed(self, tag: int, message: str) -> None:
        if tag == self._training:
            self._training_problem = message[:1].upper() + message[1:]
            return
        page = self._accept(tag)
        if page is None:
            return
        text = message[:1].upper() + message[1:]
        if page == "sentence":
            self.reading = None
            self.view.sentence.show_problem(text)
        else:
            self.study = None
            self.view.signal.show_problem(text)
        if text != self._reported[page]:  # once, not again for every edit while it lasts
            self._reported[page] = text
            self.error.emit(text)
        if page == self.document.text.page:
            self.settled.emit()

    def status_text(self) -> str:
        page = self.document.text.page
        if page == "sentence" and self.reading is not None:
            return (f"sentence: {len(self.reading.bank.keys)} filters, "
                    f"{self._seconds[page] * 1000:.1f} ms")
        if page == "signal" and self.study is not None:
            return (f"signal: {self.study.signal.size} → {self.study.output.size} samples, "
                    f"{self._seconds[page] * 1000:.1f} ms")
        return ""

    # --- training --------------------------------------------------------------------------
    @property
    def training(self) -> bool:
        return self._training is not None

    def start_training(self) -> None:
        """Train the filters on show and the last layer, as long work on the worker."""
        if self._training is not None:
            return
        s = self.document.text
        self._training_key = (s.vocabulary, s.channels)
        self._training_problem = ""
        self._training = self.worker.run_steps(
            train_steps, {"groups": s.groups, "phrases": s.word_filters,
                          "vocabulary_key": s.vocabulary,
                          "trained": self._trained.get(self._training_key),
                          "channels": s.channels})
        self.view.sentence.show_training("Training on short labelled phrases …", True)

    def stop_training(self) -> None:
        """End the training after its epoch; what it learnt stays."""
        if self._training is not None:
            self.worker.stop_steps()

    def _on_progress(self, tag: int, steps: list) -> None:
        if tag != self._training:
            return
        trained: Trained = steps[-1]
        self._trained[self._training_key] = trained
        self.view.sentence.show_training(epoch_text(trained), True)
        s = self.document.text
        if self._training_key == (s.vocabulary, s.channels):
            self._stale["sentence"] = True
            self.schedule()

    def _on_training_finished(self, tag: int, _last: object, _completed: bool) -> None:
        if tag != self._training:
            return
        self._training = None
        self._show_training_state()
        self.training_finished.emit()

    def _show_training_state(self) -> None:
        if self._training is not None:
            trained = self._trained.get(self._training_key)
            if trained is not None and trained.by == "you":
                self.view.sentence.show_training(epoch_text(trained), True)
            return
        bank = self.reading.bank if self.reading is not None else None
        text = training_text(bank) if bank is not None else ""
        if self._training_problem:
            text = f"{self._training_problem}. {text}"
        self.view.sentence.show_training(text, False)

    # --- lifetime --------------------------------------------------------------------------
    def cleanup(self) -> None:
        super().cleanup()
        self._timer.stop()
        self.worker.stop()
