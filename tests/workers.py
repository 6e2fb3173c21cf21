"""The engine's worker threads for a test, on any machine and in any process."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from explorer.core import convolution


@contextmanager
def engine_workers(n: int = 2) -> Iterator[None]:
    """Large work is shared between this thread and ``n`` workers while the block runs.

    The engine has no workers on a one-core machine or in a forked child process (it computes
    on one thread there), so a test of the shares would test nothing; with these, every share
    but the first starts past row 0, as on a machine with several cores.
    """
    saved = convolution._EXECUTOR, convolution._WORKERS
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="test-workers") as executor:
        convolution._EXECUTOR, convolution._WORKERS = executor, n
        try:
            yield
        finally:
            convolution._EXECUTOR, convolution._WORKERS = saved
