"""The render step: a stack's maps made ready for the screen, from plain numbers.

It runs on the compute worker after the stack, so the GUI thread only hands pictures to the
views. The views say, in screen pixels, how large they show things (a :class:`RenderRequest`);
the render step shrinks each map by a whole factor to that size (the mean of each block), takes
the colour levels and colours the shrunk planes. Levels come from the full-size maps, so the
colours of a picture never depend on how large the window is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from explorer.core.display import (
    DisplayPlanes,
    MapStyle,
    PictureDisplay,
    display_planes,
    map_planes,
    picture_display,
    screen_pixels,
)
from explorer.core.levels import SAMPLE_SIZE, MapLevels, colorize, map_levels
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


def paint(planes: DisplayPlanes, levels: MapLevels, style: MapStyle) -> DisplayPlanes:
    """The shrunk planes coloured with each map's levels, as screen pixels."""
    lut = style.signed_lut if levels.signed else style.sequential_lut
    pixels = [screen_pixels(colorize(p, (float(levels.levels[k][0]),
                                         float(levels.levels[k][1])), lut))
              for k, p in enumerate(planes.planes)]
    return DisplayPlanes(planes.factor, planes.full_shape, planes.planes, pixels,
                         planes.covered)


def stage_levels(feature_maps: np.ndarray, style: MapStyle, border: Border | None = None,
                 sample: int = SAMPLE_SIZE, planes: list[np.ndarray] | None = None
                 ) -> MapLevels:
    """The colour levels of a stage's full-size feature maps, taken over the units that see
    no zero padding (``border``), so a frame of padding stripes cannot set them.
    ``planes``: the maps' :func:`map_planes`, when the caller has them already."""
    planes = planes or map_planes(feature_maps)
    box = None if border is None else \
        interior_box(feature_maps.shape, border.feature_rows, border.feature_cols)
    if box is None or border is None:
        return map_levels(planes, style.levels, style.fixed_limit, sample)
    # views into the planes: OpenCV and the sampling read them in place, nothing is copied
    inner = [p[box] for p in planes]
    levels = map_levels(inner, style.levels, style.fixed_limit, sample, whole=planes)
    return replace(levels, border=border.width())


def stage_display(index: int, feature_maps: np.ndarray, pooled: np.ndarray | None,
                  feature_tile: Tile | None, pooled_tile: Tile | None,
                  style: MapStyle, levels: MapLevels | None = None,
                  planes: list[np.ndarray] | None = None) -> StageDisplay:
    """A stage's feature maps (and pooled maps, which share their levels) for the screen.

    ``levels``: colour levels already taken (else from the full-size feature maps);
    ``planes``: the feature maps' :func:`map_planes`, when the caller has them already."""
    planes = planes or map_planes(feature_maps)
    if levels is None:
        levels = stage_levels(feature_maps, style, planes=planes)
    feature = paint(display_planes(feature_maps, feature_tile, planes), levels, style)
    shown_pooled = None
    if pooled is not None:
        # pooled values lie within their feature map's range: same colours, same bar
        shown_pooled = paint(display_planes(pooled, pooled_tile or feature_tile), levels, style)
    return StageDisplay(index, levels, feature, shown_pooled)


def render(stages: Sequence[StageMaps], request: RenderRequest,
           picture: np.ndarray | None = None) -> RenderResult:
    """The selected stage large, if asked every stage's output as small tiles, and the
    ``picture`` (the first layer's input) at the size the input view shows it."""
    large = None
    borders = clean_units([s.spec for s in stages], stages[0].input.shape[:2]) if stages \
        else []
    if 0 <= request.stage < len(stages):
        stage = stages[request.stage]
        planes = map_planes(stage.feature_maps)  # one copy for the levels and the tiles
        levels = stage_levels(stage.feature_maps, request.style, borders[request.stage],
                              planes=planes)
        large = stage_display(request.stage, stage.feature_maps, stage.pooled,
                              request.feature_tile, request.pooled_tile, request.style, levels,
                              planes)
    strip: list[StageDisplay] = []
    if request.strip_tiles is not None:
        style = request.style
        for i, stage in enumerate(stages):
            tile = request.strip_tiles[i] if i < len(request.strip_tiles) else None
            # a stage's output (pooled) lies within its feature maps' range: the strip takes
            # the large view's levels for that stage, so both show one colour for one value
            levels = large.levels if large is not None and large.index == i else \
                stage_levels(stage.feature_maps, style, borders[i], STRIP_SAMPLE)
            shown = stage_display(i, stage.output, None, tile, None, style, levels)
            strip.append(replace(shown, mosaic=mosaic(shown.feature.pixels or [])))
    shown_input = None
    if picture is not None and request.input_tile is not None:
        shown_input = picture_display(picture, request.input_tile, request.input_own_range)
    return RenderResult(large, tuple(strip), shown_input)


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
