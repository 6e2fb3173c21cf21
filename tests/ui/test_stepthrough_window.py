"""The step-through in the window: keys pressed on whatever has the focus (as a keyboard or a
presentation clicker sends them), the menus, undo, and a lesson saved and reopened."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QPushButton


def press(qtbot, window, key) -> None:
    """A key as the user's keyboard sends it: to the widget with the focus."""
    if isinstance(key, QKeySequence):  # a key with its modifiers, such as Ctrl+V
        combo = key[0]
        qtbot.keyClick(QApplication.focusWidget() or window, combo.key(),
                       combo.keyboardModifiers())
        return
    qtbot.keyClick(QApplication.focusWidget() or window, key)


def type_text(qtbot, window, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget() or window, text)


def show_tab(qtbot, window):
    tab = window.stepthrough
    window.activateWindow()
    qtbot.waitActive(window)
    window.tabs.setCurrentWidget(tab.view)
    qtbot.waitUntil(tab.is_settled, timeout=10_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tab.view.canvas)
    return tab


def test_after_a_quiz_answer_the_keys_still_step_and_never_switch_tabs(qtbot, window):
    tab = show_tab(qtbot, window)
    view = tab.view
    qtbot.mouseClick(view.quiz_box, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.quiz_bar.answer, Qt.MouseButton.LeftButton)  # typed in the box
    type_text(qtbot, window, "0")
    press(qtbot, window, Qt.Key.Key_Return)
    assert view.quiz_bar.verdict.text().startswith("Right")
    assert QApplication.focusWidget() is view.canvas  # the grids keep the keys
    press(qtbot, window, Qt.Key.Key_Right)
    assert window.current_tab == "step-through"
    assert view.position.text() == "step 2 of 16"
    assert view.canvas.lines()[-1].startswith("Your turn")
    type_text(qtbot, window, "30")  # typed on the grids, into the answer box
    press(qtbot, window, Qt.Key.Key_Return)
    assert view.quiz_bar.verdict.text() == "Right: 30."
    press(qtbot, window, Qt.Key.Key_PageDown)  # a clicker
    press(qtbot, window, Qt.Key.Key_PageDown)
    assert view.position.text() == "step 3 of 16" and window.current_tab == "step-through"


def test_the_keys_step_even_from_the_tab_bar(qtbot, window):
    tab = show_tab(qtbot, window)
    tab_bar = window.tabs.tabBar()
    tab_bar.setFocus()
    for key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Left):
        qtbot.keyClick(tab_bar, key)
    assert window.current_tab == "step-through" and tab.index == 2
    qtbot.keyClick(tab_bar, Qt.Key.Key_End)
    assert tab.index == 15
    qtbot.keyClick(tab_bar, Qt.Key.Key_Home)
    assert tab.index == 0 and window.current_tab == "step-through"


def test_a_quiz_ticked_late_restarts_with_home(qtbot, window):
    tab = show_tab(qtbot, window)
    view = tab.view
    for _ in range(3):
        press(qtbot, window, Qt.Key.Key_Right)
    assert view.position.text() == "step 4 of 16"
    qtbot.mouseClick(view.quiz_box, Qt.MouseButton.LeftButton)
    press(qtbot, window, Qt.Key.Key_Home)
    assert view.position.text() == "step 1 of 16"
    assert view.canvas.lines()[-1].startswith("Your turn")


def test_the_size_questions_answer_box_works_and_the_step_is_asked_next(qtbot, window):
    tab = show_tab(qtbot, window)
    view = tab.view
    qtbot.mouseClick(view.size_button, Qt.MouseButton.LeftButton)
    question = tab.quiz.question
    span = question.dilation * (question.kernel - 1) + 1
    type_text(qtbot, window, str((question.n + 2 * question.padding - span)
                                 // question.stride + 1))
    press(qtbot, window, Qt.Key.Key_Return)
    assert view.quiz_bar.verdict.text().startswith("Right")
    assert view.canvas.lines()[-1].startswith("Your turn")
    type_text(qtbot, window, "0")
    press(qtbot, window, Qt.Key.Key_Return)
    assert view.quiz_bar.verdict.text() == "Right: 0."


def test_the_window_has_the_tab_and_its_menu_items(qtbot, window):
    tab = show_tab(qtbot, window)
    assert window.tabs.tabText(window.tabs.indexOf(tab.view)) == "Step-through"
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    file_items = [a.text() for a in menus["&File"].actions()]
    assert "Export &animation…" in file_items
    assert window.presentation_action in menus["&View"].actions()
    press(qtbot, window, Qt.Key.Key_Right)
    assert tab.index == 1
    window.presentation_action.trigger()  # View > Presentation mode
    assert tab.view.presenting
    window.presentation_action.trigger()
    assert not tab.view.presenting and tab.view.canvas.window() is window
    window.tabs.setCurrentWidget(window.maps_panel)
    qtbot.keyClick(window.maps_panel, Qt.Key.Key_Right)  # the explorer's keys are its own
    assert tab.index == 1


def test_presentation_mode_with_f11_and_esc_keeps_the_keys(qtbot, window):
    tab = show_tab(qtbot, window)
    view = tab.view
    press(qtbot, window, Qt.Key.Key_F11)
    presentation = view.canvas.window()
    assert presentation is window.presentation and presentation.isFullScreen()
    assert view.presenting and view.canvas.presenting  # high contrast, large type
    assert view.picker.window() is window  # the controls stay behind
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.canvas)
    press(qtbot, window, Qt.Key.Key_Right)  # the keys still step
    press(qtbot, window, Qt.Key.Key_PageDown)
    assert tab.index == 2
    press(qtbot, window, Qt.Key.Key_Escape)
    assert not view.presenting and not window.presentation.isVisible()
    assert view.canvas.window() is window and not view.canvas.presenting
    assert window.current_tab == "step-through"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.canvas)
    press(qtbot, window, Qt.Key.Key_Right)
    assert tab.index == 3
    qtbot.mouseClick(present_button(view), Qt.MouseButton.LeftButton)  # the tab's own
    assert view.presenting and window.presentation_action.isChecked()
    press(qtbot, window, Qt.Key.Key_F11)  # F11 leaves too
    assert not view.presenting and not window.presentation_action.isChecked()


def shown_grids(view) -> list[tuple[str, int]]:
    board = view.canvas.renderer.board
    return [(s.block, s.index) for block in board._blocks for s in block.slices]


def test_presentation_goes_through_a_volume_channel_by_channel_with_the_keys(
        qtbot, projector_window):
    """The lecture's 7×7×3 volume on a 1280×720 projector: ↓ and ↑ go from channel to
    channel and on to their sum, each with numbers of 36 pixels or more; → keeps the channel,
    and the channel is the lesson's, kept when presentation mode ends and begins again."""
    window = projector_window
    tab = show_tab(qtbot, window)
    view = tab.view
    view.picker.setCurrentIndex(view.picker.findData("lecture-volume"))
    qtbot.waitUntil(lambda: tab.is_settled() and tab.walkthrough.example.name
                    == "lecture-volume")
    press(qtbot, window, Qt.Key.Key_Right)
    assert [g for g in shown_grids(view) if g[0] == "input"] == [
        ("input", 0), ("input", 1), ("input", 2)]  # the window shows the whole volume

    press(qtbot, window, Qt.Key.Key_F11)
    canvas = view.canvas
    assert canvas.window() is window.presentation and canvas.size().toTuple() == (1280, 720)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is canvas)
    board = canvas.renderer.board

    def check_numbers():
        for block, index in shown_grids(view):
            assert board.digit_px(block, index) >= 36, (block, index)
        assert board.title_font().pixelSize() >= 28

    assert shown_grids(view) == [("input", 0), ("kernel", 0), ("sums", 0), ("output", 0)]
    check_numbers()
    press(qtbot, window, Qt.Key.Key_Down)
    assert shown_grids(view) == [("input", 1), ("kernel", 1), ("sums", 0), ("output", 0)]
    assert window.document.stepthrough.channel == 1
    assert canvas.lines()[-1].startswith("running sum, channels 0–1 of 3: ")
    check_numbers()
    press(qtbot, window, Qt.Key.Key_Down)
    press(qtbot, window, Qt.Key.Key_Down)  # after the last channel: their sum
    assert shown_grids(view) == [("sums", 0), ("bias", 0), ("output", 0), ("output", 1)]
    assert canvas.lines()[1] == "sum over the 3 channels: 2 + (−2) + 1 = 1"
    check_numbers()
    press(qtbot, window, Qt.Key.Key_Down)  # nothing after the sum
    assert window.document.stepthrough.channel == 3
    press(qtbot, window, Qt.Key.Key_Right)  # the next step, at its sum too
    assert tab.index == 2 and shown_grids(view)[0] == ("sums", 0)
    press(qtbot, window, Qt.Key.Key_Up)
    assert shown_grids(view)[:2] == [("input", 2), ("kernel", 2)]

    press(qtbot, window, Qt.Key.Key_F11)  # back in the window: every channel again
    assert not view.presenting and len(shown_grids(view)) == 3 + 3 + 1 + 2
    assert window.document.stepthrough.channel == 2
    qtbot.waitUntil(lambda: QApplication.focusWidget() is canvas)
    press(qtbot, window, Qt.Key.Key_F11)  # and on the projector, the channel it was on
    assert view.presenting and shown_grids(view)[:2] == [("input", 2), ("kernel", 2)]
    press(qtbot, window, Qt.Key.Key_Escape)


def present_button(view):
    return next(b for b in view.findChildren(QPushButton) if b.text() == "Present")


def test_typed_numbers_are_undone_with_the_window(qtbot, window):
    tab = show_tab(qtbot, window)
    view = tab.view
    rect = view.canvas.cell_rect("input", 0, 0, 3)
    qtbot.mouseDClick(view.canvas, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    qtbot.keyClicks(view.canvas.editor, "7")
    qtbot.keyClick(view.canvas.editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.is_settled() and tab.walkthrough.example.input[0, 3, 0] == 7)
    qtbot.waitUntil(window.undo_action.isEnabled)
    window.undo_action.trigger()  # Edit > Undo
    assert window.document.stepthrough.edits == ()
    qtbot.waitUntil(lambda: tab.is_settled() and tab.walkthrough.example.input[0, 3, 0] == 0)
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: tab.is_settled() and tab.walkthrough.example.input[0, 3, 0] == 7)


def test_a_pasted_matrix_is_one_step_of_undo_and_ctrl_v_is_the_grids(qtbot, window):
    from PySide6.QtGui import QGuiApplication

    tab = show_tab(qtbot, window)
    view = tab.view
    still = window.document.still.image
    qtbot.mouseClick(view.canvas, Qt.MouseButton.LeftButton,
                     pos=view.canvas.cell_rect("kernel", 0, 0, 0).center().toPoint())
    QGuiApplication.clipboard().setText("0 1 0\n0 2 0\n0 1 0")
    press(qtbot, window, QKeySequence(QKeySequence.StandardKey.Paste))
    qtbot.waitUntil(lambda: tab.is_settled() and len(window.document.stepthrough.edits) == 9)
    assert window.document.still.image is still  # not File > Paste image
    np.testing.assert_array_equal(tab.walkthrough.example.weights[0, :, :, 0],
                                  [[0, 1, 0], [0, 2, 0], [0, 1, 0]])
    qtbot.waitUntil(window.undo_action.isEnabled)
    window.undo_action.trigger()  # the nine numbers go back in one step
    assert window.document.stepthrough.edits == ()
    qtbot.waitUntil(lambda: tab.is_settled()
                    and tab.walkthrough.example.weights[0, 0, 0, 0] == 1)


def open_lesson(qtbot, window, title_start):
    """File > Open lecture example > the item whose title starts with ``title_start``;
    returns the explorer's result for it."""
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    lessons = next(a.menu() for a in menus["&File"].actions()
                   if a.text() == "Open &lecture example")
    item = next(a for a in lessons.actions() if a.text().replace("&", "").startswith(title_start))
    item.trigger()
    controller = window.controller
    qtbot.waitUntil(lambda: not controller.scheduled, timeout=5_000)
    qtbot.waitUntil(lambda: window.last_result is not None
                    and window.last_result.generation >= controller.generation, timeout=20_000)
    return window.last_result


def test_file_open_lecture_example_puts_the_edge_picture_into_the_explorer(qtbot, window):
    window.document.display.tab = "step-through"
    result = open_lesson(qtbot, window, "6×6 vertical edge")
    doc = window.document
    assert window.current_tab == "explorer" and doc.input.grayscale
    assert doc.still.image.tolist() == [[10, 10, 10, 0, 0, 0]] * 6
    assert len(doc.stack) == 1 and len(doc.filters) == 1
    layer = doc.layer
    assert (layer.padding, layer.stride, layer.activation, layer.pool_mode) == \
        ("valid", 1, "identity", "none")
    np.testing.assert_array_equal(doc.filters.weights()[0][:, :, 0], [[1, 0, -1]] * 3)
    assert result.stages[0].feature_maps[:, :, 0].tolist() == [[0, 30, 30, 0]] * 4
    grid = window.maps_panel.feature_grid
    qtbot.waitUntil(lambda: grid.values_shown, timeout=5_000)
    assert grid.cell_texts(0) == [["0", "30", "30", "0"]] * 4  # what the student reads


def test_file_open_lecture_example_puts_the_volume_with_its_two_filters(qtbot, window):
    from explorer.core.stepthrough import lecture_volume

    ex = lecture_volume(0)
    result = open_lesson(qtbot, window, "5×5×3 volume")
    doc = window.document
    assert not doc.input.grayscale and doc.still.image.shape == (5, 5, 3)
    assert doc.layer.stride == 2 and (doc.layer.pad_h, doc.layer.pad_w) == (1, 1)
    assert [doc.filters[i].bias for i in range(2)] == [1.0, 0.0]
    w1 = doc.filters.weights()[1]
    assert w1[:, :, 0].tolist() == [[1, 0, -1], [1, 1, -1], [1, 0, 1]]  # the slide's W1
    # the 3×3×2 output, summed by hand over the zero-padded picture
    x = doc.still.image.astype(float)
    padded = np.zeros((7, 7, 3))
    padded[1:6, 1:6] = x
    want = np.zeros((3, 3, 2))
    for f in range(2):
        for i in range(3):
            for j in range(3):
                want[i, j, f] = (padded[2 * i:2 * i + 3, 2 * j:2 * j + 3]
                                 * ex.weights[f]).sum() + ex.bias[f]
    np.testing.assert_allclose(result.stages[0].feature_maps, want)


def test_a_lesson_saved_at_step_6_reopens_there(qtbot, tmp_path, window):
    tab = show_tab(qtbot, window)
    window.document.stepthrough.update({"example": "lecture-volume", "step": 0})
    qtbot.waitUntil(tab.is_settled)
    for _ in range(5):
        press(qtbot, window, Qt.Key.Key_Right)
    assert tab.view.position.text() == "step 6 of 18"
    window.save_session(tmp_path / "lesson.json")
    tab.view.picker.setCurrentIndex(tab.view.picker.findData("strides"))  # on to another
    qtbot.waitUntil(lambda: tab.view.position.text() == "step 1 of 4")
    window.document.display.tab = "explorer"

    assert window.open_session(tmp_path / "lesson.json")
    assert window.current_tab == "step-through"
    qtbot.waitUntil(tab.is_settled, timeout=10_000)
    assert tab.view.picker.currentData() == "lecture-volume"
    assert tab.view.position.text() == "step 6 of 18"
    assert tab.view.canvas.lines()[0].startswith("Step 6 of 18: o[1, 2, 0]")


def tap_centre(path):
    """The mean position of the window's tap colour (the light theme's orange) in a PNG."""
    import cv2

    rgb = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB).astype(int)
    mask = (np.abs(rgb - np.array([255, 214, 150])) <= 40).all(axis=2)
    assert mask.sum() > 500
    ys, xs = np.nonzero(mask)
    return xs.mean(), ys.mean()


def test_a_session_at_a_step_pictures_that_step_from_the_command_line(qtbot, tmp_path):
    from explorer.app import main
    from explorer.state import Document
    from explorer.state.session import write_session

    shots = {}
    for step in (0, 5):
        doc = Document()
        doc.set_still(np.zeros((40, 40, 3), np.uint8), "black")
        doc.stepthrough.update({"example": "lecture-volume", "step": step})
        lesson = write_session(tmp_path / f"lesson{step}.json", doc)
        shots[step] = tmp_path / f"step{step}.png"
        assert main(["--session", str(lesson), "--tab", "step-through", "--screenshot",
                     str(shots[step])]) == 0
    # step 6 of 18 is o[1, 2, 0]: its window on rows 2–4, columns 4–6 (step 1: 0–2, 0–2),
    # and its output cell lie right of and below step 1's
    (x0, y0), (x5, y5) = tap_centre(shots[0]), tap_centre(shots[5])
    assert x5 > x0 + 20 and y5 > y0 + 10


def test_file_export_animation_from_another_tab_shows_the_step_through(qtbot, tmp_path,
                                                                     window, monkeypatch):
    from explorer.ui.panels.stepthrough_panel import ExportChoice, StepThroughPanel

    asked = []

    def answer(self, frame_ms, frames):
        asked.append((frame_ms, frames))
        return ExportChoice(str(tmp_path / "edge.gif"), 1, frame_ms, False)

    monkeypatch.setattr(StepThroughPanel, "ask_export", answer)
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    item = next(a for a in menus["&File"].actions() if a.text() == "Export &animation…")
    tab = window.stepthrough
    with qtbot.waitSignal(tab.exported, timeout=60_000) as done:
        item.trigger()
    assert window.current_tab == "step-through"
    assert asked == [(800, 16)]
    assert done.args[0] == [tmp_path / "edge.gif"]
