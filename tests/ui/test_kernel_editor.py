"""The kernel editor: typing and wheeling weights, presets, buttons, slices, library."""

from __future__ import annotations

import json

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QPushButton

from explorer.core import kernels
from explorer.state import Document
from explorer.ui.widgets.kernel_editor import KernelEditor
from explorer.ui.widgets.kernel_grid import WeightCell, format_weight, parse_weight
from explorer.ui.widgets.kernel_image import kernel_rgb
from explorer.ui.widgets.kernel_slices import sum_hint

pg.setConfigOptions(imageAxisOrder="row-major")

# A 3×3×3 volume with no symmetry, so every transform gives a different, checkable result.
KNOWN = np.arange(1, 28, dtype=np.float32).reshape(3, 3, 3) * np.float32(0.5)
KNOWN[0, 2, :] = [-4, -5, -6]


@pytest.fixture
def doc() -> Document:
    return Document()


@pytest.fixture
def make_editor(qtbot, tmp_path):
    """Editors on a shared library file, cleaned up after the test."""
    made: list[KernelEditor] = []

    def make(document: Document, library=None) -> KernelEditor:
        editor = KernelEditor(document, library or tmp_path / "kernels.json")
        qtbot.addWidget(editor)
        editor.resize(340, 700)
        editor.show()
        made.append(editor)
        return editor

    yield make
    for editor in made:
        editor.cleanup()


@pytest.fixture
def editor(doc, make_editor) -> KernelEditor:
    return make_editor(doc)


@pytest.fixture
def messages(editor) -> list[str]:
    said: list[str] = []
    editor.message.connect(said.append)
    return said


def centre_fit(kernel: np.ndarray, kh: int, kw: int) -> np.ndarray:
    """Reference: centre-crop or zero-pad a 2-D kernel to kh × kw (written out by hand)."""
    h, w = kernel.shape
    out = np.zeros((kh, kw), np.float32)
    for r in range(kh):
        for c in range(kw):
            sr, sc = r - (kh - 1) // 2 + (h - 1) // 2, c - (kw - 1) // 2 + (w - 1) // 2
            if 0 <= sr < h and 0 <= sc < w:
                out[r, c] = kernel[sr, sc]
    return out


def type_into(qtbot, cell, text: str) -> None:
    cell.selectAll()
    qtbot.keyClick(cell, Qt.Key.Key_Backspace)
    qtbot.keyClicks(cell, text)
    qtbot.keyClick(cell, Qt.Key.Key_Return)


def wheel(cell, notches: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    centre = QPointF(cell.width() / 2, cell.height() / 2)
    event = QWheelEvent(
        centre, cell.mapToGlobal(centre), QPoint(0, 0), QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False,
    )
    QApplication.sendEvent(cell, event)


def button(editor: KernelEditor, text: str) -> QPushButton:
    found = [b for b in editor.findChildren(QPushButton) if b.text() == text]
    assert len(found) == 1, f"no single button called {text!r}"
    return found[0]


def weights_of(doc: Document, i: int) -> np.ndarray:
    return doc.filters.weights()[i]


# --- typing and the wheel -----------------------------------------------------------------
@pytest.mark.parametrize(("channel", "row", "col"), [(0, 0, 0), (1, 2, 1), (2, 1, 2)])
def test_typing_a_value_changes_that_weight_only(qtbot, doc, editor, channel, row, col):
    before = weights_of(doc, 0)
    type_into(qtbot, editor.slices.cell(channel, row, col), "0.75")
    after = weights_of(doc, 0)
    expected = before.copy()
    expected[row, col, channel] = 0.75
    np.testing.assert_array_equal(after, expected)
    assert editor.slices.cell(channel, row, col).text() == "0.75"
    assert doc.filters.names()[0] == "vertical_edge (edited)"
    assert editor._filter_combo.itemText(0) == "1 · Vertical edge (edited)"
    assert editor._preset_combo.currentData() == "vertical_edge"


def test_linked_channels_change_every_slice(qtbot, doc, editor):
    editor._link.setChecked(True)
    type_into(qtbot, editor.slices.cell(1, 0, 2), "1/4")
    np.testing.assert_array_equal(weights_of(doc, 0)[0, 2, :], [0.25, 0.25, 0.25])


def test_typing_edits_the_selected_filter(qtbot, doc, editor):
    doc.selection.filter = 2
    others = doc.filters.weights()[[0, 1, 3]]
    type_into(qtbot, editor.slices.cell(0, 1, 1), "-2")
    assert weights_of(doc, 2)[1, 1, 0] == -2
    np.testing.assert_array_equal(doc.filters.weights()[[0, 1, 3]], others)


@pytest.mark.parametrize("bad", ["abc", "", "1/0", "inf", "--1", "nan"])
def test_bad_text_reverts_with_a_message(qtbot, doc, editor, messages, bad):
    cell = editor.slices.cell(0, 0, 0)
    shown, before = cell.text(), weights_of(doc, 0)
    type_into(qtbot, cell, bad)
    np.testing.assert_array_equal(weights_of(doc, 0), before)
    assert cell.text() == shown
    assert messages and ("number" in messages[-1])
    assert editor.status_text() == messages[-1]


def test_escape_puts_the_value_back(qtbot, doc, editor):
    cell = editor.slices.cell(2, 2, 2)
    shown, before = cell.text(), weights_of(doc, 0)
    cell.selectAll()
    qtbot.keyClicks(cell, "9")
    qtbot.keyClick(cell, Qt.Key.Key_Escape)
    assert cell.text() == shown
    np.testing.assert_array_equal(weights_of(doc, 0), before)


@pytest.mark.parametrize(
    ("notches", "modifiers", "step"),
    [(1, Qt.KeyboardModifier.NoModifier, 0.1), (-2, Qt.KeyboardModifier.NoModifier, -0.2),
     (1, Qt.KeyboardModifier.ShiftModifier, 1.0), (3, Qt.KeyboardModifier.ControlModifier, 0.03)],
)
def test_the_wheel_steps_a_weight(doc, editor, notches, modifiers, step):
    doc.filters.set_filter(0, KNOWN)
    wheel(editor.slices.cell(1, 1, 0), notches, modifiers)
    expected = KNOWN.copy()
    expected[1, 0, 1] += step
    np.testing.assert_allclose(weights_of(doc, 0), expected, atol=1e-6)


def test_the_wheel_steps_every_slice_when_linked(doc, editor):
    doc.filters.set_filter(0, np.zeros((3, 3, 3), np.float32))
    editor._link.setChecked(True)
    wheel(editor.slices.cell(0, 2, 2), 5)
    np.testing.assert_allclose(weights_of(doc, 0)[2, 2], [0.5, 0.5, 0.5], atol=1e-6)
    assert np.count_nonzero(weights_of(doc, 0)) == 3


def test_a_weight_changed_elsewhere_shows_in_the_grid(doc, editor):
    w = KNOWN.copy()
    w[2, 0, 1] = 0.125
    doc.filters.set_filter(0, w)
    assert editor.slices.cell(1, 2, 0).text() == "0.125"
    assert editor.slices.cell(0, 0, 2).text() == "-4"


# --- presets ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", kernels.names())
def test_a_preset_is_spread_over_the_channels(doc, editor, name):
    doc.selection.filter = 1
    editor.apply_preset(name)
    preset = kernels.get(name).weights
    kh, kw = max(3, preset.shape[0]), max(3, preset.shape[1])  # a larger preset fits whole
    assert doc.filters.kernel_shape == (kh, kw)
    expected = centre_fit(preset, kh, kw) / 3  # each channel takes a third: the channel mean
    for ch in range(3):
        np.testing.assert_allclose(weights_of(doc, 1)[:, :, ch], expected, rtol=1e-6, atol=1e-7)
    assert doc.filters.names()[1] == name


def test_a_preset_larger_than_the_kernel_grows_it_and_says_so(doc, editor, messages):
    before = doc.filters.weights()
    editor.apply_preset("motion_blur")
    assert "7×7" in messages[-1] and "3×3" in messages[-1] and "grew" in messages[-1]
    assert doc.filters.kernel_shape == (7, 7)
    np.testing.assert_array_equal(weights_of(doc, 1)[2:5, 2:5], before[1])  # the others kept
    np.testing.assert_allclose(weights_of(doc, 0).sum(axis=2), kernels.get("motion_blur").weights,
                               atol=1e-6)  # the whole 7×7 preset, nothing cut


def test_an_error_message_goes_once_an_edit_works(doc, editor, qtbot):
    type_into(qtbot, editor.slices.cell(0, 0, 0), "3e38")  # beyond float32: refused
    assert "10³⁰" in editor.status_text() and editor._status.isVisible()
    type_into(qtbot, editor.slices.cell(0, 0, 0), "2")
    assert not editor._status.isVisible()
    assert weights_of(doc, 0)[0, 0, 0] == 2


def test_gray_input_takes_the_preset_as_is(doc, editor):
    doc.input.grayscale = True
    editor.apply_preset("sobel_x")
    np.testing.assert_array_equal(weights_of(doc, 0)[:, :, 0], kernels.get("sobel_x").weights)


def test_the_preset_combo_applies_its_choice_and_shows_the_description(qtbot, doc, editor):
    combo = editor._preset_combo
    combo.setCurrentIndex(combo.findData("laplacian"))
    description = kernels.get("laplacian").description
    assert editor._preset_text.text() == description
    assert combo.itemData(combo.currentIndex(), Qt.ItemDataRole.ToolTipRole) == description
    qtbot.mouseClick(button(editor, "Apply"), Qt.MouseButton.LeftButton)
    np.testing.assert_allclose(weights_of(doc, 0)[:, :, 2],
                               kernels.get("laplacian").weights / 3, rtol=1e-6)


def test_apply_to_all_keeps_the_biases(qtbot, doc, editor):
    doc.filters.set_bias(2, -7.0)
    editor._preset_combo.setCurrentIndex(editor._preset_combo.findData("gaussian_blur"))
    qtbot.mouseClick(button(editor, "Apply to all"), Qt.MouseButton.LeftButton)
    gaussian = np.outer([1, 2, 1], [1, 2, 1]) / 16  # the lecture's 3×3 blur
    expected = np.repeat(gaussian[:, :, None] / 3, 3, axis=2)
    for i in range(len(doc.filters)):
        np.testing.assert_allclose(weights_of(doc, i), expected, rtol=1e-6)
    assert doc.filters.names() == ["gaussian_blur"] * 4
    np.testing.assert_array_equal(doc.filters.biases(), [0, 0, -7, 0])


def test_the_lecture_set_restores_the_starting_filters(qtbot, doc, editor):
    start = doc.filters.weights()
    for i in range(len(doc.filters)):
        doc.filters.set_filter(i, np.ones((3, 3)), name="ones")
        doc.filters.set_bias(i, 3.0)
    qtbot.mouseClick(button(editor, "Lecture set"), Qt.MouseButton.LeftButton)
    np.testing.assert_allclose(doc.filters.weights(), start)
    np.testing.assert_array_equal(doc.filters.biases(), np.zeros(4))
    assert doc.filters.names()[:2] == ["vertical_edge", "horizontal_edge"]


# --- the transform buttons: each against a NumPy reference on a known kernel ------------------
@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("Normalize", lambda w: w / w.sum()),
        ("Negate", lambda w: -w),
        ("Transpose", lambda w: w.transpose(1, 0, 2)),
        ("Zero", np.zeros_like),
    ],
)
def test_a_button_transforms_the_whole_volume(qtbot, doc, editor, text, reference):
    doc.selection.filter = 3
    doc.filters.set_filter(3, KNOWN)
    qtbot.mouseClick(button(editor, text), Qt.MouseButton.LeftButton)
    np.testing.assert_allclose(weights_of(doc, 3), reference(KNOWN), rtol=1e-6)
    np.testing.assert_allclose(weights_of(doc, 0), weights_of(Document(), 0))  # others stay


def test_rotate_turns_every_slice_a_quarter_counter_clockwise(qtbot, doc, editor):
    doc.filters.set_filter(0, KNOWN)
    qtbot.mouseClick(button(editor, "Rotate 90° ↺"), Qt.MouseButton.LeftButton)
    w = weights_of(doc, 0)
    for ch in range(3):
        s = KNOWN[:, :, ch]
        # counter-clockwise: the top row becomes the left column, read bottom to top
        expected = np.array([[s[r][c] for r in range(3)] for c in (2, 1, 0)])
        np.testing.assert_array_equal(w[:, :, ch], expected)
    assert w[0, 0, 0] == -4  # the top-right weight went to the top left


def test_normalize_scales_an_edge_detector_by_its_positive_weights(qtbot, doc, editor):
    editor.apply_preset("sobel_x")  # sums to 0: positive weights (4 over 3 channels) → 1
    qtbot.mouseClick(button(editor, "Normalize"), Qt.MouseButton.LeftButton)
    w = weights_of(doc, 0)
    assert w[w > 0].sum() == pytest.approx(1.0)
    np.testing.assert_allclose(w[:, :, 0], kernels.get("sobel_x").weights / 12, rtol=1e-6)


def test_randomize_gives_new_weights_on_the_he_scale(qtbot, doc, editor):
    doc.layer.kernel_h = doc.layer.kernel_w = 7  # 147 weights: enough for a loose scale check
    before = weights_of(doc, 0)
    qtbot.mouseClick(button(editor, "Randomize"), Qt.MouseButton.LeftButton)
    w = weights_of(doc, 0)
    assert w.shape == before.shape and np.all(np.isfinite(w))
    assert not np.array_equal(w, before) and np.unique(w).size == w.size
    assert 0.5 < w.std() / np.sqrt(2 / w.size) < 1.5
    assert doc.filters.names()[0] == "random"


def test_transpose_and_rotate_wait_for_a_square_kernel(doc, editor, messages):
    doc.layer.kernel_w = 5
    assert not button(editor, "Transpose").isEnabled()
    assert not button(editor, "Rotate 90° ↺").isEnabled()
    before = weights_of(doc, 0)
    editor.transpose()
    np.testing.assert_array_equal(weights_of(doc, 0), before)
    assert "3×5" in messages[-1]
    doc.layer.kernel_h = 5
    assert button(editor, "Transpose").isEnabled()


# --- slices, kernel size, filters -------------------------------------------------------------
def test_colour_input_shows_three_labelled_slices_and_gray_one(doc, editor):
    assert editor.slices.channel_labels() == ["R", "G", "B"]
    assert len(editor.slices.images()) == 4  # R, G, B and their sum
    assert not editor._link.isHidden()
    doc.input.grayscale = True
    assert editor.slices.shape == (3, 3, 1)
    assert editor.slices.channel_labels() == ["gray"]
    assert len(editor.slices.images()) == 1
    assert editor._link.isHidden()
    doc.input.grayscale = False
    assert editor.slices.channel_labels() == ["R", "G", "B"]


def test_the_pictures_show_each_slice_and_the_channel_sum(doc, editor):
    doc.filters.set_filter(0, KNOWN)
    images = editor.slices.images()
    for ch in range(3):
        np.testing.assert_array_equal(images[ch].plane(), KNOWN[:, :, ch])
    np.testing.assert_allclose(images[3].plane(), KNOWN.sum(axis=2))


@pytest.mark.parametrize(("kh", "kw"), [(5, 7), (1, 1), (15, 15)])
def test_a_kernel_size_change_rebuilds_the_grid(doc, editor, kh, kw):
    doc.layer.kernel_h, doc.layer.kernel_w = kh, kw
    assert editor.slices.shape == (kh, kw, 3)
    w = weights_of(doc, 0)
    cell = editor.slices.cell(2, kh - 1, kw - 1)
    assert parse_weight(cell.toolTip().split("\n")[0]) == pytest.approx(w[kh - 1, kw - 1, 2],
                                                                        abs=1e-6)
    with pytest.raises(IndexError):
        editor.slices.cell(0, kh, 0)


def test_growing_then_shrinking_keeps_grid_and_values_in_step(doc, editor):
    doc.layer.kernel_h = doc.layer.kernel_w = 15
    tall = editor.slices._scroll.maximumHeight()
    doc.input.grayscale = True
    doc.layer.kernel_h = doc.layer.kernel_w = 3
    doc.input.grayscale = False
    assert editor.slices.shape == (3, 3, 3)
    assert editor.slices._scroll.maximumHeight() < tall / 3
    doc.filters.set_filter(0, KNOWN)
    for ch in range(3):
        for r in range(3):
            for c in range(3):
                assert parse_weight(editor.slices.cell(ch, r, c).text()) == KNOWN[r, c, ch]
    assert len(editor.slices._grids[0].findChildren(WeightCell)) == 9  # the rest are gone


def test_tab_walks_a_slice_row_by_row(doc, editor):
    doc.layer.kernel_h = doc.layer.kernel_w = 5  # grown: the new cells join the tab order
    cell = editor.slices.cell(0, 0, 4)
    assert cell.nextInFocusChain() is editor.slices.cell(0, 1, 0)


@pytest.mark.parametrize("side", [5, 9, 15])
def test_large_kernels_fit_the_dock_width(qtbot, doc, editor, side):
    doc.layer.kernel_h = doc.layer.kernel_w = side
    qtbot.waitUntil(lambda: editor.slices._scroll.verticalScrollBar().isVisible() or side < 9)
    assert not editor.slices._scroll.horizontalScrollBar().isVisible()
    assert editor.slices.cell(0, 0, 0).text() != ""


def test_the_selected_filter_follows_the_document_and_back(doc, editor):
    combo = editor._filter_combo
    assert combo.count() == 4 and combo.itemText(1) == "2 · Horizontal edge"
    doc.selection.filter = 2
    assert combo.currentIndex() == 2
    shown = editor.slices.cell(0, 1, 0).toolTip().split("\n")[0]  # Sobel x: 2/3, not 1/3
    assert parse_weight(shown) == pytest.approx(weights_of(doc, 2)[1, 0, 0], abs=1e-6)
    combo.setCurrentIndex(3)
    assert doc.selection.filter == 3
    doc.filters.set_filter(3, KNOWN)
    assert editor.slices.cell(0, 0, 2).text() == "-4"


def test_fewer_filters_move_the_selection_to_the_last(doc, editor):
    doc.selection.filter = 3
    doc.layer.n_filters = 2
    assert doc.selection.filter == 1
    assert editor._filter_combo.count() == 2
    assert editor._filter_combo.currentIndex() == 1
    doc.layer.n_filters = 6
    assert editor._filter_combo.count() == 6


def test_the_bias_box_and_the_document_agree(doc, editor):
    doc.selection.filter = 1
    editor._bias.setValue(-12.5)
    assert doc.filters.biases()[1] == -12.5
    doc.filters.set_bias(1, 4.0)
    assert editor._bias.value() == 4.0
    doc.selection.filter = 0
    assert editor._bias.value() == 0.0


def test_cleanup_disconnects_from_the_document(doc, editor):
    editor.cleanup()
    editor.cleanup()  # twice is harmless
    doc.filters.set_filter(0, KNOWN)
    doc.layer.kernel_h = 5
    assert editor.slices.shape == (3, 3, 3)


# --- the library ------------------------------------------------------------------------------
def test_a_saved_kernel_is_listed_and_loaded_by_a_new_editor(doc, editor, make_editor, tmp_path):
    doc.filters.set_filter(0, KNOWN)
    doc.filters.set_bias(0, 1.5)
    assert editor.save_to_library("my kernel")
    assert editor.library_names() == ["my kernel"]

    other_doc = Document()
    other = make_editor(other_doc, tmp_path / "kernels.json")
    assert other.library_names() == ["my kernel"]
    other_doc.selection.filter = 2
    assert other.load_from_library("my kernel")
    np.testing.assert_array_equal(weights_of(other_doc, 2), KNOWN)
    assert other_doc.filters.biases()[2] == 1.5
    assert other_doc.filters.names()[2] == "my kernel"


def test_save_by_the_name_field_and_delete(qtbot, doc, editor):
    qtbot.keyClicks(editor._save_name, "edge ")
    qtbot.mouseClick(button(editor, "Save"), Qt.MouseButton.LeftButton)
    assert editor.library_names() == ["edge"]
    editor._library_list.setCurrentRow(0)
    qtbot.mouseClick(button(editor, "Delete"), Qt.MouseButton.LeftButton)
    assert editor.library_names() == []
    assert editor.save_to_library("  ") is False


def test_a_colour_kernel_loads_into_gray_input_as_its_channel_sum(doc, editor):
    doc.filters.set_filter(0, KNOWN)
    editor.save_to_library("colour")
    doc.input.grayscale = True
    doc.selection.filter = 1
    assert editor.load_from_library("colour")
    np.testing.assert_allclose(weights_of(doc, 1)[:, :, 0], KNOWN.sum(axis=2), rtol=1e-6)


def test_a_malformed_library_gives_a_message_and_is_left_alone(doc, make_editor, tmp_path):
    path = tmp_path / "broken.json"
    text = '{"format": "cnn-explorer-kernels", "version": 1, "kernels": [{"name": "x",'
    path.write_text(text, encoding="utf-8")
    editor = make_editor(doc, path)  # the message comes while it is built: read the label
    assert "broken.json" in editor.status_text() and "untouched" in editor.status_text()
    assert editor.library_names() == []
    said: list[str] = []
    editor.message.connect(said.append)
    assert editor.save_to_library("new") is False
    assert editor.load_from_library("x") is False
    assert editor.delete_from_library("x") is False
    assert len(said) == 3 and all("broken.json" in s for s in said)
    assert path.read_text(encoding="utf-8") == text

    moved = editor.set_library_aside()
    assert moved is not None and moved.read_text(encoding="utf-8") == text
    assert not path.exists()
    assert editor.save_to_library("new")
    assert json.loads(path.read_text(encoding="utf-8"))["kernels"][0]["name"] == "new"


# --- the pieces ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [("0.5", 0.5), ("-1", -1.0), (" 2 ", 2.0), ("0,25", 0.25), ("1/9", 1 / 9),
     ("\N{MINUS SIGN}3", -3.0), ("1e-3", 0.001)],
)
def test_parse_weight_reads_what_students_type(text, value):
    assert parse_weight(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "x", "1/0", "1/2/3", "inf", "-nan", "1e999"])
def test_parse_weight_refuses_the_rest(text):
    with pytest.raises(ValueError):
        parse_weight(text)


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [(1.0, 3, "1"), (-2.0, 3, "-2"), (0.0, 3, "0"), (-0.0, 3, "0"), (1 / 3, 3, "0.333"),
     (-2 / 3, 2, "-0.67"), (0.5, 3, "0.5"), (1 / 16 / 3, 3, "0.021"), (12345.6, 3, "1.2e+04")],
)
def test_format_weight_keeps_the_lecture_numbers_short(value, decimals, text):
    assert format_weight(value, decimals) == text


@pytest.mark.parametrize(
    ("value", "text"), [(-2 / 3, "-.67"), (0.0469, ".05"), (0.0013, ".001"), (1.86, "1.86"),
                        (-3.0, "-3"), (1e-7, "1e-07")],
)
def test_short_format_drops_the_leading_zero(value, text):
    assert format_weight(value, 2, short=True) == text


def test_the_preset_list_offers_the_selected_filters_preset(doc, editor):
    doc.selection.filter = 2
    assert editor._preset_combo.currentData() == "sobel_x"


def test_kernel_colours_are_symmetric_around_white():
    rgb = kernel_rgb(np.array([[-2.0, 0.0, 2.0, 1.0]]), limit=2.0).astype(int)
    negative, zero, positive, half = rgb[0]
    assert negative[2] > negative[0]  # blue
    assert positive[0] > positive[2]  # red
    assert zero.min() > 200  # near white
    assert half[0] > half[2] and half.min() > positive.min()  # lighter red


def test_the_sum_hint_names_what_a_flat_area_gives():
    assert "sum to 0" in sum_hint(0.0, 12.0)
    assert "keeps its brightness" in sum_hint(1.0, 1.0)
    assert "3 times" in sum_hint(3.0, 3.0)


@pytest.mark.parametrize("grayscale", [False, True])
def test_the_grid_area_grows_with_the_kernel_at_once(doc, editor, grayscale):
    """New cells count in the size hint immediately, so no row hides behind a scroll bar."""
    doc.input.grayscale = grayscale
    slices = editor.slices
    for h, w in ((5, 5), (7, 5), (7, 7), (4, 9)):
        doc.set_kernel_size(h, w)
        wanted = slices._grid_box.sizeHint().height() + 2 * slices._scroll.frameWidth()
        assert slices._scroll.maximumHeight() == wanted
        for grid in slices._grids:
            assert all(cell.isVisibleTo(grid) for row in grid._cells for cell in row)


def test_kernels_go_out_to_a_file_and_come_back_into_a_layer(doc, editor, tmp_path):
    doc.filters.set_filter(2, np.arange(27, dtype=np.float32).reshape(3, 3, 3), name="mine")
    doc.filters.set_bias(2, 1.5)
    saved = editor.export_kernels(tmp_path / "bank.npz")
    assert saved is not None and saved.exists()
    before = doc.filters.weights()
    doc.layer.n_filters = 2
    doc.set_kernel_size(5, 5)
    assert editor.import_kernels(saved)
    assert doc.layer.n_filters == 4 and doc.filters.kernel_shape == (3, 3)
    np.testing.assert_array_equal(doc.filters.weights(), before)
    assert doc.filters.names()[2] == "mine" and doc.filters[2].bias == 1.5


def test_kernels_that_do_not_fit_the_layer_are_refused_and_nothing_changes(doc, editor,
                                                                          tmp_path):
    np.save(tmp_path / "deep.npy", np.ones((2, 3, 3, 5), np.float32))
    before = doc.filters.weights()
    assert not editor.import_kernels(tmp_path / "deep.npy")
    assert "5 deep" in editor.status_text()
    np.testing.assert_array_equal(doc.filters.weights(), before)
    (tmp_path / "broken.npz").write_bytes(b"not a zip at all")
    assert not editor.import_kernels(tmp_path / "broken.npz")
    assert "broken.npz" in editor.status_text().lower()
