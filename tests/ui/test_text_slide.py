"""The 1-D tab's teaching picture, read from the exported file: the sentence matrix, the
filters' responses with each winning n-gram named on its bar, max-over-time and the answer,
and none of the tab's editing widgets."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLineEdit,
    QProgressBar,
)

from explorer.core.text.vectors import glove_vectors
from explorer.ui.controllers.text import TextController
from explorer.ui.convert import qimage_to_array
from explorer.ui.export import render_widget
from explorer.ui.export_dialog import ExportDialog
from explorer.ui.panels.sentence_slide import SLIDE_SIZE
from explorer.ui.widgets.answer_bars import OTHERS, WINNER
from explorer.ui.widgets.response_chart import NAME_BACKGROUND, FilterRow
from tests.ui.pictures import load, near

SLOW = 30_000
SENTENCE = "the soup was cold and not good at all"
HIGHLIGHT = (NAME_BACKGROUND.red(), NAME_BACKGROUND.green(), NAME_BACKGROUND.blue())


def show_text_tab(qtbot, window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(titles.index(TextController.title)).center())
    tab = window.text_tab
    qtbot.waitUntil(tab.is_settled, timeout=SLOW)
    return tab


def type_sentence(qtbot, tab, text):
    edit = tab.view.sentence.sentence_edit
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.waitUntil(tab.is_settled, timeout=SLOW)


def slow_winner(words, f, bias):
    """The first position where filter ``f`` answers most, by plain loops over products."""
    vectors = [glove_vectors().vector(w) for w in words]
    best, where = None, -1
    for t in range(len(words) - len(f) + 1):
        total = float(bias) + sum(float(vectors[t + i][j]) * float(f[i][j])
                                  for i in range(len(f)) for j in range(len(f[0])))
        if best is None or total > best:
            best, where = total, t
    return where


def lanes(slide) -> list:
    """Where each row's winning n-gram is written, in the slide's coordinates."""
    chart = slide.chart
    out = []
    for k in range(len(chart.rows())):
        rect = chart.winner_name_rect(k)
        out.append(rect.translated(chart.mapTo(slide, QPoint(0, 0)).toPointF()))
    return out


def test_export_of_the_tab_is_its_teaching_picture(qtbot, window, tmp_path):
    tab = show_text_tab(qtbot, window)
    type_sentence(qtbot, tab, SENTENCE)
    out = tmp_path / "slide.png"

    def fill_in() -> None:  # File › Export view…, as a user fills it in
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ExportDialog):
            QTimer.singleShot(10, fill_in)
            return
        dialog.target_box.setCurrentIndex(dialog.target_box.findText("Current tab"))
        dialog.scale_box.setCurrentIndex(dialog.scale_box.findData(2))
        dialog.path_edit.clear()
        qtbot.keyClicks(dialog.path_edit, str(out))
        save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, fill_in)
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    message = window.statusBar().currentMessage()  # the path written and its size
    assert message.startswith(f"Saved {out} (") and message.endswith(" KB)")
    assert float(message[len(f"Saved {out} ("):-len(" KB)")]) == pytest.approx(
        out.stat().st_size / 1000, rel=0.01)
    picture = load(out)
    # a 16:9 slide of its own, not the tab as it stands in the window
    assert picture.shape[:2] == (2 * SLIDE_SIZE.height(), 2 * SLIDE_SIZE.width())
    assert tab.view.size().width() * 2 != picture.shape[1]
    with tab.view.teaching_picture() as slide:
        for kind in (QLineEdit, QAbstractSpinBox, QComboBox, QAbstractButton, QProgressBar):
            assert slide.findChildren(kind) == []  # nothing to edit, no Train or Stop
        # each row names its winning n-gram: the words where a slow sum of products peaks
        words = SENTENCE.split()
        network = tab.reading.bank.network
        rows = slide.chart.rows()
        for k, row in enumerate(rows):
            t = slow_winner(words, network.filters[k], network.biases[k])
            assert row.winner_text == " ".join(words[t:t + row.width])
        # … and the picture shows it there: the highlight behind each name, in its lane
        chart = slide.chart.geometry()  # the chart's columns: the pooling table is beside
        x0, x1 = chart.left() * 2, chart.right() * 2
        for rect in lanes(slide):
            y = int(rect.center().y() * 2)
            assert near(picture[y - 4:y + 4, x0:x1], HIGHLIGHT, 8).sum() > 40
        # drawn without the names, the lanes hold no highlight: the names made it
        plain = [FilterRow(r.name, r.width, r.responses, r.winner) for r in rows]
        reading = slide.reading
        slide.chart.set_content(reading.labels, [k == "padding" for k in reading.kinds], plain)
        bare_picture = qimage_to_array(render_widget(slide, 2))
        for rect in lanes(slide):
            y = int(rect.center().y() * 2)
            assert near(bare_picture[y - 4:y + 4, x0:x1], HIGHLIGHT, 8).sum() == 0
        # the answer: each percentage beside its bar, never under it
        answer = slide.answer
        top_left = answer.mapTo(slide, QPoint(0, 0))
        box = picture[top_left.y() * 2:(top_left.y() + answer.height()) * 2,
                      top_left.x() * 2:(top_left.x() + answer.width()) * 2]
        rgb = [(c.red(), c.green(), c.blue()) for c in (WINNER, OTHERS)]
        bars = near(box, rgb[0], 6) | near(box, rgb[1], 6)
        columns = np.flatnonzero(bars.any(axis=0))
        assert columns.size, "the answer's bars are in the picture"
        right_of_bars = box[:, columns.max() + 1:]
        dark_text = right_of_bars.max(axis=-1) < 90
        assert dark_text.sum() > 100  # the percentages stand right of every bar
    assert answer.texts()[0].startswith("negative ")


def test_the_signal_page_pictures_its_plots_without_controls(qtbot, window, tmp_path):
    tab = show_text_tab(qtbot, window)
    qtbot.mouseClick(tab.view.mode_buttons.button(1), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(tab.is_settled, timeout=SLOW)
    picture = load(window.export_view(tmp_path / "signal.png", "Current tab", scale=1))
    plots = tab.view.signal.plots
    assert picture.shape[:2] == (plots.height(), plots.width())
    assert plots.findChildren(QLineEdit) == [] and plots.findChildren(QComboBox) == []


def test_an_empty_sentence_is_refused_with_a_reason(qtbot, window, tmp_path):
    tab = show_text_tab(qtbot, window)
    type_sentence(qtbot, tab, "")
    with pytest.raises(ValueError, match="no sentence to picture"):
        window.export_view(tmp_path / "empty.png", "Current tab")
    assert not (tmp_path / "empty.png").exists()


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_panel_text_from_the_command_line_at_every_scale(tmp_path, scale):
    from explorer.app import main

    out = tmp_path / f"text{scale}.png"
    assert main(["--panel", "text", "--screenshot", str(out), "--scale", str(scale)]) == 0
    picture = load(out)
    assert picture.shape[:2] == (scale * SLIDE_SIZE.height(), scale * SLIDE_SIZE.width())
    # the names' highlights grow with the picture: nothing cut at any scale (twelve filters,
    # each a name, at least 60 × 14 px at scale 1)
    assert near(picture, HIGHLIGHT, 8).sum() > 12 * 60 * 14 * scale * scale
