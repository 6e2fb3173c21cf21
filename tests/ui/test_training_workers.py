"""The workers of the Training tab: a generator paused, resumed and stopped, in a thread and in
a child process; the newest job of each kind."""

from __future__ import annotations

import threading

import pytest

from explorer.ui.workers.generator_worker import GeneratorWorker
from explorer.ui.workers.latest_worker import LatestWorker
from explorer.ui.workers.process_worker import ProcessWorker
from tests.ui import _generators  # a module a child process can import by name


def counting(n, gate=None, reached=None):
    """Yields 0 … n − 1; optionally signals ``reached`` at 3 and waits on ``gate`` there."""
    for i in range(n):
        if i == 3 and reached is not None:
            reached.set()
            gate.wait(10)
        yield i


@pytest.fixture
def worker(qtbot):
    w = GeneratorWorker(interval=0.0)
    yield w
    w.stop()


def test_every_step_arrives_in_order_and_the_end_is_reported(qtbot, worker):
    received = []
    worker.steps.connect(received.extend)
    with qtbot.waitSignal(worker.finished_run, timeout=10_000) as done:
        worker.start_run(counting(50))
    assert done.args == [49, True]
    qtbot.waitUntil(lambda: len(received) == 50)
    assert received == list(range(50))


def test_steps_come_in_batches_when_the_interval_is_long(qtbot, worker):
    worker.interval = 60.0  # longer than the run: one batch at the end
    batches = []
    worker.steps.connect(batches.append)
    with qtbot.waitSignal(worker.finished_run, timeout=10_000):
        worker.start_run(counting(20))
    qtbot.waitUntil(lambda: sum(map(len, batches)) == 20)
    assert len(batches) == 1


def test_pause_holds_the_generator_and_resume_continues(qtbot, worker):
    gate, reached = threading.Event(), threading.Event()
    received = []
    worker.steps.connect(received.extend)
    worker.start_run(counting(10, gate, reached))
    assert reached.wait(10)
    worker.pause()  # asked while step 3 is being computed: it finishes, then waits
    gate.set()
    qtbot.waitUntil(lambda: received == [0, 1, 2, 3])
    assert worker.paused and worker.running
    with qtbot.waitSignal(worker.finished_run, timeout=10_000) as done:
        worker.resume()
    assert done.args == [9, True]
    qtbot.waitUntil(lambda: received == list(range(10)))


def test_stop_closes_the_generator_and_keeps_the_last_finished_step(qtbot, worker):
    gate, reached = threading.Event(), threading.Event()
    closed = []

    def tracked():
        try:
            yield from counting(1000, gate, reached)
        finally:
            closed.append(True)

    worker.start_run(tracked())
    assert reached.wait(10)
    with qtbot.waitSignal(worker.finished_run, timeout=10_000) as done:
        worker.request_stop()
        gate.set()
    assert done.args == [3, False]  # step 3 was under way: it finished and is kept
    assert closed == [True]
    assert not worker.running and worker.join(5)


def test_a_failing_generator_reports_a_sentence(qtbot, worker):
    def failing():
        yield 1
        raise ValueError("the learning rate is too large")

    with qtbot.waitSignal(worker.failed, timeout=10_000) as failed, \
            qtbot.waitSignal(worker.finished_run, timeout=10_000):
        worker.start_run(failing())
    assert failed.args == ["the learning rate is too large"]


@pytest.fixture
def latest(qtbot):
    w = LatestWorker()
    yield w
    w.stop()


def test_the_latest_worker_runs_the_newest_job_of_each_kind(qtbot, latest):
    worker = latest
    release, started = threading.Event(), threading.Event()
    done = []
    worker.done.connect(lambda kind, result: done.append((kind, result)))

    def blocking():
        started.set()
        release.wait(10)
        return "first"

    worker.submit("probe", blocking)
    assert started.wait(10)
    for i in range(5):  # while busy: only the newest probe survives
        worker.submit("probe", lambda i=i: i)
    worker.submit("evaluate", lambda: "matrix")  # another kind is not pushed out
    release.set()
    qtbot.waitUntil(lambda: len(done) == 3, timeout=10_000)
    assert done == [("probe", "first"), ("probe", 4), ("evaluate", "matrix")]
    failures = []
    worker.failed.connect(lambda kind, message: failures.append((kind, message)))
    worker.submit("probe", lambda: int("seven"))
    qtbot.waitUntil(lambda: len(failures) == 1, timeout=10_000)
    assert failures[0][0] == "probe" and "seven" in failures[0][1]


# --- the child-process worker -------------------------------------------------------------------


@pytest.fixture
def process_worker(qtbot):
    w = ProcessWorker(interval=0.0)
    yield w
    w.stop()


def test_a_child_process_sends_every_step_in_order(qtbot, process_worker):
    received = []
    process_worker.steps.connect(received.extend)
    with qtbot.waitSignal(process_worker.finished_run, timeout=60_000) as done:
        process_worker.start_run(_generators.counting, {"n": 30})
    assert done.args == [29, True]
    assert received == list(range(30))
    assert not process_worker.running


def test_a_child_process_pauses_resumes_and_stops(qtbot, process_worker):
    received = []
    process_worker.steps.connect(received.extend)
    process_worker.start_run(_generators.counting, {"n": 100_000, "delay": 0.01})
    qtbot.waitUntil(lambda: len(received) >= 3, timeout=60_000)
    process_worker.pause()
    assert process_worker.paused
    qtbot.wait(1000)  # the step under way arrives; then nothing more
    held = len(received)
    qtbot.wait(500)
    assert len(received) == held
    process_worker.resume()
    qtbot.waitUntil(lambda: len(received) > held + 2, timeout=60_000)
    with qtbot.waitSignal(process_worker.finished_run, timeout=60_000) as done:
        process_worker.request_stop()
    last, completed = done.args
    assert not completed and last == received[-1]
    assert received == list(range(len(received)))  # nothing lost, nothing twice


def test_an_error_in_the_child_is_reported(qtbot, process_worker):
    with qtbot.waitSignal(process_worker.failed, timeout=60_000) as failed, \
            qtbot.waitSignal(process_worker.finished_run, timeout=60_000) as done:
        process_worker.start_run(_generators.failing, {"after": 2})
    assert failed.args == ["the learning rate is too large"]
    assert done.args == [1, False]


def test_a_child_that_dies_is_reported(qtbot, process_worker):
    with qtbot.waitSignal(process_worker.failed, timeout=60_000) as failed, \
            qtbot.waitSignal(process_worker.finished_run, timeout=60_000):
        process_worker.start_run(_generators.dying, {"after": 2})
    assert "ended unexpectedly" in failed.args[0]
