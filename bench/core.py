"""The convolution engine against bare OpenCV (and SciPy), measured in the same run.

Cases:
- the live layer: a 1280×720 RGB frame through 8 filters 3×3×3 + bias + ReLU + 2×2 max pool.
  The engine (``convolve`` with an ``out=`` buffer, ``relu(out=)``, ``pool(out=)``) against the
  bare OpenCV way on one thread (filter2D per channel summed, reused buffers, pooling by the max
  of the four 2×2 phases). Target: ≤ 1.0×, aiming at 0.6× (two threads).
- one 640×480 plane at 3×3, 5×5 and 11×11 against a single ``cv2.filter2D`` and SciPy.
- stride 2 and dilation 2 against the dense layer (target ≤ 2×).

Candidates run in interleaved rounds, so a busy moment of the machine hits them all alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import cv2
import numpy as np
from scipy import ndimage

from explorer.core.activations import relu
from explorer.core.convolution import convolve, empty_feature_maps
from explorer.core.pooling import pool


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


def live_layer(rounds: int = 30) -> None:
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

    def engine_allocating() -> None:  # as the pipeline calls it: fresh arrays per stage
        pre = convolve(frame, weights, bias=bias, padding="same")
        pool(relu(pre), 2)

    planes = [np.empty((720, 1280), np.float32) for _ in range(3)]
    acc = [np.empty((720, 1280), np.float32) for _ in range(8)]
    tmp = np.empty((720, 1280), np.float32)
    out = [np.empty((360, 640), np.float32) for _ in range(8)]
    kernels = [[np.ascontiguousarray(weights[k, :, :, c]) for c in range(3)] for k in range(8)]

    def bare_opencv() -> None:
        cv2.split(frame, planes)
        for k in range(8):
            a = acc[k]
            cv2.filter2D(planes[0], -1, kernels[k][0], dst=a, delta=float(bias[k]),
                         borderType=cv2.BORDER_CONSTANT)
            for c in (1, 2):
                cv2.filter2D(planes[c], -1, kernels[k][c], dst=tmp,
                             borderType=cv2.BORDER_CONSTANT)
                cv2.add(a, tmp, dst=a)
            cv2.max(a, 0, dst=a)
            p = out[k]
            np.maximum(a[0::2, 0::2], a[0::2, 1::2], out=p)
            np.maximum(p, a[1::2, 0::2], out=p)
            np.maximum(p, a[1::2, 1::2], out=p)

    # same answer before timing anything
    engine()
    bare_opencv()
    np.testing.assert_allclose(pooled, np.stack(out, axis=-1), rtol=1e-4, atol=1e-2)

    medians = medians_ms({
        "bare OpenCV, one thread": bare_opencv,
        "engine: convolve/relu/pool with out= buffers": engine,
        "engine, uint8 frame in, out= buffers": engine_uint8,
        "engine, new arrays per stage (pipeline)": engine_allocating,
    }, rounds)
    report("1280×720 RGB → 8 filters 3×3×3 + bias + ReLU + 2×2 max pool", medians,
           "bare OpenCV, one thread")


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


def main() -> None:
    print(f"OpenCV {cv2.__version__}, NumPy {np.__version__}, "
          f"{cv2.getNumberOfCPUs()} CPUs; medians, ratio to the first row of each table")
    live_layer()
    single_planes()
    stride_and_dilation()


if __name__ == "__main__":
    main()
