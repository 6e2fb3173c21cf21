"""One block of the stack: a convolution's settings and its bank of filters.

A filter bank keeps what a smaller kernel, a shallower input or a lower filter count cut off,
so that shrinking and growing again gives back the same kernels: a filter remembers the volume
it was last edited as, and filters removed by a lower count wait on a shelf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from psygnal import Signal, evented

from explorer.core.pipeline import LayerSpec
from explorer.state.limits import MAX_FILTERS, Validated

MAX_NAME = 200


@evented
@dataclass
class LayerSettings(Validated):
    """One convolution followed by an activation and an optional pooling."""

    n_filters: int = 4
    kernel_h: int = 3
    kernel_w: int = 3
    padding: str = "same"  # "valid", "same", "full" or "custom" (pad_h, pad_w)
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


@dataclass
class Filter:
    """One filter: a (kh, kw, C) weight volume, its bias and a display name.

    ``memory`` is the volume as it was last edited, when a reshape has since cut or padded it:
    every reshape fits the weights from it anew, so growing the kernel again restores what a
    smaller one cut. Editing the weights forgets it. ``random``: the weights were drawn at
    random, as a network's before training, and never edited since (maps made with them are
    labelled so).
    """

    name: str
    weights: np.ndarray
    bias: float = 0.0
    memory: np.ndarray | None = None
    random: bool = False


def fit_kernel(weights: np.ndarray, kh: int, kw: int, channels: int,
               spread: bool = False) -> np.ndarray:
    """A (h, w, C) kernel as (kh, kw, channels): centre-cropped or zero-padded in space.

    In depth, the slices that fit are kept and new ones are zero; with ``spread`` the
    channel sum is instead spread evenly over the new depth, so a kernel keeps its response to
    a gray picture when the input turns from colour to gray or back.
    """
    w = np.asarray(weights, np.float32)
    h, ww, c = w.shape
    if c != channels:
        if spread:
            plane = w.sum(axis=2) / channels
            w = np.repeat(plane[:, :, None], channels, axis=2)
        else:
            deeper = np.zeros((h, ww, channels), np.float32)
            keep = min(c, channels)
            deeper[:, :, :keep] = w[:, :, :keep]
            w = deeper
    out = np.zeros((kh, kw, channels), np.float32)
    sh, sw = min(h, kh), min(ww, kw)
    src_y, src_x = (h - sh) // 2, (ww - sw) // 2
    dst_y, dst_x = (kh - sh) // 2, (kw - sw) // 2
    out[dst_y:dst_y + sh, dst_x:dst_x + sw] = w[src_y:src_y + sh, src_x:src_x + sw]
    return out


# makes the filter a bank needs at index i when it grows: (bank, i) -> Filter
FilterMaker = Callable[["FilterBank", int], Filter]


def spread_over_channels(kernel2d: np.ndarray, channels: int) -> np.ndarray:
    """A (kh, kw) kernel as a (kh, kw, C) volume that applies it to the channel mean."""
    k = np.asarray(kernel2d, np.float32)
    return np.repeat(k[:, :, None] / channels, channels, axis=2)


class FilterBank:
    """The filters of one layer. Emits ``changed`` after any edit."""

    changed = Signal()

    def __init__(self, kernel_h: int = 3, kernel_w: int = 3, channels: int = 3) -> None:
        self._kh, self._kw, self._channels = kernel_h, kernel_w, channels
        self._filters: list[Filter] = []
        self._shelf: list[Filter] = []  # filters a lower count removed, nearest first

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

    @property
    def random(self) -> bool:
        """Every filter is still as drawn at random (no kernel learned, chosen or edited)."""
        return all(f.random for f in self._filters)

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
        _check_finite(w)
        f = self._filters[i]
        f.weights = fit_kernel(w, self._kh, self._kw, self._channels)
        f.memory = None
        f.random = False
        if name is not None:
            f.name = name
        self.changed.emit()

    def set_bias(self, i: int, bias: float) -> None:
        if not np.isfinite(bias) or abs(bias) > 3e38:
            raise ValueError("the bias must be a finite number")
        self._filters[i].bias = float(bias)
        self.changed.emit()

    def set_name(self, i: int, name: str) -> None:
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            raise ValueError(f"a filter's name is 1 to {MAX_NAME} characters of text")
        self._filters[i].name = name
        self.changed.emit()

    def set_filters(self, filters: list[Filter]) -> None:
        """Replace every filter at once (a preset set, a loaded model)."""
        if not 1 <= len(filters) <= MAX_FILTERS:
            raise ValueError(f"a layer has 1 to {MAX_FILTERS} filters, not {len(filters)}")
        made = []
        for f in filters:
            w = self._as_volume(f.weights)
            _check_finite(w)
            made.append(Filter(f.name, w, float(f.bias), random=f.random))
        self._filters = made
        self._shelf = []
        self.changed.emit()

    def _as_volume(self, weights: np.ndarray) -> np.ndarray:
        """Any 2-D or 3-D kernel as this bank's (kh, kw, C) volume."""
        w = np.asarray(weights, np.float32)
        if w.ndim == 2:
            w = spread_over_channels(w, self._channels)
        if w.ndim != 3:
            raise ValueError(f"a kernel must be 2-D or 3-D, not of shape {w.shape}")
        return fit_kernel(w, self._kh, self._kw, self._channels, spread=w.shape[2] in (1, 3))

    def resize(self, count: int, make: FilterMaker) -> None:
        """Keep the first ``count`` filters; new ones come off the shelf, else ``make(bank, i)``."""
        count = max(1, min(MAX_FILTERS, int(count)))
        if count == len(self._filters):
            return
        if count < len(self._filters):
            removed = self._filters[count:]
            del self._filters[count:]
            self._shelf = removed + self._shelf
        else:
            for i in range(len(self._filters), count):
                if self._shelf:
                    f = self._shelf.pop(0)
                    self._filters.append(self._refit(f))
                else:
                    f = make(self, i)
                    self._filters.append(Filter(f.name, self._as_volume(f.weights), f.bias,
                                                random=f.random))
        self.changed.emit()

    def reshape(self, kernel_h: int, kernel_w: int, channels: int, spread: bool = False) -> None:
        """Change every kernel's size or depth, keeping its centre and the slices that fit.

        What is cut is remembered (see :class:`Filter`) and given back by a later reshape that
        makes room for it again, as long as the filter was not edited in between.
        """
        if (kernel_h, kernel_w, channels) == (self._kh, self._kw, self._channels):
            return
        self._kh, self._kw, self._channels = kernel_h, kernel_w, channels
        self._filters = [self._refit(f, spread) for f in self._filters]
        self.changed.emit()

    def _refit(self, f: Filter, spread: bool = False) -> Filter:
        """``f`` fitted to the bank's shape from the volume it was last edited as."""
        source = f.memory if f.memory is not None else f.weights
        fitted = fit_kernel(source, self._kh, self._kw, self._channels, spread)
        return Filter(f.name, fitted, f.bias, source if source.shape != fitted.shape else None,
                      f.random)


def _check_finite(w: np.ndarray) -> None:
    if not np.all(np.isfinite(w)):
        raise ValueError("kernel weights must be finite numbers (no NaN or infinity)")
    if w.size and float(np.abs(w).max()) > 1e30:
        raise ValueError("kernel weights must be below 10³⁰ in size: larger ones overflow "
                         "the 32-bit numbers the maps are computed in")


class Layer:
    """A block of the stack: its settings and its filters, kept in step with each other."""

    def __init__(self, settings: LayerSettings | None = None, channels: int = 3,
                 make: FilterMaker | None = None) -> None:
        self.settings = settings or LayerSettings()
        s = self.settings
        self.filters = FilterBank(s.kernel_h, s.kernel_w, channels)
        self._make = make or zero_filter
        self.filters.resize(s.n_filters, self._make)
        self._setting_kernel_size = False
        s.events.n_filters.connect(self._on_n_filters_changed)
        s.events.kernel_h.connect(self._on_kernel_size_changed)
        s.events.kernel_w.connect(self._on_kernel_size_changed)

    @property
    def channels(self) -> int:
        return self.filters.channels

    def set_channels(self, channels: int, spread: bool = False) -> None:
        kh, kw = self.filters.kernel_shape
        self.filters.reshape(kh, kw, channels, spread)

    def set_kernel_size(self, height: int, width: int) -> None:
        """Change both kernel sides with one reshape of the filters (not two half-way ones)."""
        self._setting_kernel_size = True
        try:
            self.settings.kernel_h = height
            self.settings.kernel_w = width
        finally:
            self._setting_kernel_size = False
        self._on_kernel_size_changed()

    def _on_n_filters_changed(self, n: int) -> None:
        self.filters.resize(n, self._make)

    def _on_kernel_size_changed(self, *_: object) -> None:
        if not self._setting_kernel_size:
            s = self.settings
            self.filters.reshape(s.kernel_h, s.kernel_w, self.filters.channels)

    def spec(self) -> LayerSpec:
        """An immutable snapshot for the pipeline."""
        s = self.settings
        return LayerSpec(
            weights=self.filters.weights(), bias=self.filters.biases(),
            stride=(s.stride, s.stride), padding=s.conv_padding(), pad_mode=s.pad_mode,
            dilation=(s.dilation, s.dilation), flip=s.flip, activation=s.activation,
            pool_mode=s.pool_mode, pool_size=s.pool_size, pool_stride=s.pool_stride,
        )

    def disconnect(self) -> None:
        s = self.settings
        s.events.n_filters.disconnect(self._on_n_filters_changed)
        s.events.kernel_h.disconnect(self._on_kernel_size_changed)
        s.events.kernel_w.disconnect(self._on_kernel_size_changed)


def zero_filter(bank: FilterBank, i: int) -> Filter:
    """A filter of zeros, named by its position."""
    kh, kw = bank.kernel_shape
    return Filter(f"filter {i + 1}", np.zeros((kh, kw, bank.channels), np.float32))
