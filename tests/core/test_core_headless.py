"""``explorer.core`` and ``explorer.state`` must import and work with every Qt binding out of
reach: every module, subpackages included.

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
    import explorer.state

    names = []
    for package in (explorer.core, explorer.state):
        for m in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(m.name)
            names.append(m.name)

    from explorer.core.convolution import convolve

    maps = convolve(np.array([[10, 10, 10, 0, 0, 0]] * 6), np.array([[1, 0, -1]] * 3))
    assert maps[:, :, 0].tolist() == [[0, 30, 30, 0]] * 4, maps
    from explorer.state import Document
    from explorer.state.session import parse_session, session_dict

    doc = Document()
    doc.layer.stride = 2
    assert parse_session(session_dict(doc)).layers[0].settings.stride == 2
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
    assert not loaded, loaded
    print("modules:", " ".join(sorted(names)))
    """
)


def test_core_and_state_import_and_work_with_qt_blocked():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    modules = set(done.stdout.split(":", 1)[1].split())
    assert {"explorer.core.convolution", "explorer.core.stepthrough.steps",
            "explorer.core.training.trainer", "explorer.state.document",
            "explorer.state.session"} <= modules
