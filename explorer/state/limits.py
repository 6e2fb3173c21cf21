"""The one place that says which values the document accepts.

Spin boxes take their ranges from :data:`RANGES`, combo boxes their items from :data:`CHOICES`,
and every evented settings class validates through :class:`Validated`, so a value that a
control cannot produce (``stride=0``, padding ``"sideways"``) cannot get in from a session
file, a script or a test either.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable
from typing import ClassVar

from explorer.core.network.architecture import LAYERS as NETWORK_LAYERS
from explorer.core.network.architecture import STEM_CHANNELS
from explorer.core.network.unit_filters import FILTER_LAYERS
from explorer.core.params import PRESETS as PARAMS_PRESETS
from explorer.core.stepthrough import EXAMPLE_NAMES, MAX_CROP
from explorer.core.text.signal import SIGNALS
from explorer.core.training.fitting import FIT_TARGETS

PADDINGS = ("valid", "same", "full", "custom")
PAD_MODES = ("zeros", "reflect", "replicate", "circular")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "abs", "identity")
POOL_MODES = ("none", "max", "avg")
LEVEL_MODES = ("per_map", "shared", "fixed")
INPUT_RANGES = ("full", "own")  # the input shown over 0–255, or over its own min–max
# "auto": diverging for signed maps, sequential for the rest; "grey": black to white, as image
# processing shows a filter's output (a blurred photo looks like a photo)
COLOUR_MAPS = ("auto", "grey")
MAX_FILTERS = 32
MAX_KERNEL = 15
MAX_LAYERS = 6
MAX_TEXT = 10_000  # the longest text a setting holds (a sentence, a name)

# the tabs' stable keys, in the window's order (sessions and --tab use them, not titles)
TAB_KEYS = ("explorer", "parameters", "pooling", "translation", "step-through", "text", "network",
            "training")
EXPLORER_EXAMPLE = "explorer"  # the step-through's example made from the explorer's layer

CHOICES: dict[str, tuple[str, ...]] = {
    "padding": PADDINGS, "pad_mode": PAD_MODES, "activation": ACTIVATIONS,
    "pool_mode": POOL_MODES, "levels": LEVEL_MODES, "input_range": INPUT_RANGES,
    "colour_map": COLOUR_MAPS,
    "DisplaySettings.tab": TAB_KEYS,
    "StepThroughSettings.example": (*EXAMPLE_NAMES, EXPLORER_EXAMPLE),
    "TextSettings.page": ("sentence", "signal"),
    "TextSettings.vocabulary": ("words", "characters"),
    "TextSettings.signal": (*SIGNALS, "drawn", "wav"),
    "TrainingSettings.page": ("network", "watch", "test", "units", "dreams", "compare", "fit"),
    "TrainingSettings.model": ("cnn", "mlp"),
    "TrainingSettings.test_source": ("draw", "picture"),
    "TrainingSettings.fit_target": FIT_TARGETS,
    "NetworkSettings.layer": tuple(layer.name for layer in NETWORK_LAYERS),
    "NetworkSettings.page": ("maps", "kernels", "filters", "patches"),
    "NetworkSettings.filter_layer": FILTER_LAYERS,
    "TranslationSettings.stack": ("explorer", "pretrained"),
    "ParamsSettings.preset": (*PARAMS_PRESETS, "current", "custom"),
    "ParamsSettings.scope": ("layer", "network"),
}

# inclusive (low, high) of every number field, by field name
RANGES: dict[str, tuple[float, float]] = {
    "n_filters": (1, MAX_FILTERS), "kernel_h": (1, MAX_KERNEL), "kernel_w": (1, MAX_KERNEL),
    "pad_h": (0, 64), "pad_w": (0, 64), "stride": (1, 16), "dilation": (1, 8),
    "pool_size": (1, 8), "pool_stride": (1, 8),
    "max_side": (16, 65536), "live_side": (16, 65536),
    "fixed_limit": (1e-6, 1e9), "layer": (0, MAX_LAYERS - 1), "filter": (0, MAX_FILTERS - 1),
    "camera_width": (16, 8192), "camera_height": (16, 8192),
    # the parameter comparison reaches the lectures' 10⁶-unit layers and beyond
    "ParamsSettings.height": (1, 65536), "ParamsSettings.width": (1, 65536),
    "ParamsSettings.channels": (1, 1024), "ParamsSettings.kernel_h": (1, 4096),
    "ParamsSettings.kernel_w": (1, 4096), "ParamsSettings.stride": (1, 64),
    "ParamsSettings.dilation": (1, 32), "ParamsSettings.pad_h": (0, 65536),
    "ParamsSettings.pad_w": (0, 65536), "ParamsSettings.filters": (1, 4096),
    "ParamsSettings.units": (0, 10**7), "ParamsSettings.stage": (-1, MAX_LAYERS - 1),
    "ParamsSettings.more_filters": (0, 4096), "ParamsSettings.hidden_layers": (1, 4),
    "ParamsSettings.classes": (1, 100_000), "ParamsSettings.stages": (1, 4),
    "ParamsSettings.pool": (1, 8),
    # a dense head's classes stay few (a bar each on screen); its seed is any 31-bit number
    "HeadSettings.classes": (2, 100), "HeadSettings.seed": (0, 2**31 - 1),
    # the tabs beside the explorer
    "StepThroughSettings.step": (0, 100_000), "StepThroughSettings.speed_ms": (100, 10_000),
    "StepThroughSettings.channel": (0, 4096),
    "StepThroughSettings.crop_size": (3, MAX_CROP),
    "StepThroughSettings.crop_row": (0, 65535), "StepThroughSettings.crop_col": (0, 65535),
    "StepThroughSettings.seed": (0, 2**31 - 1),
    "TextSettings.padding": (0, 7), "TextSettings.samples": (8, 2000),
    "TextSettings.channels": (1, 2),
    "TextSettings.signal_padding": (0, 31), "TextSettings.signal_stride": (1, 16),
    "TrainingSettings.epochs": (1, 50), "TrainingSettings.learning_rate": (0.0001, 0.1),
    "TrainingSettings.batch_size": (1, 512), "TrainingSettings.seed": (0, 99999),
    "TrainingSettings.fit_momentum": (0.0, 0.99), "TrainingSettings.fit_steps": (10, 5000),
    "TrainingSettings.unit_layer": (0, 3), "TrainingSettings.unit_channel": (0, 127),
    "TrainingSettings.dream_digit": (0, 9),
    "TranslationSettings.shift": (0, 16),
    "PoolingSettings.zoom_row": (-1, 65535), "PoolingSettings.zoom_col": (-1, 65535),
    "NetworkSettings.channel": (-1, 1279), "NetworkSettings.patch_channel": (0, 1279),
    "NetworkSettings.kernel": (0, STEM_CHANNELS - 1),
    "NetworkSettings.occlusion_square": (8, 224),
    "NetworkSettings.occlusion_step": (4, 112),
}


def _range(name: str, scope: str) -> tuple[float, float]:
    return RANGES.get(f"{scope}.{name}", RANGES.get(name, (-math.inf, math.inf)))


def int_range(name: str, scope: str = "") -> tuple[int, int]:
    """The range of a whole-number field (of settings class ``scope``), for a spin box."""
    lo, hi = _range(name, scope)
    return int(lo), int(hi)


def check(name: str, value: object, default: object, scope: str = "") -> object:
    """``value`` as the type of ``default`` if it is allowed for field ``name``, else ValueError.

    Booleans must be booleans; whole-number fields take whole numbers (``3.0`` is 3, ``3.5`` is
    refused); text fields with a list of choices take only those.
    """
    label = name.replace("_", " ")
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ValueError(f"{label} must be true or false, not {value!r}")
        return value
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{label} must be a number, not {_short(value)}")
        try:
            number = float(value)
        except OverflowError:  # an int with thousands of digits
            raise ValueError(f"{label} is far too large") from None
        if not math.isfinite(number):
            raise ValueError(f"{label} must be a finite number")
        lo, hi = _range(name, scope)
        if not lo <= number <= hi:
            raise ValueError(f"{label} must lie between {_num(lo)} and {_num(hi)}, "
                             f"not {_num(number)}")
        if isinstance(default, int):
            if not number.is_integer():
                raise ValueError(f"{label} must be a whole number, not {_num(number)}")
            return int(number)
        return number
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ValueError(f"{label} must be text, not {_short(value)}")
        if len(value) > MAX_TEXT:
            raise ValueError(f"{label} is longer than {MAX_TEXT:,} characters")
        choices = CHOICES.get(f"{scope}.{name}", CHOICES.get(name))
        if choices is not None and value not in choices:
            raise ValueError(f"{label} must be one of {', '.join(choices)}, not {value!r}")
        return value
    return value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


class Validated:
    """Mixin for evented dataclasses: every assignment is checked by :func:`check`.

    A field holding a tuple (a list of edits, a kernel's taps) is checked by the class's own
    ``checks[name]``, which returns the value as a tuple or raises ValueError. Also gives them
    ``reset()`` (every field back to its default) and ``update(dict)``.
    """

    checks: ClassVar[dict[str, Callable[[object], tuple]]] = {}

    @classmethod
    def check_field(cls, name: str, value: object) -> object:
        """``value`` as field ``name`` stores it, or ValueError saying why not."""
        field = cls.__dataclass_fields__[name]  # type: ignore[attr-defined]
        if isinstance(field.default, tuple):
            return cls.checks[name](value)
        return check(name, value, field.default, cls.__name__)

    def __setattr__(self, name: str, value: object) -> None:
        field = self.__dataclass_fields__.get(name)  # type: ignore[attr-defined]
        if field is not None and field.default is not dataclasses.MISSING:
            value = self.check_field(name, value)
        super().__setattr__(name, value)

    def reset(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            setattr(self, f.name, f.default)

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def update(self, data: dict[str, object]) -> None:
        """Set the fields named in ``data`` (all checked first: nothing changes on an error)."""
        fields = {f.name: f for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        checked = {}
        for name, value in data.items():
            if name not in fields:
                raise ValueError(f"unknown setting {name!r}")
            checked[name] = self.check_field(name, value)
        for name, value in checked.items():
            setattr(self, name, value)
