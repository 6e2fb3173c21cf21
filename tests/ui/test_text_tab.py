"""The 1-D tab driven as a student would: typing, hovering, building a filter, training,
drawing; its settings in the document, its work on the worker, undo and sessions."""

from __future__ import annotations

import threading
import wave

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from explorer.core.text.signal import KERNELS
from explorer.core.text.vectors import character_vectors, filter_from_words, glove_vectors
from explorer.state import Document
from explorer.ui.controllers import text as text_controller
from explorer.ui.controllers.text import TextController
from explorer.ui.widgets.token_matrix import RowKind

SLOW = 30_000


@pytest.fixture
def tab(qtbot):
    """The tab's controller and view on a document of their own, shown."""
    t = TextController(Document())
    qtbot.addWidget(t.view)
    t.view.resize(1500, 900)
    t.view.show()
    qtbot.waitExposed(t.view)
    t.set_active(True)
    qtbot.waitUntil(t.is_settled, timeout=SLOW)
    yield t
    t.cleanup()


def settle(qtbot, tab) -> None:
    qtbot.waitUntil(tab.is_settled, timeout=SLOW)


def type_sentence(qtbot, tab, text):
    edit = tab.view.sentence.sentence_edit
    edit.clear()
    qtbot.keyClicks(edit, text)
    settle(qtbot, tab)


def spin_up(qtbot, spin) -> None:
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)


def show_signal_page(qtbot, tab) -> None:
    qtbot.mouseClick(tab.view.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    settle(qtbot, tab)


def slow_response(x, f, bias):
    """Filter ``f`` (w, D) at every position of ``x`` (T, D): plain sums of products."""
    w = len(f)
    return [sum(float(x[t + i, j]) * float(f[i, j]) for i in range(w) for j in range(len(f[0])))
            + bias for t in range(len(x) - w + 1)]


def slow_convolution(x, taps, padding, stride):
    """A 1-D kernel along a signal with zeros beyond its ends, by plain loops."""
    padded = [0.0] * padding + [float(v) for v in x] + [0.0] * padding
    out = []
    start = 0
    while start + len(taps) <= len(padded):
        out.append(sum(float(t) * padded[start + i] for i, t in enumerate(taps)))
        start += stride
    return out


# --- the sentence page ----------------------------------------------------------------------
def test_typing_a_sentence_shows_tokens_vectors_and_maps(qtbot, tab):
    page = tab.view.sentence
    type_sentence(qtbot, tab, "the film was not good")
    assert tab.document.text.sentence == "the film was not good"  # the edit is in the model
    assert page.matrix.labels() == ["the", "film", "was", "not", "good"]
    assert page.matrix.kinds() == [RowKind.KNOWN] * 5
    rows = page.chart.rows()
    assert [r.width for r in rows] == [2] * 4 + [3] * 4 + [4] * 4
    glove = glove_vectors()
    x = np.stack([glove.vector(w) for w in ["the", "film", "was", "not", "good"]])
    network = tab.reading.bank.network
    for k, row in enumerate(rows):
        want = slow_response(x, network.filters[k], float(network.biases[k]))
        np.testing.assert_allclose(row.responses, want, rtol=1e-4, atol=1e-4)
        assert row.winner == int(np.argmax(want))
    # the pooled vector shown is each map's maximum
    np.testing.assert_allclose(page.pooled_view.values()[0],
                               [max(r.responses) for r in rows], rtol=1e-6)
    probs = list(page.answer.probabilities())
    assert sum(probs) == pytest.approx(1, abs=0.002)
    assert probs[0] > probs[1]  # the shipped classifier reads "not good" as negative
    assert "Trained on short phrases" in page.train_status.text()


def test_the_sentence_and_the_bank_are_read_on_the_worker(qtbot, tab, monkeypatch):
    threads = []
    for name in ("read_sentence", "study_signal"):
        original = getattr(text_controller, name)

        def spy(*args, _original=original, **kwargs):
            threads.append(threading.current_thread())
            return _original(*args, **kwargs)

        monkeypatch.setattr(text_controller, name, spy)
    type_sentence(qtbot, tab, "a good day")
    show_signal_page(qtbot, tab)
    tab.document.text.taps = (1.0, -1.0)
    settle(qtbot, tab)
    assert len(threads) >= 2
    assert threading.main_thread() not in threads
    assert tab.study.taps.tolist() == [1.0, -1.0]


def test_a_sentence_set_in_the_document_shows_in_the_field_and_the_maps(qtbot, tab):
    tab.document.text.sentence = "never boring"  # a session, a script
    settle(qtbot, tab)
    page = tab.view.sentence
    assert page.sentence_edit.text() == "never boring"
    assert page.matrix.labels()[:2] == ["never", "boring"]


def test_unknown_words_are_shown_not_dropped(qtbot, tab):
    page = tab.view.sentence
    type_sentence(qtbot, tab, "a zorblaxian movie")
    assert page.matrix.labels() == ["a", "zorblaxian", "movie", "⟨pad⟩"]
    assert page.matrix.kinds() == [RowKind.KNOWN, RowKind.UNKNOWN, RowKind.KNOWN,
                                   RowKind.PADDING]
    assert "zorblaxian" in page.unknown_label.text() and page.unknown_label.isVisible()


def test_a_filter_built_from_words_finds_its_bigram(qtbot, tab):
    page = tab.view.sentence
    type_sentence(qtbot, tab, "the soup was cold and not good at all")
    qtbot.keyClicks(page.words_edit, "not good")
    qtbot.mouseClick(page.add_words_button, Qt.MouseButton.LeftButton)
    assert tab.document.text.word_filters == ("not good",)
    settle(qtbot, tab)
    bank = tab.reading.bank
    assert bank.names[-1].startswith("“not good”")
    np.testing.assert_allclose(bank.network.filters[-1],
                               filter_from_words(glove_vectors(), ["not", "good"]))
    row = page.chart.rows()[-1]
    assert row.width == 2 and row.winner == 5  # "not good" starts at token 5
    # the highlighted n-gram in the sentence is the one typed
    assert "<b>not good</b>" in page.winners.text().split("“not good”")[1]
    assert tab.reading.window_text(len(bank.names) - 1, 5) == "not good"


def test_words_the_vocabulary_does_not_know_make_no_filter(qtbot, tab):
    page = tab.view.sentence
    qtbot.keyClicks(page.words_edit, "not zorblax")
    qtbot.keyClick(page.words_edit, Qt.Key.Key_Return)
    assert tab.document.text.word_filters == ()
    assert "zorblax" in page.unknown_label.text() and page.unknown_label.isVisible()
    assert page.words_edit.text() == "not zorblax"  # kept, to be corrected


def test_hovering_a_bar_frames_the_window_and_writes_the_dot_product(qtbot, tab):
    page = tab.view.sentence
    type_sentence(qtbot, tab, "the film was not good")
    k = 4  # the first width-3 filter
    centre = page.chart.bar_center(k, 2)
    qtbot.mouseMove(page.chart, QPoint(round(centre.x()), round(centre.y())))
    qtbot.waitUntil(lambda: page.chart.hovered_bar() == (k, 2))
    assert page.matrix.marked() == (2, 5)
    text = page.readout.text()
    assert "was not good" in text
    value = float(page.chart.rows()[k].responses[2])
    assert f"<b>{value:.3f}</b>" in text


def test_group_counts_and_widths_rebuild_the_bank_keeping_what_fits(qtbot, tab):
    page = tab.view.sentence
    type_sentence(qtbot, tab, "what a wonderful day")
    shipped = tab.reading.bank.network
    spin_up(qtbot, page.count_spins[0])
    assert tab.document.text.groups == ((2, 5), (3, 4), (4, 4))
    settle(qtbot, tab)
    assert [r.width for r in page.chart.rows()].count(2) == 5
    bank = tab.reading.bank.network
    for k in range(4):  # the trained width-2 filters stay; the fifth is new
        np.testing.assert_array_equal(bank.filters[k], shipped.filters[k])
    assert not bank.weights[4].any()  # the new filter has no say in the classifier yet
    spin_up(qtbot, page.width_spins[2])
    assert tab.document.text.groups == ((2, 5), (3, 4), (5, 4))
    settle(qtbot, tab)
    widths = [r.width for r in page.chart.rows()]
    assert widths.count(5) == 4 and 4 not in widths
    # a five-wide filter still fits the four-word sentence: a padding row is added
    assert page.matrix.labels()[-1] == "⟨pad⟩"
    assert "changed since training" in page.train_status.text()
    assert "5 new filters" in page.train_status.text()
    assert "4 trained filters are left out" in page.train_status.text()


def test_groups_set_in_the_document_show_in_the_spin_boxes(qtbot, tab):
    tab.document.text.groups = ((3, 2), (6, 1))
    settle(qtbot, tab)
    page = tab.view.sentence
    assert [s.value() for s in page.width_spins[:2]] == [3, 6]
    assert [s.value() for s in page.count_spins] == [2, 1, 0]
    assert [r.width for r in page.chart.rows()] == [3, 3, 6]


def test_the_last_filter_cannot_go(qtbot, tab):
    tab.document.text.groups = ((2, 1), (3, 0), (4, 0))
    settle(qtbot, tab)
    page = tab.view.sentence
    spin = page.count_spins[0]
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Down)
    assert tab.document.text.groups == ((2, 1), (3, 0), (4, 0))
    assert spin.value() == 1


def test_padding_adds_zero_rows_at_both_ends(qtbot, tab):
    page = tab.view.sentence
    type_sentence(qtbot, tab, "good film")
    spin_up(qtbot, page.padding_spin)
    spin_up(qtbot, page.padding_spin)
    assert tab.document.text.padding == 2
    settle(qtbot, tab)
    labels = page.matrix.labels()
    assert labels[:2] == ["⟨pad⟩"] * 2 and labels[-2:] == ["⟨pad⟩"] * 2
    assert labels[2:4] == ["good", "film"]


def test_characters_mode(qtbot, tab):
    page = tab.view.sentence
    page.vocab_combo.setFocus()
    qtbot.keyClick(page.vocab_combo, Qt.Key.Key_Down)
    assert tab.document.text.vocabulary == "characters"
    type_sentence(qtbot, tab, "Not ok")
    assert page.matrix.labels() == ["n", "o", "t", "␣", "o", "k"]
    assert tab.reading.bank.network.dim == len(character_vectors().words)
    assert "Untrained" in page.train_status.text()


def first_epoch(qtbot, page) -> None:
    qtbot.waitUntil(lambda: page.train_status.text().startswith("Epoch 1/"), timeout=60_000)


def test_empty_sentence_clears_the_views(qtbot, tab):
    page = tab.view.sentence
    type_sentence(qtbot, tab, "good")
    page.sentence_edit.clear()
    settle(qtbot, tab)
    assert page.matrix.labels() == [] and page.chart.rows() == []
    assert "Type a sentence" in page.matrix_title.text()


# --- the signal page ------------------------------------------------------------------------
def draw_stroke(qtbot, pad, first: int, last: int, height: float) -> None:
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=pad.point_of(first, height).toPoint())
    for i in range(first + 1, last + 1):
        qtbot.mouseMove(pad, pad.point_of(i, height).toPoint())
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton,
                       pos=pad.point_of(last, height).toPoint())


def test_drawing_on_the_signal_pad(qtbot, tab):
    show_signal_page(qtbot, tab)
    page = tab.view.signal
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    settle(qtbot, tab)
    assert not tab.study.signal.any()
    n = tab.study.signal.size
    draw_stroke(qtbot, page.input_plot, 10, 20, 1.0)  # a stroke at the top of the pad
    settle(qtbot, tab)
    drawn = tab.study.signal
    assert tab.document.text.signal == "drawn"
    assert len(tab.document.text.drawn) == n  # the drawing is in the model
    assert page.source_combo.currentText() == "Draw with the mouse"
    assert drawn.size == n
    assert (drawn[10:21] > 0.8).all() and not drawn[:10].any() and not drawn[21:].any()
    # the edge kernel answers +/- at the two ends of the drawn plateau
    out = tab.study.output
    np.testing.assert_allclose(out, slow_convolution(drawn, (-1, 0, 1), 0, 1), atol=1e-5)
    assert out[8] > 0.8 and out[20] < -0.8 and abs(out[14]) < 1e-6


def test_a_drawing_keeps_its_shape_when_the_length_changes(qtbot, tab):
    show_signal_page(qtbot, tab)
    page = tab.view.signal
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    settle(qtbot, tab)
    draw_stroke(qtbot, page.input_plot, 30, 59, 1.0)  # the right half of 60 samples
    settle(qtbot, tab)
    page.length_spin.setFocus()
    page.length_spin.selectAll()
    qtbot.keyClicks(page.length_spin, "120")
    qtbot.keyClick(page.length_spin, Qt.Key.Key_Return)
    settle(qtbot, tab)
    shown = tab.study.signal
    assert shown.size == 120
    assert (shown[62:] > 0.8).all() and not shown[:58].any()
    assert len(tab.document.text.drawn) == 60  # the drawing itself, as drawn


def test_signal_padding_stride_and_hover(qtbot, tab):
    show_signal_page(qtbot, tab)
    page = tab.view.signal
    spin_up(qtbot, page.padding_spin)
    spin_up(qtbot, page.stride_spin)
    assert (tab.document.text.signal_padding, tab.document.text.signal_stride) == (1, 2)
    settle(qtbot, tab)
    x = tab.study.signal
    want = slow_convolution(x, KERNELS["central difference [−1, 0, 1] (edge)"], 1, 2)
    np.testing.assert_allclose(tab.study.output, want, atol=1e-5)
    assert f"<b>{len(want)}</b>" in page.formula.text()
    plot = page.output_plot
    j = 3
    qtbot.mouseMove(plot, plot.point_of(j).toPoint())
    qtbot.waitUntil(lambda: page.input_plot.window() is not None)
    assert page.input_plot.window() == (j * 2 - 1, j * 2 + 1)
    assert f"output[{j}]" in page.readout.text()


def test_kernel_taps_typed_and_refused(qtbot, tab):
    show_signal_page(qtbot, tab)
    page = tab.view.signal
    page.taps_edit.clear()
    qtbot.keyClicks(page.taps_edit, "1/3, 1/3, 1/3")
    qtbot.keyClick(page.taps_edit, Qt.Key.Key_Return)
    np.testing.assert_allclose(tab.document.text.taps, [1 / 3] * 3)
    settle(qtbot, tab)
    np.testing.assert_allclose(tab.study.taps, [1 / 3] * 3)
    assert page.kernel_combo.currentText().startswith("box 3")
    assert page.taps_edit.text() == "1/3, 1/3, 1/3"  # as typed
    page.taps_edit.clear()
    qtbot.keyClicks(page.taps_edit, "1, x")
    qtbot.keyClick(page.taps_edit, Qt.Key.Key_Return)
    assert "not a number" in page.note.text()
    np.testing.assert_allclose(tab.document.text.taps, [1 / 3] * 3)


def test_a_kernel_wider_than_the_signal_is_explained_not_an_error(qtbot, tab):
    show_signal_page(qtbot, tab)
    page = tab.view.signal
    page.taps_edit.clear()
    qtbot.keyClicks(page.taps_edit, " ".join(["1"] * 12))
    qtbot.keyClick(page.taps_edit, Qt.Key.Key_Return)
    page.length_spin.setFocus()
    page.length_spin.selectAll()
    qtbot.keyClicks(page.length_spin, "8")
    qtbot.keyClick(page.length_spin, Qt.Key.Key_Return)
    settle(qtbot, tab)
    assert "does not fit" in page.note.text()
    assert tab.study.output.size == 0 and tab.study.signal.size == 8


def write_tone(path) -> None:
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(8000)
        f.writeframes((np.sin(np.arange(4000) / 10) * 20000).astype("<i2").tobytes())


def test_wav_files_open_or_are_refused(qtbot, tab, tmp_path):
    show_signal_page(qtbot, tab)
    page = tab.view.signal
    path = tmp_path / "tone.wav"
    write_tone(path)
    page.open_wav(path)  # as the file dialog does
    settle(qtbot, tab)
    assert tab.document.text.wav_file == str(path)
    assert tab.study.signal.size == tab.document.text.samples
    assert np.abs(tab.study.signal).max() > 0.2
    assert "tone.wav: samples" in page.input_title.text()
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF1234WAVEjunk")
    with qtbot.waitSignal(tab.error) as blocker:
        page.open_wav(bad)
    assert "not a WAV file" in blocker.args[0]
    assert "not a WAV file" in page.note.text()
    assert tab.is_settled()  # the refusal is the answer: a batch run does not wait


# --- in the window: undo and sessions -------------------------------------------------------
def show_tab(qtbot, window):
    window.tabs.setCurrentWidget(window.text_tab.view)
    settle(qtbot, window.text_tab)
    return window.text_tab


def recorded(qtbot, window) -> None:
    """Let the edit's undo step be recorded (edits close together are one step)."""
    qtbot.waitUntil(lambda: not window._history_timer.isActive(), timeout=5_000)


def undo(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_undo_takes_back_widths_counts_and_word_filters(qtbot, window):
    tab = show_tab(qtbot, window)
    page = tab.view.sentence
    shipped = [f.copy() for f in tab.reading.bank.network.filters]
    spin_up(qtbot, page.count_spins[1])
    recorded(qtbot, window)
    qtbot.keyClicks(page.words_edit, "not bad")
    qtbot.keyClick(page.words_edit, Qt.Key.Key_Return)
    recorded(qtbot, window)
    settle(qtbot, tab)
    assert len(tab.reading.bank.names) == 14
    page.count_spins[1].setFocus()  # where the user's focus is: Ctrl+Z reaches the window
    qtbot.keyClick(page.count_spins[1], Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.text.word_filters == ()
    undo(qtbot, window)
    assert window.document.text.groups == ((2, 4), (3, 4), (4, 4))
    assert page.count_spins[1].value() == 4
    settle(qtbot, tab)
    bank = tab.reading.bank
    assert bank.as_trained and len(bank.names) == 12
    for got, want in zip(bank.network.filters, shipped, strict=True):
        np.testing.assert_array_equal(got, want)
    assert "Trained on short phrases" in page.train_status.text()


def test_undo_takes_back_typed_taps(qtbot, window):
    tab = show_tab(qtbot, window)
    show_signal_page(qtbot, tab)
    page = tab.view.signal
    before = tab.study.output.copy()
    page.taps_edit.selectAll()
    qtbot.keyClicks(page.taps_edit, "1 -2 1")
    qtbot.keyClick(page.taps_edit, Qt.Key.Key_Return)
    recorded(qtbot, window)
    settle(qtbot, tab)
    assert page.kernel_combo.currentText().startswith("second difference")
    page.stride_spin.setFocus()
    qtbot.keyClick(page.stride_spin, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.text.taps == (-1.0, 0.0, 1.0)
    assert page.taps_edit.text() == "-1, 0, 1"
    settle(qtbot, tab)
    np.testing.assert_array_equal(tab.study.output, before)


def test_clearing_a_drawing_is_undone_and_a_bad_wav_too(qtbot, window, tmp_path):
    tab = show_tab(qtbot, window)
    show_signal_page(qtbot, tab)
    page = tab.view.signal
    draw_stroke(qtbot, page.input_plot, 5, 25, -1.0)  # over the made-up signal
    recorded(qtbot, window)
    settle(qtbot, tab)
    drawing = tab.study.signal.copy()
    assert (drawing[5:26] < -0.8).all()
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    recorded(qtbot, window)
    settle(qtbot, tab)
    assert not tab.study.signal.any()
    undo(qtbot, window)
    settle(qtbot, tab)
    np.testing.assert_array_equal(tab.study.signal, drawing)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF1234WAVEjunk")
    page.open_wav(bad)
    recorded(qtbot, window)
    settle(qtbot, tab)
    assert "not a WAV file" in window.banner.text()
    undo(qtbot, window)  # the signal before the faulty file comes back
    settle(qtbot, tab)
    assert page.source_combo.currentText() == "Draw with the mouse"
    np.testing.assert_array_equal(tab.study.signal, drawing)
    undo(qtbot, window)  # and the made-up signal under the first stroke
    settle(qtbot, tab)
    assert page.source_combo.currentText() == "noisy steps"


def test_training_is_never_passed_off_as_training_for_other_filters(qtbot, window):
    tab = show_tab(qtbot, window)
    page = tab.view.sentence
    shipped = tab.reading.bank.network.weights.copy()
    with qtbot.waitSignal(tab.training_finished, timeout=120_000):
        qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)
        assert tab.training and not page.train_button.isEnabled()
        assert not page.count_spins[0].isEnabled()
        first_epoch(qtbot, page)  # on the worker: the window goes on
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    settle(qtbot, tab)
    assert not tab.training and page.train_button.isEnabled()
    assert page.train_status.text().startswith("Trained by you. Epoch ")
    mine = tab.reading.bank.network.copy()
    assert not np.array_equal(mine.weights, shipped)
    spin_up(qtbot, page.count_spins[2])
    recorded(qtbot, window)
    settle(qtbot, tab)
    assert "changed since training (1 new filter has no weight" in page.train_status.text()
    grown = tab.reading.bank.network
    for k in range(12):  # the twelve trained filters are the ones trained by you
        np.testing.assert_array_equal(grown.filters[k], mine.filters[k])
    undo(qtbot, window)
    settle(qtbot, tab)
    assert "Trained by you" in page.train_status.text()
    back = tab.reading.bank.network
    for got, want in zip(back.filters, mine.filters, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(back.weights, mine.weights)


def lesson(tmp_path):
    from explorer.state.session import write_session

    doc = Document()
    doc.text.sentence = "the ending was not bad at all"
    doc.text.groups = ((2, 2), (5, 1))
    doc.text.word_filters = ("not bad",)
    doc.text.taps = (0.25, 0.5, 0.25)
    doc.text.drawn = (0.0, 0.5, 1.0, 0.5)
    doc.text.signal = "drawn"
    doc.display.tab = "text"
    return write_session(tmp_path / "lesson.json", doc)


def test_a_session_reopens_the_sentence_and_its_filters(qtbot, window, tmp_path):
    path = lesson(tmp_path)
    assert window.open_session(path)
    tab = window.text_tab
    settle(qtbot, tab)
    page = tab.view.sentence
    assert page.sentence_edit.text() == "the ending was not bad at all"
    assert [s.value() for s in page.width_spins[:2]] == [2, 5]
    assert [s.value() for s in page.count_spins] == [2, 1, 0]
    assert list(tab.reading.bank.names) == ["F1 · w2", "F2 · w2", "F3 · w5", "“not bad” · w2"]
    assert page.chart.rows()[-1].winner == 3  # "not bad" starts at token 3
    window.document.text.page = "signal"
    settle(qtbot, tab)
    np.testing.assert_allclose(tab.study.signal[:8], np.interp(np.linspace(0, 3, 60), range(4),
                                                              [0, 0.5, 1, 0.5])[:8], atol=1e-6)
    assert tab.view.signal.taps_edit.text() == "0.25, 0.5, 0.25"


def test_a_batch_screenshot_pictures_the_sessions_sentence(qtbot, tmp_path, monkeypatch):
    from explorer.app import main
    from explorer.ui.main_window import MainWindow

    shown = {}
    export = MainWindow.export_view

    def spy(self, *args, **kwargs):  # what is on screen when the picture is taken
        page = self.text_tab.view.sentence
        shown["labels"] = page.matrix.labels()
        shown["rows"] = [r.name for r in page.chart.rows()]
        shown["page"] = self.text_tab.view.pages.currentWidget() is page
        return export(self, *args, **kwargs)

    monkeypatch.setattr(MainWindow, "export_view", spy)
    out = tmp_path / "text.png"
    assert main(["--session", str(lesson(tmp_path)), "--tab", "text", "--screenshot",
                 str(out)]) == 0
    assert out.stat().st_size > 0
    assert shown["page"]
    assert shown["labels"] == ["the", "ending", "was", "not", "bad", "at", "all"]
    assert shown["rows"] == ["F1 · w2", "F2 · w2", "F3 · w5", "“not bad” · w2"]


def test_the_window_has_the_tab(qtbot, window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(titles.index(TextController.title)).center())
    tab = window.text_tab
    assert window.tabs.currentWidget() is tab.view and tab.view.isVisible()
    assert window.document.display.tab == "text"
    assert not window.kernel_dock.isVisible()  # the explorer's kernels make room
    qtbot.mouseClick(tab.view.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    assert window.document.text.page == "signal"
    assert tab.view.pages.currentWidget() is tab.view.signal
    settle(qtbot, tab)
    tab.view.signal.message.emit("a note from the signal page")  # the tab's words reach
    assert window.statusBar().currentMessage() == "a note from the signal page"  # the window
