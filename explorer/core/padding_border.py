"""Which units of each stage's maps see the zero padding, so colour ranges can leave them out.

With 'same' zero padding a photo's border meets a frame of zeros: an edge detector answers
the picture's edge there as strongly as any edge inside it, and those stripes, a percent of a
map's values, would set its colour range (±496 where the photo itself reaches ±173). A unit
is *clean* when no tap of its window, nor of any window before it down to the picture, falls
on zero padding; a stage's colour range is taken over its clean units
(docs/architecture.md, "Colour levels").

Reflect, replicate and circular padding repeat the picture's own values: their taps are
unclean only where the value they repeat is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from explorer.core.pipeline import LayerSpec
from explorer.core.readout import layer_padding, source_indices

__all__ = ["Border", "clean_units", "interior", "interior_box"]


@dataclass(frozen=True)
class Border:
    """The rows and columns of a stage's maps that see zero padding: masks, True = unclean."""

    feature_rows: np.ndarray  # (H',) bool, over the feature maps' rows
    feature_cols: np.ndarray  # (W',) bool
    output_rows: np.ndarray  # over the stage's output (pooled maps, or the feature maps)
    output_cols: np.ndarray

    @property
    def any(self) -> bool:
        """Whether any unit of the feature maps sees the padding."""
        return bool(self.feature_rows.any() or self.feature_cols.any())

    def width(self) -> int:
        """The widest band of unclean feature-map units at any side, in units."""
        bands = [0]
        for mask in (self.feature_rows, self.feature_cols):
            clean = np.flatnonzero(~mask)
            if clean.size:
                bands += [int(clean[0]), int(mask.size - 1 - clean[-1])]
            else:
                bands.append(int(mask.size))
        return max(bands)


def _conv_axis(unclean: np.ndarray, kernel: int, stride: int, dilation: int, before: int,
               after: int, pad_mode: str) -> np.ndarray:
    """The unclean outputs of a convolution along one axis of ``unclean`` input positions,
    padded by ``before`` and ``after`` as ``pad_mode`` fills the padding."""
    n = unclean.size
    count = (n + before + after - (kernel - 1) * dilation - 1) // stride + 1
    if count <= 0 or n == 0:
        return np.zeros(max(count, 0), bool)
    taps = (np.arange(count)[:, None] * stride - before + np.arange(kernel)[None, :] * dilation)
    # a tap on the other modes' padding reads a pixel of the picture, clean or not
    read = unclean[source_indices(taps, n, pad_mode)]
    if pad_mode == "zeros":
        read |= (taps < 0) | (taps >= n)
    return read.any(axis=1)


def _pool_axis(unclean: np.ndarray, size: int, stride: int) -> np.ndarray:
    count = (unclean.size - size) // stride + 1
    if count <= 0:
        return np.zeros(0, bool)
    taps = np.arange(count)[:, None] * stride + np.arange(size)[None, :]
    return unclean[taps].any(axis=1)


def clean_units(specs: Sequence[LayerSpec], input_shape: tuple[int, int]) -> list[Border]:
    """For each stage of a stack run on a (rows, cols) picture, its units that see zero
    padding."""
    rows = np.zeros(int(input_shape[0]), bool)
    cols = np.zeros(int(input_shape[1]), bool)
    out: list[Border] = []
    for spec in specs:
        top, bottom, left, right = layer_padding(spec, (rows.size, cols.size))
        kh, kw = spec.kernel_shape
        mode = spec.pad_mode
        f_rows = _conv_axis(rows, kh, spec.stride[0], spec.dilation[0], top, bottom, mode)
        f_cols = _conv_axis(cols, kw, spec.stride[1], spec.dilation[1], left, right, mode)
        o_rows, o_cols = f_rows, f_cols
        if spec.pool_mode != "none":
            o_rows = _pool_axis(f_rows, spec.pool_size, spec.pool_stride)
            o_cols = _pool_axis(f_cols, spec.pool_size, spec.pool_stride)
        out.append(Border(f_rows, f_cols, o_rows, o_cols))
        rows, cols = o_rows, o_cols
    return out


def interior_box(shape: tuple[int, ...], rows: np.ndarray, cols: np.ndarray
                 ) -> tuple[slice, slice] | None:
    """The (rows, cols) slices of the clean block of maps of this shape, the rows and columns
    no padding reaches; None when the masks do not fit the maps, leave nothing out, or leave
    nothing in."""
    h, w = shape[:2]
    if rows.size != h or cols.size != w or not (rows.any() or cols.any()):
        return None
    keep_r, keep_c = np.flatnonzero(~rows), np.flatnonzero(~cols)
    if keep_r.size == 0 or keep_c.size == 0:
        return None
    return slice(int(keep_r[0]), int(keep_r[-1]) + 1), slice(int(keep_c[0]), int(keep_c[-1]) + 1)


def interior(maps: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The clean block of (H, W, K) maps (a view); all of the maps when
    :func:`interior_box` finds none."""
    box = interior_box(maps.shape, rows, cols)
    return maps if box is None else maps[box]
