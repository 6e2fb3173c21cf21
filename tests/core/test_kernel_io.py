"""Reading and writing filter banks: round trips, ONNX models, and files that must be refused."""

from __future__ import annotations

import builtins
import json

import numpy as np
import pytest

from explorer.core import kernel_io, kernels
from explorer.core.kernel_io import KernelBank, read_kernels, write_kernels

RNG = np.random.default_rng(11)


def bank(k=3, kh=3, kw=3, c=1):
    return KernelBank(RNG.normal(size=(k, kh, kw, c)).astype(np.float32),
                      RNG.normal(size=k).astype(np.float32),
                      tuple(f"mine {i}" for i in range(k)))


@pytest.mark.parametrize("suffix", [".npz", ".json"])
@pytest.mark.parametrize("channels", [1, 3])
def test_round_trip_keeps_weights_biases_and_names(tmp_path, suffix, channels):
    original = bank(c=channels, kh=5)
    path = write_kernels(tmp_path / f"bank{suffix}", original)
    back = read_kernels(path)
    np.testing.assert_allclose(back.weights, original.weights, rtol=1e-6)
    np.testing.assert_allclose(back.bias, original.bias, rtol=1e-6)
    assert back.names == original.names
    assert back.weights.shape == (3, 5, 3, channels)


def test_npy_keeps_the_weights_and_zeroes_the_biases(tmp_path):
    original = bank(c=3)
    back = read_kernels(write_kernels(tmp_path / "w.npy", original))
    np.testing.assert_array_equal(back.weights, original.weights)
    assert back.bias.tolist() == [0, 0, 0]
    assert back.names == ("filter 1", "filter 2", "filter 3")


@pytest.mark.parametrize("shape,expected", [((3, 3), (1, 3, 3, 1)), ((5, 5, 3), (1, 5, 5, 3)),
                                            ((4, 3, 3, 1), (4, 3, 3, 1))])
def test_one_or_several_filters_from_a_plain_array(tmp_path, shape, expected):
    a = RNG.normal(size=shape)
    np.save(tmp_path / "a.npy", a)
    got = read_kernels(tmp_path / "a.npy")
    assert got.weights.shape == expected
    np.testing.assert_allclose(got.weights.reshape(-1), a.reshape(-1), rtol=1e-6)


def test_the_json_is_the_kernel_library_s_own_format(tmp_path):
    original = KernelBank(np.stack([kernels.get("sobel_x").weights[:, :, None]] * 2),
                          np.array([0.5, 0]), ("edge", "edge"))
    path = write_kernels(tmp_path / "lib.json", original)
    saved = kernels.KernelLibrary(path).load()  # the explorer's library reads it
    assert list(saved) == ["edge", "edge (2)"]  # names made unique, as the library needs
    np.testing.assert_array_equal(saved["edge"].weights, kernels.get("sobel_x").weights)
    assert saved["edge"].bias == 0.5


def test_a_library_with_kernels_of_several_shapes_is_refused(tmp_path):
    library = kernels.KernelLibrary(tmp_path / "mixed.json")
    library.save(kernels.UserKernel("small", np.ones((3, 3))))
    library.save(kernels.UserKernel("large", np.ones((5, 5))))
    with pytest.raises(ValueError, match="different shapes"):
        read_kernels(library.path)


def test_a_saved_digit_network_gives_its_first_layer(tmp_path):
    from explorer.core.training import DigitModel, save_model
    from explorer.core.training.model import init_params

    model = DigitModel(init_params(np.random.default_rng(0)))
    got = read_kernels(save_model(model, tmp_path / "net.npz"))
    np.testing.assert_array_equal(got.weights, model.conv_weights(0))
    assert got.count == 8 and "net.npz" in got.source


def test_with_channels_spreads_and_sums():
    gray = bank(c=1)
    colour = gray.with_channels(3)
    assert colour.weights.shape == (3, 3, 3, 3)
    np.testing.assert_allclose(colour.weights.sum(axis=3), gray.weights[..., 0], rtol=1e-6)
    np.testing.assert_allclose(colour.with_channels(1).weights, gray.weights, rtol=1e-6)
    stack = colour.named_stack()
    assert stack.layers[0].channels == 3 and stack.filter_names[0] == gray.names


@pytest.mark.parametrize("array,match", [
    (np.zeros(5), "height, width"),
    (np.zeros((2, 3, 3, 3, 3)), "height, width"),
    (np.zeros((1, 16, 16, 1)), "too large"),
    (np.full((3, 3), np.inf), "finite"),
    (np.array([["a"]]), "real numbers"),
    (np.zeros((300, 3, 3, 1)), "1 to 256 filters"),
])
def test_arrays_that_do_not_fit_are_refused(tmp_path, array, match):
    np.save(tmp_path / "bad.npy", array)
    with pytest.raises(ValueError, match=match) as info:
        read_kernels(tmp_path / "bad.npy")
    assert "bad.npy" in str(info.value)


def test_pickled_objects_are_refused(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="Python objects"):
        read_kernels(tmp_path / "obj.npy")
    np.savez(tmp_path / "obj.npz", weights=np.array([None], dtype=object))
    with pytest.raises(ValueError, match="Python objects"):
        read_kernels(tmp_path / "obj.npz")


@pytest.mark.parametrize("arrays,match", [
    ({"a": np.ones((3, 3)), "b": np.ones((3, 3))}, "no array called 'weights'"),
    ({"weights": np.ones((2, 3, 3, 1)), "bias": np.ones(3)}, "biases"),
    ({"weights": np.ones((2, 3, 3, 1)), "names": np.array([1, 2])}, "names"),
])
def test_npz_files_that_do_not_fit_are_refused(tmp_path, arrays, match):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=match):
        read_kernels(tmp_path / "bad.npz")


@pytest.mark.parametrize("name,content,match", [
    ("k.npy", b"garbage", "not a NumPy"),
    ("k.npz", b"garbage", "not a NumPy .npz"),
    ("k.json", b"{not json", "not valid JSON"),
    ("k.json", json.dumps({"format": "cnn-explorer-kernels", "version": 1,
                           "kernels": []}).encode(), "no kernels"),
    ("k.onnx", b"\xff\xfe garbage", "not an ONNX model"),
    ("k.txt", b"1 2 3", "read from"),
])
def test_files_of_other_kinds_are_refused(tmp_path, name, content, match):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ValueError, match=match):
        read_kernels(tmp_path / name)


def test_missing_files_and_unwritable_places(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        read_kernels(tmp_path / "none.npy")
    with pytest.raises(ValueError, match=r"could not write such\.npz: the folder .* not exist"):
        write_kernels(tmp_path / "no" / "such.npz", bank())
    with pytest.raises(ValueError, match="saved as"):
        write_kernels(tmp_path / "k.onnx", bank())


# --- ONNX ---------------------------------------------------------------------------------------

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def onnx_model(path, weights, bias=None, *, first_op="Relu", group=1, from_input=False,
               strides=(2, 2), pads=(1, 1, 1, 1)):
    """A small graph: [Relu →] Conv(weights) → Conv(other weights), saved to ``path``."""
    k, c = weights.shape[0], weights.shape[1]
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 32, 32])]
    nodes, inits, x = [], [], "x"
    if first_op:
        nodes.append(helper.make_node(first_op, [x], ["pre"]))
        x = "pre"
    conv_inputs = [x, "W"]
    if from_input:
        inputs.append(helper.make_tensor_value_info("W", TensorProto.FLOAT,
                                                    list(weights.shape)))
    else:
        inits.append(numpy_helper.from_array(weights.astype(np.float32), "W"))
    if bias is not None:
        inits.append(numpy_helper.from_array(bias.astype(np.float32), "B"))
        conv_inputs.append("B")
    nodes.append(helper.make_node("Conv", conv_inputs, ["y"], name="conv_a", group=group,
                                  strides=list(strides), pads=list(pads)))
    inits.append(numpy_helper.from_array(np.ones((2, k, 3, 3), np.float32), "W2"))
    nodes.append(helper.make_node("Conv", ["y", "W2"], ["z"], name="conv_b"))
    graph = helper.make_graph(nodes, "g", inputs,
                              [helper.make_tensor_value_info("z", TensorProto.FLOAT, None)],
                              initializer=inits)
    onnx.save(helper.make_model(graph), str(path))
    return path


def test_the_first_conv_of_an_onnx_model_is_read_channels_last(tmp_path):
    w = RNG.normal(size=(4, 3, 5, 3)).astype(np.float32)  # (K, C, kh, kw), ONNX's layout
    b = RNG.normal(size=4).astype(np.float32)
    got = read_kernels(onnx_model(tmp_path / "m.onnx", w, b))
    assert got.weights.shape == (4, 5, 3, 3)
    for k in range(4):
        for y in range(5):
            for x in range(3):
                for c in range(3):
                    assert got.weights[k, y, x, c] == w[k, c, y, x]
    np.testing.assert_array_equal(got.bias, b)
    assert got.stride == (2, 2) and got.padding == (1, 1)
    assert "m.onnx" in got.source
    spec = got.named_stack().layers[0]
    assert spec.stride == (2, 2) and spec.padding == (1, 1)


def test_an_onnx_conv_without_bias_gets_zero_biases(tmp_path):
    got = read_kernels(onnx_model(tmp_path / "m.onnx", np.ones((2, 1, 3, 3)), first_op=None))
    assert got.bias.tolist() == [0, 0] and got.channels == 1


@pytest.mark.parametrize("kwargs,match", [
    ({"weights": np.ones((2, 3, 3))}, "1-D convolution"),
    ({"weights": np.ones((2, 3, 3, 3, 3))}, "3-D convolution"),
    ({"weights": np.ones((3, 1, 3, 3)), "group": 3}, "grouped"),
    ({"weights": np.ones((2, 3, 3, 3)), "from_input": True}, "network's input"),
    ({"weights": np.ones((2, 3, 21, 21))}, "too large"),
])
def test_onnx_convs_that_do_not_fit_are_refused(tmp_path, kwargs, match):
    kwargs = dict(kwargs)  # the parameters are shared by every run of the test
    weights = kwargs.pop("weights")
    if weights.ndim != 4:
        kwargs.setdefault("strides", (1,) * (weights.ndim - 2))
        kwargs.setdefault("pads", (0,) * (2 * (weights.ndim - 2)))
    path = onnx_model(tmp_path / "m.onnx", weights, **kwargs)
    with pytest.raises(ValueError, match=match):
        read_kernels(path)


def test_a_model_without_conv_is_refused(tmp_path):
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    onnx.save(helper.make_model(graph), str(tmp_path / "relu.onnx"))
    with pytest.raises(ValueError, match="no Conv"):
        read_kernels(tmp_path / "relu.onnx")


def test_without_the_onnx_package_the_message_says_what_to_install(tmp_path, monkeypatch):
    path = onnx_model(tmp_path / "m.onnx", np.ones((2, 1, 3, 3)))
    real_import = builtins.__import__

    def no_onnx(name, *args, **kwargs):
        if name == "onnx" or name.startswith("onnx."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnx)
    with pytest.raises(ValueError, match="pip install onnx"):
        kernel_io.read_kernels(path)


def test_a_deeper_layers_kernels_go_to_npz_and_back_but_not_to_the_library(tmp_path):
    rng = np.random.default_rng(3)
    deep = KernelBank(rng.normal(size=(4, 3, 3, 8)).astype(np.float32),
                      np.arange(4, dtype=np.float32), tuple(f"f{i}" for i in range(4)))
    back = read_kernels(write_kernels(tmp_path / "deep.npz", deep))
    np.testing.assert_array_equal(back.weights, deep.weights)
    assert back.names == deep.names and back.channels == 8
    with pytest.raises(ValueError, match=r"deeper layer.*npz"):
        write_kernels(tmp_path / "deep.json", deep)
    bad = rng.normal(size=(1, 3, 3, 8)).astype(np.float32)
    bad[0, 1, 1, 5] = np.nan
    with pytest.raises(ValueError, match="finite"):
        KernelBank(bad, np.zeros(1, np.float32), ("x",))


@pytest.mark.parametrize(("tensor", "said"), [
    (lambda: helper.make_tensor("W", TensorProto.STRING, [1], [b"weights"]),
     "the first Conv (conv_a)'s weights are object values, not numbers"),
    (lambda: numpy_helper.from_array(np.ones(3, np.float32), "W"),
     "the first Conv (conv_a)'s weights have the shape (3,)"),
])
def test_onnx_weights_that_are_no_kernels_are_named_plainly(tmp_path, tensor, said):
    path = onnx_model(tmp_path / "m.onnx", np.ones((2, 1, 3, 3)), first_op=None)
    model = onnx.load(str(path))
    model.graph.initializer[0].CopyFrom(tensor())
    onnx.save(model, str(path))
    with pytest.raises(ValueError) as info:
        read_kernels(path)
    assert said in str(info.value) and "-D convolution" not in str(info.value)
