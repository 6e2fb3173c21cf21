"""The command line: batch screenshots for lectures, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage

from explorer.app import main
from explorer.resources import resource_path


def test_screenshot_writes_a_full_window_png(qtbot, tmp_path):
    out = tmp_path / "shot.png"
    code = main(["--image", str(resource_path("samples", "brick.png")),
                 "--preset", "sobel_x", "--screenshot", str(out)])
    assert code == 0
    image = QImage(str(out))
    assert image.width() >= 1280 and image.height() >= 800


def test_bad_preset_and_missing_image_exit_non_zero_with_one_line(tmp_path):
    for args, word in ((["--preset", "nope", "--screenshot", "x.png"], "nope"),
                       (["--image", str(tmp_path / "missing.png"), "--screenshot", "x.png"],
                        "missing.png")):
        proc = subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                              text=True, timeout=120, cwd=tmp_path)
        assert proc.returncode != 0
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and word in lines[0]
        assert not (tmp_path / "x.png").exists()


def test_broken_image_exits_non_zero(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"garbage")
    proc = subprocess.run([sys.executable, "-m", "explorer", "--image", str(bad),
                           "--screenshot", str(tmp_path / "x.png")],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode != 0
    assert "bad.png" in proc.stderr
