"""Parameter counts of whole networks: a multilayer perceptron against a convolutional one.

The lectures ask "Multi-layers?" right after the 10¹² weights of one fully connected layer,
and answer that "the MLP hidden layer ignores all the spatial structure": a 1000×1000 image
into 10⁶ hidden units, then 10⁶ → 10⁶ → … → 10 classes, pays 10¹² for every hidden layer,
where a stack of convolutions with shared weights, pooled between stages, pays for its
kernels alone and ends in a small dense layer on the last feature maps.

Counts follow :mod:`explorer.core.params`: exact integers, weights + biases, a convolution
one bias per filter, multiply-accumulates for one image. Pooling has no parameters; it is
listed so the shrinking feature maps can be read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from explorer.core import shapes
from explorer.core.params import (
    IntPair,
    LayerCounts,
    Padding,
    Setup,
    feature_map_size,
    float32_bytes,
    format_exact,
    format_total,
)

__all__ = ["ConvStage", "NetLayer", "Network", "conv_net", "mlp", "networks"]


@dataclass(frozen=True)
class ConvStage:
    """One stage of a convolutional network: a convolution, then pooling (``pool`` ≤ 1: none).

    The pooling window is ``pool``×``pool``, moved by ``pool_stride`` (by default its own
    width, so 2×2 pooling halves each side).
    """

    kernel_size: IntPair
    filters: int
    stride: IntPair = 1
    padding: Padding = "same"
    dilation: IntPair = 1
    pool: int = 2
    pool_stride: int | None = None


@dataclass(frozen=True)
class NetLayer:
    """One layer of a network: its name, its kind, its cost and the shape it gives."""

    name: str  # "hidden 1", "conv 2", "pool 2", "classes"
    kind: str  # "dense", "conv" or "pool"
    counts: LayerCounts
    output_shape: tuple[int, ...]  # (units,) after a dense layer, (H, W, K) after the others


@dataclass(frozen=True)
class Network:
    """A network's layers, in order, and its totals."""

    layers: tuple[NetLayer, ...]

    @property
    def params(self) -> int:
        return sum(layer.counts.params for layer in self.layers)

    @property
    def weights(self) -> int:
        return sum(layer.counts.weights for layer in self.layers)

    @property
    def biases(self) -> int:
        return sum(layer.counts.biases for layer in self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.counts.macs for layer in self.layers)

    @property
    def bytes(self) -> int:
        return float32_bytes(self.params)

    def with_params(self) -> tuple[NetLayer, ...]:
        """The layers that have parameters (pooling has none)."""
        return tuple(layer for layer in self.layers if layer.counts.params > 0)


def _whole(value: object, what: str, minimum: int = 1) -> int:
    return shapes.whole_number(value, f"the {what}", minimum)


def _shape3(input_shape: tuple[int, ...]) -> tuple[int, int, int]:
    if len(input_shape) not in (2, 3):
        raise ValueError("the input shape must be (height, width) or (height, width, channels),"
                         f" not {tuple(input_shape)}")
    h = _whole(input_shape[0], "image height")
    w = _whole(input_shape[1], "image width")
    c = _whole(input_shape[2], "number of channels") if len(input_shape) == 3 else 1
    return h, w, c


def _size(shape: tuple[int, ...]) -> str:
    """``"1000·1000"``, ``"125·125·100"``, ``"10⁶"``: a layer's input as the slides write it."""
    if len(shape) == 1:
        return format_exact(shape[0])
    h, w, c = shape
    return f"{h}·{w}" if c == 1 else f"{h}·{w}·{c}"


def _dense(name: str, inputs: tuple[int, ...], units: int, bias: bool) -> NetLayer:
    """A fully connected layer from ``inputs`` (a shape) to ``units`` units."""
    fan_in = 1
    for n in inputs:
        fan_in *= n
    weights, biases = fan_in * units, units if bias else 0
    factor = f"({_size(inputs)} + 1)" if bias else _size(inputs)
    formula = f"{factor} × {format_exact(units)} = {format_total(weights + biases)}"
    counts = LayerCounts(weights + biases, weights, biases, weights,
                         float32_bytes(weights + biases), formula, units)
    return NetLayer(name, "dense", counts, (units,))


def mlp(input_shape: tuple[int, ...], hidden: Sequence[int], classes: int,
        bias: bool = True) -> Network:
    """A multilayer perceptron: the flattened picture, hidden layers of ``hidden[i]`` units,
    then an output layer of ``classes`` units."""
    shape: tuple[int, ...] = _shape3(input_shape)
    classes = _whole(classes, "number of classes")
    if not hidden:
        raise ValueError("a multilayer perceptron needs at least one hidden layer")
    layers = []
    for i, units in enumerate(hidden):
        units = _whole(units, "number of hidden units")
        layers.append(_dense(f"hidden {i + 1}", shape, units, bias))
        shape = (units,)
    layers.append(_dense("classes", shape, classes, bias))
    return Network(tuple(layers))


def conv_net(input_shape: tuple[int, ...], stages: Sequence[ConvStage], classes: int,
             bias: bool = True) -> Network:
    """Convolution stages with shared weights, each pooled, then a dense layer to the classes.

    Raises ValueError naming the stage where a window no longer fits the feature map.
    """
    h, w, c = _shape3(input_shape)
    classes = _whole(classes, "number of classes")
    if not stages:
        raise ValueError("a convolutional network needs at least one stage")
    layers = []
    for i, stage in enumerate(stages, start=1):
        k = _whole(stage.filters, "number of filters")
        try:
            out_h, out_w = feature_map_size((h, w, c), stage.kernel_size, stage.stride,
                                            stage.padding, stage.dilation)
        except ValueError as err:
            raise ValueError(f"stage {i}: {err}") from None
        kh, kw = stage.kernel_size if isinstance(stage.kernel_size, tuple | list) else \
            (stage.kernel_size, stage.kernel_size)
        fan_in = kh * kw * c
        weights, biases = fan_in * k, k if bias else 0
        window = f"{kh}·{kw}" if c == 1 else f"{kh}·{kw}·{c}"
        factor = f"({window} + 1)" if bias else window
        formula = f"{factor} × {format_exact(k)} = {format_total(weights + biases)}"
        outputs = out_h * out_w * k
        counts = LayerCounts(weights + biases, weights, biases, outputs * fan_in,
                             float32_bytes(weights + biases), formula, outputs)
        layers.append(NetLayer(f"conv {i}", "conv", counts, (out_h, out_w, k)))
        h, w, c = out_h, out_w, k
        pool = _whole(stage.pool, "pooling window")
        if pool > 1:
            step = _whole(stage.pool_stride or pool, "pooling stride")
            if min(h, w) < pool:
                raise ValueError(f"stage {i}: the {pool}×{pool} pooling window is larger than "
                                 f"the {h}×{w} feature map")
            h = shapes.output_size(h, pool, step)
            w = shapes.output_size(w, pool, step)
            moved = f", stride {step}" if step != pool else ""
            counts = LayerCounts(0, 0, 0, 0, 0, f"{pool}×{pool} pooling{moved}: no parameters",
                                 h * w * c)
            layers.append(NetLayer(f"pool {i}", "pool", counts, (h, w, c)))
    layers.append(_dense("classes", (h, w, c), classes, bias))
    return Network(tuple(layers))


def networks(setup: Setup, stack: Sequence[ConvStage] | None = None
             ) -> tuple[Network, Network]:
    """The multilayer perceptron and the convolutional network of a comparison ``setup``.

    The perceptron has ``setup.hidden_layers`` hidden layers of ``setup.units`` units each
    (by default as many as the first convolution's outputs). The convolutional network is
    ``stack`` when given (the explorer's own layers), otherwise ``setup.stages`` stages: the
    setup's layer, then more with the same window and filters at stride 1 and "same" padding,
    each followed by ``setup.pool``×``setup.pool`` pooling. Both end in ``setup.classes``.
    """
    if stack is None:
        first = ConvStage(setup.kernel_size, setup.filters, setup.stride, setup.padding,
                          setup.dilation, setup.pool)
        later = ConvStage(setup.kernel_size, setup.filters, 1, "same", 1, setup.pool)
        stack = [first] + [later] * (_whole(setup.stages, "number of stages") - 1)
    units = setup.units
    if units is None:
        out_h, out_w = feature_map_size(setup.input_shape, setup.kernel_size, setup.stride,
                                        setup.padding, setup.dilation)
        units = out_h * out_w * _whole(setup.filters, "number of filters")
    hidden = [units] * _whole(setup.hidden_layers, "number of hidden layers")
    return (mlp(setup.input_shape, hidden, setup.classes, setup.bias),
            conv_net(setup.input_shape, stack, setup.classes, setup.bias))
