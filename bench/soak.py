"""Ten minutes of 720p video through the live explorer: memory must stay flat.

Not part of ``make bench`` (it has no ``main()``); run it by hand:
``QT_QPA_PLATFORM=offscreen python -m bench.soak [SECONDS]``. Prints the resident memory every
30 s, then the growth between the first and the last minute and the frames processed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.live import write_video

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 1e6


def soak(seconds: float = 600.0) -> None:
    import pyqtgraph as pg
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from explorer.ui.main_window import MainWindow

    pg.setConfigOptions(imageAxisOrder="row-major")
    _app = QApplication.instance() or QApplication([])  # kept alive for the whole run
    with tempfile.TemporaryDirectory() as tmp:
        video = write_video(Path(tmp) / "scene-720p.avi", (1280, 720), n_frames=300)
        win = MainWindow(restore_settings=False, library_path=Path(tmp) / "kernels.json")
        win.document.input.fit_live = False
        win.document.input.live_side = 1280
        win.document.layer.n_filters = 8
        win.resize(1600, 1000)
        win.show()
        shown = [0]
        win.result_shown.connect(lambda _r: shown.__setitem__(0, shown[0] + 1))
        win.open_video(video)
        samples: list[tuple[float, float, int]] = []
        t0 = time.perf_counter()

        def sample() -> None:
            t = time.perf_counter() - t0
            samples.append((t, rss_mb(), shown[0]))
            print(f"{t:7.0f} s  {samples[-1][1]:8.1f} MB  {shown[0]:7d} frames", flush=True)

        timer = QTimer(interval=30_000)
        timer.timeout.connect(sample)
        timer.start()
        sample()
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()
        sample()
        timer.stop()
        win.shutdown()
        win.close()
    first = [m for t, m, _ in samples if t <= 90]
    last = [m for t, m, _ in samples if t >= samples[-1][0] - 60]
    frames = samples[-1][2]
    print(f"resident memory: first 90 s max {max(first):.1f} MB, last minute max "
          f"{max(last):.1f} MB, growth {max(last) - max(first):+.1f} MB; "
          f"{frames} frames in {samples[-1][0]:.0f} s ({frames / samples[-1][0]:.1f} fps)")


if __name__ == "__main__":
    soak(float(sys.argv[1]) if len(sys.argv) > 1 else 600.0)
