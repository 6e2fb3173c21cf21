"""One BLAS thread for the app's matrix products.

The products are small (the digit network's first layer: 8 × 25 by 25 × 18,432; a deep
stage's window matrix, a band at a time): a BLAS that splits them over every core spends
more time handing work between its threads than computing. Worse, its threads keep spinning
after each product and take the cores the next filter2D calls and the window need. Measured
on two shared cores: an epoch took 4 to 5 times longer with two BLAS threads than with one,
and a 720p frame of a 3-stage stack twice as long in its first two stages. Where a product
is worth splitting, the caller splits it over the engine's own threads
(``convolution.share_out``).
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
