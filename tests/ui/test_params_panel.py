"""The parameter-comparison panel: presets, the live link to the explorer layer, exports."""

from __future__ import annotations

import contextlib
import csv
import itertools
import xml.etree.ElementTree as ET

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QLabel

from explorer.core.params import (
    PRESETS,
    format_exact,
    format_headline,
    format_magnitude,
    format_ratio,
)
from explorer.state import Document
from explorer.ui.panels.params_panel import (
    CURRENT,
    CUSTOM,
    LAYER,
    NETWORK,
    NumberField,
    ParamsPanel,
)
from tests.conftest import SCREEN_SIZES
from tests.reference import pads_by_definition

KINDS = ("dense", "local", "conv")


@pytest.fixture
def document():
    return Document()


@pytest.fixture
def panel(qtbot, document):
    widget = ParamsPanel(document)
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    yield widget
    widget.cleanup()


DENSE_ORANGE = (0xD5, 0x5E, 0x00)


def has_colour(image: QImage, rgb: tuple[int, int, int]) -> bool:
    pixels = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w = pixels.height(), pixels.width()
    rows = np.frombuffer(pixels.constBits(), np.uint8).reshape(h, pixels.bytesPerLine())
    arr = rows[:, : 3 * w].reshape(h, w, 3).astype(int)
    return bool((np.abs(arr - rgb).sum(axis=2) < 30).any())


def params_of(panel) -> list[int]:
    return [panel.counts[k].params for k in KINDS]


def shown(label) -> str:
    """A label's text as read: the cards keep numbers together with no-break spaces."""
    return label.text().replace("\u00a0", " ")


# --- presets ------------------------------------------------------------------------------------
def _three(inputs: int, outputs: int, window: int, filters: int, bias: bool = True) -> dict:
    """(parameters, multiply-accumulates) of each layer, written out from what it holds:
    a dense layer a weight from every input value to every output (and a bias each), a locally
    connected layer a window and a bias for every output, a convolution one window a filter."""
    b = 1 if bias else 0
    return {"dense": (inputs * outputs + b * outputs, inputs * outputs),
            "local": (outputs * (window + b), outputs * window),
            "conv": (filters * (window + b), outputs * window)}


# Each preset's input, outputs and window, from its description (not from the code under test).
EXPECTED = {
    "mlp_256": {**_three(256 * 256 * 3, 256 * 256 * 2, 3 * 3 * 3, 2),  # "same": 256×256×2
                "dense": (256 * 256 * 3 * 1000 + 1000, 256 * 256 * 3 * 1000)},  # 1000 units
    "lecture_1000": {**_three(1000 * 1000, 1000 * 1000, 10 * 10, 1, bias=False),
                     "dense": (10**12, 10**12),
                     # the deck's next slide: 100 shared filters
                     "more": (100 * 10 * 10, 1000 * 1000 * 100 * 10 * 10)},
    "lecture_multi": {**_three(1000 * 1000, 1000 * 1000 * 100, 10 * 10, 100, bias=False),
                      "dense": (10**12, 10**12)},
    "lecture_1000_100": _three(1000 * 1000, 1000 * 1000 * 100, 10 * 10, 100, bias=False),
    "alexnet_conv1": _three(227 * 227 * 3, 55 * 55 * 96, 11 * 11 * 3, 96),  # stride 4, valid
    "tinyvgg_conv1": _three(64 * 64 * 3, 62 * 62 * 10, 3 * 3 * 3, 10),
    "mnist_conv1": _three(28 * 28, 26 * 26 * 8, 3 * 3, 8),
}


def test_every_preset_has_its_expected_numbers():
    assert set(EXPECTED) == set(PRESETS)


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_shows_its_numbers(panel, key):
    panel.set_preset(key)
    expected = EXPECTED[key]
    assert panel.preset == key
    assert panel.preset_combo.currentData() == key
    panel.set_scope(LAYER)
    kinds = [k for k in (*KINDS, "more") if k in expected]
    assert {k: (panel.counts[k].params, panel.counts[k].macs) for k in panel.counts} == \
        {k: expected[k] for k in kinds}
    values = [expected[k][0] for k in kinds]
    assert panel.chart.value_labels == [format_magnitude(n) for n in values]
    assert panel.chart.ratio_labels == [format_ratio(a, b) for a, b in itertools.pairwise(values)]
    for kind, params in zip(KINDS, values, strict=False):
        assert panel.cards[kind].count.text() == format_headline(params)
        assert shown(panel.cards[kind].formula).split(" = ")[-1].startswith(format_exact(params))
    assert panel.note_label.text() == PRESETS[key].note


def test_the_lectures_numbers_on_the_chart(panel):
    """The deck's four numbers in one chart, in its own terms: powers of ten on every bar."""
    panel.set_preset("lecture_1000")
    assert params_of(panel) == [10**12, 10**8, 10**2]
    assert panel.counts["more"].params == 10**4
    assert panel.chart.value_labels == ["10¹²", "10⁸", "10²", "10⁴"]
    assert panel.chart.ratio_labels == ["÷ 10⁴", "÷ 10⁶", "× 100"]
    assert panel.chart.bar_names == \
        ["fully connected", "locally connected", "convolution", "100 filters"]
    assert "with 100 filters: 10·10 × 100 = 10,000" in shown(panel.cards["conv"].more)
    # the cards' large numbers in the same terms as the bars
    assert [panel.cards[k].count.text() for k in KINDS] == ["10¹²", "10⁸", "10²"]
    assert panel.chart.tick_labels[:7] == ["10⁰", "10²", "10⁴", "10⁶", "10⁸", "10¹⁰", "10¹²"]
    panel.set_preset("alexnet_conv1")
    assert params_of(panel)[1:] == [105_705_600, 34_944]
    assert panel.chart.ratio_labels[1] == "÷ 3,025"


def test_the_slide_that_rounds_shows_the_exact_number(panel):
    panel.set_preset("mlp_256")
    card = panel.cards["dense"]
    assert "196,608,000 weights" in shown(card.split)
    assert "more than 200 million" in panel.note_label.text()
    assert "196,608,000" in panel.note_label.text()


def test_chart_text_is_legible_on_a_projector(panel):
    item = panel.chart.getPlotItem()
    for name in ("left", "bottom"):
        assert item.getAxis(name).style["tickFont"].pointSize() >= 14
    labels = [i for i in panel.chart.getPlotItem().items if isinstance(i, pg.TextItem)]
    assert len(labels) == 7  # four counts, three ratios
    assert all(label.textItem.font().pointSize() >= 16 for label in labels)


# --- editing ------------------------------------------------------------------------------------
def test_counts_update_as_you_type(panel, qtbot):
    panel.set_preset("alexnet_conv1")
    spin = panel.filters_field.spin
    spin.selectAll()
    qtbot.keyClick(spin, Qt.Key.Key_Backspace)
    qtbot.keyClicks(spin, "4")
    assert panel.preset == CUSTOM
    assert panel.preset_combo.currentData() == CUSTOM
    assert panel.counts["conv"].params == (11 * 11 * 3 + 1) * 4
    qtbot.keyClicks(spin, "8")
    assert panel.counts["conv"].params == (11 * 11 * 3 + 1) * 48
    assert panel.counts["local"].params == 55 * 55 * 48 * (11 * 11 * 3 + 1)


def test_every_control_reaches_the_counts(panel):
    panel.set_preset("mnist_conv1")
    panel.height_field.spin.setValue(30)
    panel.width_field.spin.setValue(20)
    panel.channels_field.spin.setValue(2)
    panel.kernel_h_field.spin.setValue(5)
    panel.kernel_w_field.spin.setValue(3)
    panel.stride_field.spin.setValue(2)
    panel.dilation_field.spin.setValue(2)
    panel.padding_combo.setCurrentText("custom")
    panel.pad_h_spin.setValue(1)
    panel.pad_w_spin.setValue(3)
    panel.filters_field.spin.setValue(6)
    panel.units_field.spin.setValue(77)
    panel.bias_check.setChecked(False)
    # by hand: out_h = ⌊(30 + 2 − 2·4 − 1)/2⌋ + 1 = 12, out_w = ⌊(20 + 6 − 2·2 − 1)/2⌋ + 1 = 11
    fan_in = 5 * 3 * 2
    assert params_of(panel) == [30 * 20 * 2 * 77, 12 * 11 * 6 * fan_in, fan_in * 6]
    assert panel.counts["conv"].macs == 12 * 11 * 6 * fan_in


def test_hidden_units_auto_matches_the_conv_outputs(panel):
    panel.set_preset("tinyvgg_conv1")
    assert panel.units_field.spin.text() == "auto"
    assert panel.counts["dense"].outputs == panel.counts["conv"].outputs == 62 * 62 * 10
    assert "same output" in panel.units_label.text()
    panel.units_field.spin.setValue(1000)
    assert panel.counts["dense"].params == 64 * 64 * 3 * 1000 + 1000
    panel.units_field.spin.setValue(0)
    assert panel.counts["dense"].outputs == 62 * 62 * 10


def test_settings_that_cannot_work_say_why(panel, tmp_path):
    panel.set_preset("mnist_conv1")
    panel.kernel_h_field.spin.setValue(40)
    assert panel.counts is None
    assert panel.error_label.isVisibleTo(panel)
    assert "larger than" in panel.error_label.text()
    assert panel.chart.value_labels == []
    title = panel.chart.getPlotItem().titleLabel
    assert not title.isVisible()  # not the last setup that worked
    assert not panel.csv_button.isEnabled()
    with pytest.raises(ValueError, match="nothing to export"):
        panel.export_csv(tmp_path / "t.csv")
    panel.padding_combo.setCurrentText("same")  # "same" always fits
    assert panel.counts is not None
    assert title.isVisible()
    assert "40×3" in title.text
    assert not panel.error_label.isVisibleTo(panel)


def test_log_slider_covers_the_whole_range(qtbot):
    field = NumberField(1, 4096, 28, log=True)
    qtbot.addWidget(field)
    field.slider.setValue(field.slider.maximum())
    assert field.value() == 4096
    field.slider.setValue(0)
    assert field.value() == 1
    field.spin.setValue(227)
    assert field._value_at(field.slider.value()) == pytest.approx(227, rel=0.01)
    units = NumberField(0, 10**7, 0, log=True, special_text="auto")
    qtbot.addWidget(units)
    units.slider.setValue(units.slider.maximum())
    assert units.value() == 10**7
    units.slider.setValue(1)
    assert units.value() == 1
    units.slider.setValue(0)
    assert units.spin.text() == "auto"
    with qtbot.assertNotEmitted(units.valueChanged):
        units.set_value(500)
    assert units.value() == 500


# --- the live link to the explorer layer ---------------------------------------------------------
def expected_current(h, w, c, doc) -> dict:
    """(parameters, multiply-accumulates) of each layer for the explorer's layer on an h×w×c
    picture: output positions counted one by one over the padding the layer's name means."""
    lay = doc.layer
    padding = lay.conv_padding()
    sizes = []
    for n, k, axis in ((h, lay.kernel_h, 0), (w, lay.kernel_w, 1)):
        pad = padding[axis] if isinstance(padding, tuple) else padding
        before, after = pads_by_definition(n, k, lay.stride, lay.dilation, pad)
        span = (k - 1) * lay.dilation + 1
        sizes.append(len(range(0, n + before + after - span + 1, lay.stride)))
    outputs = sizes[0] * sizes[1] * lay.n_filters
    counts = _three(h * w * c, outputs, lay.kernel_h * lay.kernel_w * c, lay.n_filters)
    return counts


def shown_counts(panel) -> dict:
    return {k: (panel.counts[k].params, panel.counts[k].macs) for k in KINDS}


def test_current_layer_follows_the_explorer(panel, document):
    document.set_still(np.zeros((2688, 4032, 3), np.uint8), "photo")
    panel.set_preset(CURRENT)
    # processing size 640: scale 640/4032, 2688 → 426.67 → 427 rows
    assert panel.setup().input_shape == (427, 640, 3)
    assert shown_counts(panel) == expected_current(427, 640, 3, document)
    k = document.layer.n_filters
    assert panel.counts["conv"].params == (3 * 3 * 3 + 1) * k

    document.layer.stride = 2
    document.layer.kernel_h = 5
    document.layer.n_filters = 8
    assert panel.stride_field.value() == 2
    assert panel.counts["conv"].params == (5 * 3 * 3 + 1) * 8
    assert shown_counts(panel) == expected_current(427, 640, 3, document)

    document.layer.padding = "custom"
    document.layer.pad_h, document.layer.pad_w = 2, 0
    document.layer.dilation = 2
    assert panel.padding_combo.currentText() == "custom"
    assert (panel.pad_h_spin.value(), panel.pad_w_spin.value()) == (2, 0)
    assert shown_counts(panel) == expected_current(427, 640, 3, document)

    document.input.grayscale = True
    document.input.max_side = 320
    assert panel.setup().input_shape == (213, 320, 1)
    assert panel.counts["conv"].params == (5 * 3 * 1 + 1) * 8
    assert shown_counts(panel) == expected_current(213, 320, 1, document)

    document.set_still(np.zeros((100, 50), np.uint8), "small")  # never enlarged
    assert panel.setup().input_shape == (100, 50, 1)
    assert panel.preset == CURRENT

    document.input.grayscale = False
    document.input.max_side = 8000  # a big picture at full size is not clipped to 4096
    document.set_still(np.broadcast_to(np.uint8(0), (4000, 6000, 3)), "big")
    assert panel.setup().input_shape == (4000, 6000, 3)
    assert shown_counts(panel) == expected_current(4000, 6000, 3, document)


def test_without_a_picture_the_current_layer_assumes_640x480(panel, document):
    panel.set_preset(CURRENT)
    assert panel.setup().input_shape == (480, 640, 3)
    assert "no picture" in panel.note_label.text()


def test_a_lecture_preset_ignores_the_explorer(panel, document):
    panel.set_preset("lecture_1000")
    document.layer.stride = 3
    document.set_still(np.zeros((50, 50, 3), np.uint8), "x")
    assert panel.preset == "lecture_1000"
    assert params_of(panel) == [10**12, 10**8, 10**2]


def test_cleanup_disconnects_from_the_document(qtbot, document):
    signals = (document.stack.layer_changed, document.input.events.all,
               document.source_changed, document.params.events.all)
    before = [len(s) for s in signals]
    panel = ParamsPanel(document)
    qtbot.addWidget(panel)
    panel.set_preset(CURRENT)
    assert [len(s) for s in signals] == [n + 1 for n in before]
    panel.close()  # closeEvent cleans up
    panel.cleanup()  # and a second time is harmless
    assert [len(s) for s in signals] == before
    document.layer.n_filters = 9
    assert panel.filters_field.value() != 9


# --- exports --------------------------------------------------------------------------------
def test_csv_export_holds_the_table(panel, tmp_path):
    panel.set_preset("alexnet_conv1")
    path = panel.export_csv(tmp_path / "alexnet.csv")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["layer"] for r in rows] == ["fully connected", "locally connected", "convolution"]
    local, conv = rows[1], rows[2]
    assert int(conv["parameters"]) == 34_944
    assert int(local["parameters"]) == 105_705_600
    assert int(local["weights"]) + int(local["biases"]) == 105_705_600
    assert int(conv["float32 bytes"]) == 4 * 34_944
    assert conv["formula"] == "(11·11·3 + 1) × 96 = 34,944"
    assert "227×227×3" in conv["setup"]


def test_chart_png_is_twice_the_screen_size(panel, tmp_path):
    panel.set_preset("lecture_1000")
    path = panel.export_chart_png(tmp_path / "chart.png", scale=2)
    image = QImage(str(path))
    assert not image.isNull()
    width = panel.chart.getPlotItem().sceneBoundingRect().width()
    assert abs(image.width() - 2 * width) <= 1
    assert has_colour(image, DENSE_ORANGE)  # not a blank picture: the bars are in it


def test_chart_svg_is_a_drawing_with_the_counts(panel, tmp_path):
    panel.set_preset("alexnet_conv1")
    path = panel.export_chart_svg(tmp_path / "chart.svg")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    text = path.read_text(encoding="utf-8")
    assert "3.49 × 10⁴" in text  # the shared bar, in powers of ten
    assert "3,025" in text
    renderer = QSvgRenderer(str(path))  # Qt reads it back and draws the bars
    assert renderer.isValid()
    image = QImage(renderer.defaultSize(), QImage.Format.Format_RGB888)
    image.fill(QColor("white"))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    assert has_colour(image, DENSE_ORANGE)
    assert has_colour(image, (0x00, 0x72, 0xB2))


def test_export_to_a_missing_folder_raises_a_readable_error(panel, tmp_path):
    with pytest.raises(ValueError, match="could not write"):
        panel.export_csv(tmp_path / "no" / "such" / "t.csv")
    with pytest.raises(ValueError, match="could not write"):
        panel.export_chart_png(tmp_path / "no" / "chart.png")
    with pytest.raises(ValueError, match="could not write"):
        panel.export_chart_svg(tmp_path / "no" / "chart.svg")


# --- on a projector: the tab in a 1280×720 window -------------------------------------------
COMPACT = (960, 600)  # the Parameters tab of a 1280×720 main window beside the layer dock


@pytest.fixture
def compact_panel(qtbot, qapp, document):
    widget = ParamsPanel(document)
    qtbot.addWidget(widget)
    widget.resize(*COMPACT)
    widget.show()
    settle(qapp)
    yield widget
    widget.cleanup()


def settle(qapp) -> None:
    for _ in range(3):  # layouts, then the chart's reaction to its new size
        qapp.processEvents()


def scene_rect(label: pg.TextItem, view) -> QRectF:
    """Where a chart label is drawn, from its anchor point and its size in pixels."""
    point = view.mapViewToScene(label.pos())
    size = label.textItem.boundingRect()
    return QRectF(point.x() - label.anchor[0] * size.width(),
                  point.y() - label.anchor[1] * size.height(), size.width(), size.height())


def test_a_narrow_panel_folds_the_controls_away(compact_panel, qapp):
    panel = compact_panel
    assert not panel.controls_visible()
    assert panel.splitter.sizes()[0] == 0
    assert panel.controls_button.text() == "▶ Controls"
    panel.controls_button.click()  # the student wants the number fields
    settle(qapp)
    assert panel.controls_visible()
    assert 256 <= panel.splitter.sizes()[0] <= 380
    assert panel.controls_button.text() == "◀ Controls"
    panel.resize(700, 600)  # a choice holds, whatever the width
    settle(qapp)
    assert panel.controls_visible()
    panel.set_controls_visible(False)
    panel.resize(1600, 900)
    settle(qapp)
    assert not panel.controls_visible()
    assert not panel.controls_button.isChecked()


def test_the_controls_follow_the_width_until_the_student_chooses(panel, qapp):
    settle(qapp)
    assert panel.controls_visible()  # 1400 px: room for the controls beside the chart
    assert 256 <= panel.splitter.sizes()[0] <= 380
    panel.resize(*COMPACT)
    settle(qapp)
    assert not panel.controls_visible()
    panel.resize(1400, 900)
    settle(qapp)
    assert panel.controls_visible()


def chart_problems(chart) -> list[str]:
    """What a reader would find wrong in the chart on screen: a label outside the plot (under
    the title, over the bar names, cut at an edge), two labels on top of each other, bar names
    wider than their bars' spacing, y axis numbers touching, the title over the plot."""
    from PySide6.QtGui import QFontMetricsF

    item = chart.getPlotItem()
    view = item.getViewBox()
    plot = view.sceneBoundingRect()
    problems = []
    texts = [i for i in item.items if isinstance(i, pg.TextItem)]
    rects = [(t.textItem.toPlainText(), scene_rect(t, view)) for t in texts]
    for text, rect in rects:
        if not plot.contains(rect):
            problems.append(f"{text!r} is not inside the plot")
    for (a, ra), (b, rb) in itertools.combinations(rects, 2):
        if ra.intersects(rb):
            problems.append(f"{a!r} overlaps {b!r}")
    if item.titleLabel.sceneBoundingRect().intersects(plot):
        problems.append("the title covers the plot")
    if not chart.rect().contains(item.titleLabel.sceneBoundingRect().toRect()):
        problems.append("the title is cut")
    if not QRectF(chart.rect()).contains(item.sceneBoundingRect()):
        problems.append("the chart is laid out wider or taller than its place")
    x0, x1 = view.viewRange()[0]
    pixels_per_x = plot.width() / (x1 - x0)
    axis = item.getAxis("bottom")
    names = QFontMetricsF(axis.style["tickFont"])
    for name in chart.bar_names:
        if names.horizontalAdvance(name) > pixels_per_x:
            problems.append(f"the bar name {name!r} is wider than its bar's place")
    y0, y1 = view.viewRange()[1]
    powers = chart.tick_powers
    numbers = QFontMetricsF(item.getAxis("left").style["tickFont"])
    if len(powers) > 1 and (powers[1] - powers[0]) * plot.height() / (y1 - y0) \
            < numbers.height():
        problems.append("the y axis' numbers touch")
    axis_title = item.getAxis("left").label.boundingRect()  # drawn turned by 90°
    if axis_title.width() > plot.height():
        problems.append("the y axis' title is longer than the axis")
    return problems


def card_problems(panel) -> list[str]:
    """Labels of the cards on show that are cut: wrapped text taller than its label, one line
    wider than it."""
    problems = []
    for card in (*panel.cards.values(), *panel.net_cards.values()):
        if not card.isVisibleTo(panel):
            continue
        if card.heightForWidth(card.width()) > card.height():
            problems.append(f"the card {card.title.text()!r} is cut")
        for label in card.findChildren(QLabel):
            if not label.isVisibleTo(card) or not label.text():
                continue
            if label.wordWrap():
                if label.heightForWidth(label.width()) > label.height():
                    problems.append(f"{label.text()!r} is cut")
            elif label.fontMetrics().horizontalAdvance(label.text()) > label.width():
                problems.append(f"{label.text()!r} is cut")
    return problems


@pytest.mark.parametrize("scope", [LAYER, NETWORK])
@pytest.mark.parametrize("key", [CURRENT, *sorted(PRESETS)])
def test_nothing_is_clipped_or_overlapping_at_1280x720(compact_panel, qapp, key, scope):
    panel = compact_panel
    panel.set_preset(key)
    panel.set_scope(scope)
    settle(qapp)
    assert panel.error == ""
    assert card_problems(panel) == []
    for card in panel.cards.values():
        assert card.count.font().pointSize() >= 16  # the big number stays big
        assert card.formula.font().pointSize() >= 11
    assert chart_problems(panel.chart) == []
    plot = panel.chart.getPlotItem().getViewBox().sceneBoundingRect()
    assert plot.height() >= (200 if scope == LAYER else 150)  # the chart gets the height
    bars = 3 + ("more" in (panel.counts or {})) if scope == LAYER else \
        sum(len(net.with_params()) for net in panel.nets)
    assert len(panel.chart.value_labels) == bars


def test_current_follows_any_layer_of_the_stack_on_the_maps_it_sees(panel, document):
    from explorer.state.document import default_filter
    from explorer.state.presets import build_stack

    document.set_still(np.zeros((480, 640, 3), np.uint8), "photo")
    document.stack.replace(build_stack("tinyvgg", 3, default_filter))
    panel.set_preset(CURRENT)
    document.selection.layer = 1  # layer 2 sees layer 1's 8 pooled maps, 240×320
    setup = panel.setup()
    assert setup.input_shape == (240, 320, 8)
    assert setup.filters == 16 and setup.kernel_size == (3, 3)
    assert params_of(panel)[2] == (3 * 3 * 8 + 1) * 16
    combo = panel.follow_combo
    assert combo.isVisibleTo(panel) and combo.count() == 4  # the selected layer, 1, 2, 3
    combo.setCurrentIndex(combo.findData(2))  # layer 3, whatever is selected
    assert panel.setup().input_shape == (120, 160, 16)
    assert document.params.stage == 2 and panel.preset == CURRENT


# --- in the window, on each screen --------------------------------------------------------------
@pytest.fixture(params=SCREEN_SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def params_window(request, qtbot, tmp_path):
    """The main window filling a screen of each size (a 1024×768 projector, a 1280×800
    laptop, a 1600×1000 desktop), a picture open, the Parameters tab clicked."""
    from explorer.resources import resource_path
    from explorer.ui.main_window import MainWindow

    win = MainWindow(restore_settings=False, library_path=tmp_path / "kernels.json")
    qtbot.addWidget(win)
    win.show()
    screen = next(s for s in QGuiApplication.screens() if s.size() == QSize(*request.param))
    free = screen.availableGeometry()
    win.move(free.topLeft())
    qtbot.waitUntil(lambda: win.screen() is screen)
    win.resize(free.size() - (win.frameGeometry().size() - win.size()))
    with qtbot.waitSignal(win.result_shown, timeout=20_000):
        win.open_image(resource_path("samples", "coffee.png"))
    bar = win.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(win.tabs.indexOf(win.params_panel)).center())
    qtbot.waitUntil(win.params_panel.isVisible)
    yield win
    win.shutdown()


def settled_problems(panel, qtbot) -> list[str]:
    """What is cut or overlapping once the tab has settled: the cards fit their type to their
    width as they are resized, which lays the tab out again a few times."""
    def problems() -> list[str]:
        return chart_problems(panel.chart) + card_problems(panel)

    with contextlib.suppress(qtbot.TimeoutError):
        qtbot.waitUntil(lambda: not problems(), timeout=3000)
    return problems()


def test_no_label_is_cut_on_any_screen(params_window, qtbot):
    """The deck's four bars, then the multi-layer networks, as chosen by a user, on each
    screen: every label of the chart and the cards whole, the window on its screen, also
    once the student opens the controls beside the chart."""
    window = params_window
    panel = window.params_panel
    free = window.screen().availableGeometry()
    size = window.size()
    combo = panel.preset_combo
    examples = (("lecture_1000", panel.layer_button), ("lecture_multi", panel.network_button))

    def check_examples() -> None:
        for key, button in examples:
            combo.setCurrentIndex(combo.findData(key))  # the example chosen from the list
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            assert window.document.params.preset == key
            assert window.document.params.scope == (
                NETWORK if button is panel.network_button else LAYER)
            assert settled_problems(panel, qtbot) == [], key
            chart = panel.chart
            where = QRectF(chart.mapTo(window, chart.rect().topLeft()), chart.size().toSizeF())
            assert QRectF(window.rect()).contains(where), key
            assert chart.getPlotItem().getViewBox().sceneBoundingRect().height() >= 150, key
            assert window.size() == size, key  # the window neither grew nor left its screen
            assert free.contains(window.frameGeometry()), key

    check_examples()
    if not panel.controls_visible():  # folded for a narrow window: the student opens them
        qtbot.mouseClick(panel.controls_button, Qt.MouseButton.LeftButton)
        qtbot.wait(50)
    assert panel.controls_visible()
    assert window.size() == size
    assert free.contains(window.frameGeometry())
    if free.width() >= 1280:  # on a 1024-pixel projector the chart needs the controls folded
        check_examples()


def test_a_tab_shown_by_the_document_is_laid_out_as_a_clicked_one(params_window, qtbot):
    """A session or ``--tab parameters`` shows the tab through the document, as the batch
    export does: the chart takes its new place at once, not the layout it had hidden."""
    window = params_window
    panel = window.params_panel
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(window.tabs.indexOf(window.maps_panel)).center())
    window.resize(window.width() - 40, window.height())  # the chart, hidden, keeps its size
    qtbot.wait(50)
    window.document.display.tab = "parameters"
    for _ in range(5):
        QApplication.processEvents()
    assert window.tabs.currentWidget() is panel
    assert chart_problems(panel.chart) == []


# --- whole networks: "Multi-layers?" --------------------------------------------------------------
def test_the_multi_layer_lecture_as_whole_networks(panel, qtbot):
    """1000×1000 into 10⁶ units, again 10⁶, then 10 classes, against three stages of 100
    shared 10×10 filters ("same" padding, pooled 2×2), then 10 classes; weights only."""
    combo = panel.preset_combo
    combo.setCurrentIndex(combo.findData("lecture_multi"))  # the example opens the networks
    assert panel.document.params.scope == NETWORK
    assert panel.network_cards.isVisibleTo(panel) and not panel.layer_cards.isVisibleTo(panel)
    pixels, units = 1000 * 1000, 10**6
    perceptron = [pixels * units, units * units, units * 10]
    side = 1000  # "same" keeps 1000, each 2×2 pooling halves it: 500, 250, 125
    convolutional = [10 * 10 * 1 * 100, 10 * 10 * 100 * 100, 10 * 10 * 100 * 100]
    convolutional.append((side // 8) * (side // 8) * 100 * 10)
    chart = panel.chart
    assert chart.bar_names == ["hidden 1", "hidden 2", "classes",
                               "conv 1", "conv 2", "conv 3", "classes"]
    assert chart.value_labels == ["10¹²", "10¹²", "10⁷", "10⁴", "10⁶", "10⁶", "1.56 × 10⁷"]
    assert panel.net_cards["mlp"].count.text() == format_exact(sum(perceptron))
    assert panel.net_cards["cnn"].count.text() == format_exact(sum(convolutional))
    assert "2 × 10¹² in all" in chart.title_text
    assert "1.76 × 10⁷ in all" in chart.title_text  # 17,635,000
    lines = panel.net_cards["cnn"].lines
    assert lines[0] == "conv 1: 10·10 × 100 = 10,000 → 1000×1000×100, pooled 500×500×100"
    assert lines[-1].startswith("classes: 125·125·100 × 10 = 15,625,000")

    spin = panel.hidden_field.spin  # a third hidden layer, typed
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "3")
    assert panel.document.params.hidden_layers == 3
    assert panel.preset == CUSTOM
    assert chart.bar_names[:4] == ["hidden 1", "hidden 2", "hidden 3", "classes"]
    assert panel.net_cards["mlp"].count.text() == \
        format_exact(pixels * units + 2 * units * units + units * 10)

    qtbot.mouseClick(panel.layer_button, Qt.MouseButton.LeftButton)  # back to one layer
    assert panel.document.params.scope == LAYER
    assert panel.layer_cards.isVisibleTo(panel)
    assert chart.bar_names[:3] == ["fully connected", "locally connected", "convolution"]


def test_a_session_opens_the_networks_it_saved(panel, document):
    """The tab's settings live in the document: a session written from one document and
    opened into the panel's shows the same networks and controls."""
    from explorer.state.session import apply_session, parse_session, session_dict

    lesson = Document()
    lesson.params.update({"preset": "custom", "scope": "network", "height": 28, "width": 28,
                          "channels": 1, "kernel_h": 3, "kernel_w": 3, "filters": 8,
                          "padding": "valid", "units": 100, "hidden_layers": 2,
                          "classes": 10, "stages": 2, "pool": 2, "bias": True})
    apply_session(document, parse_session(session_dict(lesson, embed_picture=False)))
    assert document.params.as_dict() == lesson.params.as_dict()
    assert panel.network_button.isChecked()
    assert panel.hidden_field.value() == 2 and panel.stages_field.value() == 2
    # 28 → 26 (valid 3×3) → 13 (pool) → 13 (later stages "same") → 6 (pool); biases on
    assert panel.chart.bar_names == ["hidden 1", "hidden 2", "classes",
                                     "conv 1", "conv 2", "classes"]
    assert panel.net_cards["mlp"].count.text() == \
        format_exact((28 * 28 + 1) * 100 + (100 + 1) * 100 + (100 + 1) * 10)
    assert panel.net_cards["cnn"].count.text() == \
        format_exact((3 * 3 + 1) * 8 + (3 * 3 * 8 + 1) * 8 + (6 * 6 * 8 + 1) * 10)
