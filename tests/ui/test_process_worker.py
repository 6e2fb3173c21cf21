"""The Training tab's worker: a generator in a child process, paused, resumed and stopped."""

from __future__ import annotations

import pytest

from explorer.ui.workers.process_worker import ProcessWorker
from tests.ui import _generators  # a module a child process can import by name


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
