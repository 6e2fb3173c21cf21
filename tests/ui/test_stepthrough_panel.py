"""The step-through tab driven as a lecturer and a student would: keys, clicks, typing; its
settings in the document, its steps built and its frames exported on its worker."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from explorer.core.convolution import convolve
from explorer.core.pipeline import LayerSpec, NamedStack, run_stage
from explorer.core.stepthrough import EXAMPLE_NAMES, example
from explorer.state import Document
from explorer.ui.controllers.stepthrough import StepThroughController


@pytest.fixture
def tab(qtbot):
    """The tab as the window shows it: its view on screen, its controller active."""
    controller = StepThroughController(Document())
    view = controller.view
    qtbot.addWidget(view)
    view.resize(1400, 900)
    view.show()
    qtbot.waitExposed(view)
    controller.set_active(True)
    qtbot.waitUntil(controller.is_settled, timeout=10_000)
    yield controller
    controller.cleanup()


def settle(qtbot, tab) -> None:
    qtbot.waitUntil(tab.is_settled, timeout=10_000)


def pick(qtbot, tab, name: str) -> None:
    picker = tab.view.picker
    picker.setCurrentIndex(picker.findData(name))
    settle(qtbot, tab)


def test_the_keys_step_whatever_has_the_focus_in_the_tab(qtbot, tab):
    view = tab.view
    last = len(tab.walkthrough.steps) - 1
    assert last == 15  # lecture-edge: 4×4 outputs
    # the keys work on the grids, on a combo box, on the picker and on the slider alike
    for widget in (view.canvas, view.speed, view.picker, view.slider, view.play_button):
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
    assert view.picker.currentData() == "lecture-edge"  # the picker did not move
    assert tab.document.stepthrough.step == last - 1  # the step is the document's
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)  # past the end: stays there
    assert tab.index == last


def test_space_plays_and_pauses_and_the_play_reaches_the_end(qtbot, tab):
    view = tab.view
    view.speed.setCurrentIndex(0)  # the fastest
    assert tab.document.stepthrough.speed_ms == 250
    qtbot.keyClick(view.canvas, Qt.Key.Key_Home)
    qtbot.keyClick(view.canvas, Qt.Key.Key_Space)
    assert tab.playing and view.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: tab.index >= 1, timeout=5000)
    qtbot.keyClick(view.canvas, Qt.Key.Key_Space)
    assert not tab.playing
    stopped_at = tab.index
    qtbot.wait(400)
    assert tab.index == stopped_at
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.playing, timeout=10_000)
    assert tab.index == len(tab.walkthrough.steps) - 1


def test_the_view_shows_the_numbers_of_the_step(qtbot, tab):
    qtbot.keyClick(tab.view.canvas, Qt.Key.Key_Right)  # the window across the edge
    lines = tab.view.canvas.lines()
    assert lines[0].startswith("Step 2 of 16: o[0, 1, 0]")
    assert "10·1 + 10·0 + 0·(−1)" in lines[1] and lines[1].endswith("= 30")
    assert lines[-1] == "o[0, 1, 0] = 30"
    assert tab.view.position.text() == "step 2 of 16"


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
    pick(qtbot, tab, name)
    ex = example(name)
    assert tab.document.stepthrough.example == name
    assert tab.view.canvas.caption == ex.caption
    picker = tab.view.picker
    assert picker.itemData(picker.currentIndex(), Qt.ItemDataRole.ToolTipRole) == ex.caption
    side, maps = OUTPUT_SIDES[name]
    qtbot.keyClick(tab.view.canvas, Qt.Key.Key_End)
    assert tab.index == side * side * maps - 1  # one step an output number
    assert tab.walkthrough.output(tab.index).shape == (side, side, maps)
    assert np.isfinite(tab.walkthrough.output(tab.index)).all()


def test_picking_an_example_starts_it_at_its_first_step_with_nothing_typed(qtbot, tab):
    settings = tab.document.stepthrough
    settings.update({"step": 7, "edits": (("input", 0, 0, 0, 0, 4.0),)})
    settle(qtbot, tab)
    pick(qtbot, tab, "strides")
    assert (settings.example, settings.step, settings.edits) == ("strides", 0, ())
    assert tab.view.position.text() == "step 1 of 4"


def test_the_document_from_elsewhere_shows_in_the_controls(qtbot, tab):
    # a session, undo or a script sets the example, its step, the quiz and the speed
    tab.document.stepthrough.update({"example": "lecture-volume", "step": 5, "quiz": False,
                                     "speed_ms": 1200})
    settle(qtbot, tab)
    view = tab.view
    assert view.picker.currentData() == "lecture-volume"
    assert view.speed.currentData() == 1200
    assert view.position.text() == "step 6 of 18" and view.slider.value() == 5
    assert view.canvas.lines()[0].startswith("Step 6 of 18: o[1, 2, 0]")
    tab.document.stepthrough.step = 40  # beyond the example: its last step
    assert tab.index == 17
    tab.document.stepthrough.speed_ms = 700  # not in the list: shown all the same
    assert view.speed.currentData() == 700


def double_click_cell(qtbot, tab, block, index, row, col):
    rect = tab.view.canvas.cell_rect(block, index, row, col)
    qtbot.mouseDClick(tab.view.canvas, Qt.MouseButton.LeftButton,
                      pos=QPoint(int(rect.center().x()), int(rect.center().y())))


def type_into_cell(qtbot, tab, block, index, row, col, text):
    double_click_cell(qtbot, tab, block, index, row, col)
    editor = tab.view.canvas.editor
    assert editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    settle(qtbot, tab)


def test_typing_into_a_cell_is_an_edit_in_the_document(qtbot, tab):
    type_into_cell(qtbot, tab, "input", 0, 0, 3, "10")  # a dark pixel right of the edge
    assert tab.document.stepthrough.edits == (("input", 0, 0, 3, 0, 10.0),)
    ex = tab.walkthrough.example
    assert ex.input[0, 3, 0] == 10
    np.testing.assert_allclose(tab.walkthrough.output(), convolve(ex.input, ex.weights))
    assert tab.walkthrough.steps[1].value == 20  # 10 + 10 + 10 − 10
    # a kernel weight too
    type_into_cell(qtbot, tab, "kernel", 0, 0, 0, "-2")
    assert tab.walkthrough.example.weights[0, 0, 0, 0] == -2
    qtbot.mouseClick(tab.view.reset_button, Qt.MouseButton.LeftButton)
    settle(qtbot, tab)
    assert tab.document.stepthrough.edits == ()
    assert tab.walkthrough.example.input[0, 3, 0] == 0
    assert tab.walkthrough.example.weights[0, 0, 0, 0] == 1


def test_padding_cells_cannot_be_typed_into(qtbot, tab):
    pick(qtbot, tab, "half-padding")
    with qtbot.waitSignal(tab.message) as said:
        double_click_cell(qtbot, tab, "input", 0, 0, 0)
    assert "padding" in said.args[0]
    assert not tab.view.canvas.editor.isVisible()
    assert tab.document.stepthrough.edits == ()


def test_new_numbers_draw_another_seed_for_the_volume_example(qtbot, tab):
    view = tab.view
    assert not view.new_numbers_button.isEnabled()  # the lecture's edge has its own numbers
    pick(qtbot, tab, "lecture-volume")
    before = tab.walkthrough.example.input.copy()
    qtbot.mouseClick(view.new_numbers_button, Qt.MouseButton.LeftButton)
    settle(qtbot, tab)
    assert tab.document.stepthrough.seed == 1
    after = tab.walkthrough.example.input
    assert not np.array_equal(before, after)
    assert set(np.unique(after)) <= {0, 1, 2}
    assert tab.walkthrough.output_shape == (3, 3, 2)


def test_the_quiz_hides_each_value_until_it_is_predicted(qtbot, tab):
    view = tab.view
    qtbot.mouseClick(view.quiz_box, Qt.MouseButton.LeftButton)
    assert tab.document.stepthrough.quiz and view.quiz_bar.isVisible()
    assert view.canvas.lines()[-1].startswith("Your turn")
    # the lecture's 4×4 output, row by row, with two wrong predictions; typed on the grids
    truth = [0, 30, 30, 0] * 4
    typed = list(truth)
    typed[1], typed[6] = 29, 0
    for i, value in enumerate(typed):
        assert tab.index == i
        qtbot.keyClicks(view.canvas, str(value))
        assert view.quiz_bar.answer.text() == str(value)
        qtbot.keyClick(view.canvas, Qt.Key.Key_Return)
        verdict = view.quiz_bar.verdict.text()
        assert verdict.startswith("Right" if value == truth[i] else "Not quite"), verdict
        assert view.canvas.lines()[-1] == f"o[{i // 4}, {i % 4}, 0] = {truth[i]}"
        qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    assert tab.quiz.score.right == 14 and tab.quiz.score.asked == 16
    assert view.quiz_bar.score.text() == "Final score: 14 of 16 right (88 %)"


def test_an_answer_typed_into_the_answer_box_gives_the_keys_back_to_the_grids(qtbot, tab):
    view = tab.view
    view.quiz_box.setChecked(True)
    answer = view.quiz_bar.answer
    qtbot.mouseClick(answer, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(answer, "0")
    qtbot.keyClick(answer, Qt.Key.Key_Return)
    assert view.quiz_bar.verdict.text().startswith("Right")
    assert answer.isEnabled()  # never disabled: a disabled box hands the focus on
    qtbot.waitUntil(view.canvas.hasFocus)


def test_right_arrow_in_the_quiz_shows_the_value_first_unscored(qtbot, tab):
    view = tab.view
    view.quiz_box.setChecked(True)
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    assert tab.index == 0 and not view.canvas.lines()[-1].startswith("Your turn")
    assert tab.quiz.score.asked == 0
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    assert tab.index == 1 and view.canvas.lines()[-1].startswith("Your turn")
    qtbot.keyClicks(view.quiz_bar.answer, "ten")
    qtbot.keyClick(view.quiz_bar.answer, Qt.Key.Key_Return)
    assert "Type a number" in view.quiz_bar.verdict.text() and tab.quiz.score.asked == 0


def test_a_quiz_ticked_late_asks_every_step_and_home_starts_it_again(qtbot, tab):
    view = tab.view
    for _ in range(3):
        qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    qtbot.mouseClick(view.quiz_box, Qt.MouseButton.LeftButton)
    assert tab.index == 3 and view.canvas.lines()[-1].startswith("Your turn")
    qtbot.keyClick(view.canvas, Qt.Key.Key_Left)  # an earlier step was never asked
    assert tab.index == 2 and view.canvas.lines()[-1].startswith("Your turn")
    qtbot.keyClicks(view.canvas, "30")
    qtbot.keyClick(view.canvas, Qt.Key.Key_Return)
    assert view.quiz_bar.score.text() == "Score: 1 of 1 right (100 %)"
    qtbot.keyClick(view.canvas, Qt.Key.Key_Home)  # a new round from the first step
    assert tab.index == 0 and view.canvas.lines()[-1].startswith("Your turn")
    assert tab.quiz.score.asked == 0 and view.quiz_bar.score.text() == ""
    for _ in range(4):  # each step shown unscored, then the next
        qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    # the step answered in the old round is asked again
    assert tab.index == 2 and view.canvas.lines()[-1].startswith("Your turn")


def windows_that_fit(question) -> int:
    """Slow reference: slide the (dilated) window along the padded row and count."""
    padded = question.n + 2 * question.padding
    span = question.dilation * (question.kernel - 1) + 1
    count, start = 0, 0
    while start + span <= padded:
        count += 1
        start += question.stride
    return count


def test_output_size_questions_then_the_step_is_asked_again(qtbot, tab):
    view = tab.view
    qtbot.mouseClick(view.size_button, Qt.MouseButton.LeftButton)
    question = tab.quiz.question
    assert view.quiz_bar.prompt.text() == question.text
    qtbot.keyClicks(view.canvas, str(windows_that_fit(question)))
    qtbot.keyClick(view.canvas, Qt.Key.Key_Return)
    assert view.quiz_bar.verdict.text().startswith("Right")
    assert question.explanation in view.quiz_bar.verdict.text()
    # the board still asks for the step: the answer box takes its answer
    assert view.canvas.lines()[-1].startswith("Your turn")
    assert view.quiz_bar.prompt.text() == "o[0, 0, 0] = " and view.quiz_bar.asking
    qtbot.keyClicks(view.canvas, "0")
    qtbot.keyClick(view.canvas, Qt.Key.Key_Return)
    assert view.quiz_bar.verdict.text() == "Right: 0."
    qtbot.mouseClick(view.size_button, Qt.MouseButton.LeftButton)
    other = tab.quiz.question
    qtbot.keyClicks(view.quiz_bar.answer, str(windows_that_fit(other) + 1))
    qtbot.keyClick(view.quiz_bar.answer, Qt.Key.Key_Return)
    assert view.quiz_bar.verdict.text().startswith("Not quite")
    assert (tab.quiz.score.right, tab.quiz.score.asked) == (2, 3)


def test_presentation_mode_with_f11_and_esc(qtbot, tab):
    view = tab.view
    qtbot.keyClick(view.canvas, Qt.Key.Key_F11)
    assert view.presenting
    window = view.canvas.window()
    assert window is not view.window() and window.isFullScreen()
    assert view.canvas.presenting
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)  # the keys still step
    assert tab.index == 1
    qtbot.keyClick(view.canvas, Qt.Key.Key_Escape)
    assert not view.presenting
    assert view.canvas.window() is view.window() and not view.canvas.presenting
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    assert tab.index == 2


def test_keys_are_left_alone_while_the_tab_is_hidden(qtbot, tab):
    from PySide6.QtWidgets import QLineEdit

    other = QLineEdit("abc")
    qtbot.addWidget(other)
    other.show()
    qtbot.keyClick(other, Qt.Key.Key_Home)  # another window's line edit: not the tab's key
    assert other.cursorPosition() == 0 and tab.index == 0
    tab.view.hide()
    qtbot.keyClick(tab.view.canvas, Qt.Key.Key_Right)
    assert tab.index == 0


def use_layer(document: Document, spec: LayerSpec) -> None:
    document.use_stack(NamedStack((spec,), (tuple(f"f{i}" for i in
                                                   range(spec.weights.shape[0])),)))


def test_from_the_explorer_on_a_crop(qtbot, tab):
    view = tab.view
    explorer = view.picker.findData("explorer")
    assert not view.picker.model().item(explorer).isEnabled()  # no picture yet
    rng = np.random.default_rng(2)
    picture = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    spec = LayerSpec(weights=rng.normal(size=(2, 3, 3, 3)).astype(np.float32),
                     bias=np.array([1.0, -2.0], np.float32), padding=1, activation="relu",
                     pool_mode="none")
    doc = tab.document
    use_layer(doc, spec)
    doc.set_still(picture, "noise.png")
    assert view.picker.model().item(explorer).isEnabled()
    pick(qtbot, tab, "explorer")
    # an 8×8 crop at the centre: three 10×10 padded grids stay readable
    assert view.crop_row.isVisible() and (view.crop_row.value(), view.crop_col.value()) == (26, 36)
    ex = tab.walkthrough.example
    crop = picture[26:34, 36:44]
    np.testing.assert_array_equal(ex.input, crop)
    np.testing.assert_allclose(tab.walkthrough.output(), run_stage(crop, spec).feature_maps,
                               rtol=1e-4, atol=1e-3)
    assert "noise.png" in view.canvas.caption
    view.crop_size.setValue(12)
    view.crop_row.setValue(55)  # near the bottom: a 5-row crop
    settle(qtbot, tab)
    assert (doc.stepthrough.crop_size, doc.stepthrough.crop_row) == (12, 55)
    assert tab.walkthrough.example.input.shape == (5, 12, 3)
    np.testing.assert_array_equal(tab.walkthrough.example.input, picture[55:, 36:48])


def test_the_explorers_example_follows_its_layer_and_source(qtbot, tab):
    doc = tab.document
    ones = LayerSpec(weights=np.ones((1, 3, 3, 1), np.float32), bias=np.zeros(1, np.float32),
                     activation="identity", pool_mode="none")
    use_layer(doc, ones)
    doc.set_still(np.zeros((20, 20), np.uint8), "black")
    pick(qtbot, tab, "explorer")
    assert tab.walkthrough.steps[0].value == 0
    doc.layer.stride = 2  # the explorer's layer changes: the example follows by itself
    settle(qtbot, tab)
    assert tab.walkthrough.example.stride == (2, 2)
    doc.live.name, doc.live.active = "camera", True
    doc.show_frame(np.full((20, 20), 9, np.uint8), feed=1, sequence=1)  # a new source
    settle(qtbot, tab)
    assert tab.walkthrough.steps[0].value == 81 and "camera" in tab.view.canvas.caption
    doc.show_frame(np.full((20, 20), 5, np.uint8), feed=1, sequence=2)
    settle(qtbot, tab)
    assert tab.walkthrough.steps[0].value == 81  # the numbers being read hold still
    tab.view.crop_col.setValue(1)  # the next crop is taken from the newest frame
    settle(qtbot, tab)
    assert tab.walkthrough.steps[0].value == 45
    doc.live.active = False  # back to the still: a new source again
    settle(qtbot, tab)
    assert tab.walkthrough.steps[0].value == 0 and "black" in tab.view.canvas.caption
    doc.set_still(np.full((20, 20), 2, np.uint8), "grey")
    settle(qtbot, tab)
    assert tab.walkthrough.steps[0].value == 18  # nine taps of 2


def test_typed_numbers_outside_a_smaller_crop_wait_until_it_grows_back(qtbot, tab):
    doc = tab.document
    use_layer(doc, LayerSpec(weights=np.ones((1, 3, 3, 1), np.float32),
                             bias=np.zeros(1, np.float32), activation="identity",
                             pool_mode="none"))
    doc.set_still(np.zeros((30, 30), np.uint8), "black")
    pick(qtbot, tab, "explorer")
    doc.stepthrough.edits = (("input", 0, 7, 7, 0, 50.0),)  # the crop's last pixel
    settle(qtbot, tab)
    assert tab.walkthrough.example.input[7, 7, 0] == 50
    with qtbot.waitSignal(tab.message) as said:
        tab.view.crop_size.setValue(5)
        settle(qtbot, tab)
    assert "outside this crop" in said.args[0]
    assert tab.walkthrough.example.input.max() == 0
    tab.view.crop_size.setValue(8)
    settle(qtbot, tab)
    assert tab.walkthrough.example.input[7, 7, 0] == 50


def tap_colour_mask(rgb, tolerance=40):
    """Pixels of the window's tap fill (255, 214, 150) on the light theme."""
    target = np.array([255, 214, 150])
    return (np.abs(rgb.astype(int) - target) <= tolerance).all(axis=2)


def export(qtbot, tab, path, **options):
    """Export as the tab does it: on its worker; returns the files written."""
    with qtbot.waitSignal(tab.exported, timeout=120_000) as done:
        tab.start_export(path, **options)
        assert tab.exporting
    qtbot.waitUntil(lambda: not tab.exporting)
    return done.args[0]


def test_export_gif_frames_show_the_window_moving(qtbot, tmp_path, tab):
    from PIL import Image

    out = tmp_path / "edge.gif"
    assert export(qtbot, tab, out, scale=1, frame_ms=300) == [out]
    with Image.open(out) as gif:
        assert gif.n_frames == 16 and gif.size == (1280, 720)
        assert gif.info["duration"] == 300
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


def test_export_mp4_and_numbered_pngs_at_2x(qtbot, tmp_path, tab):
    import cv2

    pick(qtbot, tab, "strides")  # 2×2 outputs: 4 frames
    out = tmp_path / "strides.mp4"
    export(qtbot, tab, out, scale=2, frame_ms=500)
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
    pngs = export(qtbot, tab, tmp_path / "strides.png", scale=1, frame_ms=500)
    assert [p.name for p in pngs] == [f"strides_00{i}.png" for i in range(1, 5)]
    first = cv2.imread(str(pngs[0]))
    assert first.shape == (720, 1280, 3)
    assert tap_colour_mask(cv2.cvtColor(first, cv2.COLOR_BGR2RGB)).sum() > 2000


def test_export_to_a_missing_folder_says_so_at_once(tmp_path, tab):
    with pytest.raises(ValueError, match="does not exist"):
        tab.start_export(tmp_path / "nowhere" / "a.gif")
    assert not tab.exporting


def test_the_frames_are_painted_on_the_worker_not_the_gui_thread(qtbot, tmp_path, tab,
                                                               monkeypatch):
    import threading

    from explorer.ui import step_frames

    threads = set()
    real = step_frames.render_slide

    def watched(*args, **kwargs):
        threads.add(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(step_frames, "render_slide", watched)
    pick(qtbot, tab, "strides")
    export(qtbot, tab, tmp_path / "s.gif")
    assert threads and threading.main_thread() not in threads


def test_what_is_exported_is_what_is_shown(qtbot, tmp_path, tab):
    from PIL import Image

    from explorer.ui.convert import qimage_to_array

    pick(qtbot, tab, "lecture-volume")
    view = tab.view
    qtbot.keyClick(view.canvas, Qt.Key.Key_Right)
    view.canvas.setFixedSize(1280, 720)  # an exported frame's size
    qtbot.waitUntil(lambda: view.canvas.size().width() == 1280)
    shown = qimage_to_array(view.canvas.grab().toImage())
    export(qtbot, tab, tmp_path / "v.png")
    with Image.open(tmp_path / "v_002.png") as png:
        frame = np.asarray(png.convert("RGB"))
    assert frame.shape == shown.shape
    np.testing.assert_array_equal(frame, shown)


def test_cancelling_a_background_export_keeps_the_old_file(qtbot, tmp_path, tab):
    pick(qtbot, tab, "full-padding")  # 49 frames
    out = tmp_path / "full.mp4"
    out.write_bytes(b"the old video")
    tab.start_export(out, scale=2, frame_ms=250)
    qtbot.waitUntil(lambda: tab.export_done >= 2, timeout=30_000)
    assert tab.exporting
    tab.cancel_export()
    assert not tab.exporting
    tab.worker.wait_idle()
    # the job is closed on the worker's thread: its temporary video goes with it
    qtbot.waitUntil(lambda: sorted(p.name for p in tmp_path.iterdir()) == ["full.mp4"],
                    timeout=10_000)
    assert out.read_bytes() == b"the old video"
    qtbot.wait(300)  # nothing of the cancelled job arrives later
    assert not tab.exporting and out.read_bytes() == b"the old video"


def test_the_export_dialog_as_a_user_fills_it(qtbot, tmp_path, tab):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from explorer.ui.widgets.animation_dialog import AnimationDialog

    pick(qtbot, tab, "strides")
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
    with qtbot.waitSignal(tab.message, timeout=60_000,
                          check_params_cb=lambda text: text.startswith("Saved")) as said:
        qtbot.mouseClick(tab.view.export_button, Qt.MouseButton.LeftButton)
    assert said.args[0] == "Saved strides.mp4"
    import cv2

    cap = cv2.VideoCapture(str(out))
    try:
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 4
        assert (cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) == \
            (2560, 1440)
    finally:
        cap.release()
