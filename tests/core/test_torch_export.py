"""The stack as PyTorch code: it runs, and gives the explorer's feature maps.

PyTorch is not a dependency of the app; the tests that run the code are skipped without it.
"""

from __future__ import annotations

import ast
import importlib.util
import sys

import numpy as np
import pytest

from explorer.core.pipeline import LayerSpec, run_stack
from explorer.core.torch_export import stack_code

RNG = np.random.default_rng(4)


def _layer(k: int, kh: int, kw: int, c: int, **settings) -> LayerSpec:
    return LayerSpec(RNG.normal(size=(k, kh, kw, c)).astype(np.float32),
                     RNG.normal(size=k).astype(np.float32), **settings)


STACKS = {
    "lecture": [_layer(4, 3, 3, 3, padding="same"), _layer(6, 3, 3, 4, padding="same")],
    "every setting": [
        _layer(3, 5, 3, 1, stride=(2, 2), padding="same", pad_mode="reflect", flip=True,
               activation="leaky_relu", pool_mode="avg", pool_size=3, pool_stride=2),
        _layer(2, 3, 3, 3, dilation=(2, 2), padding=(2, 1), pad_mode="circular",
               activation="abs", pool_mode="none"),
        _layer(2, 3, 3, 2, padding="full", pad_mode="replicate", activation="tanh",
               pool_mode="max", pool_size=2, pool_stride=1),
        _layer(1, 1, 1, 2, padding="valid", activation="sigmoid", pool_mode="none"),
    ],
}


def test_the_code_is_python_and_names_every_layer():
    code, arrays = stack_code(STACKS["every setting"], "A test stack")
    ast.parse(code)
    assert arrays == {}  # few weights: inside the code
    for text in ("'reflect'", "'circular'", "'replicate'", "nn.AvgPool2d((3, 3), (2, 2))",
                 "nn.LeakyReLU(0.01)", "Abs()", "nn.Tanh()", "nn.Sigmoid()",
                 "dilation=(2, 2)", "turned by 180°"):
        assert text in code, text


def test_too_many_weights_for_the_code_need_a_file():
    big = [_layer(32, 15, 15, 3)]
    with pytest.raises(ValueError, match="too many"):
        stack_code(big)
    code, arrays = stack_code(big, weights_file="stack.npz")
    assert "stack.npz" in code and arrays["weight1"].shape == (32, 3, 15, 15)


def test_the_file_export_writes_the_code_and_refuses_what_it_should(tmp_path):
    from explorer.core.safe_files import TargetExists
    from explorer.core.torch_export import write_stack_code

    big = [_layer(32, 15, 15, 3)]
    written = write_stack_code(tmp_path / "net.py", big, "big")
    assert written == [tmp_path / "net.py", tmp_path / "net.npz"]
    stored = np.load(tmp_path / "net.npz")
    np.testing.assert_array_equal(stored["weight1"], big[0].weights.transpose(0, 3, 1, 2))
    with pytest.raises(TargetExists):
        write_stack_code(tmp_path / "net.py", big, "big", overwrite=False)
    with pytest.raises(ValueError, match=r"\.py"):
        write_stack_code(tmp_path / "net.txt", big, "big")  # the suffix as typed, or refused
    assert not (tmp_path / "net.txt").exists()


torch = pytest.importorskip("torch", reason="PyTorch runs the exported code")


def _load(tmp_path, code: str, arrays: dict[str, np.ndarray], name: str):
    path = tmp_path / f"{name}.py"
    path.write_text(code, encoding="utf-8")
    if arrays:
        np.savez(tmp_path / "weights.npz", **arrays)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("stack", list(STACKS))
@pytest.mark.parametrize("literal", [True, False])
def test_the_code_gives_the_explorers_maps(tmp_path, stack, literal):
    layers = STACKS[stack]
    code, arrays = stack_code(layers, stack, None if literal else "weights.npz")
    module = _load(tmp_path, code, arrays, f"exported_{stack.replace(' ', '_')}_{literal}")
    picture = RNG.integers(0, 256, (37, 45, 3), np.uint8)  # odd sizes: "same" at stride 2
    maps = list(module.feature_maps(module.build_model(), picture).values())
    expected = []
    for stage in run_stack(picture, layers):
        expected.append(stage.feature_maps)
        if stage.pooled is not None:
            expected.append(stage.pooled)
    assert len(maps) == len(expected)
    for got, want in zip(maps, expected, strict=True):
        assert got.shape == want.shape
        scale = max(1.0, float(np.abs(want).max()))
        np.testing.assert_allclose(got, want, atol=1e-4 * scale, rtol=1e-4)
