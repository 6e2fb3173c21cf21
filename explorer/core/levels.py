"""Colour levels of feature maps and their colouring, without Qt.

Signed maps (any negative value) get levels symmetric about zero, so zero is the neutral
middle colour of a diverging colormap; non-negative maps (after ReLU) run from zero up.
Levels come from a high percentile rather than the maximum: edge maps are mostly dark with a
few very strong pixels, and scaling to the maximum would leave a map nearly black. The
percentile is taken on a strided subsample (a few thousand values), so it costs ~0.05 ms a map.

The compute worker runs all of this for live frames, so the GUI thread only draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from explorer.core.convolution import share_out

LEVEL_PERCENTILE = 99.7  # the value shown at full colour: all but the strongest 0.3 %
SAMPLE_SIZE = 8192  # values a map's percentile is estimated from


def colorize(plane: np.ndarray, levels: tuple[float, float], lut: np.ndarray) -> np.ndarray:
    """A float plane as RGB uint8 through ``lut``, ``levels`` mapped to its ends.

    Two OpenCV passes; done here rather than in pyqtgraph's per-paint float path, which
    rebuilt its colour table and rescaled every tile on every repaint.
    """
    lo, hi = levels
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    # clamp below the low level first: convertScaleAbs would fold those values upwards
    clamped = cv2.max(np.ascontiguousarray(plane, np.float32), float(lo))
    index = cv2.convertScaleAbs(clamped, alpha=scale, beta=-lo * scale)  # rounds, saturates
    # a user colormap in applyColorMap is a plain 256-entry table lookup, ~6× NumPy indexing
    return cv2.applyColorMap(index, lut.reshape(256, 1, 3))


@dataclass(frozen=True, eq=False)  # eq on arrays would be ambiguous
class MapLevels:
    """The colour levels of K maps and what the panel says about them."""

    levels: np.ndarray  # (K, 2) float: (low, high) of each map's colour scale
    signed: bool  # any negative value in any map: diverging colormap, symmetric levels
    clipped: float | None  # share of values beyond the fixed levels (0..1); None unless fixed
    border: int = 0  # units at the maps' edges that see zero padding, left out of the levels
    zero: np.ndarray | None = None  # (K,) bool: the map is all zeros, its levels a placeholder

    def all_zero(self, k: int) -> bool:
        """Whether map k is all zeros (its levels then span nothing it holds)."""
        return bool(self.zero is not None and k < len(self.zero) and self.zero[k])


def _robust_high(plane: np.ndarray, signed: bool, sample: int) -> float:
    """The :data:`LEVEL_PERCENTILE` of one plane's |values| (signed) or values."""
    if plane.size == 0:
        return 0.0
    h, w = plane.shape
    step = max(1, int(np.sqrt(h * w / sample)))
    values = plane[::step, ::step].ravel()
    values = np.abs(values) if signed else values
    rank = min(values.size - 1, int(np.ceil(LEVEL_PERCENTILE / 100 * (values.size - 1))))
    # a sort, not np.partition: selection slows down twentyfold on repeated values
    # (ReLU's zeros, flat regions), where NumPy's vectorised sort stays fast
    high = float(np.sort(values)[rank])
    if not high > 0:
        high = float(np.abs(plane).max() if signed else plane.max())
    return high


def compute_levels(ranges: np.ndarray, mode: str, fixed_limit: float,
                   highs: np.ndarray | None = None, signed: bool | None = None) -> MapLevels:
    """Colour levels for a level mode of the document, from each map's (min, max).

    ``highs`` (see :func:`robust_highs`) replaces each map's largest magnitude as the value
    shown at full colour; without it the exact range is used. ``per_map``: each map spans its
    own range; ``shared``: every map spans the largest of them, so their strengths compare;
    ``fixed``: ±``fixed_limit`` (0..limit when nothing is negative), steady from frame to frame.
    ``clipped`` is left None: see :func:`clipped_share`. ``signed`` overrides what the
    ranges say (they may be of the maps' inside only).
    """
    ranges = np.asarray(ranges, np.float64).reshape(-1, 2)
    if signed is None:
        signed = bool(ranges.size and ranges[:, 0].min() < 0)
    if highs is None:
        highs = np.abs(ranges).max(axis=1) if signed else ranges[:, 1]
    highs = np.asarray(highs, np.float64).reshape(-1)
    if mode == "per_map":
        highs = highs.copy()
    elif mode == "shared":
        highs = np.full(len(ranges), float(highs.max(initial=0.0)))
    elif mode == "fixed":
        if not (np.isfinite(fixed_limit) and fixed_limit > 0):
            raise ValueError("the fixed colour limit must be a positive number")
        highs = np.full(len(ranges), float(fixed_limit))
    else:
        raise ValueError(f"unknown level mode {mode!r}: use per_map, shared or fixed")
    # a flat map (all zeros) still needs a non-empty colour scale
    highs = np.where(np.isfinite(highs) & (highs > 0), highs, 1.0)
    lows = -highs if signed else np.zeros_like(highs)
    zero = (ranges[:, 0] == 0) & (ranges[:, 1] == 0)
    return MapLevels(np.stack([lows, highs], axis=1), signed, None, zero=zero)


class LevelPass:
    """The colour levels of K planes, measured plane by plane.

    Each :meth:`measure` reads one plane (its range, its high level, in fixed mode its values
    inside the levels) and touches only that plane's entries, so the planes can be measured
    on any threads, mixed with other work (see :func:`~explorer.core.convolution.share_tasks`);
    :meth:`levels` then puts them together. ``sample`` and ``whole``: as in :func:`map_levels`.
    """

    def __init__(self, planes: list[np.ndarray], mode: str, fixed_limit: float,
                 sample: int = SAMPLE_SIZE, whole: list[np.ndarray] | None = None) -> None:
        self.planes, self.whole = planes, whole
        self.mode, self.fixed_limit, self.sample = mode, float(fixed_limit), sample
        k = len(planes)
        self._ranges = np.zeros((k, 2), np.float64)
        self._full = self._ranges if whole is None else np.zeros((k, 2), np.float64)
        self._highs = np.zeros(k, np.float64)
        self._inside = np.zeros(k, np.int64)  # values within the fixed levels

    @property
    def count(self) -> int:
        return len(self.planes)

    @property
    def work(self) -> int:
        """Roughly, the values :meth:`measure` reads over all planes."""
        return sum(p.size for p in self.whole or self.planes)

    def measure(self, k: int) -> None:
        plane = self.planes[k]
        lo, hi, _, _ = cv2.minMaxLoc(plane)
        self._ranges[k] = lo, hi
        # a plane holding a negative value is levelled by its |values|: exactly what it gets
        # when the maps are signed, whatever the other planes hold
        high = _robust_high(plane, lo < 0, self.sample)
        whole = None if self.whole is None else self.whole[k]
        if whole is not None:
            w_lo, w_hi, _, _ = cv2.minMaxLoc(whole)
            self._full[k] = w_lo, w_hi
            if not high > 0:  # all zeros inside but not at its border: all of it decides
                high = _robust_high(whole, w_lo < 0, self.sample)
        self._highs[k] = high
        if self.mode == "fixed" and self.fixed_limit > 0:  # else levels() says what is wrong
            # inRange is one pass with no float temporaries; its bounds are inclusive
            limit = self.fixed_limit
            inside = cv2.inRange(plane if whole is None else whole, -limit, limit)
            self._inside[k] = cv2.countNonZero(inside)

    def levels(self) -> MapLevels:
        """The levels, once every plane is measured."""
        full = self._full
        signed = bool(len(full) and full[:, 0].min() < 0)
        levels = compute_levels(self._ranges, self.mode, self.fixed_limit, self._highs,
                                signed=signed)
        zero = (full[:, 0] == 0) & (full[:, 1] == 0)
        clipped = None
        if self.mode == "fixed":
            total = self.work
            clipped = (total - int(self._inside.sum())) / total if total else 0.0
        return MapLevels(levels.levels, levels.signed, clipped, zero=zero)


def map_levels(planes: list[np.ndarray], mode: str, fixed_limit: float,
               sample: int = SAMPLE_SIZE, whole: list[np.ndarray] | None = None) -> MapLevels:
    """Levels of K planes for a level mode, with the clipped share when fixed.

    ``sample``: how many values of each plane its high level is estimated from. ``whole``:
    the full maps when ``planes`` are only their inside; whether the maps are signed, and
    which are all zeros, is then read from them, so a negative border still gets the
    diverging colours."""
    measured = LevelPass(planes, mode, fixed_limit, sample, whole)
    share_out(lambda part: [measured.measure(k) for k in part], measured.count, measured.work)
    return measured.levels()
