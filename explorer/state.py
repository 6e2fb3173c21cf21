"""The document: one Qt-free, evented model of what the user has set up.

Panels read and write it; nothing here knows about Qt. Every attribute change emits a psygnal
signal (``document.layer.events.stride``, ``document.filters.changed`` …) so views stay thin.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from psygnal import Signal, evented

from explorer.core.pipeline import LayerSpec, NamedStack

PADDINGS = ("valid", "same", "full", "custom")
PAD_MODES = ("zeros", "reflect", "replicate", "circular")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "abs", "identity")
POOL_MODES = ("none", "max", "avg")
LEVEL_MODES = ("per_map", "shared", "fixed")
MAX_FILTERS = 16
MAX_KERNEL = 15

# The filters a new document starts with: the lecture's edge detectors first.
DEFAULT_PRESETS = (
    "vertical_edge", "horizontal_edge", "sobel_x", "sobel_y",
    "laplacian", "gaussian_blur", "sharpen", "emboss",
    "scharr_x", "scharr_y", "prewitt_x", "prewitt_y",
    "outline", "box_blur", "motion_blur", "identity",
)


@evented
@dataclass
class LayerSettings:
    """One convolution layer followed by an activation and an optional pooling."""

    n_filters: int = 4
    kernel_h: int = 3
    kernel_w: int = 3
    padding: str = "same"  # one of PADDINGS; "custom" uses pad_h/pad_w
    pad_h: int = 1
    pad_w: int = 1
    pad_mode: str = "zeros"
    stride: int = 1
    dilation: int = 1
    flip: bool = False  # False: cross-correlation (what CNN layers compute)
    activation: str = "relu"
    pool_mode: str = "max"
    pool_size: int = 2
    pool_stride: int = 2

    def conv_padding(self) -> str | tuple[int, int]:
        """The padding argument of ``convolve`` for these settings."""
        if self.padding == "custom":
            return (self.pad_h, self.pad_w)
        return self.padding

    def reset(self) -> None:
        for f in dataclasses.fields(LayerSettings):
            setattr(self, f.name, f.default)


@evented
@dataclass
class InputSettings:
    """How the source picture becomes the layer's input."""

    grayscale: bool = False  # gray input: kernels become 1 channel deep
    max_side: int = 640  # processing size: the longer side is scaled down to this

    def reset(self) -> None:
        for f in dataclasses.fields(InputSettings):
            setattr(self, f.name, f.default)


@evented
@dataclass
class DisplaySettings:
    """How feature maps are coloured."""

    levels: str = "per_map"  # one of LEVEL_MODES
    fixed_limit: float = 255.0  # |value| shown at full colour when levels == "fixed"
    show_pooled: bool = True
    selected_filter: int = 0  # the filter the kernel editor shows and the tiles highlight

    def reset(self) -> None:
        for f in dataclasses.fields(DisplaySettings):
            setattr(self, f.name, f.default)


@dataclass
class Filter:
    """One filter: a (kh, kw, C) weight volume, its bias and a display name."""

    name: str
    weights: np.ndarray
    bias: float = 0.0


def _fit_kernel(weights: np.ndarray, kh: int, kw: int, channels: int) -> np.ndarray:
    """Centre-crop or zero-pad a (h, w, C) kernel to (kh, kw, channels)."""
    h, w, c = weights.shape
    if c != channels:
        # spread the channel mean over the new depth so the response keeps its scale
        plane = weights.sum(axis=2) / channels
        weights = np.repeat(plane[:, :, None], channels, axis=2)
    out = np.zeros((kh, kw, channels), np.float32)
    sh, sw = min(h, kh), min(w, kw)
    src_y, src_x = (h - sh) // 2, (w - sw) // 2
    dst_y, dst_x = (kh - sh) // 2, (kw - sw) // 2
    out[dst_y:dst_y + sh, dst_x:dst_x + sw] = weights[src_y:src_y + sh, src_x:src_x + sw]
    return out


def spread_over_channels(kernel2d: np.ndarray, channels: int) -> np.ndarray:
    """A (kh, kw) kernel as a (kh, kw, C) volume that applies it to the channel mean."""
    k = np.asarray(kernel2d, np.float32)
    return np.repeat(k[:, :, None] / channels, channels, axis=2)


class FilterBank:
    """The layer's filters. Emits ``changed`` after any edit."""

    changed = Signal()

    def __init__(self, kernel_h: int = 3, kernel_w: int = 3, channels: int = 3) -> None:
        self._kh, self._kw, self._channels = kernel_h, kernel_w, channels
        self._filters: list[Filter] = []

    # --- reading -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._filters)

    def __getitem__(self, i: int) -> Filter:
        return self._filters[i]

    @property
    def channels(self) -> int:
        return self._channels

    @property
    def kernel_shape(self) -> tuple[int, int]:
        return (self._kh, self._kw)

    def weights(self) -> np.ndarray:
        """All filters as one (K, kh, kw, C) float32 array (a copy)."""
        if not self._filters:
            return np.zeros((0, self._kh, self._kw, self._channels), np.float32)
        return np.stack([f.weights for f in self._filters]).astype(np.float32)

    def biases(self) -> np.ndarray:
        return np.array([f.bias for f in self._filters], np.float32)

    def names(self) -> list[str]:
        return [f.name for f in self._filters]

    # --- editing -------------------------------------------------------------------------
    def set_filter(self, i: int, weights: np.ndarray, name: str | None = None) -> None:
        """Replace filter i's weights: (kh, kw) spreads over the channels; (kh, kw, C) as is."""
        w = np.asarray(weights, np.float32)
        if w.ndim == 2:
            w = spread_over_channels(w, self._channels)
        if w.ndim != 3 or w.shape[2] != self._channels:
            raise ValueError(
                f"a filter of shape {w.shape} does not fit {self._channels}-channel input"
            )
        if not np.all(np.isfinite(w)):
            raise ValueError("kernel weights must be finite numbers (no NaN or infinity)")
        w = _fit_kernel(w, self._kh, self._kw, self._channels)
        f = self._filters[i]
        f.weights = w
        if name is not None:
            f.name = name
        self.changed.emit()

    def set_bias(self, i: int, bias: float) -> None:
        if not np.isfinite(bias):
            raise ValueError("the bias must be a finite number")
        self._filters[i].bias = float(bias)
        self.changed.emit()

    def set_name(self, i: int, name: str) -> None:
        self._filters[i].name = name
        self.changed.emit()

    def set_filters(self, filters: list[Filter]) -> None:
        """Replace every filter at once (a preset set, a loaded model)."""
        self._filters = [
            Filter(f.name, self._as_volume(f.weights), float(f.bias)) for f in filters
        ]
        self.changed.emit()

    def _as_volume(self, weights: np.ndarray) -> np.ndarray:
        """Any 2-D or 3-D kernel as this bank's (kh, kw, C) volume."""
        w = np.asarray(weights, np.float32)
        if w.ndim == 2:
            w = spread_over_channels(w, self._channels)
        return _fit_kernel(w, self._kh, self._kw, self._channels)

    def resize(self, count: int, make: Callable[[int], Filter]) -> None:
        """Keep the first ``count`` filters; new ones come from ``make(index) -> Filter``."""
        count = max(1, min(MAX_FILTERS, int(count)))
        if count == len(self._filters):
            return
        if count < len(self._filters):
            del self._filters[count:]
        else:
            for i in range(len(self._filters), count):
                f = make(i)
                self._filters.append(Filter(f.name, self._as_volume(f.weights), f.bias))
        self.changed.emit()

    def reshape(self, kernel_h: int, kernel_w: int, channels: int) -> None:
        """Change every kernel's size or depth, keeping its centre."""
        if (kernel_h, kernel_w, channels) == (self._kh, self._kw, self._channels):
            return
        self._kh, self._kw, self._channels = kernel_h, kernel_w, channels
        for f in self._filters:
            f.weights = _fit_kernel(f.weights, kernel_h, kernel_w, channels)
        self.changed.emit()


class Document:
    """Everything the user has set up: the input picture, the layer, the filters, the display."""

    image_changed = Signal()  # a new source picture (``image`` and ``source_name``)

    def __init__(self) -> None:
        self.layer = LayerSettings()
        self.input = InputSettings()
        self.display = DisplaySettings()
        self.filters = FilterBank(self.layer.kernel_h, self.layer.kernel_w, 3)
        self.image: np.ndarray | None = None  # the source picture, uint8 (H, W, 3) or (H, W)
        self.source_name: str = ""
        self._setting_kernel_size = False
        self.filters.resize(self.layer.n_filters, default_filter)
        self.layer.events.n_filters.connect(self._on_n_filters_changed)
        self.layer.events.kernel_h.connect(self._on_kernel_size_changed)
        self.layer.events.kernel_w.connect(self._on_kernel_size_changed)
        self.input.events.grayscale.connect(self._on_kernel_size_changed)

    # --- the source ----------------------------------------------------------------------
    def set_image(self, image: np.ndarray, name: str) -> None:
        self.image = image
        self.source_name = name
        self.image_changed.emit()

    @property
    def channels(self) -> int:
        return 1 if self.input.grayscale else 3

    # --- reactions -----------------------------------------------------------------------
    def _on_n_filters_changed(self, n: int) -> None:
        # clamp the selection first, so no view ever sees it point past the last filter
        count = max(1, min(MAX_FILTERS, int(n)))
        if self.display.selected_filter >= count:
            self.display.selected_filter = count - 1
        self.filters.resize(count, default_filter)

    def _on_kernel_size_changed(self, *_: object) -> None:
        if not self._setting_kernel_size:
            self.filters.reshape(self.layer.kernel_h, self.layer.kernel_w, self.channels)

    def set_kernel_size(self, height: int, width: int) -> None:
        """Change both kernel sides with one reshape of the filters (not two half-way ones)."""
        self._setting_kernel_size = True
        try:
            self.layer.kernel_h = height
            self.layer.kernel_w = width
        finally:
            self._setting_kernel_size = False
        self._on_kernel_size_changed()

    # --- requests ------------------------------------------------------------------------
    def layer_spec(self) -> LayerSpec:
        """An immutable snapshot of the layer, ready for the pipeline."""
        lay = self.layer
        return LayerSpec(
            weights=self.filters.weights(),
            bias=self.filters.biases(),
            stride=(lay.stride, lay.stride),
            padding=lay.conv_padding(),
            pad_mode=lay.pad_mode,
            dilation=(lay.dilation, lay.dilation),
            flip=lay.flip,
            activation=lay.activation,
            pool_mode=lay.pool_mode,
            pool_size=lay.pool_size,
            pool_stride=lay.pool_stride,
        )

    def use_stack(self, stack: NamedStack) -> None:
        """Take the first layer of a stack from elsewhere (learned or pretrained kernels)."""
        spec, names = stack.layers[0], stack.filter_names[0]
        kh, kw = spec.kernel_shape
        self.input.grayscale = spec.channels == 1
        self.layer.n_filters = spec.n_filters
        self.set_kernel_size(kh, kw)
        self.filters.set_filters([Filter(n, w, float(b))
                                  for n, w, b in zip(names, spec.weights, spec.bias, strict=True)])

    def reset(self) -> None:
        """Back to the settings a new installation starts with (the picture stays)."""
        self.display.reset()
        self.input.reset()
        self.layer.reset()
        self.filters.set_filters([default_filter(i) for i in range(self.layer.n_filters)])


def default_filter(index: int) -> Filter:
    """The filter a new slot gets: the next lecture preset, cycling through them."""
    from explorer.core import kernels

    name = DEFAULT_PRESETS[index % len(DEFAULT_PRESETS)]
    return Filter(name, kernels.get(name).weights, 0.0)


__all__ = [
    "ACTIVATIONS", "LEVEL_MODES", "PADDINGS", "PAD_MODES", "POOL_MODES",
    "DisplaySettings", "Document", "Filter", "FilterBank", "InputSettings", "LayerSettings",
    "default_filter",
]
