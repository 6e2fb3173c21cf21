"""The command line: batch screenshots for lectures, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from explorer.app import main
from explorer.resources import resource_path

OLD = b"a picture made before, which must survive"


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


# --- batch mode is a script's API: one line and an exit code on every fault ---------------------

def run_batch(*args: str, cwd, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                          text=True, timeout=180, cwd=cwd, env=env)


def one_line(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_an_empty_screenshot_name_is_refused_even_without_a_display(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM",
                                                            "WAYLAND_DISPLAY")}
    proc = run_batch("--screenshot", "", cwd=tmp_path, env=env)
    assert proc.returncode == 2
    assert one_line(proc) == ("cnn-explorer: --screenshot needs a file name, such as "
                              "--screenshot sobel.png")
    assert os.listdir(tmp_path) == []


def test_an_unknown_suffix_or_a_folder_is_refused_and_nothing_is_written(tmp_path):
    (tmp_path / "report.png").write_bytes(OLD)
    (tmp_path / "slides").mkdir()
    for target, message in [
        ("report.v2", "report.v2: a picture is saved as .bmp, .jpeg, .jpg, .png, .tif, .tiff "
                      "or .webp, not .v2"),
        ("slides/", "slides/ names a folder; give a file name"),
        ("slides", "slides is a folder, not a file: it cannot be replaced"),
    ]:
        proc = run_batch("--screenshot", target, cwd=tmp_path)
        assert proc.returncode == 2
        assert one_line(proc) == f"cnn-explorer: {message}"
    assert (tmp_path / "report.png").read_bytes() == OLD
    assert sorted(os.listdir(tmp_path)) == ["report.png", "slides"]
    assert os.listdir(tmp_path / "slides") == []


def test_a_batch_run_replaces_a_file_only_with_overwrite(qtbot, tmp_path):
    out = tmp_path / "shot.png"
    out.write_bytes(OLD)
    proc = run_batch("--screenshot", str(out), cwd=tmp_path)
    assert proc.returncode == 2
    assert one_line(proc) == ("cnn-explorer: shot.png already exists; add --overwrite to "
                              "replace it")
    assert out.read_bytes() == OLD
    code = main(["--image", str(resource_path("samples", "brick.png")), "--preset", "sobel_x",
                 "--screenshot", str(out), "--overwrite"])
    assert code == 0
    image = QImage(str(out))
    assert image.width() >= 1280 and image.height() >= 800
    assert sorted(os.listdir(tmp_path)) == ["shot.png"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_as_the_image_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "photo.png")
    proc = run_batch("--image", "photo.png", "--screenshot", "x.png", cwd=tmp_path)
    assert proc.returncode == 2
    assert one_line(proc) == ("cnn-explorer: photo.png is a named pipe (FIFO), not a regular "
                              "file")
    assert sorted(os.listdir(tmp_path)) == ["photo.png"]


def snapshot(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<folder>"
            for p in sorted(folder.rglob("*"))}


def test_a_batch_run_never_writes_the_users_settings(tmp_path):
    home = tmp_path / "home"
    settings_file = home / "config" / "CNN Explorer" / "cnn-explorer.conf"
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text('[General]\nrecent="[\\"/somewhere/else.png\\"]"\n',
                             encoding="utf-8")
    (home / "data").mkdir()
    before = snapshot(home)
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "QT_QPA_PLATFORM": "offscreen"}
    picture = tmp_path / "brick.png"
    picture.write_bytes(resource_path("samples", "brick.png").read_bytes())
    proc = run_batch("--image", str(picture), "--screenshot", str(tmp_path / "out.png"),
                     cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == ""
    assert snapshot(home) == before
    assert QImage(str(tmp_path / "out.png")).width() >= 1280
