"""Sizes along one axis: padding, output size, receptive field, the window an output sees.

Pure integer arithmetic, one axis at a time (a 2-D layer is two independent axes). The
convolution and pooling engines take their geometry from here, so the sizes the UI prints are
the sizes the engine produces.

Conventions (the lecture's and PyTorch's): a kernel of ``k`` taps dilated by ``d`` spans
``d(k − 1) + 1`` input pixels, and the output size is ``⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass

PADDING_NAMES = ("valid", "same", "full")

Padding = int | str | tuple[int, int]


def whole_number(value: object, what: str, minimum: int) -> int:
    """``value`` as an int, or a ValueError naming ``what`` (e.g. "the stride")."""
    if type(value) is not int and (
        isinstance(value, bool) or not isinstance(value, numbers.Integral)
    ):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, not {int(value)}")
    return int(value)


def whole_pair(value: object, what: str, minimum: int) -> tuple[int, int]:
    """One whole number or a (rows, columns) pair as a pair; ValueError naming ``what``."""
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ValueError(f"{what} is one number or a (rows, columns) pair, not {value!r}")
        return whole_number(value[0], what, minimum), whole_number(value[1], what, minimum)
    v = whole_number(value, what, minimum)
    return v, v


def dilated_size(kernel: int, dilation: int = 1) -> int:
    """How many input pixels a kernel of ``kernel`` taps spans when dilated by ``dilation``."""
    kernel = whole_number(kernel, "the kernel size", 1)
    dilation = whole_number(dilation, "the dilation", 1)
    return dilation * (kernel - 1) + 1


def pad_amounts(
    n: int, kernel: int, stride: int = 1, padding: Padding = 0, dilation: int = 1
) -> tuple[int, int]:
    """Pixels added (before, after) along one axis of length ``n``.

    ``padding`` is a count added on both sides, a ``(before, after)`` pair, or a name:
    ``"valid"`` adds nothing; ``"full"`` adds d(k − 1) on each side, so every output touches at
    least one real pixel; ``"same"`` keeps ``n`` at stride 1 and gives ⌈n / s⌉ outputs at stride
    ``s`` (TensorFlow's SAME), the odd extra pixel going after (bottom/right).
    """
    n = whole_number(n, "the input size", 1)
    stride = whole_number(stride, "the stride", 1)
    span = dilated_size(kernel, dilation)
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0
        if padding == "full":
            return span - 1, span - 1
        if padding == "same":
            total = max((math.ceil(n / stride) - 1) * stride + span - n, 0)
            return total // 2, total - total // 2
        raise ValueError(
            f"unknown padding {padding!r}: use a number of pixels or one of "
            + ", ".join(repr(p) for p in PADDING_NAMES)
        )
    if isinstance(padding, tuple | list):
        if len(padding) != 2:
            raise ValueError(f"padding along one axis is (before, after), not {padding!r}")
        before = whole_number(padding[0], "the padding", 0)
        after = whole_number(padding[1], "the padding", 0)
        return before, after
    p = whole_number(padding, "the padding", 0)
    return p, p


def output_size(
    n: int, kernel: int, stride: int = 1, padding: Padding = 0, dilation: int = 1
) -> int:
    """How many outputs a kernel produces along one axis of ``n`` input pixels.

    ``o = ⌊(n + before + after − d(k − 1) − 1) / s⌋ + 1``; raises ValueError when the (dilated)
    kernel does not fit in the padded input.
    """
    before, after = pad_amounts(n, kernel, stride, padding, dilation)
    span = dilated_size(kernel, dilation)
    padded = n + before + after
    if span > padded:
        dilated = f" (dilated to {span})" if span != kernel else ""
        where = "the padded input" if before + after else "the input"
        raise ValueError(
            f"the kernel of {kernel}{dilated} is larger than {where} of {padded} pixels"
        )
    return (padded - span) // stride + 1


def input_window(
    out_index: int, kernel: int, stride: int = 1, padding_before: int = 0, dilation: int = 1
) -> range:
    """The input indices output ``out_index`` sees along one axis, in kernel-tap order.

    Indices below 0 or past the end of the input fall in the padding.
    """
    out_index = whole_number(out_index, "the output index", 0)
    stride = whole_number(stride, "the stride", 1)
    padding_before = whole_number(padding_before, "the padding", 0)
    span = dilated_size(kernel, dilation)
    first = out_index * stride - padding_before
    return range(first, first + span, int(dilation))


@dataclass(frozen=True)
class LayerGeometry:
    """One conv or pool layer along one axis: kernel taps, stride, dilation and padding."""

    kernel: int
    stride: int = 1
    dilation: int = 1
    padding: Padding = 0


@dataclass(frozen=True)
class RFInfo:
    """The receptive field of one layer's outputs, in input pixels.

    ``size``: how many input pixels one output sees; ``jump``: how far apart (in input pixels)
    neighbouring outputs are; ``start``: the input coordinate of the centre of the first
    output's field (pixel centres at 0, 1, 2 …; negative or fractional values are fine).
    """

    size: int
    jump: int
    start: float


def receptive_field(
    layers: Iterable[LayerGeometry], input_size: int | None = None
) -> list[RFInfo]:
    """The receptive field after each layer of a stack of conv/pool layers (one axis).

    The standard recurrence, with ``k_eff = d(k − 1) + 1`` and ``p`` the padding before:
    ``jump_out = jump_in · s``, ``size_out = size_in + (k_eff − 1) · jump_in`` and
    ``start_out = start_in + ((k_eff − 1) / 2 − p) · jump_in``, starting from a single pixel
    (size 1, jump 1, start 0). ``input_size`` is needed only for ``"same"`` padding with a
    stride above 1, whose padding depends on the size of each layer's input.
    """
    size, jump, start = 1, 1, 0.0
    n = input_size
    infos = []
    for i, layer in enumerate(layers, start=1):
        span = dilated_size(layer.kernel, layer.dilation)
        stride = whole_number(layer.stride, "the stride", 1)
        if n is not None:
            before, _ = pad_amounts(n, layer.kernel, stride, layer.padding, layer.dilation)
            n = output_size(n, layer.kernel, stride, layer.padding, layer.dilation)
        elif layer.padding == "same" and stride > 1:
            raise ValueError(
                f"layer {i} uses 'same' padding with stride {stride}: its padding depends on "
                "the input size, so give input_size"
            )
        else:
            # the input size only matters for strided 'same' padding, so any size will do
            before, _ = pad_amounts(span, layer.kernel, stride, layer.padding, layer.dilation)
        start += ((span - 1) / 2 - before) * jump
        size += (span - 1) * jump
        jump *= stride
        infos.append(RFInfo(size=size, jump=jump, start=start))
    return infos
