"""The Training tab's lessons driven as a student would: an MLP beside the CNN, the
shuffled-pixels experiment, what a unit sees (its top-9, a patch's digit in the digit test,
its dream) and the dreams of the digits; every choice in the document, every computation on
the tab's worker, never on the GUI thread.

Training runs on 400 digits (tested on 200), as in the tab's other tests.
"""

from __future__ import annotations

import threading
from functools import partial

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from PySide6.QtCore import Qt

from explorer.core.training import (
    DigitMLP,
    compare_networks,
    dream_channel,
    dream_digits,
    load_digits,
)
from explorer.core.training.data import every_digit
from explorer.ui.controllers import training as training_controller
from tests.ui import test_training_tab as base
from tests.ui.test_training_tab import TIMEOUT, click, load, show_page, train, type_into

# the tab's fixtures: its window on few digits, and two saved networks
small_digits, saved_networks, tab = base.small_digits, base.saved_networks, base.tab


def record_threads(monkeypatch, name, real):
    """Wrap a generator factory of the controller so each step notes the thread it ran on."""
    threads = []

    def factory(**kwargs):
        for step in real(**kwargs):
            threads.append(threading.current_thread())
            yield step

    monkeypatch.setattr(training_controller, name, factory)
    return threads


def choose(qtbot, combo, text):
    """Pick an entry of a combo box with the keyboard, as a user does."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == text:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text


def test_an_mlp_on_shuffled_pixels_is_chosen_trained_and_shown(qtbot, window, tab):
    view, settings = tab.view, window.document.training
    choose(qtbot, view.model_combo, "MLP (one hidden layer)")
    click(qtbot, view.shuffled_check)
    assert (settings.model, settings.shuffled) == ("mlp", True)
    rows = [view.arch_table.item(r, 0).text() for r in range(view.arch_table.rowCount())]
    assert any("dense" in row and "100" in row for row in rows), rows  # before training
    train(qtbot, tab)
    assert isinstance(tab.model, DigitMLP) and tab.model.shuffled
    assert view.watch.kernels_box.title() == "Hidden layer"
    assert not view.use_first_button.isEnabled()  # a perceptron has no kernels to use
    # the parameters of both kinds are shown side by side, counted as the lecture counts
    cnn = (1 * 25 + 1) * 8 + (8 * 25 + 1) * 16 + (16 * 4 * 4 + 1) * 10
    mlp = (784 + 1) * 100 + (100 + 1) * 10
    note = view.arch_note.text()
    assert f"{cnn:,}" in note and f"{mlp:,}" in note
    # a session brings the choice back into the controls
    settings.update({"model": "cnn", "shuffled": False})
    assert view.model_combo.currentData() == "cnn" and not view.shuffled_check.isChecked()


def test_the_experiment_tables_both_networks_plain_and_shuffled(qtbot, window, tab,
                                                                monkeypatch, small_digits):
    train_set, test_set = small_digits
    # run by the worker in a child process, as training is: the factory must pickle
    monkeypatch.setattr(training_controller, "compare_networks",
                        partial(compare_networks, train=train_set, test=test_set,
                                evaluations_per_epoch=2))
    view = tab.view
    type_into(qtbot, view.epochs_spin, "1")
    show_page(qtbot, tab, "compare")
    assert window.document.training.page == "compare"
    panel = view.compare_panel
    qtbot.waitUntil(lambda: panel.samples.count() == 10, timeout=TIMEOUT)
    with qtbot.waitSignal(tab.worker.finished, timeout=4 * TIMEOUT):
        click(qtbot, panel.run_button)
        assert not view.start_button.isEnabled()  # the worker's long work is taken
    cells = [[panel.table.item(r, c).text() for c in range(5)] for r in range(2)]
    assert [row[0] for row in cells] == ["MLP", "CNN"]
    assert cells[0][1] == "79,510" and cells[1][1] == "5,994"
    for row in cells:
        plain, shuffled = (float(cell.rstrip("%")) for cell in row[2:4])
        assert 10 < plain <= 100 and 10 < shuffled <= 100
        assert row[4] == f"{shuffled - plain:+.1f} points"
    assert panel.curve_points() == [2, 2, 2, 2]  # two evaluations of each run's one epoch
    assert view.start_button.isEnabled()


def test_the_shuffled_samples_are_test_digits_with_moved_pixels(qtbot, tab):
    show_page(qtbot, tab, "compare")
    panel = tab.view.compare_panel
    qtbot.waitUntil(lambda: panel.samples.count() == 10, timeout=TIMEOUT)
    labels = load_digits()[1].labels  # the tab's test digits
    assert panel.samples.captions() == [*(f"a {d}" for d in labels[:5]),
                                        *(f"{d} shuffled" for d in labels[:5])]


def strongest_by_windows(model, images, layer, channel, chunk=250):
    """Each digit's largest unit of conv ``layer``'s ``channel`` after its ReLU, written out
    here: every 5×5 window times the kernel, summed (valid convolution), 2×2 max pooling
    between layers; not the network's own im2col."""
    best = []
    for start in range(0, len(images), chunk):
        maps = images[start:start + chunk, ..., None].astype(np.float64) / 255.0
        for i in range(layer + 1):
            w, b = model.conv_weights(i).astype(np.float64), model.conv_bias(i)
            if i == layer:
                w, b = w[channel:channel + 1], b[channel:channel + 1]
            windows = sliding_window_view(maps, w.shape[1:3], axis=(1, 2))
            maps = np.maximum(np.einsum("nhwcij,kijc->nhwk", windows, w, optimize=True) + b, 0.0)
            if i < layer:
                n, h, width, k = maps.shape
                maps = maps.reshape(n, h // 2, 2, width // 2, 2, k).max(axis=(2, 4))
        best.append(maps.reshape(len(maps), -1).max(axis=1))
    return np.concatenate(best)


def patches_shown(controller, layer, channel):
    return controller.view.units_panel.patches is not None and controller.is_settled() \
        and controller._unit_shown[2:] == (layer, channel)


def test_a_unit_s_top_nine_come_from_a_search_of_every_digit(qtbot, window, tab, monkeypatch,
                                                              saved_networks):
    load(qtbot, tab, monkeypatch, saved_networks[0])
    show_page(qtbot, tab, "units")
    panel = tab.view.units_panel
    choose(qtbot, panel.layer_combo, "conv 2 (16 channels)")
    type_into(qtbot, panel.channel_spin, "5")
    settings = window.document.training
    assert (settings.unit_layer, settings.unit_channel) == (1, 4)
    qtbot.waitUntil(lambda: patches_shown(tab, 1, 4), timeout=TIMEOUT)
    best = strongest_by_windows(tab.model, every_digit().images, 1, 4)
    expected = np.argsort(-best, kind="stable")[:9]
    np.testing.assert_array_equal(panel.patches.indices, expected)
    np.testing.assert_allclose(panel.patches.values, best[expected], rtol=1e-4)
    assert panel.gallery.count() == 9
    # a layer with fewer channels keeps the channel within them
    type_into(qtbot, panel.channel_spin, "16")
    choose(qtbot, panel.layer_combo, "conv 1 (8 channels)")
    assert (settings.unit_layer, settings.unit_channel) == (0, 7)
    assert panel.channel_spin.value() == 8


def test_a_patch_clicked_is_tested_with_its_saliency(qtbot, window, tab, monkeypatch,
                                                     saved_networks):
    load(qtbot, tab, monkeypatch, saved_networks[0])
    show_page(qtbot, tab, "units")
    panel = tab.view.units_panel
    qtbot.waitUntil(lambda: patches_shown(tab, 0, 0), timeout=TIMEOUT)
    gallery = panel.gallery
    index = int(panel.patches.indices[2])
    qtbot.mouseClick(gallery, Qt.MouseButton.LeftButton, pos=gallery.tile_rect(2).center())
    settings = window.document.training
    assert (settings.page, settings.test_source) == ("test", "draw")
    test = tab.view.test_panel
    qtbot.waitUntil(lambda: test.reading is not None and tab.is_settled(), timeout=TIMEOUT)
    on_pad = cv2.resize(test.pad.image(), (28, 28), interpolation=cv2.INTER_AREA)
    digit = every_digit().images[index].astype(np.float64)
    assert np.corrcoef(on_pad.ravel(), digit.ravel())[0, 1] > 0.95
    # the saliency map: the answer's score changed by brightening one pixel, by hand
    reading = test.reading
    answer = reading.answer
    x = reading.digit.astype(np.float64)
    grad = reading.saliency.gradient
    flat = np.argsort(-np.abs(grad).ravel())[:3]
    for f in flat:
        r, c = divmod(int(f), 28)
        up, down = x.copy(), x.copy()
        up[r, c] += 0.5
        down[r, c] -= 0.5
        scores = [tab.model.logits(p[None].astype(np.float32))[0, answer] for p in (up, down)]
        assert np.isclose(scores[0] - scores[1], grad[r, c], rtol=0.05, atol=1e-4)
    assert test.saliency_title.text().startswith(f"The score of {answer} rises")


def test_a_channel_s_dream_forms_frame_by_frame_on_the_worker(qtbot, window, tab, monkeypatch,
                                                               saved_networks):
    threads = record_threads(monkeypatch, "dream_channel", dream_channel)
    load(qtbot, tab, monkeypatch, saved_networks[0])
    show_page(qtbot, tab, "units")
    panel = tab.view.units_panel
    type_into(qtbot, panel.channel_spin, "3")
    titles = []
    original = panel.show_dream
    monkeypatch.setattr(panel, "show_dream", lambda *a, **k: (titles.append(a), original(*a, **k)))
    with qtbot.waitSignal(tab.worker.finished, timeout=TIMEOUT):
        click(qtbot, panel.dream_button)
        assert not panel.dream_button.isEnabled() and panel.stop_button.isEnabled()
    frames = [a[0] for a in titles if a and a[0] is not None]
    assert len(frames) > 1 and frames[-1].done  # shown while it formed, then finished
    assert {t.name for t in threads} == {"training-worker"}
    assert panel.dream.picture() is not None
    np.testing.assert_array_equal(panel.dream.picture(), frames[-1].picture)
    assert "Channel 3 of conv 1" in panel.dream_title.text()


def test_a_digit_s_dream_convinces_the_network(qtbot, window, tab, monkeypatch, saved_networks):
    threads = record_threads(monkeypatch, "dream_digits", dream_digits)
    load(qtbot, tab, monkeypatch, saved_networks[0])
    show_page(qtbot, tab, "dreams")
    panel = tab.view.dreams_panel
    type_into(qtbot, panel.digit_spin, "7")
    assert window.document.training.dream_digit == 7
    with qtbot.waitSignal(tab.worker.finished, timeout=TIMEOUT):
        click(qtbot, panel.one_button)
    assert {t.name for t in threads} == {"training-worker"}
    dream = panel.dream(7)
    assert dream is not None and dream.done
    probabilities = tab.model.probabilities(dream.picture[None])[0]
    assert probabilities.argmax() == 7 and probabilities[7] > 0.9
    np.testing.assert_array_equal(panel.picture.picture(), dream.picture)
    # a new network forgets the old one's dreams
    load(qtbot, tab, monkeypatch, saved_networks[1])
    assert panel.dream(7) is None
