"""The command line's layer options: read, checked against the document's limits, applied.

``--filters``, ``--kernel-size``, ``--stride``, ``--padding``, ``--pool`` and ``--activation``
set what the Layers dock sets for the first layer; ``--stack`` starts from a stack preset and
``--preset`` gives the kernels (one preset for every filter, or a comma list with one a filter).
Every value is checked before a window exists, through ``explorer.state.limits``, the table the
spin boxes and session files use, so a script gets the same limits as a user; a bad value is a
``ValueError`` naming the option. This module needs no Qt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from explorer.core import kernels
from explorer.state import limits
from explorer.state.presets import STACK_PRESETS

__all__ = ["LayerOptions", "apply_layer_options", "parse_layer_options"]


@dataclass(frozen=True)
class LayerOptions:
    """What the command line asks of the stack; None leaves a setting as it is."""

    stack: str | None = None
    filters: int | None = None
    kernel: tuple[int, int] | None = None  # (rows, columns)
    stride: int | None = None
    padding: str | tuple[int, int] | None = None  # a name, or (rows, columns) of zeros
    pool: str | None = None
    activation: str | None = None
    presets: tuple[str, ...] = ()

    def layer_changes(self) -> dict[str, object]:
        """The first layer's settings to change, as ``LayerSettings`` fields."""
        changes: dict[str, object] = {}
        if self.filters is not None:
            changes["n_filters"] = self.filters
        if self.stride is not None:
            changes["stride"] = self.stride
        if isinstance(self.padding, tuple):
            changes.update(padding="custom", pad_h=self.padding[0], pad_w=self.padding[1])
        elif self.padding is not None:
            changes["padding"] = self.padding
        if self.pool is not None:
            changes["pool_mode"] = self.pool
        if self.activation is not None:
            changes["activation"] = self.activation
        return changes


def _whole(option: str, text: str, field: str) -> int:
    """``text`` as a whole number within the document's range for ``field``."""
    lo, hi = limits.int_range(field)
    wanted = f"{option} takes a whole number from {lo} to {hi}"
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"{wanted}, not {text!r}") from None
    try:
        return int(limits.check(field, value, 0))  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"{wanted}, not {value}") from None


def _pair(option: str, text: str, field: str) -> tuple[int, int]:
    """'5' → (5, 5); '5x3' (or 5×3) → (5, 3)."""
    parts = re.split(r"\s*[x×]\s*", text.strip().lower())
    if len(parts) not in (1, 2) or not all(parts):
        raise ValueError(f"{option} takes one number or ROWSxCOLUMNS such as 5x3, not {text!r}")
    values = [_whole(option, p, field) for p in parts]
    return (values[0], values[-1])


def _choice(option: str, text: str, field: str) -> str:
    choices = limits.CHOICES[field]
    value = text.strip().lower()
    if value not in choices:
        raise ValueError(f"{option} takes {', '.join(choices[:-1])} or {choices[-1]}, "
                         f"not {text!r}")
    return str(limits.check(field, value, choices[0]))


def parse_layer_options(args) -> LayerOptions:
    """The layer options of parsed arguments, checked; ValueError names the bad option."""
    stack = getattr(args, "stack", None)
    if stack is not None and stack not in STACK_PRESETS:
        *first, last = STACK_PRESETS
        raise ValueError(f"--stack takes {', '.join(first)} or {last}, not {stack!r}")
    filters = _whole("--filters", args.filters, "n_filters") if args.filters else None
    kernel = _pair("--kernel-size", args.kernel_size, "kernel_h") if args.kernel_size else None
    stride = _whole("--stride", args.stride, "stride") if args.stride else None
    padding: str | tuple[int, int] | None = None
    if args.padding:
        named = args.padding.strip().lower()
        if named in limits.PADDINGS and named != "custom":
            padding = named
        elif re.fullmatch(r"\s*\d+\s*([x×]\s*\d+\s*)?", named):
            padding = _pair("--padding", named, "pad_h")
        else:
            raise ValueError(f"--padding takes valid, same, full or a number of pixels such "
                             f"as 2 or 2x1, not {args.padding!r}")
    pool = _choice("--pool", args.pool, "pool_mode") if args.pool else None
    activation = _choice("--activation", args.activation, "activation") \
        if getattr(args, "activation", None) else None
    presets = _presets(args.preset) if args.preset else ()
    if len(presets) > 1:
        if filters is None:
            filters = _whole("--preset", str(len(presets)), "n_filters")
        elif filters != len(presets):
            raise ValueError(f"--preset names {len(presets)} presets for --filters {filters}: "
                             "give one preset for every filter, or one for all")
    if kernel is not None:
        for name in presets:
            ph, pw = kernels.get(name).weights.shape
            if ph > kernel[0] or pw > kernel[1]:
                raise ValueError(f"the {ph}×{pw} preset {name} does not fit --kernel-size "
                                 f"{kernel[0]}x{kernel[1]}; give --kernel-size {ph}x{pw} or "
                                 "more, or leave it out")
    return LayerOptions(stack, filters, kernel, stride, padding, pool, activation, presets)


def _presets(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(","))
    if not all(names):
        raise ValueError(f"--preset takes preset names separated by commas, not {text!r}")
    for name in names:
        kernels.get(name)  # a ValueError listing the presets
    return names


def apply_layer_options(options: LayerOptions, document) -> None:
    """Set the stack and its first layer as asked (the picture is set first: its channels
    decide the kernels' depth). Without ``--kernel-size`` the kernel grows to fit the largest
    preset given, so no preset is cut to its centre."""
    from explorer.state import default_filter
    from explorer.state.layer import Filter
    from explorer.state.presets import use_stack_preset

    if options.stack is not None:
        use_stack_preset(document.stack, options.stack, document.channels, default_filter)
        document.selection.layer = 0
        document.selection.filter = 0
    layer = document.stack[0]
    layer.settings.update(options.layer_changes())
    kernel = options.kernel
    if kernel is None and options.presets:
        kh, kw = layer.filters.kernel_shape
        for name in options.presets:
            ph, pw = kernels.get(name).weights.shape
            kh, kw = max(kh, ph), max(kw, pw)
        kernel = (kh, kw)
    if kernel is not None and kernel != layer.filters.kernel_shape:
        # field by field, as the Layers dock's spin boxes do: each change reshapes the filters
        # before the stack says the layer changed, so every view reads the new size
        layer.settings.update({"kernel_h": kernel[0], "kernel_w": kernel[1]})
    if options.presets:
        bank = layer.filters
        names = options.presets if len(options.presets) > 1 else options.presets * len(bank)
        bank.set_filters([Filter(name, kernels.get(name).weights, bank[i].bias)
                          for i, name in enumerate(names)])
