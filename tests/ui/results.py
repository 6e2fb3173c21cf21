"""Waiting for the explorer's maps in window tests.

A result that was already on its way when the test acted (a new tile size, the first
picture's second look) may land first, so waiting for the next ``result_shown`` can catch
the maps of the settings before the action: wait for the request the action caused.
"""

from __future__ import annotations

from explorer.core.computer import StackResult


def wait_result(qtbot, win, action) -> StackResult:
    """Do ``action`` and wait for the result of the request it caused (or a newer one)."""
    action()
    controller = win.controller
    qtbot.waitUntil(lambda: not controller.scheduled, timeout=5_000)
    target = controller.generation
    qtbot.waitUntil(lambda: win.last_result is not None
                    and win.last_result.generation >= target, timeout=20_000)
    return win.last_result
