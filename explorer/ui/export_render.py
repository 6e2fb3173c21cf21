"""Slide pictures of the maps: every map with its own colour bar and the numbers at its ends.

On screen one colour bar beside the grid serves the selected map, and hovering tells the rest.
A slide has neither, so each exported map carries a slim bar under it with the values its two
end colours stand for (and 0 in the middle of a diverging bar). The maps are coloured again
from the full-size result at the picture's own resolution, with the levels and colour tables
the screen used: a 3× picture is sharp and shows the colours the screen showed.

A :class:`Slide` is plain data (maps, titles, levels); :func:`render_slide` draws it in a dark
theme like the app or a light one for slides; the ``*_slide`` builders read what the maps panel
shows (see "The request path" in docs/architecture.md: the panel holds the result and its
levels, it never computes them).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

from explorer.core import images
from explorer.core.display import shrink, shrink_factor
from explorer.core.levels import colorize
from explorer.ui.convert import array_to_qimage, qimage_to_array
from explorer.ui.widgets.map_grid import grid_fit

__all__ = [
    "THEMES", "Slide", "SlideMap", "SlideSection", "Theme", "feature_slide", "level_text",
    "pooled_slide", "render_slide", "save_slide", "slide_for", "stages_slide",
]

MARGIN = 18  # logical px round the picture
GAP = 16  # between two maps of a row
ROW_GAP = 14  # between two rows of maps
MIN_TILE_W = 112  # narrower maps would not leave room for two numbers under them
SLIDE_AREA = (1400, 760)  # logical px a slide's maps fill at most: a 16:9 slide's body
MAX_TILE_W = 400  # a few small maps are shown large, but not without end
STAGE_TILE_H = 96  # each stage's maps in the picture of every stage
STAGES_WIDTH = 1100  # at least this wide: eight maps of a stage in a row
BAR_H = 8
HEADING_PX, NOTE_PX, TITLE_PX, NUMBER_PX = 20, 15, 15, 14  # font sizes in logical px
MIN_TITLE_PX = 11  # a long filter name is set smaller, down to this, before it is shortened
MINUS = "\u2212"


@dataclass(frozen=True)
class Theme:
    name: str
    background: QColor
    text: QColor
    muted: QColor
    frame: QColor  # round each map, so a map's white or black edge meets the page visibly


THEMES: dict[str, Theme] = {
    "dark": Theme("dark", QColor(30, 30, 30), QColor(235, 235, 235), QColor(165, 165, 165),
                  QColor(75, 75, 75)),
    "light": Theme("light", QColor(255, 255, 255), QColor(25, 25, 25), QColor(85, 85, 85),
                   QColor(185, 185, 185)),
}


@dataclass(frozen=True, eq=False)
class SlideMap:
    """One map as the slide shows it: its values, the levels and the table that colour them."""

    plane: np.ndarray  # (H, W) float values at full size
    title: str
    levels: tuple[float, float]  # the values at the colour table's two ends
    lut: np.ndarray  # (256, 3) uint8
    signed: bool  # diverging: the bar's middle is 0


@dataclass(frozen=True, eq=False)
class SlideSection:
    """A heading over a block of maps, ``columns`` to a row, each ``tile`` (w, h) logical px."""

    heading: str
    maps: tuple[SlideMap, ...]
    columns: int
    tile: tuple[int, int]


@dataclass(frozen=True, eq=False)
class Slide:
    title: str
    note: str
    sections: tuple[SlideSection, ...]


def level_text(value: float) -> str:
    """A level as a slide shows it: 3 significant digits, a true minus, no '1e+03'."""
    v = float(value)
    a = abs(v)
    if a == 0 or not np.isfinite(v):
        return "0" if a == 0 else str(v)
    if 1000 <= a < 100_000:
        text = f"{a:.0f}"
    elif 0.01 <= a < 1000:
        text = f"{a:.3g}"
    else:
        mantissa, exponent = f"{a:.1e}".split("e")
        text = f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return (MINUS if v < 0 else "") + text


def bar_labels(levels: tuple[float, float], signed: bool) -> list[str]:
    """The numbers under a map's bar: its two ends, and 0 in the middle of a diverging one."""
    lo, hi = levels
    if signed and lo < 0 < hi:
        return [level_text(lo), "0", level_text(hi)]
    return [level_text(lo), level_text(hi)]


# --- drawing ---------------------------------------------------------------------------------
def _font(px: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(px)
    font.setBold(bold)
    return font


class _Layout:
    """Measures and draws a slide; the same code does both, so they cannot disagree."""

    def __init__(self, slide: Slide, theme: Theme) -> None:
        self.slide, self.theme = slide, theme
        self.heading, self.note = _font(HEADING_PX, True), _font(NOTE_PX)
        self.title, self.number = _font(TITLE_PX, True), _font(NUMBER_PX)
        blocks = [s.columns * (s.tile[0] + GAP) - GAP for s in slide.sections if s.maps]
        self.width = max([*blocks, 480]) + 2 * MARGIN

    def _text(self, painter: QPainter | None, y: float, text: str, font: QFont,
              color: QColor) -> float:
        """Wrapped text across the slide at ``y``; returns its height."""
        if not text:
            return 0.0
        rect = QRectF(MARGIN, y, self.width - 2 * MARGIN, 10_000)
        flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        height = QFontMetricsF(font).boundingRect(rect, flags, text).height()
        if painter is not None:
            painter.setFont(font)
            painter.setPen(color)
            painter.drawText(rect, flags, text)
        return height

    def run(self, painter: QPainter | None, scale: int = 1) -> float:
        """Draw (or, without a painter, only measure); returns the height in logical px."""
        theme = self.theme
        y = float(MARGIN)
        y += self._text(painter, y, self.slide.title, self.heading, theme.text)
        y += self._text(painter, y, self.slide.note, self.note, theme.muted) + 10
        for section in self.slide.sections:
            if section.heading:
                y += self._text(painter, y, section.heading, self.title, theme.text) + 6
            y = self._maps(painter, section, y, scale) + 4
        return y + MARGIN - ROW_GAP

    def _maps(self, painter: QPainter | None, section: SlideSection, y: float,
              scale: int) -> float:
        w, h = section.tile
        title_h = QFontMetricsF(self.title).height() + 4
        number_h = QFontMetricsF(self.number).height()
        cell_h = title_h + h + 5 + BAR_H + 2 + number_h
        columns = max(section.columns, 1)
        for k, item in enumerate(section.maps):
            x = MARGIN + (k % columns) * (w + GAP)
            top = y + (k // columns) * (cell_h + ROW_GAP)
            if painter is not None:
                self._tile(painter, item, QRectF(x, top, w, cell_h), title_h, h, scale)
        rows = -(-len(section.maps) // columns)
        return y + rows * (cell_h + ROW_GAP)

    def _fitted_title(self, title: str, width: float) -> tuple[QFont, str]:
        """A map's title in the largest type (down to 11 px) that fits its width, shortened
        only when even that is too wide."""
        for px in range(TITLE_PX, MIN_TITLE_PX - 1, -1):
            font = _font(px, True)
            if _fitted(font, title, width):
                return font, title
        font = _font(MIN_TITLE_PX, True)
        return font, QFontMetricsF(font).elidedText(title, Qt.TextElideMode.ElideRight, width)

    def _tile(self, painter: QPainter, item: SlideMap, cell: QRectF, title_h: float,
              map_h: int, scale: int) -> None:
        theme = self.theme
        x, y, w = cell.x(), cell.y(), cell.width()
        font, title = self._fitted_title(item.title, w)
        painter.setFont(font)
        painter.setPen(theme.text)
        painter.drawText(QRectF(x, y, w, title_h),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), title)
        target = QRectF(x, y + title_h, w, map_h)
        painter.drawImage(target, _coloured(item, (int(map_h * scale), int(w * scale))))
        painter.setPen(QPen(theme.frame, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(target.adjusted(-0.5, -0.5, 0.5, 0.5))
        bar = QRectF(x, target.bottom() + 5, w, BAR_H)
        gradient = np.ascontiguousarray(item.lut.reshape(1, 256, 3))
        painter.drawImage(bar, array_to_qimage(gradient))
        painter.drawRect(bar.adjusted(-0.5, -0.5, 0.5, 0.5))
        painter.setFont(self.number)
        painter.setPen(theme.text)
        numbers = QRectF(x, bar.bottom() + 2, w, QFontMetricsF(self.number).height())
        labels = bar_labels(item.levels, item.signed)
        painter.drawText(numbers, int(Qt.AlignmentFlag.AlignLeft), labels[0])
        painter.drawText(numbers, int(Qt.AlignmentFlag.AlignRight), labels[-1])
        if len(labels) == 3:
            painter.drawText(numbers, int(Qt.AlignmentFlag.AlignHCenter), labels[1])


def _fitted(font: QFont, text: str, width: float) -> bool:
    return QFontMetricsF(font).horizontalAdvance(text) <= width


def _coloured(item: SlideMap, pixels: tuple[int, int]) -> QImage:
    """The map shrunk (by block means, as on screen) to no less than ``pixels`` and coloured."""
    plane = np.ascontiguousarray(item.plane, np.float32)
    plane = shrink(plane, shrink_factor(plane.shape, pixels))
    return array_to_qimage(colorize(plane, item.levels, item.lut))


def render_slide(slide: Slide, scale: int = 1, theme: str = "dark") -> QImage:
    """The slide as a picture ``scale`` times its logical size (sharp text at 2× and 3×)."""
    if theme not in THEMES:
        raise ValueError(f"the theme is dark or light, not {theme!r}")
    if scale not in (1, 2, 3):
        raise ValueError(f"the export scale must be 1, 2 or 3, not {scale}")
    if not any(section.maps for section in slide.sections):
        raise ValueError("there are no maps to export yet")
    layout = _Layout(slide, THEMES[theme])
    height = layout.run(None)
    image = QImage(int(layout.width * scale), int(np.ceil(height * scale)),
                   QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(scale)
    image.fill(layout.theme.background)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)  # crisp cells
        layout.run(painter, scale)
    finally:
        painter.end()
    return image


def save_slide(slide: Slide, path: str | os.PathLike, scale: int = 1, theme: str = "dark", *,
               overwrite: bool = True) -> Path:
    """Write the slide to ``path`` in the format its suffix names (see ``export.save_widget``)."""
    target = images.check_save_path(path, overwrite=overwrite)
    picture = qimage_to_array(render_slide(slide, scale, theme))
    return images.save_image(target, picture, overwrite=overwrite)


# --- what the maps panel shows ---------------------------------------------------------------
LEVEL_NOTES = {
    "per_map": "Colour levels per map: each map's colours span its own range, given under it.",
    "shared": "Shared colour levels: one range for every map, so their strengths compare.",
    "fixed": "Fixed colour levels: one steady range for every map; stronger values show at "
             "full colour.",
}


def _note(panel) -> str:
    display = panel.document.display
    note = LEVEL_NOTES.get(display.levels, "")
    levels = panel.map_levels
    if display.levels == "fixed" and levels is not None and levels.clipped is not None:
        note += f" {levels.clipped * 100:.1f} % of values lie beyond ±" \
                f"{level_text(display.fixed_limit)}."
    return note


def _maps(planes: np.ndarray, names: Sequence[str], levels, style) -> tuple[SlideMap, ...]:
    lut = style.signed_lut if levels.signed else style.sequential_lut
    return tuple(
        SlideMap(planes[:, :, k], names[k] if k < len(names) else f"filter {k + 1}",
                 (float(levels.levels[k][0]), float(levels.levels[k][1])), lut,
                 bool(levels.signed))
        for k in range(planes.shape[2]))


def _slide_grid(count: int, shape: tuple[int, int]) -> tuple[int, tuple[int, int]]:
    """(columns, (w, h) logical px of a map) that show ``count`` maps largest on a slide: the
    picture looks the same whatever the size of the window it was exported from."""
    h, w = shape
    below = TITLE_PX + BAR_H + NUMBER_PX + ROW_GAP + 12  # a map's title, bar and numbers
    columns, scale = grid_fit(count, h, w, SLIDE_AREA[0], SLIDE_AREA[1], below)
    tw = min(max(w * scale, MIN_TILE_W), MAX_TILE_W)
    return columns, (round(tw), max(round(tw * h / max(w, 1)), 8))


def _source_line(panel) -> str:
    result = panel.result
    h, w = result.picture.shape[:2]
    name = panel.document.source_name or "picture"
    return f"{name} · processed at {h}×{w}"


def _large(panel):
    result = panel.result
    large = result.display.large if result is not None and result.display is not None else None
    if large is None:
        raise ValueError("there are no maps to export yet: wait for the layer to finish")
    return result, large


def _names(grid) -> list[str]:
    return [t.split(" · ")[0] for t in grid.titles()]


def feature_slide(panel) -> Slide:
    """The large stage's feature maps as the panel shows them, a bar under each."""
    result, large = _large(panel)
    maps = result.stages[large.index].feature_maps
    section = SlideSection(panel.fm_caption.text(),
                           _maps(maps, _names(panel.feature_grid), large.levels,
                                 panel.map_style()),
                           *_slide_grid(maps.shape[2], maps.shape[:2]))
    return Slide(_source_line(panel), _note(panel), (section,))


def pooled_slide(panel) -> Slide:
    """The large stage's pooled maps (coloured with their feature maps' levels)."""
    result, large = _large(panel)
    pooled = result.stages[large.index].pooled
    if pooled is None:
        raise ValueError("this layer has no pooling, so there are no pooled maps to export")
    section = SlideSection(panel.pooled_caption.text(),
                           _maps(pooled, _names(panel.pooled_grid), large.levels,
                                 panel.map_style()),
                           *_slide_grid(pooled.shape[2], pooled.shape[:2]))
    note = _note(panel) + " Pooled maps share their feature maps' colours."
    return Slide(_source_line(panel), note, (section,))


def stages_slide(panel) -> Slide:
    """Every stage's output maps, a heading and a row (or rows) of barred maps a stage."""
    from explorer.ui.panels.maps_panel import stage_summary

    result = panel.result
    strip = result.display.strip if result is not None and result.display is not None else ()
    if not strip:
        raise ValueError("the picture of every stage needs a stack of two or more layers")
    style = panel.map_style()
    infos = panel.stage_infos
    width = max(panel.strip.width(), STAGES_WIDTH) - 2 * MARGIN
    sections = []
    for shown in strip:
        stage = result.stages[shown.index]
        out = stage.output
        h, w, k = out.shape
        tile_w = max(int(STAGE_TILE_H * w / max(h, 1)), MIN_TILE_W)
        tile = (tile_w, max(int(tile_w * h / max(w, 1)), 8))
        fit = max(1, min(k, (width + GAP) // (tile_w + GAP)))
        columns = -(-k // -(-k // fit))  # as many a row as fit, the rows filled evenly
        heading = f"Layer {shown.index + 1}: {stage_summary(stage)} → {h}×{w}×{k}"
        info = infos[shown.index] if shown.index < len(infos) else None
        if info is not None and info.output_field is not None:
            field = info.output_field[0]
            heading += f" · each unit sees {field.size} px, jump {field.jump}"
        names = panel.document.stack[shown.index].filters.names() \
            if shown.index < len(panel.document.stack) else []
        sections.append(SlideSection(heading, _maps(out, names, shown.levels, style),
                                     columns, tile))
    return Slide(_source_line(panel), _note(panel), tuple(sections))


def slide_for(panel, widget: QWidget) -> Slide | None:
    """The slide for an export target of the maps panel; None for any other widget."""
    if widget is panel.feature_grid:
        return feature_slide(panel)
    if widget is panel.pooled_grid:
        return pooled_slide(panel)
    if widget is panel.strip:
        return stages_slide(panel)
    return None


def is_slide_target(panel, widget: QWidget) -> bool:
    """Whether the export of ``widget`` is a slide picture (and so can take the light theme)."""
    return widget in (panel.feature_grid, panel.pooled_grid, panel.strip)
