"""Stopping long work early: a token the caller sets, checked by the engine between pieces.

A 4000×4000 photo through 16 filters of 15×15 takes many seconds; the engine checks the token
between row bands and filters (pieces of a few milliseconds), so a Cancel is felt at once. A
cancelled computation raises :class:`Cancelled`, which is not an error.
"""

from __future__ import annotations

import threading


class Cancelled(Exception):
    """The work was cancelled before it finished."""


class CancelToken:
    """Set from any thread; the engine's threads check it."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` once the token is set."""
        if self._event.is_set():
            raise Cancelled()


def check(token: CancelToken | None) -> None:
    """:meth:`CancelToken.check` for an optional token."""
    if token is not None and token.cancelled:
        raise Cancelled()
