"""The pretrained network: ``classify`` against PyTorch, and the Network tab's live frame rate.

1. The network at 224×224: OpenCV's DNN module on the converted graph (the app's way) against
   a PyTorch forward pass of the same network with the same folded weights (channels-last,
   inference mode, the same thread count), in interleaved rounds of one run. PyTorch is not a
   dependency: without it the ratio is skipped. Target: ``classify`` ≤ 1.0× PyTorch.
   Also reported: the whole ``classify`` of a 640×480 photo (scaling and cropping included)
   and, with PyTorch, how far its class scores are from OpenCV's.
2. The live tab: a generated 640×480 MJPG video (a webcam stand-in) through the app's capture
   thread into the Network tab, which shows the top-5 and one layer's maps, for every layer
   from the stem to the head. A result counts when its maps start to paint. Reports
   processed fps, latency from frame capture to the painted maps, and the GUI thread's share
   and CPU milliseconds per frame. Target: ≥ 30 fps on every layer (the verdict names the
   slowest). The floor of each layer, measured in the same run: decoding the same MJPG frame
   and the network's OpenCV DNN pass that yields the layer's maps, with nothing coloured or
   drawn; "× floor" is the tab's frame time (1000 / fps) over it.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from bench._verdict import Target, print_verdicts
from bench.core import medians_ms

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# PyTorch's OpenMP threads otherwise spin for a while after each call: on a shared 2-core
# machine they then slow whatever is timed next (OpenCV included), by several times
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROUNDS = 40
LIVE_SECONDS = 4.0  # a layer; every layer of the network is run
LIVE_TARGET = 30.0
FEED_RATE = 1.5  # the video runs this much faster than the target


def _torch_network(net, torch):
    """The same network in PyTorch, from the folded weights the ONNX graph holds."""
    import torch.nn.functional as F

    from explorer.core.network.architecture import FC_KEY, LAYERS
    from explorer.core.network.onnx_graph import fold_batchnorm
    from explorer.core.shapes import pad_amounts

    weights = net._weights
    layers = []
    for layer in LAYERS:
        convs = []
        for conv in layer.convs:
            w, b = fold_batchnorm(weights, conv)
            convs.append((torch.from_numpy(w).contiguous(memory_format=torch.channels_last),
                          torch.from_numpy(b), conv))
        layers.append((convs, layer.residual))
    fc_w = torch.from_numpy(weights[f"{FC_KEY}.weight"])
    fc_b = torch.from_numpy(weights[f"{FC_KEY}.bias"])

    def forward(x):
        n = x.shape[-1]
        for convs, residual in layers:
            y = x
            for w, b, conv in convs:
                top, bottom = pad_amounts(n, conv.kernel, conv.stride, "same")
                pad = top
                if top != bottom:  # TensorFlow's odd extra pixel: only F.pad can add it
                    y, pad = F.pad(y, (top, bottom, top, bottom)), 0
                y = F.conv2d(y, w, b, stride=conv.stride, padding=pad,
                             groups=conv.in_channels if conv.depthwise else 1)
                n = y.shape[-1]
                if conv.relu6:
                    y = F.relu6(y)
            x = x + y if residual else y
        return F.linear(x.mean(dim=(2, 3)), fc_w, fc_b)

    return forward


def classify_speed(net) -> None:
    from explorer.core.images import load_image
    from explorer.core.network.preprocess import centre_crop, to_blob
    from explorer.core.network.runtime import softmax
    from explorer.resources import resource_path

    photo = load_image(resource_path("samples", "coffee.png"))
    frame = cv2.resize(photo, (640, 480), interpolation=cv2.INTER_AREA)
    crop, _ = centre_crop(frame)
    ours = {
        "classify, 224×224 picture (OpenCV DNN)": lambda: net.classify(crop),
        "  its forward pass alone": lambda: net.probabilities(crop),
        "classify, 640×480 frame (scale + crop too)": lambda: net.classify(frame),
        "top-5 + one layer's maps (the tab's pass)": lambda: net.run(frame, ["block 3"]),
    }
    try:
        import torch
    except ImportError:
        medians = medians_ms(ours, ROUNDS)
        print(f"224×224, median of {ROUNDS} rounds, {cv2.getNumThreads()} OpenCV threads")
        for name, ms in medians.items():
            print(f"  {name:<46} {ms:7.2f} ms")
        print("  PyTorch is not installed: no ratio (it is never a dependency of the app)")
        return
    forward = _torch_network(net, torch)
    x = torch.from_numpy(to_blob(crop)).contiguous(memory_format=torch.channels_last)

    def torch_forward():
        with torch.inference_mode():
            return forward(x)

    # one phase per PyTorch thread count: each ratio is measured in interleaved rounds
    for threads in (cv2.getNumThreads(), 1):
        torch.set_num_threads(threads)
        reference = f"PyTorch forward, channels-last, {threads} thread(s)"
        medians = medians_ms({**ours, reference: torch_forward}, ROUNDS)
        print(f"224×224, median of {ROUNDS} interleaved rounds, {cv2.getNumThreads()} OpenCV "
              f"threads, PyTorch {torch.__version__} on {threads} thread(s)")
        for name, ms in medians.items():
            print(f"  {name:<46} {ms:7.2f} ms  {ms / medians[reference]:5.2f}× PyTorch")
    with torch.inference_mode():
        theirs = softmax(forward(x).numpy()[0])
    mine = net.probabilities(crop)
    same = list(np.argsort(-mine)[:5]) == list(np.argsort(-theirs)[:5])
    print(f"  against PyTorch: largest probability difference {np.abs(mine - theirs).max():.1e}, "
          f"same top-5: {same}; target: classify ≤ 1.0× PyTorch")


def _live_case(app, net, layer: str, video: Path) -> dict[str, float]:
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    from explorer.core.sources import VideoFileSource
    from explorer.state import Document
    from explorer.ui.controllers.network import NetworkController
    from explorer.ui.live import LiveFeed

    document = Document()
    document.network.layer = layer
    tab = NetworkController(document, loader=lambda: net)
    tab.view.resize(1300, 900)
    tab.view.show()
    loop = QEventLoop()
    tab.loaded.connect(loop.quit)
    tab.set_active(True)  # the window shows the tab
    loop.exec()
    latencies: list[float] = []
    drawn_at: list[float] = []

    class PaintWatch(QObject):
        painted = -1

        def eventFilter(self, obj, event) -> bool:
            result = tab.result
            if (event.type() == QEvent.Type.Paint and result is not None
                    and result.generation != self.painted):
                self.painted = result.generation
                now = time.perf_counter()
                latencies.append((now - result.request.frame_time) * 1e3)
                drawn_at.append(now)
            return False

    watch = PaintWatch()
    tab.view.mosaic.canvas.installEventFilter(watch)
    feed = LiveFeed()
    # what the window does with each live frame: the document's picture, which the tab follows
    document.live.name, document.live.active = video.name, True
    feed.frame_ready.connect(lambda frame: document.show_frame(frame.image, feed.run,
                                                               frame.sequence))
    feed.start(lambda: VideoFileSource(video, loop=True), video.name)

    def run(seconds: float) -> None:
        wait = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), wait.quit)
        wait.exec()

    run(1.5)
    latencies.clear()
    drawn_at.clear()
    t0, cpu0 = time.perf_counter(), time.thread_time()
    run(LIVE_SECONDS)
    busy, wall = time.thread_time() - cpu0, time.perf_counter() - t0
    feed.stop()
    tab.cleanup()
    tab.view.close()
    tab.view.deleteLater()
    app.processEvents()
    frames = len(drawn_at)
    if not frames:
        return {"fps": 0.0, "p50": float("nan"), "p95": float("nan"), "gui": busy / wall,
                "gui_ms": float("nan")}
    return {"fps": frames / wall, "p50": float(np.percentile(latencies, 50)),
            "p95": float(np.percentile(latencies, 95)), "gui": busy / wall,
            "gui_ms": busy / frames * 1e3}


def _floor_ms(net, layer: str, video: Path, frames: int) -> float:
    """Median ms a frame of decoding the video and the network's pass to ``layer``."""
    capture = cv2.VideoCapture(str(video))
    times = []
    try:
        for _ in range(frames):
            t0 = time.perf_counter()
            ok, bgr = capture.read()
            if not ok:
                break
            net.run(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), [layer])
            times.append(time.perf_counter() - t0)
    finally:
        capture.release()
    return float(np.median(times)) * 1e3 if times else float("nan")


def live_speed(net) -> list[Target]:
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from bench.live import FLOOR_FRAMES, write_video

    pg.setConfigOptions(imageAxisOrder="row-major")
    app = QApplication.instance() or QApplication([])
    print(f"Network tab, live 640×480 MJPG video fed at {FEED_RATE * LIVE_TARGET:.0f} fps, "
          f"{LIVE_SECONDS:.0f} s a layer (target ≥ {LIVE_TARGET:.0f} fps on every layer)")
    print(f"  {'layer':<10} {'maps':>14} {'fps':>6} {'p50 ms':>8} {'p95 ms':>8} {'GUI busy':>9} "
          f"{'GUI ms/frame':>13} {'floor ms':>9} {'× floor':>8}")
    slowest: tuple[float, str, float] = (float("inf"), "", float("nan"))
    with tempfile.TemporaryDirectory() as tmp:
        video = write_video(Path(tmp) / "scene.avi", (640, 480), fps=FEED_RATE * LIVE_TARGET)
        for layer in net.layer_names:
            h, w, c = net.layer_info(layer).shape
            r = _live_case(app, net, layer, video)
            floor = _floor_ms(net, layer, video, FLOOR_FRAMES)
            times_floor = (1e3 / r["fps"]) / floor if r["fps"] > 0 else float("nan")
            print(f"  {layer:<10} {f'{c} × {h}×{w}':>14} {r['fps']:6.1f} {r['p50']:8.1f} "
                  f"{r['p95']:8.1f} {r['gui']:8.0%} {r['gui_ms']:13.1f} {floor:9.1f} "
                  f"{times_floor:7.2f}×", flush=True)
            slowest = min(slowest, (r["fps"], layer, times_floor))
    return [Target(f"Network tab, slowest layer ({slowest[1]}), fps", slowest[0], LIVE_TARGET,
                   "fps", True, floor_ratio=slowest[2])]


def main() -> list[Target]:
    from explorer.core.network import NetworkError, load_pretrained

    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            net = load_pretrained(cache_dir=tmp)
            t1 = time.perf_counter()
            load_pretrained(cache_dir=tmp)
            t2 = time.perf_counter()
    except NetworkError as exc:
        print(f"skipped: {exc}")
        return []
    print(f"load_pretrained: {(t1 - t0) * 1e3:.0f} ms converting, {(t2 - t1) * 1e3:.0f} ms "
          "from the cache")
    classify_speed(net)
    targets = live_speed(net)
    print_verdicts(targets)
    return targets


if __name__ == "__main__":
    main()
