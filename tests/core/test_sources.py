"""Frame sources and the capture thread, without Qt and without a camera.

A synthetic scene, a still and a video file that the tests write stand in for the webcam;
a fake ``cv2.VideoCapture`` plays the camera's part where its fault messages are tested.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

import explorer.core.sources.camera as camera_module
import explorer.core.sources.video as video_module
from explorer.core.sources import (
    CameraSource,
    CaptureThread,
    FrameSource,
    LatestFrame,
    SourceError,
    StillSource,
    SyntheticSource,
    VideoFileSource,
    list_cameras,
)
from tests.hostile import named_pipe, needs_fifo

WAIT = 10.0  # generous guard for events that must happen; never a speed assertion
INDEX_STEP = 23  # frame i of a test video carries the gray level 23·i in its bottom strip


def write_test_video(path: Path, n_frames: int, size: tuple[int, int], fps: float) -> Path:
    """An MJPG .avi whose frame i is red | green | blue over a strip of gray 23·i.

    opencv-python-headless 5.0 writes and reads MJPG in .avi through its FFmpeg backend.
    """
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write MJPG .avi files here"
    third = w // 3
    for i in range(n_frames):
        rgb = np.zeros((h, w, 3), np.uint8)
        rgb[: h // 2, :third, 0] = 255
        rgb[: h // 2, third:2 * third, 1] = 255
        rgb[: h // 2, 2 * third:, 2] = 255
        rgb[h // 2:] = INDEX_STEP * i
        writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    writer.release()
    return path


def frame_index(image: np.ndarray) -> int:
    """Which frame of a test video this is, from its gray strip (MJPG is lossy: round)."""
    h = image.shape[0]
    return round(float(image[h // 2 + 4:, :].mean()) / INDEX_STEP)


def assert_rgb_order(image: np.ndarray) -> None:
    """The test video's top band must read red, green, blue from left to right."""
    h, w = image.shape[:2]
    third = w // 3
    for k, x in enumerate((third // 2, third + third // 2, 2 * third + third // 2)):
        pixel = image[h // 4, x].astype(int)
        assert pixel[k] > 200, f"channel {k} should be bright at x={x}: {pixel}"
        assert np.delete(pixel, k).max() < 60, f"only channel {k} should be bright: {pixel}"


@pytest.fixture
def video(tmp_path: Path) -> Path:
    return write_test_video(tmp_path / "clip.avi", n_frames=10, size=(96, 64), fps=30)


@pytest.fixture
def threads():
    """Capture threads a test starts; each is stopped, and must end, at teardown."""
    started: list[CaptureThread] = []
    yield started
    for t in started:
        assert t.stop(timeout=5.0), "a capture thread did not end"


class Recorder:
    """Collects the capture callbacks and the threads they ran on."""

    def __init__(self) -> None:
        self.errors: list[SourceError] = []
        self.ends = 0
        self.done = threading.Event()

    def on_error(self, err: SourceError) -> None:
        self.errors.append(err)
        self.done.set()

    def on_end(self) -> None:
        self.ends += 1
        self.done.set()


def start(threads, factory, box=None, **kwargs) -> tuple[CaptureThread, LatestFrame, Recorder]:
    box = box or LatestFrame()
    rec = Recorder()
    t = CaptureThread(factory, box, on_error=rec.on_error, on_end=rec.on_end, **kwargs)
    threads.append(t)
    t.start()
    return t, box, rec


class FakeSource(FrameSource):
    """Gives ``good`` frames, then fails (raises) or ends (returns None); records threads."""

    def __init__(self, good: int = 5, then: str = "raise") -> None:
        self.good, self.then = good, then
        self.count = 0
        self.opened_on: int | None = None
        self.read_on: set[int] = set()
        self.released_on: list[int] = []

    name = "Fake"
    nominal_fps = 30.0
    size = (32, 24)

    def open(self) -> None:
        self.opened_on = threading.get_ident()

    def read(self) -> np.ndarray | None:
        self.read_on.add(threading.get_ident())
        self.count += 1
        if self.count <= self.good:
            return np.full((24, 32, 3), self.count, np.uint8)
        if self.then == "raise":
            raise SourceError("The fake stopped sending pictures")
        if self.then == "crash":
            raise RuntimeError("driver exploded")
        return None

    def release(self) -> None:
        self.released_on.append(threading.get_ident())


# --- LatestFrame -----------------------------------------------------------------------------


def _img(value: int) -> np.ndarray:
    return np.full((4, 5, 3), value, np.uint8)


def test_latest_frame_newest_wins_and_counts_dropped():
    box = LatestFrame()
    assert box.get() is None
    assert box.sequence == 0 and box.dropped == 0
    box.put(_img(1))
    box.put(_img(2))  # frame 1 was never read
    f = box.get()
    assert f is not None and f.sequence == 2 and f.image[0, 0, 0] == 2
    assert box.dropped == 1
    assert box.get() is f  # get does not remove
    box.put(_img(3))  # frame 2 was read: not a drop
    assert box.dropped == 1
    box.put(_img(4))
    box.put(_img(5))
    assert box.dropped == 3
    assert box.get().sequence == 5


def test_latest_frame_images_are_read_only_and_stamped():
    box = LatestFrame()
    before = time.perf_counter()
    f = box.put(_img(7))
    assert not f.image.flags.writeable
    assert f.image.flags.c_contiguous
    assert before <= f.timestamp <= time.perf_counter()
    assert box.put(_img(8), timestamp=12.5).timestamp == 12.5
    with pytest.raises(ValueError):
        f.image[0, 0, 0] = 1


@pytest.mark.parametrize(
    "bad",
    [np.zeros((4, 5), np.uint8), np.zeros((4, 5, 4), np.uint8), np.zeros((4, 5, 3), np.float32)],
)
def test_latest_frame_refuses_what_is_not_rgb8(bad):
    with pytest.raises(ValueError, match="8-bit RGB"):
        LatestFrame().put(bad)


def test_latest_frame_wait_newer():
    box = LatestFrame()
    assert box.wait_newer(0, timeout=0.01) is None
    putter = threading.Thread(target=box.put, args=(_img(9),))
    putter.start()
    f = box.wait_newer(0, timeout=WAIT)
    putter.join()
    assert f is not None and f.sequence == 1
    assert box.wait_newer(1, timeout=0.01) is None


def test_latest_frame_two_threads_account_for_every_frame():
    box = LatestFrame()
    n = 3000
    seen: list[int] = []
    done = threading.Event()

    def writer():
        for i in range(n):
            box.put(np.full((2, 2, 3), i % 256, np.uint8))
        done.set()

    def reader():
        while True:
            finished = done.is_set()  # read once more after the writer's last put
            f = box.get()
            if f is not None and (not seen or f.sequence != seen[-1]):
                seen.append(f.sequence)
                assert f.image[0, 0, 0] == (f.sequence - 1) % 256
            if finished:
                return

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == sorted(set(seen)), "the reader saw frames out of order or twice"
    assert seen[-1] == n
    # every frame was either read or overwritten unread
    assert len(seen) + box.dropped == n


# --- synthetic and still sources ---------------------------------------------------------------


@pytest.mark.parametrize("pattern", SyntheticSource.PATTERNS)
def test_synthetic_frames_depend_on_the_index_alone(pattern):
    a = SyntheticSource(160, 120, pattern=pattern)
    b = SyntheticSource(160, 120, pattern=pattern)
    with a:
        first = [a.read() for _ in range(3)]
    for i, img in enumerate(first):
        assert img.shape == (120, 160, 3) and img.dtype == np.uint8 and img.flags.c_contiguous
        np.testing.assert_array_equal(img, b.frame(i))
    assert not np.array_equal(first[0], first[1]), "the scene must move"
    assert a.size == (160, 120) and a.nominal_fps == 30.0


@pytest.mark.parametrize("size", [(16, 16), (20, 48), (48, 20), (35, 35), (36, 40)])
def test_synthetic_frames_of_the_smallest_sizes_are_drawn(size):
    """Every size the source accepts draws its scene, however little of its checkerboard
    fits; a picture no taller than the patch once stopped the feed."""
    w, h = size
    frame = SyntheticSource(w, h).frame(20)
    assert frame.shape == (h, w, 3) and frame.dtype == np.uint8
    assert len(np.unique(frame.reshape(-1, 3), axis=0)) > 2  # a scene, not a flat fill


def test_synthetic_source_ends_after_n_frames_and_rewinds_on_open():
    src = SyntheticSource(64, 48, n_frames=2)
    src.open()
    assert src.read() is not None and src.read() is not None
    assert src.read() is None
    src.open()
    np.testing.assert_array_equal(src.read(), src.frame(0))


@pytest.mark.parametrize(
    "kwargs", [{"pattern": "plaid"}, {"width": 4}, {"fps": 0}, {"n_frames": 0}]
)
def test_synthetic_source_refuses_bad_settings(kwargs):
    with pytest.raises(ValueError):
        SyntheticSource(**kwargs)


def test_still_source_repeats_its_picture_as_rgb():
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    src = StillSource(gray)
    a, b = src.read(), src.read()
    assert a is b and a.shape == (3, 4, 3) and not a.flags.writeable
    np.testing.assert_array_equal(a[:, :, 1], gray)
    gray[0, 0] = 99  # the source keeps its own copy
    assert src.read()[0, 0, 0] == 0
    rgba = np.zeros((3, 4, 4), np.uint8)
    assert StillSource(rgba).size == (4, 3)
    with pytest.raises(ValueError, match="8-bit"):
        StillSource(np.zeros((3, 4, 3), np.float32))
    with pytest.raises(ValueError, match="shape"):
        StillSource(np.zeros((3, 4, 2), np.uint8))


# --- video files -------------------------------------------------------------------------------


def test_video_file_source_reads_rgb_and_loops(video):
    with VideoFileSource(video) as src:
        assert src.size == (96, 64) and src.nominal_fps == pytest.approx(30)
        frames = [src.read() for _ in range(13)]
    assert [frame_index(f) for f in frames] == [*range(10), 0, 1, 2]
    for f in frames:
        assert f.shape == (64, 96, 3) and f.dtype == np.uint8
        assert_rgb_order(f)


def test_video_file_source_without_loop_ends(video):
    with VideoFileSource(video, loop=False) as src:
        n = 0
        while src.read() is not None:
            n += 1
    assert n == 10


def test_video_plays_through_the_capture_thread_and_loops(threads, video):
    t, box, rec = start(threads, lambda: VideoFileSource(video), paced=False)
    f = box.wait_newer(25, timeout=WAIT)  # 25 > 10 frames: only possible by looping
    assert f is not None, rec.errors
    assert_rgb_order(f.image)
    assert t.is_alive() and not rec.errors and rec.ends == 0
    assert t.source is not None and t.source.size == (96, 64)
    assert t.frames_read >= 25 and t.fps > 0
    assert t.stop()


def test_video_that_ends_calls_on_end_once(threads, video):
    t, box, rec = start(threads, lambda: VideoFileSource(video, loop=False), paced=False)
    assert rec.done.wait(WAIT)
    t.join(WAIT)
    assert not t.is_alive()
    assert rec.ends == 1 and not rec.errors
    assert box.sequence == 10 and t.frames_read == 10


def test_missing_video_reports_through_on_error(threads, tmp_path):
    t, box, rec = start(threads, lambda: VideoFileSource(tmp_path / "video.mp4"))
    assert rec.done.wait(WAIT)
    t.join(WAIT)
    assert not t.is_alive()
    assert len(rec.errors) == 1 and box.get() is None
    assert str(rec.errors[0]) == "video.mp4 cannot be read: the file does not exist"
    assert t.last_error is rec.errors[0]


@needs_fifo
def test_a_pipe_given_as_a_video_is_refused_before_the_decoder_waits_on_it(tmp_path):
    with named_pipe(tmp_path / "live.mp4") as pipe, pytest.raises(SourceError) as info:
        VideoFileSource(pipe).open()
    assert str(info.value) == ("live.mp4 cannot be read: it is a named pipe (FIFO), not a "
                               "regular file")


def test_a_video_with_frames_over_the_pixel_limit_is_refused(video, monkeypatch):
    monkeypatch.setattr(video_module, "MAX_PIXELS", 96 * 64 - 1)
    with pytest.raises(SourceError) as info:
        VideoFileSource(video).open()
    assert str(info.value) == (f"{video.name} cannot be read: its frames are 96×64 pixels, "
                               f"more than the 0-megapixel limit")
    monkeypatch.setattr(video_module, "MAX_PIXELS", 96 * 64)
    source = VideoFileSource(video)
    source.open()
    assert source.size == (96, 64)
    source.release()


def test_corrupt_video_reports_through_on_error(threads, tmp_path):
    bad = tmp_path / "noise.avi"
    bad.write_bytes(np.random.default_rng(0).integers(0, 256, 20_000, np.uint8).tobytes())
    t, _, rec = start(threads, lambda: VideoFileSource(bad))
    assert rec.done.wait(WAIT)
    t.join(WAIT)
    assert len(rec.errors) == 1 and isinstance(rec.errors[0], SourceError)
    assert str(rec.errors[0]).startswith("noise.avi cannot be read: ")
    with pytest.raises(SourceError, match="folder"):
        VideoFileSource(tmp_path).open()


def test_video_with_a_non_ascii_name(tmp_path):
    path = write_test_video(tmp_path / "vidéo d'été 日本.avi", 3, (48, 32), 25)
    with VideoFileSource(path) as src:
        assert frame_index(src.read()) == 0
        assert src.name == "vidéo d'été 日本.avi"


def test_non_ascii_name_falls_back_to_an_ascii_link(tmp_path, monkeypatch):
    """Where OpenCV cannot take the name (Windows), the file is read under an ASCII alias."""
    path = write_test_video(tmp_path / "clé.avi", 3, (48, 32), 25)
    real_open = video_module._open_file_capture
    tried: list[str] = []

    def ascii_only(p: str):
        tried.append(p)
        return real_open(p) if p.isascii() else None

    monkeypatch.setattr(video_module, "_open_file_capture", ascii_only)
    src = VideoFileSource(path)
    src.open()
    alias = Path(tried[-1])
    assert alias.is_file() and alias.name == "video.avi"
    assert [frame_index(src.read()) for _ in range(4)] == [0, 1, 2, 0]  # loops via the alias
    src.release()
    assert not alias.exists() and not alias.parent.exists()


# --- the capture thread ------------------------------------------------------------------------


@pytest.mark.parametrize("then", ["raise", "crash"])
def test_a_source_failing_mid_stream_reports_once_and_ends_cleanly(threads, then):
    fake = FakeSource(good=5, then=then)
    t, box, rec = start(threads, lambda: fake, paced=False, max_failures=3)
    assert rec.done.wait(WAIT)
    t.join(WAIT)
    assert not t.is_alive()
    assert len(rec.errors) == 1 and rec.ends == 0
    assert "stopped sending pictures" in str(rec.errors[0])
    assert fake.count == 5 + 3  # gave up after max_failures reads in a row
    assert box.sequence == 5 and box.get().image[0, 0, 0] == 5  # the last good picture stays
    assert fake.released_on == [t.ident]


def test_a_source_that_ends_calls_on_end_not_on_error(threads):
    fake = FakeSource(good=4, then="end")
    t, box, rec = start(threads, lambda: fake, paced=False)
    assert rec.done.wait(WAIT)
    t.join(WAIT)
    assert rec.ends == 1 and not rec.errors and box.sequence == 4
    assert fake.released_on == [t.ident]


def test_a_factory_that_raises_is_reported(threads):
    def factory():
        raise OSError("no such device")

    t, _, rec = start(threads, factory)
    assert rec.done.wait(WAIT)
    t.join(WAIT)
    assert len(rec.errors) == 1 and "no such device" in str(rec.errors[0])


def test_stop_while_streaming_releases_on_the_capture_thread(threads):
    fake = FakeSource(good=10**9)
    t, box, _ = start(threads, lambda: fake, paced=False)
    assert box.wait_newer(3, timeout=WAIT) is not None
    assert t.stop(timeout=5.0)
    assert not t.is_alive()
    main = threading.get_ident()
    assert fake.opened_on == t.ident != main
    assert fake.read_on == {t.ident}
    assert fake.released_on == [t.ident]


def test_stop_while_paced_and_while_paused_returns(threads):
    slow = SyntheticSource(64, 48, fps=0.5)  # a frame every 2 s: stop must not wait for it
    t, box, _ = start(threads, lambda: slow)
    assert box.wait_newer(0, timeout=WAIT) is not None
    assert box.wait_newer(1, timeout=0.3) is None, "paced playback must not run ahead"
    assert t.stop(timeout=5.0)
    t2, _, _ = start(threads, lambda: SyntheticSource(64, 48))
    t2.pause()
    assert t2.stop(timeout=5.0)


def test_stop_before_start_is_harmless():
    assert CaptureThread(lambda: FakeSource(), LatestFrame()).stop()


def test_pause_step_resume_and_mirror(threads):
    scene = SyntheticSource(80, 60)
    box = LatestFrame()
    t = CaptureThread(lambda: SyntheticSource(80, 60), box, mirror=True, paced=False)
    threads.append(t)
    t.pause()  # paused from the start: nothing arrives until a step
    t.start()
    assert box.wait_newer(0, timeout=0.2) is None
    t.step()
    f1 = box.wait_newer(0, timeout=WAIT)
    np.testing.assert_array_equal(f1.image, scene.frame(0)[:, ::-1])
    t.mirror = False
    t.step()
    f2 = box.wait_newer(1, timeout=WAIT)
    np.testing.assert_array_equal(f2.image, scene.frame(1))
    assert box.wait_newer(2, timeout=0.2) is None, "one step must give exactly one frame"
    assert t.paused
    t.resume()
    assert box.wait_newer(10, timeout=WAIT) is not None
    assert not t.paused


class FakeClock:
    """The capture thread's clock and its stop event's waits, in made-up seconds: pacing is
    checked by what the thread asks for, whatever the speed of the machine."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        self.stopped = False

    def perf_counter(self) -> float:
        return self.now

    # the stop event's part
    def wait(self, timeout: float | None = None) -> bool:
        if timeout is not None and timeout > 0:
            self.waits.append(round(timeout, 9))
            self.now += timeout
        return self.stopped

    def is_set(self) -> bool:
        return self.stopped

    def set(self) -> None:
        self.stopped = True


class TimedFake(FakeSource):
    """A 25 fps file whose pictures take ``read_s`` made-up seconds to decode (one number, or
    one a picture, the last repeated)."""

    nominal_fps = 25.0

    def __init__(self, clock: FakeClock, read_s: float | list[float]) -> None:
        super().__init__(good=10**6)
        self.clock = clock
        self.read_s = read_s if isinstance(read_s, list) else [read_s]

    def read(self) -> np.ndarray | None:
        self.clock.now += self.read_s[min(self.count, len(self.read_s) - 1)]
        return super().read()


def _paced_run(monkeypatch, read_s: float | list[float], paced: bool = True, frames: int = 6):
    """Run the capture loop on this thread with a fake clock; (waits asked, picture times)."""
    import explorer.core.sources.capture as capture_module

    clock = FakeClock()
    monkeypatch.setattr(capture_module, "time", clock)
    box = LatestFrame()
    stamps: list[float] = []

    def on_frame() -> None:
        stamps.append(box.get().timestamp)
        if len(stamps) == frames:
            thread.stop()

    thread = CaptureThread(lambda: TimedFake(clock, read_s), box, paced=paced,
                           on_frame=on_frame)
    thread._stop_event = clock  # the waits between pictures go to the fake clock
    thread.run()  # on this thread: the loop's own code, no thread to start or join
    return clock.waits, [round(t, 9) for t in stamps]


def test_paced_playback_waits_until_each_picture_is_due(monkeypatch):
    waits, stamps = _paced_run(monkeypatch, read_s=0.01)
    # 25 fps: a picture every 40 ms; decoding took 10 of them, so the thread waits 30
    assert waits == [0.03] * 5
    assert stamps == [0.01, 0.05, 0.09, 0.13, 0.17, 0.21]


def test_paced_playback_that_falls_behind_never_waits_and_never_bunches(monkeypatch):
    waits, stamps = _paced_run(monkeypatch, read_s=0.1)  # decoding is slower than 25 fps
    assert waits == []
    assert np.allclose(np.diff(stamps), 0.1)  # as fast as decoding allows
    # three slow pictures, then fast ones: the pace starts afresh, it does not catch up
    waits, stamps = _paced_run(monkeypatch, read_s=[0.1, 0.1, 0.1, 0.01], frames=8)
    assert np.allclose(np.diff(stamps), [0.1, 0.1, 0.04, 0.04, 0.04, 0.04, 0.04])


def test_unpaced_reading_never_waits(monkeypatch):
    waits, stamps = _paced_run(monkeypatch, read_s=0.001, paced=False)
    assert waits == [] and np.allclose(np.diff(stamps), 0.001)


def test_capture_thread_refuses_zero_failures():
    with pytest.raises(ValueError):
        CaptureThread(lambda: FakeSource(), LatestFrame(), max_failures=0)


# --- cameras (no camera needed) ------------------------------------------------------------


def test_camera_index_that_does_not_exist():
    with pytest.raises(SourceError, match="index 99"):
        CameraSource(99).open()
    with pytest.raises(SourceError):
        CameraSource(-1)


class FakeCapture:
    """Plays ``cv2.VideoCapture`` for one camera: opens or not, gives frames, then fails."""

    opens = True
    good_frames = 3
    shape = (240, 320)  # the camera's real mode, whatever was asked for
    released = 0

    def __init__(self, index, api=cv2.CAP_ANY):
        self.index, self.n = index, 0
        self.props: dict[int, float] = {}

    def isOpened(self):  # OpenCV's name
        return type(self).opens

    def set(self, prop, value):
        self.props[prop] = value
        return True

    def get(self, prop):
        return 0.0  # the camera does not say its fps

    def read(self):
        self.n += 1
        if self.n > type(self).good_frames:
            return False, None
        bgr = np.zeros((*self.shape, 3), np.uint8)
        bgr[:, :, 0] = 200  # blue in OpenCV's BGR order
        return True, bgr

    def release(self):
        type(self).released += 1


@pytest.fixture
def fake_camera(monkeypatch):
    cam = type("Cam", (FakeCapture,), {})  # a fresh class: its counters start at zero
    monkeypatch.setattr(camera_module.cv2, "VideoCapture", cam)
    monkeypatch.setattr(camera_module, "_camera_device_exists", lambda i: True)
    return cam


def test_camera_busy_when_it_does_not_open(fake_camera):
    fake_camera.opens = False
    with pytest.raises(SourceError) as err:
        CameraSource(0).open()
    assert str(err.value) == "Camera 0 is busy or cannot be opened (is another program using it?)"
    assert fake_camera.released == 1


def test_camera_busy_when_it_opens_but_sends_nothing(fake_camera):
    fake_camera.good_frames = 0
    with pytest.raises(SourceError, match="busy"):
        CameraSource(1).open()
    assert fake_camera.released == 1


def test_camera_gives_rgb_at_its_real_size_then_reports_unplugging(threads, fake_camera):
    fake_camera.good_frames = 6
    made: list[CameraSource] = []

    def factory():
        made.append(CameraSource(0, width=640, height=480))
        return made[-1]

    t, box, rec = start(threads, factory, max_failures=4)
    assert rec.done.wait(WAIT)
    t.join(WAIT)
    assert [str(e) for e in rec.errors] == ["The camera stopped sending pictures (unplugged?)"]
    assert made[0].size == (320, 240) and made[0].nominal_fps == 30.0
    f = box.get()
    assert box.sequence == 6 and f.image.shape == (240, 320, 3)
    np.testing.assert_array_equal(f.image[0, 0], [0, 0, 200])  # BGR blue became RGB blue
    assert fake_camera.released == 1


def test_list_cameras_skips_missing_and_unopenable(monkeypatch, fake_camera):
    class OnlyTwo(fake_camera):
        def isOpened(self):
            return self.index == 2

    monkeypatch.setattr(camera_module.cv2, "VideoCapture", OnlyTwo)
    monkeypatch.setattr(camera_module, "_camera_device_exists", lambda i: i != 3)
    assert list_cameras(max_index=5) == [2]
    assert OnlyTwo.released == 4  # every opened handle is given back (index 3 never opened)


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or any(os.path.exists(f"/dev/video{i}") for i in range(5)),
    reason="needs a Linux machine without cameras",
)
def test_list_cameras_on_a_machine_without_any():
    assert list_cameras() == []
