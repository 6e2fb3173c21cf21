"""The worked examples the step-through view plays: the lectures' own, and conv_arithmetic's.

An :class:`Example` holds the numbers (input, filters, bias) and the settings of one
operation; :mod:`explorer.core.stepthrough.steps` turns it into the sequence of windows.
Every example is small enough to read cell by cell.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from explorer.core.activations import ACTIVATIONS
from explorer.core.pipeline import LayerSpec, prepare_input
from explorer.core.shapes import Padding, whole_number, whole_pair

OPERATIONS = ("conv", "transpose", "max", "avg")
PAD_MODES = ("zeros", "reflect", "replicate", "circular")
MAX_CROP = 12  # the side of the largest crop of a picture whose numbers stay readable

# The numbers of the worked example in "A guide to convolution arithmetic for deep learning"
# (Dumoulin & Visin, fig. 1.1): a 5×5 input and a 3×3 kernel giving [[12, 12, 17], …].
ARITHMETIC_INPUT = np.array([[3, 3, 2, 1, 0],
                             [0, 0, 1, 3, 1],
                             [3, 1, 2, 2, 3],
                             [2, 0, 0, 2, 2],
                             [2, 0, 0, 0, 1]], np.float32)
ARITHMETIC_KERNEL = np.array([[0, 1, 2],
                              [2, 2, 0],
                              [0, 1, 2]], np.float32)
LECTURE_EDGE_KERNEL = np.array([[1, 0, -1]] * 3, np.float32)


@dataclass(frozen=True, eq=False)
class Example:
    """One operation on small numbers, ready to be stepped through.

    ``operation``: ``"conv"`` (cross-correlation, or true convolution with ``flip``),
    ``"transpose"`` (transposed convolution), ``"max"`` or ``"avg"`` pooling.
    ``weights`` is ``(K, kh, kw, C)`` for the convolutions and None for pooling, whose window
    is ``pool_size``. ``padding`` is per axis (rows, columns): a count on both sides, a
    ``(before, after)`` pair or a name (``"valid"``, ``"same"``, ``"full"``), as
    :func:`explorer.core.shapes.pad_amounts` takes it; a transposed convolution takes a count.
    """

    name: str
    title: str
    caption: str
    operation: str
    input: np.ndarray  # (H, W, C) float32
    weights: np.ndarray | None = None  # (K, kh, kw, C) float32
    bias: np.ndarray | None = None  # (K,) float32
    pool_size: tuple[int, int] = (2, 2)
    stride: tuple[int, int] = (1, 1)
    padding: tuple[Padding, Padding] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    pad_mode: str = "zeros"
    flip: bool = False
    activation: str = "identity"
    output_padding: int = 0
    seed: int | None = None  # set when the example can draw new numbers

    def __post_init__(self) -> None:
        if self.operation not in OPERATIONS:
            raise ValueError(f"unknown operation {self.operation!r}: use one of "
                             + ", ".join(map(repr, OPERATIONS)))
        x = np.array(self.input, np.float32)
        if x.ndim == 2:
            x = x[:, :, None]
        if x.ndim != 3 or x.size == 0 or not np.isfinite(x).all():
            raise ValueError("an example's input is a non-empty (rows, columns, channels) "
                             "array of finite numbers")
        object.__setattr__(self, "input", x)
        if self.pad_mode not in PAD_MODES:
            raise ValueError(f"unknown padding mode {self.pad_mode!r}: use one of "
                             + ", ".join(map(repr, PAD_MODES)))
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}")
        object.__setattr__(self, "stride", whole_pair(self.stride, "the stride", 1))
        object.__setattr__(self, "dilation", whole_pair(self.dilation, "the dilation", 1))
        object.__setattr__(self, "pool_size", whole_pair(self.pool_size, "the pooling window", 1))
        if self.operation in ("max", "avg"):
            object.__setattr__(self, "weights", None)
            object.__setattr__(self, "bias", None)
            return
        if self.weights is None:
            raise ValueError("a convolution needs its filters")
        w = np.array(self.weights, np.float32)
        if w.ndim != 4 or w.shape[3] != x.shape[2] or w.size == 0 or not np.isfinite(w).all():
            raise ValueError(f"the filters must be finite numbers shaped (K, kh, kw, "
                             f"{x.shape[2]}), not {w.shape}")
        b = (np.zeros(w.shape[0], np.float32) if self.bias is None
             else np.array(self.bias, np.float32).reshape(-1))
        if b.shape != (w.shape[0],):
            raise ValueError(f"there are {w.shape[0]} filters but {b.size} biases")
        if not np.isfinite(b).all():
            raise ValueError("the biases must be finite numbers")
        object.__setattr__(self, "weights", w)
        object.__setattr__(self, "bias", b)

    @property
    def kernel_shape(self) -> tuple[int, int]:
        """(rows, columns) of the window: the kernel's taps, or the pooling window."""
        if self.weights is None:
            return self.pool_size
        return int(self.weights.shape[1]), int(self.weights.shape[2])

    @property
    def is_pooling(self) -> bool:
        return self.operation in ("max", "avg")


def _finite(value: float) -> float:
    v = float(value)
    if not np.isfinite(v):
        raise ValueError("a cell holds a finite number")
    return v


# --- the built-in examples ------------------------------------------------------------------

def _ints(shape: tuple[int, ...], low: int, high: int, seed: int) -> np.ndarray:
    """Small whole numbers from ``low`` to ``high`` inclusive, the same for the same seed
    (an :class:`Example` keeps every number as float32)."""
    return np.random.default_rng(seed).integers(low, high + 1, shape)


def lecture_edge() -> Example:
    image = [[10, 10, 10, 0, 0, 0]] * 6
    return Example(
        "lecture-edge", "Vertical edge (lecture)",
        "A 6×6 image, bright left half, dark right half, times the vertical-edge kernel "
        "[1 0 −1]: the 4×4 output lights up (30) along the edge.",
        "conv", image, LECTURE_EDGE_KERNEL[None, :, :, None])


# What the lecture's text keeps of its volume slide (the CS231n demo, "Input Volume (+pad 1)
# (7x7x3)", two filters W0 and W1, biases b0 and b1): NaN marks a number the text lost. Its
# text keeps the padded x[:,:,2] as a top row of zeros, one garbled row, four readable rows
# (input rows 1–4) and a bottom row of zeros; of x[:,:,0] and x[:,:,1] it keeps rows whose
# count and zeros do not add up to a padded 7×7, so they cannot be placed and are not used.
SLIDE_INPUT = np.full((5, 5, 3), np.nan, np.float32)
SLIDE_INPUT[1:, :, 2] = [[2, 1, 2, 1, 1],
                         [1, 0, 2, 2, 1],
                         [0, 2, 0, 2, 2],
                         [0, 0, 2, 1, 0]]
SLIDE_FILTERS = np.full((2, 3, 3, 3), np.nan, np.float32)
SLIDE_FILTERS[0, 0, 0, 0] = -1  # W0's text keeps "w0[:,:,0] -1" and no more
SLIDE_FILTERS[1, :, :, 0] = [[1, 0, -1], [1, 1, -1], [1, 0, 1]]
SLIDE_FILTERS[1, :2, :, 1] = [[1, -1, -1], [0, 1, 0]]  # its last row is lost
SLIDE_FILTERS[1, :, :, 2] = [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
SLIDE_BIAS = np.array([1, 0], np.float32)


def _slide_or_drawn(slide: np.ndarray, low: int, high: int, seed: int) -> np.ndarray:
    """The slide's numbers, and small whole numbers from ``seed`` where it lost them."""
    drawn = _ints(slide.shape, low, high, seed)
    return np.where(np.isnan(slide), drawn, slide)


def lecture_volume(seed: int = 0) -> Example:
    """The lecture's convolution over a volume: every number its slide keeps (filter W1 but
    the last row of w1[:,:,1], w0[0, 0, 0], rows 1–4 of x[:,:,2], the biases), the others
    small whole numbers drawn from ``seed``."""
    return Example(
        "lecture-volume", "Convolution over a volume (lecture)",
        "A 5×5×3 input padded by 1 to 7×7×3, two 3×3×3 filters W0 and W1 with biases 1 and 0, "
        "stride 2: a 3×3×2 output. Each value sums 27 products, plus the bias. From the "
        "slide: W1 (but the last row of w1[:,:,1]), w0[0,0,0] = −1, rows 1–4 of x[:,:,2] and "
        f"the biases; the other numbers are drawn (draw {seed}).",
        "conv", _slide_or_drawn(SLIDE_INPUT, 0, 2, seed),
        _slide_or_drawn(SLIDE_FILTERS, -1, 1, seed + 1), bias=SLIDE_BIAS.copy(),
        stride=(2, 2), padding=(1, 1), seed=seed)


def _arith(name: str, title: str, caption: str, size: int, kernel: np.ndarray,
           **settings: object) -> Example:
    # the guide's 5×5 numbers, grown with more small numbers where an example needs more
    x = _ints((size, size), 0, 3, seed=size)
    n = min(size, 5)
    x[:n, :n] = ARITHMETIC_INPUT[:n, :n]
    return Example(name, title, caption, "conv", x, kernel[None, :, :, None], **settings)


def _pool(name: str, title: str, caption: str, mode: str, size: int, window: int,
          stride: int) -> Example:
    x = _ints((size, size), 0, 9, seed=40 + size)
    return Example(name, title, caption, mode, x, pool_size=(window, window),
                   stride=(stride, stride))


_SMALL_2X2 = ARITHMETIC_INPUT[1:3, 2:4]  # [[1, 3], [2, 2]]: no dull row of zeros
_CROSS_4 = np.array([[1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 1, 0], [1, 0, 0, 1]], np.float32)


def _builders() -> dict[str, object]:
    k3 = ARITHMETIC_KERNEL
    return {
        "lecture-edge": lecture_edge,
        "lecture-volume": lecture_volume,
        "no-padding": lambda: _arith(
            "no-padding", "No padding", "i = 4, k = 3, no padding, stride 1: the window fits "
            "2 times along each axis, o = 4 − 3 + 1 = 2.", 4, k3),
        "arbitrary-padding": lambda: _arith(
            "arbitrary-padding", "Arbitrary padding", "i = 5, k = 4, padding 2: o = 5 + 2·2 − 4 "
            "+ 1 = 6, larger than the input.", 5, _CROSS_4, padding=(2, 2)),
        "half-padding": lambda: _arith(
            "half-padding", "Half (same) padding", "i = 5, k = 3, padding ⌊k/2⌋ = 1 ('same'): "
            "the output keeps the input's size, 5.", 5, k3, padding=("same", "same")),
        "full-padding": lambda: _arith(
            "full-padding", "Full padding", "i = 5, k = 3, padding k − 1 = 2 ('full'): every "
            "overlap of kernel and input counts, o = 5 + 3 − 1 = 7.", 5, k3,
            padding=("full", "full")),
        "strides": lambda: _arith(
            "strides", "Strides", "i = 5, k = 3, stride 2: the window jumps 2 pixels, "
            "o = ⌊(5 − 3)/2⌋ + 1 = 2.", 5, k3, stride=(2, 2)),
        "odd-strides": lambda: _arith(
            "odd-strides", "Padding and strides, the odd case", "i = 6, k = 3, padding 1, "
            "stride 2: o = ⌊(6 + 2 − 3)/2⌋ + 1 = 3; the last row and column are never reached.",
            6, k3, stride=(2, 2), padding=(1, 1)),
        "dilation": lambda: _arith(
            "dilation", "Dilation", "i = 7, k = 3, dilation 2: the taps sit 2 apart, the kernel "
            "spans 5 pixels, o = 7 − 5 + 1 = 3.", 7, k3, dilation=(2, 2)),
        "transposed": lambda: Example(
            "transposed", "Transposed convolution",
            "i = 2, k = 3: the 2×2 input padded by k − 1 = 2 and convolved with the turned "
            "kernel gives 4×4, o = (2 − 1)·1 + 3 = 4.",
            "transpose", _SMALL_2X2, ARITHMETIC_KERNEL[None, :, :, None]),
        "transposed-strides": lambda: Example(
            "transposed-strides", "Transposed convolution, stride 2",
            "i = 2, k = 3, stride 2: one zero goes between input pixels, then padding 2; "
            "o = (2 − 1)·2 + 3 = 5.",
            "transpose", _SMALL_2X2, ARITHMETIC_KERNEL[None, :, :, None],
            stride=(2, 2)),
        "max-pool": lambda: _pool(
            "max-pool", "Max pooling 2×2", "A 2×2 window, stride 2: each output keeps the "
            "strongest of 4 values (circled); the other 3 are lost.", "max", 4, 2, 2),
        "avg-pool": lambda: _pool(
            "avg-pool", "Average pooling 2×2", "A 2×2 window, stride 2: each output is the mean "
            "of 4 values.", "avg", 4, 2, 2),
        "max-pool-overlap": lambda: _pool(
            "max-pool-overlap", "Overlapping max pooling 3×3", "A 3×3 window, stride 2: windows "
            "share a row or column, so one value can win twice.", "max", 5, 3, 2),
        "avg-pool-overlap": lambda: _pool(
            "avg-pool-overlap", "Overlapping average pooling 3×3", "A 3×3 window, stride 2: "
            "each output is the mean of 9 values; shared cells count in two windows.",
            "avg", 5, 3, 2),
    }


EXAMPLE_NAMES: tuple[str, ...] = tuple(_builders())


def example(name: str, seed: int = 0) -> Example:
    """The built-in example called ``name`` (one of :data:`EXAMPLE_NAMES`); an example that
    draws its numbers (``Example.seed`` set) draws them with ``seed``."""
    builders = _builders()
    if name not in builders:
        raise ValueError(f"unknown example {name!r}: use one of {', '.join(EXAMPLE_NAMES)}")
    ex = builders[name]()
    if ex.seed is not None and seed != ex.seed:
        ex = builders[name](seed)
    return ex


# --- an example from the explorer's layer ---------------------------------------------------

def _spec_padding(padding: int | str | tuple[int, int]) -> tuple[Padding, Padding]:
    # LayerSpec (as convolve) reads a pair as (rows, columns), each padded on both sides
    if isinstance(padding, tuple | list):
        return int(padding[0]), int(padding[1])
    return padding, padding


def from_layer(image: np.ndarray, spec: LayerSpec, origin: tuple[int, int] = (0, 0),
               size: int = MAX_CROP, name: str = "the picture") -> Example:
    """The explorer's layer (convolution, bias, activation) on a crop of ``image``.

    The crop is at most ``size`` × ``size`` (``size`` ≤ 12) pixels from ``origin`` (row,
    column), fed as the layer feeds a picture (gray spread over the channels, colour to luma
    for one-channel kernels). Pooling is left out: the pooling examples show it.
    """
    size = whole_number(size, "the crop size", 1)
    if size > MAX_CROP:
        raise ValueError(f"a crop of at most {MAX_CROP}×{MAX_CROP} pixels keeps its numbers "
                         f"readable, not {size}")
    img = np.asarray(image)
    if img.ndim not in (2, 3) or img.size == 0:
        raise ValueError("there is no picture to crop")
    r0, c0 = (whole_number(v, "the crop origin", 0) for v in origin)
    h, w = img.shape[:2]
    if r0 >= h or c0 >= w:
        raise ValueError(f"the crop at row {r0}, column {c0} lies outside the {h}×{w} picture")
    crop = img[r0 : r0 + size, c0 : c0 + size]
    x = prepare_input(crop, spec.channels)
    kh, kw = spec.kernel_shape
    filters = "filter" if spec.n_filters == 1 else "filters"
    return Example(
        "explorer", "From the explorer",
        f"Your layer ({spec.n_filters} {filters} {kh}×{kw}×{spec.channels}, {spec.activation}) "
        f"on the {x.shape[0]}×{x.shape[1]} crop at row {r0}, column {c0} of {name}.",
        "conv", x, spec.weights, spec.bias, stride=spec.stride,
        padding=_spec_padding(spec.padding), dilation=spec.dilation, pad_mode=spec.pad_mode,
        flip=spec.flip, activation=spec.activation)


LECTURE_LESSONS = ("lecture-edge", "lecture-volume")  # File > Open lecture example


def explorer_lesson(ex: Example) -> tuple[np.ndarray, LayerSpec]:
    """A convolution example as the explorer runs it: its input as a picture (gray for one
    channel, RGB for three) and its filters, bias, stride and padding as the first layer,
    with no activation and no pooling, so the explorer's maps are the example's output.

    Raises ValueError for an example the explorer cannot hold: pooling, a transposed
    convolution, or input numbers that are no whole numbers from 0 to 255 (a picture's).
    """
    if ex.operation != "conv":
        raise ValueError(f"{ex.title} is not a convolution the explorer runs")
    x = ex.input
    if x.shape[2] not in (1, 3) or not np.array_equal(x, np.round(x)) \
            or x.min() < 0 or x.max() > 255:
        raise ValueError(f"{ex.title}: the explorer's pictures hold 1 or 3 channels of whole "
                         "numbers from 0 to 255")
    picture = x.astype(np.uint8)
    picture = picture[:, :, 0] if x.shape[2] == 1 else np.ascontiguousarray(picture)
    rows, cols = ex.padding
    padding: int | str | tuple[int, int]
    if isinstance(rows, int) and isinstance(cols, int):
        padding = "valid" if rows == cols == 0 else (rows if rows == cols else (rows, cols))
    elif rows == cols and isinstance(rows, str):
        padding = rows
    else:
        raise ValueError(f"{ex.title}: the explorer pads both axes alike")
    spec = LayerSpec(weights=ex.weights, bias=ex.bias, stride=ex.stride, padding=padding,
                     pad_mode=ex.pad_mode, dilation=ex.dilation, flip=ex.flip,
                     activation=ex.activation, pool_mode="none")
    return picture, spec


# --- numbers typed into an example ----------------------------------------------------------

# One typed number: ("input", 0, row, col, channel, value) sets an input pixel,
# ("weight", k, row, col, channel, value) a weight of filter k, ("bias", k, 0, 0, 0, value)
# filter k's bias. Indices are the example's own (not the padded grid's).
Edit = tuple[str, int, int, int, int, float]
EDIT_BLOCKS = ("input", "weight", "bias")


def apply_edits(ex: Example, edits: tuple[Edit, ...] | list[Edit]) -> Example:
    """``ex`` with the typed numbers in ``edits`` put in, in order. Raises ValueError for an
    edit that does not fit the example (a cell outside its grids, pooling's weights)."""
    x = ex.input.copy()
    w = None if ex.weights is None else ex.weights.copy()
    b = None if ex.bias is None else ex.bias.copy()
    for block, k, row, col, channel, value in edits:
        v = _finite(value)
        if block == "input":
            _index_in(x.shape, (row, col, channel), "the input")
            x[row, col, channel] = v
        elif block == "weight" and w is not None:
            _index_in(w.shape, (k, row, col, channel), "the filters")
            w[k, row, col, channel] = v
        elif block == "bias" and b is not None:
            _index_in(b.shape, (k,), "the biases")
            b[k] = v
        else:
            raise ValueError(f"{ex.title} has no {block} to type into")
    return dataclasses.replace(ex, input=x, weights=w, bias=b)


def fitting_edits(ex: Example, edits: tuple[Edit, ...] | list[Edit]) -> tuple[Edit, ...]:
    """The edits that fit ``ex`` (a smaller crop leaves some outside; they fit again when it
    grows back)."""
    kept = []
    for edit in edits:
        try:
            apply_edits(ex, [edit])
        except ValueError:
            continue
        kept.append(edit)
    return tuple(kept)


def _index_in(shape: tuple[int, ...], index: tuple[int, ...], what: str) -> None:
    if len(shape) != len(index) or not all(0 <= i < n for i, n in zip(index, shape,
                                                                        strict=True)):
        raise ValueError(f"cell {list(index)} lies outside {what} "
                         f"({'×'.join(map(str, shape))})")
