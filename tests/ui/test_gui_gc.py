"""Reference cycles are collected on the GUI thread, never on a worker that happens to
allocate: Qt objects destroyed off the GUI thread deadlock or crash the app."""

from __future__ import annotations

import gc
import threading

FREED_ON: list[str] = []  # the threads cycles were freed on


class _Cycle:
    """Garbage only the cycle collector can free; says on which thread it was freed."""

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        FREED_ON.append(threading.current_thread().name)


def test_a_cycle_made_garbage_is_freed_on_the_gui_thread(qtbot, window):
    assert not gc.isenabled()  # no collection starts from whichever thread allocates
    FREED_ON.clear()
    _Cycle()  # unreachable at once, but still alive: it refers to itself

    kept: list = []

    def allocate() -> None:  # far past the collector's threshold for its youngest objects
        kept.extend([] for _ in range(50 * gc.get_threshold()[0]))

    worker = threading.Thread(target=allocate, name="a-worker")
    worker.start()
    worker.join()
    assert not FREED_ON  # the worker collected nothing
    qtbot.waitUntil(lambda: bool(FREED_ON), timeout=10_000)
    assert [threading.main_thread().name] == FREED_ON
    kept.clear()
