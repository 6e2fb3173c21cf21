"""The settings of the tabs beside the explorer: step-through, 1-D, training, translation,
network.

Each is an evented, validated dataclass in the document (``doc.stepthrough``, ``doc.text``,
``doc.training``, ``doc.translation``, ``doc.network``), saved with the session. A tab's
controller turns their changes into work and its view writes the user's edits to them, so a
lecturer can prepare every tab, save the session and reopen the lesson as it was. Numbers
typed into the step-through's grids, the 1-D tab's filters and its signal (a drawing, a
chosen signal, an opened WAV file) are edits: undo takes them back.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import ClassVar

from psygnal import evented

from explorer.core.stepthrough import EDIT_BLOCKS, Edit
from explorer.core.text.signal import KERNELS, MAX_TAPS
from explorer.core.training.trainer import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_EPOCHS,
    DEFAULT_LEARNING_RATE,
)
from explorer.state.limits import MAX_TEXT, RANGES, Validated

EXAMPLE_SENTENCE = "The film was not good, but the music was wonderful."
MAX_WIDTH_1D = 8  # the widest sentence filter, in tokens
MAX_GROUP = 16  # filters of one width
MAX_WORD_FILTERS = 16
MAX_EDITS = 10_000  # numbers typed into one step-through example
DEFAULT_SIGNAL_KERNEL = "central difference [−1, 0, 1] (edge)"


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{what} must be a number, not {value!r}"[:120])
    v = float(value)
    if not math.isfinite(v) or abs(v) > 1e9:
        raise ValueError(f"{what} must be a finite number below 10⁹ in size")
    return v


def _whole(value: object, what: str, low: int, high: int) -> int:
    v = _number(value, what)
    if not v.is_integer() or not low <= v <= high:
        raise ValueError(f"{what} must be a whole number from {low} to {high}, not {value!r}")
    return int(v)


def _sequence(value: object, what: str, most: int) -> list:
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{what} must be a list")
    if len(value) > most:
        raise ValueError(f"{what} holds more than {most} entries")
    return list(value)


def check_edits(value: object) -> tuple[Edit, ...]:
    """Typed numbers as the step-through stores them (see ``apply_edits``)."""
    edits = []
    for item in _sequence(value, "the step-through's typed numbers", MAX_EDITS):
        entry = _sequence(item, "a typed number", 6)
        if len(entry) != 6 or entry[0] not in EDIT_BLOCKS:
            raise ValueError("a typed number is [block, filter, row, column, channel, value] "
                             f"with block one of {', '.join(EDIT_BLOCKS)}")
        k, row, col, channel = (_whole(v, "an index", 0, 4096) for v in entry[1:5])
        edits.append((str(entry[0]), k, row, col, channel, _number(entry[5], "a typed value")))
    return tuple(edits)


def check_groups(value: object) -> tuple[tuple[int, int], ...]:
    """The sentence filters' groups: (width, count) pairs."""
    groups = []
    for item in _sequence(value, "the filter groups", 3):
        pair = _sequence(item, "a filter group", 2)
        if len(pair) != 2:
            raise ValueError("a filter group is [width, count]")
        groups.append((_whole(pair[0], "a filter width", 1, MAX_WIDTH_1D),
                       _whole(pair[1], "a filter count", 0, MAX_GROUP)))
    return tuple(groups)


def check_phrases(value: object) -> tuple[str, ...]:
    """Filters built from words: each the phrase it detects."""
    phrases = []
    for item in _sequence(value, "the word filters", MAX_WORD_FILTERS):
        if not isinstance(item, str) or not item.strip() or len(item) > 200:
            raise ValueError("a word filter is its words, as text of at most 200 characters")
        phrases.append(item)
    return tuple(phrases)


def check_drawn(value: object) -> tuple[float, ...]:
    """The samples of a signal drawn with the mouse (none: a flat line)."""
    most = int(RANGES["TextSettings.samples"][1])
    return tuple(_number(v, "a drawn sample") for v in _sequence(value, "the drawing", most))


def check_taps(value: object) -> tuple[float, ...]:
    """A signal kernel's taps, left to right."""
    taps = tuple(_number(v, "a kernel tap") for v in _sequence(value, "the kernel", MAX_TAPS))
    if not taps:
        raise ValueError("a kernel has at least one tap")
    return taps


@evented
@dataclass
class StepThroughSettings(Validated):
    """The worked example on show, the step, the quiz and the numbers typed into the grids."""

    example: str = "lecture-edge"  # a name of EXAMPLE_NAMES, or "explorer" (a crop of yours)
    step: int = 0  # clamped to the example's steps by its controller
    # presentation mode shows a volume one channel at a time: the input channel on show, or
    # (one past the last, as the controller clamps it) the channels' sum
    channel: int = 0
    quiz: bool = False
    speed_ms: int = 800  # how long a step shows while playing
    crop_size: int = 8  # "explorer": the crop of the picture
    crop_row: int = 0
    crop_col: int = 0
    seed: int = 0  # an example that draws its numbers (the lecture's volume): which draw
    edits: tuple = ()  # numbers typed into the grids, see explorer.core.stepthrough.Edit

    checks: ClassVar = {"edits": check_edits}


@evented
@dataclass
class TextSettings(Validated):
    """The 1-D tab: a sentence through Kim's filters, and a signal through a 1-D kernel."""

    page: str = "sentence"  # or "signal"
    sentence: str = EXAMPLE_SENTENCE
    vocabulary: str = "words"  # "words" (GloVe) or "characters" (one-hot)
    channels: int = 1  # 1: static vectors; 2: static and a fine-tuned copy (Kim's two)
    padding: int = 0  # zero vectors at each end of the sentence
    groups: tuple = ((2, 4), (3, 4), (4, 4))  # (width, count) of the learned filters
    word_filters: tuple = ()  # filters built from words: the phrase each detects
    signal: str = "noisy steps"  # a made-up signal, "drawn" or "wav"
    samples: int = 60  # shown; a drawing is stretched to it, a WAV file shows this many
    drawn: tuple = ()  # the samples drawn with the mouse, as drawn (none: a flat line)
    wav_file: str = ""  # the WAV file opened last (its path)
    taps: tuple = KERNELS[DEFAULT_SIGNAL_KERNEL]
    signal_padding: int = 0
    signal_stride: int = 1

    checks: ClassVar = {"groups": check_groups, "word_filters": check_phrases,
                        "taps": check_taps, "drawn": check_drawn}
    # the user's work on the tab, which undo takes back (the rest is how it is looked at)
    EDITS: ClassVar = ("groups", "word_filters", "taps", "signal", "wav_file", "drawn")


@evented
@dataclass
class TrainingSettings(Validated):
    """How the digit network is trained, the Training tab's page, the digit test's source, the
    unit and digit whose pictures are shown, and the kernel fit's settings."""

    epochs: int = DEFAULT_EPOCHS
    learning_rate: float = DEFAULT_LEARNING_RATE
    batch_size: int = DEFAULT_BATCH_SIZE
    seed: int = 0
    model: str = "cnn"  # the network Start trains: "cnn" or "mlp"
    shuffled: bool = False  # train it on digits with their pixels shuffled
    page: str = "network"  # a key of the pages (limits: TrainingSettings.page)
    test_source: str = "draw"  # the digit tested: "draw" (the pad) or "picture" (the window's)
    unit_layer: int = 0  # the conv layer (0 is the first) whose channel's pictures are shown
    unit_channel: int = 0  # clamped to the network's channels by its controller
    dream_digit: int = 3  # the digit whose dream is shown large
    fit_target: str = "sobel_x"  # the preset whose feature map the fitted kernel must give
    fit_colour: bool = False  # fit a kernel over the picture's colour channels (3×3×3)
    fit_momentum: float = 0.9
    fit_steps: int = 150


@evented
@dataclass
class TranslationSettings(Validated):
    """How far the picture moves, and which filter's maps are shown."""

    shift: int = 4
    filter: int = 0
    stack: str = "explorer"  # the stack studied: the explorer's, or "pretrained" (learned)


@evented
@dataclass
class PoolingSettings(Validated):
    """The Pooling tab's zoom: its first window, in pooled rows and columns (-1: the zoom is
    centred on the map). The map studied is the explorer's selection (layer and filter)."""

    zoom_row: int = -1
    zoom_col: int = -1


@evented
@dataclass
class NetworkSettings(Validated):
    """The pretrained network's layer and channel on show, the first-layer kernel whose
    weights are shown, the early layer whose learned filters are drawn, the channel whose
    top-9 patches are shown, and the occlusion's square."""

    layer: str = "stem"  # one of the network's layer names
    channel: int = -1  # the map laid over the picture; -1: none
    per_channel: bool = False  # each map its own colour scale
    page: str = "maps"  # "maps", "kernels", "filters" or "patches"
    kernel: int = 0  # the first-layer kernel whose weights are shown
    filter_layer: str = "block 2 depthwise"  # whose input-space filters the figure shows
    patch_channel: int = 0  # the channel of ``layer`` whose top-9 patches are shown
    occlusion_square: int = 48  # px of the 224×224 picture
    occlusion_step: int = 16


__all__ = [
    "EXAMPLE_SENTENCE", "MAX_TEXT", "NetworkSettings", "PoolingSettings", "StepThroughSettings",
    "TextSettings", "TrainingSettings", "TranslationSettings", "check_drawn", "check_edits",
    "check_groups", "check_phrases", "check_taps",
]
