"""Input-space filters of the pretrained network's early units, against finite differences.

The reference here is a float64 forward pass written in this file from the paper's block table:
each BatchNorm applied as its own step, TensorFlow's SAME padding by its own formula, convolution
tap by tap, on a small grey picture. The gradient of the centre unit is taken by central
differences with a step of a thousandth of a grey level, so no ReLU6 kink is crossed, over every
pixel and colour of the picture; the test then finds where the unit looks by itself.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
import pytest

from explorer.core.network.errors import NetworkError
from explorer.core.network.onnx_graph import build_model_bytes
from tests.network_support import needs_pretrained, shared_network, state_dict

pytestmark = needs_pretrained

STEP = 1e-3  # grey levels
BATCH = 192
SIDE = 17  # the reference's grey picture: its centre units' fields lie inside


def same_pads(n: int, k: int, s: int) -> tuple[int, int]:
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


class Reference:
    """Stem, block 1 and block 2 of EfficientNet-Lite0 in float64, on a batch (B, H, W, C)."""

    def __init__(self) -> None:
        self.w = {k: v.astype(np.float64) for k, v in state_dict().items()}

    def conv(self, x, key, stride, depthwise=False):
        w = self.w[f"{key}.weight"]  # (K, C or 1, k, k)
        k = w.shape[2]
        n = x.shape[1]
        top, bottom = same_pads(n, k, stride)
        xp = np.pad(x, ((0, 0), (top, bottom), (top, bottom), (0, 0)))
        m = (n + top + bottom - k) // stride + 1
        out = np.zeros((x.shape[0], m, m, w.shape[0]))
        for i in range(k):
            for j in range(k):
                patch = xp[:, i:i + stride * (m - 1) + 1:stride, j:j + stride * (m - 1) + 1:stride]
                out += (patch * w[:, 0, i, j] if depthwise
                        else np.tensordot(patch, w[:, :, i, j], axes=(3, 1)))
        return out

    def bn(self, x, key):
        g, b = self.w[f"{key}.weight"], self.w[f"{key}.bias"]
        m, v = self.w[f"{key}.running_mean"], self.w[f"{key}.running_var"]
        return (x - m) / np.sqrt(v + 1e-3) * g + b

    def forward(self, pictures):
        """{layer: (B, H, W, C) output} for (B, H, W, 3) pictures of 0…255 floats."""
        relu6 = lambda a: np.clip(a, 0.0, 6.0)  # noqa: E731
        x = (pictures - 127.0) / 128.0
        x = relu6(self.bn(self.conv(x, "_conv_stem", 2), "_bn0"))
        # block 1: no expansion, 3×3 depthwise, 1×1 to 16 channels, no residual (32 → 16)
        x = relu6(self.bn(self.conv(x, "_blocks.0._depthwise_conv", 1, True), "_blocks.0._bn1"))
        block1 = self.bn(self.conv(x, "_blocks.0._project_conv", 1), "_blocks.0._bn2")
        # block 2: 1×1 to 96, 3×3 depthwise stride 2, 1×1 to 24
        x = relu6(self.bn(self.conv(block1, "_blocks.1._expand_conv", 1), "_blocks.1._bn0"))
        depthwise = self.bn(self.conv(x, "_blocks.1._depthwise_conv", 2, True), "_blocks.1._bn1")
        block2 = self.bn(self.conv(relu6(depthwise), "_blocks.1._project_conv", 1),
                         "_blocks.1._bn2")
        # a convolution's unit is its own output, before its ReLU6
        return {"block 1": block1, "block 2 depthwise": depthwise, "block 2": block2}


@cache
def gradients_by_differences() -> dict[str, np.ndarray]:
    """{layer: (C, SIDE, SIDE, 3)}: d(centre unit)/d(pixel value) of a grey picture."""
    ref = Reference()
    grey = np.full((SIDE, SIDE, 3), 127.0)
    shapes = {name: maps.shape for name, maps in ref.forward(grey[None]).items()}
    inputs = SIDE * SIDE * 3
    grads = {name: np.zeros((inputs, shape[3])) for name, shape in shapes.items()}
    for first in range(0, inputs, BATCH):
        idx = np.arange(first, min(first + BATCH, inputs))
        up = np.repeat(grey[None], len(idx), axis=0).reshape(len(idx), -1)
        down = up.copy()
        up[np.arange(len(idx)), idx] += STEP
        down[np.arange(len(idx)), idx] -= STEP
        f_up = ref.forward(up.reshape(-1, SIDE, SIDE, 3))
        f_down = ref.forward(down.reshape(-1, SIDE, SIDE, 3))
        for name, shape in shapes.items():
            centre = shape[1] // 2
            grads[name][idx] = (f_up[name][:, centre, centre]
                                - f_down[name][:, centre, centre]) / (2 * STEP)
    return {name: g.T.reshape(-1, SIDE, SIDE, 3) for name, g in grads.items()}


def where_it_looks(grad: np.ndarray) -> tuple[slice, slice]:
    rows = np.flatnonzero(np.abs(grad).sum(axis=(0, 2, 3)))
    cols = np.flatnonzero(np.abs(grad).sum(axis=(0, 1, 3)))
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


@pytest.mark.parametrize(("layer", "k", "channels"),
                         [("block 1", 7, 16), ("block 2", 11, 24), ("block 2 depthwise", 11, 96)])
def test_unit_filters_are_the_gradient_of_the_centre_unit(layer, k, channels):
    filters = shared_network().unit_filters(layer)
    assert filters.shape == (channels, k, k, 3) and filters.dtype == np.float32
    grad = gradients_by_differences()[layer]
    rows, cols = where_it_looks(grad)
    window = grad[:, rows, cols]
    assert window.shape == filters.shape  # the unit looks at a k×k patch, as the filter says
    for c in range(channels):
        if not window[c].any():  # grey leaves the unit's whole input clipped: no gradient
            assert not filters[c].any(), (layer, c)
            continue
        r = np.corrcoef(window[c].ravel(), filters[c].ravel())[0, 1]
        assert r >= 0.95, (layer, c, r)
    # not only the pattern: the size, in 0…255 units
    np.testing.assert_allclose(filters, window, rtol=1e-3, atol=1e-5 * np.abs(window).max())


def test_the_filter_predicts_the_network_s_own_forward_pass():
    """Faint patterns (a thousandth of a grey level) in the centre unit's field of a grey
    224×224 float input, through the converted graph run by OpenCV: each channel moves by
    Σ filter · pattern. (A pattern of ±1 grey level already crosses ReLU6 kinks.)"""
    graph = np.frombuffer(build_model_bytes(state_dict()), np.uint8)
    net = cv2.dnn.readNetFromONNX(graph)
    outputs = net.getUnconnectedOutLayersNames()

    def block2_centre(picture):
        net.setInput(((picture - 127.0) / 128.0).astype(np.float32).transpose(2, 0, 1)[None])
        maps = dict(zip(outputs, net.forward(outputs), strict=True))["block2"]
        return maps[0, :, 28, 28].astype(np.float64)

    filters = shared_network().unit_filters("block 2")
    grey = np.full((224, 224, 3), 127.0)
    top = 3 + 28 * 4 - 5  # the first field's centre + unit × jump − half the field
    rng = np.random.default_rng(0)
    predicted, seen = [], []
    for _ in range(8):
        pattern = rng.integers(-1, 2, (11, 11, 3)) * 1e-3
        up, down = grey.copy(), grey.copy()
        up[top:top + 11, top:top + 11] += pattern
        down[top:top + 11, top:top + 11] -= pattern
        seen.append((block2_centre(up) - block2_centre(down)) / 2)
        predicted.append(np.einsum("chwk,hwk->c", filters, pattern))
    seen, predicted = np.array(seen), np.array(predicted)
    for c in range(filters.shape[0]):
        assert np.corrcoef(seen[:, c], predicted[:, c])[0, 1] >= 0.95, c


def test_deep_or_unknown_layers_are_refused_with_a_reason():
    net = shared_network()
    with pytest.raises(NetworkError, match="early layers"):
        net.unit_filters("block 9")
    with pytest.raises(NetworkError, match="no layer"):
        net.unit_filters("block 99")
