"""Sizes, counts and receptive fields of a stack, against the engine and a brute-force probe."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.pipeline import LayerSpec, run_stack
from explorer.core.stack_info import field_extent, stage_infos


def _spec(rng, n, k, c, **kw) -> LayerSpec:
    # positive weights and identity activations: no output can cancel to exactly zero, so a
    # changed input pixel always reaches every unit that sees it
    weights = rng.uniform(0.5, 1.5, size=(n, k, k, c)).astype(np.float32)
    kw.setdefault("activation", "identity")
    return LayerSpec(weights, np.zeros(n, np.float32), **kw)


STACKS = {
    "lecture 3×3 stride 1, 2×2 pools": lambda rng: [
        _spec(rng, 2, 3, 1, padding="same", pool_mode="avg"),
        _spec(rng, 2, 3, 2, padding="same", pool_mode="avg"),
        _spec(rng, 2, 3, 2, padding="same", pool_mode="avg")],
    "stride, dilation, valid": lambda rng: [
        _spec(rng, 2, 3, 1, stride=(2, 2), padding="valid", pool_mode="none"),
        _spec(rng, 2, 3, 2, dilation=(2, 2), padding="valid", pool_mode="avg", pool_size=3,
              pool_stride=2)],
    "5×5 full, overlapping pools": lambda rng: [
        _spec(rng, 2, 5, 1, padding="full", pool_mode="avg", pool_size=3, pool_stride=2),
        _spec(rng, 2, 2, 2, padding=(1, 1), pool_mode="max")],
}


def _influence(stack, shape, stage: int, pooled: bool) -> np.ndarray:
    """For every unit of one stage's output, which input pixels change it: (H, W, h', w')."""
    base = np.zeros(shape, np.float32)

    def output(picture):
        s = run_stack(picture, stack)[stage]
        return s.pooled if pooled else s.feature_maps

    ref = output(base)
    h, w = shape
    changed = np.zeros((h, w, *ref.shape[:2]), bool)
    for r in range(h):
        for c in range(w):
            probe = base.copy()
            probe[r, c] = 100.0
            changed[r, c] = np.abs(output(probe) - ref).max(axis=2) > 1e-3
    return changed


@pytest.mark.parametrize("name", list(STACKS))
def test_receptive_fields_match_a_brute_force_probe(name):
    rng = np.random.default_rng(7)
    stack = STACKS[name](rng)
    shape = (31, 29)
    infos = stage_infos(stack, shape, 1)
    for stage, info in enumerate(infos):
        for pooled in (False, True):
            field = info.pooled_field if pooled else info.conv_field
            if field is None:
                continue
            seen = _influence(stack, shape, stage, pooled)
            out_h, out_w = seen.shape[2:]
            for row, col in {(0, 0), (out_h // 2, out_w // 2), (out_h - 1, out_w - 1)}:
                rows = np.flatnonzero(seen[:, :, row, col].any(axis=1))
                cols = np.flatnonzero(seen[:, :, row, col].any(axis=0))
                r0, r1, c0, c1 = field_extent(field, row, col)
                # the field may reach into the padding: only the picture's pixels can be seen
                assert rows[0] == max(0, r0) and rows[-1] + 1 == min(shape[0], r1), \
                    (name, stage, pooled, row, col)
                assert cols[0] == max(0, c0) and cols[-1] + 1 == min(shape[1], c1)


def test_the_lecture_stack_grows_its_field_three_four_eight_ten():
    rng = np.random.default_rng(0)
    stack = [_spec(rng, 4, 3, 3, padding="same", pool_mode="max"),
             _spec(rng, 8, 3, 4, padding="same", pool_mode="max"),
             _spec(rng, 8, 3, 8, padding="same", pool_mode="max")]
    infos = stage_infos(stack, (480, 640), 3)
    sizes = []
    for info in infos:
        sizes += [info.conv_field[0].size, info.pooled_field[0].size]
    assert sizes == [3, 4, 8, 10, 18, 22]
    assert [i.pooled_field[0].jump for i in infos] == [2, 4, 8]


def test_sizes_and_counts_agree_with_the_engine():
    rng = np.random.default_rng(1)
    stack = [_spec(rng, 4, 5, 3, stride=(2, 2), padding="same", pool_mode="max"),
             _spec(rng, 6, 3, 4, padding="valid", dilation=(2, 2), pool_mode="none")]
    picture = rng.integers(0, 256, (37, 53, 3)).astype(np.uint8)
    stages = run_stack(picture, stack)
    infos = stage_infos(stack, (37, 53), 3)
    for info, stage in zip(infos, stages, strict=True):
        assert info.feature_shape == stage.feature_maps.shape
        assert info.output_shape == stage.output.shape
    assert infos[0].params == (5 * 5 * 3 + 1) * 4
    assert infos[1].params == (3 * 3 * 4 + 1) * 6
    h, w, _ = stages[1].feature_maps.shape
    assert infos[1].macs == h * w * 6 * 3 * 3 * 4


def test_a_stage_that_does_not_fit_is_named_and_the_rest_follow():
    rng = np.random.default_rng(2)
    stack = [_spec(rng, 2, 3, 1, padding="valid", pool_mode="max"),
             _spec(rng, 2, 9, 2, padding="valid", pool_mode="none"),
             _spec(rng, 2, 3, 2, padding="valid", pool_mode="none")]
    infos = stage_infos(stack, (12, 12), 1)
    assert infos[0].error == ""
    assert infos[1].error.startswith("layer 2:") and infos[1].feature_shape is None
    assert infos[2].error == infos[1].error
