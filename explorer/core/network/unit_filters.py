"""What an early unit of the pretrained network looks for: its filter in input space.

A stem kernel is 3×3; the lecture's AlexNet filters are 11×11 colour pictures. A unit of block 2
sees an 11×11 patch of the picture through six convolutions, and how strongly it answers each
pixel and colour of that patch is its *input-space filter*: the gradient of the unit's value
with respect to the input, taken at a mid-grey picture.

It is computed exactly, by backpropagation in NumPy through the convolutions with their
BatchNorm folded in. At mid-grey (127, which the network sees as 0) every map of the network is
constant away from the border, so the operating point is one number per channel, and each
ReLU6 is either passing (slope 1) or clipped (slope 0) there: the gradient is a chain of linear
maps, exact and computed for all channels at once. Finite differences would need a forward
pass per pixel and colour (363 for an 11×11 field) with steps far below one grey level: some
units sit within 0.0002 of a ReLU6 kink at mid-grey, and a step of one grey level moves the
input by 0.008.

A unit far from the border sees only the picture inside its receptive field, so the chain runs
on that k×k patch with "valid" convolutions, shrinking to the one unit; every such unit of a
channel has the same filter.

A layer's unit is its output, as the Network tab shows it. A convolution's unit is that
convolution's own output, before the ReLU6 after it: a unit that grey leaves below zero still
shows what would excite it, instead of a blank tile. Block 2's depthwise convolution has 96
such filters of 11×11, the number and size of AlexNet's first layer.
"""

from __future__ import annotations

import numpy as np

from explorer.core.network.architecture import LAYERS, Conv, Layer
from explorer.core.network.errors import NetworkError
from explorer.core.network.onnx_graph import fold_batchnorm
from explorer.core.network.preprocess import SCALE

MAX_FIELD = 67  # block 5's field: deeper units see most of the picture (and cost more)
SEEDS_PER_PASS = 64  # channels backpropagated together: bounds the memory of one pass
RELU6_TOP = 6.0


def _path(target: str) -> tuple[list[Layer], Conv, bool]:
    """The layers up to ``target`` (a layer name, or a convolution's name inside a layer),
    the last one cut after the named convolution; that convolution; whether the unit is
    after its activation (a layer's output) or before (a convolution's)."""
    path: list[Layer] = []
    for layer in LAYERS:
        if layer.name == target:
            return [*path, layer], layer.convs[-1], True
        for i, conv in enumerate(layer.convs):
            if conv.name == target:
                # the block's sum, and the ReLU6, come after the convolution
                cut = Layer(layer.name, layer.convs[:i + 1], residual=False)
                return [*path, cut], conv, False
        path.append(layer)
    raise NetworkError(f"the network has no layer or convolution called {target!r}")


def _field(layers: list[Layer]) -> int:
    size, jump = 1, 1
    for layer in layers:
        for conv in layer.convs:
            size += (conv.kernel - 1) * jump
            jump *= conv.stride
    return size


def _operating_point(weights: dict[str, np.ndarray], layers: list[Layer]
                     ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each convolution's folded kernels (K, kh, kw, C) float64 and its ReLU6 slope (K,) at
    mid-grey (None where no ReLU6 follows), from the constant maps of a grey picture."""
    x = np.zeros(3)  # mid-grey, as the network sees it
    out = {}
    for layer in layers:
        layer_in = x
        for conv in layer.convs:
            w32, b = fold_batchnorm(weights, conv)
            w = w32.astype(np.float64).transpose(0, 2, 3, 1)
            taps = w.sum(axis=(1, 2))  # (K, C): a constant map sees every tap the same
            pre = taps[:, 0] * x + b if conv.depthwise else taps @ x + b
            slope = None
            if conv.relu6:
                slope = ((pre > 0) & (pre < RELU6_TOP)).astype(np.float64)
                pre = np.clip(pre, 0.0, RELU6_TOP)
            out[conv.key] = (w, slope)
            x = pre
        if layer.residual:
            x = x + layer_in
    return out


def _conv_backward(g: np.ndarray, w: np.ndarray, stride: int, depthwise: bool) -> np.ndarray:
    """The gradient (B, n', n', C) at a valid convolution's input from (B, n, n, K) at its
    output: each kernel tap adds its share back to the pixels it read."""
    b, n, _, _ = g.shape
    k = w.shape[1]
    size = (n - 1) * stride + k
    channels = w.shape[0] if depthwise else w.shape[3]
    gin = np.zeros((b, size, size, channels))
    span = (n - 1) * stride + 1
    for i in range(k):
        for j in range(k):
            part = g * w[:, i, j, 0] if depthwise else g @ w[:, i, j, :]
            gin[:, i:i + span:stride, j:j + span:stride] += part
    return gin


def _backward(g: np.ndarray, layers: list[Layer], point: dict) -> np.ndarray:
    for layer in reversed(layers):
        g_out = g
        for conv in reversed(layer.convs):
            w, slope = point[conv.key]
            if slope is not None:
                g = g * slope
            g = _conv_backward(g, w, conv.stride, conv.depthwise)
        if layer.residual:  # the input was added to the output: its gradient passes back too
            margin = (g.shape[1] - g_out.shape[1]) // 2
            g[:, margin:margin + g_out.shape[1], margin:margin + g_out.shape[2]] += g_out
    return g


def input_filters(weights: dict[str, np.ndarray], target: str) -> np.ndarray:
    """Every channel's input-space filter of ``target`` (see the module), (C, k, k, 3) float32.

    ``target`` is a layer ("block 2": its output) or a convolution ("block 2 depthwise": its
    output before ReLU6); k is the receptive field. Each filter is the gradient of the
    channel's unit with respect to the picture's RGB values in 0…255 units, at a mid-grey
    picture; rows and columns are the picture's. Raises NetworkError for a name the network
    lacks or a field larger than ``MAX_FIELD`` pixels.
    """
    layers, last, activated = _path(target)
    k = _field(layers)
    if k > MAX_FIELD:
        raise NetworkError(f"{target} sees {k}×{k} pixels: input-space filters are shown for "
                           f"the early layers, up to {MAX_FIELD}×{MAX_FIELD} (block 5)")
    point = _operating_point(weights, layers)
    if not activated:
        point[last.key] = (point[last.key][0], None)
    channels = last.out_channels
    out = np.empty((channels, k, k, 3), np.float32)
    for first in range(0, channels, SEEDS_PER_PASS):
        seeds = np.arange(first, min(first + SEEDS_PER_PASS, channels))
        g = np.zeros((len(seeds), 1, 1, channels))
        g[np.arange(len(seeds)), 0, 0, seeds] = 1.0
        out[seeds] = _backward(g, layers, point) / SCALE  # the blob is (x − 127) / 128
    return out
