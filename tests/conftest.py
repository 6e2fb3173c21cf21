"""Test setup: headless Qt, a private settings/data folder, and no leftover threads (Python
threads and QThreads) or child processes."""

from __future__ import annotations

import contextlib
import glob
import json
import multiprocessing
import os
import tempfile
import threading
import time
import weakref

# Before anything imports Qt: no screen in CI, and never the user's real settings or library.
_HOME = tempfile.mkdtemp(prefix="cnn-explorer-tests-")
# The offscreen platform's own 800×800 screen, still the primary one (screens are made in
# the order of their names), then screens of the sizes the window must fit (a classroom
# projector, a laptop, a desktop) side by side: a test moves the window onto one as a user
# drags it there. Presentation mode is measured on a 16:9 projector of its own.
SCREEN_SIZES = ((1024, 768), (1280, 800), (1600, 1000))
PROJECTOR_SIZE = (1280, 720)
_screens = [{"name": "0 default", "x": 0, "y": 0, "width": 800, "height": 800}]
_x = 800
for _w, _h in (*SCREEN_SIZES, PROJECTOR_SIZE):
    _screens.append({"name": f"{_w}x{_h}", "x": _x, "y": 0, "width": _w, "height": _h})
    _x += _w
# a small screen no window goes to, where each test starts with the pointer (see below)
_screens.append({"name": "z pointer rest", "x": _x, "y": 0, "width": 32, "height": 32})
_POINTER_REST = (_x + 16, 16)
for _screen in _screens:
    _screen.update(logicalDpi=96, dpr=1)
_SCREEN_FILE = os.path.join(_HOME, "screens.json")
with open(_SCREEN_FILE, "w", encoding="utf-8") as _file:
    json.dump({"screens": _screens}, _file)
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN_FILE}"
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["XDG_CACHE_HOME"] = os.path.join(_HOME, "cache")
os.environ["XDG_STATE_HOME"] = os.path.join(_HOME, "state")

import pytest  # noqa: E402
from PySide6.QtCore import QThread  # noqa: E402
from PySide6.QtGui import QCursor, QGuiApplication  # noqa: E402

import explorer.core.convolution  # noqa: E402, F401  (starts the engine's pool before any test)

# The convolution engine keeps a small worker pool for the life of the process, by design.
PERSISTENT_THREADS = ("explorer-convolve",)
# multiprocessing's helper that cleans up after its children lives as long as the process
PERSISTENT_CHILDREN = ("multiprocessing.resource_tracker",)


# Every QThread started from Python, so that the fixture below can see the running ones: Qt
# keeps no list of its threads, and a QThread is no Python thread unless it calls into one.
_STARTED_QTHREADS: weakref.WeakSet = weakref.WeakSet()
_qthread_start = QThread.start


def _recording_start(self, *args, **kwargs):
    _STARTED_QTHREADS.add(self)
    return _qthread_start(self, *args, **kwargs)


QThread.start = _recording_start


def _running_qthreads() -> set:
    running = set()
    for t in list(_STARTED_QTHREADS):
        try:
            if t.isRunning():
                running.add(t)
        except RuntimeError:  # its C++ object is gone, so is the thread
            continue
    return running


def _child_processes() -> set[int]:
    """The process ids of this process's living children (Linux reads them from /proc;
    elsewhere multiprocessing's own list)."""
    children = {p.pid for p in multiprocessing.active_children()}
    for task in glob.glob(f"/proc/{os.getpid()}/task/*/children"):
        with contextlib.suppress(OSError), open(task) as fh:
            children.update(int(pid) for pid in fh.read().split())
    return {pid for pid in children if _alive(pid)}


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] == "Z":  # a zombie has ended
                return False
    except OSError:
        return any(p.pid == pid and p.is_alive() for p in multiprocessing.active_children())
    return not any(helper in _command(pid) for helper in PERSISTENT_CHILDREN)


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return str(pid)


@pytest.fixture(autouse=True)
def _no_leftover_threads():
    """Every test must join the Python threads and QThreads it started, and end its child
    processes."""
    before = set(threading.enumerate())
    qthreads_before = _running_qthreads()
    children_before = _child_processes()
    yield
    leftover = [
        t for t in threading.enumerate()
        if t not in before and t.is_alive() and not t.name.startswith(PERSISTENT_THREADS)
    ]
    for t in leftover:
        t.join(timeout=5)
    still = [t.name for t in leftover if t.is_alive()]
    assert not still, f"threads left running after the test: {still}"
    qthreads = _running_qthreads() - qthreads_before
    for t in qthreads:
        t.wait(5000)
    still = [t.objectName() or type(t).__name__ for t in qthreads if t.isRunning()]
    assert not still, f"QThreads left running after the test: {still}"
    deadline = time.monotonic() + 5
    children = _child_processes() - children_before
    while children and time.monotonic() < deadline:
        time.sleep(0.05)
        children = _child_processes() - children_before
    assert not children, \
        f"child processes left running after the test: {[_command(p) for p in children]}"


# Off every window a test opens: Qt sends no move event when the pointer is already where
# a test moves it, and every test window opens at the same place, so a hover an earlier
# test ended on would silently do nothing.


@pytest.fixture(autouse=True)
def _pointer_at_rest():
    """Every test starts with the pointer away from its windows."""
    if QGuiApplication.instance() is not None:
        QCursor.setPos(*_POINTER_REST)
    yield
