"""A label that keeps its size: its text wraps into its lines and the rest is elided."""

from __future__ import annotations

from explorer.ui.widgets.steady_label import SteadyLabel

LONG = ("Occlusion of this picture: red where the grey square lowers p(tiger cat) = 39.3 % "
        "(by up to 21.4 points), blue where it raises it.")


def test_text_wraps_into_its_lines_and_the_rest_is_elided(qtbot):
    label = SteadyLabel(lines=2)
    qtbot.addWidget(label)
    label.resize(200, label.height())
    height = label.height()
    label.setText(LONG)
    lines = label.shown_lines()
    assert len(lines) == 2 and lines[1].endswith("…")
    metrics = label.fontMetrics()
    assert all(metrics.horizontalAdvance(line) <= 196 for line in lines)
    # the first line is the text's first words, whole
    assert LONG.startswith(lines[0]) and LONG[len(lines[0])] == " "
    assert label.toolTip() == LONG and label.height() == height


def test_short_text_is_shown_whole(qtbot):
    label = SteadyLabel("p = 39.3 %", lines=3)
    qtbot.addWidget(label)
    label.resize(300, label.height())
    assert label.shown_lines() == ["p = 39.3 %"]
