"""The child-process side of a long job run by :class:`~explorer.ui.workers.worker.Worker`
with ``in_process=True`` (started by :mod:`explorer.ui.workers.child`).

Qt-free on purpose: the child imports only this module, NumPy and the core, not the GUI.
It builds the generator, pulls its steps and sends them through a pipe in batches, waits
while paused and stops when told; the last step it sends is the last one finished.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event

NICENESS = 10


def run_generator(factory: Callable[..., Iterator], kwargs: dict, conn: Connection, go: Event,
                  stop: Event, interval: float) -> None:
    """Pull ``factory(**kwargs)``'s steps; send ("steps", [...]), ("error", text), ("end", bool)."""
    pending: list = []
    completed = False

    def flush() -> None:
        nonlocal pending
        if pending:
            conn.send(("steps", pending))
            pending = []

    if hasattr(os, "nice"):  # background work: the window's thread goes first (POSIX only)
        os.nice(NICENESS)
    try:
        generator = factory(**kwargs)
        sent = time.monotonic()
        while True:
            while not go.is_set():  # paused: what is done so far is on screen
                flush()
                go.wait(0.1)
            if stop.is_set():
                break
            try:
                step = next(generator)
            except StopIteration:
                completed = True
                break
            pending.append(step)
            if time.monotonic() - sent >= interval:
                flush()
                sent = time.monotonic()
        generator.close()
        flush()
    except ValueError as exc:
        flush()
        conn.send(("error", str(exc)))
    except MemoryError:
        conn.send(("error", "not enough memory for this computation"))
    except Exception as exc:  # reported in the window; the traceback goes to the console
        traceback.print_exc()
        conn.send(("error", f"unexpected error: {exc}"))
    finally:
        try:
            conn.send(("end", completed))
        finally:
            conn.close()
