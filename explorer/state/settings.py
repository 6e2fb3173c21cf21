"""The document's small evented settings: input, live feed, display, selection, parameters."""

from __future__ import annotations

from dataclasses import dataclass

from psygnal import evented

from explorer.state.limits import Validated


@evented
@dataclass
class InputSettings(Validated):
    """How the source picture becomes the first layer's input."""

    grayscale: bool = False  # gray input: the first layer's kernels are 1 channel deep
    max_side: int = 640  # a still picture's processing size: its longer side at most this
    live_side: int = 480  # live frames' processing size (the shown size when fit_live)
    fit_live: bool = True  # compute live frames at the size they are shown


@evented
@dataclass
class LiveSettings(Validated):
    """The live feed's choices that outlive it (saved with the session)."""

    mirror: bool = False
    camera_width: int = 640
    camera_height: int = 480


@evented
@dataclass
class LiveState(Validated):
    """Whether a live source is running, and what it is. Never saved: a new start is still."""

    active: bool = False
    name: str = ""
    kind: str = ""  # "camera", "video" or "synthetic"
    frozen: bool = False
    frame_height: int = 0  # the newest frame's size (0 before the first frame)
    frame_width: int = 0


@evented
@dataclass
class DisplaySettings(Validated):
    """How feature maps are coloured and shown."""

    levels: str = "per_map"  # "per_map", "shared" or "fixed"
    fixed_limit: float = 255.0  # |value| shown at full colour when levels == "fixed"
    show_pooled: bool = True
    tab: str = "explorer"  # the tab on show
    cell_values: bool = True  # small maps and a zoomed-in input show each cell's value
    input_range: str = "full"  # the input's grey levels: "full" (0–255) or "own" (min–max)


@evented
@dataclass
class Selection(Validated):
    """The layer the controls edit and whose maps are large, and its selected filter."""

    layer: int = 0
    filter: int = 0


@evented
@dataclass
class ParamsSettings(Validated):
    """The Parameters tab's comparison: an example, the explorer's layer, or own numbers.

    ``scope`` says what is compared: one layer of each kind ("layer"), or a whole multilayer
    perceptron against a convolutional network on the same input ("network").
    """

    preset: str = "lecture_1000"  # a key of explorer.core.params.PRESETS, "current" or "custom"
    scope: str = "layer"
    stage: int = -1  # "current": the explorer layer it follows; -1 follows the selection
    height: int = 1000
    width: int = 1000
    channels: int = 1
    kernel_h: int = 10
    kernel_w: int = 10
    filters: int = 1
    units: int = 1_000_000  # 0: "auto", as many as the convolution's outputs
    stride: int = 1
    dilation: int = 1
    padding: str = "same"
    pad_h: int = 0
    pad_w: int = 0
    bias: bool = False
    more_filters: int = 100  # a fourth bar: the same window with this many filters (0: none)
    # the whole networks: hidden layers of ``units`` units, the classes both end in, and the
    # convolutional network's conv → pool stages and pooling window (1: no pooling)
    hidden_layers: int = 2
    classes: int = 10
    stages: int = 3
    pool: int = 2
