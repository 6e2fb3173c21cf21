"""The pictures that excite a unit most, and the patch of each that the unit sees.

For one channel of one layer, every picture is scored by its strongest unit (the largest value
anywhere in that channel's feature map); the k best pictures, best first, are shown as the
receptive field's crop around that unit, as the Deep Visualization Toolbox shows a unit's
top-9. Any network that gives feature maps and receptive fields uses these steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from explorer.core.shapes import RFInfo


@dataclass(frozen=True, eq=False)
class TopPatches:
    """The ``k`` pictures whose strongest unit of a channel is largest, best first."""

    indices: np.ndarray  # (k,) int: positions in the pictures searched
    values: np.ndarray  # (k,) float32: the strongest unit's value in each
    units: np.ndarray  # (k, 2) int: that unit's (row, column) in the channel's map
    origins: np.ndarray  # (k, 2) int: (top, left) of its receptive field in the picture
    patches: np.ndarray  # (k, field rows, field columns[, 3]) uint8: what the unit sees

    def __len__(self) -> int:
        return len(self.indices)


def strongest_units(maps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, H, W) maps → each map's largest value, and its row and column (the first in
    reading order when several units tie)."""
    m = np.asarray(maps)
    if m.ndim != 3 or 0 in m.shape:
        raise ValueError(f"strongest units need (pictures, rows, columns) maps, not {m.shape}")
    flat = m.reshape(len(m), -1)
    where = flat.argmax(axis=1)
    rows, cols = np.divmod(where, m.shape[2])
    return flat[np.arange(len(m)), where].astype(np.float32), rows, cols


def best_first(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest values, largest first; ties keep the earlier picture."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"the number of patches must be a whole number of at least 1, not {k!r}")
    return np.argsort(-np.asarray(values, np.float64), kind="stable")[:k]


def field_origin(rows: RFInfo, cols: RFInfo, row: int, col: int) -> tuple[int, int]:
    """(top, left) input pixel of the receptive field of unit (``row``, ``col``): its centre
    ``start + index · jump`` less half the field. May lie outside the picture."""
    top = rows.start + row * rows.jump - (rows.size - 1) / 2
    left = cols.start + col * cols.jump - (cols.size - 1) / 2
    return math.floor(top + 0.5), math.floor(left + 0.5)


def field_crop(picture: np.ndarray, top: int, left: int, height: int, width: int,
               fill: int) -> np.ndarray:
    """The ``height`` × ``width`` window of ``picture`` at (``top``, ``left``); where it
    leaves the picture, ``fill`` (what the network's padding looks like)."""
    out = np.full((height, width, *picture.shape[2:]), fill, picture.dtype)
    h, w = picture.shape[:2]
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + height, h), min(left + width, w)
    if y0 < y1 and x0 < x1:
        out[y0 - top:y1 - top, x0 - left:x1 - left] = picture[y0:y1, x0:x1]
    return out


def rank_patches(values: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                 pictures: Sequence[np.ndarray] | np.ndarray, field: tuple[RFInfo, RFInfo],
                 k: int, fill: int = 0) -> TopPatches:
    """The ``k`` best pictures (by ``values``, with their strongest units at ``rows``,
    ``cols``) and the crop of each picture inside the unit's receptive ``field`` (rows, cols)."""
    order = best_first(values, k)
    units = np.stack([rows[order], cols[order]], axis=1).astype(np.intp)
    origins = np.array([field_origin(*field, r, c) for r, c in units], np.intp).reshape(-1, 2)
    patches = [field_crop(np.asarray(pictures[i]), top, left, field[0].size, field[1].size, fill)
               for i, (top, left) in zip(order, origins, strict=True)]
    return TopPatches(order.astype(np.intp), np.asarray(values, np.float32)[order], units,
                      origins, np.stack(patches))
