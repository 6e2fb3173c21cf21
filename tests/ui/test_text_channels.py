"""Kim's two channels on the 1-D tab, chosen and trained as a student would: the sentence
matrix in a static and a fine-tuned band, each filter adding up both, and Train moving only
the fine-tuned copy."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from explorer.core.text.bank import training_phrases
from explorer.core.text.vectors import glove_vectors
from explorer.state import Document
from explorer.ui.controllers.text import TextController

SLOW = 30_000


@pytest.fixture
def tab(qtbot):
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


def choose_two_channels(qtbot, tab) -> None:
    combo = tab.view.sentence.channels_combo
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # the next choice, as the arrow key gives it
    settle(qtbot, tab)


def slow_response(words, static, tuned, f, bias):
    """A filter over both channels of ``words``: plain sums of every product in each."""
    d = len(static[words[0]])
    out = []
    for t in range(len(words) - len(f) + 1):
        total = float(bias)
        for i in range(len(f)):
            for j in range(d):
                total += float(static[words[t + i]][j]) * float(f[i][j])
                total += float(tuned[words[t + i]][j]) * float(f[i][d + j])
        out.append(total)
    return out


def test_two_channels_are_two_bands_and_each_filter_adds_up_both(qtbot, tab):
    page = tab.view.sentence
    page.sentence_edit.clear()
    qtbot.keyClicks(page.sentence_edit, "the film was not good")
    settle(qtbot, tab)
    one = [r.responses.copy() for r in page.chart.rows()]
    assert page.matrix.bands() == ()
    choose_two_channels(qtbot, tab)
    assert tab.document.text.channels == 2
    assert page.matrix.bands() == ("static", "fine-tuned")
    assert "× 2 channels" in page.matrix_title.text()
    left, right = page.matrix.band_rects()
    assert right.left() > left.right()  # drawn apart
    assert "half in each channel" in page.train_status.text()
    assert page.moved_label.text() == ("Fine-tuned copy: these words' vectors are still the "
                                       "static ones.")
    network = tab.reading.bank.network
    words = ["the", "film", "was", "not", "good"]
    glove = glove_vectors()
    static = {w: glove.vector(w) for w in words}
    tuned = {w: network.tuned[glove.index[w]] for w in words}
    rows = page.chart.rows()
    for k, row in enumerate(rows):
        want = slow_response(words, static, tuned, network.filters[k], network.biases[k])
        np.testing.assert_allclose(row.responses, want, rtol=1e-4, atol=1e-4)
        # before training the copy equals the static vectors: the answers of one channel
        np.testing.assert_allclose(row.responses, one[k], atol=1e-4)
    centre = page.chart.bar_center(4, 2)  # hover a bar: what each channel brings
    qtbot.mouseMove(page.chart, QPoint(round(centre.x()), round(centre.y())))
    qtbot.waitUntil(lambda: page.chart.hovered_bar() == (4, 2))
    assert "of which static" in page.readout.text() and "fine-tuned" in page.readout.text()
    assert page.products.bands() == ("static", "fine-tuned")


def test_training_two_channels_moves_only_the_fine_tuned_band(qtbot, tab):
    page = tab.view.sentence
    page.sentence_edit.clear()
    qtbot.keyClicks(page.sentence_edit, "the film was not good")
    settle(qtbot, tab)
    choose_two_channels(qtbot, tab)
    d = glove_vectors().dim
    words = ["the", "film", "was", "not", "good"]
    before = tab.reading.x.copy()
    with qtbot.waitSignal(tab.training_finished, timeout=120_000):
        qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)
        assert not page.channels_combo.isEnabled()  # the filters are being trained
        qtbot.waitUntil(lambda: page.train_status.text().startswith("Epoch 1/"),
                        timeout=60_000)
        qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    settle(qtbot, tab)
    after = tab.reading.x
    np.testing.assert_array_equal(after[:, :d], before[:, :d])  # the static band stays
    moved = np.abs(after[:, d:] - before[:, d:]).max(axis=1)
    assert moved[3] > 1e-3  # "not", in many training phrases, was fine-tuned
    assert "moved by training" in page.moved_label.text() and "“not”" in page.moved_label.text()
    trained_words = {w for p in training_phrases()[0] for w in p.tokens}
    for word, distance in zip(words, moved, strict=True):
        assert distance == 0 or word in trained_words  # no other word moved
    assert page.channels_combo.isEnabled()


def test_a_session_reopens_with_two_channels(qtbot, window, tmp_path):
    from explorer.state.session import write_session

    doc = Document()
    doc.text.channels = 2
    doc.display.tab = "text"
    path = write_session(tmp_path / "two.json", doc)
    assert window.open_session(path)
    tab = window.text_tab
    settle(qtbot, tab)
    page = tab.view.sentence
    assert page.channels_combo.currentData() == 2
    assert page.channels_combo.currentText() == "two: static + fine-tuned"
    assert page.matrix.bands() == ("static", "fine-tuned")
