"""The 1-D tab driven as a student would: typing, hovering, building a filter, training, drawing."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from explorer.core.text.vectors import filter_from_words, glove_vectors
from explorer.ui.panels.signal_panel import DRAW, parse_taps
from explorer.ui.panels.text_panel import TextTab
from explorer.ui.widgets.token_matrix import RowKind


@pytest.fixture
def tab(qtbot):
    t = TextTab()
    qtbot.addWidget(t)
    t.resize(1500, 900)
    t.show()
    qtbot.waitExposed(t)
    yield t
    t.cleanup()


def type_sentence(qtbot, page, text):
    edit = page.sentence_edit
    edit.clear()
    qtbot.keyClicks(edit, text)


def slow_response(x, f, bias):
    """Filter ``f`` (w, D) at every position of ``x`` (T, D): plain sums of products."""
    w = len(f)
    return [sum(float(x[t + i, j]) * float(f[i, j]) for i in range(w) for j in range(len(f[0])))
            + bias for t in range(len(x) - w + 1)]


def test_typing_a_sentence_shows_tokens_vectors_and_maps(qtbot, tab):
    page = tab.sentence
    type_sentence(qtbot, page, "the film was not good")
    assert page.matrix.labels() == ["the", "film", "was", "not", "good"]
    assert page.matrix.kinds() == [RowKind.KNOWN] * 5
    rows = page.chart.rows()
    assert [r.width for r in rows] == [2] * 4 + [3] * 4 + [4] * 4
    glove = glove_vectors()
    x = np.stack([glove.vector(w) for w in ["the", "film", "was", "not", "good"]])
    for k, row in enumerate(rows):
        want = slow_response(x, page.model.filters[k], float(page.model.biases[k]))
        np.testing.assert_allclose(row.responses, want, rtol=1e-4, atol=1e-4)
        assert row.winner == int(np.argmax(want))
    # the pooled vector shown is each map's maximum
    np.testing.assert_allclose(page.pooled_view.values()[0],
                               [max(r.responses) for r in rows], rtol=1e-6)
    probs = [bar.value() / 1000 for bar in page.probability_bars]
    assert sum(probs) == pytest.approx(1, abs=0.002)
    assert probs[0] > probs[1]  # the shipped classifier reads "not good" as negative


def test_unknown_words_are_shown_not_dropped(qtbot, tab):
    page = tab.sentence
    type_sentence(qtbot, page, "a zorblaxian movie")
    assert page.matrix.labels() == ["a", "zorblaxian", "movie", "⟨pad⟩"]
    assert page.matrix.kinds() == [RowKind.KNOWN, RowKind.UNKNOWN, RowKind.KNOWN,
                                   RowKind.PADDING]
    assert "zorblaxian" in page.unknown_label.text() and page.unknown_label.isVisible()


def test_a_filter_built_from_words_finds_its_bigram(qtbot, tab):
    page = tab.sentence
    type_sentence(qtbot, page, "the soup was cold and not good at all")
    qtbot.keyClicks(page.words_edit, "not good")
    qtbot.mouseClick(page.add_words_button, Qt.MouseButton.LeftButton)
    assert page.filter_names()[-1].startswith("“not good”")
    np.testing.assert_allclose(page.model.filters[-1],
                               filter_from_words(glove_vectors(), ["not", "good"]))
    row = page.chart.rows()[-1]
    assert row.width == 2 and row.winner == 5  # "not good" starts at token 5
    # the highlighted n-gram in the sentence is the one typed
    assert "<b>not good</b>" in page.winners.text().split("“not good”")[1]
    assert page.window_text(len(page.filter_names()) - 1, 5) == "not good"


def test_hovering_a_bar_frames_the_window_and_writes_the_dot_product(qtbot, tab):
    page = tab.sentence
    type_sentence(qtbot, page, "the film was not good")
    k = 4  # the first width-3 filter
    centre = page.chart.bar_center(k, 2)
    qtbot.mouseMove(page.chart, QPoint(round(centre.x()), round(centre.y())))
    qtbot.waitUntil(lambda: page.chart.hovered_bar() == (k, 2))
    assert page.matrix.marked() == (2, 5)
    text = page.readout.text()
    assert "was not good" in text
    value = float(page.chart.rows()[k].responses[2])
    assert f"<b>{value:.3f}</b>" in text


def test_group_counts_and_widths_rebuild_the_bank(qtbot, tab):
    page = tab.sentence
    type_sentence(qtbot, page, "what a wonderful day")
    spin = page.count_spins[0]
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert [r.width for r in page.chart.rows()].count(2) == 5
    width = page.width_spins[2]
    width.setFocus()
    qtbot.keyClick(width, Qt.Key.Key_Up)
    widths = [r.width for r in page.chart.rows()]
    assert widths.count(5) == 4 and 4 not in widths
    # a five-wide filter still fits the four-word sentence: a padding row is added
    assert page.matrix.labels()[-1] == "⟨pad⟩"
    assert "changed since training" in page.train_status.text()


def test_padding_adds_zero_rows_at_both_ends(qtbot, tab):
    page = tab.sentence
    type_sentence(qtbot, page, "good film")
    page.padding_spin.setValue(2)
    labels = page.matrix.labels()
    assert labels[:2] == ["⟨pad⟩"] * 2 and labels[-2:] == ["⟨pad⟩"] * 2
    assert labels[2:4] == ["good", "film"]


def test_characters_mode(qtbot, tab):
    page = tab.sentence
    page.vocab_combo.setCurrentIndex(1)
    type_sentence(qtbot, page, "Not ok")
    assert page.matrix.labels() == ["n", "o", "t", "␣", "o", "k"]
    assert page.model.dim == len(page.vocabulary.words)
    assert "Untrained" in page.train_status.text()


def test_train_button_trains_on_a_worker(qtbot, tab):
    page = tab.sentence
    page.vocab_combo.setCurrentIndex(1)  # characters: untrained, so training must change it
    type_sentence(qtbot, page, "not good")
    before = page.model.weights.copy()
    with qtbot.waitSignal(page.training_finished, timeout=120_000):
        qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)
        assert page.is_training() and not page.train_button.isEnabled()
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    assert not page.is_training() and page.train_button.isEnabled()
    assert "Epoch 1/" in page.train_status.text()
    assert not np.array_equal(page.model.weights, before)


def test_empty_sentence_clears_the_views(qtbot, tab):
    page = tab.sentence
    type_sentence(qtbot, page, "good")
    page.sentence_edit.clear()
    assert page.matrix.labels() == [] and page.chart.rows() == []
    assert "Type a sentence" in page.matrix_title.text()


# --- the signal page ------------------------------------------------------------------------
def test_drawing_on_the_signal_pad(qtbot, tab):
    tab.show_mode(1)
    page = tab.signal
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    pad = page.input_plot
    assert not page.signal().any()
    n = page.signal().size
    # a stroke at the top of the pad from sample 10 to sample 20
    start, end = pad.point_of(10, 1.0), pad.point_of(20, 1.0)
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=start.toPoint())
    for i in range(11, 21):
        qtbot.mouseMove(pad, pad.point_of(i, 1.0).toPoint())
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=end.toPoint())
    drawn = page.signal()
    assert page.source_combo.currentText() == DRAW
    assert drawn.size == n
    assert (drawn[10:21] > 0.8).all() and not drawn[:10].any() and not drawn[21:].any()
    # the edge kernel answers +/- at the two ends of the drawn plateau
    out = page.output()
    assert out.size == n - 2
    assert out[8] > 0.8 and out[20] < -0.8 and abs(out[14]) < 1e-6


def test_signal_padding_stride_and_hover(qtbot, tab):
    tab.show_mode(1)
    page = tab.signal
    page.padding_spin.setValue(1)
    page.stride_spin.setValue(2)
    n = page.signal().size
    assert page.output().size == (n + 2 - 3) // 2 + 1
    assert f"<b>{page.output().size}</b>" in page.formula.text()
    plot = page.output_plot
    j = 3
    centre = plot.point_of(j)
    qtbot.mouseMove(plot, centre.toPoint())
    qtbot.waitUntil(lambda: page.input_plot.window() is not None)
    assert page.input_plot.window() == (j * 2 - 1, j * 2 + 1)
    assert f"output[{j}]" in page.readout.text()


def test_kernel_taps_typed_and_refused(qtbot, tab):
    tab.show_mode(1)
    page = tab.signal
    page.taps_edit.clear()
    qtbot.keyClicks(page.taps_edit, "1/3, 1/3, 1/3")
    qtbot.keyClick(page.taps_edit, Qt.Key.Key_Return)
    np.testing.assert_allclose(page.kernel(), [1 / 3] * 3)
    assert page.kernel_combo.currentText().startswith("box 3")
    page.taps_edit.clear()
    qtbot.keyClicks(page.taps_edit, "1, x")
    qtbot.keyClick(page.taps_edit, Qt.Key.Key_Return)
    assert "not a number" in page.note.text()
    with pytest.raises(ValueError):
        parse_taps("")


def test_wav_files_open_or_are_refused(qtbot, tab, tmp_path):
    tab.show_mode(1)
    page = tab.signal
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(8000)
        f.writeframes((np.sin(np.arange(4000) / 10) * 20000).astype("<i2").tobytes())
    assert page.open_wav(path)
    assert page.signal().size == page.length_spin.value()
    assert np.abs(page.signal()).max() > 0.2
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF1234WAVEjunk")
    with qtbot.waitSignal(tab.error) as blocker:
        assert not page.open_wav(bad)
    assert "not a WAV file" in blocker.args[0]
    assert "not a WAV file" in page.note.text()


def test_the_window_has_the_tab(qtbot, window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(titles.index(TextTab.title)).center())
    tab = window.tabs.currentWidget()
    assert isinstance(tab, TextTab) and tab is window.text_tab and tab.isVisible()
    assert window.document.display.tab == TextTab.title.lower()
    assert not window.kernel_dock.isVisible()  # the explorer's kernels make room
    qtbot.mouseClick(tab.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    assert tab.pages.currentWidget() is tab.signal
    tab.signal.message.emit("a note from the signal page")  # the tab's words reach the window
    assert window.statusBar().currentMessage() == "a note from the signal page"
