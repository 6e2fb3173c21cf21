"""The one worker: the newest request wins, long work runs between requests, in a thread or a
child process, and pauses, resumes, stops and cancels."""

from __future__ import annotations

import os
import threading

import pytest

from explorer.core.cancel import Cancelled
from explorer.ui.workers.worker import Worker
from tests.ui import _generators  # a module a child process can import by name


@pytest.fixture
def worker(qtbot):
    w = Worker("test-worker")
    yield w
    assert w.stop()


def _collect(signal) -> list:
    got: list = []
    signal.connect(lambda *args: got.append(args))
    return got


def test_only_the_newest_waiting_request_runs(qtbot, worker):
    gate, started = threading.Event(), threading.Event()
    ran: list[int] = []

    def blocking(token):
        started.set()
        gate.wait(10)
        ran.append(0)
        return 0

    done = _collect(worker.done)
    worker.submit(blocking)
    assert started.wait(10)
    for i in range(1, 6):  # given while the first runs: each replaces the one waiting
        worker.submit(lambda token, i=i: ran.append(i) or i)
    gate.set()
    qtbot.waitUntil(lambda: len(done) == 2, timeout=10_000)
    assert ran == [0, 5]
    assert [args[1] for args in done] == [0, 5]
    assert worker.superseded == 4


def test_a_superseding_request_stops_the_running_one(qtbot, worker):
    started = threading.Event()

    def slow(token):
        started.set()
        while True:
            token.check()
            threading.Event().wait(0.005)

    cancelled, done = _collect(worker.cancelled), _collect(worker.done)
    first = worker.submit(slow, supersede=True)
    assert started.wait(10)
    second = worker.submit(lambda token: "new", supersede=True)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    assert cancelled == [(first,)]
    assert done == [(second, "new")]


def test_failures_are_sentences_and_the_worker_carries_on(qtbot, worker):
    failed, done = _collect(worker.failed), _collect(worker.done)

    def bad_value(token):
        raise ValueError("the stride must be 1 or more")

    def bug(token):
        raise ZeroDivisionError("division by zero")

    def no_memory(token):
        raise MemoryError

    for job in (bad_value, bug, no_memory):
        tag = worker.submit(job)
        qtbot.waitUntil(lambda tag=tag: bool(failed) and failed[-1][0] == tag, timeout=10_000)
    worker.submit(lambda token: 42)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    assert [m for _, m in failed] == ["the stride must be 1 or more",
                                      "unexpected error: division by zero",
                                      "not enough memory for this"]
    assert done[0][1] == 42


def test_long_work_steps_in_order_and_finishes(qtbot, worker):
    progress, finished = _collect(worker.progress), _collect(worker.finished)
    tag = worker.run_steps(_generators.counting, {"n": 25})
    qtbot.waitUntil(lambda: bool(finished), timeout=10_000)
    steps = [step for t, batch in progress if t == tag for step in batch]
    assert steps == list(range(25))
    assert finished == [(tag, 24, True)]
    assert not worker.running_steps


def test_requests_are_served_between_the_steps_of_long_work(qtbot, worker):
    steps_seen: list[int] = []
    progress = _collect(worker.progress)
    progress_steps = lambda: [s for _, batch in progress for s in batch]  # noqa: E731
    worker.run_steps(_generators.counting, {"n": 100_000, "delay": 0.002})
    qtbot.waitUntil(lambda: len(progress_steps()) >= 3, timeout=10_000)
    done = _collect(worker.done)
    worker.submit(lambda token: steps_seen.append(len(progress_steps())) or "view")
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    assert worker.running_steps  # the long job did not have to end first
    worker.cancel_steps()


def test_long_work_pauses_resumes_and_stops_keeping_the_last_step(qtbot, worker):
    progress, finished = _collect(worker.progress), _collect(worker.finished)
    steps = lambda: [s for _, batch in progress for s in batch]  # noqa: E731
    tag = worker.run_steps(_generators.counting, {"n": 100_000, "delay": 0.002})
    qtbot.waitUntil(lambda: len(steps()) >= 3, timeout=10_000)
    worker.pause()
    assert worker.paused
    qtbot.wait(200)  # the step under way arrives; then nothing more
    held = len(steps())
    qtbot.wait(200)
    assert len(steps()) == held
    done = _collect(worker.done)
    worker.submit(lambda token: "served while paused")
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    worker.resume()
    qtbot.waitUntil(lambda: len(steps()) > held + 2, timeout=10_000)
    worker.stop_steps()
    qtbot.waitUntil(lambda: bool(finished), timeout=10_000)
    (ftag, last, completed), = finished
    assert ftag == tag and not completed and last == steps()[-1]
    assert steps() == list(range(len(steps())))  # nothing lost, nothing twice


def test_cancelled_long_work_reports_nothing_more_and_is_closed(qtbot, worker):
    closed = threading.Event()

    def endless():
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed.set()

    progress, finished = _collect(worker.progress), _collect(worker.finished)
    cancelled = _collect(worker.cancelled)
    tag = worker.run_steps(endless)
    qtbot.waitUntil(lambda: bool(progress), timeout=10_000)
    worker.cancel_steps()
    assert closed.wait(10)  # the generator's clean-up ran
    seen = len(progress)
    qtbot.wait(100)
    assert len(progress) == seen and finished == [] and cancelled == [(tag,)]
    assert not worker.running_steps


def test_a_new_long_job_replaces_the_old_one(qtbot, worker):
    finished = _collect(worker.finished)
    first = worker.run_steps(_generators.counting, {"n": 100_000, "delay": 0.002})
    second = worker.run_steps(_generators.counting, {"n": 5})
    qtbot.waitUntil(lambda: bool(finished), timeout=10_000)
    assert finished == [(second, 4, True)]
    assert first != second


def test_a_failing_generator_reports_and_finishes(qtbot, worker):
    failed, finished = _collect(worker.failed), _collect(worker.finished)
    tag = worker.run_steps(_generators.failing, {"after": 2})
    qtbot.waitUntil(lambda: bool(finished), timeout=10_000)
    assert failed == [(tag, "the learning rate is too large")]
    assert finished == [(tag, 1, False)]


def test_the_cancel_token_reaches_a_request(qtbot, worker):
    started = threading.Event()
    cancelled = _collect(worker.cancelled)

    def waits(token):
        started.set()
        while not token.cancelled:
            threading.Event().wait(0.005)
        raise Cancelled()

    tag = worker.submit(waits)
    assert started.wait(10)
    worker.cancel_current()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=10_000)
    assert cancelled == [(tag,)]


# --- in a child process -------------------------------------------------------------------

def test_a_child_process_sends_every_step_in_order(qtbot, worker):
    progress = _collect(worker.progress)
    with qtbot.waitSignal(worker.finished, timeout=60_000) as done:
        tag = worker.run_steps(_generators.counting, {"n": 30}, in_process=True)
    assert done.args == [tag, 29, True]
    assert [s for _, batch in progress for s in batch] == list(range(30))
    assert not worker.running_steps
    assert not worker.running  # no thread was needed for it


def test_a_child_process_pauses_resumes_and_stops(qtbot, worker):
    progress = _collect(worker.progress)
    steps = lambda: [s for _, batch in progress for s in batch]  # noqa: E731
    worker.run_steps(_generators.counting, {"n": 100_000, "delay": 0.01}, in_process=True)
    qtbot.waitUntil(lambda: len(steps()) >= 3, timeout=60_000)
    worker.pause()
    assert worker.paused
    qtbot.wait(1000)  # the step under way arrives; then nothing more
    held = len(steps())
    qtbot.wait(500)
    assert len(steps()) == held
    worker.resume()
    qtbot.waitUntil(lambda: len(steps()) > held + 2, timeout=60_000)
    with qtbot.waitSignal(worker.finished, timeout=60_000) as done:
        worker.stop_steps()
    _, last, completed = done.args
    assert not completed and last == steps()[-1]
    assert steps() == list(range(len(steps())))


def test_an_error_in_the_child_is_reported(qtbot, worker):
    with qtbot.waitSignal(worker.failed, timeout=60_000) as failed, \
            qtbot.waitSignal(worker.finished, timeout=60_000) as done:
        tag = worker.run_steps(_generators.failing, {"after": 2}, in_process=True)
    assert failed.args == [tag, "the learning rate is too large"]
    assert done.args == [tag, 1, False]


def test_a_child_that_dies_is_reported(qtbot, worker):
    with qtbot.waitSignal(worker.failed, timeout=60_000) as failed, \
            qtbot.waitSignal(worker.finished, timeout=60_000):
        worker.run_steps(_generators.dying, {"after": 2}, in_process=True)
    assert "ended unexpectedly" in failed.args[1]


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
def test_a_child_process_runs_at_a_lower_priority_than_the_window(qtbot, worker):
    with qtbot.waitSignal(worker.finished, timeout=60_000) as done:
        worker.run_steps(_generators.niceness, in_process=True)
    child = done.args[1]
    assert child == min(os.nice(0) + 10, 19)  # the window's thread goes first
