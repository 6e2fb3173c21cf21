"""The translation tab: the explorer's stack on a moving crop, drawn and plotted, its shift in
the document, its work on the worker, and the picture it shows always the source's."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt


def _show_tab(qtbot, window) -> None:
    tab = window.translation
    window.tabs.setCurrentWidget(tab.view)
    qtbot.waitUntil(tab.is_settled, timeout=30_000)


def test_the_tab_studies_the_explorers_stack_and_follows_the_shift(qtbot, window):
    tab = window.translation
    window.layer_panel.use_stack_preset("lecture_x2")
    _show_tab(qtbot, window)
    study = tab.view.study
    assert study.names == ["input pixels", "layer 1 conv", "layer 1 pool", "layer 2 conv",
                           "layer 2 pool", "dense (random weights)"]
    assert study.shown_shift == 4
    # in place for every representation, moved back for each conv and pool stage
    assert len(tab.view.plot.listDataItems()) == len(study.names) + 4
    assert "Layer 2 uses random kernels" in tab.view.caption.text()
    spin = tab.view.shift_spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "9")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert window.document.translation.shift == 9  # the edit is in the document
    qtbot.waitUntil(lambda: tab.view.study.shown_shift == 9, timeout=30_000)
    assert tab.view.shift_slider.value() == 9
    assert "9 px" in tab.view.status.text()
    # the shown maps are the first layer's, moved by the shift (away from the crop's edge)
    before, after = tab.view.study.before["layer 1 conv"], tab.view.study.after["layer 1 conv"]
    np.testing.assert_allclose(after[:, 20:60], before[:, 11:51], rtol=1e-4, atol=1e-3)


def test_the_shift_set_in_the_document_moves_the_controls_and_the_study(qtbot, window):
    tab = window.translation
    _show_tab(qtbot, window)
    window.document.translation.shift = 13  # a session, a script
    assert tab.view.shift_spin.value() == 13 and tab.view.shift_slider.value() == 13
    qtbot.waitUntil(lambda: tab.view.study.shown_shift == 13, timeout=30_000)


def test_an_edit_of_the_stack_studies_again(qtbot, window):
    tab = window.translation
    _show_tab(qtbot, window)
    first = tab.view.study
    window.document.layer.pool_mode = "none"
    qtbot.waitUntil(lambda: tab.view.study is not first, timeout=30_000)
    assert "layer 1 pool" not in tab.view.study.names


def test_the_maps_are_coloured_on_the_worker_and_the_image_items_reused(qtbot, window):
    tab = window.translation
    _show_tab(qtbot, window)
    items = dict(tab.view._items)
    shown = items["input pixels"][0].image
    assert shown.dtype == np.uint8 and shown.ndim == 3  # RGB made by the worker
    window.document.translation.shift = 7
    qtbot.waitUntil(lambda: tab.view.study.shown_shift == 7, timeout=30_000)
    assert tab.view._items == items  # the same items, new pictures


def test_a_new_picture_leaves_nothing_of_the_old_one(qtbot, window):
    tab = window.translation
    _show_tab(qtbot, window)
    old = tab.view.study
    black = np.zeros((300, 400, 3), np.uint8)
    window.set_image(black, "black")
    assert tab.view.study is None or tab.view.study is not old  # cleared at once
    qtbot.waitUntil(lambda: tab.is_settled() and tab.view.study is not None, timeout=30_000)
    # the black picture's pixels, not the coffee's
    assert float(np.abs(tab.view.study.before["input pixels"]).max()) == 0.0


def test_a_hidden_tab_computes_nothing(qtbot, window):
    tab = window.translation
    _show_tab(qtbot, window)
    window.tabs.setCurrentWidget(window.maps_panel)
    asked = tab.worker.newest
    window.document.translation.shift = 2
    window.document.layer.stride = 2
    qtbot.wait(200)
    assert tab.worker.newest == asked
    window.tabs.setCurrentWidget(tab.view)  # shown again: one study of the newest settings
    qtbot.waitUntil(tab.is_settled, timeout=30_000)
    assert tab.view.study.shown_shift == 2


def test_the_learned_kernels_are_studied_when_chosen(qtbot, window):
    tab = window.translation
    _show_tab(qtbot, window)
    combo = tab.view.stack_combo
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # a closed combo box steps with the arrow keys
    assert window.document.translation.stack == "pretrained"
    qtbot.waitUntil(lambda: tab.is_settled() and "layer 2 pool" in tab.view.study.names,
                    timeout=60_000)
    study = tab.view.study
    assert study.random == (False, False)
    assert "random" not in tab.view.caption.text()
    # learned kernels: for moves smaller than a pooled unit (4 px here), the pooled stages
    # change less than layer 1's maps in place: local invariance
    for name in ("layer 1 pool", "layer 2 pool"):
        assert (study.curves[name][1:5] > study.curves["layer 1 conv"][1:5]).all(), name
