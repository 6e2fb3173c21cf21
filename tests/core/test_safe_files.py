"""Safe reading and writing: nothing a user has can hang the app, crash it or lose a file."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import subprocess
import sys
import time

import pytest

from explorer.core import safe_files
from explorer.core.safe_files import (
    FileMissing,
    LockTimeout,
    ReadRefused,
    TargetExists,
    WriteFailed,
    atomic_write,
    check_target,
    clean_stale_temp_files,
    describe_os_error,
    file_lock,
    name_problem,
    read_bytes_limited,
    read_json_limited,
)
from tests.hostile import (
    fill_disk_after,
    folder_files,
    named_pipe,
    needs_dev_zero,
    needs_fifo,
    needs_symlinks,
    unix_socket,
)

OLD = b"the previous contents, which must survive\n"


# --- atomic_write --------------------------------------------------------------------------------

def test_atomic_write_writes_bytes_or_what_a_writer_writes(tmp_path):
    assert atomic_write(tmp_path / "a.bin", b"\x00\x01\x02") == tmp_path / "a.bin"
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01\x02"
    atomic_write(tmp_path / "b.txt", lambda fh: (fh.write(b"one "), fh.write(b"two")))
    assert (tmp_path / "b.txt").read_bytes() == b"one two"
    assert folder_files(tmp_path) == ["a.bin", "b.txt"]


def test_a_full_disk_midway_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "report.png"
    target.write_bytes(OLD)
    fill_disk_after(monkeypatch, 10)
    with pytest.raises(WriteFailed) as info:
        atomic_write(target, b"x" * 1000)
    monkeypatch.undo()
    message = str(info.value)
    assert message == ("could not write report.png: the disk is full "
                       "(the previous report.png is unchanged)")
    assert isinstance(info.value, ValueError) and info.value.problem == "the disk is full"
    assert target.read_bytes() == OLD
    assert folder_files(tmp_path) == ["report.png"]


def test_a_writer_that_fails_midway_leaves_the_old_file(tmp_path):
    target = tmp_path / "table.csv"
    target.write_bytes(OLD)

    def half_then_fail(fh):
        fh.write(b"half of the new")
        raise RuntimeError("the encoder broke")

    with pytest.raises(RuntimeError, match="encoder broke"):
        atomic_write(target, half_then_fail)
    assert target.read_bytes() == OLD
    assert folder_files(tmp_path) == ["table.csv"]


def test_a_failed_rename_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "k.json"
    target.write_bytes(OLD)

    def refuse(*_args):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(WriteFailed, match="permission denied"):
        atomic_write(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == OLD
    assert folder_files(tmp_path) == ["k.json"]


def test_without_overwrite_an_existing_file_is_refused_and_kept(tmp_path):
    target = tmp_path / "shot.png"
    target.write_bytes(OLD)
    with pytest.raises(TargetExists, match=r"shot\.png already exists"):
        atomic_write(target, b"new", overwrite=False)
    assert target.read_bytes() == OLD
    assert folder_files(tmp_path) == ["shot.png"]
    assert atomic_write(tmp_path / "new.png", b"new", overwrite=False).read_bytes() == b"new"


def test_without_overwrite_a_file_made_meanwhile_is_not_replaced(tmp_path, monkeypatch):
    """The check and the rename are one step: a file that appears after the check stays."""
    target = tmp_path / "shot.png"

    def appear_then_write(fh):
        target.write_bytes(OLD)  # another program, between the check and the rename
        fh.write(b"new")

    with pytest.raises(TargetExists):
        atomic_write(target, appear_then_write, overwrite=False)
    assert target.read_bytes() == OLD
    assert folder_files(tmp_path) == ["shot.png"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_replaced_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "shared.json"
    target.write_bytes(OLD)
    os.chmod(target, 0o640)
    atomic_write(target, b"new")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert target.read_bytes() == b"new"


@needs_symlinks
def test_a_symbolic_link_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.png"
    real.write_bytes(OLD)
    link = tmp_path / "link.png"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


@pytest.mark.parametrize(("name", "message"), [
    ("", "no file name was given"),
    ("   ", "no file name was given"),
    ("slides/", "slides/ names a folder; give a file name"),
    ("pics.png/", "pics.png/ names a folder; give a file name"),
    ("folder", "folder is a folder, not a file: it cannot be replaced"),
])
def test_a_folder_or_no_name_is_refused(tmp_path, monkeypatch, name, message):
    (tmp_path / "folder").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WriteFailed) as info:
        atomic_write(name, b"x")
    assert str(info.value) == message
    assert folder_files(tmp_path) == ["folder"]
    assert os.listdir(tmp_path / "folder") == []


@needs_fifo
def test_a_pipe_in_place_of_the_target_is_refused_without_opening_it(tmp_path):
    with named_pipe(tmp_path / "out.png") as pipe:
        with pytest.raises(WriteFailed, match=r"out\.png is a named pipe"):
            atomic_write(pipe, b"new")
        assert stat.S_ISFIFO(os.lstat(pipe).st_mode)  # still the pipe, not replaced


def test_check_target_keeps_the_path_and_names_the_suffixes(tmp_path):
    assert check_target(tmp_path / "chart.svg", [".svg"]) == tmp_path / "chart.svg"
    with pytest.raises(WriteFailed) as info:
        check_target(tmp_path / "report.v2", [".png", ".jpg"], what="a picture")
    assert str(info.value) == "report.v2: a picture is saved as .jpg or .png, not .v2"
    with pytest.raises(WriteFailed) as info:
        check_target(tmp_path / "report", [".png"])
    assert str(info.value) == "report: a file is saved as .png; the name has no suffix"
    with pytest.raises(WriteFailed, match="the folder “no” does not exist"):
        check_target(tmp_path / "no" / "a.png", [".png"])
    assert folder_files(tmp_path) == []


# --- describe_os_error -------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "words"), [
    (errno.ENOSPC, "the disk is full"), (errno.EACCES, "permission denied"),
    (errno.EPERM, "permission denied"), (errno.EROFS, "read-only"),
    (errno.ENAMETOOLONG, "too long"), (errno.ENOTDIR, "not a folder"),
    (errno.EIO, "input/output error"), (errno.EMFILE, "too many files"),
])
def test_describe_os_error_says_the_cause(tmp_path, code, words):
    assert words in describe_os_error(OSError(code, os.strerror(code)), tmp_path / "a.png")


def test_describe_os_error_names_the_missing_folder(tmp_path):
    error = FileNotFoundError(errno.ENOENT, "No such file or directory")
    assert describe_os_error(error, tmp_path / "slides" / "a.png") == \
        "the folder “slides” does not exist"
    assert describe_os_error(error, tmp_path / "a.png") == "a.png does not exist"


def test_describe_os_error_falls_back_to_the_systems_words():
    assert describe_os_error(OSError(errno.ECONNRESET, "Connection reset by peer")) == \
        "connection reset by peer"


# --- reading -----------------------------------------------------------------------------------

@needs_fifo
def test_a_named_pipe_is_refused_before_it_is_opened(tmp_path):
    with named_pipe(tmp_path / "lib.json") as pipe:
        with pytest.raises(ReadRefused, match=r"lib.json is a named pipe \(FIFO\)"):
            read_bytes_limited(pipe, 1000)
        with pytest.raises(ReadRefused, match="named pipe"):
            read_json_limited(pipe, 1000)


@needs_dev_zero
def test_a_device_is_refused_and_never_read():
    with pytest.raises(ReadRefused, match="zero is a device, not a regular file"):
        read_bytes_limited("/dev/zero", 10**9)


@needs_dev_zero
@needs_symlinks
def test_a_link_to_a_device_is_a_device(tmp_path):
    link = tmp_path / "photo.png"
    link.symlink_to("/dev/zero")
    with pytest.raises(ReadRefused, match=r"photo\.png is a device"):
        read_bytes_limited(link, 10**9)
    assert safe_files.regular_file_problem(link) == "is a device, not a regular file"


def test_a_socket_is_refused(tmp_path):
    with unix_socket(tmp_path / "s.json") as path, \
            pytest.raises(ReadRefused, match=r"s\.json is a socket"):
        read_bytes_limited(path, 1000)


def test_a_folder_and_a_missing_file_are_refused(tmp_path):
    with pytest.raises(ReadRefused, match="is a folder, not a file"):
        read_bytes_limited(tmp_path, 1000)
    with pytest.raises(FileMissing, match=r"gone\.json does not exist"):
        read_json_limited(tmp_path / "gone.json", 1000)


def test_the_size_limit(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"[" + b"1," * 600 + b"1]")
    with pytest.raises(ReadRefused, match=r"big\.json is 1 KB, more than the limit of 1000 bytes"):
        read_bytes_limited(path, 1000)
    assert len(read_bytes_limited(path, 2000)) == 1203


def test_a_file_that_grows_after_it_was_measured_is_cut_at_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "growing.json"
    path.write_bytes(b"[]")
    real_fstat = os.fstat

    def fstat_then_grow(fd):
        info = real_fstat(fd)
        with open(path, "ab") as fh:  # another program appends after the size was checked
            fh.write(b" " * 5000)
        return info

    monkeypatch.setattr(os, "fstat", fstat_then_grow)
    with pytest.raises(ReadRefused, match="more than the limit of 1000 bytes"):
        read_bytes_limited(path, 1000)


HOSTILE_JSON = {
    "nested a million deep": (b"[" * 1_000_000 + b"]" * 1_000_000, "nested more than 32"),
    "nested 33 deep": (b"[" * 33 + b"]" * 33, "nested more than 32"),
    "an integer of 5000 digits": (b"[" + b"7" * 5000 + b"]", "integer with 5000 digits"),
    "a negative integer of 100 digits": (b"[-" + b"7" * 100 + b"]", "100 digits"),
    "NaN": (b'{"bias": NaN}', "holds NaN"),
    "Infinity": (b"[Infinity]", "holds Infinity"),
    "-Infinity": (b"[-Infinity]", "holds -Infinity"),
    "a float too large": (b"[1e999]", "1e999, which is too large to be finite"),
    "not JSON": (b"{this is not", "not valid JSON (line 1, column 2"),
    "empty": (b"", "not valid JSON"),
    "not UTF-8": (b"\xff\xfe\x00[", "not a text file"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_JSON))
def test_hostile_json_is_refused_with_one_kind_of_error(tmp_path, case):
    data, phrase = HOSTILE_JSON[case]
    path = tmp_path / "settings.json"
    path.write_bytes(data)
    with pytest.raises(ReadRefused) as info:
        read_json_limited(path, 16 * 2**20)
    assert isinstance(info.value, ValueError)
    assert str(info.value).startswith("settings.json ")
    assert phrase in str(info.value)
    assert path.read_bytes() == data  # reading never changes the file


def test_json_within_the_limits_reads(tmp_path):
    path = tmp_path / "ok.json"
    deep = "[" * 31 + "]" * 31  # 32 levels with the object around it
    doc = {"brackets in text": "[[[[{{{{", "quote": 'a "[" b', "deep": json.loads(deep),
           "big": 10**39, "small": -1.5e-300}
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert read_json_limited(path, 10_000) == doc
    path.write_bytes(b"\xef\xbb\xbf[1]")  # a byte-order mark, as some editors write
    assert read_json_limited(path, 100) == [1]


# --- stale temporary files ---------------------------------------------------------------------

def test_stale_temp_files_are_cleaned_and_fresh_ones_kept(tmp_path):
    old = [tmp_path / f".kernels.json.{i}abc.tmp" for i in range(3)]
    fresh = tmp_path / ".kernels.json.new1.tmp"
    other = tmp_path / ".settings.json.x.tmp"
    for p in (*old, fresh, other):
        p.write_bytes(b"half a save")
    an_hour_ago = time.time() - 3600
    for p in (*old, other):
        os.utime(p, (an_hour_ago, an_hour_ago))
    (tmp_path / "kernels.json").write_bytes(OLD)
    removed = clean_stale_temp_files(tmp_path, ".kernels.json.*.tmp", older_than=60)
    assert sorted(removed) == sorted(old)
    assert folder_files(tmp_path) == sorted([".kernels.json.new1.tmp", ".settings.json.x.tmp",
                                             "kernels.json"])
    assert (tmp_path / "kernels.json").read_bytes() == OLD


@needs_symlinks
def test_cleaning_never_follows_a_link_or_empties_a_folder(tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_bytes(OLD)
    (tmp_path / ".k.json.link.tmp").symlink_to(precious)
    (tmp_path / ".k.json.dir.tmp").mkdir()
    assert clean_stale_temp_files(tmp_path, ".k.json.*.tmp", older_than=-1) == []
    assert precious.read_bytes() == OLD
    assert clean_stale_temp_files(tmp_path / "missing", "*.tmp", older_than=0) == []


# --- the lock ----------------------------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from explorer.core.safe_files import file_lock
with file_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_lock_held_by_another_process_times_out_with_a_message(tmp_path):
    lock = tmp_path / ".kernels.json.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(lock)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockTimeout) as info, \
                file_lock(lock, timeout=0.2, what="the kernel library kernels.json"):
            pass
        assert str(info.value) == ("the kernel library kernels.json is being saved by another "
                                   "CNN Explorer window; nothing was changed, try again in a "
                                   "moment")
    finally:
        holder.communicate("done\n", timeout=30)
    with file_lock(lock, timeout=5):  # released when the other process let go
        pass


def test_a_lock_where_no_folder_can_be_says_so(tmp_path):
    with file_lock(tmp_path / "new" / ".lock", what="x"):  # a missing folder is made
        assert (tmp_path / "new").is_dir()
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(WriteFailed) as info, file_lock(tmp_path / "file" / ".lock", what="x"):
        pass
    assert str(info.value) == ("could not lock x for saving: a part of the path is a file, "
                               "not a folder")


# --- names no file can have, file systems without locks, debris of killed saves ----------------

def test_a_null_character_in_a_name_is_refused_with_a_sentence(tmp_path):
    bad = str(tmp_path / "a\0b.png")
    with pytest.raises(ReadRefused, match="has a name no file can have"):
        read_bytes_limited(bad, 100)
    with pytest.raises(WriteFailed, match="has a name no file can have"):
        atomic_write(bad, b"x")
    assert safe_files.regular_file_problem(bad) == safe_files.BAD_NAME
    assert folder_files(tmp_path) == []


def test_a_name_too_long_for_the_system_is_refused_with_a_sentence(tmp_path):
    long_name = tmp_path / ("n" * 5000 + ".json")
    with pytest.raises(ReadRefused, match="the file name is too long"):
        read_json_limited(long_name, 100)
    with pytest.raises(WriteFailed, match="the file name is too long"):
        atomic_write(long_name, b"x")
    assert "too long" in safe_files.regular_file_problem(long_name)


@pytest.mark.skipif(os.name == "nt", reason="flock is POSIX")
def test_a_drive_without_locks_still_saves(tmp_path, monkeypatch):
    import fcntl

    def no_locks(_fd, _op):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with file_lock(tmp_path / ".lock"):
        atomic_write(tmp_path / "k.json", b"saved")
    assert (tmp_path / "k.json").read_bytes() == b"saved"

    def broken(_fd, _op):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(fcntl, "flock", broken)
    with pytest.raises(WriteFailed) as info, file_lock(tmp_path / ".lock", what="k.json"):
        pass
    assert str(info.value).startswith("could not lock k.json for saving: the drive reported "
                                      "an input/output error")


def test_a_save_removes_the_debris_of_an_earlier_killed_save_of_the_same_file(tmp_path):
    debris = tmp_path / ".slide.png.1a2b3c4d.tmp"
    recent = tmp_path / ".slide.png.5e6f7a8b.tmp"  # maybe a save running right now
    other = tmp_path / ".other.png.1a2b3c4d.tmp"
    for p in (debris, recent, other):
        p.write_bytes(b"half a picture")
    long_ago = time.time() - 2 * safe_files.STALE_TEMP_SECONDS
    for p in (debris, other):
        os.utime(p, (long_ago, long_ago))
    atomic_write(tmp_path / "slide.png", b"new")
    assert folder_files(tmp_path) == sorted([recent.name, other.name, "slide.png"])


# --- the same refusals for JSON already in memory, and for plain text --------------------------

@pytest.mark.parametrize("case", sorted(HOSTILE_JSON))
def test_json_in_memory_is_refused_as_a_file_is(case):
    data, phrase = HOSTILE_JSON[case]
    with pytest.raises(ReadRefused) as info:
        safe_files.parse_json_limited(data, "the stored layer")
    assert str(info.value).startswith("the stored layer ")
    assert phrase in info.value.problem and info.value.path is None
    if data.isascii():  # the same from text
        with pytest.raises(ReadRefused, match=re.escape(phrase)):
            safe_files.parse_json_limited(data.decode("ascii"), "the stored layer")


def test_json_in_memory_within_the_limits_reads():
    assert safe_files.parse_json_limited('{"stride": 2, "name": "Wärme"}') == \
        {"stride": 2, "name": "Wärme"}


def test_read_text_limited(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Sobel ✓", encoding="utf-8")
    assert safe_files.read_text_limited(path, 100) == "Sobel ✓"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ReadRefused, match=r"notes\.txt is not a text file"):
        safe_files.read_text_limited(path, 100)
    with pytest.raises(ReadRefused, match="is a folder"):
        safe_files.read_text_limited(tmp_path, 100)


# --- names other systems refuse (CI runs on Linux: their rules are simulated) ------------------

@pytest.mark.parametrize(("name", "words"), [
    ("CON.png", "a name Windows keeps for a device (CON)"),
    ("nul", "(NUL)"), ("Com1.json", "(COM1)"), ("lpt9.tar.gz", "(LPT9)"), ("aux .png", "(AUX)"),
    ("a:b.png", "does not allow"), ("why?.png", "does not allow"), ("tab\there.png", "allow"),
    ("slide.png.", "ends in a space or a dot"), ("slide.png ", "ends in a space or a dot"),
])
def test_names_windows_refuses_are_said_before_any_work(tmp_path, monkeypatch, name, words):
    assert name_problem(tmp_path / name, "Linux") is None  # fine where the tests run
    problem = name_problem(tmp_path / name, "Windows")
    assert problem is not None and words in problem
    monkeypatch.setattr(safe_files, "SYSTEM", "Windows")
    with pytest.raises(WriteFailed) as info:
        atomic_write(tmp_path / name, b"data")
    assert str(info.value) == f"{name} {problem}"
    assert folder_files(tmp_path) == []


@pytest.mark.parametrize("name", ["CONSOLE.png", "connect.json", "com10.txt", "nul_map.png",
                                  "a.con", "report.v2"])
def test_names_that_only_look_like_devices_are_fine_on_windows(tmp_path, name):
    assert name_problem(tmp_path / name, "Windows") is None


def test_a_path_windows_finds_too_long(tmp_path):
    folder = "f" * 100
    short = tmp_path / "a.png"
    long = tmp_path / folder / folder / "a.png"
    assert name_problem(short, "Windows") is None
    problem = name_problem(long, "Windows")
    assert problem is not None and "Windows allows 259" in problem
    assert f"has a path of {len(str(long))} characters" in problem
    assert name_problem(long, "Linux") is None


def test_a_colon_on_macos(tmp_path):
    assert "colon" in name_problem(tmp_path / "10:30.png", "Darwin")
    assert name_problem(tmp_path / "10-30.png", "Darwin") is None
