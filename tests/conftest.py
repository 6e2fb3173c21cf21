"""Test setup: headless Qt, a private settings/data folder, and no leftover threads."""

from __future__ import annotations

import os
import tempfile
import threading

# Before anything imports Qt: no screen in CI, and never the user's real settings or library.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
_HOME = tempfile.mkdtemp(prefix="cnn-explorer-tests-")
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
