"""The render step: a stack's maps made ready for the screen, from plain numbers.

It runs on the compute worker after the stack, so the GUI thread only hands pictures to the
views. The views say, in screen pixels, how large they show things (a :class:`RenderRequest`);
the render step shrinks each map by a whole factor to that size (the mean of each block), takes
the colour levels and colours the shrunk planes. Levels come from the full-size maps, so the
colours of a picture never depend on how large the window is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Protocol

import numpy as np

from explorer.core.convolution import share_tasks
from explorer.core.display import (
    DisplayPlanes,
    MapStyle,
    PictureDisplay,
    map_planes,
    picture_display,
    screen_pixels,
    shown_size,
    shrink_factor,
    shrink_to,
)
from explorer.core.levels import SAMPLE_SIZE, LevelPass, MapLevels, colorize
from explorer.core.padding_border import Border, clean_units, interior_box
from explorer.core.pipeline import LayerSpec

Tile = tuple[int, int]  # (rows, columns) of screen pixels


class StageMaps(Protocol):
    """What the render step needs of a stage (a :class:`~explorer.core.pipeline.StageResult`)."""

    spec: LayerSpec
    input: np.ndarray
    feature_maps: np.ndarray
    pooled: np.ndarray | None

    @property
    def output(self) -> np.ndarray: ...


@dataclass(frozen=True)
class RenderRequest:
    """What the screen shows: one stage large, and optionally every stage's output small."""

    style: MapStyle
    stage: int = 0  # the stage shown large
    feature_tile: Tile | None = None  # one feature-map tile of the large stage
    pooled_tile: Tile | None = None  # one pooled-map tile of the large stage
    strip_tiles: tuple[Tile, ...] | None = None  # one small tile size per stage, or None
    input_tile: Tile | None = None  # the input picture's view, when it shows all of it
    input_own_range: bool = False  # the input shaded over its own range, not 0–255


@dataclass(frozen=True, eq=False)
class StageDisplay:
    """One stage's maps, shrunk and coloured, with the levels they were coloured with."""

    index: int
    levels: MapLevels
    feature: DisplayPlanes
    pooled: DisplayPlanes | None
    mosaic: np.ndarray | None = None  # screen pixels: the feature tiles, MOSAIC_GAP apart


MOSAIC_GAP = 2  # columns of background between two tiles of a mosaic
MOSAIC_BACKGROUND = 30  # the dark grey of the map views


@dataclass(frozen=True, eq=False)
class RenderResult:
    large: StageDisplay | None  # the selected stage
    strip: tuple[StageDisplay, ...] = ()  # every stage's output (pooled or feature maps)
    input: PictureDisplay | None = None  # the input picture at the size it is shown


STRIP_SAMPLE = 2048  # values a small map's colour levels are estimated from


COLOUR_PASSES = 4  # passes over a shrunk plane to colour it: clamp, scale, look up, pack


class _ShownMaps:
    """K maps shrunk to their tile and coloured, map by map: each :meth:`make` touches only
    map k, so the maps of every view can be made on any threads, mixed (``share_tasks``)."""

    def __init__(self, maps: np.ndarray, tile: Tile | None,
                 planes: list[np.ndarray] | None = None) -> None:
        h, w, k = maps.shape
        self.factor = shrink_factor((h, w), tile)
        self.exact = shown_size((h, w), tile)
        self.full_shape = (h, w)
        self.full = planes or map_planes(maps)
        self.planes: list[np.ndarray] = list(self.full)
        self.pixels: list[np.ndarray] = [np.empty(0, np.uint8)] * k

    @property
    def work(self) -> int:
        """Roughly, the values the shrinking reads and the colouring passes write."""
        h, w = self.exact
        return sum(p.size for p in self.full) + COLOUR_PASSES * h * w * len(self.full)

    def make(self, k: int, levels: MapLevels, style: MapStyle) -> None:
        small = shrink_to(self.full[k], self.factor, self.exact)
        lut = style.signed_lut if levels.signed else style.sequential_lut
        lo, hi = float(levels.levels[k][0]), float(levels.levels[k][1])
        self.planes[k] = small
        self.pixels[k] = screen_pixels(colorize(small, (lo, hi), lut))

    def tasks(self, levels: MapLevels, style: MapStyle) -> list[Callable[[], None]]:
        return [partial(self.make, k, levels, style) for k in range(len(self.full))]

    def result(self) -> DisplayPlanes:
        h, w, f = *self.full_shape, self.factor
        return DisplayPlanes(f, self.full_shape, self.planes, self.pixels,
                             (h // f * f, w // f * f))


def _level_pass(feature_maps: np.ndarray, planes: list[np.ndarray], style: MapStyle,
                border: Border | None, sample: int) -> tuple[LevelPass, int]:
    """The measuring of a stage's colour levels over the units that see no zero padding
    (``border``), so a frame of padding stripes cannot set them; with the border's width."""
    box = None if border is None else \
        interior_box(feature_maps.shape, border.feature_rows, border.feature_cols)
    if box is None or border is None:
        return LevelPass(planes, style.levels, style.fixed_limit, sample), 0
    # views into the planes: OpenCV and the sampling read them in place, nothing is copied
    inner = [p[box] for p in planes]
    return LevelPass(inner, style.levels, style.fixed_limit, sample, whole=planes), \
        border.width()


def render(stages: Sequence[StageMaps], request: RenderRequest,
           picture: np.ndarray | None = None) -> RenderResult:
    """The selected stage large, if asked every stage's output as small tiles, and the
    ``picture`` (the first layer's input) at the size the input view shows it.

    Two rounds of tasks shared between the engine's threads: every map's colour levels
    measured (and the picture shrunk), then every shown map shrunk and coloured. Levels come
    from the full-size feature maps; a stage's output (pooled) lies within their range, so
    its pooled maps, and its row of the strip, take them too: one colour for one value.
    """
    style = request.style
    borders = clean_units([s.spec for s in stages], stages[0].input.shape[:2]) if stages \
        else []
    large_i = request.stage if 0 <= request.stage < len(stages) else None
    levelled = [] if large_i is None else [large_i]
    if request.strip_tiles is not None:
        levelled += [i for i in range(len(stages)) if i != large_i]
    planes = {i: map_planes(stages[i].feature_maps) for i in levelled}
    passes = {i: _level_pass(stages[i].feature_maps, planes[i], style, borders[i],
                             SAMPLE_SIZE if i == large_i else STRIP_SAMPLE)
              for i in levelled}
    shown_input: list[PictureDisplay] = []
    tasks: list[Callable[[], object]] = []
    work = sum(p.work for p, _ in passes.values())
    if picture is not None and request.input_tile is not None:
        tasks.append(lambda: shown_input.append(
            picture_display(picture, request.input_tile, request.input_own_range)))
        work += picture.size
    tasks += [partial(p.measure, k) for p, _ in passes.values() for k in range(p.count)]
    share_tasks(tasks, work)
    levels = {i: replace(p.levels(), border=width) for i, (p, width) in passes.items()}

    views: list[tuple[int, _ShownMaps, _ShownMaps | None]] = []  # (stage, maps, pooled)
    if large_i is not None:
        stage = stages[large_i]
        pooled = None if stage.pooled is None else \
            _ShownMaps(stage.pooled, request.pooled_tile or request.feature_tile)
        views.append((large_i, _ShownMaps(stage.feature_maps, request.feature_tile,
                                          planes[large_i]), pooled))
    if request.strip_tiles is not None:
        for i, stage in enumerate(stages):
            tile = request.strip_tiles[i] if i < len(request.strip_tiles) else None
            # without pooling the output is the feature maps: their planes are made already
            same = planes.get(i) if stage.pooled is None else None
            views.append((i, _ShownMaps(stage.output, tile, same), None))
    tasks = [t for i, maps, pooled in views for shown in (maps, pooled) if shown is not None
             for t in shown.tasks(levels[i], style)]
    share_tasks(tasks, sum(s.work for _, m, p in views for s in (m, p) if s is not None))

    displays = [StageDisplay(i, levels[i], maps.result(),
                             None if pooled is None else pooled.result())
                for i, maps, pooled in views]
    large = displays.pop(0) if large_i is not None else None
    strip = tuple(replace(d, mosaic=mosaic(d.feature.pixels or [])) for d in displays)
    return RenderResult(large, strip, shown_input[0] if shown_input else None)


def mosaic(tiles: Sequence[np.ndarray], gap: int = MOSAIC_GAP) -> np.ndarray:
    """Screen-pixel tiles of one size side by side in one picture, ``gap`` columns apart."""
    background = screen_pixels(np.full((1, 1), MOSAIC_BACKGROUND, np.uint8))[0, 0]
    if not tiles:
        return np.tile(background, (1, 1, 1))
    h, w = tiles[0].shape[:2]
    out = np.empty((h, len(tiles) * (w + gap) - gap, 4), np.uint8)
    out[:] = background
    for k, tile in enumerate(tiles):
        out[:, k * (w + gap):k * (w + gap) + w] = tile
    return out
