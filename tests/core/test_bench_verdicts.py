"""The bench's one-line verdicts: met, or missed by how much, and the ratio to the floor."""

from __future__ import annotations

import math

import pytest

from bench._verdict import Target


@pytest.mark.parametrize(("measured", "goal", "at_least", "verdict"), [
    (27.0, 30.0, True, "missed by 10%"),  # 3 fps short of 30
    (30.0, 30.0, True, "met"),
    (61.5, 60.0, True, "met"),
    (0.88, 0.8, False, "missed by 10%"),  # a ceiling: 0.08 over 0.8
    (0.8, 0.8, False, "met"),
    (12.0, 8.0, False, "missed by 50%"),
    (math.nan, 8.0, False, "not measured"),
    (0.0, 60.0, True, "missed by 100%"),  # nothing drawn at all
])
def test_a_verdict_says_met_or_by_how_much_it_missed(measured, goal, at_least, verdict):
    target = Target("a set-up", measured, goal, "fps", at_least)
    assert target.verdict() == verdict
    assert target.met == (verdict == "met")


def test_a_verdict_line_gives_the_number_its_goal_and_the_ratio_to_the_floor():
    line = Target("1 layer 1280×720 full frame, fps", 27.3, 30.0, "fps", True, "aim 50",
                  floor_ratio=1.5).line()
    assert line.startswith("1 layer 1280×720 full frame, fps")
    assert "27.30 fps" in line and "target ≥ 30, aim 50" in line
    assert "1.50× floor" in line
    assert line.endswith(": missed by 9%")
    assert "no floor" in Target("a set-up", 31.0, 30.0, "fps", True).line()
