"""The Training tab driven as a student would: train, pause, stop, test a drawn digit and a
webcam frame, look at a mistake, use the kernels in the explorer, save and load, fit a kernel.

Training runs on 400 digits (tested on 200) so each run takes a second or two.
"""

from __future__ import annotations

import itertools
import time
from functools import partial

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from explorer.core.training import centre_box, load_digits, mnist_style
from explorer.core.training import train_digits as real_train_digits
from explorer.ui.panels import training_panel
from explorer.ui.panels.training_panel import TrainingTab

TIMEOUT = 60_000


@pytest.fixture(scope="module")
def small_digits():
    train, test = load_digits()
    return train.subset(slice(0, 400)), test.subset(slice(0, 200))


@pytest.fixture
def tab(qtbot, monkeypatch, small_digits):
    train, test = small_digits
    monkeypatch.setattr(training_panel, "train_digits",
                        partial(real_train_digits, train=train, test=test,
                                evaluations_per_epoch=2))
    monkeypatch.setattr(training_panel, "load_digits", lambda: (train, test))
    widget = TrainingTab()
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    yield widget
    widget.cleanup()


def type_into(qtbot, spin, text):
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def train(qtbot, tab, epochs=1):
    type_into(qtbot, tab.epochs_spin, str(epochs))
    type_into(qtbot, tab.lr_spin, "0.01")
    with qtbot.waitSignal(tab._trainer.finished_run, timeout=TIMEOUT) as done:
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.evaluation is not None, timeout=TIMEOUT)
    return done.args


def test_the_architecture_summary_shows_sizes_parameters_and_macs(tab):
    table = tab.arch_table
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in (1, 2, 3)]
            for r in range(table.rowCount())}
    assert rows["conv1 8@5×5"] == ["24×24×8", "208", "115,200"]
    assert rows["conv2 16@5×5"] == ["8×8×16", "3,216", "204,800"]
    assert rows["dense 10"] == ["10", "2,570", "2,560"]
    assert rows["total"][1:] == ["5,994", "322,560"]


def test_training_runs_and_shows_curves_kernels_confusion_and_mistakes(qtbot, tab):
    assert not tab.use_first_button.isEnabled()
    before = [im.plane() for im in tab.watch.kernels.images()]
    last, completed = train(qtbot, tab)
    assert completed and last.done
    assert tab.progress.value() == tab.progress.maximum()
    assert tab.model is last.model
    points = tab.watch.curve_points()
    assert points["loss"] == last.total_steps == 13 and points["test"] == 2
    after = [im.plane() for im in tab.watch.kernels.images()]
    assert len(after) == 8
    assert all(np.ptp(p) > 0 for p in after)  # every kernel has a shape now
    assert not np.allclose(np.array(before), np.array(after))
    np.testing.assert_allclose(np.array(after), last.model.conv_weights(0)[..., 0])
    matrix = tab.watch.confusion.matrix()
    assert matrix.sum() == 200 and np.trace(matrix) / 200 == pytest.approx(
        tab.evaluation.accuracy)
    assert tab.evaluation.accuracy > 0.3  # one short epoch, far above chance (0.1)
    wrong = 200 - np.trace(matrix)
    assert tab.watch.gallery.count() == min(wrong, 120)
    assert "%" in tab.score_label.text()
    assert tab.use_first_button.isEnabled() and tab.save_button.isEnabled()


def test_pause_stop_keeps_the_last_finished_step(qtbot, tab):
    type_into(qtbot, tab.epochs_spin, "20")
    with qtbot.waitSignal(tab._trainer.steps, timeout=TIMEOUT):
        qtbot.mouseClick(tab.start_button, Qt.MouseButton.LeftButton)
    assert not tab.epochs_spin.isEnabled()  # settings are fixed while it trains
    qtbot.mouseClick(tab.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab._trainer.paused)
    assert tab.pause_button.text() == "Resume" and tab.start_button.text() == "Resume"
    with qtbot.waitSignal(tab._trainer.finished_run, timeout=TIMEOUT) as done:
        qtbot.mouseClick(tab.stop_button, Qt.MouseButton.LeftButton)
    last, completed = done.args
    assert not completed and last.step < last.total_steps
    assert tab.model is last.model
    qtbot.waitUntil(lambda: tab.evaluation is not None, timeout=TIMEOUT)
    assert tab.start_button.isEnabled() and tab.start_button.text() == "Start"
    assert tab.use_all_button.isEnabled()
    qtbot.mouseClick(tab.reset_button, Qt.MouseButton.LeftButton)
    assert tab.model is None and tab.watch.curve_points()["loss"] == 0
    assert tab.watch.confusion.matrix() is None
    assert not tab.use_first_button.isEnabled()


def test_use_these_kernels_sends_the_learned_stack(qtbot, tab):
    train(qtbot, tab)
    with qtbot.waitSignal(tab.send_to_explorer) as first:
        qtbot.mouseClick(tab.use_first_button, Qt.MouseButton.LeftButton)
    stack = first.args[0]
    assert len(stack.layers) == 1 and stack.layers[0].weights.shape == (8, 5, 5, 1)
    np.testing.assert_array_equal(stack.layers[0].weights, tab.model.conv_weights(0))
    with qtbot.waitSignal(tab.send_to_explorer) as whole:
        qtbot.mouseClick(tab.use_all_button, Qt.MouseButton.LeftButton)
    assert [s.weights.shape for s in whole.args[0].layers] == [(8, 5, 5, 1), (16, 5, 5, 8)]


def test_the_explorer_runs_the_learned_kernels(qtbot, window, monkeypatch, small_digits):
    tab = next(t for t in window.extra_tabs if isinstance(t, TrainingTab))
    train_set, test_set = small_digits
    monkeypatch.setattr(training_panel, "train_digits",
                        partial(real_train_digits, train=train_set, test=test_set))
    monkeypatch.setattr(training_panel, "load_digits", lambda: (train_set, test_set))
    window.tabs.setCurrentWidget(tab)
    train(qtbot, tab)
    shown = []
    window.result_shown.connect(shown.append)

    def learned_on_screen(count):
        return bool(shown) and len(shown[-1].request.layers) == count and np.allclose(
            shown[-1].request.layers[0].weights, tab.model.conv_weights(0))

    qtbot.mouseClick(tab.use_all_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.maps_panel
    qtbot.waitUntil(lambda: learned_on_screen(2), timeout=TIMEOUT)
    stages = shown[-1].stages
    assert [s.feature_maps.shape[2] for s in stages] == [8, 16]
    np.testing.assert_allclose(shown[-1].request.layers[1].weights, tab.model.conv_weights(1))
    np.testing.assert_allclose(shown[-1].request.layers[1].bias, 255 * tab.model.conv_bias(1),
                               rtol=1e-5)
    window.tabs.setCurrentWidget(tab)
    qtbot.mouseClick(tab.use_first_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: learned_on_screen(1), timeout=TIMEOUT)


def draw(pad, strokes):
    """Press, drag through the points (fractions of the pad), release: as a mouse does."""
    rect = pad._target()

    def at(x, y):
        return QPointF(rect.left() + x * rect.width(), rect.top() + y * rect.height())

    def send(kind, pos, buttons):
        QApplication.sendEvent(pad, QMouseEvent(kind, pos, pos, Qt.MouseButton.LeftButton,
                                                buttons, Qt.KeyboardModifier.NoModifier))

    for stroke in strokes:
        send(QEvent.Type.MouseButtonPress, at(*stroke[0]), Qt.MouseButton.LeftButton)
        for (x0, y0), (x1, y1) in itertools.pairwise(stroke):
            for t in np.linspace(0, 1, 8):
                send(QEvent.Type.MouseMove, at(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t),
                     Qt.MouseButton.LeftButton)
        send(QEvent.Type.MouseButtonRelease, at(*stroke[-1]), Qt.MouseButton.NoButton)


def test_a_drawn_digit_is_read_and_cleared_with_one_key(qtbot, tab):
    train(qtbot, tab)
    tab.pages.setCurrentWidget(tab.test_panel)
    panel = tab.test_panel
    qtbot.waitUntil(lambda: panel.pad.isVisible())
    draw(panel.pad, [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]])  # a 7
    qtbot.waitUntil(lambda: panel.last_reading is not None, timeout=TIMEOUT)
    reading = panel.last_reading
    expected_digit = mnist_style(panel.pad.image(), "light")
    np.testing.assert_array_equal(reading.digit, expected_digit)
    _, expected = tab.model.stages(expected_digit)
    np.testing.assert_allclose(panel.bars.probabilities(), expected, rtol=1e-5)
    assert panel.answer.text().startswith(f"It reads a {int(expected.argmax())}")
    assert panel.maps.row_titles()[0] == "input: 28×28 pixels"
    assert len(panel.maps.row_titles()) == 5
    panel.pad.setFocus()
    qtbot.keyClick(panel.pad, Qt.Key.Key_Backspace)
    assert panel.pad.is_empty and panel.bars.probabilities() is None
    assert panel.pad.image().max() == 0


def test_a_webcam_frame_is_read_in_its_centre_box(qtbot, tab):
    train(qtbot, tab)
    tab.pages.setCurrentWidget(tab.test_panel)
    panel = tab.test_panel
    qtbot.mouseClick(panel.camera_radio, Qt.MouseButton.LeftButton)
    frame = np.full((480, 640, 3), 235, np.uint8)  # white paper …
    frame[170:310, 300:330] = 30  # … with a dark "1" in the middle
    frame[20:60, 20:60] = 0  # and a dark blot outside the box, which must be ignored
    tab.set_source(frame, "camera", True)
    qtbot.waitUntil(lambda: panel.last_reading is not None, timeout=TIMEOUT)
    crop, _ = centre_box(frame, 0.5)
    expected_digit = mnist_style(crop)
    np.testing.assert_array_equal(panel.last_reading.digit, expected_digit)
    assert panel.preview.has_picture()
    # an empty box is a normal moment: it says so, without an error
    panel.last_reading = None
    errors = []
    tab.error.connect(errors.append)
    tab.set_source(np.full((480, 640, 3), 235, np.uint8), "camera", True)
    qtbot.waitUntil(lambda: panel.last_reading is not None, timeout=TIMEOUT)
    assert "no digit" in panel.answer.text() and not errors
    assert panel.bars.probabilities() is None


def test_clicking_a_mistake_shows_its_maps(qtbot, tab):
    train(qtbot, tab)
    gallery = tab.watch.gallery
    assert gallery.count() > 0
    qtbot.mouseClick(gallery, Qt.MouseButton.LeftButton, pos=gallery.tile_rect(0).center())
    qtbot.waitUntil(lambda: len(tab.watch.picked_maps.row_titles()) == 5, timeout=TIMEOUT)
    assert "read as" in tab.watch.picked_title.text()
    assert tab.watch.picked_bars.probabilities() is not None
    # a cell of the confusion matrix shows only that kind of mistake
    view = tab.watch.confusion
    matrix = view.matrix()
    off = matrix - np.diag(np.diag(matrix))
    true, read = np.unravel_index(off.argmax(), off.shape)
    x0, y0, side = view._geometry()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton,
                     pos=QPointF(x0 + (read + 0.5) * side, y0 + (true + 0.5) * side).toPoint())
    assert gallery.count() == min(off.max(), 120)
    assert all(c == f"{true} → {read}" for c in gallery.captions())


def test_save_and_load_through_the_buttons(qtbot, tab, tmp_path, monkeypatch):
    train(qtbot, tab)
    path = tmp_path / "mine.npz"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert path.is_file()
    trained = tab.model
    qtbot.mouseClick(tab.reset_button, Qt.MouseButton.LeftButton)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(tab.load_button, Qt.MouseButton.LeftButton)
    for key, a in trained.params.items():
        np.testing.assert_array_equal(tab.model.params[key], a)
    qtbot.waitUntil(lambda: tab.evaluation is not None, timeout=TIMEOUT)
    # a damaged file is refused with a message, and the loaded network stays
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    with qtbot.waitSignal(tab.error) as error:
        qtbot.mouseClick(tab.load_button, Qt.MouseButton.LeftButton)
    assert "bad.npz" in error.args[0]
    assert tab.model is not None


def test_kernel_fitting_converges_towards_sobel(qtbot, tab):
    tab.pages.setCurrentWidget(tab.fit_panel)
    panel = tab.fit_panel
    picture = np.random.default_rng(0).integers(0, 255, (60, 60), np.uint8)
    tab.set_source(picture, "noise", False)
    type_into(qtbot, panel.steps_spin, "100")
    with qtbot.waitSignal(panel.fit_finished, timeout=TIMEOUT) as done:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    last, completed = done.args
    assert completed and last.step == 100
    sobel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    np.testing.assert_allclose(panel.kernel_views[0].values(), last.kernel, rtol=1e-6)
    np.testing.assert_array_equal(panel.target_view_matrix.values(), sobel)
    assert np.abs(last.kernel - sobel).max() < 0.05  # noise is an easy picture to fit on
    assert len(panel._weight_curves) == 9
    x, y = panel.loss_curve.getData()
    assert len(x) == 101 and y[-1] < 1e-3 * y[0]


def test_fitting_can_be_stopped(qtbot, tab, monkeypatch):
    from explorer.ui.panels import kernel_fit_panel

    real = kernel_fit_panel.fit_kernel

    def slowed(*args, **kwargs):  # a step every 10 ms: Stop surely comes before the end
        for step in real(*args, **kwargs):
            time.sleep(0.01)
            yield step

    monkeypatch.setattr(kernel_fit_panel, "fit_kernel", slowed)
    panel = tab.fit_panel
    tab.pages.setCurrentWidget(panel)
    type_into(qtbot, panel.steps_spin, "5000")
    with qtbot.waitSignal(panel.fit_finished, timeout=TIMEOUT) as done:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.last_step is not None, timeout=TIMEOUT)
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert done.args[1] is False and done.args[0].step < 5000
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()
