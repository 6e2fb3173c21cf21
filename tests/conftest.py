"""Test setup: headless Qt, a private settings/data folder, and no leftover threads."""

from __future__ import annotations

import json
import os
import tempfile
import threading

# Before anything imports Qt: no screen in CI, and never the user's real settings or library.
_HOME = tempfile.mkdtemp(prefix="cnn-explorer-tests-")
# The offscreen platform's own 800×800 screen, still the primary one (screens are made in
# the order of their names), then screens of the sizes the window must fit (a classroom
# projector, a laptop, a desktop) side by side: a test moves the window onto one as a user
# drags it there.
SCREEN_SIZES = ((1024, 768), (1280, 800), (1600, 1000))
_screens = [{"name": "0 default", "x": 0, "y": 0, "width": 800, "height": 800}]
_x = 800
for _w, _h in SCREEN_SIZES:
    _screens.append({"name": f"{_w}x{_h}", "x": _x, "y": 0, "width": _w, "height": _h})
    _x += _w
for _screen in _screens:
    _screen.update(logicalDpi=96, dpr=1)
_SCREEN_FILE = os.path.join(_HOME, "screens.json")
with open(_SCREEN_FILE, "w", encoding="utf-8") as _file:
    json.dump({"screens": _screens}, _file)
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN_FILE}"
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["XDG_CACHE_HOME"] = os.path.join(_HOME, "cache")

import pytest  # noqa: E402

import explorer.core.convolution  # noqa: E402, F401  (starts the engine's pool before any test)

# The convolution engine keeps a small worker pool for the life of the process, by design.
PERSISTENT_THREADS = ("explorer-convolve",)


@pytest.fixture(autouse=True)
def _no_leftover_threads():
    """Every test must join the Python threads it started."""
    before = set(threading.enumerate())
    yield
    leftover = [
        t for t in threading.enumerate()
        if t not in before and t.is_alive() and not t.name.startswith(PERSISTENT_THREADS)
    ]
    for t in leftover:
        t.join(timeout=5)
    still = [t.name for t in leftover if t.is_alive()]
    assert not still, f"threads left running after the test: {still}"
