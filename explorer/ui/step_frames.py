"""Frames of a step-through animation: the slide canvas rendered offscreen, one frame a step."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from explorer.core.animation import MAX_FRAMES
from explorer.core.stepthrough import Walkthrough
from explorer.ui.convert import qimage_to_array
from explorer.ui.export import render_widget
from explorer.ui.widgets.step_canvas import StepCanvas

SLIDE_SIZE = (1280, 720)  # width, height at 1×: a 16:9 slide
ANIMATION_SCALES = (1, 2)


def frame_steps(walkthrough: Walkthrough, current_map: int = 0) -> list[int]:
    """The steps an animation shows: all of them, or one map's when there are too many."""
    everything = list(range(len(walkthrough.steps)))
    if len(everything) <= MAX_FRAMES:
        return everything
    one_map = [s.index for s in walkthrough.steps if s.map == current_map]
    if len(one_map) > MAX_FRAMES:
        raise ValueError(f"one output map takes {len(one_map)} steps; an animation holds at "
                         f"most {MAX_FRAMES} frames: take a smaller crop or padding")
    return one_map


def render_frames(
    walkthrough: Walkthrough, steps: list[int], scale: int = 1,
    size: tuple[int, int] = SLIDE_SIZE, presentation: bool = False,
    progress: Callable[[int], bool] | None = None,
) -> Iterator[np.ndarray]:
    """RGB uint8 frames ``size`` × ``scale`` pixels, one per step in ``steps``.

    ``progress(i)`` is called before frame i; returning False stops the frames (cancel).
    """
    if scale not in ANIMATION_SCALES:
        raise ValueError(f"an animation is rendered at 1× or 2×, not {scale}×")
    # never shown: a hidden widget renders as well, and no window flashes up or warns
    canvas = StepCanvas()
    canvas.resize(*size)
    canvas.set_presentation(presentation)  # after the resize: the type follows the height
    try:
        for i, index in enumerate(steps):
            if progress is not None and not progress(i):
                return
            canvas.show_step(walkthrough, index)
            # a hidden widget's layout is not redone by itself, and the arithmetic may take
            # another line than before
            canvas.layout().invalidate()
            canvas.layout().activate()
            yield qimage_to_array(render_widget(canvas, scale))
    finally:
        canvas.deleteLater()
