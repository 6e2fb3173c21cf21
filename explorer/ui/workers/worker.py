"""The one way the app runs work off the GUI thread (docs/architecture.md, "One worker").

A :class:`Worker` is one background thread with two kinds of work:

- **requests** (:meth:`Worker.submit`): a function of a :class:`CancelToken` returning a
  result. One slot holds the newest: a request given while another runs replaces the waiting
  one, so a dragged slider or a live camera computes only what is newest, never a backlog. A
  request marked ``supersede`` also stops a running ``supersede`` request (a still's older
  settings are moot once newer ones exist). Results come back as ``done(tag, result)``.
- **long work** (:meth:`Worker.run_steps`): a generator (training, occlusion, fitting a
  kernel, an animation's frames) advanced one step at a time *between* requests, so a tab's
  live view stays alive while it runs. Its steps come back in batches, at most every
  ``interval`` seconds, as ``progress(tag, steps)``; it can pause, resume and stop (keeping
  the last finished step, ``finished(tag, last, completed)``). With ``in_process=True`` the
  generator runs in a child process instead (``factory`` and ``kwargs`` must then be
  picklable): thousands of small NumPy calls in a thread of the window's process would hold
  the interpreter lock between calls and make every paint wait.

ValueErrors become ``failed(tag, sentence)``; a MemoryError a sentence too; a bug is printed
and reported, and the worker carries on. Every signal reaches the GUI thread queued; a
receiver drops request tags older than the newest it asked for. News of a long job passes a
relay on the GUI thread, so nothing of a cancelled one arrives after the cancel, not even
what was already on its way.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal

from explorer.core.cancel import Cancelled, CancelToken
from explorer.ui.workers.child import ChildRun

Job = Callable[[CancelToken], object]
MEMORY_MESSAGE = "not enough memory for this"


@dataclass
class _Request:
    tag: int
    job: Job
    supersede: bool


@dataclass
class _Steps:
    tag: int
    steps: Iterator[object]
    interval: float
    pending: list
    sent: float = 0.0
    last: object = None
    stopping: bool = False


class Worker(QObject):
    """One background thread: the newest request, and one long job's steps between them."""

    done = Signal(int, object)  # a request's tag, its result
    progress = Signal(int, list)  # a long job's tag, its steps since the last batch
    finished = Signal(int, object, bool)  # a long job's tag, its last step or None, completed
    failed = Signal(int, str)  # a request's or long job's tag, a sentence for the user
    cancelled = Signal(int)  # a request's or long job's tag
    _steps_news = Signal(int, str, object)  # from the threads: tag, kind, payload

    def __init__(self, name: str, parent: QObject | None = None,
                 memory_message: str = MEMORY_MESSAGE) -> None:
        super().__init__(parent)
        self.name = name
        self.memory_message = memory_message
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pending: _Request | None = None
        self._running: _Request | None = None
        self._token: CancelToken | None = None  # stops the running request
        self._steps: _Steps | None = None
        self._discarded: list[_Steps] = []  # cancelled long jobs, closed on the thread
        self._paused = False
        self._child: ChildRun | None = None
        self._stopping = False
        self._tag = 0
        self._dropped: set[int] = set()  # long jobs cancelled (read on the GUI thread only)
        self.superseded = 0  # requests replaced before they started
        self._steps_news.connect(self._relay, Qt.ConnectionType.QueuedConnection)

    # --- requests --------------------------------------------------------------------------
    @property
    def newest(self) -> int:
        """The tag of the newest request or long job given."""
        return self._tag

    def submit(self, job: Job, tag: int | None = None, supersede: bool = False) -> int:
        """Run ``job`` next, replacing a request that has not started; returns its tag."""
        with self._cond:
            self._tag = self._tag + 1 if tag is None else tag
            if self._pending is not None:
                self.superseded += 1
            self._pending = _Request(self._tag, job, supersede)
            running = self._running
            if supersede and running is not None and running.supersede \
                    and self._token is not None:
                self._token.cancel()
            self._cond.notify()
            queued = self._tag
        self._ensure_thread()
        return queued

    @property
    def has_waiting(self) -> bool:
        """Whether a request waits for the thread (given, not started yet)."""
        with self._cond:
            return self._pending is not None

    def cancel_current(self) -> None:
        """Stop the running request and drop the waiting one (a Cancel button)."""
        with self._cond:
            self._pending = None
            if self._token is not None:
                self._token.cancel()

    # --- long work -------------------------------------------------------------------------
    def run_steps(self, factory: Callable[..., Iterator[object]], kwargs: dict | None = None,
                  *, interval: float = 0.0, in_process: bool = False) -> int:
        """Start ``factory(**kwargs)``'s steps, ending any long job still running (it is
        cancelled: no ``finished``); returns the job's tag."""
        self.cancel_steps()
        kwargs = dict(kwargs or {})
        with self._cond:
            self._tag += 1
            tag = self._tag
            self._paused = False
        if in_process:
            child = ChildRun(tag, factory, kwargs, interval, self._from_child)
            with self._cond:
                self._child = child
            child.start()
            return tag
        with self._cond:
            self._steps = _Steps(tag, _lazy(factory, kwargs), interval, [])
            self._cond.notify()
        self._ensure_thread()
        return tag

    @property
    def running_steps(self) -> bool:
        """Whether a long job is under way (paused or not)."""
        with self._cond:
            return self._steps is not None or (self._child is not None and self._child.alive)

    @property
    def paused(self) -> bool:
        return self.running_steps and self._paused

    def pause(self) -> None:
        """The long job finishes its current step, then waits (requests are still served)."""
        with self._cond:
            self._paused = True
            child = self._child
        if child is not None:
            child.pause()

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            child = self._child
            self._cond.notify()
        if child is not None:
            child.resume()

    def stop_steps(self) -> None:
        """End the long job after its current step; ``finished(tag, last, False)`` follows."""
        with self._cond:
            if self._steps is not None:
                self._steps.stopping = True
            self._paused = False
            child = self._child
            self._cond.notify()
        if child is not None:
            child.request_stop()

    def cancel_steps(self) -> None:
        """Drop the long job at once: nothing more of it arrives, not even ``finished``."""
        with self._cond:
            steps, self._steps = self._steps, None
            child, self._child = self._child, None
            self._paused = False
        if steps is not None:
            with self._cond:  # closed by the worker's thread, the only one that runs it
                self._discarded.append(steps)
                self._cond.notify()
            self._dropped.add(steps.tag)
            self.cancelled.emit(steps.tag)
        if child is not None:
            child.discard()
            self._dropped.add(child.tag)
            self.cancelled.emit(child.tag)

    # --- lifetime --------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether the worker's thread is alive (it starts with the first work given)."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def stop(self, timeout_ms: int = 10_000) -> bool:
        """Stop everything and join the thread (and a child process); idempotent."""
        with self._cond:
            self._stopping = True
            self._pending = None
            if self._token is not None:
                self._token.cancel()
            child, self._child = self._child, None
            self._cond.notify()
            thread = self._thread
        ended = True
        if child is not None:
            ended = child.stop(timeout_ms / 1000)
        if thread is not None:
            thread.join(timeout_ms / 1000)
            ended = ended and not thread.is_alive()
        return ended

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until no request waits or runs and no long job is under way (tests, batch)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                if self._pending is None and self._running is None and not self.running_steps:
                    return True
            time.sleep(0.005)
        return False

    def _ensure_thread(self) -> None:
        with self._cond:
            if self._stopping or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()

    # --- the thread ------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and self._pending is None and not self._discarded \
                        and (self._steps is None or (self._paused and not self._steps.stopping)):
                    self._cond.wait()
                discarded, self._discarded = self._discarded, []
                if self._stopping and self._steps is not None:
                    discarded.append(self._steps)
                    self._steps = None
            for job in discarded:
                _close(job.steps)
            with self._cond:
                if self._stopping:
                    return
                request, self._pending = self._pending, None
                steps = self._steps
                if request is not None:
                    self._running, self._token = request, CancelToken()
                    token = self._token
            if request is not None:
                try:
                    self._run_request(request, token)
                finally:
                    with self._cond:
                        self._running = self._token = None
            elif steps is not None:
                self._advance(steps)

    def _run_request(self, request: _Request, token: CancelToken) -> None:
        try:
            result = request.job(token)
        except Cancelled:
            self.cancelled.emit(request.tag)
        except ValueError as exc:
            self.failed.emit(request.tag, str(exc))
        except MemoryError:
            self.failed.emit(request.tag, self.memory_message)
        except Exception as exc:  # a bug must not kill the worker or the app
            traceback.print_exc()
            self.failed.emit(request.tag, f"unexpected error: {exc}")
        else:
            self.done.emit(request.tag, result)

    def _advance(self, job: _Steps) -> None:
        """One step of the long job, its batch sent when due, its end reported."""
        ended, completed, message = False, False, ""
        if job.stopping:
            ended = True
        else:
            try:
                step = next(job.steps)
            except StopIteration:
                ended = completed = True
            except ValueError as exc:
                ended, message = True, str(exc)
            except MemoryError:
                ended, message = True, self.memory_message
            except Exception as exc:
                traceback.print_exc()
                ended, message = True, f"unexpected error: {exc}"
            else:
                job.pending.append(step)
                job.last = step
                now = time.monotonic()
                if now - job.sent >= job.interval:
                    job.sent = now
                    self._flush(job)
        if not ended:
            return
        with self._cond:
            current = self._steps is job
            if current:
                self._steps = None
        _close(job.steps)
        if not current:
            return  # cancelled meanwhile: nothing more of it
        self._flush(job)
        if message:
            self._steps_news.emit(job.tag, "failed", message)
        self._steps_news.emit(job.tag, "finished", (job.last, completed))

    def _flush(self, job: _Steps) -> None:
        if job.pending:
            batch, job.pending = job.pending, []
            self._steps_news.emit(job.tag, "progress", batch)

    def _from_child(self, child: ChildRun, kind: str, payload: object) -> None:
        """Called on the child's reading thread: pass its news on, if it is still ours."""
        with self._cond:
            current = self._child is child
            if current and kind == "finished":
                self._child = None
        if current:
            self._steps_news.emit(child.tag, kind, payload)

    def _relay(self, tag: int, kind: str, payload: object) -> None:
        """On the GUI thread: a long job's news, unless it was cancelled meanwhile."""
        if tag in self._dropped:
            if kind == "finished":
                self._dropped.discard(tag)
            return
        if kind == "progress":
            self.progress.emit(tag, payload)
        elif kind == "failed":
            self.failed.emit(tag, payload)
        elif kind == "finished":
            last, completed = payload  # type: ignore[misc]
            self.finished.emit(tag, last, completed)


def _lazy(factory: Callable[..., Iterator[object]], kwargs: dict) -> Iterator[object]:
    """The generator is built on the worker's thread, on its first step."""
    yield from factory(**kwargs)


def _close(steps: Iterator[object]) -> None:
    close = getattr(steps, "close", None)
    if close is not None:
        try:
            close()
        except Exception:  # a generator's clean-up must not take the worker down
            traceback.print_exc()
