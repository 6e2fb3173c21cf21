"""A kernel edit on a big photo: what recomputing costs against the stack's own work.

A 4000×3000 photo through the 3-stage stack (8 → 16 → 16 filters 3×3, ReLU, 2×2 max pool) at
the still's default processing size and at full size. The first request scales the photo; a
kernel edit afterwards finds the scaled picture in the input cache and only runs the stack and
the render step. Reported: the edit's time as a ratio to ``run_stack`` alone on the scaled
picture, measured in the same run (target ≤ 1.2×), and what the edit cost before the cache (the
scaling included).
"""

from __future__ import annotations

import time

import numpy as np

from explorer.core.computer import StackComputer, StackRequest
from explorer.core.display import MapStyle
from explorer.core.pipeline import fit_input, run_stack
from explorer.core.render import RenderRequest
from explorer.state import Document
from explorer.state.document import default_filter
from explorer.state.presets import build_stack

ROUNDS = 7


def _photo() -> np.ndarray:
    """A 4000×3000 picture with edges at every scale (a photo's cost, not a flat one's)."""
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, (75, 100, 3), dtype=np.uint8)
    import cv2

    photo = cv2.resize(small, (4000, 3000), interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(photo)


def _median_ms(fn, rounds: int = ROUNDS) -> float:
    fn()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3


def _measure(photo: np.ndarray, specs, side: int, render: RenderRequest
             ) -> tuple[str, float, float, float]:
    """(size, stack alone, a cached edit, an uncached edit) in ms at one processing size."""
    picture = fit_input(photo, side, False)
    computer = StackComputer()
    key = [0]

    def edit(cached: bool = True) -> None:
        key[0] += 1  # a new stack each time: the edited kernel
        source = 1 if cached else ("photo", key[0])
        computer.compute(StackRequest(key[0], photo, specs, source_key=source,
                                      stack_key=key[0], max_side=side, render=render))

    alone = _median_ms(lambda: run_stack(picture, specs))
    cached = _median_ms(edit)
    uncached = _median_ms(lambda: edit(cached=False))
    h, w = picture.shape[:2]
    return f"{w}×{h}", alone, cached, uncached


def main() -> None:
    photo = _photo()
    doc = Document()
    doc.stack.replace(build_stack("tinyvgg", 3, default_filter))
    grey = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
    render = RenderRequest(MapStyle("per_map", 255.0, grey, grey), 0, (180, 240), (90, 120),
                           ((58, 77), (29, 38), (14, 19)))
    print(f"{'processing size':>16} {'stack alone':>12} {'edit':>9} {'ratio':>7} "
          f"{'no cache':>9}")
    for side in (640, 4000):
        size, alone, cached, uncached = _measure(photo, doc.stack_specs(), side, render)
        print(f"{size:>16} {alone:10.1f} ms {cached:7.1f} ms {cached / alone:6.2f}× "
              f"{uncached:7.1f} ms")


if __name__ == "__main__":
    main()
