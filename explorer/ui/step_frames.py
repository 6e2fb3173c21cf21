"""A step-through animation: one slide a step, painted by the slide renderer and written.

:func:`export_steps` is the whole export as a generator: it renders each frame into a
``QImage`` (:func:`~explorer.ui.widgets.step_slide.render_slide`, no widget involved), hands
it to the file being written and yields an :class:`ExportProgress`. The tab runs it on its
worker (``Worker.run_steps``: the window stays responsive, Cancel drops it and the target
stays as it was); the batch export (``--save-animation``) runs it to the end with
:func:`write_animation`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.core.animation import MAX_FRAMES, AnimationFile, check_writable
from explorer.core.cancel import CancelToken
from explorer.core.stepthrough import Walkthrough
from explorer.ui.convert import qimage_to_array
from explorer.ui.widgets.step_slide import SLIDE_SIZE, StepSlide, render_slide

ANIMATION_SCALES = (1, 2)


@dataclass(frozen=True)
class ExportProgress:
    """``done`` of ``total`` frames written; ``written`` the files, once they are in place."""

    done: int
    total: int
    written: tuple[Path, ...] = ()


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


def check_scale(scale: int) -> int:
    if scale not in ANIMATION_SCALES:
        raise ValueError(f"an animation is rendered at 1× or 2×, not {scale}×")
    return scale


def slide_frame(walkthrough: Walkthrough, index: int, scale: int = 1,
                presentation: bool = False, size: tuple[int, int] = SLIDE_SIZE) -> np.ndarray:
    """Step ``index`` as an RGB uint8 frame of ``size`` × ``scale`` pixels."""
    image = render_slide(StepSlide(walkthrough, index), size, check_scale(scale), presentation)
    return qimage_to_array(image)


def export_steps(walkthrough: Walkthrough, steps: list[int], path: str | os.PathLike,
                 frame_ms: int = 800, scale: int = 1, presentation: bool = False,
                 token: CancelToken | None = None, *,
                 overwrite: bool = True) -> Iterator[ExportProgress]:
    """Render and write one frame a step in ``steps``, yielding after each; the last
    progress names the files written. Closed early (or cancelled through ``token``) it
    leaves the target as it was. Raises ValueError with a sentence for a bad path, duration
    or scale before any frame is rendered; without ``overwrite``, TargetExists for a file
    (any numbered frame) that exists."""
    check_scale(scale)
    total = len(steps)
    with AnimationFile(path, frame_ms, overwrite=overwrite) as out:
        for i, index in enumerate(steps):
            if token is not None and token.cancelled:
                return
            out.add(slide_frame(walkthrough, index, scale, presentation))
            yield ExportProgress(i + 1, total)
        if token is not None and token.cancelled:
            return
        written = out.finish()
    yield ExportProgress(total, total, tuple(written))


def write_animation(walkthrough: Walkthrough, path: str | os.PathLike, frame_ms: int = 800,
                    scale: int = 1, presentation: bool = False, *,
                    overwrite: bool = True) -> list[Path]:
    """The whole export at once (the batch's ``--save-animation``); returns the files."""
    steps = frame_steps(walkthrough)
    check_writable(path, overwrite=overwrite, frames=len(steps))  # before any frame is painted
    written: tuple[Path, ...] = ()
    for progress in export_steps(walkthrough, steps, path, frame_ms, scale, presentation,
                                 overwrite=overwrite):
        written = progress.written
    return list(written)
