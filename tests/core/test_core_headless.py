"""``explorer.core`` must import and compute with every Qt binding out of reach.

The layering rule (ui → state → core, never back) is what lets the engine run in tests, in
benchmarks and on machines without a display; this test is its contract.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import importlib
    import pkgutil
    import sys

    BLOCKED = ("PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph", "qtpy",
               "superqt")

    class BlockQt:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"explorer.core imported {name}")
            return None

    sys.meta_path.insert(0, BlockQt())

    import numpy as np

    import explorer.core

    names = sorted(m.name for m in pkgutil.iter_modules(explorer.core.__path__))
    for name in names:
        importlib.import_module(f"explorer.core.{name}")

    from explorer.core.convolution import convolve

    maps = convolve(np.array([[10, 10, 10, 0, 0, 0]] * 6), np.array([[1, 0, -1]] * 3))
    assert maps[:, :, 0].tolist() == [[0, 30, 30, 0]] * 4, maps
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert not loaded, loaded
    print("core modules:", " ".join(names))
    """
)


def test_core_imports_and_convolves_with_qt_blocked():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    modules = done.stdout.split(":", 1)[1].split()
    assert {"convolution", "pooling", "activations", "shapes"} <= set(modules)
