"""Sessions: a document saved and opened again is the same; damage is refused, not applied."""

from __future__ import annotations

import errno
import json
import os

import numpy as np
import pytest

from explorer.state import Document
from explorer.state.document import default_filter
from explorer.state.presets import build_stack
from explorer.state.session import (
    SessionError,
    apply_session,
    load_json_text,
    parse_lenient,
    parse_session,
    read_session,
    session_dict,
    write_session,
)


def _document() -> Document:
    doc = Document()
    doc.set_still(np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8),
                  "pasted")
    doc.stack.replace(build_stack("lecture_x2", 3, default_filter))
    doc.stack[1].settings.stride = 2
    doc.stack[1].filters.set_bias(3, -1.25)
    doc.stack[0].filters.set_name(0, "mine")
    doc.selection.layer = 1
    doc.selection.filter = 3
    doc.display.levels = "shared"
    doc.input.max_side = 320
    doc.params.preset = "alexnet_conv1"
    doc.live_settings.mirror = True
    return doc


def _same(a: Document, b: Document) -> None:
    assert len(a.stack) == len(b.stack)
    for x, y in zip(a.stack, b.stack, strict=True):
        assert x.settings.as_dict() == y.settings.as_dict()
        np.testing.assert_array_equal(x.filters.weights(), y.filters.weights())
        np.testing.assert_array_equal(x.filters.biases(), y.filters.biases())
        assert x.filters.names() == y.filters.names()
    for part in ("input", "display", "selection", "params", "live_settings"):
        assert getattr(a, part).as_dict() == getattr(b, part).as_dict()


def test_a_saved_session_opens_as_the_same_document(tmp_path):
    doc = _document()
    path = write_session(tmp_path / "lesson.json", doc)
    opened = Document()
    apply_session(opened, read_session(path))
    _same(doc, opened)
    np.testing.assert_array_equal(opened.still.image, doc.still.image)  # embedded: no file
    assert opened.still.name == "pasted"


def test_a_picture_from_a_file_is_kept_by_its_path(tmp_path):
    doc = Document()
    doc.set_still(np.zeros((4, 4), np.uint8), "photo.png", "/pictures/photo.png")
    data = session_dict(doc)
    assert data["still"] == {"name": "photo.png", "path": "/pictures/photo.png"}
    session = parse_session(data)
    assert session.still.image is None and session.still.path == "/pictures/photo.png"


def _damaged_variants() -> dict[str, str]:
    good = session_dict(_document(), embed_picture=False)
    variants = {}

    def variant(name: str, change) -> None:
        data = json.loads(json.dumps(good))
        change(data)
        variants[name] = json.dumps(data)

    variant("stride 0", lambda d: d["stack"][1]["settings"].__setitem__("stride", 0))
    variant("version true", lambda d: d.__setitem__("version", True))
    variant("newer version", lambda d: d.__setitem__("version", 99))
    variant("not a session", lambda d: d.__setitem__("format", "something else"))
    variant("weights too few", lambda d: d["stack"][0]["filters"][0].__setitem__(
        "weights", [[[1.0]]]))
    variant("weights as text", lambda d: d["stack"][0]["filters"][0].__setitem__(
        "weights", "lots"))
    variant("a missing filter", lambda d: d["stack"][0]["filters"].pop())
    variant("bias is a list", lambda d: d["stack"][0]["filters"][0].__setitem__("bias", [1]))
    variant("no layers", lambda d: d.__setitem__("stack", []))
    variant("unknown padding", lambda d: d["stack"][0]["settings"].__setitem__(
        "padding", "sideways"))
    variant("levels not text", lambda d: d["display"].__setitem__("levels", 3))
    variants["not json"] = '{"format": "cnn-explorer-session", '
    variants["nested deep"] = "[" * 100_000 + "]" * 100_000
    variants["huge integer"] = '{"format": "cnn-explorer-session", "version": 1' \
        + ', "input": {"max_side": ' + "9" * 5000 + "}}"
    variants["nan"] = json.dumps(good).replace('"bias": -1.25', '"bias": NaN')
    return variants


@pytest.mark.parametrize("name", list(_damaged_variants()))
def test_a_damaged_session_is_refused_with_a_reason_and_left_untouched(tmp_path, name):
    text = _damaged_variants()[name]
    path = tmp_path / "damaged.json"
    path.write_text(text)
    before = path.read_bytes()
    doc = Document()
    snapshot = session_dict(doc)
    with pytest.raises(SessionError) as caught:
        read_session(path)
    message = str(caught.value)
    assert "damaged.json" in message and len(message) < 400
    assert message.count("damaged.json") == 1  # not "damaged.json: damaged.json is …"
    assert path.read_bytes() == before
    assert session_dict(doc) == snapshot


def test_a_session_the_document_refuses_midway_is_not_half_applied():
    """apply_session itself: a value the document refuses in the last section leaves the
    stack, the input and every earlier section as they were."""
    doc = Document()
    snapshot = session_dict(doc)
    theirs = parse_session(session_dict(_document()))
    assert theirs.layers is not None and len(theirs.layers) == 2
    theirs.sections["input"]["grayscale"] = True
    theirs.sections["display"]["levels"] = "shared"
    theirs.sections["selection"] = {"layer": 99}  # beyond any stack: the document refuses it
    with pytest.raises(ValueError, match="layer"):
        apply_session(doc, theirs)
    assert session_dict(doc) == snapshot
    assert len(doc.stack) == 1 and not doc.input.grayscale and doc.display.levels == "per_map"


def test_the_saved_session_at_start_skips_only_its_bad_section():
    data = session_dict(_document(), embed_picture=False)
    data["display"]["levels"] = "purple"
    session = parse_lenient(load_json_text(json.dumps(data)))
    assert any("display" in note for note in session.notes)
    doc = Document()
    apply_session(doc, session)
    assert doc.display.levels == "per_map"  # the default, not "purple"
    assert len(doc.stack) == 2 and doc.stack[1].settings.stride == 2  # the rest is restored


def test_a_pipe_or_a_folder_is_refused_before_it_is_opened(tmp_path):
    with pytest.raises(SessionError, match="folder"):
        read_session(tmp_path)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "pipe.json"
        os.mkfifo(fifo)
        with pytest.raises(SessionError, match="not a regular file"):
            read_session(fifo)  # would block forever if it were opened


def test_a_failed_save_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "lesson.json"
    write_session(path, _document())
    before = path.read_bytes()

    def full_disk(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(SessionError, match="disk is full"):
        write_session(path, Document())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.json"]  # no temporary file left
