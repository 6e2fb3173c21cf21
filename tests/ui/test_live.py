"""The explorer on a moving picture, with stand-ins for the webcam."""

from __future__ import annotations

import dataclasses
import threading

import cv2
import numpy as np
import pytest

from explorer.core.sources import FrameSource, SourceError, SyntheticSource


def write_video(path, n_frames=12, size=(160, 120), fps=30.0):
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert writer.isOpened()
    for i in range(n_frames):
        frame = np.zeros((h, w, 3), np.uint8)
        cv2.rectangle(frame, (5 + 4 * i, 20), (45 + 4 * i, 80), (0, 200, 255), -1)
        writer.write(frame)
    writer.release()
    return path


class FailingSource(FrameSource):
    """Gives a few pictures, then fails like an unplugged camera."""

    is_live = True

    def __init__(self, good_frames: int = 5) -> None:
        self.good = good_frames
        self.count = 0
        self.released_on: int | None = None

    @property
    def name(self) -> str:
        return "Flaky camera"

    @property
    def nominal_fps(self) -> float:
        return 30.0

    @property
    def size(self) -> tuple[int, int]:
        return (64, 48)

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray | None:
        self.count += 1
        if self.count > self.good:
            raise SourceError("The camera stopped sending pictures (unplugged?)")
        return np.full((48, 64, 3), self.count * 20 % 256, np.uint8)

    def release(self) -> None:
        self.released_on = threading.get_ident()


def _results(qtbot, win, n: int):
    """The next ``n`` live results shown (frames, not re-renders of the still)."""
    seen = []

    def keep(result) -> None:
        if result.request.live:
            seen.append(result)

    win.result_shown.connect(keep)
    qtbot.waitUntil(lambda: len(seen) >= n, timeout=20_000)
    win.result_shown.disconnect(keep)
    return seen


def _frame(win):
    return win.controller._frame


def test_synthetic_source_drives_the_whole_explorer(qtbot, window):
    window.start_synthetic()
    results = _results(qtbot, window, 5)
    feed = window.controller.live
    assert feed.running and window.document.live.active
    assert results[-1].request.image.shape == (480, 640, 3)  # the synthetic scene's frames
    assert window.maps_panel.result.generation >= results[-1].generation
    # an older frame's result that the worker delivers late is never shown over a newer one
    late = dataclasses.replace(results[0], stages=())  # borrows no buffers
    shown_before = window.maps_panel.result
    assert late.generation < shown_before.generation
    spied = []
    window.result_shown.connect(spied.append)
    window.controller.worker.done.emit(late.generation, late)
    window.result_shown.disconnect(spied.append)
    assert late not in spied and window.maps_panel.result is not late
    window._show_live_status()
    assert "processed" in window.status_live.text() and "scene" in window.status_live.text()
    window.stop_live()
    assert not feed.running and not window.document.live.active


def test_video_file_plays_and_loops(qtbot, window, tmp_path):
    path = write_video(tmp_path / "clip.avi", n_frames=6)
    assert window.open_video(path)
    results = _results(qtbot, window, 10)  # more results than frames: the video looped
    assert results[-1].request.image.shape == (120, 160, 3)
    assert window.document.image.shape != (120, 160, 3)  # the still picture stays as it was


def test_switching_sources(qtbot, window, tmp_path):
    window.start_synthetic()
    _results(qtbot, window, 2)
    path = write_video(tmp_path / "clip.avi")
    window.open_video(path)
    results = _results(qtbot, window, 2)
    assert results[-1].picture.shape[:2] == (120, 160)
    from explorer.resources import resource_path

    with qtbot.waitSignal(window.result_shown, timeout=20_000):
        window.open_image(resource_path("samples", "text.png"))
    assert not window.controller.live.running
    assert window.document.source_name == "text.png"


def test_freeze_and_step(qtbot, window):
    window.start_synthetic()
    _results(qtbot, window, 2)
    window.set_frozen(True)
    assert window.document.live.frozen and window.freeze_action.isChecked()
    qtbot.wait(150)  # frames in flight land
    shown = _frame(window)
    qtbot.wait(300)
    assert _frame(window) is shown  # frozen: no new frames taken
    window.step_action.trigger()
    qtbot.waitUntil(lambda: _frame(window) is not shown, timeout=5_000)
    stepped = _frame(window)
    qtbot.wait(300)
    assert _frame(window) is stepped  # exactly one
    window.set_frozen(False)
    qtbot.waitUntil(lambda: _frame(window) is not stepped, timeout=5_000)


def test_frozen_frame_can_be_saved_and_used_as_still(qtbot, window, tmp_path):
    from explorer.core.images import load_image

    window.start_synthetic()
    _results(qtbot, window, 2)
    window.set_frozen(True)
    qtbot.wait(100)
    frame = window.current_frame()
    saved = window.save_frame(tmp_path / "frame.png")
    np.testing.assert_array_equal(load_image(saved), frame)
    with qtbot.waitSignal(window.result_shown, timeout=20_000):
        window.use_frame_as_still()
    assert not window.controller.live.running
    np.testing.assert_array_equal(window.document.image, frame)


def test_a_source_failing_mid_stream_keeps_the_picture_and_offers_retry(qtbot, window):
    sources = []

    def factory():
        sources.append(FailingSource(good_frames=4))
        return sources[-1]

    with qtbot.waitSignal(window.error_shown, timeout=20_000) as blocker:
        window.start_live(factory, "Flaky camera", "camera")
    assert "stopped sending pictures" in blocker.args[0]
    assert window.banner.isVisible() and window.banner.action_text() == "Retry"
    assert window.last_result is not None
    qtbot.waitUntil(lambda: not window.controller.live.running, timeout=5_000)
    qtbot.wait(200)  # results still on their way must not hide the fault
    assert window.banner.isVisible()
    assert sources[0].released_on not in (None, threading.get_ident())
    with qtbot.waitSignal(window.error_shown, timeout=20_000):
        window.banner.trigger()  # retry: a new source, which fails again
    assert len(sources) == 2


@pytest.mark.parametrize("content", [b"", b"\x00garbage" * 100])
def test_broken_video_gives_a_message(qtbot, window, tmp_path, content):
    path = tmp_path / "broken.avi"
    path.write_bytes(content)
    with qtbot.waitSignal(window.error_shown, timeout=20_000) as blocker:
        window.open_video(path)
    assert "broken.avi" in blocker.args[0]
    assert window.document.image is not None


def test_missing_camera_gives_a_message(qtbot, window):
    with qtbot.waitSignal(window.error_shown, timeout=30_000) as blocker:
        window.start_camera(57)
    assert "57" in blocker.args[0]


def test_closing_while_streaming_never_hangs(qtbot, window):
    window.start_live(lambda: SyntheticSource(320, 240, fps=120), "Fast scene", "synthetic")
    _results(qtbot, window, 3)
    feed = window.controller.live
    capture = feed._thread
    assert capture is not None and capture.is_alive()  # streaming: there is a thread to end
    window.close()
    assert not feed.running
    assert not capture.is_alive()


def test_live_frames_are_computed_at_the_shown_size_and_the_still_keeps_its_own(qtbot, window):
    window.resize(1280, 720)
    qtbot.wait(50)
    side = window.maps_panel.shown_side()
    assert side < 640  # the input view is smaller than the synthetic 640×480 frames
    still_side = window.document.input.max_side
    window.start_synthetic()
    results = _results(qtbot, window, 3)
    # the Size control, the formulas and the parameter counts read the same number
    assert window.document.input.live_side == side
    assert window.document.processing_side() == side
    assert max(results[-1].picture.shape[:2]) == side
    assert window.layer_panel.size_combo.currentText() == "as shown"
    assert str(side) in window.layer_panel.size_label.text()
    window.stop_live()
    assert window.document.input.max_side == still_side  # never lowered by going live
    assert window.layer_panel.size_combo.currentData() != -1
