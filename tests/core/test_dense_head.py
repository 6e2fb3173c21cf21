"""The dense head: class scores from the last stage's maps, its weight count, its state."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explorer.core.computer import StackComputer, StackRequest
from explorer.core.dense_head import (
    MAX_HEAD_WEIGHTS,
    HeadSpec,
    check_head_size,
    conv_stage_parameters,
    head_count_lines,
    random_head,
    run_head,
)
from explorer.core.pipeline import LayerSpec
from explorer.state import Document
from explorer.state.document import default_filter
from explorer.state.history import History
from explorer.state.presets import STACK_PRESETS, use_stack_preset
from explorer.state.session import (
    SessionError,
    apply_session,
    parse_session,
    read_session,
    session_dict,
    write_session,
)


def _maps(h: int = 3, w: int = 5, k: int = 2) -> np.ndarray:
    """(H, W, K) maps whose every value differs, in a channel-last array."""
    rng = np.random.default_rng(7)
    return rng.normal(size=(h, w, k)).astype(np.float32) + np.arange(h * w * k).reshape(
        h, w, k).astype(np.float32) * 0.01


def _loop_scores(maps: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> list[float]:
    """Class n's score: Σ over map k, row r, column c of w[n, k·H·W + r·W + c] · x[r, c, k]."""
    h, w, k = maps.shape
    out = []
    for n in range(weights.shape[0]):
        total = float(bias[n])
        for kk in range(k):
            for r in range(h):
                for c in range(w):
                    total += float(weights[n, kk * h * w + r * w + c]) * float(maps[r, c, kk])
        out.append(total)
    return out


@pytest.mark.parametrize("layout", ["channel_last", "map_by_map"])
def test_scores_are_the_dot_product_over_maps_flattened_map_by_map(layout):
    maps = _maps(3, 5, 2)  # 3 rows ≠ 5 columns: a flatten in another order gives other sums
    if layout == "map_by_map":  # as the engine lays maps out: each map one contiguous plane
        maps = np.ascontiguousarray(maps.transpose(2, 0, 1)).transpose(1, 2, 0)
    head = random_head(maps.shape, 4, seed=3)
    head.bias[:] = [0.5, -1.0, 0.0, 2.0]
    result = run_head(maps, head)
    expected = _loop_scores(maps, head.weights, head.bias)
    np.testing.assert_allclose(result.scores, expected, rtol=1e-5, atol=1e-5)
    # and not the transposed order (rows and columns swapped within each map)
    swapped = _loop_scores(np.ascontiguousarray(maps.transpose(1, 0, 2)).reshape(3, 5, 2),
                           head.weights, head.bias)
    assert not np.allclose(result.scores, swapped, atol=1e-3)


def test_softmax_probabilities_sum_to_one_and_follow_the_scores():
    maps = _maps(4, 6, 3) * 100  # large scores: no overflow
    result = run_head(maps, random_head(maps.shape, 10, seed=0))
    assert result.probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(result.probabilities >= 0)
    exps = [math.exp(s - max(result.scores)) for s in result.scores]
    np.testing.assert_allclose(result.probabilities, [e / sum(exps) for e in exps], rtol=1e-9)


def test_the_parameter_count_is_every_input_to_every_class_and_a_bias_each():
    maps = _maps(3, 5, 2)
    result = run_head(maps, random_head(maps.shape, 7, seed=1))
    count = 0
    for _n in range(7):  # each class unit: one weight per input value, one bias
        for _value in maps.ravel():
            count += 1
        count += 1
    assert result.parameters == count == 3 * 5 * 2 * 7 + 7
    line, conv = head_count_lines((75, 112, 8), 10, 224)
    assert line == ("Dense head: 112×75×8 = 67,200 inputs × 10 classes + 10 biases = "
                    "672,010 weights")
    assert conv.startswith("All conv stages: 224 weights")


def test_conv_stage_count_sums_shared_kernels_and_biases():
    shapes = [(8, 3, 3, 3), (16, 5, 5, 8)]
    count = 0
    for k, kh, kw, c in shapes:
        for _f in range(k):
            count += kh * kw * c + 1
    assert conv_stage_parameters(shapes) == count


def test_weights_are_seeded_and_a_head_too_large_is_refused_with_its_count():
    a, b = random_head((4, 5, 2), 3, seed=9), random_head((4, 5, 2), 3, seed=9)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, random_head((4, 5, 2), 3, seed=10).weights)
    with pytest.raises(ValueError, match=r"2,264,924,170 weights"):
        check_head_size((3072, 4096, 18), 10)  # an unpooled photo: refused, not allocated
    assert MAX_HEAD_WEIGHTS < 3072 * 4096 * 18 * 10


def _stack() -> tuple[LayerSpec, ...]:
    rng = np.random.default_rng(0)
    return (LayerSpec(rng.normal(size=(3, 3, 3, 3)).astype(np.float32), np.zeros(3, np.float32),
                      padding="same"),)


def test_the_computer_gives_the_head_on_the_last_output_and_keeps_its_weights():
    picture = np.random.default_rng(1).integers(0, 256, (24, 40, 3), dtype=np.uint8)
    computer = StackComputer()
    layers = _stack()
    result = computer.compute(StackRequest(1, picture, layers, head=HeadSpec(5, seed=2)))
    out = result.stages[-1].output
    assert out.shape == (12, 20, 3)
    head = random_head(out.shape, 5, seed=2)
    np.testing.assert_allclose(result.head.scores, _loop_scores(out, head.weights, head.bias),
                               rtol=1e-4, atol=1e-4)
    for generation in (2, 3, 4):  # live frames: the weights are made once, not per frame
        frame = np.roll(picture, generation, axis=1)
        live = computer.compute(StackRequest(generation, frame, layers, live=True,
                                             head=HeadSpec(5, seed=2)))
        assert live.head is not None
        computer.buffers.release(live.buffers)
    assert computer.heads.made == 1
    plain = computer.compute(StackRequest(5, picture, layers))
    assert plain.head is None and plain.head_problem == ""


def test_a_head_too_large_leaves_the_maps_and_says_why(monkeypatch):
    import explorer.core.dense_head as dense_head

    monkeypatch.setattr(dense_head, "MAX_HEAD_WEIGHTS", 1000)
    picture = np.zeros((64, 64, 3), np.uint8)
    request = StackRequest(1, picture, _stack(), head=HeadSpec(100))
    result = StackComputer().compute(request)
    assert result.head is None and len(result.stages) == 1
    assert "32×32×3 = 3,072 inputs × 100 classes needs 307,300 weights" in result.head_problem


def test_the_head_survives_a_session_and_an_old_session_has_none(tmp_path):
    doc = Document()
    use_stack_preset(doc.stack, "lecture_fc", 3, default_filter)
    assert STACK_PRESETS["lecture_fc"].head and doc.stack.head.on
    doc.stack.head.classes = 7
    doc.stack.head.seed = 123
    write_session(tmp_path / "s.json", doc)
    other = Document()
    apply_session(other, read_session(tmp_path / "s.json"))
    assert (other.stack.head.on, other.stack.head.classes, other.stack.head.seed) == (
        True, 7, 123)
    assert len(other.stack) == 2
    old = session_dict(doc)
    del old["head"]  # written before dense heads: its stack ends in its last stage
    apply_session(other, parse_session(old))
    assert not other.stack.head.on


@pytest.mark.parametrize("values", [{"classes": 0}, {"classes": 101}, {"classes": 2.5},
                                    {"on": "yes"}, {"seed": -1}])
def test_absurd_head_settings_are_refused(values):
    doc = Document()
    with pytest.raises(ValueError):
        doc.stack.head.update(values)
    data = session_dict(doc)
    data["head"] = {**data["head"], **values}
    with pytest.raises(SessionError, match="head"):
        parse_session(data)


def test_undo_puts_the_head_back():
    doc = Document()
    history = History(doc)
    doc.stack.head.on = True
    doc.stack.head.classes = 4
    history.record()
    doc.stack.head.on = False
    history.record()
    assert history.undo()
    assert doc.stack.head.on and doc.stack.head.classes == 4
    assert history.undo()
    assert not doc.stack.head.on and doc.stack.head.classes == 10
    assert history.redo()
    assert doc.stack.head.on and doc.stack.head.classes == 4
