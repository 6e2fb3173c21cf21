"""Parameter counts: fully connected vs locally connected vs convolution, for the same input.

The lectures' central argument in numbers: a fully connected layer on a 1000×1000 image with
10⁶ hidden units needs 10¹² weights, a locally connected layer with 10×10 windows 10⁸, and one
shared 10×10 filter 10². Every count here is an exact Python integer (no float rounding, no
overflow), and every formula is written with the current numbers so a student can redo it.

Conventions:

- A locally connected layer has its own weights *and its own bias* for every output unit, as
  Keras' ``LocallyConnected2D``; a convolution has one bias per filter; a dense layer one per unit.
- Multiply-accumulates (MACs) count one multiply and one add per weight per output, for one
  image; padded zeros are multiplied too, as a framework does. Biases are adds, not MACs.
- Memory is float32 (4 bytes a parameter), in decimal units: 1 KB = 1000 bytes, 1 MB = 10⁶.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

from explorer.core import shapes

__all__ = [
    "PRESETS",
    "LayerCounts",
    "Setup",
    "compare",
    "conv_macs",
    "conv_params",
    "dense_macs",
    "dense_params",
    "feature_map_size",
    "float32_bytes",
    "format_bytes",
    "format_count",
    "format_exact",
    "format_headline",
    "format_magnitude",
    "format_power",
    "format_ratio",
    "format_total",
    "locally_connected_macs",
    "locally_connected_params",
]

IntPair = int | tuple[int, int]
Padding = int | str | tuple[int, int]

PADDING_NAMES = ("valid", "same", "full")

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


# --- argument checks ------------------------------------------------------------------------
def _whole(value: object, what: str, minimum: int = 1) -> int:
    """``value`` as an int of at least ``minimum``; a ValueError a student can read otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"the {what} must be a whole number, not {value}")
    try:
        n = operator.index(value)  # ints and NumPy integers, never 2.5
    except TypeError:
        raise ValueError(f"the {what} must be a whole number, not {value!r}") from None
    if n < minimum:
        raise ValueError(f"the {what} must be at least {minimum}, not {n}")
    return n


def _pair(value: IntPair, what: str) -> tuple[int, int]:
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ValueError(f"the {what} must be one number or a (height, width) pair")
        return _whole(value[0], what), _whole(value[1], what)
    n = _whole(value, what)
    return n, n


def _input_dims(input_shape: tuple[int, ...]) -> tuple[int, int, int]:
    """(H, W, C) from an (H, W) or (H, W, C) input shape."""
    shape = tuple(input_shape)
    if len(shape) not in (2, 3):
        raise ValueError(
            f"the input shape must be (height, width) or (height, width, channels), not {shape}"
        )
    h = _whole(shape[0], "image height")
    w = _whole(shape[1], "image width")
    c = _whole(shape[2], "number of channels") if len(shape) == 3 else 1
    return h, w, c


def _axis_paddings(padding: Padding) -> tuple[int | str, int | str]:
    """The padding of the height axis and of the width axis."""
    if isinstance(padding, str):
        name = padding.lower()
        if name not in PADDING_NAMES:
            raise ValueError(
                f"padding must be a number of pixels or one of {', '.join(PADDING_NAMES)}, "
                f"not {padding!r}"
            )
        return name, name
    if isinstance(padding, tuple | list):
        if len(padding) != 2:
            raise ValueError("padding must be one number or a (height, width) pair")
        return (_whole(padding[0], "padding", minimum=0),
                _whole(padding[1], "padding", minimum=0))
    p = _whole(padding, "padding", minimum=0)
    return p, p


def feature_map_size(
    input_shape: tuple[int, ...],
    kernel_size: IntPair,
    stride: IntPair = 1,
    padding: Padding = 0,
    dilation: IntPair = 1,
) -> tuple[int, int]:
    """(H', W') of the feature map a window of ``kernel_size`` slides out over the input.

    Raises ValueError when the (dilated) window does not fit the padded input.
    """
    h, w, _ = _input_dims(input_shape)
    kh, kw = _pair(kernel_size, "kernel size")
    sh, sw = _pair(stride, "stride")
    dh, dw = _pair(dilation, "dilation")
    ph, pw = _axis_paddings(padding)
    # "same" and "full" always fit; a fixed padding may leave the window hanging over the edge
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    ph, pw = (0 if p == "valid" else p for p in (ph, pw))
    if isinstance(ph, int) and isinstance(pw, int) and (span_h > h + 2 * ph or
                                                         span_w > w + 2 * pw):
        window = f"the {kh}×{kw} kernel"
        if (dh, dw) != (1, 1):
            window += f", dilated to {span_h}×{span_w},"
        raise ValueError(f"{window} is larger than the padded {h + 2 * ph}×{w + 2 * pw} image")
    # a window that fits leaves at least one output
    out_h = shapes.output_size(h, kh, stride=sh, padding=ph, dilation=dh)
    out_w = shapes.output_size(w, kw, stride=sw, padding=pw, dilation=dw)
    return int(out_h), int(out_w)


# --- counts -----------------------------------------------------------------------------------
def dense_params(input_shape: tuple[int, ...], units: int, bias: bool = True) -> int:
    """A fully connected layer: every unit has a weight for every input value (and a bias)."""
    h, w, c = _input_dims(input_shape)
    units = _whole(units, "number of hidden units")
    return h * w * c * units + (units if bias else 0)


def dense_macs(input_shape: tuple[int, ...], units: int) -> int:
    """Multiply-accumulates of a fully connected layer for one image."""
    h, w, c = _input_dims(input_shape)
    return h * w * c * _whole(units, "number of hidden units")


def locally_connected_params(
    input_shape: tuple[int, ...],
    kernel_size: IntPair,
    filters: int,
    stride: IntPair = 1,
    padding: Padding = 0,
    bias: bool = True,
    dilation: IntPair = 1,
) -> int:
    """Each output unit has its own window of weights and its own bias (no sharing)."""
    units, fan_in = _windows(input_shape, kernel_size, filters, stride, padding, dilation)
    return units * fan_in + (units if bias else 0)


def locally_connected_macs(
    input_shape: tuple[int, ...],
    kernel_size: IntPair,
    filters: int,
    stride: IntPair = 1,
    padding: Padding = 0,
    dilation: IntPair = 1,
) -> int:
    """Multiply-accumulates of a locally connected layer: the same work as a convolution."""
    return conv_macs(input_shape, kernel_size, filters, stride, padding, dilation)


def conv_params(kernel_size: IntPair, in_channels: int, filters: int, bias: bool = True) -> int:
    """One kh×kw×C weight volume per filter, shared by every position, and one bias each."""
    kh, kw = _pair(kernel_size, "kernel size")
    c = _whole(in_channels, "number of channels")
    k = _whole(filters, "number of filters")
    return (kh * kw * c + (1 if bias else 0)) * k


def conv_macs(
    input_shape: tuple[int, ...],
    kernel_size: IntPair,
    filters: int,
    stride: IntPair = 1,
    padding: Padding = 0,
    dilation: IntPair = 1,
) -> int:
    """Multiply-accumulates of a convolution: one window ⊙ kernel per output value."""
    units, fan_in = _windows(input_shape, kernel_size, filters, stride, padding, dilation)
    return units * fan_in


def float32_bytes(n_params: int) -> int:
    """Bytes that ``n_params`` float32 numbers take."""
    return 4 * _whole(n_params, "number of parameters", minimum=0)


def _windows(input_shape, kernel_size, filters, stride, padding, dilation) -> tuple[int, int]:
    """(output values H'·W'·K, weights in one window kh·kw·C), each argument checked once."""
    k = _whole(filters, "number of filters")
    _, _, c = _input_dims(input_shape)
    kh, kw = _pair(kernel_size, "kernel size")
    out_h, out_w = feature_map_size(input_shape, kernel_size, stride, padding, dilation)
    return out_h * out_w * k, kh * kw * c


# --- the comparison -------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerCounts:
    """One layer's cost: parameters (= weights + biases), work per image, float32 memory."""

    params: int
    weights: int
    biases: int
    macs: int
    bytes: int
    formula: str  # the parameter count written out with the current numbers
    outputs: int = 0  # values the layer produces per image


def compare(
    input_shape: tuple[int, ...],
    kernel_size: IntPair,
    filters: int,
    units: int | None = None,
    stride: IntPair = 1,
    padding: Padding = 0,
    bias: bool = True,
    dilation: IntPair = 1,
    more_filters: int = 0,
) -> dict[str, LayerCounts]:
    """Counts of a "dense", a "local" and a "conv" layer on the same input.

    ``units`` are the dense layer's hidden units; by default as many as the convolution's
    outputs H'·W'·K, so that all three layers produce the same number of values. With
    ``more_filters``, a fourth entry "more": the same convolution with that many filters (the
    lecture's next step, "learn multiple filters": 100 shared 10×10 filters, 10⁴).
    """
    h, w, c = _input_dims(input_shape)
    kh, kw = _pair(kernel_size, "kernel size")
    k = _whole(filters, "number of filters")
    out_h, out_w = feature_map_size(input_shape, kernel_size, stride, padding, dilation)
    outputs = out_h * out_w * k
    n_units = outputs if units is None else _whole(units, "number of hidden units")
    fan_in = kh * kw * c

    image = _dims(h, w, c)
    window = _dims(kh, kw, c)
    maps = _dims(out_h, out_w, k)

    def counts(weights: int, biases: int, macs: int, formula: str, outs: int) -> LayerCounts:
        params = weights + biases
        return LayerCounts(params, weights, biases, macs, float32_bytes(params),
                           f"{formula} = {format_total(params)}", outs)

    units_text = maps if units is None else format_exact(n_units)
    dense_factor = f"({image} + 1)" if bias else image
    local_factor = f"({window} + 1)" if bias else window
    result = {
        "dense": counts(h * w * c * n_units, n_units if bias else 0, h * w * c * n_units,
                        f"{dense_factor} × {units_text}", n_units),
        "local": counts(outputs * fan_in, outputs if bias else 0, outputs * fan_in,
                        f"{maps} × {local_factor}", outputs),
        "conv": counts(fan_in * k, k if bias else 0, outputs * fan_in,
                       f"{local_factor} × {format_exact(k)}", outputs),
    }
    more = _whole(more_filters, "number of filters", minimum=0)
    if more:
        more_outputs = out_h * out_w * more
        result["more"] = counts(fan_in * more, more if bias else 0, more_outputs * fan_in,
                                f"{local_factor} × {format_exact(more)}", more_outputs)
    return result


def _dims(h: int, w: int, c: int) -> str:
    """``"256·256·3"``; a depth of 1 is left out, as the lectures write "1000·1000"."""
    return f"{h}·{w}" if c == 1 else f"{h}·{w}·{c}"


def _is_power_of_ten(n: int) -> bool:
    s = str(n)
    return s[0] == "1" and s[1:] == "0" * (len(s) - 1)


def format_total(n: int) -> str:
    """The result of a formula: exact, with its order of magnitude when that helps."""
    if n >= 10**6 and not _is_power_of_ten(n):
        return f"{format_count(n)} ≈ {format_power(n)}"
    return format_exact(n)


# --- formatting -------------------------------------------------------------------------------
def format_count(n: int) -> str:
    """``196608000`` → ``"196,608,000"``."""
    return f"{_whole(n, 'count', minimum=0):,}"


def format_exact(n: int) -> str:
    """An exact count as the slides write it: ``"10⁶"``, ``"1000"``, ``"196,608,000"``."""
    n = _whole(n, "count", minimum=0)
    if n >= 10**6 and _is_power_of_ten(n):
        return format_power(n)
    return str(n) if n < 10**4 else format_count(n)


def format_headline(n: int) -> str:
    """A count in large type beside the chart: a power of ten as the deck writes it
    (``"10²"``, ``"10⁴"``, ``"10¹²"``), any other count exact (``"34,944"``)."""
    n = _whole(n, "count", minimum=0)
    return format_power(n) if n >= 100 and _is_power_of_ten(n) else format_exact(n)


def format_power(n: int) -> str:
    """``10**12`` → ``"10¹²"``; any other count as ``"1.97 × 10⁸"`` (three significant digits)."""
    n = _whole(n, "count", minimum=0)
    if n == 0:
        return "0"
    if _is_power_of_ten(n):
        return "10" + str(len(str(n)) - 1).translate(_SUPERSCRIPT)
    return _scientific(n)


def format_magnitude(n: int) -> str:
    """A count as a bar of the log chart shows it, in powers of ten as the slides write them:
    ``100`` → ``"10²"``, ``280`` → ``"2.8 × 10²"``, ``196608000`` → ``"1.97 × 10⁸"`` (three
    significant digits at most, no trailing zeros)."""
    n = _whole(n, "count", minimum=0)
    if n == 0 or _is_power_of_ten(n):
        return format_power(n)
    return _scientific(n, trim=True)


def _scientific(x: float, trim: bool = False) -> str:
    """``196608000`` → ``"1.97 × 10⁸"``, exponents from exact digits for ints; ``trim`` drops
    the mantissa's trailing zeros (``"2.8 × 10²"``, ``"8 × 10¹"``)."""
    exponent = len(str(x)) - 1 if isinstance(x, int) else math.floor(math.log10(x))
    mantissa = round(x / 10**exponent, 2)
    if mantissa >= 10:  # 9.996 rounds up to the next power
        mantissa, exponent = mantissa / 10, exponent + 1
    text = f"{mantissa:.2f}"
    if trim:
        text = text.rstrip("0").rstrip(".")
    return f"{text} × 10" + str(exponent).translate(_SUPERSCRIPT)


_BYTE_UNITS = ("B", "KB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")


def format_bytes(n: int) -> str:
    """Decimal units, three significant digits: ``786432000`` → ``"786 MB"`` (1 MB = 10⁶ B)."""
    n = _whole(n, "number of bytes", minimum=0)
    if n < 1000:
        return f"{n} B"
    unit = min((len(str(n)) - 1) // 3, len(_BYTE_UNITS) - 1)
    value = n / 1000**unit
    text = _three_digits(value)
    if float(text) >= 1000 and unit < len(_BYTE_UNITS) - 1:  # 999.6 KB is 1 MB
        unit += 1
        text = _three_digits(n / 1000**unit)
    return f"{text} {_BYTE_UNITS[unit]}"


def _three_digits(value: float) -> str:
    """3 significant digits without trailing zeros: 4.0 → "4", 139.776 → "140", 1.12 → "1.12"."""
    decimals = 2 if value < 10 else 1 if value < 100 else 0
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_ratio(a: int, b: int) -> str:
    """How a count changes from ``a`` to ``b``: ``"÷ 10⁴"``, ``"÷ 3,025"``, ``"× 1.5"``."""
    a = _whole(a, "count")
    b = _whole(b, "count")
    sign, big, small = ("÷", a, b) if a >= b else ("×", b, a)
    if big % small == 0:
        q = big // small
        if q >= 10**4 and _is_power_of_ten(q):
            return f"{sign} {format_power(q)}"
        if q < 10**4:
            return f"{sign} {q:,}"
        return f"{sign} {_scientific(q)}"
    r = big / small
    if r < 10**4:
        text = _three_digits(r)  # 999.7 shows as 1,000, as 1000.2 does
        return f"{sign} {text if float(text) < 1000 else f'{round(r):,}'}"
    return f"{sign} {_scientific(r)}"


# --- the lectures' examples -------------------------------------------------------------------
@dataclass(frozen=True)
class Setup:
    """One comparison's input and layer, with a sentence on what it shows."""

    label: str
    input_shape: tuple[int, ...]
    kernel_size: IntPair
    filters: int
    units: int | None = None  # None: as many as the convolution's outputs
    stride: IntPair = 1
    padding: Padding = 0
    bias: bool = True
    dilation: IntPair = 1
    note: str = ""
    more_filters: int = 0  # a fourth bar: the same window with this many filters (0: none)
    # the whole-network comparison (explorer.core.mlp_vs_cnn): hidden layers of ``units``
    # units, the classes both networks end in, conv → pool stages and the pooling window
    hidden_layers: int = 2
    classes: int = 10
    stages: int = 3
    pool: int = 2
    scope: str | None = None  # "network": an example about whole networks opens that view

    def counts(self) -> dict[str, LayerCounts]:
        return compare(self.input_shape, self.kernel_size, self.filters, units=self.units,
                       stride=self.stride, padding=self.padding, bias=self.bias,
                       dilation=self.dilation, more_filters=self.more_filters)


PRESETS: dict[str, Setup] = {
    "mlp_256": Setup(
        "Lecture: 256×256×3 image → 1000 hidden units",
        (256, 256, 3), 3, 2, units=1000, padding="same",
        note="The slide says “more than 200 million parameters”: exactly 256·256·3·1000 = "
        "196,608,000 weights, plus 1000 biases. The convolution uses two 3×3×3 filters, "
        "as in the lecture's convolution-over-volumes example.",
    ),
    "lecture_1000": Setup(
        "Lecture: 1000×1000 image → 10⁶ units, 10×10 windows",
        (1000, 1000, 1), 10, 1, units=10**6, padding="same", bias=False, more_filters=100,
        note="The slides count weights only (biases off): fully connected 10⁶ × 10⁶ = 10¹², "
        "locally connected 10⁶ × 10 × 10 = 10⁸, one shared 10×10 filter 10², "
        "100 shared filters 10⁴.",
    ),
    "lecture_1000_100": Setup(
        "Lecture: 1000×1000 image, 100 shared 10×10 filters",
        (1000, 1000, 1), 10, 100, padding="same", bias=False,
        note="100 shared filters need 100 × 10·10 = 10,000 weights (the slide's number). "
        "The same 100 feature maps without sharing cost 10¹⁰, and a dense layer with as many "
        "outputs 10¹⁴.",
    ),
    "lecture_multi": Setup(
        "Lecture: multi-layers? 1000×1000 → 10⁶ → 10⁶ → 10 classes",
        (1000, 1000, 1), 10, 100, units=10**6, padding="same", bias=False, scope="network",
        note="“Multi-layers?” Each hidden layer of 10⁶ units costs 10¹² more weights and "
        "ignores the spatial structure; three stages of 100 shared 10×10 filters, pooled 2×2, "
        "cost 10⁴ + 10⁶ + 10⁶ (weights only, as the slides).",
    ),
    "alexnet_conv1": Setup(
        "AlexNet conv1: 96 filters 11×11×3, stride 4 on 227×227×3",
        (227, 227, 3), 11, 96, stride=4,
        note="AlexNet's first layer: 34,944 shared parameters; without sharing, every one of "
        "the 55·55·96 output units has its own 11×11×3 window and bias: 105,705,600.",
    ),
    "tinyvgg_conv1": Setup(
        "TinyVGG first layer: 64×64×3, 10 filters 3×3",
        (64, 64, 3), 3, 10,
        note="The first layer of TinyVGG (CNN Explainer): 10 filters 3×3×3, stride 1, no "
        "padding, giving 62×62×10 outputs.",
    ),
    "mnist_conv1": Setup(
        "MNIST 28×28, 8 filters 3×3",
        (28, 28, 1), 3, 8,
        note="A first layer for handwritten digits: 8 filters 3×3 on a 28×28 gray image, "
        "no padding, giving 26×26×8 outputs.",
    ),
}
