"""Every tab's settings live in the document, are validated, saved with the session and
brought back; typed numbers are undoable edits."""

from __future__ import annotations

import json

import numpy as np
import pytest

from explorer.state import Document
from explorer.state.history import History
from explorer.state.session import (
    SessionError,
    apply_session,
    load_json_text,
    parse_lenient,
    parse_session,
    session_text,
)


def lesson() -> Document:
    """A document set up on every tab, as a lecturer would before a class."""
    doc = Document()
    doc.stepthrough.example = "lecture-volume"
    doc.stepthrough.seed = 3
    doc.stepthrough.step = 5
    doc.stepthrough.quiz = True
    doc.stepthrough.edits = (("input", 0, 1, 2, 0, 7.0), ("weight", 1, 0, 2, 2, -3.5),
                             ("bias", 0, 0, 0, 0, 4.0))
    doc.text.page = "signal"
    doc.text.sentence = "not good at all, but the ending was wonderful"
    doc.text.groups = ((2, 3), (5, 1))
    doc.text.word_filters = ("not good",)
    doc.text.channels = 2
    doc.text.taps = (0.25, 0.5, 0.25)
    doc.text.signal = "drawn"
    doc.text.drawn = (0.0, 0.5, -0.25, 1.0)
    doc.text.wav_file = "tone.wav"
    doc.training.epochs = 3
    doc.training.batch_size = 64
    doc.training.seed = 1234
    doc.training.learning_rate = 0.01
    doc.training.update({"page": "fit", "test_source": "picture", "fit_target": "laplacian",
                         "fit_colour": True, "fit_momentum": 0.5, "fit_steps": 400})
    doc.translation.shift = 11
    doc.translation.filter = 2
    doc.network.layer = "block 7"
    doc.network.channel = 12
    doc.display.tab = "network"
    return doc


def round_trip(doc: Document) -> Document:
    out = Document()
    apply_session(out, parse_session(load_json_text(session_text(doc))))
    return out


def test_a_session_brings_back_every_tab():
    back = round_trip(lesson())
    assert back.stepthrough.example == "lecture-volume"
    assert back.stepthrough.seed == 3
    assert back.stepthrough.step == 5
    assert back.stepthrough.quiz is True
    assert back.stepthrough.edits == (("input", 0, 1, 2, 0, 7.0), ("weight", 1, 0, 2, 2, -3.5),
                                      ("bias", 0, 0, 0, 0, 4.0))
    assert back.text.page == "signal"
    assert back.text.sentence == "not good at all, but the ending was wonderful"
    assert back.text.groups == ((2, 3), (5, 1))
    assert back.text.word_filters == ("not good",)
    assert back.text.channels == 2
    assert back.text.taps == (0.25, 0.5, 0.25)
    assert back.text.signal == "drawn"
    assert back.text.drawn == (0.0, 0.5, -0.25, 1.0)
    assert back.text.wav_file == "tone.wav"
    assert (back.training.epochs, back.training.batch_size, back.training.seed) == (3, 64, 1234)
    assert back.training.learning_rate == 0.01
    assert (back.training.page, back.training.test_source) == ("fit", "picture")
    assert (back.training.fit_target, back.training.fit_colour) == ("laplacian", True)
    assert (back.training.fit_momentum, back.training.fit_steps) == (0.5, 400)
    assert (back.translation.shift, back.translation.filter) == (11, 2)
    assert (back.network.layer, back.network.channel) == ("block 7", 12)
    assert back.display.tab == "network"


@pytest.mark.parametrize(("section", "key", "value", "words"), [
    ("stepthrough", "example", "lecture-sphere", "lecture-sphere"),
    ("network", "layer", "block 17", "block 17"),
    ("display", "tab", "Training", "Training"),
    ("translation", "shift", 17, "between 0 and 16"),
    ("training", "learning_rate", 0.5, "between"),
    ("training", "epochs", 2.5, "whole number"),
    ("training", "page", "dreams", "dreams"),
    ("training", "test_source", "microphone", "microphone"),
    ("training", "fit_target", "mystery", "mystery"),
    ("training", "fit_momentum", 1.0, "between 0 and 0.99"),
    ("training", "fit_steps", 5, "between 10 and 5000"),
    ("training", "fit_colour", "yes", "true or false"),
    ("text", "groups", [[9, 1]], "filter width"),
    ("text", "taps", [], "at least one tap"),
    ("text", "channels", 3, "between 1 and 2"),
    ("text", "taps", [1, "x"], "number"),
    ("text", "drawn", [0.5, None], "number"),
    ("text", "drawn", [0.0] * 2001, "more than 2000"),
    ("text", "signal", "hum", "one of"),
    ("stepthrough", "edits", [["input", 0, 1, 2]], "typed number"),
    ("stepthrough", "edits", [["paint", 0, 1, 2, 0, 1]], "block one of"),
])
def test_a_session_naming_what_does_not_exist_is_refused_with_the_reason(
        section, key, value, words):
    data = json.loads(session_text(lesson()))
    data[section][key] = value
    with pytest.raises(SessionError) as err:
        parse_session(data)
    assert section.replace("stepthrough", "step") in str(err.value).replace("-", "")
    assert words in str(err.value)


def test_typed_numbers_outside_their_example_are_refused():
    data = json.loads(session_text(lesson()))
    data["stepthrough"]["edits"] = [["input", 0, 5, 0, 0, 1.0]]  # the volume's input is 5×5
    with pytest.raises(SessionError, match="do not fit the example lecture-volume"):
        parse_session(data)


def test_the_kept_session_skips_only_the_damaged_tab():
    data = json.loads(session_text(lesson()))
    data["network"]["layer"] = "block 99"
    session = parse_lenient(data)
    doc = Document()
    apply_session(doc, session)
    assert doc.network.layer == "stem"  # its default
    assert doc.translation.shift == 11 and doc.stepthrough.step == 5
    assert any("network" in note for note in session.notes)


def test_a_session_brings_back_the_network_tab_as_it_was():
    doc = Document()
    doc.network.update({"layer": "block 12", "channel": 30, "per_channel": True,
                        "page": "kernels", "kernel": 17, "occlusion_square": 64,
                        "occlusion_step": 8})
    back = round_trip(doc)
    assert back.network.as_dict() == {
        "layer": "block 12", "channel": 30, "per_channel": True, "page": "kernels",
        "kernel": 17, "occlusion_square": 64, "occlusion_step": 8}
    data = json.loads(session_text(doc))
    data["network"]["kernel"] = 32  # the stem has 32 kernels: 0 … 31
    with pytest.raises(SessionError, match="between 0 and 31"):
        parse_session(data)


def test_an_old_session_naming_the_1d_tab_by_its_title_opens_on_it():
    data = json.loads(session_text(Document()))
    data["display"]["tab"] = "1-d: text and signals"
    doc = Document()
    apply_session(doc, parse_session(data))
    assert doc.display.tab == "text"


def test_settings_refuse_values_no_control_can_make():
    doc = Document()
    for settings, name, value in ((doc.translation, "shift", -1),
                                  (doc.training, "batch_size", 0),
                                  (doc.stepthrough, "example", "nope"),
                                  (doc.network, "layer", "block 0"),
                                  (doc.text, "sentence", "x" * 20_000)):
        before = getattr(settings, name)
        with pytest.raises(ValueError):
            setattr(settings, name, value)
        assert getattr(settings, name) == before


def test_undo_takes_back_typed_numbers_with_their_example():
    doc = Document()
    history = History(doc)
    doc.stepthrough.example = "strides"
    doc.stepthrough.edits = (("input", 0, 0, 0, 0, 9.0),)
    history.record()
    doc.stepthrough.update({"example": "dilation", "edits": ()})  # another example: cleared
    history.record()
    doc.text.taps = (1.0, -1.0)
    history.record()
    assert history.undo()
    assert doc.text.taps == (-1.0, 0.0, 1.0)  # the 1-D kernel back first
    assert history.undo()
    assert doc.stepthrough.example == "strides"
    assert doc.stepthrough.edits == (("input", 0, 0, 0, 0, 9.0),)
    assert history.redo()
    assert (doc.stepthrough.example, doc.stepthrough.edits) == ("dilation", ())


def test_undo_takes_back_a_drawing_with_the_signal_under_it():
    doc = Document()
    history = History(doc)
    doc.text.update({"signal": "drawn", "drawn": (0.0, 1.0, 0.0)})  # drawn over noisy steps
    history.record()
    doc.text.drawn = ()  # cleared
    history.record()
    assert history.undo()
    assert (doc.text.signal, doc.text.drawn) == ("drawn", (0.0, 1.0, 0.0))
    assert history.undo()
    assert (doc.text.signal, doc.text.drawn) == ("noisy steps", ())
    doc.text.sentence = "a new sentence"  # how it is looked at: no edit
    assert not history.record()


def test_changing_examples_with_nothing_typed_is_no_undo_step():
    doc = Document()
    history = History(doc)
    for name in ("strides", "dilation", "max-pool"):
        doc.stepthrough.example = name
        assert not history.record()


def test_the_picture_being_explored_follows_the_source():
    doc = Document()
    seen = []
    doc.picture_changed.connect(seen.append)
    still = np.zeros((4, 5), np.uint8)
    doc.set_still(still, "black")
    assert doc.picture.image is still and not doc.picture.live
    doc.live.name, doc.live.active = "Camera 0", True
    frame = np.ones((6, 7, 3), np.uint8)
    doc.show_frame(frame, feed=1, sequence=1)
    doc.show_frame(frame, feed=1, sequence=2)
    doc.show_frame(frame, feed=2, sequence=1)  # another camera
    doc.live.active = False
    assert [p.live for p in seen] == [False, True, True, True, False]
    sources = [p.source for p in seen]
    assert sources[1] == sources[2] != sources[0]  # frames of one feed: one source
    assert len(set([sources[0], sources[1], sources[3], sources[4]])) == 4
    assert doc.picture.image is still  # back to the still, as it was
