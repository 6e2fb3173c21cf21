"""Reference cycles are collected on the GUI thread, never on a worker that happens to
allocate: Qt objects destroyed off the GUI thread deadlock or crash the app."""

from __future__ import annotations

import gc
import threading


class _Cycle:
    """Garbage only the cycle collector can free; says on which thread it was freed."""

    freed_on: list[str] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.current_thread().name)


def test_a_cycle_made_garbage_is_freed_on_the_gui_thread(qtbot, window):
    assert not gc.isenabled()  # no collection starts from whichever thread allocates
    _Cycle.freed_on.clear()
    _Cycle()  # unreachable at once, but still alive: it refers to itself

    kept: list = []

    def allocate() -> None:  # far past the collector's threshold for its youngest objects
        kept.extend([] for _ in range(50 * gc.get_threshold()[0]))

    worker = threading.Thread(target=allocate, name="a-worker")
    worker.start()
    worker.join()
    assert _Cycle.freed_on == []  # the worker collected nothing
    qtbot.waitUntil(lambda: bool(_Cycle.freed_on), timeout=10_000)
    assert _Cycle.freed_on == [threading.main_thread().name]
    kept.clear()
