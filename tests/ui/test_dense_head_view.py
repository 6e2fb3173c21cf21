"""The dense head in the window: turned on from the Layers dock, its count and scores shown."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))


def _newest_with(qtbot, window, wanted):
    """Wait until the maps panel shows a result for which ``wanted(result)`` holds."""
    qtbot.waitUntil(lambda: window.maps_panel.result is not None
                    and wanted(window.maps_panel.result)
                    and not window.controller.scheduled, timeout=20_000)
    return window.maps_panel.result


def _weights_text(result, classes: int) -> str:
    h, w, k = result.stages[-1].output.shape
    inputs = 0
    for _ in range(h * w * k):  # every value of the last stage's output is one input
        inputs += 1
    return (f"{w}×{h}×{k} = {inputs:,} inputs × {classes} classes + {classes} biases = "
            f"{inputs * classes + classes:,} weights")


def test_a_user_turns_the_head_on_and_reads_its_weight_count(qtbot, window):
    panel, scores = window.layer_panel, window.maps_panel.class_scores
    assert not scores.isVisible()
    size = window.size()
    _click(qtbot, panel.head_check)
    result = _newest_with(qtbot, window, lambda r: r.head is not None)
    assert window.document.stack.head.on and scores.isVisible()
    assert window.size() == size  # the scores take room from the maps, not the screen
    text = scores.text()
    assert _weights_text(result, 10) in text
    # the one conv stage: its filters' shared kernels and biases, counted by hand
    spec = result.stages[0].spec
    k, kh, kw, c = spec.weights.shape
    assert f"All conv stages: {k * (kh * kw * c + 1):,} weights" in text
    assert "mean nothing" in text and "seed 0" in text
    assert scores.probabilities is not None and len(scores.probabilities) == 10

    spin = panel.head_classes_spin  # five classes, typed as a user types them
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "5")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    result = _newest_with(qtbot, window, lambda r: r.head is not None and r.head.classes == 5)
    assert _weights_text(result, 5) in scores.text()
    assert len(scores.probabilities) == 5

    # a smaller processing size: fewer inputs, so fewer weights; the kernels stay as they are
    before = result.stages[-1].output.shape
    window.document.input.max_side = 160
    result = _newest_with(qtbot, window, lambda r: r.stages[-1].output.shape != before)
    assert _weights_text(result, 5) in scores.text()
    assert "160" in scores.text()

    # undone with the keys a user presses: the head goes and its view with it
    qtbot.waitUntil(lambda: not window._history_timer.isActive(), timeout=5_000)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not window.document.stack.head.on and not panel.head_check.isChecked()
    _newest_with(qtbot, window, lambda r: r.request.head is None)
    assert not scores.isVisible()


def test_the_lecture_figure_preset_ends_in_a_dense_head(qtbot, window):
    combo = window.layer_panel.stack_preset_combo
    index = combo.findData("lecture_fc")
    assert index > 0
    combo.activated.emit(index)  # a preset chosen from the list
    result = _newest_with(qtbot, window, lambda r: r.head is not None and len(r.stages) == 2)
    assert window.layer_panel.head_check.isChecked()
    assert _weights_text(result, 10) in window.maps_panel.class_scores.text()
    assert "the dense head adds" in window.layer_panel.stack_total.text()


def test_live_frames_get_the_head_without_making_its_weights_again(qtbot, window):
    window.document.stack.head.on = True
    window.start_synthetic()
    seen = []

    def keep(result) -> None:
        if result.request.live:
            seen.append(result)

    window.result_shown.connect(keep)
    qtbot.waitUntil(lambda: len(seen) >= 4, timeout=20_000)
    window.result_shown.disconnect(keep)
    window.stop_live()
    assert all(r.head is not None and r.head.probabilities.sum() > 0.999 for r in seen)
    shapes = {r.stages[-1].output.shape for r in seen}
    made = window.controller.worker._computer.heads.made
    assert made <= 1 + len(shapes)  # once per size (the still's and the frames'), not per frame
    assert window.maps_panel.class_scores.probabilities is not None


def test_a_head_too_large_is_refused_in_words_and_the_maps_stay(qtbot, window, monkeypatch):
    import explorer.core.dense_head as dense_head

    monkeypatch.setattr(dense_head, "MAX_HEAD_WEIGHTS", 1000)
    _click(qtbot, window.layer_panel.head_check)
    result = _newest_with(qtbot, window, lambda r: r.request.head is not None)
    scores = window.maps_panel.class_scores
    assert result.head is None and result.stages  # the maps are there all the same
    assert scores.isVisible() and scores.probabilities is None
    assert scores.text().startswith("Dense head refused: a dense head on ")
    assert "at most 1,000 are made" in scores.text()
