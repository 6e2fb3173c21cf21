"""The document: one Qt-free, evented, validated model of what the user has set up.

Panels read and write it; nothing here knows about Qt. Every change emits a psygnal signal
(``document.stack.layer_changed``, ``document.display.events.levels`` …) so views stay thin.
"""

from explorer.state.document import DEFAULT_PRESETS, NO_PICTURE, Document, Still, default_filter
from explorer.state.layer import (
    Filter,
    FilterBank,
    Layer,
    LayerSettings,
    fit_kernel,
    spread_over_channels,
)
from explorer.state.limits import (
    ACTIVATIONS,
    LEVEL_MODES,
    MAX_FILTERS,
    MAX_KERNEL,
    MAX_LAYERS,
    PAD_MODES,
    PADDINGS,
    POOL_MODES,
    int_range,
)
from explorer.state.settings import (
    DisplaySettings,
    InputSettings,
    LiveSettings,
    LiveState,
    ParamsSettings,
    Selection,
)
from explorer.state.stack import HeadSettings, Stack

__all__ = [
    "ACTIVATIONS", "DEFAULT_PRESETS", "LEVEL_MODES", "MAX_FILTERS", "MAX_KERNEL", "MAX_LAYERS",
    "NO_PICTURE", "PADDINGS", "PAD_MODES", "POOL_MODES",
    "DisplaySettings", "Document", "Filter", "FilterBank", "HeadSettings", "InputSettings", "Layer",
    "LayerSettings", "LiveSettings", "LiveState", "ParamsSettings", "Selection", "Stack",
    "Still", "default_filter", "fit_kernel", "int_range", "spread_over_channels",
]
