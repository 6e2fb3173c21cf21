"""What every frame source is: the FrameSource contract, its error, and shared checks."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from types import TracebackType

import numpy as np

DEFAULT_FPS = 30.0  # when a file or camera does not say its frame rate


class SourceError(ValueError):
    """A picture source cannot be opened or stopped working; the message is for the user."""


class FrameSource(ABC):
    """Something that yields RGB uint8 pictures: open, read … read, release.

    A source is used by one thread only (the capture thread); ``release`` must be safe to call
    more than once and after a failed ``open``.
    """

    #: a live source (a camera) delivers pictures at its own pace; the others are paced by
    #: the capture thread at ``nominal_fps``
    is_live: bool = False

    @property
    @abstractmethod
    def name(self) -> str:
        """A short name for the status bar ("Camera 0", "clip.mp4")."""

    @property
    @abstractmethod
    def nominal_fps(self) -> float:
        """The frame rate the source is meant to be played at."""

    @property
    @abstractmethod
    def size(self) -> tuple[int, int] | None:
        """(width, height) of the pictures, None while it is not known (before ``open``)."""

    @abstractmethod
    def open(self) -> None:
        """Acquire the device or file. Raises SourceError."""

    @abstractmethod
    def read(self) -> np.ndarray | None:
        """The next picture, RGB uint8 (H, W, 3); None at the end of a stream.

        Raises SourceError when a picture cannot be had this time (the caller decides when
        repeated failures mean the source is gone).
        """

    @abstractmethod
    def release(self) -> None:
        """Give the device or file back."""

    def __enter__(self) -> FrameSource:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _check_size(width: int, height: int) -> None:
    if not (16 <= width <= 7680 and 16 <= height <= 4320):
        raise ValueError(
            f"a picture of {width}×{height} is outside the supported 16×16 … 7680×4320"
        )


def _check_fps(fps: float) -> None:
    if not (math.isfinite(fps) and 0 < fps <= 1000):
        raise ValueError(f"the frame rate must be between 0 and 1000 frames a second, not {fps}")
