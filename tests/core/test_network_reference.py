"""The converted network against a slow forward pass written here in plain NumPy.

The reference shares nothing with the ONNX builder: it reads the block table as the
EfficientNet-Lite0 paper gives it, pads as TensorFlow's SAME does with its own formula,
applies each BatchNorm as a separate step (ε = 1e-3) instead of folding it, and convolves
tap by tap in float64. Same picture in, so top-5, probabilities and feature maps must agree.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
import pytest

from explorer.core.images import load_image
from explorer.resources import resource_path
from tests.network_support import needs_pretrained, shared_network, state_dict

pytestmark = needs_pretrained

# (expansion, kernel, stride, output channels, repeats), stem 32 channels, head 1280
BLOCKS = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
          (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]
CAT_CLASSES = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}
COFFEE_CLASSES = {"espresso", "cup", "coffee mug"}


def same_pads(n: int, k: int, s: int) -> tuple[int, int]:
    """TensorFlow SAME: ceil(n / s) outputs, the odd padding pixel after."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


class Reference:
    """EfficientNet-Lite0 in float64 NumPy; records every layer's output and MACs."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = {k: v.astype(np.float64) for k, v in weights.items()}
        self.macs = 0

    def conv(self, x: np.ndarray, key: str, stride: int, depthwise: bool = False) -> np.ndarray:
        w = self.w[f"{key}.weight"]  # (K, C or 1, k, k)
        k = w.shape[2]
        h, wd = x.shape[1:]
        top, bottom = same_pads(h, k, stride)
        left, right = same_pads(wd, k, stride)
        xp = np.pad(x, ((0, 0), (top, bottom), (left, right)))
        ho, wo = (h + top + bottom - k) // stride + 1, (wd + left + right - k) // stride + 1
        out = np.zeros((w.shape[0], ho, wo))
        for i in range(k):
            for j in range(k):
                rows = slice(i, i + stride * (ho - 1) + 1, stride)
                cols = slice(j, j + stride * (wo - 1) + 1, stride)
                patch = xp[:, rows, cols]
                if depthwise:
                    out += w[:, 0, i, j][:, None, None] * patch
                else:
                    out += np.tensordot(w[:, :, i, j], patch, axes=(1, 0))
        self.macs += w.size * ho * wo
        return out

    def bn(self, x: np.ndarray, key: str) -> np.ndarray:
        g, b = self.w[f"{key}.weight"], self.w[f"{key}.bias"]
        m, v = self.w[f"{key}.running_mean"], self.w[f"{key}.running_var"]
        return ((x - m[:, None, None]) / np.sqrt(v[:, None, None] + 1e-3) * g[:, None, None]
                + b[:, None, None])

    def forward(self, picture: np.ndarray):
        """(probabilities, {layer: (H, W, C) output}, {layer: MACs})."""
        outputs, macs = {}, {}

        def record(name, y):
            outputs[name] = y.transpose(1, 2, 0)
            macs[name] = self.macs
            self.macs = 0

        relu6 = lambda a: np.clip(a, 0.0, 6.0)  # noqa: E731
        x = (picture.astype(np.float64) - 127.0) / 128.0
        x = relu6(self.bn(self.conv(x.transpose(2, 0, 1), "_conv_stem", 2), "_bn0"))
        record("stem", x)
        index, cin = 0, 32
        for expansion, _k, stride, cout, repeats in BLOCKS:
            for r in range(repeats):
                s = stride if r == 0 else 1
                key = f"_blocks.{index}"
                y = x
                if expansion != 1:
                    y = relu6(self.bn(self.conv(y, f"{key}._expand_conv", 1), f"{key}._bn0"))
                y = relu6(self.bn(self.conv(y, f"{key}._depthwise_conv", s, depthwise=True),
                                  f"{key}._bn1"))
                y = self.bn(self.conv(y, f"{key}._project_conv", 1), f"{key}._bn2")
                if s == 1 and cin == cout:
                    y = y + x
                x, cin, index = y, cout, index + 1
                record(f"block {index}", x)
        x = relu6(self.bn(self.conv(x, "_conv_head", 1), "_bn1"))
        record("head", x)
        logits = self.w["_fc.weight"] @ x.mean(axis=(1, 2)) + self.w["_fc.bias"]
        e = np.exp(logits - logits.max())
        return e / e.sum(), outputs, macs


def recipe_crop(image: np.ndarray) -> np.ndarray:
    """The issue's preprocessing, written out: shorter side to 256, centre 224×224."""
    if image.ndim == 2:
        image = np.dstack([image] * 3)
    h, w = image.shape[:2]
    if h <= w:
        nh, nw = 256, round(w * 256 / h)
    else:
        nh, nw = round(h * 256 / w), 256
    method = cv2.INTER_AREA if min(h, w) > 256 else cv2.INTER_LINEAR
    resized = cv2.resize(image, (nw, nh), interpolation=method)
    top, left = (nh - 224) // 2, (nw - 224) // 2
    return resized[top:top + 224, left:left + 224]


def pictures() -> dict[str, np.ndarray]:
    samples = {n: load_image(resource_path("samples", n))
               for n in ("chelsea.png", "coffee.png", "rocket.jpg", "astronaut.png")}
    yy, xx = np.mgrid[0:180, 0:320]  # small, so the preprocessing enlarges it
    rng = np.random.default_rng(7)
    synthetic = np.stack([128 + 100 * np.sin(xx / 9.0 + c) * np.cos(yy / 13.0) for c in range(3)],
                         axis=2) + rng.normal(0, 10, (180, 320, 3))
    samples["synthetic"] = np.clip(synthetic, 0, 255).astype(np.uint8)
    return samples


@cache
def reference_run(name: str):
    crop = recipe_crop(pictures()[name])
    return crop, Reference(state_dict()).forward(crop)


@pytest.mark.parametrize(("h", "w"), [(300, 600), (600, 300), (180, 320), (256, 256),
                                    (1000, 700)])
def test_the_preprocessing_is_the_centre_of_the_picture_scaled_to_256(h, w):
    """Checked against where thin lines drawn on the picture land, not against a second copy
    of the recipe: the shorter side becomes 256 and the middle 224×224 is kept."""
    from explorer.core.network.preprocess import centre_crop

    scale = 256 / min(h, w)
    for axis, size in ((1, w), (0, h)):
        shown = size * scale
        lines = [round(size * f) for f in (0.4, 0.5, 0.6)]
        picture = np.zeros((h, w, 3), np.uint8)
        for at in lines:
            if axis == 1:
                picture[:, at - 1:at + 2] = 255  # three pixels wide: seen at any scale
            else:
                picture[at - 1:at + 2, :] = 255
        crop, _ = centre_crop(picture)
        assert crop.shape == (224, 224, 3)
        profile = (crop[112, :, 0] if axis == 1 else crop[:, 112, 0]).astype(float)
        for at in lines:
            want = (at + 0.5) * scale - 0.5 - (shown - 224) / 2  # in the crop's pixels
            near = np.arange(max(0, round(want) - 6), min(224, round(want) + 7))
            found = float((profile[near] * near).sum() / profile[near].sum())
            assert abs(found - want) <= 0.75, (axis, at, found, want)


@pytest.mark.parametrize("name", list(pictures()))
def test_top5_and_probabilities_match_the_reference(name):
    net = shared_network()
    crop, (probs, _, _) = reference_run(name)
    got = net.probabilities(crop)
    ref_top = list(np.argsort(-probs)[:5])
    assert [int(i) for i in np.argsort(-got)[:5]] == ref_top
    np.testing.assert_allclose(got, probs, atol=1e-3)
    labels = [label for label, _ in net.classify(pictures()[name])]
    assert labels == [net.classes.label(int(i)) for i in ref_top]


@pytest.mark.parametrize("layer", ["stem", "block 1", "block 2", "block 5", "block 9",
                                   "block 12", "block 16", "head"])
def test_feature_maps_match_the_reference(layer):
    net = shared_network()
    _, (_, outputs, _) = reference_run("coffee.png")
    got = net.activations(pictures()["coffee.png"], layer)  # cropped inside
    ref = outputs[layer]
    assert got.shape == ref.shape and got.dtype == np.float32
    scale = max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(got, ref, atol=1e-3 * scale)


def test_layer_sizes_and_macs_match_the_reference():
    net = shared_network()
    _, (_, outputs, macs) = reference_run("coffee.png")
    assert net.layer_names == list(outputs)
    for info in net.layers:
        assert info.shape == outputs[info.name].shape, info.name
        assert info.macs == macs[info.name], info.name
    # the paper's ~0.4 billion multiply-accumulates (the classifier adds 1.28 M)
    assert 380e6 < sum(macs.values()) < 400e6


def test_parameter_counts_add_up_to_the_weights_file():
    net = shared_network()
    learned = sum(v.size for k, v in state_dict().items()
                  if not k.endswith(("running_mean", "running_var", "num_batches_tracked")))
    classifier = state_dict()["_fc.weight"].size + state_dict()["_fc.bias"].size
    assert sum(info.parameters for info in net.layers) + classifier == learned == 4_652_008


def test_receptive_fields_match_interval_propagation():
    """Walk one unit's window back through every convolution to the input."""
    convs = [(3, 2)]  # (kernel, stride) in order
    for expansion, k, stride, _, repeats in BLOCKS:
        for r in range(repeats):
            convs += ([(1, 1)] if expansion != 1 else []) + [(k, stride if r == 0 else 1), (1, 1)]
    convs.append((1, 1))
    per_layer = [1] + [3 if e != 1 else 2 for e, _, _, _, n in BLOCKS for _ in range(n)] + [1]
    sizes = [224]
    for _k, s in convs:
        sizes.append(-(-sizes[-1] // s))
    net = shared_network()
    end = 0
    for info, n_convs in zip(net.layers, per_layer, strict=True):
        end += n_convs
        unit = sizes[end] // 2
        lo, hi = unit, unit
        for (k, s), n_in in zip(reversed(convs[:end]), reversed(sizes[:end]), strict=True):
            before = same_pads(n_in, k, s)[0]
            lo, hi = lo * s - before, hi * s - before + k - 1
        assert info.rf.size == hi - lo + 1, info.name
        assert info.rf.start + unit * info.rf.jump == pytest.approx((lo + hi) / 2), info.name


def test_top1_on_the_bundled_samples_is_right():
    net = shared_network()
    cat = net.classify(pictures()["chelsea.png"])[0][0]
    coffee = net.classify(pictures()["coffee.png"])[0][0]
    assert cat in CAT_CLASSES
    assert coffee in COFFEE_CLASSES
