"""The one-slot box between the capture thread and its readers: only the newest frame is kept."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Frame:
    """One captured picture: RGB uint8 (H, W, 3), read-only, numbered in capture order."""

    sequence: int
    image: np.ndarray
    timestamp: float  # time.perf_counter() when the picture was captured


def _as_rgb_frame(image: np.ndarray) -> np.ndarray:
    img = np.asarray(image)
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(
            f"a frame must be an 8-bit RGB picture of shape (H, W, 3), "
            f"not {img.dtype} of shape {img.shape}"
        )
    return np.ascontiguousarray(img)


class LatestFrame:
    """A thread-safe one-slot box that keeps only the newest frame.

    ``put`` numbers each picture (1, 2, 3 …) and replaces whatever was there; ``get`` returns
    the newest frame without removing it, so a timer can poll and compare sequence numbers.
    A frame replaced before any ``get`` returned it counts as ``dropped``.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._taken = True  # nothing to drop yet
        self._sequence = 0
        self._dropped = 0

    def put(self, image: np.ndarray, timestamp: float | None = None) -> Frame:
        """Store a picture as the newest frame and return it.

        The box takes ownership: the array is made read-only so that no reader can change a
        picture another reader is looking at. Raises ValueError unless it is RGB uint8.
        """
        img = _as_rgb_frame(image)
        img.flags.writeable = False
        stamp = time.perf_counter() if timestamp is None else float(timestamp)
        with self._cond:
            if not self._taken:
                self._dropped += 1
            self._sequence += 1
            self._frame = Frame(self._sequence, img, stamp)
            self._taken = False
            self._cond.notify_all()
            return self._frame

    def get(self) -> Frame | None:
        """The newest frame (None before the first ``put``); it stays in the box."""
        with self._cond:
            self._taken = True
            return self._frame

    def wait_newer(self, after: int, timeout: float | None = None) -> Frame | None:
        """Block until a frame numbered above ``after`` arrives; None when ``timeout`` runs out.

        For benches and headless use; a GUI polls ``get`` from a timer instead.
        """
        with self._cond:
            if not self._cond.wait_for(lambda: self._sequence > after, timeout):
                return None
            self._taken = True
            return self._frame

    @property
    def sequence(self) -> int:
        """Number of the newest frame; 0 before the first."""
        return self._sequence

    @property
    def dropped(self) -> int:
        """Frames overwritten before anyone read them."""
        return self._dropped
