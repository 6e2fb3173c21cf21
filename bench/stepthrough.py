"""The step-through: building every step of an example, and rendering animation frames.

Cases, each measured in this run:
- the steps of the explorer's layer on a 12×12 crop (4 filters 3×3, 16 filters 5×5, 64 filters
  7×7, "same" padding), as a ratio to one engine ``convolve`` of the same crop: the steps are
  built on the GUI thread when an example is picked, so the worst case should stay well
  under a tenth of a second.
- the 18 frames of the lecture's volume example painted at 1× (1280×720) and 2× by the slide
  renderer, and their GIF and MP4 encoding (both on the tab's worker in the app).
"""

from __future__ import annotations

import os
import tempfile
import time

import numpy as np

from bench.core import medians_ms, report
from explorer.core.animation import save_animation
from explorer.core.convolution import convolve
from explorer.core.pipeline import LayerSpec
from explorer.core.stepthrough import example, from_layer, walk


def steps(rounds: int = 5) -> None:
    rng = np.random.default_rng(0)
    picture = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    for count, k in ((4, 3), (16, 5), (64, 7)):
        spec = LayerSpec(weights=rng.normal(size=(count, k, k, 3)).astype(np.float32),
                         bias=np.zeros(count, np.float32), padding="same")
        ex = from_layer(picture, spec, (20, 20), 12)
        medians = medians_ms({
            "engine convolve of the crop": lambda ex=ex: convolve(ex.input, ex.weights,
                                                                  bias=ex.bias, padding="same"),
            f"walk: {count * 144} steps": lambda ex=ex: walk(ex),
        }, rounds)
        report(f"steps of {count} filters {k}×{k}×3 on a 12×12 crop", medians,
               "engine convolve of the crop")


def frames(rounds: int = 3) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from explorer.ui.step_frames import slide_frame

    QApplication.instance() or QApplication([])
    walkthrough = walk(example("lecture-volume"))
    every = list(range(len(walkthrough.steps)))
    rendered = {}

    def render(scale: int) -> None:
        rendered[scale] = [slide_frame(walkthrough, i, scale) for i in every]

    medians = medians_ms({"18 frames at 1×": lambda: render(1),
                          "18 frames at 2×": lambda: render(2)}, rounds)
    report("rendering the lecture's volume example", medians, "18 frames at 1×")
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".gif", ".mp4"):
            for scale in (1, 2):
                t0 = time.perf_counter()
                save_animation(rendered[scale], os.path.join(folder, f"v{scale}{suffix}"), 800)
                ms = (time.perf_counter() - t0) * 1e3
                size = os.path.getsize(os.path.join(folder, f"v{scale}{suffix}")) / 1e6
                print(f"  writing {suffix} at {scale}×{'':<29} {ms:8.1f} ms  {size:.2f} MB")


def main() -> None:
    steps()
    frames()


if __name__ == "__main__":
    main()
