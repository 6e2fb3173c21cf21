"""The explorer's stack as PyTorch code: a runnable ``torch.nn.Sequential`` with its weights.

The code is text, written for a student to run where PyTorch is installed (the app does not
need it): the same layers, padding amounts and modes, strides, dilations, activations and
pooling, and the current weights, either inside the code as tensor literals or in a ``.npz``
file beside it when there are many. Run on the picture the explorer processed (the size its
status bar names), it gives the explorer's feature maps.

Two conventions are spelled out in the code: a CNN layer computes cross-correlation, so a
layer set to true convolution exports its kernels turned by 180°; and the explorer's "same"
padding is TensorFlow's (``⌈n / s⌉`` outputs, the odd extra pixel after), which depends on the
input's size, so it is computed when the model runs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from explorer.core.activations import LEAKY_SLOPE
from explorer.core.pipeline import LayerSpec
from explorer.core.safe_files import atomic_write, check_target
from explorer.core.shapes import whole_pair

MAX_LITERAL_WEIGHTS = 20_000  # beyond this, the weights go to a .npz file beside the code
ACTIVATION_MODULES = {
    "relu": "nn.ReLU()", "leaky_relu": f"nn.LeakyReLU({LEAKY_SLOPE!r})", "tanh": "nn.Tanh()",
    "sigmoid": "nn.Sigmoid()", "abs": "Abs()", "identity": "nn.Identity()",
}
PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
             "circular": "circular"}

HEADER = '''"""{title}, written by CNN Explorer as PyTorch code.

    model = build_model()
    maps = feature_maps(model, picture)   # picture: uint8 (H, W, 3) RGB or (H, W) gray

Give it the picture at the size the explorer processed it (its status bar says "input
rows×columns"): each entry of ``maps`` is then the explorer's maps of that stage, (H, W, K).
CNN layers compute cross-correlation (no kernel flip), as torch.nn.Conv2d does{flip_note}.
"""

from collections import OrderedDict

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class Pad(nn.Module):
    """Padding as the explorer pads: fixed (before, after) amounts per axis, or "same" as
    TensorFlow's SAME (ceil(n / stride) outputs, the odd extra pixel after)."""

    def __init__(self, rows, cols, kernel, stride, dilation, mode):
        super().__init__()
        self.rows, self.cols, self.mode = rows, cols, mode
        self.kernel, self.stride, self.dilation = kernel, stride, dilation

    def _amounts(self, amount, n, axis):
        if amount != "same":
            return amount
        span = self.dilation[axis] * (self.kernel[axis] - 1) + 1
        total = max((-(-n // self.stride[axis]) - 1) * self.stride[axis] + span - n, 0)
        return total // 2, total - total // 2

    def forward(self, x):
        top, bottom = self._amounts(self.rows, x.shape[2], 0)
        left, right = self._amounts(self.cols, x.shape[3], 1)
        if not (top or bottom or left or right):
            return x
        return F.pad(x, (left, right, top, bottom), mode=self.mode)


class Abs(nn.Module):
    """|x|: the strength of a response whatever its sign."""

    def forward(self, x):
        return torch.abs(x)


def prepare(picture):
    """The picture as the first layer sees it: float32 0…255, (1, C, H, W); colour turned to
    luma (ITU-R BT.601) for one-channel kernels, gray spread over three."""
    x = np.asarray(picture, np.float32)
    if x.ndim == 2:
        x = x[:, :, None]
    if x.shape[2] != CHANNELS:
        if CHANNELS == 1:
            x = (x[:, :, :3] @ np.array([0.299, 0.587, 0.114], np.float32))[:, :, None]
        else:
            x = np.repeat(x[:, :, :1], 3, axis=2)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]


def feature_maps(model, picture):
    """Every stage's maps after its activation (and after its pooling, when it pools), as
    (H, W, K) NumPy arrays keyed like the model's layers ("relu1", "pool1" …)."""
    x = prepare(picture)
    maps = OrderedDict()
    with torch.no_grad():
        for name, layer in model.named_children():
            x = layer(x)
            if name.startswith(("act", "pool")):
                maps[name] = x[0].permute(1, 2, 0).numpy()
    return maps
'''


def _padding(spec: LayerSpec) -> tuple[object, object]:
    """(rows, cols) as Pad takes them: "same", or (before, after) amounts."""
    p = spec.padding
    if p == "same":
        return "same", "same"
    kh, kw = spec.kernel_shape
    dh, dw = whole_pair(spec.dilation, "the dilation", 1)
    if p == "valid":
        return (0, 0), (0, 0)
    if p == "full":
        return (dh * (kh - 1),) * 2, (dw * (kw - 1),) * 2
    if isinstance(p, (tuple, list)):
        return (int(p[0]),) * 2, (int(p[1]),) * 2
    return (int(p),) * 2, (int(p),) * 2


def _literal(values: np.ndarray) -> str:
    """A float32 array as a nested-list literal that reads back bit for bit."""
    flat = [repr(float(v)) for v in np.asarray(values, np.float32).ravel()]
    text = "[" + ", ".join(flat) + "]"
    return f"torch.tensor({text}, dtype=torch.float32).reshape{tuple(values.shape)!r}"


def _torch_weights(spec: LayerSpec) -> np.ndarray:
    """(K, C, kh, kw) as Conv2d holds them; turned by 180° for a true convolution."""
    w = spec.weights[:, ::-1, ::-1, :] if spec.flip else spec.weights
    return np.ascontiguousarray(np.transpose(w, (0, 3, 1, 2)), np.float32)


def stack_code(layers: Sequence[LayerSpec], title: str = "A stack of layers",
               weights_file: str | None = None) -> tuple[str, dict[str, np.ndarray]]:
    """The stack as a Python module, and the arrays it loads from ``weights_file`` (empty when
    the weights are written into the code: ``weights_file`` None and few enough of them).
    Raises ValueError when there are too many weights for the code and no file is given."""
    if not layers:
        raise ValueError("the stack has no layers")
    total = sum(spec.weights.size + spec.bias.size for spec in layers)
    literal = weights_file is None
    if literal and total > MAX_LITERAL_WEIGHTS:
        raise ValueError(f"the stack has {total:,} weights, too many to write into the code: "
                         "export it to a file, with its weights in a .npz beside it")
    flipped = any(spec.flip for spec in layers)
    flip_note = ("; a layer set to true convolution has its kernels turned by 180° here"
                 if flipped else "")
    lines = [HEADER.format(title=title.rstrip("."), flip_note=flip_note),
             f"CHANNELS = {layers[0].channels}  # of the first layer's kernels",
             f"WEIGHTS = {weights_file!r}  # the .npz beside this file" if not literal else "",
             "", "",
             "def build_model():",
             '    """The stack, with the explorer\'s current weights."""']
    if not literal:
        lines.append("    stored = np.load(__import__('pathlib').Path(__file__).with_name("
                     "WEIGHTS))")
    lines.append("    layers = OrderedDict()")
    arrays: dict[str, np.ndarray] = {}
    for i, spec in enumerate(layers, start=1):
        kh, kw = spec.kernel_shape
        stride = whole_pair(spec.stride, "the stride", 1)
        dilation = whole_pair(spec.dilation, "the dilation", 1)
        rows, cols = _padding(spec)
        weights, bias = _torch_weights(spec), np.asarray(spec.bias, np.float32)
        lines += [f"    # stage {i}: {spec.n_filters} filters {kh}×{kw}×{spec.channels}, stride "
                  f"{stride[0]}×{stride[1]}, dilation {dilation[0]}×{dilation[1]}, padding "
                  f"{spec.padding!r} ({spec.pad_mode}), {spec.activation}, pooling "
                  f"{spec.pool_mode}",
                  f"    layers['pad{i}'] = Pad({rows!r}, {cols!r}, ({kh}, {kw}), {stride!r}, "
                  f"{dilation!r}, {PAD_MODES[spec.pad_mode]!r})",
                  f"    conv = nn.Conv2d({spec.channels}, {spec.n_filters}, ({kh}, {kw}), "
                  f"stride={stride!r}, dilation={dilation!r})"]
        if literal:
            w_text, b_text = _literal(weights), _literal(bias)
        else:
            arrays[f"weight{i}"], arrays[f"bias{i}"] = weights, bias
            w_text = f"torch.from_numpy(stored['weight{i}'])"
            b_text = f"torch.from_numpy(stored['bias{i}'])"
        lines += ["    with torch.no_grad():",
                  f"        conv.weight.copy_({w_text})",
                  f"        conv.bias.copy_({b_text})",
                  f"    layers['conv{i}'] = conv",
                  f"    layers['act{i}'] = {ACTIVATION_MODULES[spec.activation]}"]
        if spec.pool_mode != "none":
            size = whole_pair(spec.pool_size, "the pooling window", 1)
            step = whole_pair(spec.pool_stride, "the pooling stride", 1)
            kind = "MaxPool2d" if spec.pool_mode == "max" else "AvgPool2d"
            lines.append(f"    layers['pool{i}'] = nn.{kind}({size!r}, {step!r})")
    lines += ["    return nn.Sequential(layers).eval()", "", "",
              'if __name__ == "__main__":',
              "    model = build_model()",
              "    print(model)",
              "    demo = np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)",
              "    for name, maps in feature_maps(model, demo).items():",
              "        print(name, maps.shape)", ""]
    return "\n".join(line for line in lines if line is not None), arrays


def write_stack_code(path: str | Path, layers: Sequence[LayerSpec], title: str, *,
                     overwrite: bool = True) -> list[Path]:
    """Write the stack's code to ``path`` (a ``.py`` file) and, when there are many weights,
    ``<name>.npz`` beside it; each file whole or not at all. Returns the paths written;
    raises ValueError (SafeFileError) with the cause."""
    target = check_target(path, (".py",), what="PyTorch code", overwrite=overwrite)
    total = sum(spec.weights.size + spec.bias.size for spec in layers)
    npz = target.with_suffix(".npz") if total > MAX_LITERAL_WEIGHTS else None
    code, arrays = stack_code(layers, title, None if npz is None else npz.name)
    written = []
    if npz is not None:
        check_target(npz, (".npz",), what="the weights", overwrite=overwrite)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        written.append(atomic_write(npz, buffer.getvalue(), overwrite=overwrite))
    written.insert(0, atomic_write(target, code.encode("utf-8"), overwrite=overwrite))
    return written
