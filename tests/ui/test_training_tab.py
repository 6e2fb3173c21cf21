"""The Training tab driven as a student would: train, pause, stop, test a drawn digit and a
webcam frame, look at a mistake, use the kernels in the explorer, save and load, fit a kernel;
its settings in the document, its work on its workers, and nothing of an old network or an
old picture left on screen.

Training runs on 400 digits (tested on 200) so each run takes a second or two.
"""

from __future__ import annotations

import itertools
import threading
import time
from functools import partial

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from explorer.core.sources import FrameSource
from explorer.core.training import centre_box, load_digits, mnist_style, save_model
from explorer.core.training import train_digits as real_train_digits
from explorer.ui.controllers import training as training_controller

TIMEOUT = 60_000


@pytest.fixture(scope="module")
def small_digits():
    train, test = load_digits()
    return train.subset(slice(0, 400)), test.subset(slice(0, 200))


@pytest.fixture(scope="module")
def saved_networks(small_digits, tmp_path_factory):
    """Two networks trained as the tab trains them (seeds 0 and 9), saved: a test that needs
    a network, not its training, loads one with the Load button."""
    train, test = small_digits
    folder = tmp_path_factory.mktemp("networks")
    paths = []
    for seed in (0, 9):
        *_, last = real_train_digits(seed, 1, 0.01, train=train, test=test)
        paths.append(save_model(last.model, folder / f"seed{seed}.npz"))
    return paths


@pytest.fixture
def tab(qtbot, window, monkeypatch, small_digits):
    """The window on its Training tab, training on few digits."""
    train, test = small_digits
    monkeypatch.setattr(training_controller, "train_digits",
                        partial(real_train_digits, train=train, test=test,
                                evaluations_per_epoch=2))
    monkeypatch.setattr(training_controller, "load_digits", lambda: (train, test))
    controller = window.training_tab
    window.tabs.setCurrentWidget(controller.view)
    qtbot.waitUntil(controller.is_settled, timeout=TIMEOUT)
    return controller


def type_into(qtbot, spin, text):
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def show_page(qtbot, tab, index):
    """Click the page's tab, as a user does."""
    bar = tab.view.pages.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())


def load(qtbot, tab, monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    click(qtbot, tab.view.load_button)
    qtbot.waitUntil(lambda: tab.evaluation is not None and tab.is_settled(), timeout=TIMEOUT)


def train(qtbot, tab, epochs=1):
    view = tab.view
    type_into(qtbot, view.epochs_spin, str(epochs))
    type_into(qtbot, view.lr_spin, "0.01")
    with qtbot.waitSignal(tab.worker.finished, timeout=TIMEOUT) as done:
        click(qtbot, view.start_button)
    qtbot.waitUntil(lambda: tab.evaluation is not None and tab.is_settled(), timeout=TIMEOUT)
    return done.args[1:]


def test_the_architecture_summary_shows_sizes_parameters_and_macs(tab):
    table = tab.view.arch_table
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in (1, 2, 3)]
            for r in range(table.rowCount())}
    assert rows["conv1 8@5×5"] == ["24×24×8", "208", "115,200"]
    assert rows["conv2 16@5×5"] == ["8×8×16", "3,216", "204,800"]
    assert rows["dense 10"] == ["10", "2,570", "2,560"]
    assert rows["total"][1:] == ["5,994", "322,560"]


def test_the_settings_typed_are_in_the_document_and_a_session_shows_in_the_controls(
        qtbot, window, tab):
    view, settings = tab.view, window.document.training
    type_into(qtbot, view.epochs_spin, "3")
    type_into(qtbot, view.batch_spin, "64")
    type_into(qtbot, view.seed_spin, "77")
    type_into(qtbot, view.lr_spin, "0.02")
    assert (settings.epochs, settings.batch_size, settings.seed) == (3, 64, 77)
    assert settings.learning_rate == pytest.approx(0.02)
    show_page(qtbot, tab, 3)
    assert settings.page == "fit"
    view.fit_panel.target_combo.setFocus()
    qtbot.keyClick(view.fit_panel.target_combo, Qt.Key.Key_Down)
    assert settings.fit_target == "sobel_y"
    # a session (or a script) sets them: the controls follow
    settings.update({"epochs": 12, "learning_rate": 0.005, "page": "test",
                     "test_source": "picture", "fit_steps": 400, "fit_target": "laplacian"})
    assert view.epochs_spin.value() == 12 and view.lr_spin.value() == pytest.approx(0.005)
    assert view.page == "test" and view.pages.currentWidget() is view.test_panel
    assert view.test_panel.camera_radio.isChecked()
    assert view.fit_panel.steps_spin.value() == 400
    assert view.fit_panel.target_combo.currentData() == "laplacian"


def test_training_runs_and_shows_curves_kernels_confusion_and_mistakes(qtbot, tab):
    view = tab.view
    assert not view.use_first_button.isEnabled()
    before = [im.plane() for im in view.watch.kernels.images()]
    last, completed = train(qtbot, tab)
    assert completed and last.done
    assert view.progress.value() == view.progress.maximum()
    assert tab.model is last.model
    assert tab.document.training.page == "watch"  # Start went from the summary to the curves
    points = view.watch.curve_points()
    assert points["loss"] == last.total_steps == 13 and points["test"] == 2
    after = [im.plane() for im in view.watch.kernels.images()]
    assert len(after) == 8
    assert all(np.ptp(p) > 0 for p in after)  # every kernel has a shape now
    assert not np.allclose(np.array(before), np.array(after))
    np.testing.assert_allclose(np.array(after), last.model.conv_weights(0)[..., 0])
    matrix = view.watch.confusion.matrix()
    # the matrix counts what the model reads, digit by digit
    test = tab._test
    read = [int(np.argmax(tab.model.probabilities(test.images[i:i + 1])[0]))
            for i in range(len(test))]
    expected = np.zeros((10, 10), np.int64)
    for true, got in zip(test.labels, read, strict=True):
        expected[true, got] += 1
    np.testing.assert_array_equal(matrix, expected)
    assert tab.evaluation.accuracy > 0.3  # one short epoch, far above chance (0.1)
    wrong = 200 - np.trace(matrix)
    assert view.watch.gallery.count() == min(wrong, 120)
    assert "%" in view.score_label.text()
    assert view.use_first_button.isEnabled() and view.save_button.isEnabled()


def test_pause_stop_keeps_the_last_finished_step(qtbot, tab):
    view = tab.view
    type_into(qtbot, view.epochs_spin, "20")
    with qtbot.waitSignal(tab.worker.progress, timeout=TIMEOUT):
        click(qtbot, view.start_button)
    assert not view.epochs_spin.isEnabled()  # settings are fixed while it trains
    click(qtbot, view.pause_button)
    qtbot.waitUntil(lambda: tab.worker.paused)
    assert view.pause_button.text() == "Resume" and view.start_button.text() == "Resume"
    with qtbot.waitSignal(tab.worker.finished, timeout=TIMEOUT) as done:
        click(qtbot, view.stop_button)
    _, last, completed = done.args
    assert not completed and last.step < last.total_steps
    assert tab.model is last.model
    qtbot.waitUntil(lambda: tab.evaluation is not None, timeout=TIMEOUT)
    assert view.start_button.isEnabled() and view.start_button.text() == "Start"
    assert view.use_all_button.isEnabled()
    click(qtbot, view.reset_button)
    assert tab.model is None and view.watch.curve_points()["loss"] == 0
    assert view.watch.confusion.matrix() is None
    assert not view.use_first_button.isEnabled()


def test_the_status_bar_shows_the_training_rate_and_time_left(qtbot, window, tab):
    view = tab.view
    assert window.tabs.currentWidget() is view
    type_into(qtbot, view.epochs_spin, "20")
    seen = []
    tab.status_changed.connect(lambda: seen.append(window.status_sizes.text()))
    with qtbot.waitSignal(tab.worker.progress, timeout=TIMEOUT) as progress:
        click(qtbot, view.start_button)
    qtbot.waitUntil(lambda: any("steps/s" in text for text in seen), timeout=TIMEOUT)
    step = progress.args[1][-1]
    text = next(text for text in seen if "steps/s" in text)
    assert text.startswith("training ") and " s left" in text
    rate = float(text.split()[1])
    assert rate > 0
    with qtbot.waitSignal(tab.worker.finished, timeout=TIMEOUT) as done:
        click(qtbot, view.stop_button)
    last = done.args[1]
    assert step.step <= last.step
    assert window.status_sizes.text().startswith(f"trained {last.step} steps in ")
    # the explorer's own timings are not this tab's
    assert "ms" not in window.status_time.text()


def test_use_these_kernels_sends_the_learned_stack(qtbot, tab, monkeypatch, saved_networks):
    load(qtbot, tab, monkeypatch, saved_networks[0])
    view = tab.view
    with qtbot.waitSignal(tab.send_to_explorer) as first:
        view.use_first_button.click()
    stack = first.args[0]
    assert len(stack.layers) == 1 and stack.layers[0].weights.shape == (8, 5, 5, 1)
    np.testing.assert_array_equal(stack.layers[0].weights, tab.model.conv_weights(0))
    with qtbot.waitSignal(tab.send_to_explorer) as whole:
        view.use_all_button.click()
    assert [s.weights.shape for s in whole.args[0].layers] == [(8, 5, 5, 1), (16, 5, 5, 8)]


def test_the_explorer_runs_the_learned_kernels(qtbot, window, tab, monkeypatch,
                                              saved_networks):
    load(qtbot, tab, monkeypatch, saved_networks[0])
    shown = []
    window.result_shown.connect(shown.append)

    def learned_on_screen(count):
        return bool(shown) and len(shown[-1].request.layers) == count and np.allclose(
            shown[-1].request.layers[0].weights, tab.model.conv_weights(0))

    click(qtbot, tab.view.use_all_button)
    assert window.tabs.currentWidget() is window.maps_panel
    qtbot.waitUntil(lambda: learned_on_screen(2), timeout=TIMEOUT)
    stages = shown[-1].stages
    assert [s.feature_maps.shape[2] for s in stages] == [8, 16]
    np.testing.assert_allclose(shown[-1].request.layers[1].weights, tab.model.conv_weights(1))
    np.testing.assert_allclose(shown[-1].request.layers[1].bias, 255 * tab.model.conv_bias(1),
                               rtol=1e-5)
    window.tabs.setCurrentWidget(tab.view)
    click(qtbot, tab.view.use_first_button)
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


SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]


def test_a_drawn_digit_is_read_and_cleared_with_one_key(qtbot, tab, monkeypatch,
                                                        saved_networks):
    load(qtbot, tab, monkeypatch, saved_networks[0])
    show_page(qtbot, tab, 2)
    panel = tab.view.test_panel
    qtbot.waitUntil(lambda: panel.pad.isVisible())
    draw(panel.pad, SEVEN)
    qtbot.waitUntil(lambda: panel.reading is not None and tab.is_settled(), timeout=TIMEOUT)
    reading = panel.reading
    expected_digit = mnist_style(panel.pad.image(), "light")
    np.testing.assert_array_equal(reading.digit, expected_digit)
    _, expected = tab.model.stages(expected_digit)
    np.testing.assert_allclose(panel.bars.probabilities(), expected, rtol=1e-5)
    assert panel.answer.text().startswith(f"It reads a {int(expected.argmax())}")
    assert panel.maps.row_titles()[0] == "input: 28×28 pixels"
    assert len(panel.maps.row_titles()) == 5
    panel.pad.setFocus()
    qtbot.keyClick(panel.pad, Qt.Key.Key_Backspace)
    qtbot.waitUntil(tab.is_settled, timeout=TIMEOUT)
    assert panel.pad.is_empty and panel.bars.probabilities() is None
    assert panel.pad.image().max() == 0


def paper(digit: str | None) -> np.ndarray:
    """A webcam's view of white paper with a dark digit in the middle (or none), and a dark
    blot outside the centre box, which must be ignored."""
    frame = np.full((480, 640, 3), 235, np.uint8)
    frame[20:60, 20:60] = 0
    if digit == "1":
        frame[170:310, 300:330] = 30
    elif digit == "7":
        cv2.line(frame, (270, 180), (370, 180), (30, 30, 30), 22)
        cv2.line(frame, (370, 180), (300, 310), (30, 30, 30), 22)
    return frame


class PaperCamera(FrameSource):
    """A camera filming whatever paper ``holder['frame']`` is, 60 times a second."""

    is_live = True

    def __init__(self, holder: dict) -> None:
        self.holder = holder
        self._stop = threading.Event()

    @property
    def name(self) -> str:
        return "Camera 9"

    @property
    def nominal_fps(self) -> float:
        return 60.0

    @property
    def size(self) -> tuple[int, int]:
        return (640, 480)

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray | None:
        time.sleep(1 / 60)
        return self.holder["frame"].copy()

    def release(self) -> None:
        pass


def expected_reading(frame):
    crop, _ = centre_box(frame, 0.5)
    return mnist_style(crop)


def test_the_digit_test_reads_the_live_frame_in_its_centre_box(qtbot, window, tab, monkeypatch,
                                                              saved_networks):
    load(qtbot, tab, monkeypatch, saved_networks[0])
    show_page(qtbot, tab, 2)
    panel = tab.view.test_panel
    click(qtbot, panel.camera_radio)
    assert tab.document.training.test_source == "picture"
    holder = {"frame": paper("1")}
    window.start_live(lambda: PaperCamera(holder), "Camera 9", "camera")

    def reads(frame):
        reading = panel.reading
        return reading is not None and reading.digit is not None and np.array_equal(
            reading.digit, expected_reading(frame))

    qtbot.waitUntil(lambda: reads(paper("1")), timeout=TIMEOUT)
    assert panel.preview.has_picture()
    holder["frame"] = paper("7")  # the student holds up another digit: the tab follows
    qtbot.waitUntil(lambda: reads(paper("7")), timeout=TIMEOUT)
    # an empty box is a normal moment: it says so, without an error
    errors = []
    tab.error.connect(errors.append)
    holder["frame"] = paper(None)
    qtbot.waitUntil(lambda: panel.reading is not None and panel.reading.digit is None,
                    timeout=TIMEOUT)
    assert "no digit" in panel.answer.text() and not errors
    assert panel.bars.probabilities() is None
    window.stop_live()


def test_a_new_source_clears_the_old_reading_at_once(qtbot, window, tab, monkeypatch,
                                                     saved_networks):
    load(qtbot, tab, monkeypatch, saved_networks[0])
    show_page(qtbot, tab, 2)
    panel = tab.view.test_panel
    click(qtbot, panel.camera_radio)
    window.set_image(paper("1"), "paper")
    qtbot.waitUntil(lambda: panel.reading is not None and panel.reading.digit is not None,
                    timeout=TIMEOUT)
    assert panel.bars.probabilities() is not None
    window.set_image(paper("7"), "another paper")
    # before any new reading arrives, nothing of the old picture's is on show
    assert panel.reading is None and panel.bars.probabilities() is None
    assert panel.maps.row_titles() == []
    qtbot.waitUntil(lambda: panel.reading is not None and tab.is_settled(), timeout=TIMEOUT)
    np.testing.assert_array_equal(panel.reading.digit, expected_reading(paper("7")))
    # the pad is another source too: its reading is not the picture's
    click(qtbot, panel.draw_radio)
    assert panel.reading is None and panel.bars.probabilities() is None


def click_first_mistake(qtbot, tab):
    gallery = tab.view.watch.gallery
    assert gallery.count() > 0
    qtbot.mouseClick(gallery, Qt.MouseButton.LeftButton, pos=gallery.tile_rect(0).center())


def test_clicking_a_mistake_shows_its_maps(qtbot, tab, monkeypatch, saved_networks):
    load(qtbot, tab, monkeypatch, saved_networks[0])
    watch = tab.view.watch
    gallery = watch.gallery
    click_first_mistake(qtbot, tab)
    qtbot.waitUntil(lambda: len(watch.picked_maps.row_titles()) == 5, timeout=TIMEOUT)
    index = tab.picked
    assert f"Test digit {index}: a {tab._test.labels[index]}, read as" in \
        watch.picked_title.text()
    _, expected = tab.model.stages(tab._test.images[index])
    np.testing.assert_allclose(watch.picked_bars.probabilities(), expected, rtol=1e-5)
    # a cell of the confusion matrix shows only that kind of mistake
    view = watch.confusion
    matrix = view.matrix()
    off = matrix - np.diag(np.diag(matrix))
    true, read = np.unravel_index(off.argmax(), off.shape)
    x0, y0, side = view._geometry()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton,
                     pos=QPointF(x0 + (read + 0.5) * side, y0 + (true + 0.5) * side).toPoint())
    assert gallery.count() == min(off.max(), 120)
    assert all(c == f"{true} → {read}" for c in gallery.captions())


def test_a_mistakes_maps_go_with_their_network(qtbot, tab, monkeypatch, saved_networks):
    load(qtbot, tab, monkeypatch, saved_networks[1])
    watch = tab.view.watch
    click_first_mistake(qtbot, tab)
    qtbot.waitUntil(lambda: len(watch.picked_maps.row_titles()) == 5, timeout=TIMEOUT)
    old = watch.picked_title.text()
    assert old.startswith("Test digit")
    click(qtbot, tab.view.reset_button)
    assert watch.picked_maps.row_titles() == [] and watch.picked_bars.probabilities() is None
    assert not watch.picked_title.text().startswith("Test digit")
    train(qtbot, tab)  # another network
    assert not watch.picked_title.text().startswith("Test digit")
    assert watch.picked_maps.row_titles() == [] and watch.picked_bars.probabilities() is None


def test_a_loaded_network_clears_the_old_ones_results(qtbot, tab, tmp_path, monkeypatch,
                                                     saved_networks):
    view = tab.view
    load(qtbot, tab, monkeypatch, saved_networks[1])  # a network, a mistake picked, a reading
    click_first_mistake(qtbot, tab)
    qtbot.waitUntil(lambda: len(view.watch.picked_maps.row_titles()) == 5, timeout=TIMEOUT)
    show_page(qtbot, tab, 2)
    draw(view.test_panel.pad, SEVEN)
    qtbot.waitUntil(lambda: view.test_panel.reading is not None and tab.is_settled(),
                    timeout=TIMEOUT)
    read_by_other = view.test_panel.bars.probabilities()
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: (str(saved_networks[0]), ""))
    click(qtbot, view.load_button)
    # nothing of the other network stays: its evaluation, picked digit and reading
    assert tab.evaluation is None and tab.picked is None
    assert view.watch.picked_maps.row_titles() == []
    assert view.test_panel.reading is None and view.test_panel.bars.probabilities() is None
    qtbot.waitUntil(lambda: tab.evaluation is not None and tab.is_settled(), timeout=TIMEOUT)
    _, expected = tab.model.stages(mnist_style(view.test_panel.pad.image(), "light"))
    np.testing.assert_allclose(view.test_panel.bars.probabilities(), expected, rtol=1e-5)
    assert not np.allclose(read_by_other, expected)


def test_save_and_load_through_the_buttons(qtbot, tab, tmp_path, monkeypatch):
    train(qtbot, tab)
    view = tab.view
    path = tmp_path / "mine.npz"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    click(qtbot, view.save_button)
    assert path.is_file()
    trained = tab.model
    click(qtbot, view.reset_button)
    load(qtbot, tab, monkeypatch, path)
    for key, a in trained.params.items():
        np.testing.assert_array_equal(tab.model.params[key], a)
    # a damaged file is refused with a message, and the loaded network stays
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    with qtbot.waitSignal(tab.error) as error:
        click(qtbot, view.load_button)
    assert "bad.npz" in error.args[0]
    assert tab.model is not None


def reference_target_map(picture: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The target's feature map of a gray picture, standardised, by plain loops."""
    x = picture.astype(np.float64)
    x = (x - x.mean()) / x.std()
    kh, kw = kernel.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = float(np.sum(x[r:r + kh, c:c + kw] * kernel))
    return out


SOBEL = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float64)


def start_fit(qtbot, tab):
    panel = tab.view.fit_panel
    qtbot.waitUntil(lambda: tab.is_settled() and panel.start_button.isEnabled(),
                    timeout=TIMEOUT)
    with qtbot.waitSignal(tab.fit_worker.finished, timeout=TIMEOUT) as done:
        click(qtbot, panel.start_button)
    return done.args[1:]


def test_kernel_fitting_converges_towards_sobel(qtbot, window, tab):
    picture = np.random.default_rng(0).integers(0, 255, (60, 60), np.uint8)
    window.set_image(picture, "noise")
    show_page(qtbot, tab, 3)
    panel = tab.view.fit_panel
    type_into(qtbot, panel.steps_spin, "100")
    last, completed = start_fit(qtbot, tab)
    assert completed and last.step == 100
    np.testing.assert_allclose(panel.kernel_views[0].values(), last.kernel, rtol=1e-6)
    np.testing.assert_array_equal(panel.target_view_matrix.values(), SOBEL)
    assert np.abs(last.kernel - SOBEL).max() < 0.05  # noise is an easy picture to fit on
    assert len(panel._weight_curves) == 9
    x, y = panel.loss_curve.getData()
    assert len(x) == 101 and y[-1] < 1e-3 * y[0]
    np.testing.assert_allclose(last.target_map, reference_target_map(picture, SOBEL),
                               rtol=1e-4, atol=1e-4)
    qtbot.waitUntil(lambda: "kernel fit" in window.status_sizes.text(), timeout=TIMEOUT)


def test_the_fit_shows_the_picture_it_computes_on(qtbot, window, tab):
    rng = np.random.default_rng(1)
    first = rng.integers(0, 255, (60, 60), np.uint8)
    window.set_image(first, "first")
    show_page(qtbot, tab, 3)
    panel = tab.view.fit_panel
    type_into(qtbot, panel.steps_spin, "20")
    start_fit(qtbot, tab)
    show_page(qtbot, tab, 0)
    second = np.zeros((60, 60), np.uint8)
    second[:, 30:] = 200  # one vertical edge
    second[20:40, 10:20] = 90
    window.set_image(second, "second")
    show_page(qtbot, tab, 3)
    qtbot.waitUntil(tab.is_settled, timeout=TIMEOUT)
    # the picture on show is the new one, and nothing of the old fit stays
    np.testing.assert_array_equal(panel.picture_view.picture(), second)
    assert panel.last_step is None and panel.curve_points() == 0
    assert not panel.current_view.has_picture()
    start_fit(qtbot, tab)
    np.testing.assert_array_equal(panel.picture_view.picture(), second)
    np.testing.assert_allclose(panel.last_step.target_map, reference_target_map(second, SOBEL),
                               rtol=1e-4, atol=1e-4)


def test_fitting_can_be_stopped(qtbot, tab, monkeypatch):
    real = training_controller.descend

    def slowed(*args, **kwargs):  # a step every 10 ms: Stop surely comes before the end
        for step in real(*args, **kwargs):
            time.sleep(0.01)
            yield step

    monkeypatch.setattr(training_controller, "descend", slowed)
    show_page(qtbot, tab, 3)
    panel = tab.view.fit_panel
    type_into(qtbot, panel.steps_spin, "5000")
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=TIMEOUT)
    with qtbot.waitSignal(tab.fit_worker.finished, timeout=TIMEOUT) as done:
        with qtbot.waitSignal(tab.fit_worker.progress, timeout=TIMEOUT):
            click(qtbot, panel.start_button)
        assert not panel.steps_spin.isEnabled() and panel.stop_button.isEnabled()
        click(qtbot, panel.stop_button)
    assert done.args[2] is False and done.args[1].step < 5000
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()


def test_a_session_opens_the_training_tab_on_its_page_for_a_screenshot(qtbot, window, tab):
    doc = window.document
    doc.training.update({"page": "fit", "fit_target": "laplacian", "fit_colour": True})
    qtbot.waitUntil(lambda: tab.is_settled() and tab.fit_problem is not None, timeout=TIMEOUT)
    panel = tab.view.fit_panel
    assert tab.view.pages.currentWidget() is panel
    assert panel.picture_view.picture().ndim == 3  # the colour picture, as the fit sees it
    assert panel.target_view.has_picture() and panel.start_button.isEnabled()
