"""The document: everything the user has set up, in one Qt-free, evented, validated model.

It holds the source (a still picture and, separately, the state of a live feed: going live
never replaces the still), the picture being explored now (the still or the newest live
frame, which every tab follows), the stack of layers with their filter banks, the selection,
the display settings, the Parameters tab's comparison and every other tab's settings. Views
read it and write user edits to it; controllers turn its changes into work. Saved and restored
as a session (:mod:`explorer.state.session`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from explorer.core.images import processing_size
from explorer.core.pipeline import LayerSpec, NamedStack
from explorer.state.layer import Filter, FilterBank, Layer, LayerSettings
from explorer.state.limits import ACTIVATIONS, MAX_FILTERS, MAX_KERNEL, PAD_MODES
from explorer.state.settings import (
    DisplaySettings,
    InputSettings,
    LiveSettings,
    LiveState,
    ParamsSettings,
    Selection,
)
from explorer.state.stack import Stack, random_filters
from explorer.state.tabs import (
    NetworkSettings,
    PoolingSettings,
    StepThroughSettings,
    TextSettings,
    TrainingSettings,
    TranslationSettings,
)

# The filters a new document starts with: the lecture's edge detectors first.
DEFAULT_PRESETS = (
    "vertical_edge", "horizontal_edge", "sobel_x", "sobel_y",
    "laplacian", "gaussian_blur", "sharpen", "emboss",
    "scharr_x", "scharr_y", "prewitt_x", "prewitt_y",
    "outline", "box_blur", "motion_blur", "identity",
)
NO_PICTURE = (480, 640)  # what sizes assume before any picture: a webcam's 4:3 frame


def default_filter(bank: FilterBank | None, index: int) -> Filter:
    """The filter a first-layer slot gets: the next lecture preset, cycling through them."""
    from explorer.core import kernels

    name = DEFAULT_PRESETS[index % len(DEFAULT_PRESETS)]
    return Filter(name, kernels.get(name).weights, 0.0)


@dataclass(frozen=True, eq=False)
class Picture:
    """The picture being explored: the still, or one frame of a live source.

    ``source`` numbers the sources: a new still, a live feed started and the way back to the
    still each get a new one, so a tab can drop what belonged to the old source (an overlay,
    a readout) while frames of the same source (``sequence``) only refresh it.
    """

    image: np.ndarray  # uint8 (H, W, 3) RGB or (H, W) gray; never written to
    name: str
    live: bool
    source: int
    sequence: int = 0


@dataclass
class Still:
    """The still picture: the photo the user opened (kept while a live feed runs)."""

    image: np.ndarray | None = None  # uint8 (H, W, 3) RGB or (H, W) gray
    name: str = ""
    path: str | None = None  # the file it came from; None for a pasted or captured picture


class Document:
    """The model of the app. See the module docstring."""

    source_changed = Signal()  # the still picture changed, or live started, stopped or resized
    picture_changed = Signal(object)  # the Picture being explored (a still, or a live frame)

    def __init__(self) -> None:
        self.input = InputSettings()
        self.live_settings = LiveSettings()
        self.live = LiveState()
        self.display = DisplaySettings()
        self.selection = Selection()
        self.params = ParamsSettings()
        self.stepthrough = StepThroughSettings()
        self.text = TextSettings()
        self.training = TrainingSettings()
        self.translation = TranslationSettings()
        self.pooling = PoolingSettings()
        self.network = NetworkSettings()
        self.still = Still()
        self._picture: Picture | None = None
        self._source = 0
        self._feed = self._feed_source = -1  # the live run whose frames are shown
        self.stack = Stack(3, first_filter=default_filter)
        self.input.events.grayscale.connect(self._on_grayscale_changed)
        self.stack.changed.connect(self.clamp_selection)
        self.stack.layer_changed.connect(self._on_layer_changed)
        self.selection.events.layer.connect(self.clamp_selection)
        for name in ("active", "frame_height", "frame_width"):
            getattr(self.live.events, name).connect(self._on_live_source_changed)
        self.live.events.active.connect(self._on_live_active)

    # --- the selected layer --------------------------------------------------------------
    @property
    def selected_layer(self) -> Layer:
        return self.stack[self.selected_index]

    @property
    def selected_index(self) -> int:
        return min(max(self.selection.layer, 0), len(self.stack) - 1)

    @property
    def layer(self) -> LayerSettings:
        """The selected layer's settings."""
        return self.selected_layer.settings

    @property
    def filters(self) -> FilterBank:
        """The selected layer's filters."""
        return self.selected_layer.filters

    def selected_filter(self) -> int:
        """The selected filter, kept within the selected layer's filters."""
        return min(max(self.selection.filter, 0), len(self.filters) - 1)

    def set_kernel_size(self, height: int, width: int) -> None:
        """Both kernel sides of the selected layer, with one reshape of its filters."""
        self.selected_layer.set_kernel_size(height, width)

    def layer_spec(self, index: int | None = None) -> LayerSpec:
        """A snapshot of one layer (the selected one by default) for the pipeline."""
        return self.stack[self.selected_index if index is None else index].spec()

    def stack_specs(self) -> tuple[LayerSpec, ...]:
        return self.stack.specs()

    # --- the source ----------------------------------------------------------------------
    @property
    def image(self) -> np.ndarray | None:
        """The still picture (never a live frame)."""
        return self.still.image

    @property
    def source_name(self) -> str:
        return self.live.name if self.live.active else self.still.name

    def set_still(self, image: np.ndarray, name: str, path: str | None = None) -> None:
        """A new still picture (uint8, gray or RGB); a gray one switches to gray input."""
        image = np.asarray(image)
        if image.dtype != np.uint8 or not (
                image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)) \
                or min(image.shape[:2]) < 1:
            raise ValueError(f"a picture is (H, W) or (H, W, 3) uint8, not {image.dtype} of "
                             f"shape {image.shape}")
        self.still = Still(image, str(name), path)
        self.input.grayscale = image.ndim == 2
        self.source_changed.emit()
        if not self.live.active:
            self._show_still()

    # --- the picture being explored ------------------------------------------------------
    @property
    def picture(self) -> Picture | None:
        """The still, or while live the newest frame (None before any picture)."""
        return self._picture

    def show_frame(self, image: np.ndarray, feed: int, sequence: int) -> None:
        """A frame of live run ``feed`` becomes the picture being explored (every frame)."""
        if not self.live.active:
            return
        if feed != self._feed:  # a new camera or video: a new source
            self._feed, self._feed_source = feed, self._new_source()
        self._picture = Picture(image, self.live.name, True, self._feed_source, sequence)
        self.picture_changed.emit(self._picture)

    def _new_source(self) -> int:
        self._source += 1
        return self._source

    def _show_still(self) -> None:
        still = self.still
        self._picture = None if still.image is None else Picture(
            still.image, still.name, False, self._new_source())
        self.picture_changed.emit(self._picture)

    @property
    def channels(self) -> int:
        """The picture's channels as the first layer sees them."""
        return 1 if self.input.grayscale else 3

    def source_shape(self) -> tuple[int, int] | None:
        """(rows, columns) of the picture being explored: the live frame, or the still."""
        if self.live.active and self.live.frame_height and self.live.frame_width:
            return (self.live.frame_height, self.live.frame_width)
        if self.still.image is not None:
            return tuple(self.still.image.shape[:2])  # type: ignore[return-value]
        return None

    def processing_side(self) -> int:
        """The longest side the first layer computes at, for the current source."""
        return self.input.live_side if self.live.active else self.input.max_side

    def processing_shape(self) -> tuple[int, int]:
        """(rows, columns) the first layer sees (a webcam's 480×640 before any picture)."""
        h, w = self.source_shape() or NO_PICTURE
        return processing_size(h, w, self.processing_side())

    # --- a stack from elsewhere ----------------------------------------------------------
    def use_stack(self, stack: NamedStack) -> None:
        """Replace the layers by learned or pretrained ones. Raises ValueError if they do not
        fit the explorer (a first layer that is not 1 or 3 channels deep, too many filters)."""
        if not stack.layers:
            raise ValueError("there are no layers to use")
        first = stack.layers[0].channels
        if first not in (1, 3):
            raise ValueError(f"the first layer's kernels are {first} deep; the explorer's "
                             "pictures have 1 (gray) or 3 (colour) channels")
        layers = []
        for i, spec in enumerate(stack.layers):
            names = stack.filter_names[i] if i < len(stack.filter_names) else ()
            layers.append(layer_from_spec(spec, names, i))
        self.input.grayscale = first == 1
        self.stack.replace(layers)
        self.selection.layer = 0
        self.selection.filter = 0

    def tab_settings(self) -> dict[str, object]:
        """The tabs' own settings by their session section name."""
        return {"stepthrough": self.stepthrough, "text": self.text, "training": self.training,
                "translation": self.translation, "network": self.network,
                "pooling": self.pooling}

    # --- reactions -----------------------------------------------------------------------
    def _on_grayscale_changed(self, *_: object) -> None:
        self.stack.set_input_channels(self.channels)

    def _on_layer_changed(self, index: int, name: str) -> None:
        if name == "n_filters":
            self.clamp_selection()

    def clamp_selection(self, *_: object) -> None:
        if self.selection.layer >= len(self.stack):
            self.selection.layer = len(self.stack) - 1
        count = len(self.filters)
        if self.selection.filter >= count:
            self.selection.filter = count - 1

    def _on_live_active(self, active: bool) -> None:
        if active:  # the still stays on show until the first frame arrives
            return
        self._feed = -1
        self._show_still()  # back to the still: a new source, so nothing of the feed stays

    def _on_live_source_changed(self, *_: object) -> None:
        self.source_changed.emit()

    # --- starting afresh -----------------------------------------------------------------
    def reset(self) -> None:
        """Back to the settings a new installation starts with (the picture stays)."""
        for settings in (self.display, self.input, self.selection, self.params,
                         self.live_settings, self.stack.head, *self.tab_settings().values()):
            settings.reset()
        self.stack.replace([Layer(channels=self.channels, make=default_filter)])
        if self.still.image is not None:
            self.input.grayscale = self.still.image.ndim == 2


def layer_from_spec(spec: LayerSpec, names: tuple[str, ...] | list[str], index: int) -> Layer:
    """A document layer holding a pipeline layer's settings and weights (ValueError if the
    explorer cannot hold them)."""
    k, kh, kw, c = spec.weights.shape
    if not 1 <= k <= MAX_FILTERS:
        raise ValueError(f"layer {index + 1} has {k} filters; the explorer shows at most "
                         f"{MAX_FILTERS}")
    if max(kh, kw) > MAX_KERNEL:
        raise ValueError(f"layer {index + 1}'s kernels are {kh}×{kw}; the explorer edits "
                         f"kernels up to {MAX_KERNEL}×{MAX_KERNEL}")
    if spec.stride[0] != spec.stride[1] or spec.dilation[0] != spec.dilation[1]:
        raise ValueError(f"layer {index + 1} has a different stride or dilation along rows "
                         "and columns; the explorer uses one for both")
    if spec.activation not in ACTIVATIONS or spec.pad_mode not in PAD_MODES:
        raise ValueError(f"layer {index + 1} uses {spec.activation} with {spec.pad_mode} "
                         "padding, which the explorer does not have")
    padding: dict[str, object]
    if isinstance(spec.padding, str):
        padding = {"padding": spec.padding}
    else:
        pads = spec.padding if isinstance(spec.padding, tuple) else (spec.padding,) * 2
        padding = {"padding": "custom", "pad_h": int(pads[0]), "pad_w": int(pads[1])}
    settings = LayerSettings(
        n_filters=k, kernel_h=kh, kernel_w=kw, stride=int(spec.stride[0]),
        dilation=int(spec.dilation[0]), pad_mode=spec.pad_mode, flip=bool(spec.flip),
        activation=spec.activation, pool_mode=spec.pool_mode, pool_size=spec.pool_size,
        pool_stride=spec.pool_stride, **padding)  # type: ignore[arg-type]
    layer = Layer(settings, channels=c, make=random_filters(index))
    names = list(names) + [f"filter {i + 1}" for i in range(len(names), k)]
    layer.filters.set_filters([Filter(names[i], spec.weights[i], float(spec.bias[i]))
                               for i in range(k)])
    return layer
