"""Generators for the process-worker tests: importable by name in a child process (no Qt)."""

from __future__ import annotations

import os
import time


def counting(n: int, delay: float = 0.0):
    for i in range(n):
        if delay:
            time.sleep(delay)
        yield i


def failing(after: int):
    yield from range(after)
    raise ValueError("the learning rate is too large")


def dying(after: int):
    yield from range(after)
    os._exit(3)  # the process vanishes without a word, as a crash would


def niceness():
    yield os.nice(0) if hasattr(os, "nice") else 0  # this process's priority (higher: lower)
