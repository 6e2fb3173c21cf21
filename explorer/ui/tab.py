"""What the main window expects of a tab beside the explorer (training, network, text …).

A tab is a ``QWidget`` with its own work; the window owns the source picture and the explorer's
document, so a tab never opens a camera or writes another panel's state. The window:

- calls ``set_source(image, name, live)`` with the source picture (RGB or gray uint8) while the
  tab is visible: once for a still, for every processed frame while live. A tab that does not
  use the picture ignores it. It must be cheap: keep the newest picture and compute on a worker.
- connects ``message`` (a note for the status bar) and ``error`` (a fault for the banner).
- connects ``send_to_explorer``: a :class:`~explorer.core.pipeline.NamedStack` whose layers
  replace the explorer's stack ("Use these kernels").
- calls ``cleanup()`` once when it closes: stop workers and timers, join threads.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


class Tab(QWidget):
    """Base class of a main-window tab; see the module docstring for the contract."""

    message = Signal(str)
    error = Signal(str)
    send_to_explorer = Signal(object)  # NamedStack

    title = "Tab"  # the tab's label
    uses_layers = False  # True: the Layers dock stays beside the tab (it works on the stack)

    def set_source(self, image: np.ndarray, name: str, live: bool) -> None:
        """The window's newest source picture; the default ignores it."""

    def cleanup(self) -> None:
        """Stop every worker and timer of the tab (idempotent)."""
