"""The stack of layers: conv → activation → pool blocks, each feeding the next.

Layer n + 1's input channels are layer n's filters, so a change of layer n's filter count
reshapes layer n + 1's kernels (keeping the slices that still fit). Views listen to the
stack's own signals, which name the layer by its position, rather than to one layer's events:
the layer a panel shows changes with the selection.

The stack may end in a dense head (:class:`HeadSettings`, ``stack.head``): the last stage's
maps flattened into N class scores, as the lecture's figure ends in fully connected layers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from psygnal import Signal, evented

from explorer.core.dense_head import HeadSpec
from explorer.core.kernels import randomize
from explorer.core.pipeline import LayerSpec
from explorer.state.layer import Filter, FilterBank, FilterMaker, Layer, LayerSettings
from explorer.state.limits import MAX_LAYERS, Validated


@evented
@dataclass
class HeadSettings(Validated):
    """A dense (fully connected) head after the last stage: on or off, its classes, and the
    seed of its random weights (no network was trained for it)."""

    on: bool = False
    classes: int = 10
    seed: int = 0

    def spec(self) -> HeadSpec | None:
        """The head as a request carries it (None when the stack ends in its last stage)."""
        return HeadSpec(self.classes, self.seed) if self.on else None


class Stack:
    """An ordered list of :class:`Layer`s with one set of signals for all of them."""

    changed = Signal()  # layers added, removed, moved or replaced: views rebuild
    layer_changed = Signal(int, str)  # (layer index, setting name) after a setting changed
    filters_changed = Signal(int)  # layer index, after its filter bank changed

    def __init__(self, input_channels: int = 3, first_filter: FilterMaker | None = None) -> None:
        self._input_channels = input_channels
        self._first_filter = first_filter
        self._layers: list[Layer] = []
        self.head = HeadSettings()  # its events are its own: head.events.all
        self._wiring: dict[int, list[tuple[object, Callable]]] = {}
        self._append(Layer(channels=input_channels, make=first_filter))

    # --- reading -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._layers)

    def __getitem__(self, i: int) -> Layer:
        return self._layers[i]

    def __iter__(self) -> Iterator[Layer]:
        return iter(self._layers)

    @property
    def input_channels(self) -> int:
        return self._input_channels

    def channels_into(self, i: int) -> int:
        """How many maps layer ``i`` sees: the picture's channels, or layer i − 1's filters."""
        return self._input_channels if i == 0 else self._layers[i - 1].settings.n_filters

    def index_of(self, layer: Layer) -> int:
        for i, candidate in enumerate(self._layers):
            if candidate is layer:
                return i
        raise ValueError("that layer is not in the stack")

    def specs(self) -> tuple[LayerSpec, ...]:
        """Immutable snapshots of every layer, in order, for the pipeline."""
        return tuple(layer.spec() for layer in self._layers)

    # --- structure -----------------------------------------------------------------------
    def insert(self, index: int, layer: Layer | None = None) -> Layer:
        """Insert a block at ``index`` (a copy of the settings before it when none is given)."""
        if len(self._layers) >= MAX_LAYERS:
            raise ValueError(f"a stack has at most {MAX_LAYERS} layers")
        index = max(0, min(index, len(self._layers)))
        if layer is None:
            template = self._layers[index - 1].settings if index > 0 else LayerSettings()
            make = self._first_filter if index == 0 else random_filters(seed=len(self._layers))
            layer = Layer(LayerSettings(**template.as_dict()), channels=self.channels_into(index),
                          make=make)
        self._layers.insert(index, layer)
        self._wire(layer)
        self._refit_channels()
        self.changed.emit()
        return layer

    def remove(self, index: int) -> None:
        if len(self._layers) <= 1:
            raise ValueError("the stack needs at least one layer")
        layer = self._layers.pop(index)
        self._unwire(layer)
        self._refit_channels()
        self.changed.emit()

    def move(self, index: int, to: int) -> None:
        """Move layer ``index`` to position ``to``; the kernels refit to their new input."""
        to = max(0, min(to, len(self._layers) - 1))
        if to == index:
            return
        layer = self._layers.pop(index)
        self._layers.insert(to, layer)
        self._refit_channels()
        self.changed.emit()

    def replace(self, layers: Sequence[Layer]) -> None:
        """Every layer at once (a preset stack, a session, learned kernels)."""
        if not 1 <= len(layers) <= MAX_LAYERS:
            raise ValueError(f"a stack has 1 to {MAX_LAYERS} layers, not {len(layers)}")
        for layer in self._layers:
            self._unwire(layer)
        self._layers = list(layers)
        for layer in self._layers:
            self._wire(layer)
        self._refit_channels()
        self.changed.emit()

    def set_input_channels(self, channels: int) -> None:
        """The picture turned gray (1) or colour (3): the first layer's kernels follow."""
        self._input_channels = channels
        self._layers[0].set_channels(channels, spread=True)

    # --- wiring --------------------------------------------------------------------------
    def _append(self, layer: Layer) -> None:
        self._layers.append(layer)
        self._wire(layer)

    def _wire(self, layer: Layer) -> None:
        def on_setting(info) -> None:  # psygnal's EmissionInfo: which field changed
            name = info.signal.name
            i = self.index_of(layer)
            if name == "n_filters" and i + 1 < len(self._layers):
                self._layers[i + 1].set_channels(layer.settings.n_filters)
            self.layer_changed.emit(i, name)

        def on_filters() -> None:
            self.filters_changed.emit(self.index_of(layer))

        links: list[tuple[object, Callable]] = [
            (layer.settings.events.all, on_setting), (layer.filters.changed, on_filters)]
        for signal, slot in links:
            signal.connect(slot)
        self._wiring[id(layer)] = links

    def _unwire(self, layer: Layer) -> None:
        for signal, slot in self._wiring.pop(id(layer), []):
            signal.disconnect(slot)

    def _refit_channels(self) -> None:
        for i, layer in enumerate(self._layers):
            layer.set_channels(self.channels_into(i), spread=i == 0)


def random_filters(seed: int) -> FilterMaker:
    """Filters as a network starts before training (He initialisation), reproducibly.

    They are named f1, f2 … (short enough for a small map's title)."""
    rng = np.random.default_rng(seed)

    def make(bank: FilterBank, i: int) -> Filter:
        kh, kw = bank.kernel_shape
        return Filter(f"f{i + 1}", randomize((kh, kw, bank.channels), rng), random=True)

    return make
