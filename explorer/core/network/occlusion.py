"""Occlusion (Zeiler & Fergus 2014): what part of the picture does the network look at?

A grey square is slid over the picture the network sees; at each place the probability of the
class it chose for the whole picture is measured again. Where covering the picture makes that
probability drop, the network was looking. Grey is the value the network sees as 0, so the
square carries no pattern of its own.

Long work, so it is a generator: each step yields the progress, and the caller may stop early.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from explorer.core.network.preprocess import GREY
from explorer.core.shapes import whole_number


@dataclass(frozen=True, eq=False)
class OcclusionStep:
    """Progress of an occlusion run; ``heat`` is complete when ``done == total``."""

    done: int
    total: int
    target: int  # the class whose probability is watched
    base: float  # its probability on the whole picture
    heat: np.ndarray  # (H, W) float32: mean probability drop of the squares covering a pixel


def positions(size: int, patch: int, stride: int) -> list[int]:
    """Where a square of ``patch`` pixels starts along one axis; the last one ends at the edge."""
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] != size - patch:
        starts.append(size - patch)
    return starts


def occlusion(probabilities: Callable[[np.ndarray], np.ndarray], picture: np.ndarray,
              patch: int = 32, stride: int = 16, target: int | None = None
              ) -> Iterator[OcclusionStep]:
    """Slide a grey ``patch``-pixel square over ``picture`` (H, W, 3 uint8) in ``stride`` steps.

    ``probabilities`` maps a picture to class probabilities (the network's). ``target`` is the
    class to watch, by default the most probable one on the whole picture. Yields one step
    per row of positions, the last with the finished heat map.
    """
    h, w = picture.shape[:2]
    patch = whole_number(patch, "the occluding square's size", 1)
    stride = whole_number(stride, "the occlusion stride", 1)
    if patch > min(h, w):
        raise ValueError(f"the occluding square of {patch} pixels is larger than the picture")
    base_p = probabilities(picture)
    target = int(np.argmax(base_p)) if target is None else int(target)
    base = float(base_p[target])
    rows, cols = positions(h, patch, stride), positions(w, patch, stride)
    total_drop = np.zeros((h, w), np.float64)
    cover = np.zeros((h, w), np.float64)
    work = picture.copy()
    done, total = 0, len(rows) * len(cols)
    for y in rows:
        for x in cols:
            work[y:y + patch, x:x + patch] = GREY
            drop = base - float(probabilities(work)[target])
            work[y:y + patch, x:x + patch] = picture[y:y + patch, x:x + patch]
            total_drop[y:y + patch, x:x + patch] += drop
            cover[y:y + patch, x:x + patch] += 1
            done += 1
        heat = (total_drop / np.maximum(cover, 1)).astype(np.float32)
        yield OcclusionStep(done, total, target, base, heat)
