"""GIF, MP4 and numbered PNG frames, read back; files replaced whole or not at all."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest
from PIL import Image

from explorer.core.animation import AnimationFile, check_writable, frame_paths, save_animation

SIZE = (96, 160)  # rows, columns: small, even (MP4 wants even sides)


def frames(count=5):
    """A white picture with a red square moving right and a blue bar at the top."""
    out = []
    for i in range(count):
        f = np.full((*SIZE, 3), 255, np.uint8)
        f[:8] = (0, 0, 255)
        f[40:72, 10 + 22 * i : 42 + 22 * i] = (255, 0, 0)
        out.append(f)
    return out


def red_columns(rgb):
    red = (rgb[:, :, 0] > 180) & (rgb[:, :, 1] < 80) & (rgb[:, :, 2] < 80)
    cols = np.nonzero(red.any(axis=0))[0]
    return cols.min(), cols.max()


def test_gif_reads_back_frame_by_frame(tmp_path):
    out = tmp_path / "steps.gif"
    assert save_animation(frames(), out, frame_ms=300) == [out]
    with Image.open(out) as gif:
        assert gif.n_frames == 5
        assert gif.size == (SIZE[1], SIZE[0])
        assert gif.info["duration"] == 300
        pictures = []
        for i in range(gif.n_frames):
            gif.seek(i)
            pictures.append(np.asarray(gif.convert("RGB")))
    for i, rgb in enumerate(pictures):
        assert red_columns(rgb) == (10 + 22 * i, 41 + 22 * i)
        assert tuple(rgb[2, 80]) == (0, 0, 255)
    assert not np.array_equal(pictures[0], pictures[1])


def test_mp4_reads_back(tmp_path):
    out = tmp_path / "steps.mp4"
    save_animation(frames(6), out, frame_ms=500)
    cap = cv2.VideoCapture(str(out))
    try:
        assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(2.0)  # 500 ms a frame
        pictures = []
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            pictures.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    finally:
        cap.release()
    assert len(pictures) == 6
    assert pictures[0].shape == (*SIZE, 3)
    for i, rgb in enumerate(pictures):
        lo, hi = red_columns(rgb)  # lossy: the square's edges may blur by a pixel or two
        assert abs(lo - (10 + 22 * i)) <= 2 and abs(hi - (41 + 22 * i)) <= 2


def boxes(data: bytes, start: int = 0, end: int | None = None):
    """The MP4 boxes (size, type, body) between ``start`` and ``end``, read by hand."""
    end = len(data) if end is None else end
    at = start
    while at + 8 <= end:
        size = int.from_bytes(data[at:at + 4], "big")
        kind = data[at + 4:at + 8].decode("latin-1")
        head = 8
        if size == 1:
            size, head = int.from_bytes(data[at + 8:at + 16], "big"), 16
        yield kind, data[at + head:at + size], at
        at += size


def box(data: bytes, *path: str) -> bytes:
    body = data
    for kind in path:
        body = next(b for k, b, _ in boxes(body) if k == kind)
    return body


def test_mp4_is_h264_in_yuv420p_that_a_browser_plays(tmp_path):
    out = tmp_path / "steps.mp4"
    save_animation(frames(6), out, frame_ms=800)
    data = out.read_bytes()
    top = [k for k, _, _ in boxes(data)]
    assert top.index("moov") < top.index("mdat")  # the index first: it plays while loading
    stbl = box(data, "moov", "trak", "mdia", "minf", "stbl")
    stsd = box(stbl, "stsd")
    assert stsd[12:16] == b"avc1"  # the sample entry's codec: H.264
    avcc = stsd[8 + 8 + 78:]  # the visual sample entry's fixed part, then its boxes
    avcc = box(avcc, "avcC")
    assert avcc[1] in (66, 77, 100)  # baseline, main or high profile: browsers decode them
    # each frame lasts 800 ms: the media's duration over its time scale is 6 × 0.8 s
    mdhd = box(data, "moov", "trak", "mdia", "mdhd")
    scale = int.from_bytes(mdhd[12:16], "big")
    duration = int.from_bytes(mdhd[16:20], "big")
    assert duration / scale == pytest.approx(4.8)
    # and FFmpeg, through the app's dependency, names it so
    from explorer.core.video import video_codec

    assert video_codec(out) == ("h264", "yuv420p")


def test_an_odd_sized_video_is_written_one_row_and_column_larger(tmp_path):
    out = tmp_path / "odd.mp4"
    save_animation([np.full((45, 81, 3), 200, np.uint8)] * 2, out, frame_ms=100)
    cap = cv2.VideoCapture(str(out))
    try:
        ok, bgr = cap.read()
    finally:
        cap.release()
    assert ok and bgr.shape == (46, 82, 3)
    assert np.abs(bgr.astype(int) - 200).max() <= 6


def test_numbered_pngs(tmp_path):
    written = save_animation(frames(3), tmp_path / "step.png")
    assert [p.name for p in written] == ["step_001.png", "step_002.png", "step_003.png"]
    assert frame_paths(tmp_path / "a.png", 1000)[-1].name == "a_1000.png"
    for i, path in enumerate(written):
        rgb = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
        assert red_columns(rgb) == (10 + 22 * i, 41 + 22 * i)


def test_a_failed_write_leaves_the_old_file_and_no_litter(tmp_path):
    out = tmp_path / "steps.gif"
    out.write_bytes(b"the old animation")
    bad = [*frames(2), np.zeros((10, 10, 3), np.uint8)]  # a frame of another size
    with pytest.raises(ValueError, match="one size"):
        save_animation(bad, out)
    assert out.read_bytes() == b"the old animation"
    assert os.listdir(tmp_path) == ["steps.gif"]
    save_animation(frames(2), out)  # a good write replaces it
    with Image.open(out) as gif:
        assert gif.n_frames == 2


def test_unwritable_targets_are_refused_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        check_writable(tmp_path / "missing" / "a.gif")
    with pytest.raises(ValueError, match=r"\.gif, \.mp4 or \.png"):
        check_writable(tmp_path / "a.avi")
    with pytest.raises(ValueError, match="frame lasts"):
        save_animation(frames(2), tmp_path / "a.gif", frame_ms=5)
    with pytest.raises(ValueError, match="no frames"):
        save_animation([], tmp_path / "a.mp4")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("suffix", [".gif", ".mp4", ".png"])
def test_a_file_closed_before_it_is_finished_leaves_the_old_one_and_no_litter(tmp_path,
                                                                             suffix):
    out = tmp_path / f"steps{suffix}"
    out.write_bytes(b"the old animation")
    with AnimationFile(out, 300) as animation:
        for frame in frames(3):  # a cancel after three frames
            animation.add(frame)
        assert animation.count == 3
    assert out.read_bytes() == b"the old animation"
    assert os.listdir(tmp_path) == [out.name]
    with AnimationFile(out, 300) as animation:  # the same frames, finished, replace it
        for frame in frames(3):
            animation.add(frame)
        written = animation.finish()
    assert written[0].parent == tmp_path and ".tmp" not in written[0].name
    if suffix == ".png":
        assert [p.name for p in written] == [f"steps_00{i}.png" for i in (1, 2, 3)]
        last = cv2.cvtColor(cv2.imread(str(written[2])), cv2.COLOR_BGR2RGB)
        assert red_columns(last) == (10 + 44, 41 + 44)
    elif suffix == ".gif":
        with Image.open(out) as gif:
            assert gif.n_frames == 3
            gif.seek(2)
            assert red_columns(np.asarray(gif.convert("RGB"))) == (10 + 44, 41 + 44)
    else:
        cap = cv2.VideoCapture(str(out))
        try:
            assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 3
        finally:
            cap.release()
