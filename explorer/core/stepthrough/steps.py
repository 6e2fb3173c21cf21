"""An example as a sequence of steps: one window, its products, their sum, one output value.

The geometry comes from :mod:`explorer.core.shapes` (``pad_amounts``, ``output_size``,
``input_window``), the activation from :mod:`explorer.core.activations`, so the view shows the
sizes and numbers the engine produces. Coordinates are in the *grid*: the input with its
padding around it (and, for a transposed convolution, the zeros put between its pixels).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.activations import activation as activation_fn
from explorer.core.shapes import input_window, output_size, pad_amounts
from explorer.core.stepthrough.examples import Edit, Example
from explorer.core.transposed import transposed_size

# what a grid cell holds
INPUT, PADDING, INSERTED = 0, 1, 2

_NUMPY_PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
              "circular": "wrap"}


@dataclass(frozen=True)
class Axis:
    """One axis of the grid the window slides over."""

    n: int  # input pixels
    kernel: int  # taps of the window
    stride: int  # how far the window jumps on the grid
    dilation: int
    before: int  # grid cells before the first input pixel
    after: int
    out: int  # outputs along this axis
    spread: int = 1  # a transposed convolution's stride: input pixels sit this far apart

    @property
    def length(self) -> int:
        return (self.n - 1) * self.spread + 1 + self.before + self.after

    def source(self, g: int) -> int | None:
        """The input index at grid index ``g``, None for padding or an inserted zero."""
        j = g - self.before
        if j < 0 or j > (self.n - 1) * self.spread or j % self.spread:
            return None
        return j // self.spread

    def kind(self, g: int) -> int:
        j = g - self.before
        if j < 0 or j > (self.n - 1) * self.spread:
            return PADDING
        return INPUT if j % self.spread == 0 else INSERTED

    def window(self, o: int) -> tuple[int, ...]:
        """Grid indices of output ``o``'s taps, in kernel order."""
        taps = input_window(o, self.kernel, self.stride, self.before, self.dilation)
        return tuple(t + self.before for t in taps)


def _axis(example: Example, axis: int) -> Axis:
    n = int(example.input.shape[axis])
    k = example.kernel_shape[axis]
    s, d = example.stride[axis], example.dilation[axis]
    padding = example.padding[axis]
    if example.operation == "transpose":
        if not isinstance(padding, int) or isinstance(padding, bool):
            raise ValueError("a transposed convolution takes its padding as a number")
        if d != 1:
            raise ValueError("the step-through shows transposed convolutions without dilation")
        if padding > k - 1:
            raise ValueError(f"a padding above k − 1 = {k - 1} crops the output: the "
                             "step-through shows paddings up to k − 1")
        # the equivalent convolution: stride 1 over the spread input, padded by k − 1 − p
        before = k - 1 - padding
        after = before + example.output_padding
        stretched = (n - 1) * s + 1
        transposed_size(n, k, s, padding, example.output_padding)  # says what does not fit
        out = output_size(stretched, k, 1, (before, after))
        return Axis(n, k, 1, 1, before, after, out, spread=s)
    if example.is_pooling:
        padding = 0
    before, after = pad_amounts(n, k, s, padding, d)
    out = output_size(n, k, s, padding, d)
    if example.pad_mode == "reflect" and max(before, after) >= n:
        raise ValueError(f"reflect padding of {max(before, after)} needs an input of more than "
                         f"{max(before, after)} pixels (it has {n})")
    if example.pad_mode == "circular" and max(before, after) > n:
        raise ValueError(f"circular padding of {max(before, after)} needs an input of at least "
                         f"{max(before, after)} pixels (it has {n})")
    return Axis(n, k, s, d, before, after, out)


@dataclass(frozen=True, eq=False)
class Step:
    """One output value: where its window is and every number on the way to it."""

    index: int
    map: int  # which output map: the filter (convolution) or the channel (pooling)
    out: tuple[int, int]  # (row, column) in the output map
    rows: tuple[int, ...]  # grid rows of the window's taps, in kernel order
    cols: tuple[int, ...]
    taps: np.ndarray  # (kh, kw, C) the input under the taps (C = 1 for pooling)
    weights: np.ndarray | None  # (kh, kw, C) the kernel as slid; None for pooling
    products: np.ndarray | None  # taps × weights
    total: float  # sum of the products; the maximum or the mean for pooling
    bias: float
    pre_activation: float  # total + bias
    value: float  # activation(pre_activation): what lands in the output cell
    winner: tuple[int, int] | None = None  # max pooling: the tap that won (first in reading order)


@dataclass(frozen=True, eq=False)
class Walkthrough:
    """An example's grid, the kernels as slid, and its steps in playing order."""

    example: Example
    rows: Axis
    cols: Axis
    grid: np.ndarray  # (grid rows, grid columns, C) float32: padded (and spread) input
    kinds: np.ndarray  # (grid rows, grid columns) uint8: INPUT, PADDING or INSERTED
    kernels: np.ndarray | None  # (K, kh, kw, C) as slid: turned 180° for flip / transposed
    steps: tuple[Step, ...]

    @property
    def output_shape(self) -> tuple[int, int, int]:
        maps = self.kernels.shape[0] if self.kernels is not None else self.grid.shape[2]
        return self.rows.out, self.cols.out, int(maps)

    @property
    def channels(self) -> int:
        """The input's channels (a convolution sums over them, pooling keeps them apart)."""
        return int(self.grid.shape[2])

    @property
    def turned(self) -> bool:
        """Whether the kernel is slid turned by 180° (true or transposed convolution)."""
        return self.example.flip or self.example.operation == "transpose"

    def output(self, upto: int | None = None) -> np.ndarray:
        """The output maps (H', W', K) as filled by steps 0 … ``upto`` (NaN where empty)."""
        out = np.full(self.output_shape, np.nan)
        for step in self.steps if upto is None else self.steps[: upto + 1]:
            out[step.out[0], step.out[1], step.map] = step.value
        return out

    def input_index(self, row: int, col: int) -> tuple[int, int] | None:
        """The input pixel at grid cell (row, col), None for padding or an inserted zero."""
        r, c = self.rows.source(row), self.cols.source(col)
        return None if r is None or c is None else (r, c)

    def edit(self, block: str, channel: int, row: int, col: int, value: float,
             k: int = 0) -> Edit:
        """The number ``value`` typed into a shown cell, as an :data:`Edit` of the example.

        ``block`` is ``"input"`` (``row``, ``col`` in the grid, padding included),
        ``"kernel"`` (filter ``k`` as shown, turned for true or transposed convolution) or
        ``"bias"`` (filter ``k``'s).
        Raises ValueError for padding, an inserted zero, or pooling's (absent) weights.
        """
        value = float(value)
        if not np.isfinite(value):
            raise ValueError("a cell holds a finite number")
        if block == "input":
            where = self.input_index(row, col)
            if where is None:
                what = ("an inserted zero" if INSERTED in (self.rows.kind(row),
                                                           self.cols.kind(col)) else "padding")
                raise ValueError(f"that cell is {what}: it follows from the input, so change "
                                 "the input's own pixels")
            return ("input", 0, where[0], where[1], channel, value)
        if block == "bias" and self.kernels is not None:
            return ("bias", k, 0, 0, 0, value)
        if block != "kernel" or self.kernels is None:
            raise ValueError("only the input's and the kernel's numbers and the bias can be "
                             "typed into")
        kh, kw = self.kernels.shape[1:3]
        if self.turned:  # the view shows the turned kernel: edit the weight it came from
            row, col = kh - 1 - row, kw - 1 - col
        return ("weight", k, row, col, channel, value)


    def paste(self, block: str, channel: int, row: int, col: int, matrix: np.ndarray,
              k: int = 0) -> tuple[Edit, ...]:
        """A matrix put into a shown grid, as one :data:`Edit` a number.

        ``block`` is ``"input"`` (slice ``channel``), ``"kernel"`` (filter ``k``'s slice
        ``channel``, as shown) or ``"bias"`` (filter ``k``'s). A matrix the slice's own size
        fills it (the input's without its padding); a smaller one goes in from the cell at
        ``row``, ``col`` on. Raises ValueError saying why a matrix does not fit.
        """
        m = np.atleast_2d(np.asarray(matrix, np.float64))
        if m.ndim != 2 or not np.isfinite(m).all():
            raise ValueError("a matrix of finite numbers goes into a grid")
        size = shape_text(m.shape)
        if block == "bias":
            if self.kernels is None:
                raise ValueError("pooling has no bias to type into")
            if m.shape != (1, 1):
                raise ValueError(f"the bias b{k} is one number, not a {size} matrix")
            return (("bias", k, 0, 0, 0, float(m[0, 0])),)
        if block == "input":
            h, w = self.example.input.shape[:2]
            name = f"the input x[:,:,{channel}]"
            if m.shape == (h, w):
                return tuple(("input", 0, r, c, channel, float(m[r, c]))
                             for r in range(h) for c in range(w))
            start = self.input_index(row, col)
            if start is None:
                raise ValueError(f"a {size} matrix does not fit {name}, which is "
                                 f"{shape_text((h, w))} without its padding: paste a "
                                 f"{shape_text((h, w))} matrix, or a smaller one from an "
                                 "input cell on")
            r0, c0 = start
            if r0 + m.shape[0] > h or c0 + m.shape[1] > w:
                raise ValueError(f"a {size} matrix from row {r0}, column {c0} runs past "
                                 f"{name} ({shape_text((h, w))}): paste a "
                                 f"{shape_text((h, w))} matrix, or a smaller block")
            return tuple(("input", 0, r0 + i, c0 + j, channel, float(m[i, j]))
                         for i in range(m.shape[0]) for j in range(m.shape[1]))
        if block != "kernel" or self.kernels is None:
            raise ValueError("only the input's and the kernel's numbers and the bias can be "
                             "typed into")
        kh, kw = self.kernels.shape[1:3]
        name = f"the kernel slice w{k}[:,:,{channel}]"
        r0, c0 = (0, 0) if m.shape == (kh, kw) else (row, col)
        if r0 + m.shape[0] > kh or c0 + m.shape[1] > kw:
            raise ValueError(f"a {size} matrix does not fit {name} ({shape_text((kh, kw))})"
                             + (f" from row {r0}, column {c0}" if (r0, c0) != (0, 0) else "")
                             + f": paste a {shape_text((kh, kw))} matrix")
        return tuple(self.edit("kernel", channel, r0 + i, c0 + j, float(m[i, j]), k)
                     for i in range(m.shape[0]) for j in range(m.shape[1]))


def shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def _kind(row_kind: int, col_kind: int) -> int:
    if PADDING in (row_kind, col_kind):
        return PADDING
    return INSERTED if INSERTED in (row_kind, col_kind) else INPUT


def _grid(example: Example, rows: Axis, cols: Axis) -> tuple[np.ndarray, np.ndarray]:
    # a transposed convolution's input pixels sit `spread` apart, zeros between them; a
    # convolution's spread is 1, the input itself (float32, as every Example holds it)
    x = np.zeros(((rows.n - 1) * rows.spread + 1, (cols.n - 1) * cols.spread + 1,
                  example.input.shape[2]), np.float32)
    x[:: rows.spread, :: cols.spread] = example.input
    widths = ((rows.before, rows.after), (cols.before, cols.after), (0, 0))
    mode = _NUMPY_PAD[example.pad_mode] if example.operation != "transpose" else "constant"
    grid = np.pad(x, widths, mode=mode)
    kinds = np.array([[_kind(rows.kind(r), cols.kind(c)) for c in range(cols.length)]
                      for r in range(rows.length)], np.uint8)
    return grid, kinds


def walk(example: Example) -> Walkthrough:
    """Every step of ``example``: map by map, output rows top to bottom, left to right.

    Raises ValueError when the window does not fit (a sentence from the shapes module).
    """
    rows, cols = _axis(example, 0), _axis(example, 1)
    grid, kinds = _grid(example, rows, cols)
    kernels = None
    if example.weights is not None:
        kernels = example.weights[:, ::-1, ::-1, :] if (
            example.flip or example.operation == "transpose") else example.weights
        kernels = np.ascontiguousarray(kernels)
    act = activation_fn(example.activation)
    # every window at once: (out rows, out cols, kh, kw, C), one map's numbers in a few calls
    win_rows = [rows.window(o) for o in range(rows.out)]
    win_cols = [cols.window(o) for o in range(cols.out)]
    taps = grid[np.array(win_rows)[:, None, :, None], np.array(win_cols)[None, :, None, :]]
    maps = kernels.shape[0] if kernels is not None else grid.shape[2]
    steps: list[Step] = []
    for m in range(maps):
        winners = None
        if kernels is not None:
            window = taps
            products = taps * kernels[m]
            totals = products.sum(axis=(2, 3, 4), dtype=np.float64)
            bias = float(example.bias[m])
            pre = totals + bias
            values = act(pre)  # in float32, as the engine's activation
        else:
            window = taps[..., m : m + 1]
            planes = window[..., 0].reshape(rows.out, cols.out, -1)
            products, bias = None, 0.0
            if example.operation == "max":
                winners = planes.argmax(axis=2)  # the first maximum in reading order
                totals = planes.max(axis=2)
            else:
                totals = planes.mean(axis=2, dtype=np.float64)
            pre = values = totals
        kw = window.shape[3]
        for orow in range(rows.out):
            for ocol in range(cols.out):
                winner = None if winners is None else divmod(int(winners[orow, ocol]), kw)
                steps.append(Step(
                    len(steps), m, (orow, ocol), win_rows[orow], win_cols[ocol],
                    window[orow, ocol], None if kernels is None else kernels[m],
                    None if products is None else products[orow, ocol],
                    float(totals[orow, ocol]), bias, float(pre[orow, ocol]),
                    float(values[orow, ocol]), winner))
    return Walkthrough(example, rows, cols, grid, kinds, kernels, tuple(steps))
