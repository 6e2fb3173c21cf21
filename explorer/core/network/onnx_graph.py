"""Build EfficientNet-Lite0 as an ONNX graph in memory, for OpenCV's DNN module to run.

Each BatchNorm is folded into the convolution before it (``w′ = w·γ/√(σ²+ε)``,
``b′ = β − μ·γ/√(σ²+ε)``), so the graph is only Conv, Clip (ReLU6), Add, GlobalAveragePool and
Gemm. Pads are TensorFlow's SAME for a square ``input_size`` input (asymmetric at stride 2).
Every layer's output is also a graph output, so one forward pass gives the class scores and the
feature maps of every layer. Needs the optional ``onnx`` package (``pip install
cnn-explorer[pretrained]``); the app imports it only to convert the weights once.
"""

from __future__ import annotations

import numpy as np

from explorer.core.network.architecture import (
    BN_EPS,
    FC_KEY,
    INPUT_SIZE,
    LAYERS,
    Conv,
)
from explorer.core.network.errors import MissingPackageError
from explorer.core.shapes import output_size, pad_amounts

INPUT_NAME = "input"
LOGITS = "logits"
OPSET = 13
CONVERTER_VERSION = "1"  # bump when the graph changes, so cached graphs are rebuilt


def output_name(layer_name: str) -> str:
    """The graph output that holds a layer's feature maps ("block 3" → "block3")."""
    return layer_name.replace(" ", "")


def fold_batchnorm(weights: dict[str, np.ndarray], conv: Conv) -> tuple[np.ndarray, np.ndarray]:
    """The convolution's kernels and bias with the BatchNorm after it folded in."""
    w = weights[f"{conv.key}.weight"].astype(np.float64)
    gamma, beta, mean, var = (weights[f"{conv.bn}.{part}"].astype(np.float64)
                              for part in ("weight", "bias", "running_mean", "running_var"))
    scale = gamma / np.sqrt(var + BN_EPS)
    folded = w * scale[:, None, None, None]
    bias = beta - mean * scale
    return folded.astype(np.float32), bias.astype(np.float32)


def _onnx():
    try:
        import onnx
    except ImportError:
        raise MissingPackageError(
            "converting the pretrained network needs the 'onnx' package: install the app with "
            "pip install 'cnn-explorer[pretrained]'") from None
    return onnx


def build_model_bytes(weights: dict[str, np.ndarray], input_size: int = INPUT_SIZE,
                      maps: bool = True) -> bytes:
    """The serialised ONNX model for a square ``input_size`` input.

    With ``maps`` every layer's output is a graph output too; without, only the logits.
    """
    onnx = _onnx()
    helper, tp = onnx.helper, onnx.TensorProto
    nodes, inits = [], []

    def const(name: str, array: np.ndarray) -> str:
        inits.append(onnx.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    relu_lo = const("relu6_min", np.array(0.0, np.float32))
    relu_hi = const("relu6_max", np.array(6.0, np.float32))

    def conv_node(conv: Conv, x: str, n: int, out: str) -> tuple[str, int]:
        w, b = fold_batchnorm(weights, conv)
        top, bottom = pad_amounts(n, conv.kernel, conv.stride, "same")
        nodes.append(helper.make_node(
            "Conv", [x, const(f"{conv.key}.w", w), const(f"{conv.key}.b", b)],
            [out if not conv.relu6 else f"{out}.pre"],
            kernel_shape=[conv.kernel, conv.kernel], strides=[conv.stride, conv.stride],
            pads=[top, top, bottom, bottom], group=conv.in_channels if conv.depthwise else 1))
        if conv.relu6:
            nodes.append(helper.make_node("Clip", [f"{out}.pre", relu_lo, relu_hi], [out]))
        return out, output_size(n, conv.kernel, conv.stride, "same")

    x, n = INPUT_NAME, input_size
    outputs = []
    for layer in LAYERS:
        layer_in = x
        for i, conv in enumerate(layer.convs):
            last = i == len(layer.convs) - 1
            name = output_name(layer.name) if last and not layer.residual else conv.key
            x, n = conv_node(conv, x, n, name)
        if layer.residual:
            nodes.append(helper.make_node("Add", [x, layer_in], [output_name(layer.name)]))
            x = output_name(layer.name)
        channels = layer.convs[-1].out_channels
        outputs.append(helper.make_tensor_value_info(x, tp.FLOAT, [1, channels, n, n]))
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"]))
    nodes.append(helper.make_node("Flatten", ["pooled"], ["features"], axis=1))
    nodes.append(helper.make_node(
        "Gemm", ["features", const("fc.w", weights[f"{FC_KEY}.weight"]),
                 const("fc.b", weights[f"{FC_KEY}.bias"])], [LOGITS], transB=1))
    n_classes = weights[f"{FC_KEY}.bias"].shape[0]
    logits = helper.make_tensor_value_info(LOGITS, tp.FLOAT, [1, n_classes])
    graph = helper.make_graph(
        nodes, "efficientnet_lite0",
        [helper.make_tensor_value_info(INPUT_NAME, tp.FLOAT, [1, 3, input_size, input_size])],
        [logits, *outputs] if maps else [logits], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="cnn-explorer")
    model.ir_version = 8  # readable by every OpenCV that reads opset 13
    onnx.checker.check_model(model)
    return model.SerializeToString()
