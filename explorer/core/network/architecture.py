"""EfficientNet-Lite0: its layers, and what each one does to a 224×224 picture.

The network (Tan & Le 2019; the "Lite" variant for phones: no squeeze-and-excitation, ReLU6
instead of swish) is a stem convolution, 16 inverted-residual blocks and a head:

- stem: 3×3 convolution, stride 2, 32 filters, BatchNorm, ReLU6;
- a block: a 1×1 convolution widens the channels ``expansion`` times (BatchNorm, ReLU6), a
  depthwise k×k convolution filters each channel on its own (BatchNorm, ReLU6), a 1×1
  convolution narrows them again (BatchNorm, no activation); when the block keeps the size and
  the channel count, its input is added to its output (a residual connection);
- head: 1×1 convolution to 1280 channels (BatchNorm, ReLU6), the average over all positions,
  and a fully connected layer to the 1000 ImageNet classes.

Every convolution pads as TensorFlow's SAME does (the network was trained in TensorFlow): the
odd extra pixel of a stride-2 layer goes bottom/right. Keys of the weights follow the
EfficientNet-PyTorch layout (``_conv_stem``, ``_blocks.N._depthwise_conv`` …).
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.core.shapes import LayerGeometry, RFInfo, output_size, receptive_field

INPUT_SIZE = 224
BN_EPS = 1e-3  # TensorFlow's BatchNorm epsilon; PyTorch's default 1e-5 changes the answers
N_CLASSES = 1000
# (expansion, kernel, stride of the first block, output channels, blocks) per stage
STAGES = ((1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
          (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1))
STEM_CHANNELS = 32
HEAD_CHANNELS = 1280


@dataclass(frozen=True)
class Conv:
    """One convolution, the BatchNorm after it, and whether ReLU6 follows."""

    name: str  # e.g. "block 4 depthwise"
    key: str  # the weights' key, e.g. "_blocks.3._depthwise_conv"
    bn: str  # the BatchNorm's key, e.g. "_blocks.3._bn1"
    in_channels: int
    out_channels: int
    kernel: int
    stride: int = 1
    depthwise: bool = False
    relu6: bool = True

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        """(out, in / groups, kh, kw), as stored."""
        per_group = 1 if self.depthwise else self.in_channels
        return (self.out_channels, per_group, self.kernel, self.kernel)

    @property
    def geometry(self) -> LayerGeometry:
        return LayerGeometry(self.kernel, self.stride, padding="same")


@dataclass(frozen=True)
class Layer:
    """A layer of the picker: the stem, a block or the head, made of one to three convs."""

    name: str
    convs: tuple[Conv, ...]
    residual: bool = False  # the layer's input is added to its output
    description: str = ""


def _block(index: int, expansion: int, kernel: int, stride: int, cin: int, cout: int,
           stage: int) -> Layer:
    name = f"block {index + 1}"
    key = f"_blocks.{index}"
    wide = cin * expansion
    convs = []
    if expansion != 1:
        convs.append(Conv(f"{name} expand", f"{key}._expand_conv", f"{key}._bn0", cin, wide, 1))
    convs.append(Conv(f"{name} depthwise", f"{key}._depthwise_conv", f"{key}._bn1", wide, wide,
                      kernel, stride, depthwise=True))
    convs.append(Conv(f"{name} project", f"{key}._project_conv", f"{key}._bn2", wide, cout, 1,
                      relu6=False))
    residual = stride == 1 and cin == cout
    widen = f"1×1 to {wide} channels, " if expansion != 1 else ""
    text = (f"stage {stage}: {widen}{kernel}×{kernel} depthwise stride {stride}, "
            f"1×1 to {cout} channels" + (", + input" if residual else ""))
    return Layer(name, tuple(convs), residual, text)


def build_layers() -> tuple[Layer, ...]:
    """The stem, the 16 blocks and the head, in order."""
    layers = [Layer("stem", (Conv("stem", "_conv_stem", "_bn0", 3, STEM_CHANNELS, 3, 2),),
                    description=f"3×3 convolution stride 2, {STEM_CHANNELS} filters, ReLU6")]
    cin, index = STEM_CHANNELS, 0
    for stage, (expansion, kernel, stride, cout, repeats) in enumerate(STAGES, start=1):
        for r in range(repeats):
            layers.append(_block(index, expansion, kernel, stride if r == 0 else 1, cin, cout,
                                 stage))
            cin, index = cout, index + 1
    layers.append(Layer("head", (Conv("head", "_conv_head", "_bn1", cin, HEAD_CHANNELS, 1),),
                        description=f"1×1 convolution to {HEAD_CHANNELS} channels, ReLU6; "
                                    "then the average of each map and the classifier"))
    return tuple(layers)


LAYERS = build_layers()
CONVS = tuple(conv for layer in LAYERS for conv in layer.convs)
FC_KEY = "_fc"


@dataclass(frozen=True)
class LayerInfo:
    """What the layer picker shows for one layer at a given input size."""

    name: str
    description: str
    shape: tuple[int, int, int]  # (H, W, C) of its output
    parameters: int  # learned numbers: kernels plus BatchNorm's scale and shift
    macs: int  # multiply-accumulates for one picture
    rf: RFInfo  # receptive field of one output unit, in input pixels


def conv_parameters(conv: Conv) -> int:
    out, per_group, kh, kw = conv.weight_shape
    return out * per_group * kh * kw + 2 * out  # + BatchNorm's γ and β


def layer_infos(input_size: int = INPUT_SIZE) -> list[LayerInfo]:
    """Output size, parameters, MACs and receptive field of every layer (square input)."""
    geometry = [conv.geometry for conv in CONVS]
    fields = iter(receptive_field(geometry, input_size))
    infos = []
    n = input_size
    for layer in LAYERS:
        params = macs = 0
        rf = None
        for conv in layer.convs:
            n = output_size(n, conv.kernel, conv.stride, "same")
            out, per_group, kh, kw = conv.weight_shape
            params += conv_parameters(conv)
            macs += n * n * out * per_group * kh * kw
            rf = next(fields)
        infos.append(LayerInfo(layer.name, layer.description,
                               (n, n, layer.convs[-1].out_channels), params, macs, rf))
    return infos


def classifier_parameters() -> int:
    return HEAD_CHANNELS * N_CLASSES + N_CLASSES


def expected_shapes() -> dict[str, tuple[int, ...]]:
    """Every key the weights must hold, with its shape."""
    shapes: dict[str, tuple[int, ...]] = {}
    for conv in CONVS:
        shapes[f"{conv.key}.weight"] = conv.weight_shape
        for part in ("weight", "bias", "running_mean", "running_var"):
            shapes[f"{conv.bn}.{part}"] = (conv.out_channels,)
    shapes[f"{FC_KEY}.weight"] = (N_CLASSES, HEAD_CHANNELS)
    shapes[f"{FC_KEY}.bias"] = (N_CLASSES,)
    return shapes
