"""One BLAS thread for the network's small matrix products.

The digit network's products are small (8 × 25 by 25 × 18,432 for the first layer): a BLAS
that splits them over every core spends more time handing work between its threads than
computing, and its spinning threads take the core the window needs. Measured on two shared
cores, an epoch took 4 to 5 times longer with two BLAS threads than with one.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache

from threadpoolctl import ThreadpoolController


@cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()  # finds the loaded BLAS libraries once (milliseconds)


def one_blas_thread() -> AbstractContextManager:
    """A context in which NumPy's BLAS uses a single thread (restored on exit)."""
    return _controller().limit(limits=1, user_api="blas")
