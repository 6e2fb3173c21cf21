"""A tab that studies the picture on show: one request at a time, newest wins.

The Translation and Pooling tabs work alike: any change of their model, of what they use of
the explorer (stack, input settings, colours) or of the picture marks the study stale; a
zero-delay timer gathers a burst of such changes into one request for the tab's
:class:`Worker`, which supersedes a running one; a result older than the newest request is
dropped, and a new source clears what the old picture gave. Only a hidden tab waits: it asks
again when it is shown. A subclass says what to compute (:meth:`StudyController.make_job`)
and how to show it (:meth:`StudyController.show_result`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from explorer.core.cancel import CancelToken
from explorer.state import Document
from explorer.state.document import Picture
from explorer.ui.tab import TabController
from explorer.ui.widgets.banner import sentence
from explorer.ui.workers.worker import Worker

Job = Callable[[CancelToken], Any]  # run on the worker; its result has ``seconds``


class StudyController(TabController):
    """See the module docstring. The view has ``clear()`` and ``set_working(bool)``."""

    study_name: ClassVar[str] = "study"  # "translation study 40 ms" in the status bar

    def __init__(self, document: Document, view: QWidget,
                 parent: QObject | None = None) -> None:
        super().__init__(document, parent)
        self.view = view
        self.worker = Worker(f"{self.key}-worker", self)
        self.worker.done.connect(self._on_done)
        self.worker.failed.connect(self._on_failed)
        self.result: Any = None
        self._asked = 0  # the tag of the newest request; 0: nothing to compute
        self._shown_tag = 0  # the tag of the result on screen
        self._stale = True  # the model or picture changed since the last request
        self._timer = QTimer(self, singleShot=True, interval=0)  # a burst of edits: one request
        self._timer.timeout.connect(self.request)

    # --- what a subclass says ----------------------------------------------------------------
    def make_job(self, picture: Picture) -> Job | None:
        """The work for the worker, built from the model now; None: nothing to compute (the
        subclass has said why in its view)."""
        raise NotImplementedError

    def show_result(self, result: Any) -> None:
        raise NotImplementedError

    def report_failure(self, text: str) -> None:
        """A request failed (``text`` is a sentence): by default, the window's banner."""
        self.error.emit(text)

    # --- requests --------------------------------------------------------------------------
    def schedule(self, *_: object) -> None:
        self._stale = True
        if self.active:
            self._timer.start()

    def show_picture(self, picture: Picture | None, new_source: bool) -> None:
        if new_source:  # nothing of the old picture stays on screen
            self.result = None
            self.view.clear()
        self.schedule()

    def activated(self) -> None:
        if self._stale:
            self._timer.start()

    def request(self) -> int | None:
        """Study the current picture again (on the worker); returns the request's tag."""
        picture = self.picture
        if picture is None or not self.active:
            return None
        self._stale = False
        job = self.make_job(picture)
        if job is None:
            self._asked = 0
            self.settled.emit()
            return None
        self._asked = self.worker.submit(job, supersede=True)
        self.view.set_working(True)
        return self._asked

    def is_settled(self) -> bool:
        if self._stale or self._timer.isActive():
            return False
        return self._asked == 0 or (self.result is not None and self._shown_tag == self._asked)

    # --- results ---------------------------------------------------------------------------
    def _on_done(self, tag: int, result: Any) -> None:
        if tag != self._asked:
            return  # a newer request is on its way
        self._shown_tag = tag
        self.result = result
        self.show_result(result)
        self.status_changed.emit()
        self.settled.emit()

    def _on_failed(self, tag: int, message: str) -> None:
        if tag != self._asked:
            return
        self.view.set_working(False)
        self.report_failure(sentence(message))
        self.settled.emit()

    def status_text(self) -> str:
        if self.result is None:
            return ""
        return f"{self.study_name} {self.result.seconds * 1000:.0f} ms"

    def cleanup(self) -> None:
        super().cleanup()
        self._timer.stop()
        self.worker.stop()
