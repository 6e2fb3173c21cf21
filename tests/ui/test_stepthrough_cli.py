"""cnn-explorer --step-through EXAMPLE --save-animation OUT: slides in batch, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys

import cv2
import numpy as np
import pytest
from PIL import Image


def run(tmp_path, *args):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("QT_QPA_PLATFORM", None)  # batch mode must go offscreen by itself
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path, env=env)


def test_the_lecture_edge_as_a_gif(tmp_path):
    out = tmp_path / "edge.gif"
    proc = run(tmp_path, "--step-through", "lecture-edge", "--save-animation", str(out),
               "--frame-ms", "400")
    assert proc.returncode == 0, proc.stderr
    with Image.open(out) as gif:
        assert gif.n_frames >= 16  # one frame per output position at least
        assert gif.size[0] >= 960 and gif.size[1] >= 540
        assert gif.info["duration"] == 400
        gif.seek(0)
        first = np.asarray(gif.convert("RGB"))
        gif.seek(5)
        sixth = np.asarray(gif.convert("RGB"))
    assert not np.array_equal(first, sixth)
    assert len(np.unique(first.reshape(-1, 3), axis=0)) > 4  # a picture, not a flat colour
    # a batch export never writes the user's settings
    assert not (tmp_path / "config").exists() or not any((tmp_path / "config").rglob("*"))


def test_the_lecture_volume_as_an_mp4(tmp_path):
    out = tmp_path / "volume.mp4"
    proc = run(tmp_path, "--step-through", "lecture-volume", "--save-animation", str(out))
    assert proc.returncode == 0, proc.stderr
    cap = cv2.VideoCapture(str(out))
    try:
        count = 0
        frames = []
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            count += 1
            if count in (1, 10):
                frames.append(bgr)
    finally:
        cap.release()
    assert count >= 18  # 3×3 outputs × 2 filters
    assert frames[0].shape[0] >= 540 and frames[0].shape[1] >= 960
    assert np.abs(frames[0].astype(int) - frames[1]).mean() > 0.5


@pytest.mark.parametrize(("args", "word"), [
    (["--step-through", "nope", "--save-animation", "x.gif"], "nope"),
    (["--step-through", "lecture-edge", "--save-animation", "missing/x.gif"], "missing"),
    (["--step-through", "lecture-edge", "--save-animation", "x.avi"], ".avi"),
    (["--step-through", "lecture-edge", "--save-animation", "x.gif", "--frame-ms", "1"],
     "frame lasts"),
    (["--save-animation", "x.gif"], "--step-through"),
])
def test_faults_give_one_line_and_a_non_zero_exit(tmp_path, args, word):
    proc = run(tmp_path, *args)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], proc.stderr
    assert not list(tmp_path.glob("x*"))


def test_an_existing_file_is_replaced_whole_only_with_overwrite(tmp_path):
    out = tmp_path / "a.gif"
    out.write_bytes(b"old")
    proc = run(tmp_path, "--step-through", "strides", "--save-animation", str(out))
    assert proc.returncode != 0 and "--overwrite" in proc.stderr
    assert out.read_bytes() == b"old"
    proc = run(tmp_path, "--step-through", "strides", "--save-animation", str(out),
               "--overwrite")
    assert proc.returncode == 0, proc.stderr
    with Image.open(out) as gif:
        assert gif.n_frames == 4
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "config") == ["a.gif"]


def test_numbered_frames_are_not_replaced_without_overwrite(tmp_path):
    old = tmp_path / "frames_003.png"
    old.write_bytes(b"a frame of another lesson")
    proc = run(tmp_path, "--step-through", "strides", "--save-animation",
               str(tmp_path / "frames.png"))
    assert proc.returncode == 2
    assert proc.stderr == ("cnn-explorer: frames_003.png already exists; add --overwrite to "
                           "replace it\n")
    assert old.read_bytes() == b"a frame of another lesson"
    assert sorted(p.name for p in tmp_path.glob("frames*")) == ["frames_003.png"]
    proc = run(tmp_path, "--step-through", "strides", "--save-animation",
               str(tmp_path / "frames.png"), "--overwrite")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.glob("frames*")) == [
        f"frames_00{i}.png" for i in range(1, 5)]
    assert old.read_bytes().startswith(b"\x89PNG")


def test_a_killed_exports_temporary_file_is_cleaned_by_the_next_export(tmp_path):
    debris = tmp_path / ".edge.1a2b3c4d.tmp.gif"  # what a killed export left behind
    debris.write_bytes(b"half a GIF")
    os.utime(debris, (1_000_000_000, 1_000_000_000))
    proc = run(tmp_path, "--step-through", "strides", "--save-animation",
               str(tmp_path / "edge.gif"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "config") == ["edge.gif"]


def test_a_name_without_a_suffix_is_said_plainly(tmp_path):
    proc = run(tmp_path, "--step-through", "strides", "--save-animation", "frames")
    assert proc.returncode == 2
    assert proc.stderr == ("cnn-explorer: frames: an animation is saved as .gif, .mp4 or "
                           ".png; the name has no suffix\n")
