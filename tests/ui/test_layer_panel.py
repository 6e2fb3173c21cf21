"""The layer controls: two-way binding with the document, live formulas, parameter counts."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core import params
from explorer.core.formulas import conv_output_formula, short_count
from explorer.state import ACTIVATIONS, PAD_MODES, Document
from explorer.ui.panels.layer_panel import LayerPanel
from explorer.ui.widgets.formula_label import WARNING_STYLE
from tests.reference import pads_by_definition


def positions(n: int, k: int, s: int, d: int, padding) -> int:
    """Where a window fits along an axis of n pixels, padded as the padding's name means."""
    before, after = pads_by_definition(n, k, s, d, padding)
    return len(range(0, n + before + after - ((k - 1) * d + 1) + 1, s))


@pytest.fixture
def document() -> Document:
    return Document()


@pytest.fixture
def panel(qtbot, document):
    widget = LayerPanel(document)
    qtbot.addWidget(widget)
    yield widget
    widget.cleanup()


def picture(height: int, width: int) -> np.ndarray:
    return np.zeros((height, width, 3), np.uint8)


def choose(combo, value) -> None:
    """What a click on the item carrying ``value`` does."""
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


SPINS = [
    ("filters_spin", "n_filters", 7),
    ("kernel_h_spin", "kernel_h", 5),
    ("kernel_w_spin", "kernel_w", 5),
    ("pad_h_spin", "pad_h", 3),
    ("pad_w_spin", "pad_w", 4),
    ("stride_spin", "stride", 3),
    ("dilation_spin", "dilation", 2),
    ("pool_size_spin", "pool_size", 3),
    ("pool_stride_spin", "pool_stride", 1),
]
COMBOS = [
    ("padding_combo", "padding", "full"),
    ("padding_combo", "padding", "valid"),
    ("pad_mode_combo", "pad_mode", "reflect"),
    ("operation_combo", "flip", True),
    ("activation_combo", "activation", "tanh"),
    ("pool_combo", "pool_mode", "avg"),
    ("pool_combo", "pool_mode", "none"),
]


@pytest.mark.parametrize(("attr", "field", "value"), SPINS)
def test_every_spinbox_writes_its_field(panel, document, attr, field, value) -> None:
    seen = []
    getattr(document.layer.events, field).connect(seen.append)
    getattr(panel, attr).setValue(value)
    assert getattr(document.layer, field) == value
    assert seen == [value]  # once: the echo back into the widget does not write again


@pytest.mark.parametrize(("attr", "field", "value"), COMBOS)
def test_every_choice_writes_its_field(panel, document, attr, field, value) -> None:
    choose(getattr(panel, attr), value)
    assert getattr(document.layer, field) == value


def test_the_channel_choice_makes_kernels_one_or_three_deep(panel, document) -> None:
    choose(panel.channels_combo, True)
    assert document.input.grayscale is True
    assert document.filters.weights().shape[-1] == 1
    assert "3×3×1 weights + 1 bias = 10" in panel.kernel_note.text()
    choose(panel.channels_combo, False)
    assert document.input.grayscale is False
    assert "3×3×3 weights + 1 bias = 28" in panel.kernel_note.text()


@pytest.mark.parametrize(("attr", "field", "value"), SPINS)
def test_document_changes_show_in_the_spinboxes(panel, document, attr, field, value) -> None:
    seen = []
    document.layer.events.connect(seen.append)
    setattr(document.layer, field, value)
    assert getattr(panel, attr).value() == value
    assert len(seen) == 1  # no feedback loop: the panel did not write the field back


@pytest.mark.parametrize(("attr", "field", "value"), COMBOS)
def test_document_changes_show_in_the_choices(panel, document, attr, field, value) -> None:
    seen = []
    document.layer.events.connect(seen.append)
    setattr(document.layer, field, value)
    assert getattr(panel, attr).currentData() == value
    assert len(seen) == 1


@pytest.mark.parametrize(("field", "value"), [("stride", 0), ("stride", 40), ("dilation", 0),
                                            ("n_filters", 0), ("kernel_h", 16),
                                            ("pool_size", 2.5), ("padding", "sideways")])
def test_a_value_the_controls_cannot_make_cannot_get_in(panel, document, field, value) -> None:
    before = getattr(document.layer, field)
    with pytest.raises(ValueError, match=field.replace("_", " ")):
        setattr(document.layer, field, value)
    assert getattr(document.layer, field) == before
    assert panel.stride_spin.value() == document.layer.stride


def test_the_spin_boxes_take_their_ranges_from_the_document(panel) -> None:
    from explorer.state import int_range

    for field, spin in (("stride", panel.stride_spin), ("dilation", panel.dilation_spin),
                        ("n_filters", panel.filters_spin), ("kernel_h", panel.kernel_h_spin),
                        ("pool_size", panel.pool_size_spin), ("pad_w", panel.pad_w_spin)):
        assert (spin.minimum(), spin.maximum()) == int_range(field)


def test_every_activation_and_pad_mode_is_offered(panel) -> None:
    assert [panel.activation_combo.itemData(i) for i in range(panel.activation_combo.count())] \
        == list(ACTIVATIONS)
    assert [panel.pad_mode_combo.itemData(i) for i in range(panel.pad_mode_combo.count())] \
        == list(PAD_MODES)
    relu = panel.activation_combo.findData("relu")
    assert panel.activation_combo.itemText(relu) == "ReLU  max(0, x)"


def test_custom_pad_boxes_are_enabled_only_for_custom(panel, document) -> None:
    for padding in ("valid", "same", "full"):
        document.layer.padding = padding
        assert not panel.pad_h_spin.isEnabled()
        assert not panel.pad_w_spin.isEnabled()
    choose(panel.padding_combo, "custom")
    assert panel.pad_h_spin.isEnabled()
    assert panel.pad_w_spin.isEnabled()


def test_pool_size_and_stride_are_disabled_without_pooling(panel, document) -> None:
    document.layer.pool_mode = "none"
    assert not panel.pool_size_spin.isEnabled()
    assert panel.pool_height.isHidden()
    document.layer.pool_mode = "max"
    assert panel.pool_size_spin.isEnabled()
    assert not panel.pool_height.isHidden()


def test_square_lock_links_height_and_width(panel, document) -> None:
    assert panel.square_check.isChecked()  # the default 3×3 is square
    panel.kernel_h_spin.setValue(5)
    assert (document.layer.kernel_h, document.layer.kernel_w) == (5, 5)
    assert panel.kernel_w_spin.value() == 5
    panel.kernel_w_spin.setValue(7)
    assert (document.layer.kernel_h, document.layer.kernel_w) == (7, 7)

    panel.square_check.setChecked(False)
    panel.kernel_w_spin.setValue(3)
    assert (document.layer.kernel_h, document.layer.kernel_w) == (7, 3)
    assert document.filters.weights().shape[1:3] == (7, 3)

    panel.square_check.setChecked(True)  # locking squares the kernel at its height
    assert (document.layer.kernel_h, document.layer.kernel_w) == (7, 7)


def test_a_rectangular_kernel_from_elsewhere_releases_the_lock(panel, document) -> None:
    document.layer.kernel_w = 5
    assert not panel.square_check.isChecked()
    panel.kernel_h_spin.setValue(9)
    assert (document.layer.kernel_h, document.layer.kernel_w) == (9, 5)


def test_formula_for_the_known_case(panel, document) -> None:
    document.set_still(picture(480, 640), "test")
    document.layer.padding = "custom"
    document.layer.pad_h = document.layer.pad_w = 1
    document.layer.stride = 2
    height = panel.conv_height.text()
    assert height == "H′ = ⌊(480 + 2·1 − 1·(3−1) − 1)/2⌋ + 1 = 240"
    assert panel.conv_width.text().endswith("= 320")
    assert panel.pool_height.text() == "H″ = ⌊(240 − 2)/2⌋ + 1 = 120"
    assert panel.pool_width.text() == "W″ = ⌊(320 − 2)/2⌋ + 1 = 160"
    assert not panel.conv_height.is_problem


def test_same_padding_with_stride_shows_the_uneven_pads(panel, document) -> None:
    document.set_still(picture(480, 640), "test")
    document.layer.padding = "same"
    document.layer.stride = 2
    assert panel.conv_height.text() == conv_output_formula(480, 3, 2, "same", 1, name="H′")
    assert "(480 + 0 + 1 − " in panel.conv_height.text()


@pytest.mark.parametrize(("padding", "kernel", "stride", "dilation"), [
    ("valid", 5, 1, 1), ("same", 7, 3, 2), ("full", 3, 2, 4), ("custom", 15, 4, 1),
])
def test_formulas_follow_every_setting(panel, document, padding, kernel, stride,
                                       dilation) -> None:
    document.set_still(picture(90, 120), "test")
    document.layer.padding = padding
    document.layer.pad_h, document.layer.pad_w = 2, 6
    document.layer.kernel_h = document.layer.kernel_w = kernel
    document.layer.stride = stride
    document.layer.dilation = dilation
    pad_h = 2 if padding == "custom" else padding
    assert panel.conv_height.text().endswith(f"= {positions(90, kernel, stride, dilation, pad_h)}")


def test_impossible_settings_show_a_warning_instead_of_a_number(panel, document) -> None:
    document.set_still(picture(10, 10), "tiny")
    document.layer.padding = "valid"
    document.layer.kernel_h = 15
    assert panel.conv_height.is_problem
    assert panel.conv_height.styleSheet() == WARNING_STYLE
    assert "the 15-pixel kernel is larger than the 10-pixel input" in panel.conv_height.text()
    assert "=" not in panel.conv_height.text()
    assert "no feature map" in panel.pool_height.text()
    box = panel.parameter_box
    assert not box.problem.isHidden()
    assert box.counts["dense"].text() == box.counts["local"].text() == "—"
    assert box.counts["conv"].text() == short_count((15 * 3 * 3 + 1) * 4)

    document.layer.kernel_h = 3  # fits again: the warning goes away
    assert not panel.conv_height.is_problem
    assert panel.conv_height.styleSheet() == ""
    assert panel.parameter_box.problem.isHidden()


def test_a_pool_window_larger_than_the_map_is_explained(panel, document) -> None:
    document.set_still(picture(4, 40), "strip")
    document.layer.padding = "valid"
    document.layer.pool_size = 3  # the feature map is 2 rows high
    assert panel.pool_height.is_problem
    assert "3-pixel pooling window is larger than the 2-pixel feature map" \
        in panel.pool_height.text()
    assert not panel.pool_width.is_problem


def test_processing_size_label_and_choices(panel, document) -> None:
    """The size reads width × height: 4032 wide, 2688 high."""
    assert panel.size_label.text() == "no picture"
    document.set_still(picture(2688, 4032), "photo")
    assert document.input.max_side == 640
    assert panel.size_combo.currentData() == 640
    assert panel.size_label.text() == "640×427 px"
    choose(panel.size_combo, 160)
    assert document.input.max_side == 160
    assert panel.size_label.text() == "160×107 px"
    full = panel.size_combo.findText("full size")
    panel.size_combo.setCurrentIndex(full)
    panel.size_combo.activated.emit(full)
    assert document.input.max_side == 4032
    assert panel.size_label.text() == "4032×2688 px"

    document.set_still(picture(300, 200), "small")  # 4032 ≥ 300: still full size
    assert panel.size_combo.currentText() == "full size"
    assert panel.size_label.text() == "200×300 px"
    offered = [panel.size_combo.itemData(i) for i in range(panel.size_combo.count())]
    assert offered == [160, 240, 300]  # nothing that would enlarge the picture


def test_a_size_set_elsewhere_is_offered(panel, document) -> None:
    document.set_still(picture(1000, 1500), "photo")
    document.input.max_side = 800
    assert panel.size_combo.currentText() == "800 px"
    assert panel.size_label.text() == "800×533 px"


def test_parameter_box_numbers_equal_core_params(panel, document) -> None:
    document.set_still(picture(427, 640), "photo")
    document.layer.n_filters = 6
    document.layer.kernel_h, document.layer.kernel_w = 5, 3
    document.layer.padding = "valid"
    document.layer.stride = 2
    outputs = positions(427, 5, 2, 1, "valid") * positions(640, 3, 2, 1, "valid") * 6
    window = 5 * 3 * 3
    expected = {  # a weight for each connection, a bias for each unit or filter
        "dense": 427 * 640 * 3 * outputs + outputs,
        "local": outputs * (window + 1),
        "conv": (window + 1) * 6,
    }
    for kind, n in expected.items():
        label = panel.parameter_box.counts[kind]
        assert label.text() == short_count(n)
        assert params.format_count(n) in label.toolTip()  # exact, in the worked formula


def test_reset_shows_the_defaults(panel, document) -> None:
    panel.stride_spin.setValue(4)
    choose(panel.padding_combo, "custom")
    choose(panel.pool_combo, "none")
    panel.square_check.setChecked(False)
    panel.kernel_w_spin.setValue(9)
    document.reset()
    assert panel.stride_spin.value() == 1
    assert panel.padding_combo.currentData() == "same"
    assert panel.pool_combo.currentData() == "max"
    assert panel.kernel_w_spin.value() == 3
    assert not panel.pad_h_spin.isEnabled()


def test_cleanup_stops_listening(qtbot, document) -> None:
    widget = LayerPanel(document)
    qtbot.addWidget(widget)
    widget.cleanup()
    document.layer.stride = 5
    assert widget.stride_spin.value() == 1


def test_the_controls_fit_a_300_pixel_dock(panel) -> None:
    assert panel.minimumSizeHint().width() <= 320
    panel.resize(panel.minimumSizeHint().width(), 400)
    panel.show()
    # even at its narrowest the panel only scrolls down: no control is cut off at the side
    scroll = panel.layout().itemAt(0).widget()
    assert scroll.widget().minimumSizeHint().width() <= scroll.viewport().width()
