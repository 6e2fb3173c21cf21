"""Remember the document between runs (QSettings), and forget it on "Reset to defaults".

Values are stored as JSON text so a settings file edited by hand, or written by an older
version, is validated field by field: whatever does not fit is skipped, never trusted.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
from PySide6.QtCore import QSettings

from explorer.state import (
    ACTIVATIONS,
    LEVEL_MODES,
    MAX_FILTERS,
    MAX_KERNEL,
    PAD_MODES,
    PADDINGS,
    POOL_MODES,
    Document,
    Filter,
)

ORGANIZATION = "CNN Explorer"
APPLICATION = "cnn-explorer"
MAX_RECENT = 10

# allowed values for the text fields; numbers are range-checked below
_CHOICES = {
    "padding": PADDINGS, "pad_mode": PAD_MODES, "activation": ACTIVATIONS,
    "pool_mode": POOL_MODES, "levels": LEVEL_MODES,
}
_RANGES = {
    "n_filters": (1, MAX_FILTERS), "kernel_h": (1, MAX_KERNEL), "kernel_w": (1, MAX_KERNEL),
    "pad_h": (0, 64), "pad_w": (0, 64), "stride": (1, 16), "dilation": (1, 8),
    "pool_size": (1, 8), "pool_stride": (1, 8), "max_side": (16, 65536),
    "fixed_limit": (1e-6, 1e9), "selected_filter": (0, MAX_FILTERS - 1),
}


def settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


def _valid(name: str, value: object, default: object) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        lo, hi = _RANGES.get(name, (-1e9, 1e9))
        return lo <= value <= hi and (isinstance(default, float) or float(value).is_integer())
    if isinstance(default, str):
        return isinstance(value, str) and value in _CHOICES.get(name, (value,))
    return False


def _apply_fields(target: object, data: object) -> None:
    """Copy the valid fields of ``data`` (a dict) onto the evented dataclass ``target``."""
    if not isinstance(data, dict):
        return
    for f in dataclasses.fields(target):
        if f.name in data and _valid(f.name, data[f.name], f.default):
            value = data[f.name]
            setattr(target, f.name, type(f.default)(value))


def _load_json(store: QSettings, key: str) -> object:
    text = store.value(key)
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def save_document(doc: Document, store: QSettings | None = None) -> None:
    store = store or settings()
    store.setValue("layer", json.dumps(dataclasses.asdict(doc.layer)))
    store.setValue("input", json.dumps(dataclasses.asdict(doc.input)))
    store.setValue("display", json.dumps(dataclasses.asdict(doc.display)))
    filters = [
        {"name": f.name, "bias": f.bias, "weights": f.weights.tolist()}
        for f in (doc.filters[i] for i in range(len(doc.filters)))
    ]
    store.setValue("filters", json.dumps(filters))


def restore_document(doc: Document, store: QSettings | None = None) -> None:
    """Apply saved settings to ``doc``; anything malformed is skipped."""
    store = store or settings()
    _apply_fields(doc.input, _load_json(store, "input"))
    _apply_fields(doc.layer, _load_json(store, "layer"))
    _apply_fields(doc.display, _load_json(store, "display"))
    filters = _parse_filters(_load_json(store, "filters"), doc.channels)
    if filters and len(filters) == doc.layer.n_filters:
        doc.filters.set_filters(filters)


def _parse_filters(data: object, channels: int) -> list[Filter]:
    if not isinstance(data, list) or not 1 <= len(data) <= MAX_FILTERS:
        return []
    out = []
    for item in data:
        if not isinstance(item, dict):
            return []
        try:
            w = np.asarray(item["weights"], dtype=np.float32)
            bias = float(item["bias"])
            name = str(item["name"])
        except (KeyError, TypeError, ValueError):
            return []
        if w.ndim != 3 or w.shape[2] != channels or not np.all(np.isfinite(w)):
            return []
        if not np.isfinite(bias):
            return []
        out.append(Filter(name, w, bias))
    return out


def recent_files(store: QSettings | None = None) -> list[str]:
    store = store or settings()
    value = _load_json(store, "recent")
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)][:MAX_RECENT]


def add_recent_file(path: str, store: QSettings | None = None) -> list[str]:
    store = store or settings()
    files = [path] + [p for p in recent_files(store) if p != path]
    store.setValue("recent", json.dumps(files[:MAX_RECENT]))
    return files[:MAX_RECENT]


def clear_document_settings(store: QSettings | None = None) -> None:
    store = store or settings()
    for key in ("layer", "input", "display", "filters"):
        store.remove(key)
