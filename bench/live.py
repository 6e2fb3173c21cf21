"""The live loop end to end: video frames → capture thread → pipeline → panels, offscreen.

Feeds 640×480 and 1280×720 frames from a generated MJPG video at 1.5× the target rate (90 and
45 fps: faster than the loop must go, without a decoder spinning on frames nobody takes) through
the real window, in two set-ups: one layer of 8 RGB 3×3 filters + bias + ReLU + 2×2 max pool
(8 feature-map tiles and 8 pooled tiles, the default window's panels), and a 3-stage stack of
8 → 16 → 16 filters 3×3, each with ReLU and 2×2 max pooling (every stage drawn: its row of
maps, the selected stage large). "full": the layer runs on the whole frame; "shown": at the
size the window shows the input (what the app does live by default).
A result counts as drawn when Qt starts painting its feature-map tiles.

Reported per set-up: sustained processed fps; p50/p95 latency from frame capture to drawn
tiles; the GUI thread's busy share and its CPU milliseconds per processed frame (thread CPU
time, so other programs on the machine hardly change it); the peak memory; and the frame time
as a multiple of the bare-OpenCV floor measured in the same run: one thread decoding the same
MJPG frame, scaling it to the computed size and running the same layers the bare OpenCV way
(``bench.core.BareLayer``), with nothing drawn. A slower machine moves the fps, not that ratio.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QEvent, QObject

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SECONDS = 8.0
SIZES = ((640, 480), (1280, 720))
TARGETS = {640: 60.0, 1280: 30.0}  # processed frames a second the feed is paced for
FEED_RATE = 1.5  # frames arrive this much faster than the target
GUI_TARGET_MS = 8.0  # the GUI thread's CPU time per processed frame
LATENCY_TARGET_MS = 50.0  # p50 from capture to drawn maps, one layer, 720p full frame
FPS_TARGETS = {  # (set-up, width, full frame) → (fps, note) from the list
    ("1 layer", 640, True): (60.0, ""),
    ("1 layer", 1280, True): (30.0, "aim 50"),
    ("1 layer", 640, False): (60.0, ""),
    ("1 layer", 1280, False): (30.0, ""),
    ("3-stage", 1280, False): (30.0, ""),
    ("3-stage", 1280, True): (15.0, ""),
}
FLOOR_FRAMES = 24


def write_video(path: Path, size: tuple[int, int], n_frames: int = 120,
                fps: float = 30.0) -> Path:
    """A moving test scene as MJPG, so decoding costs what a webcam's MJPG stream costs."""
    from explorer.core.sources import SyntheticSource

    w, h = size
    scene = SyntheticSource(w, h)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    for i in range(n_frames):
        writer.write(cv2.cvtColor(scene.frame(i), cv2.COLOR_RGB2BGR))
    writer.release()
    return path


class _PaintWatch(QObject):
    """Notes when the feature maps of a newly shown result start to be painted."""

    def __init__(self, win) -> None:
        super().__init__()
        self.win = win
        self.painted = -1  # generation whose tiles were last painted
        self.on_drawn = lambda frame_time: None

    def eventFilter(self, obj, event) -> bool:
        result = self.win.last_result
        if (event.type() == QEvent.Type.Paint and result is not None
                and result.generation != self.painted):
            self.painted = result.generation
            self.on_drawn(result.request.frame_time)
        return False


def _run_event_loop(seconds: float) -> None:
    """Run Qt's event loop for a while; it sleeps between events, as the app's loop does."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def run_case(app, size: tuple[int, int], folder: Path, full: bool,
             stack: bool = False) -> dict[str, float]:
    from explorer.core.sources import VideoFileSource
    from explorer.ui.main_window import MainWindow

    video = write_video(folder / f"scene-{size[0]}x{size[1]}.avi", size,
                        fps=FEED_RATE * TARGETS[size[0]])
    win = MainWindow(restore_settings=False, library_path=folder / "kernels.json")
    doc = win.document
    doc.input.fit_live = not full
    doc.input.live_side = max(size)
    if stack:
        win.layer_panel.use_stack_preset("tinyvgg")  # 8 → 16 → 16, 3×3, ReLU, 2×2 max
    else:
        doc.layer.n_filters = 8
        doc.layer.padding, doc.layer.activation = "same", "relu"
        doc.layer.pool_mode, doc.layer.pool_size, doc.layer.pool_stride = "max", 2, 2
    win.resize(1600, 1000)
    win.show()

    latencies: list[float] = []
    shown_at: list[float] = []
    drawn = _PaintWatch(win)
    win.maps_panel.feature_grid.viewport().installEventFilter(drawn)

    def on_drawn(frame_time: float) -> None:
        now = time.perf_counter()
        latencies.append((now - frame_time) * 1e3)
        shown_at.append(now)

    drawn.on_drawn = on_drawn

    win.start_live(lambda: VideoFileSource(video, loop=True), video.name, "video")
    _run_event_loop(1.5)  # first frames: allocation, layout, caches
    latencies.clear()
    shown_at.clear()
    t0, cpu0 = time.perf_counter(), time.thread_time()
    _run_event_loop(SECONDS)
    # CPU time of this (the GUI) thread: handlers, painting, everything the event loop ran
    busy = time.thread_time() - cpu0
    wall = time.perf_counter() - t0
    win.shutdown()
    win.close()
    win.deleteLater()
    app.processEvents()

    frames = len(shown_at)
    computed = win.last_result.picture.shape[:2] if win.last_result else (0, 0)
    return {
        "computed": computed,
        "fps": frames / wall,
        "p50": float(np.percentile(latencies, 50)) if latencies else float("nan"),
        "p95": float(np.percentile(latencies, 95)) if latencies else float("nan"),
        "gui_share": busy / wall,
        "gui_ms": busy / frames * 1e3 if frames else float("nan"),
    }


def floor_ms(video: Path, computed: tuple[int, int], stages: int) -> float:
    """Median ms a frame of the bare-OpenCV floor: decode, scale to ``computed``, the layers."""
    from bench.core import BareLayer

    rng = np.random.default_rng(0)
    h, w = computed
    layers, c = [], 3
    for i, k in enumerate((8, 16, 16)[:stages]):
        layers.append(BareLayer(h >> i, w >> i, rng.normal(size=(k, 3, 3, c)).astype(np.float32),
                                rng.normal(size=k).astype(np.float32)))
        c = k
    capture = cv2.VideoCapture(str(video))
    times = []
    try:
        for _ in range(FLOOR_FRAMES):
            t0 = time.perf_counter()
            ok, bgr = capture.read()
            if not ok:
                break
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            if rgb.shape[:2] != (h, w):
                rgb = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA)
            x = rgb.astype(np.float32)
            for layer in layers:
                x = layer(x)
            times.append(time.perf_counter() - t0)
    finally:
        capture.release()
    return float(np.median(times)) * 1e3 if times else float("nan")


def main() -> list:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from bench._verdict import Target, print_verdicts

    pg.setConfigOptions(imageAxisOrder="row-major")
    app = QApplication.instance() or QApplication([])
    print("full: the layers run on the whole frame; shown: at the size the window shows the "
          "input (the app's live default)")
    print("GUI ms/frame: the GUI thread's CPU time per processed frame; × floor: frame time "
          "over one thread decoding and running the same layers in bare OpenCV (no drawing)")
    print(f"{'set-up':>12} {'frames':>10} {'computed':>10} {'fps':>7} {'target':>7} "
          f"{'p50 ms':>8} {'p95 ms':>8} {'GUI busy':>9} {'GUI ms/frame':>13} "
          f"{'floor ms':>9} {'× floor':>8}")
    cases = [(False, full, size) for full in (True, False) for size in SIZES]
    cases += [(True, False, size) for size in SIZES] + [(True, True, SIZES[1])]
    targets: list[Target] = []
    gui: list[Target] = []
    with tempfile.TemporaryDirectory() as tmp:
        for stack, full, size in cases:
            r = run_case(app, size, Path(tmp), full, stack)
            h, w = r["computed"]
            name = "3-stage" if stack else "1 layer"
            video = Path(tmp) / f"scene-{size[0]}x{size[1]}.avi"
            floor = floor_ms(video, (h, w), 3 if stack else 1) if h else float("nan")
            times_floor = (1e3 / r["fps"]) / floor if r["fps"] > 0 else float("nan")
            goal = FPS_TARGETS.get((name, size[0], full))
            shown = f"{goal[0]:7.0f}" if goal else f"{'—':>7}"
            print(f"{name:>12} {size[0]}×{size[1]:<5} {f'{h}×{w}':>10} {r['fps']:7.1f} "
                  f"{shown} {r['p50']:8.1f} {r['p95']:8.1f} "
                  f"{r['gui_share']:8.0%} {r['gui_ms']:13.1f} {floor:9.1f} {times_floor:7.2f}×",
                  flush=True)
            label = f"{name} {size[0]}×{size[1]} {'full frame' if full else 'shown size'}"
            if goal:
                targets.append(Target(f"{label}, fps", r["fps"], goal[0], "fps", True, goal[1],
                                      times_floor))
            if not stack and full and size == SIZES[1]:
                targets.append(Target(f"{label}, p50 latency", r["p50"], LATENCY_TARGET_MS,
                                      "ms", False, floor_ratio=r["p50"] / floor))
            gui.append(Target(f"{label}, GUI", r["gui_ms"], GUI_TARGET_MS, "ms/fr", False,
                              floor_ratio=r["gui_ms"] / floor))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak_mb:.0f} MB")
    targets += gui
    print_verdicts(targets)
    return targets


if __name__ == "__main__":
    main()
