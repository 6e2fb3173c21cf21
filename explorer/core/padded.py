"""The picture as a layer reads it: its padded border filled in the way the pad mode fills it.

Zeros, reflect, replicate and circular padding differ only in what lies beyond the picture's
edge, so that is what the input view draws round the picture. The values come from the same
rule the hover readout uses (:func:`explorer.core.readout.source_indices`), so the ring shows
exactly the numbers a window multiplies there.
"""

from __future__ import annotations

import numpy as np

from explorer.core.readout import source_indices

__all__ = ["padded_view"]

MAX_PAD = 4096  # pixels on one side: far beyond any layer the app can build


def _pads(pad: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    values = tuple(pad)
    if len(values) != 4:
        raise ValueError(f"the padding is (top, bottom, left, right), not {pad!r}")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | np.integer):
            raise ValueError(f"the padding must be whole numbers of pixels, not {v!r}")
        if not 0 <= v <= MAX_PAD:
            raise ValueError(f"the padding must lie between 0 and {MAX_PAD} pixels, not {v}")
        out.append(int(v))
    return out[0], out[1], out[2], out[3]


def padded_view(image: np.ndarray, pad: tuple[int, int, int, int],
                pad_mode: str) -> np.ndarray:
    """``image`` with ``pad`` = (top, bottom, left, right) pixels added as ``pad_mode`` adds them.

    ``image`` is (H, W) or (H, W, C) of any number type; the result has the same type and
    (H + top + bottom, W + left + right) rows and columns, with the picture unchanged in the
    middle. "zeros" puts 0 in the ring; "replicate" repeats the edge pixel, "reflect" mirrors
    without repeating the edge (``dcb|abcd|cba``) and "circular" wraps round, as far out as
    the ring reaches (a ring wider than the picture reflects or wraps again).
    """
    img = np.asarray(image)
    if img.ndim not in (2, 3) or img.shape[0] < 1 or img.shape[1] < 1:
        raise ValueError(f"a picture has rows and columns (and channels), not shape {img.shape}")
    top, bottom, left, right = _pads(pad)
    h, w = img.shape[:2]
    rows = source_indices(np.arange(-top, h + bottom), h, pad_mode)
    cols = source_indices(np.arange(-left, w + right), w, pad_mode)
    out = img.take(rows, axis=0).take(cols, axis=1)
    if pad_mode == "zeros":
        out[:top] = 0
        out[top + h:] = 0
        out[:, :left] = 0
        out[:, left + w:] = 0
    return out
