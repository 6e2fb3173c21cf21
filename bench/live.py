"""The live loop end to end: video frames → capture thread → pipeline → panels, offscreen.

Feeds 640×480 and 1280×720 frames from a generated MJPG video at 1.5× the target rate (90 and
45 fps: faster than the loop must go, without a decoder spinning on frames nobody takes) through
the real window, in two set-ups: one layer of 8 RGB 3×3 filters + bias + ReLU + 2×2 max pool
(8 feature-map tiles and 8 pooled tiles), and a 3-stage stack of 8 → 16 → 16 filters 3×3, each
with ReLU and 2×2 max pooling (every stage drawn: its row of maps, the selected stage large).
A result counts as drawn when Qt starts painting its feature-map tiles.
Reports sustained processed fps, p50/p95 latency from frame capture to drawn tiles, the GUI
thread's busy share (its CPU time over wall time) and its milliseconds per processed frame,
and the process's peak memory.
Targets on a 2-core machine: ≥ 60 fps at 640×480, ≥ 30 fps at 1280×720 (the stack: ≥ 30 fps at
1280×720 at the shown size), GUI work ≤ 8 ms/frame.
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
TARGETS = {640: 60.0, 1280: 30.0}  # processed frames a second
FEED_RATE = 1.5  # frames arrive this much faster than the target


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


def main() -> None:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    pg.setConfigOptions(imageAxisOrder="row-major")
    app = QApplication.instance() or QApplication([])
    print("full: the layer computed on the whole frame; shown: at the size the window shows "
          "the input (what the app does live)")
    print(f"{'set-up':>12} {'frames':>10} {'computed':>10} {'fps':>7} {'target':>7} "
          f"{'p50 ms':>8} {'p95 ms':>8} {'GUI busy':>9} {'GUI ms/frame':>13}")
    cases = [(False, full, size) for full in (True, False) for size in SIZES]
    cases += [(True, False, size) for size in SIZES]
    with tempfile.TemporaryDirectory() as tmp:
        for stack, full, size in cases:
            r = run_case(app, size, Path(tmp), full, stack)
            h, w = r["computed"]
            name = "3-stage" if stack else "1 layer"
            print(f"{name:>12} {size[0]}×{size[1]:<5} {f'{h}×{w}':>10} {r['fps']:7.1f} "
                  f"{TARGETS[size[0]]:7.0f} {r['p50']:8.1f} {r['p95']:8.1f} "
                  f"{r['gui_share']:8.0%} {r['gui_ms']:13.1f}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
