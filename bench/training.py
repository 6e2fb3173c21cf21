"""Training the digit network: how fast it reaches 95 %, whether the window stays responsive,
how it compares with PyTorch, and how well it reads digits that are not MNIST.

1. The core: the default training (8 epochs, batch 32, Adam 0.004, seed 0) on the 4,000
   training digits, tested on the 1,000 test digits four times an epoch. Prints the wall time
   to the first test accuracy ≥ 95 % (data loading included), the final accuracy, and the
   time of one epoch without testing. Goal: 95 % within 20 s on two cores.
2. The window: the same training started with the Training tab's Start button in the real
   window (offscreen). A 5 ms timer on the GUI thread measures the longest gap between its
   ticks, while training and while idle. Goal: no stall above 50 ms.
3. PyTorch, when it is installed (it is not a dependency): the same network, optimiser and
   batches for one epoch; the NumPy epoch time as a ratio to it.
4. Digits it has never seen (``bench/_digits.py``): printed in Hershey fonts, drawn as pen
   strokes, and filmed on paper (simulated), all through the app's MNIST-style preprocessing.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TICK_MS = 5
GOAL_SECONDS = 20.0
GOAL_STALL_MS = 50.0


def core_run() -> tuple[float | None, float, object]:
    """(seconds to 95 %, final test accuracy, the trained model) of the default training."""
    from explorer.core.training import train_digits

    t0 = time.perf_counter()
    first = None
    for step in train_digits(seed=0):
        if first is None and step.test_accuracy is not None and step.test_accuracy >= 0.95:
            first = time.perf_counter() - t0
    return first, float(step.test_accuracy), step.model


def epoch_seconds() -> float:
    """One epoch of the default training, without testing (median of three)."""
    from explorer.core.training import Digits, load_digits, train_digits

    train, _ = load_digits()
    empty = Digits(train.images[:0], train.labels[:0])
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        for _step in train_digits(seed=0, epochs=1, train=train, test=empty):
            pass
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _longest_gap(app, seconds: float | None, done=None) -> tuple[float, float]:
    """(longest, 99th percentile) gap in ms between ticks of a 5 ms GUI timer."""
    from PySide6.QtCore import QTimer

    ticks: list[float] = []
    timer = QTimer(interval=TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    t0 = time.perf_counter()
    while True:
        app.processEvents()
        time.sleep(0.001)
        elapsed = time.perf_counter() - t0
        if (seconds is not None and elapsed >= seconds) or (done is not None and done()):
            break
        if elapsed > 300:
            break
    timer.stop()
    gaps = np.diff(ticks) * 1e3
    return float(gaps.max()), float(np.percentile(gaps, 99))


def window_run(app) -> dict[str, float | None]:
    from explorer.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        win = MainWindow(restore_settings=False, library_path=Path(tmp) / "kernels.json")
        win.resize(1600, 1000)
        win.show()
        tab = win.training_tab
        win.tabs.setCurrentWidget(tab.view)
        idle_max, idle_p99 = _longest_gap(app, 2.0)
        reached: list[float] = []
        finished: list[bool] = []
        start = [0.0]

        def on_steps(_tag, steps) -> None:
            if not reached and any(s.test_accuracy is not None and s.test_accuracy >= 0.95
                                   for s in steps):
                reached.append(time.perf_counter() - start[0])

        tab.worker.progress.connect(on_steps)
        tab.worker.finished.connect(lambda *_: finished.append(True))
        start[0] = time.perf_counter()
        tab.view.start_button.click()
        busy_max, busy_p99 = _longest_gap(app, None, lambda: bool(finished))
        wall = time.perf_counter() - start[0]
        final = tab.view.watch.test_accuracy_now()
        win.shutdown()
        win.close()
        win.deleteLater()
        app.processEvents()
    return {"to95": reached[0] if reached else None, "wall": wall, "final": final,
            "busy_max": busy_max, "busy_p99": busy_p99, "idle_max": idle_max,
            "idle_p99": idle_p99}


def torch_epoch_seconds(threads: int | None) -> float | None:
    """One epoch of the same network in PyTorch (median of three), or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    from explorer.core.training import load_digits

    if threads is not None:
        torch.set_num_threads(threads)
    train, _ = load_digits()
    x = torch.from_numpy(train.images.astype(np.float32) / 255.0)[:, None]
    y = torch.from_numpy(train.labels)
    times = []
    for _ in range(3):
        torch.manual_seed(0)
        net = torch.nn.Sequential(
            torch.nn.Conv2d(1, 8, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(8, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(256, 10))
        opt = torch.optim.Adam(net.parameters(), lr=0.004)
        order = torch.from_numpy(np.random.default_rng(0).permutation(len(y)))
        t0 = time.perf_counter()
        for b in range(0, len(y), 32):
            idx = order[b:b + 32]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def unseen_accuracy(model) -> dict[str, tuple[int, float]]:
    from bench._digits import unseen_digits

    return {name: (len(labels), float((model.predict(images) == labels).mean()))
            for name, (images, labels) in unseen_digits().items()}


def main() -> None:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    pg.setConfigOptions(imageAxisOrder="row-major")
    app = QApplication.instance() or QApplication([])
    print(f"machine: {os.cpu_count()} CPU cores; the default training: 8 epochs of 4,000 "
          "digits, batch 32, Adam 0.004, seed 0, tested on 1,000 digits 4× an epoch")

    to95, final, model = core_run()
    to95_text = f"{to95:.1f} s" if to95 is not None else "not reached"
    print(f"core:   time to 95 % test accuracy {to95_text} (goal ≤ {GOAL_SECONDS:.0f} s), "
          f"final {final:.1%}")
    numpy_epoch = epoch_seconds()
    print(f"core:   one epoch without testing {numpy_epoch:.2f} s (NumPy im2col, one BLAS "
          "thread)")

    w = window_run(app)
    to95_text = f"{w['to95']:.1f} s" if w["to95"] is not None else "not reached"
    print(f"window: Start clicked → 95 % after {to95_text}, finished after {w['wall']:.1f} s, "
          f"final {w['final']:.1%}")
    print(f"window: GUI thread, longest gap between {TICK_MS} ms timer ticks: "
          f"{w['busy_max']:.1f} ms while training (p99 {w['busy_p99']:.1f} ms), "
          f"{w['idle_max']:.1f} ms idle (p99 {w['idle_p99']:.1f} ms); goal < "
          f"{GOAL_STALL_MS:.0f} ms")

    for threads, label in ((None, "default threads"), (1, "1 thread")):
        torch_epoch = torch_epoch_seconds(threads)
        if torch_epoch is None:
            print("torch:  not installed, skipped")
            break
        print(f"torch:  one epoch of the same network ({label}) {torch_epoch:.2f} s; "
              f"NumPy / PyTorch = {numpy_epoch / torch_epoch:.2f}")

    for name, (count, accuracy) in unseen_accuracy(model).items():
        print(f"unseen: {name:<7} {count:4d} digits, {accuracy:.1%} read right")


if __name__ == "__main__":
    main()
