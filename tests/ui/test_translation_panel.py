"""The translation tab: the explorer's stack on a moving crop, drawn and plotted."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt


def test_the_tab_studies_the_explorers_stack_and_follows_the_shift(qtbot, window):
    tab = window.translation_panel
    window.layer_panel.use_stack_preset("lecture_x2")
    with qtbot.waitSignal(tab._worker.done, timeout=30_000):
        window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.study is not None, timeout=30_000)
    study = tab.study
    assert study.names == ["input pixels", "layer 1 conv", "layer 1 pool", "layer 2 conv",
                           "layer 2 pool", "dense (random weights)"]
    assert study.shown_shift == 4
    assert len(tab.plot.getPlotItem().listDataItems()) == len(study.names) + 1  # + moved back
    tab.shift_spin.setFocus()
    tab.shift_spin.selectAll()
    qtbot.keyClicks(tab.shift_spin, "9")
    qtbot.keyClick(tab.shift_spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.study.shown_shift == 9, timeout=30_000)
    assert tab.shift_slider.value() == 9
    assert "9 px" in tab.status.text()
    # the shown maps are the first layer's, moved by the shift (away from the crop's edge)
    before, after = tab.study.before["layer 1 conv"], tab.study.after["layer 1 conv"]
    np.testing.assert_allclose(after[:, 20:60], before[:, 11:51], rtol=1e-4, atol=1e-3)


def test_an_edit_of_the_stack_studies_again(qtbot, window):
    tab = window.translation_panel
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.study is not None, timeout=30_000)
    first = tab.study
    window.document.layer.pool_mode = "none"
    qtbot.waitUntil(lambda: tab.study is not first, timeout=30_000)
    assert "layer 1 pool" not in tab.study.names
