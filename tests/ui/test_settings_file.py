"""The settings file in every state a user's machine can leave it: the app never blocks or
crashes at start or at quit, starts on its defaults with a note, leaves the file as it is, and
keeps the session in a fallback file named in the note."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from explorer.ui import settings_io
from tests.hostile import named_pipe, needs_dev_zero, needs_fifo, needs_symlinks


@pytest.fixture
def paths(tmp_path, monkeypatch):
    """The settings file and its fallback in this test's own folders."""
    main = tmp_path / "config" / "CNN Explorer" / "cnn-explorer.json"
    fallback = tmp_path / "state" / "CNN Explorer" / "cnn-explorer.json"
    main.parent.mkdir(parents=True)
    monkeypatch.setattr(settings_io, "settings_file", lambda: main)
    monkeypatch.setattr(settings_io, "fallback_settings_file", lambda: fallback)
    yield main, fallback
    settings_io._store = None


def _starts_on_the_fallback(main: Path, fallback: Path, words: str) -> None:
    notes = settings_io.open_settings()
    assert len(notes) == 1, notes
    assert f"The settings file {main} {words}" in notes[0]
    assert f"keeps this run's settings in {fallback} instead" in notes[0]
    store = settings_io.settings()
    assert store.path == fallback
    store.setValue("recent", json.dumps(["/pictures/cat.png"]))
    assert json.loads(fallback.read_text())["values"]["recent"] == '["/pictures/cat.png"]'


@needs_fifo
def test_a_named_pipe_is_never_opened(paths):
    main, fallback = paths
    with named_pipe(main):
        _starts_on_the_fallback(main, fallback, "is a named pipe (FIFO), not a regular file")
        assert stat.S_ISFIFO(os.lstat(main).st_mode)


def test_a_folder_is_left_alone(paths):
    main, fallback = paths
    main.mkdir()
    _starts_on_the_fallback(main, fallback, "is a folder, not a file")
    assert main.is_dir() and list(main.iterdir()) == []


@needs_dev_zero
def test_a_link_to_a_device_is_never_read(paths):
    main, fallback = paths
    main.symlink_to("/dev/zero")
    _starts_on_the_fallback(main, fallback, "is a device, not a regular file")
    assert os.readlink(main) == "/dev/zero"


@needs_symlinks
def test_a_loop_of_links_is_not_replaced_by_a_file(paths):
    main, fallback = paths
    main.symlink_to(main)
    _starts_on_the_fallback(main, fallback, "could not be read (the path goes round a loop "
                                            "of symbolic links)")
    assert os.readlink(main) == str(main)


def test_an_unreadable_or_unwritable_file_is_left_alone(paths, monkeypatch):
    main, fallback = paths
    main.write_text('{"format": "cnn-explorer-settings", "version": 1, "values": {}}')
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == main
                        else real_access(p, mode, **kw))
    _starts_on_the_fallback(main, fallback, "cannot be read and written (permission denied)")


def test_a_protected_folder_is_left_alone(paths, monkeypatch):
    main, fallback = paths
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == main.parent
                        else real_access(p, mode, **kw))
    _starts_on_the_fallback(main, fallback, "cannot be written: the folder “CNN Explorer” is "
                                            "protected")


def test_a_file_where_the_folder_should_be(paths):
    main, fallback = paths
    main.parent.rmdir()
    main.parent.write_text("not a folder")
    _starts_on_the_fallback(main, fallback, "cannot be reached (a part of the path is a file, "
                                            "not a folder)")


def test_a_damaged_file_is_set_aside_and_a_new_one_made(paths):
    main, _fallback = paths
    main.write_text("[General]\nsession=from an old version, cut short")
    notes = settings_io.open_settings()
    assert len(notes) == 1 and "is not valid JSON" in notes[0] and "set aside as" in notes[0]
    assert not main.exists() and len(list(main.parent.glob("*.unreadable-*"))) == 1
    settings_io.settings().setValue("recent", "[]")
    assert main.is_file()


def test_a_kept_session_larger_than_the_limit_is_said_not_dropped(paths, monkeypatch):
    from explorer.state import Document

    settings_io.open_settings()
    monkeypatch.setattr(settings_io, "MAX_SESSION_BYTES", 100)
    settings_io.settings().setValue("session", '{"format": "cnn-explorer-session"' + " " * 200
                                    + "}")
    notes = settings_io.restore_document(Document())
    assert notes == ["The kept session is larger than 0 MB, so it was not restored; the app "
                     "starts with its defaults"]


# --- the real app, started and ended as the system does -----------------------------------------

APP = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])

    def ready():
        windows = [w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow"
                   and w.isVisible()]
        if not windows:  # a slow start: look again in a moment
            QTimer.singleShot(200, ready)
            return
        window = windows[0]
        window.document.layer.stride = 3  # work to keep
        print("notes:", window.banner.text().replace("\\n", " | "), flush=True)
        print("ready", flush=True)
        if "--close" in sys.argv:
            window.close()

    QTimer.singleShot(1000, ready)
    from explorer.app import main
    sys.exit(main([a for a in sys.argv[1:] if a != "--close"]))
""")


def _start(home: Path, *args: str, platform: str = "offscreen") -> subprocess.Popen:
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_STATE_HOME": str(home / "state"), "XDG_DATA_HOME": str(home / "data"),
           "QT_QPA_PLATFORM": platform}
    return subprocess.Popen([sys.executable, "-c", APP, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=Path.cwd())


def _wait_ready(proc: subprocess.Popen, timeout: float = 120) -> str:
    """The start-up notes the window shows, once it is ready; a start that blocks (on a
    pipe, say) is killed after ``timeout`` seconds and fails the test."""
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    try:
        notes = ""
        for line in proc.stdout:
            if line.startswith("notes:"):
                notes = line
            if line.strip() == "ready":
                return notes
    finally:
        watchdog.cancel()
        watchdog.join()
    raise AssertionError(f"the app was not ready within {timeout} s: {proc.stderr.read()}")


def _kept_stride(settings: Path) -> int:
    session = json.loads(json.loads(settings.read_text())["values"]["session"])
    return session["stack"][0]["settings"]["stride"]


# the settings file of this version, and the one earlier versions kept (read once to bring
# their settings over): a pipe or a folder at either must not stop the app
NAMES = ("cnn-explorer.json", "cnn-explorer.conf")


@needs_fifo
def test_the_app_starts_past_a_pipe_and_keeps_the_session_on_sigterm(tmp_path):
    folder = tmp_path / "config" / "CNN Explorer"
    folder.mkdir(parents=True)
    for name in NAMES:
        os.mkfifo(folder / name)
    proc = _start(tmp_path)
    try:
        notes = _wait_ready(proc)
        assert "is a named pipe (FIFO)" in notes and "state/CNN Explorer" in notes
        proc.send_signal(signal.SIGTERM)  # a logout or a shutdown
        assert proc.wait(60) == 0, proc.stderr.read()
    finally:
        proc.kill()
        proc.communicate()
    assert all(stat.S_ISFIFO(os.lstat(folder / name).st_mode) for name in NAMES)
    assert _kept_stride(tmp_path / "state" / "CNN Explorer" / "cnn-explorer.json") == 3


def test_sigterm_keeps_the_session_in_the_settings_file(tmp_path):
    proc = _start(tmp_path)
    try:
        _wait_ready(proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0, proc.stderr.read()
    finally:
        proc.kill()
        proc.communicate()
    assert _kept_stride(tmp_path / "config" / "CNN Explorer" / "cnn-explorer.json") == 3


def _xvfb() -> list[str]:
    from shutil import which

    if not sys.platform.startswith("linux") or which("xvfb-run") is None:
        pytest.skip("needs xvfb-run: the crash at quit shows on a real X server")
    return ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"]


@pytest.mark.parametrize("state", ["folder", "protected folder"])
def test_quitting_never_crashes_whatever_the_settings_file_is(tmp_path, state):
    main = tmp_path / "config" / "CNN Explorer" / "cnn-explorer.json"
    main.parent.mkdir(parents=True)
    if state == "folder":
        for name in NAMES:
            (main.parent / name).mkdir()
    else:  # writable at start, protected before the quit: the save at quit fails
        main.parent.chmod(0o500)
        if os.access(main.parent, os.W_OK):
            main.parent.chmod(0o700)
            pytest.skip("running as an administrator: no folder is protected from us")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "QT_QPA_PLATFORM": "xcb"}
    try:
        done = subprocess.run([*_xvfb(), sys.executable, "-c", APP, "--close"],
                              capture_output=True, text=True, timeout=120, env=env)
    finally:
        main.parent.chmod(0o700)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _kept_stride(tmp_path / "state" / "CNN Explorer" / "cnn-explorer.json") == 3
