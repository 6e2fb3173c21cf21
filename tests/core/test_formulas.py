"""The worked formulas: the text shown must be right arithmetic and match the engine's sizes."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.core import images, params, shapes
from explorer.core.formulas import (
    conv_output_formula,
    pool_output_formula,
    processing_size,
    short_count,
    size_text,
)

paddings = st.one_of(
    st.sampled_from(["valid", "same", "full"]),
    st.integers(0, 6),
    st.tuples(st.integers(0, 6), st.integers(0, 6)),
)


def evaluate(formula: str) -> tuple[int, int]:
    """(value of the expression as written, the number after the last "=")."""
    lhs, expression, shown = (part.strip() for part in formula.split("="))
    assert lhs
    python = (expression.replace("⌊", "math.floor(").replace("⌋", ")")
              .replace("·", "*").replace("−", "-"))
    assert re.fullmatch(r"[\d\s()+\-*/.a-z]+", python), python
    return eval(python, {"math": math}), int(shown)


def windows_that_fit(n: int, span: int, stride: int, before: int, after: int) -> int:
    """Count output positions by sliding a real window over a padded array."""
    padded = np.zeros(n + before + after)
    return np.lib.stride_tricks.sliding_window_view(padded, span)[::stride].shape[0]


def test_the_lecture_example() -> None:
    assert (conv_output_formula(480, 3, stride=2, padding=1, dilation=1)
            == "o = ⌊(480 + 2·1 − 1·(3−1) − 1)/2⌋ + 1 = 240")


def test_same_padding_with_an_odd_total_shows_both_pads() -> None:
    # TensorFlow's SAME at stride 2: one pixel of padding in all, after the picture
    assert (conv_output_formula(480, 3, 2, "same", 1)
            == "o = ⌊(480 + 0 + 1 − 1·(3−1) − 1)/2⌋ + 1 = 240")


def test_pooling_example_and_axis_names() -> None:
    assert pool_output_formula(240, 2, 2) == "o = ⌊(240 − 2)/2⌋ + 1 = 120"
    assert conv_output_formula(5, 3, name="H′").startswith("H′ = ⌊(5 + 2·0 − 1·(3−1) − 1)/1⌋")
    assert pool_output_formula(7, 3, 2, name="W″") == "W″ = ⌊(7 − 3)/2⌋ + 1 = 3"


@settings(max_examples=400, deadline=None)
@given(n=st.integers(1, 80), kernel=st.integers(1, 15), stride=st.integers(1, 16),
       padding=paddings, dilation=st.integers(1, 8))
def test_conv_formula_matches_the_engine_sizes(n, kernel, stride, padding, dilation) -> None:
    before, after = shapes.pad_amounts(n, kernel, stride, padding, dilation)
    span = dilation * (kernel - 1) + 1
    if span > n + before + after:
        with pytest.raises(ValueError, match=f"larger than the .*{n + before + after}-pixel"):
            conv_output_formula(n, kernel, stride, padding, dilation)
        with pytest.raises(ValueError):
            shapes.output_size(n, kernel, stride, padding, dilation)
        return
    text = conv_output_formula(n, kernel, stride, padding, dilation)
    written, shown = evaluate(text)
    assert written == shown == shapes.output_size(n, kernel, stride, padding, dilation)
    assert shown == windows_that_fit(n, span, stride, before, after)
    if before != after:
        assert f"({n} + {before} + {after} − " in text
    else:
        assert f"({n} + 2·{before} − " in text


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 300), size=st.integers(1, 8), stride=st.integers(1, 8))
def test_pool_formula_counts_whole_windows(n, size, stride) -> None:
    if size > n:
        with pytest.raises(ValueError, match=f"larger than the {n}-pixel feature map"):
            pool_output_formula(n, size, stride)
        return
    written, shown = evaluate(pool_output_formula(n, size, stride))
    assert written == shown == shapes.output_size(n, size, stride, 0, 1)
    assert shown == windows_that_fit(n, size, stride, 0, 0)


def test_impossible_settings_say_why() -> None:
    with pytest.raises(ValueError, match="the 5-pixel kernel is larger than the 3-pixel input"):
        conv_output_formula(3, 5)
    with pytest.raises(ValueError, match="larger than the padded 5-pixel input"):
        conv_output_formula(3, 7, padding=1)
    with pytest.raises(ValueError, match="dilated by 3, spans 7 pixels"):
        conv_output_formula(4, 3, padding=1, dilation=3)
    with pytest.raises(ValueError, match="the 4-pixel pooling window is larger than the 3-pixel"):
        pool_output_formula(3, 4, 1)
    with pytest.raises(ValueError, match="stride must be at least 1"):
        conv_output_formula(10, 3, stride=0)
    with pytest.raises(ValueError, match="pool size must be at least 1"):
        pool_output_formula(10, 0, 1)


def test_processing_size_of_a_photo() -> None:
    assert processing_size(2688, 4032, 640) == (427, 640)
    assert size_text(427, 640) == "427×640 px"  # rows × columns, as the maps say
    assert processing_size(100, 50, 640) == (100, 50)  # never enlarged
    assert processing_size(1, 5000, 160) == (1, 160)  # never collapses to zero rows
    with pytest.raises(ValueError, match="processing size must be at least 1"):
        processing_size(10, 10, 0)


def _closest_shorter_sides(short: int, long: int, max_side: int) -> set[int]:
    """Slow reference: every whole shorter side, 1 … max_side, whose ratio to ``max_side``
    is nearest to the picture's (exact integer arithmetic; two at an exact tie)."""
    errors = {c: abs(c * long - short * max_side) for c in range(1, max_side + 1)}
    best = min(errors.values())
    return {c for c, e in errors.items() if e == best}


@settings(max_examples=300, deadline=None)
@given(h=st.integers(1, 300), w=st.integers(1, 300), max_side=st.integers(1, 400))
def test_processing_size_keeps_the_shape_as_closely_as_whole_pixels_can(h, w, max_side) -> None:
    got = processing_size(h, w, max_side)
    if max(h, w) <= max_side:
        assert got == (h, w)  # never enlarged
        return
    long_axis = 0 if h >= w else 1
    short, long = min(h, w), max(h, w)
    assert got[long_axis] == max_side
    assert got[1 - long_axis] in _closest_shorter_sides(short, long, max_side)
    picture = np.zeros((h, w, 3), np.uint8)
    assert images.resize_to_fit(picture, max_side).shape[:2] == got


@pytest.mark.parametrize(("n", "text"), [
    (0, "0"), (112, "112"), (999_999, "999,999"), (10**6, "10⁶"),
    (470_000_000_000, "4.70 × 10¹¹"),
])
def test_short_count(n: int, text: str) -> None:
    assert short_count(n) == text
    assert short_count(n) in (params.format_count(n), params.format_power(n))
