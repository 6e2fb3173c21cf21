"""The step-through tab driven as a lecturer and a student would: keys, clicks, typing."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from explorer.core.convolution import convolve
from explorer.core.pipeline import LayerSpec, run_stage
from explorer.core.stepthrough import EXAMPLE_NAMES
from explorer.ui.panels.stepthrough_panel import StepThroughTab


@pytest.fixture
def tab(qtbot):
    t = StepThroughTab()
    qtbot.addWidget(t)
    t.resize(1400, 900)
    t.show()
    qtbot.waitExposed(t)
    yield t
    t.cleanup()


def test_the_keys_step_whatever_has_the_focus_in_the_tab(qtbot, tab):
    last = len(tab.walkthrough.steps) - 1
    assert last == 15  # lecture-edge: 4×4 outputs
    # the keys work on the grids, on a spin box, on the picker and on the slider alike
    for widget in (tab.canvas.board, tab.speed, tab.picker, tab.slider, tab.play_button):
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Home)
        assert tab.index == 0
        qtbot.keyClick(widget, Qt.Key.Key_Right)
        qtbot.keyClick(widget, Qt.Key.Key_Right)
        assert tab.index == 2
        qtbot.keyClick(widget, Qt.Key.Key_Left)
        assert tab.index == 1
        qtbot.keyClick(widget, Qt.Key.Key_End)
        assert tab.index == last
        qtbot.keyClick(widget, Qt.Key.Key_PageUp)  # a clicker's "back"
        assert tab.index == last - 1
    assert tab.picker.currentData() == "lecture-edge"  # the picker did not move
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Right)
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Right)  # past the end: stays there
    assert tab.index == last


def test_space_plays_and_pauses_and_the_play_reaches_the_end(qtbot, tab):
    tab.speed.setCurrentIndex(0)  # the fastest
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Home)
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Space)
    assert tab.playing
    qtbot.waitUntil(lambda: tab.index >= 1, timeout=5000)
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Space)
    assert not tab.playing
    stopped_at = tab.index
    qtbot.wait(400)
    assert tab.index == stopped_at
    qtbot.mouseClick(tab.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.playing, timeout=10_000)
    assert tab.index == len(tab.walkthrough.steps) - 1


def test_the_view_shows_the_numbers_of_the_step(qtbot, tab):
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Right)  # the window across the edge
    lines = tab.canvas.lines()
    assert lines[0].startswith("Step 2 of 16: o[0, 1, 0]")
    assert "10·1 + 10·0 + 0·(−1)" in lines[1] and lines[1].endswith("= 30")
    assert lines[-1] == "o[0, 1, 0] = 30"
    assert tab.position.text() == "step 2 of 16"


# each example's output side and map count, from the lecture and the convolution-arithmetic
# guide's figures, worked out by hand
OUTPUT_SIDES = {
    "lecture-edge": (4, 1), "lecture-volume": (3, 2), "no-padding": (2, 1),
    "arbitrary-padding": (6, 1), "half-padding": (5, 1), "full-padding": (7, 1),
    "strides": (2, 1), "odd-strides": (3, 1), "dilation": (3, 1), "transposed": (4, 1),
    "transposed-strides": (5, 1), "max-pool": (2, 1), "avg-pool": (2, 1),
    "max-pool-overlap": (2, 1), "avg-pool-overlap": (2, 1),
}


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_can_be_picked_and_stepped(qtbot, tab, name):
    assert set(OUTPUT_SIDES) == set(EXAMPLE_NAMES)
    before = tab.canvas.caption.text()
    tab.picker.setCurrentIndex(tab.picker.findData(name))
    caption = tab.canvas.caption.text()
    assert (caption != before) == (name != "lecture-edge")  # the picked example's, not the last
    assert tab.picker.itemData(tab.picker.currentIndex(), Qt.ItemDataRole.ToolTipRole) \
        == caption
    side, maps = OUTPUT_SIDES[name]
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_End)
    assert tab.index == side * side * maps - 1  # one step an output number
    assert tab.position.text() == f"step {side * side * maps} of {side * side * maps}"
    assert tab.walkthrough.output(tab.index).shape == (side, side, maps)
    assert np.isfinite(tab.walkthrough.output(tab.index)).all()


def double_click_cell(qtbot, tab, block, index, row, col):
    rect = tab.canvas.board.cell_rect(block, index, row, col)
    qtbot.mouseDClick(tab.canvas.board, Qt.MouseButton.LeftButton,
                      pos=QPoint(int(rect.center().x()), int(rect.center().y())))


def test_typing_into_a_cell_recomputes_the_steps(qtbot, tab):
    double_click_cell(qtbot, tab, "input", 0, 0, 3)  # a dark pixel right of the edge
    editor = tab.canvas.board._editor
    assert editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, "10")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    ex = tab.walkthrough.example
    assert ex.input[0, 3, 0] == 10
    np.testing.assert_allclose(tab.walkthrough.output(), convolve(ex.input, ex.weights))
    assert tab.walkthrough.steps[1].value == 20  # 10 + 10 + 10 − 10
    # a kernel weight too
    double_click_cell(qtbot, tab, "kernel", 0, 0, 0)
    editor.selectAll()
    qtbot.keyClicks(editor, "-2")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert tab.walkthrough.example.weights[0, 0, 0, 0] == -2
    qtbot.mouseClick(tab.reset_button, Qt.MouseButton.LeftButton)
    assert tab.walkthrough.example.input[0, 3, 0] == 0
    assert tab.walkthrough.example.weights[0, 0, 0, 0] == 1


def test_padding_cells_cannot_be_typed_into(qtbot, tab):
    tab.select_example("half-padding")
    with qtbot.waitSignal(tab.message) as said:
        double_click_cell(qtbot, tab, "input", 0, 0, 0)
    assert "padding" in said.args[0]
    assert not tab.canvas.board._editor.isVisible()


def test_new_numbers_for_the_volume_example(qtbot, tab):
    tab.select_example("lecture-edge")
    assert not tab.new_numbers_button.isEnabled()
    tab.select_example("lecture-volume")
    before = tab.walkthrough.example.input.copy()
    qtbot.mouseClick(tab.new_numbers_button, Qt.MouseButton.LeftButton)
    after = tab.walkthrough.example.input
    assert not np.array_equal(before, after)
    assert set(np.unique(after)) <= {0, 1, 2}
    assert tab.walkthrough.output_shape == (3, 3, 2)


def test_the_quiz_hides_each_value_until_it_is_predicted(qtbot, tab):
    qtbot.mouseClick(tab.quiz_box, Qt.MouseButton.LeftButton)
    assert tab.quiz_bar.isVisible()
    answer = tab.quiz_bar.answer
    assert tab.canvas.lines()[-1].startswith("Your turn")
    # the lecture's 4×4 output, row by row, with two wrong predictions
    truth = [0, 30, 30, 0] * 4
    typed = list(truth)
    typed[1], typed[6] = 29, 0
    for i, value in enumerate(typed):
        assert tab.index == i
        qtbot.keyClicks(answer, str(value))
        qtbot.keyClick(answer, Qt.Key.Key_Return)
        verdict = tab.quiz_bar.verdict.text()
        assert verdict.startswith("Right" if value == truth[i] else "Not quite"), verdict
        assert tab.canvas.lines()[-1] == f"o[{i // 4}, {i % 4}, 0] = {truth[i]}"
        qtbot.keyClick(answer, Qt.Key.Key_Right)
    assert tab.score.right == 14 and tab.score.asked == 16
    assert tab.quiz_bar.score.text() == "Final score: 14 of 16 right (88 %)"


def test_right_arrow_in_the_quiz_shows_the_value_first_unscored(qtbot, tab):
    tab.quiz_box.setChecked(True)
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Right)
    assert tab.index == 0 and not tab.canvas.lines()[-1].startswith("Your turn")
    assert tab.score.asked == 0
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Right)
    assert tab.index == 1 and tab.canvas.lines()[-1].startswith("Your turn")
    qtbot.keyClicks(tab.quiz_bar.answer, "ten")
    qtbot.keyClick(tab.quiz_bar.answer, Qt.Key.Key_Return)
    assert "type a number" in tab.quiz_bar.verdict.text() and tab.score.asked == 0


def windows_that_fit(question) -> int:
    """Slow reference: slide the (dilated) window along the padded row and count."""
    padded = question.n + 2 * question.padding
    span = question.dilation * (question.kernel - 1) + 1
    count, start = 0, 0
    while start + span <= padded:
        count += 1
        start += question.stride
    return count


def test_output_size_questions(qtbot, tab):
    qtbot.mouseClick(tab.size_button, Qt.MouseButton.LeftButton)
    question = tab._question
    assert tab.quiz_bar.prompt.text() == question.text
    qtbot.keyClicks(tab.quiz_bar.answer, str(windows_that_fit(question)))
    qtbot.keyClick(tab.quiz_bar.answer, Qt.Key.Key_Return)
    assert tab.quiz_bar.verdict.text().startswith("Right")
    assert question.explanation in tab.quiz_bar.verdict.text()
    qtbot.mouseClick(tab.size_button, Qt.MouseButton.LeftButton)
    other = tab._question
    wrong = windows_that_fit(other) + 1
    qtbot.keyClicks(tab.quiz_bar.answer, str(wrong))
    qtbot.keyClick(tab.quiz_bar.answer, Qt.Key.Key_Return)
    assert tab.quiz_bar.verdict.text().startswith("Not quite")
    assert (tab.score.right, tab.score.asked) == (1, 2)


def test_presentation_mode_with_f11_and_esc(qtbot, tab):
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_F11)
    assert tab.presenting
    window = tab.canvas.window()
    assert window is not tab.window() and window.isFullScreen()
    assert tab.canvas.presenting
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Right)  # the keys still step
    assert tab.index == 1
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Escape)
    assert not tab.presenting
    assert tab.canvas.window() is tab.window() and not tab.canvas.presenting
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Right)
    assert tab.index == 2


def test_keys_are_left_alone_while_the_tab_is_hidden(qtbot, tab):
    from PySide6.QtWidgets import QLineEdit

    other = QLineEdit("abc")
    qtbot.addWidget(other)
    other.show()
    qtbot.keyClick(other, Qt.Key.Key_Home)  # another window's line edit: not the tab's key
    assert other.cursorPosition() == 0 and tab.index == 0
    tab.hide()
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Right)
    assert tab.index == 0


def test_from_the_explorer_on_a_crop(qtbot, tab):
    explorer = tab.picker.findData("explorer")
    assert not tab.picker.model().item(explorer).isEnabled()
    rng = np.random.default_rng(2)
    picture = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    spec = LayerSpec(weights=rng.normal(size=(2, 3, 3, 3)).astype(np.float32),
                     bias=np.array([1.0, -2.0], np.float32), padding=1, activation="relu",
                     pool_mode="none")
    tab.set_source(picture, "noise.png", live=False)
    tab.set_explorer_layer(spec)
    assert tab.picker.model().item(explorer).isEnabled()
    tab.picker.setCurrentIndex(explorer)
    # an 8×8 crop at the centre by default: three 10×10 padded grids stay readable
    assert tab.crop_row.isVisible() and (tab.crop_row.value(), tab.crop_col.value()) == (26, 36)
    ex = tab.walkthrough.example
    crop = picture[26:34, 36:44]
    np.testing.assert_array_equal(ex.input, crop)
    np.testing.assert_allclose(tab.walkthrough.output(), run_stage(crop, spec).feature_maps,
                               rtol=1e-4, atol=1e-3)
    assert "noise.png" in tab.canvas.caption.text()
    tab.crop_size.setValue(12)
    tab.crop_row.setValue(55)  # near the bottom: a 5-row crop
    assert tab.walkthrough.example.input.shape == (5, 12, 3)
    np.testing.assert_array_equal(tab.walkthrough.example.input, picture[55:, 36:48])


def tap_colour_mask(rgb, tolerance=40):
    """Pixels of the window's tap fill (255, 214, 150) on the light theme."""
    target = np.array([255, 214, 150])
    return (np.abs(rgb.astype(int) - target) <= tolerance).all(axis=2)


def test_export_gif_frames_show_the_window_moving(tmp_path, tab):
    from PIL import Image

    out = tmp_path / "edge.gif"
    written = tab.export_animation(out, scale=1, frame_ms=300)
    assert written == [out]
    with Image.open(out) as gif:
        assert gif.n_frames == 16 and gif.size == (1280, 720)
        frames = []
        for i in range(gif.n_frames):
            gif.seek(i)
            frames.append(np.asarray(gif.convert("RGB")))
    centres = []
    for rgb in frames:
        mask = tap_colour_mask(rgb)
        assert mask.sum() > 2000  # nine highlighted cells and the output's landing cell
        ys, xs = np.nonzero(mask[:570, :640])  # the input grid: left half, above the text
        centres.append((xs.mean(), ys.mean()))
    assert not np.array_equal(frames[0], frames[1])
    # the window jumps one column right, then back left and one row down
    assert centres[1][0] > centres[0][0] + 20 and abs(centres[1][1] - centres[0][1]) < 2
    assert centres[4][0] < centres[3][0] - 40 and centres[4][1] > centres[3][1] + 20


def test_export_mp4_and_numbered_pngs_at_2x(tmp_path, tab):
    import cv2

    tab.select_example("strides")  # 2×2 outputs: 4 frames
    out = tmp_path / "strides.mp4"
    tab.export_animation(out, scale=2, frame_ms=500)
    cap = cv2.VideoCapture(str(out))
    frames = []
    try:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    finally:
        cap.release()
    assert len(frames) == 4 and frames[0].shape == (1440, 2560, 3)
    assert all(tap_colour_mask(f, 50).sum() > 5000 for f in frames)
    assert np.abs(frames[0].astype(int) - frames[1]).mean() > 0.5
    pngs = tab.export_animation(tmp_path / "strides.png", scale=1, frame_ms=500)
    assert [p.name for p in pngs] == [f"strides_00{i}.png" for i in range(1, 5)]
    first = cv2.imread(str(pngs[0]))
    assert first.shape == (720, 1280, 3)


def test_export_to_a_missing_folder_says_so(tmp_path, tab):
    with pytest.raises(ValueError, match="does not exist"):
        tab.export_animation(tmp_path / "nowhere" / "a.gif")


def test_the_window_has_the_tab_and_its_menu_items(qtbot, window):
    tab = window.stepthrough
    assert window.tabs.tabText(window.tabs.indexOf(tab)) == "Step-through"
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    file_items = [a.text() for a in menus["&File"].actions()]
    assert "Export &animation…" in file_items
    assert tab.presentation_action in menus["&View"].actions()
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(tab.isVisible)
    qtbot.keyClick(tab.canvas.board, Qt.Key.Key_Right)
    assert tab.index == 1
    tab.presentation_action.trigger()  # View > Presentation mode
    assert tab.presenting
    tab.presentation_action.trigger()
    assert not tab.presenting and tab.canvas.window() is window
    window.tabs.setCurrentWidget(window.maps_panel)
    qtbot.keyClick(window.maps_panel, Qt.Key.Key_Right)  # the explorer's keys are its own
    assert tab.index == 1


def test_a_new_still_is_cropped_at_once_live_frames_wait(qtbot, tab):
    spec = LayerSpec(weights=np.ones((1, 3, 3, 1), np.float32), bias=np.zeros(1, np.float32),
                     activation="identity", pool_mode="none")
    tab.set_source(np.zeros((20, 20), np.uint8), "black", live=False)
    tab.set_explorer_layer(spec)
    tab.select_example("explorer")
    assert tab.walkthrough.steps[0].value == 0
    tab.set_source(np.full((20, 20), 9, np.uint8), "frame", live=True)
    assert tab.walkthrough.steps[0].value == 0  # the numbers being read hold still
    tab.set_source(np.full((20, 20), 2, np.uint8), "grey", live=False)
    assert tab.walkthrough.steps[0].value == 18  # nine taps of 2


def test_a_background_export_reads_back(qtbot, tmp_path, tab):
    from PIL import Image

    tab.select_example("lecture-volume")
    out = tmp_path / "volume.gif"
    writer = tab.start_export(out, scale=1, frame_ms=250)
    assert tab.exporting
    with qtbot.waitSignal(writer.written, timeout=60_000) as done:
        pass
    assert done.args[0] == [out]
    qtbot.waitUntil(lambda: not tab.exporting)  # the writer's thread was joined
    with Image.open(out) as gif:
        assert gif.n_frames == 18 and gif.size == (1280, 720)
        gif.seek(17)
        last = np.asarray(gif.convert("RGB"))
    assert tap_colour_mask(last).sum() > 2000


def test_cancelling_a_background_export_keeps_the_old_file(qtbot, tmp_path, tab):
    tab.select_example("full-padding")  # 49 frames
    out = tmp_path / "full.mp4"
    out.write_bytes(b"the old video")
    writer = tab.start_export(out, scale=2, frame_ms=250)
    qtbot.waitUntil(lambda: tab._export_done >= 2, timeout=20_000)
    assert writer.isRunning()
    tab.cancel_export()  # joins the writer's thread
    assert not tab.exporting
    assert out.read_bytes() == b"the old video"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.mp4"]


def test_the_export_dialog_as_a_user_fills_it(qtbot, tmp_path, tab):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from explorer.ui.widgets.animation_dialog import AnimationDialog

    tab.select_example("strides")
    out = tmp_path / "strides.mp4"

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AnimationDialog)
        dialog.path_edit.clear()
        qtbot.keyClicks(dialog.path_edit, str(out))
        dialog.scale_box.setCurrentIndex(1)  # 2×
        save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, fill_in)
    with qtbot.waitSignal(tab.message, timeout=60_000) as said:
        tab.export_animation_dialog()
    assert said.args[0] == "Saved strides.mp4"
    import cv2

    cap = cv2.VideoCapture(str(out))
    try:
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 4
        assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == \
            (2560, 1440)
    finally:
        cap.release()
