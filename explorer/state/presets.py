"""Stacks to start from: the single layer of the first lectures, and deeper ones.

Deeper layers start from random weights (He initialisation, a fixed seed), as a network does
before training: their maps mix the first layer's edges in ways no preset names. A preset says
whether the stack ends in a dense head (the lecture's figure ends in fully connected layers).
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.state.layer import Layer, LayerSettings
from explorer.state.stack import Stack, random_filters


@dataclass(frozen=True)
class StackPreset:
    key: str
    label: str
    description: str
    blocks: tuple[dict[str, object], ...]  # LayerSettings fields of each block
    head: bool = False  # ends in a dense head with class scores


STACK_PRESETS: dict[str, StackPreset] = {p.key: p for p in (
    StackPreset(
        "single", "One layer (the first lectures)",
        "One convolution with the lecture's edge detectors, ReLU and 2×2 max pooling.",
        ({"n_filters": 4},)),
    StackPreset(
        "lecture_x2", "Lecture: conv → ReLU → pool ×2",
        "The lecture's alternating transformations twice: edges first, then 8 random "
        "filters that combine the 4 edge maps.",
        ({"n_filters": 4}, {"n_filters": 8})),
    StackPreset(
        "tinyvgg", "TinyVGG-like (3 stages)",
        "Three stages of 3×3 convolutions with 8, 16 and 16 filters, each followed by ReLU "
        "and 2×2 max pooling: the receptive field grows from 3 to 4, 8, 10, 18 and 22 pixels.",
        ({"n_filters": 8}, {"n_filters": 16}, {"n_filters": 16})),
    StackPreset(
        "lecture_fc", "Lecture figure: (conv → ReLU → pool) ×2 → FC",
        "The lecture's alternating figure: two conv → ReLU → pool stages, then a fully "
        "connected layer from every pooled value to 10 class scores. Its weights are random: "
        "it shows how many weights a dense layer on a picture needs.",
        ({"n_filters": 4}, {"n_filters": 8}), head=True),
)}


def use_stack_preset(stack: Stack, key: str, input_channels: int, first_filter) -> None:
    """Put preset ``key`` into ``stack``: its layers, and its dense head on or off."""
    stack.replace(build_stack(key, input_channels, first_filter))
    stack.head.on = STACK_PRESETS[key].head


def build_stack(key: str, input_channels: int, first_filter) -> list[Layer]:
    """The layers of preset ``key`` (ValueError for an unknown key)."""
    preset = STACK_PRESETS.get(key)
    if preset is None:
        raise ValueError(f"there is no stack preset called {key!r}: use one of "
                         + ", ".join(STACK_PRESETS))
    layers = []
    channels = input_channels
    for i, block in enumerate(preset.blocks):
        settings = LayerSettings(**block)  # type: ignore[arg-type]
        make = first_filter if i == 0 else random_filters(seed=i)
        layers.append(Layer(settings, channels=channels, make=make))
        channels = settings.n_filters
    return layers
