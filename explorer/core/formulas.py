"""The output-size formulas and size captions the layer controls show, as plain text.

Each formula is written with the current numbers in the lecture's form
``o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1`` and its value is computed from exactly the terms shown,
so a student can redo the arithmetic. Settings that cannot work raise ``ValueError`` with a
sentence that says why (the panel shows it instead of a number).
"""

from __future__ import annotations

from collections.abc import Sequence

from explorer.core import params, shapes
from explorer.core.images import processing_size  # the one scaling rule, re-exported

__all__ = [
    "conv_output_formula",
    "pool_output_formula",
    "processing_size",
    "shape_text",
    "short_count",
    "size_text",
]


def _check_positive(*named: tuple[str, int]) -> None:
    for what, value in named:
        if value < 1:
            raise ValueError(f"the {what} must be at least 1, not {value}")


def conv_output_formula(
    n: int,
    kernel: int,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
    *,
    name: str = "o",
) -> str:
    """The output size of a convolution along one axis, as a worked formula.

    ``padding`` is a pad on each side or "valid", "same" or "full" (as in
    :func:`explorer.core.shapes.pad_amounts`). Unequal pads (an odd total for "same") are
    shown as ``before + after``. ``name`` is the left-hand side (``"H′"`` for a height):

    >>> conv_output_formula(480, 3, stride=2, padding=1)
    'o = ⌊(480 + 2·1 − 1·(3−1) − 1)/2⌋ + 1 = 240'
    """
    _check_positive(("input size", n), ("kernel size", kernel), ("stride", stride),
                    ("dilation", dilation))
    before, after = shapes.pad_amounts(n, kernel, stride, padding, dilation)
    padded = n + before + after
    span = dilation * (kernel - 1) + 1
    if span > padded:
        if dilation == 1:
            window = f"the {kernel}-pixel kernel"
        else:
            window = f"the {kernel}-pixel kernel, dilated by {dilation}, spans {span} pixels and"
        padded_input = "padded " if before + after else ""
        raise ValueError(f"{window} is larger than the {padded_input}{padded}-pixel input")
    pads = f"2·{before}" if before == after else f"{before} + {after}"
    value = (padded - dilation * (kernel - 1) - 1) // stride + 1
    return f"{name} = ⌊({n} + {pads} − {dilation}·({kernel}−1) − 1)/{stride}⌋ + 1 = {value}"


def pool_output_formula(n: int, size: int, stride: int, *, name: str = "o") -> str:
    """The size of a pooled map along one axis (no padding: partial windows are dropped).

    >>> pool_output_formula(240, 2, 2)
    'o = ⌊(240 − 2)/2⌋ + 1 = 120'
    """
    _check_positive(("feature map size", n), ("pool size", size), ("pool stride", stride))
    if size > n:
        raise ValueError(
            f"the {size}-pixel pooling window is larger than the {n}-pixel feature map"
        )
    value = (n - size) // stride + 1
    return f"{name} = ⌊({n} − {size})/{stride}⌋ + 1 = {value}"


def size_text(height: int, width: int) -> str:
    """A picture size as width × height, as cameras and picture files give it:
    ``"640×427 px"`` for 427 rows of 640 columns.

    Every size the app shows, maps and tensor shapes included, is written width first
    (:func:`shape_text`).
    """
    return f"{width}×{height} px"


def shape_text(shape: Sequence[int]) -> str:
    """An array's (rows, columns[, maps]) shape as width × height (× maps): ``"640×427"``,
    ``"320×213×8"``."""
    dims = [int(v) for v in shape]
    if len(dims) < 2:
        raise ValueError(f"a size has rows and columns, not {tuple(shape)}")
    return "×".join(str(v) for v in (dims[1], dims[0], *dims[2:]))


def short_count(n: int) -> str:
    """A parameter count short enough for one line: ``"112"``, ``"9,840"``, ``"4.70 × 10¹¹"``."""
    return params.format_count(n) if n < 10**6 else params.format_power(n)
