"""Python's cycle collector runs on the GUI thread only.

A collection runs in whichever thread happens to allocate past the threshold. On a worker
thread it would destroy Qt objects left in reference cycles (a closed dialog, a replaced
page's widgets) off the GUI thread, while the GUI thread may be laying out the same
widgets: Qt then deadlocks or crashes. So automatic collection is switched off and a timer
on the GUI thread collects, generation by generation, when the thresholds say so
(pyqtgraph's recipe). Child processes are spawned afresh and collect as usual.
"""

from __future__ import annotations

from pyqtgraph.util.garbage_collector import GarbageCollector

INTERVAL_S = 0.5

_collector: GarbageCollector | None = None


def collect_on_gui_thread() -> None:
    """Start the GUI thread's collector (once per process); call it on the GUI thread."""
    global _collector
    if _collector is None:
        _collector = GarbageCollector(interval=INTERVAL_S)
