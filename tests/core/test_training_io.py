"""Saving and loading a digit network: a round trip, and files that must be refused."""

from __future__ import annotations

import errno
import io
import zipfile

import numpy as np
import pytest

from explorer.core.safe_files import TargetExists
from explorer.core.training import DigitModel, load_digits, load_model, save_model
from explorer.core.training.io import MODEL_FORMAT, MODEL_VERSION
from explorer.core.training.model import init_params
from tests.hostile import folder_files


@pytest.fixture
def model():
    p = init_params(np.random.default_rng(4))
    p["conv2.bias"] = np.linspace(-1, 1, 16, dtype=np.float32)
    return DigitModel(p)


def write_npz(path, **arrays):
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def test_round_trip_keeps_every_weight_and_every_answer(model, tmp_path):
    saved = save_model(model, tmp_path / "digits.npz")
    assert saved == tmp_path / "digits.npz"
    loaded = load_model(saved)
    for key, a in model.params.items():
        np.testing.assert_array_equal(loaded.params[key], a)
    images = load_digits()[1].images[:50]
    np.testing.assert_array_equal(loaded.predict(images), model.predict(images))


def test_a_file_holding_python_objects_is_refused_not_unpickled(model, tmp_path):
    arrays = dict(model.params)
    arrays["conv1.weights"] = np.array([{"a": 1}, None], dtype=object)
    arrays["format"], arrays["version"] = np.array(MODEL_FORMAT), np.array(MODEL_VERSION)
    path = write_npz(tmp_path / "evil.npz", **arrays)
    with pytest.raises(ValueError, match="Python objects"):
        load_model(path)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(model, tmp_path):
    path = tmp_path / "bomb.npz"
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(40 * 2**20 // 4, np.float32))  # 40 MB of zeros, ~40 KB zipped
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("conv1.weights.npy", buffer.getvalue())
    assert path.stat().st_size < 1_000_000
    with pytest.raises(ValueError, match="too large"):
        load_model(path)


@pytest.mark.parametrize("change,match", [
    (lambda a: a.pop("dense.bias"), "missing"),
    (lambda a: a.update({"conv1.weights": np.zeros((8, 5, 5), np.float32)}), "shape"),
    (lambda a: a.update({"conv2.weights": np.zeros((16, 5, 5, 3), np.float32)}), "channels"),
    (lambda a: a.update({"dense.weights": np.zeros((100, 10), np.float32)}), r"\(256, 10\)"),
    (lambda a: a.update({"conv1.bias": np.full(8, np.nan, np.float32)}), "NaN"),
    (lambda a: a.update({"conv1.bias": np.array(["x"] * 8)}), "real numbers"),
    (lambda a: a.update({"conv3.weights": np.zeros((4, 5, 5, 16), np.float32)}), "missing"),
    (lambda a: a.update({"conv9.weights": np.zeros(1)}), "numbered"),
    (lambda a: a.update({"hidden.weights": np.zeros(1)}), "unknown"),
    (lambda a: a.update({"conv1.weights": np.zeros((8, 40, 40, 1), np.float32)}), "at most"),
    (lambda a: a.update({"format": np.array("something else")}), "not a saved"),
    (lambda a: a.pop("format"), "not a saved"),
    (lambda a: a.update({"version": np.array(7)}), "newer"),
    (lambda a: a.update({"version": np.array("one")}), "version"),
])
def test_malformed_networks_are_refused_with_a_reason(model, tmp_path, change, match):
    arrays = dict(model.params)
    arrays["format"] = np.array(MODEL_FORMAT)
    arrays["version"] = np.array(MODEL_VERSION)
    change(arrays)
    path = write_npz(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=match):
        load_model(path)


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04 broken zip"])
def test_files_that_are_not_networks_are_refused(tmp_path, content):
    path = tmp_path / "junk.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"junk\.npz"):
        load_model(path)


def test_a_truncated_file_is_refused(model, tmp_path):
    good = save_model(model, tmp_path / "good.npz").read_bytes()
    path = tmp_path / "cut.npz"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match=r"cut\.npz"):
        load_model(path)


def test_a_member_that_is_not_an_array_is_refused(model, tmp_path):
    path = save_model(model, tmp_path / "extra.npz")
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("notes.txt", "hello")
    with pytest.raises(ValueError, match="unknown"):
        load_model(path)


def test_missing_files_and_folders_are_refused(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_model(tmp_path / "nothing.npz")
    with pytest.raises(ValueError, match="not a file"):
        load_model(tmp_path)


def test_saving_where_it_cannot_be_written_says_so(model, tmp_path):
    with pytest.raises(ValueError, match="the folder “no-such-folder” does not exist"):
        save_model(model, tmp_path / "no-such-folder" / "m.npz")


def fill_disk_in_savez(monkeypatch):
    """np.savez writes 24,576 bytes, then the disk is full (ENOSPC), as the probe saw."""

    def savez(file, *args, **kwargs):
        file.write(b"\x00" * 24_576)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", savez)


def test_a_full_disk_leaves_the_saved_network_as_it_was(model, tmp_path, monkeypatch):
    path = save_model(model, tmp_path / "digits.npz")
    before = path.read_bytes()
    fill_disk_in_savez(monkeypatch)
    with pytest.raises(ValueError) as info:
        save_model(model, path)
    monkeypatch.undo()
    assert str(info.value) == ("could not write digits.npz: the disk is full (the previous "
                               "digits.npz is unchanged)")
    assert path.read_bytes() == before
    assert load_model(path).params.keys() == model.params.keys()
    assert folder_files(tmp_path) == ["digits.npz"]


def test_a_full_disk_leaves_no_empty_or_temporary_file(model, tmp_path, monkeypatch):
    fill_disk_in_savez(monkeypatch)
    with pytest.raises(ValueError, match="the disk is full"):
        save_model(model, tmp_path / "new.npz")
    assert folder_files(tmp_path) == []


@pytest.mark.parametrize("typed", ["report.v2", "digits", "digits.npz.bak"])
def test_the_name_is_saved_as_typed_or_refused(model, tmp_path, typed):
    with pytest.raises(ValueError, match=r"a digit network is saved as \.npz"):
        save_model(model, tmp_path / typed)
    assert folder_files(tmp_path) == []
    assert save_model(model, tmp_path / "Digits.NPZ") == tmp_path / "Digits.NPZ"


def test_without_overwrite_an_existing_network_is_kept(model, tmp_path):
    path = tmp_path / "digits.npz"
    path.write_bytes(b"someone else's file")
    with pytest.raises(TargetExists):
        save_model(model, path, overwrite=False)
    assert path.read_bytes() == b"someone else's file"


def npy_bytes(shape: tuple[int, ...], dtype: str = "<f8") -> bytes:
    """An .npy header declaring ``shape``, followed by 64 bytes: a file of about 200 bytes."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue() + bytes(64)


def test_a_member_declaring_petabytes_is_refused_as_damaged(model, tmp_path):
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as z:
        for name, a in model.params.items():
            buffer = io.BytesIO()
            np.save(buffer, a)
            z.writestr(f"{name}.npy", buffer.getvalue())
        z.writestr("format.npy", npy_bytes((2**50,)))  # 8 PB of float64 in 192 bytes
    with pytest.raises(ValueError) as info:
        load_model(path)
    assert str(info.value) == ("huge.npz is damaged (its member format.npy): it declares an "
                               "array of 1125899906842624 numbers (8 PB) but holds 64 bytes")
