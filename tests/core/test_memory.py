"""The memory estimate: counted against the arrays the engine really makes."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.memory import check_fits, stack_bytes
from explorer.core.pipeline import LayerSpec, run_stack


def _specs():
    rng = np.random.default_rng(0)
    return [LayerSpec(rng.normal(size=(4, 3, 3, 3)).astype(np.float32), np.zeros(4, np.float32),
                      padding="same", pool_mode="max"),
            LayerSpec(rng.normal(size=(6, 3, 3, 4)).astype(np.float32), np.zeros(6, np.float32),
                      padding="valid", pool_mode="none")]


def test_the_estimate_covers_every_map_the_stack_keeps():
    picture = np.zeros((60, 80, 3), np.uint8)
    stages = run_stack(picture, _specs())
    kept = sum(s.pre_activation.nbytes + s.feature_maps.nbytes
               + (s.pooled.nbytes if s.pooled is not None else 0) for s in stages)
    estimate = stack_bytes((60, 80), 3, _specs())
    assert kept <= estimate <= kept + 2 * 60 * 80 * 3 * 4  # plus one stage's temporaries


def test_a_stack_too_large_for_the_free_memory_is_refused_with_a_size_that_fits():
    specs = _specs()
    need = stack_bytes((10_000, 10_000), 3, specs)
    with pytest.raises(ValueError, match=r"needs about .* GB.*processing size of \d+ px") as exc:
        check_fits((10_000, 10_000), 3, specs, available=need)  # only half may be used
    side = int(str(exc.value).split("processing size of ")[1].split(" px")[0])
    assert stack_bytes((side, side), 3, specs) <= need / 2  # the proposed size does fit
    check_fits((10_000, 10_000), 3, specs, available=3 * need)  # enough: no complaint
