"""The convolution engine against bare OpenCV (and SciPy), measured in the same run.

Cases:
- the live layer: a 1280×720 RGB frame through 8 filters 3×3×3 + bias + ReLU + 2×2 max pool.
  The engine (``convolve`` with an ``out=`` buffer, ``relu(out=)``, ``pool(out=)``), and the
  live pipeline's stage (``run_stage`` into borrowed buffers, as a live frame runs), against
  the bare OpenCV way on one thread (filter2D per channel summed, reused buffers, pooling by
  the max of the four 2×2 phases). Reported as the median of the per-round ratios. Target:
  ≤ 0.8×, aiming at 0.6× (what two cores allow).
- one 640×480 plane at 3×3, 5×5 and 11×11 against a single ``cv2.filter2D`` and SciPy.
- stride 2 and dilation 2 against the dense layer (target ≤ 2×).

Candidates run in interleaved rounds, so a busy moment of the machine hits them all alike.
:class:`BareLayer` is also the floor ``bench.live`` reports its frame times against.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import cv2
import numpy as np
from scipy import ndimage

from bench._verdict import Target, print_verdicts
from explorer.core.activations import relu
from explorer.core.convolution import convolve, empty_feature_maps
from explorer.core.pipeline import BufferPool, LayerSpec, run_stage
from explorer.core.pooling import pool

ENGINE_TARGET = 0.8  # the engine's time over one-thread bare OpenCV's on the live layer
ENGINE_AIM = 0.6


class BareLayer:
    """A conv layer (3×3, 'same' zero padding) + bias + ReLU + 2×2 max pool, the bare OpenCV
    way on one thread: filter2D per input channel summed into preallocated buffers."""

    def __init__(self, height: int, width: int, weights: np.ndarray, bias: np.ndarray) -> None:
        k, _, _, c = weights.shape
        self.planes = [np.empty((height, width), np.float32) for _ in range(c)]
        self.acc = [np.empty((height, width), np.float32) for _ in range(k)]
        self.tmp = np.empty((height, width), np.float32)
        self.out = [np.empty((height // 2, width // 2), np.float32) for _ in range(k)]
        self.kernels = [[np.ascontiguousarray(weights[f, :, :, ch]) for ch in range(c)]
                        for f in range(k)]
        self.bias = [float(b) for b in bias]

    def __call__(self, image: np.ndarray) -> list[np.ndarray]:
        """The pooled maps of a float32 (H, W, C) image (or of C planes)."""
        if isinstance(image, np.ndarray):
            if image.ndim == 3 and image.shape[2] > 1:
                cv2.split(image, self.planes)
            else:
                np.copyto(self.planes[0], image.reshape(self.planes[0].shape))
            planes = self.planes
        else:
            planes = image
        h, w = self.tmp.shape
        for f, kernels in enumerate(self.kernels):
            a = self.acc[f]
            cv2.filter2D(planes[0], -1, kernels[0], dst=a, delta=self.bias[f],
                         borderType=cv2.BORDER_CONSTANT)
            for ch in range(1, len(planes)):
                cv2.filter2D(planes[ch], -1, kernels[ch], dst=self.tmp,
                             borderType=cv2.BORDER_CONSTANT)
                cv2.add(a, self.tmp, dst=a)
            cv2.max(a, 0, dst=a)
            p = self.out[f]
            a = a[: h // 2 * 2, : w // 2 * 2]
            np.maximum(a[0::2, 0::2], a[0::2, 1::2], out=p)
            np.maximum(p, a[1::2, 0::2], out=p)
            np.maximum(p, a[1::2, 1::2], out=p)
        return self.out


def medians_ms(candidates: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median wall time of each candidate in milliseconds, candidates taking turns."""
    for fn in candidates.values():  # warm up: first-touch page faults, OpenCV's lazy init
        fn()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: float(np.median(ts)) * 1e3 for name, ts in times.items()}


def report(title: str, medians: dict[str, float], reference: str) -> None:
    print(title)
    base = medians[reference]
    for name, ms in medians.items():
        print(f"  {name:<44} {ms:8.2f} ms  {ms / base:5.2f}×")


def paired(candidates: dict[str, Callable[[], object]], reference: str, rounds: int
           ) -> tuple[dict[str, float], dict[str, float]]:
    """(median ms, median of the per-round ratios to ``reference``) of each candidate, the
    candidates taking turns round after round."""
    for fn in candidates.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    base = np.array(times[reference])
    medians = {name: float(np.median(ts)) * 1e3 for name, ts in times.items()}
    ratios = {name: float(np.median(np.array(ts) / base)) for name, ts in times.items()}
    return medians, ratios


def live_layer(rounds: int = 31) -> list[Target]:
    rng = np.random.default_rng(0)
    camera = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    frame = camera.astype(np.float32)
    weights = rng.normal(size=(8, 3, 3, 3)).astype(np.float32)
    bias = rng.normal(size=8).astype(np.float32)

    maps = empty_feature_maps(720, 1280, 8)
    pooled = empty_feature_maps(360, 640, 8)

    def engine() -> None:
        convolve(frame, weights, bias=bias, padding="same", out=maps)
        relu(maps, out=maps)
        pool(maps, 2, out=pooled)

    def engine_uint8() -> None:  # the camera's frame straight in, no float32 copy first
        convolve(camera, weights, bias=bias, padding="same", out=maps)
        relu(maps, out=maps)
        pool(maps, 2, out=pooled)

    spec = LayerSpec(weights, bias, padding="same", activation="relu", pool_mode="max")
    buffers = BufferPool()

    def live_stage() -> None:  # what a live frame runs: borrowed buffers, uint8 in
        stage = run_stage(camera, spec, buffers=buffers)
        buffers.release(stage.borrowed)

    def engine_allocating() -> None:  # fresh arrays per stage, as a still's request
        pre = convolve(frame, weights, bias=bias, padding="same")
        pool(relu(pre), 2)

    bare_opencv = BareLayer(720, 1280, weights, bias)

    # same answer before timing anything
    engine()
    out = bare_opencv(frame)
    np.testing.assert_allclose(pooled, np.stack(out, axis=-1), rtol=1e-4, atol=1e-2)
    stage = run_stage(camera, spec, buffers=buffers)
    np.testing.assert_allclose(stage.pooled, pooled, rtol=1e-4, atol=1e-2)
    buffers.release(stage.borrowed)

    names = {
        "bare": "bare OpenCV, one thread",
        "engine": "engine: convolve/relu/pool with out= buffers",
        "uint8": "engine, uint8 frame in, out= buffers",
        "stage": "live pipeline stage (run_stage, borrowed buffers)",
        "alloc": "engine, new arrays per stage (a still)",
    }
    medians, ratios = paired({
        names["bare"]: lambda: bare_opencv(frame),
        names["engine"]: engine,
        names["uint8"]: engine_uint8,
        names["stage"]: live_stage,
        names["alloc"]: engine_allocating,
    }, names["bare"], rounds)
    print(f"1280×720 RGB → 8 filters 3×3×3 + bias + ReLU + 2×2 max pool; median ms and median "
          f"of {rounds} paired ratios to bare OpenCV")
    for name, ms in medians.items():
        print(f"  {name:<52} {ms:8.2f} ms  {ratios[name]:5.2f}×")
    aim = f"aim {ENGINE_AIM:g}"
    # these two are ratios to the floor already: the one-thread bare OpenCV layer
    return [Target("engine on the live layer, × bare OpenCV", ratios[names["engine"]],
                   ENGINE_TARGET, "×", False, aim, ratios[names["engine"]]),
            Target("live pipeline stage, × bare OpenCV", ratios[names["stage"]],
                   ENGINE_TARGET, "×", False, aim, ratios[names["stage"]])]


def single_planes(rounds: int = 60) -> None:
    rng = np.random.default_rng(1)
    plane = rng.random((480, 640), dtype=np.float32)
    dst = np.empty_like(plane)
    out = empty_feature_maps(480, 640, 1)
    for size in (3, 5, 11):
        kernel = rng.normal(size=(size, size)).astype(np.float32)
        medians = medians_ms({
            "cv2.filter2D": lambda k=kernel: cv2.filter2D(
                plane, -1, k, dst=dst, borderType=cv2.BORDER_CONSTANT),
            "convolve, padding='same'": lambda k=kernel: convolve(
                plane, k, padding="same", out=out),
            "scipy.ndimage.correlate": lambda k=kernel: ndimage.correlate(
                plane, k, mode="constant"),
        }, rounds if size < 11 else rounds // 3)
        report(f"640×480 plane, {size}×{size} kernel", medians, "cv2.filter2D")


def stride_and_dilation(rounds: int = 30) -> None:
    rng = np.random.default_rng(2)
    image = rng.random((480, 640, 3), dtype=np.float32)
    weights = rng.normal(size=(8, 3, 3, 3)).astype(np.float32)
    medians = medians_ms({
        "dense (stride 1, dilation 1)": lambda: convolve(image, weights, padding="same"),
        "stride 2": lambda: convolve(image, weights, padding="same", stride=2),
        "dilation 2": lambda: convolve(image, weights, padding="same", dilation=2),
        "stride 2 + dilation 2": lambda: convolve(image, weights, padding="same", stride=2,
                                                  dilation=2),
        "circular padding (explicit border)": lambda: convolve(
            image, weights, padding="same", pad_mode="circular"),
    }, rounds)
    report("640×480 RGB → 8 filters 3×3×3", medians, "dense (stride 1, dilation 1)")


def main() -> list[Target]:
    print(f"OpenCV {cv2.__version__}, NumPy {np.__version__}, "
          f"{cv2.getNumberOfCPUs()} CPUs; medians, ratio to the first row of each table")
    targets = live_layer()
    single_planes()
    stride_and_dilation()
    print_verdicts(targets)
    return targets


if __name__ == "__main__":
    main()
