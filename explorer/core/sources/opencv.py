"""What the video-file and camera sources share about OpenCV: quiet probing, colours, rate."""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Iterator

import cv2
import numpy as np

from explorer.core.sources.base import DEFAULT_FPS

_quiet_lock = threading.Lock()
_quiet_depth = 0
_saved_log_level: int | None = None


@contextlib.contextmanager
def _quiet_opencv() -> Iterator[None]:
    """Hide OpenCV's warnings (e.g. "can't open camera by index") while probing devices.

    The log level is process-wide, so nested and concurrent users share one counter and the
    level is restored when the last one leaves. Only the bookkeeping is locked, never the
    (possibly slow) device call itself.
    """
    global _quiet_depth, _saved_log_level
    logging_mod = getattr(getattr(cv2, "utils", None), "logging", None)
    if logging_mod is None:
        yield
        return
    with _quiet_lock:
        if _quiet_depth == 0:
            _saved_log_level = logging_mod.getLogLevel()
            logging_mod.setLogLevel(logging_mod.LOG_LEVEL_ERROR)
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _saved_log_level is not None:
                logging_mod.setLogLevel(_saved_log_level)


def _bgr_to_rgb(bgr: np.ndarray) -> np.ndarray:
    if bgr.ndim == 2:
        return cv2.cvtColor(bgr, cv2.COLOR_GRAY2RGB)
    if bgr.shape[2] == 4:
        return cv2.cvtColor(bgr, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _capture_fps(cap: cv2.VideoCapture) -> float:
    fps = cap.get(cv2.CAP_PROP_FPS)
    return float(fps) if math.isfinite(fps) and 1 <= fps <= 1000 else DEFAULT_FPS
