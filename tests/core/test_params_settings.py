"""The Parameters tab's settings: saved with the session, opened the same, bad values refused."""

from __future__ import annotations

import json

import pytest

from explorer.state import Document
from explorer.state.session import (
    SessionError,
    apply_session,
    parse_session,
    read_session,
    session_dict,
    write_session,
)


def _lesson() -> Document:
    doc = Document()
    doc.params.update({
        "preset": "custom", "scope": "network", "height": 512, "width": 384, "channels": 3,
        "kernel_h": 5, "kernel_w": 3, "filters": 64, "units": 4096, "more_filters": 0,
        "hidden_layers": 3, "classes": 1000, "stages": 4, "pool": 1, "bias": True,
    })
    return doc


def test_the_networks_comparison_survives_a_session(tmp_path):
    doc = _lesson()
    path = write_session(tmp_path / "lesson.json", doc)
    saved = json.loads(path.read_text(encoding="utf-8"))["params"]
    assert saved["scope"] == "network" and saved["hidden_layers"] == 3
    assert saved["classes"] == 1000 and saved["stages"] == 4 and saved["pool"] == 1
    opened = Document()
    apply_session(opened, read_session(path))
    assert opened.params.as_dict() == doc.params.as_dict()


@pytest.mark.parametrize(("field", "value"), [
    ("scope", "sideways"), ("hidden_layers", 0), ("hidden_layers", 5), ("classes", 0),
    ("stages", 9), ("pool", 0), ("more_filters", -1), ("preset", "no_such_example"),
    ("hidden_layers", 2.5),
])
def test_values_no_control_makes_are_refused(field, value):
    data = session_dict(_lesson(), embed_picture=False)
    data["params"][field] = value
    with pytest.raises(SessionError) as caught:
        parse_session(data)
    assert field.replace("_", " ") in str(caught.value)
    doc = Document()
    with pytest.raises(ValueError):
        setattr(doc.params, field, value)
