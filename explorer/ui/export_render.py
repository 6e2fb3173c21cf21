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

import itertools
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
from explorer.ui.widgets.cell_values import light_cells
from explorer.ui.widgets.color_bar import FLAT_TEXT, compact_number
from explorer.ui.widgets.colormaps import lookup_table
from explorer.ui.widgets.kernel_editor import display_name
from explorer.ui.widgets.map_grid import grid_fit
from explorer.ui.widgets.matrix_view import format_cell

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
COLUMN_GAP = 36  # between two columns of stages
MAX_LABELLED = 16  # maps up to 16×16 carry their numbers and indices
INDEX_PX = 12  # type of the row and column indices
KERNEL_CELL = 24  # logical px of a kernel weight beside its map (smaller for large kernels)
KERNEL_MAX_W = 150  # logical px a kernel takes at most beside its map
KERNEL_NUMBERS = 7  # kernels up to 7×7 have their weights written in


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
    kernel: np.ndarray | None = None  # (kh, kw) weights drawn beside the map, or None
    zero: bool = False  # the map is all zeros: its bar says so instead of a range


@dataclass(frozen=True, eq=False)
class SlideSection:
    """A heading over a block of maps, ``columns`` to a row, each ``tile`` (w, h) logical px."""

    heading: str
    maps: tuple[SlideMap, ...]
    columns: int
    tile: tuple[int, int]


@dataclass(frozen=True, eq=False)
class Slide:
    """A title, a note and sections of maps; ``columns`` > 1 sets the sections side by side
    in that many columns (in order, down each column), as the slide of every stage does."""

    title: str
    note: str
    sections: tuple[SlideSection, ...]
    columns: int = 1


def level_text(value: float) -> str:
    """A level as a slide shows it: 3 significant digits, a true minus, no '1e+03'."""
    return compact_number(value)


def bar_labels(levels: tuple[float, float], signed: bool, zero: bool = False) -> list[str]:
    """The numbers under a map's bar: its two ends, and 0 in the middle of a diverging one;
    'all 0' for a map of zeros (its levels are a placeholder)."""
    if zero:
        return [FLAT_TEXT]
    lo, hi = levels
    if signed and lo < 0 < hi:
        return [level_text(lo), "0", level_text(hi)]
    return [level_text(lo), level_text(hi)]


def labelled(shape: tuple[int, ...]) -> bool:
    """Whether a map this size carries its numbers and indices on a slide, as on screen."""
    return 0 < max(shape[:2]) <= MAX_LABELLED


# --- drawing ---------------------------------------------------------------------------------
def _font(px: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(px)
    font.setBold(bold)
    return font


def _kernel_size(section: SlideSection) -> tuple[float, float]:
    """(cell, width) in logical px of the kernels beside a section's maps; (0, 0) without."""
    shapes = [m.kernel.shape for m in section.maps if m.kernel is not None]
    if not shapes:
        return 0.0, 0.0
    kh, kw = max(s[0] for s in shapes), max(s[1] for s in shapes)
    cell = min(float(KERNEL_CELL), KERNEL_MAX_W / kw, section.tile[1] / kh)
    return cell, cell * kw


def _index_room(section: SlideSection) -> tuple[float, float]:
    """(left, top) logical px for row and column indices round a section's maps."""
    if not section.maps or not labelled(section.maps[0].plane.shape):
        return 0.0, 0.0
    metrics = QFontMetricsF(_font(INDEX_PX))
    rows = section.maps[0].plane.shape[0]
    return metrics.horizontalAdvance(str(rows - 1)) + 6, metrics.height() + 2


class _Layout:
    """Measures and draws a slide; the same code does both, so they cannot disagree.

    A section's cell is, left to right, the kernel (if any), the row indices (small maps) and
    the map; above the map its title and column indices, under it its colour bar and numbers.
    """

    def __init__(self, slide: Slide, theme: Theme) -> None:
        self.slide, self.theme = slide, theme
        self.heading, self.note = _font(HEADING_PX, True), _font(NOTE_PX)
        self.title, self.number = _font(TITLE_PX, True), _font(NUMBER_PX)
        self.index = _font(INDEX_PX)
        self.written: list[tuple[str, QRectF]] = []  # every text drawn, where (logical px)
        self.groups = self._columns()
        widths = [max([self.section_width(s) for s in group], default=0.0)
                  for group in self.groups]
        self.column_widths = widths
        self.width = max(sum(widths) + COLUMN_GAP * (len(widths) - 1), 480) + 2 * MARGIN

    def section_width(self, section: SlideSection) -> float:
        if not section.maps:
            return 0.0
        return max(section.columns, 1) * (self.cell_width(section) + GAP) - GAP

    def section_height(self, section: SlideSection, width: float) -> float:
        heading = self._text(None, 0.0, section.heading, self.title, self.theme.text,
                             0.0, width) + 6 if section.heading else 0.0
        rows = -(-len(section.maps) // max(section.columns, 1))
        return heading + rows * (self.cell_height(section) + ROW_GAP) + 4

    def _columns(self) -> list[list[SlideSection]]:
        """The sections split, in order, into the slide's columns with the tallest column as
        short as can be."""
        sections = list(self.slide.sections)
        n = max(1, min(self.slide.columns, len(sections)))
        if n == 1:
            return [sections]
        heights = [self.section_height(s, self.section_width(s)) for s in sections]
        best: tuple[float, list[list[SlideSection]]] | None = None
        for cuts in itertools.combinations(range(1, len(sections)), n - 1):
            bounds = (0, *cuts, len(sections))
            tallest = max(sum(heights[a:b]) for a, b in itertools.pairwise(bounds))
            if best is None or tallest < best[0]:
                best = (tallest, [sections[a:b] for a, b in itertools.pairwise(bounds)])
        return best[1] if best is not None else [sections]

    def _write(self, painter: QPainter, rect: QRectF, flags: int, text: str) -> None:
        """Draw ``text`` in ``rect`` and note where its ink went (:func:`slide_texts`)."""
        bounds = painter.boundingRect(rect, flags, text)
        painter.drawText(rect, flags, text)
        self.written.append((text, bounds))

    def cell_width(self, section: SlideSection) -> float:
        kernel = _kernel_size(section)[1]
        return (kernel + GAP if kernel else 0.0) + _index_room(section)[0] + section.tile[0]

    def _text(self, painter: QPainter | None, y: float, text: str, font: QFont,
              color: QColor, x: float = MARGIN, width: float | None = None) -> float:
        """Wrapped text at (``x``, ``y``), across the slide or ``width`` px; returns its
        height."""
        if not text:
            return 0.0
        rect = QRectF(x, y, self.width - 2 * MARGIN if width is None else width, 10_000)
        flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        height = QFontMetricsF(font).boundingRect(rect, flags, text).height()
        if painter is not None:
            painter.setFont(font)
            painter.setPen(color)
            self._write(painter, rect, flags, text)
        return height

    def run(self, painter: QPainter | None, scale: int = 1) -> float:
        """Draw (or, without a painter, only measure); returns the height in logical px."""
        theme = self.theme
        y = float(MARGIN)
        y += self._text(painter, y, self.slide.title, self.heading, theme.text)
        y += self._text(painter, y, self.slide.note, self.note, theme.muted) + 10
        bottom, x = y, float(MARGIN)
        for group, width in zip(self.groups, self.column_widths, strict=True):
            top = y
            for section in group:
                if section.heading:
                    top += self._text(painter, top, section.heading, self.title, theme.text,
                                      x, width) + 6
                top = self._maps(painter, section, x, top, scale) + 4
            bottom = max(bottom, top)
            x += width + COLUMN_GAP
        return bottom + MARGIN - ROW_GAP

    def cell_height(self, section: SlideSection) -> float:
        title_h = QFontMetricsF(self.title).height() + 4
        number_h = QFontMetricsF(self.number).height()
        return title_h + _index_room(section)[1] + section.tile[1] + 5 + BAR_H + 2 + number_h

    def _maps(self, painter: QPainter | None, section: SlideSection, left: float, y: float,
              scale: int) -> float:
        cell_w, cell_h = self.cell_width(section), self.cell_height(section)
        columns = max(section.columns, 1)
        for k, item in enumerate(section.maps):
            x = left + (k % columns) * (cell_w + GAP)
            top = y + (k // columns) * (cell_h + ROW_GAP)
            if painter is not None:
                self._cell(painter, section, item, QRectF(x, top, cell_w, cell_h), scale)
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

    def _cell(self, painter: QPainter, section: SlideSection, item: SlideMap, cell: QRectF,
              scale: int) -> None:
        theme = self.theme
        w, map_h = section.tile
        kernel_cell, kernel_w = _kernel_size(section)
        index_w, index_h = _index_room(section)
        title_h = QFontMetricsF(self.title).height() + 4
        x = cell.x() + (kernel_w + GAP if kernel_w else 0.0) + index_w
        y = cell.y()
        font, title = self._fitted_title(item.title, w)
        painter.setFont(font)
        painter.setPen(theme.text)
        self._write(painter, QRectF(x, y, w, title_h),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter), title)
        target = QRectF(x, y + title_h + index_h, w, map_h)
        picture = _coloured(item, (int(map_h * scale), int(w * scale)))
        painter.drawImage(target, picture)
        painter.setPen(QPen(theme.frame, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(target.adjusted(-0.5, -0.5, 0.5, 0.5))
        if index_w:
            self._values(painter, item, target, picture)
        if item.kernel is not None and kernel_w:
            self._kernel(painter, item.kernel, QRectF(cell.x(), target.top(), kernel_w,
                                                      kernel_cell * item.kernel.shape[0]),
                         kernel_cell, title_h)
        bar = QRectF(x, target.bottom() + 5, w, BAR_H)
        gradient = np.ascontiguousarray(item.lut.reshape(1, 256, 3))
        painter.drawImage(bar, array_to_qimage(gradient))
        painter.setPen(QPen(theme.frame, 1))
        painter.drawRect(bar.adjusted(-0.5, -0.5, 0.5, 0.5))
        painter.setFont(self.number)
        painter.setPen(theme.text)
        numbers = QRectF(x, bar.bottom() + 2, w, QFontMetricsF(self.number).height())
        labels = bar_labels(item.levels, item.signed, item.zero)
        if len(labels) == 1:
            self._write(painter, numbers, int(Qt.AlignmentFlag.AlignHCenter), labels[0])
            return
        self._write(painter, numbers, int(Qt.AlignmentFlag.AlignLeft), labels[0])
        self._write(painter, numbers, int(Qt.AlignmentFlag.AlignRight), labels[-1])
        if len(labels) == 3:
            self._write(painter, numbers, int(Qt.AlignmentFlag.AlignHCenter), labels[1])

    def _values(self, painter: QPainter, item: SlideMap, target: QRectF,
                picture: QImage) -> None:
        """Each cell's value in a colour that stands out from it, and the row and column
        indices left of and above the map, as the screen writes them."""
        rows, cols = item.plane.shape
        cw, ch = target.width() / cols, target.height() / rows
        colours = qimage_to_array(picture)
        light = light_cells(colours[(np.arange(rows) * colours.shape[0]) // rows][
            :, (np.arange(cols) * colours.shape[1]) // cols])
        texts = [[format_cell(v) for v in row] for row in item.plane]
        longest = max(len(t) for row in texts for t in row)
        px = int(max(7, min(ch * 0.42, cw * 1.6 / max(longest, 1), 30)))
        painter.setFont(_font(px))
        centre = int(Qt.AlignmentFlag.AlignCenter)
        for r in range(rows):
            for c in range(cols):
                painter.setPen(QColor(15, 15, 15) if light[r, c] else QColor(250, 250, 250))
                self._write(painter, QRectF(target.left() + c * cw, target.top() + r * ch, cw, ch),
                                 centre, texts[r][c])
        painter.setFont(self.index)
        painter.setPen(self.theme.muted)
        height = QFontMetricsF(self.index).height() + 2
        for c in range(cols):
            self._write(painter, QRectF(target.left() + c * cw, target.top() - height, cw, height),
                             centre, str(c))
        for r in range(rows):
            self._write(painter, QRectF(target.left() - 40, target.top() + r * ch, 36, ch),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             str(r))

    def _kernel(self, painter: QPainter, kernel: np.ndarray, box: QRectF, cell: float,
                title_h: float) -> None:
        """The kernel's weights as a small grid of cells (diverging colours, weights written
        in when it is small), captioned 'kernel' above it."""
        kh, kw = kernel.shape
        limit = float(np.abs(kernel).max()) or 1.0
        lut = lookup_table(True)
        index = np.clip(np.round((kernel / limit + 1) * 127.5), 0, 255).astype(int)
        colours = lut[index]
        painter.setFont(_font(NUMBER_PX - 2))
        painter.setPen(self.theme.muted)
        self._write(painter, QRectF(box.left(), box.top() - title_h, box.width(), title_h),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                         "kernel")
        write = max(kh, kw) <= KERNEL_NUMBERS
        texts = [[format_cell(v, compact=True) for v in row] for row in kernel]
        longest = max(len(t) for row in texts for t in row)
        painter.setFont(_font(int(max(7, min(cell * 0.45, cell * 1.7 / max(longest, 1))))))
        light = light_cells(colours)
        for r in range(kh):
            for c in range(kw):
                rect = QRectF(box.left() + c * cell, box.top() + r * cell, cell, cell)
                painter.fillRect(rect, QColor(*(int(v) for v in colours[r, c])))
                if write:
                    painter.setPen(QColor(15, 15, 15) if light[r, c] else QColor(250, 250, 250))
                    self._write(painter, rect, int(Qt.AlignmentFlag.AlignCenter), texts[r][c])
        painter.setPen(QPen(self.theme.frame, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(box.left(), box.top(), kw * cell, kh * cell))


def _fitted(font: QFont, text: str, width: float) -> bool:
    return QFontMetricsF(font).horizontalAdvance(text) <= width


def _coloured(item: SlideMap, pixels: tuple[int, int]) -> QImage:
    """The map shrunk (by block means, as on screen) to no less than ``pixels`` and coloured."""
    plane = np.ascontiguousarray(item.plane, np.float32)
    plane = shrink(plane, shrink_factor(plane.shape, pixels))
    return array_to_qimage(colorize(plane, item.levels, item.lut))


def render_slide(slide: Slide, scale: int = 1, theme: str = "dark") -> QImage:
    """The slide as a picture ``scale`` times its logical size (sharp text at 2× and 3×)."""
    return slide_texts(slide, scale, theme)[0]


def slide_texts(slide: Slide, scale: int = 1, theme: str = "dark"
                ) -> tuple[QImage, list[tuple[str, QRectF]]]:
    """The slide's picture and every text drawn on it with the rectangle its letters take,
    in the picture's pixels (the tests read them back from the picture)."""
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
    texts = [(t, QRectF(r.x() * scale, r.y() * scale, r.width() * scale, r.height() * scale))
             for t, r in layout.written]
    return image, texts


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


def _note(panel, kernels: int = 0, every_stage: bool = False) -> str:
    """What the colours mean, and (``kernels``: their depth) what the kernels beside show;
    ``every_stage``: the slide shows stages whose borders differ."""
    display = panel.document.display
    note = LEVEL_NOTES.get(display.levels, "")
    levels = panel.map_levels
    if display.levels == "fixed" and levels is not None and levels.clipped is not None:
        note += f" {levels.clipped * 100:.1f} % of values lie beyond ±" \
                f"{level_text(display.fixed_limit)}."
    if every_stage and display.levels != "fixed" and _any_border(panel):
        note += " The ranges leave out each stage's border units that see the zero padding."
    elif levels is not None and levels.border and display.levels != "fixed":
        units = "unit" if levels.border == 1 else "units"
        note += f" The ranges leave out the {levels.border}-{units} border that sees the zero " \
                "padding."
    if kernels > 1:
        note += f" Beside each map its kernel, summed over its {kernels} input channels."
    elif kernels == 1:
        note += " Beside each map its kernel."
    return note


def _any_border(panel) -> bool:
    result = panel.result
    strip = result.display.strip if result is not None and result.display is not None else ()
    return any(shown.levels.border for shown in strip)


def map_title(name: str, random: bool = False) -> str:
    """A map's title on a slide: the filter's human name ("Vertical edge", not
    "vertical_edge"), marked when its weights are still random."""
    return display_name(name) + (" (random)" if random else "")


def _maps(planes: np.ndarray, filters: Sequence, levels, style, kernels: bool = True
          ) -> tuple[SlideMap, ...]:
    """The slide's maps: one per plane, titled and with its kernel from ``filters`` (the
    layer's, when they match the planes), all-zero maps marked."""
    lut = style.signed_lut if levels.signed else style.sequential_lut
    count = planes.shape[2]
    known = len(filters) == count
    every_random = known and all(f.random for f in filters)
    out = []
    for k in range(count):
        f = filters[k] if known else None
        title = map_title(f.name, f.random and not every_random) if f is not None \
            else f"filter {k + 1}"
        kernel = np.asarray(f.weights, np.float32).sum(axis=2) if f is not None and kernels \
            else None
        out.append(SlideMap(planes[:, :, k], title,
                            (float(levels.levels[k][0]), float(levels.levels[k][1])), lut,
                            bool(levels.signed), kernel, levels.all_zero(k)))
    return tuple(out)


def _random_note(filters: Sequence) -> str:
    return " · random kernels" if filters and all(f.random for f in filters) else ""


def _slide_grid(count: int, shape: tuple[int, int], beside: float = 0.0
                ) -> tuple[int, tuple[int, int]]:
    """(columns, (w, h) logical px of a map) that show ``count`` maps largest on a slide: the
    picture looks the same whatever the size of the window it was exported from. ``beside``:
    px each map needs left of it (its kernel, its row indices)."""
    h, w = shape
    below = TITLE_PX + BAR_H + NUMBER_PX + ROW_GAP + 12  # a map's title, bar and numbers
    if labelled(shape):
        below += INDEX_PX + 4
    # the kernel's width counted as part of each map, in the map's own scale
    extra = beside / max(SLIDE_AREA[0] / max(count, 1), 1.0) * w
    columns, scale = grid_fit(count, h, w + extra, SLIDE_AREA[0], SLIDE_AREA[1], below)
    tw = min(max(w * scale, MIN_TILE_W), MAX_TILE_W)
    return columns, (round(tw), max(round(tw * h / max(w, 1)), 8))


def size_text(shape: tuple[int, ...]) -> str:
    """A map's or picture's size as width × height (× depth): '451×300', '451×300×8'."""
    return "×".join(str(int(v)) for v in (shape[1], shape[0], *shape[2:]))


def _source_line(panel) -> str:
    result = panel.result
    name = panel.document.source_name or "picture"
    return f"{name} · processed at {size_text(result.picture.shape[:2])} (width×height)"


def _large(panel):
    result = panel.result
    large = result.display.large if result is not None and result.display is not None else None
    if large is None:
        raise ValueError("there are no maps to export yet: wait for the layer to finish")
    return result, large


def _filters(panel, index: int) -> list:
    stack = panel.document.stack
    if not 0 <= index < len(stack):
        return []
    bank = stack[index].filters
    return [bank[i] for i in range(len(bank))]


def _section(panel, heading: str, planes: np.ndarray, filters: list, levels
             ) -> SlideSection:
    maps = _maps(planes, filters, levels, panel.map_style())
    probe = SlideSection("", maps, 1, (MIN_TILE_W, MIN_TILE_W))
    beside = _kernel_size(probe)[1] + GAP + _index_room(probe)[0]
    return SlideSection(heading + _random_note(filters), maps,
                        *_slide_grid(planes.shape[2], planes.shape[:2], beside))


def _depth(filters: list) -> int:
    return int(np.asarray(filters[0].weights).shape[2]) if filters else 0


def feature_slide(panel) -> Slide:
    """The large stage's feature maps as the panel shows them, a bar under each and its
    kernel beside it."""
    result, large = _large(panel)
    maps = result.stages[large.index].feature_maps
    filters = _filters(panel, large.index)
    section = _section(panel, panel.fm_caption.text(), maps, filters, large.levels)
    return Slide(_source_line(panel), _note(panel, _depth(filters)), (section,))


def pooled_slide(panel) -> Slide:
    """The large stage's pooled maps (coloured with their feature maps' levels)."""
    result, large = _large(panel)
    pooled = result.stages[large.index].pooled
    if pooled is None:
        raise ValueError("this layer has no pooling, so there are no pooled maps to export")
    filters = _filters(panel, large.index)
    section = _section(panel, panel.pooled_caption.text(), pooled, filters, large.levels)
    note = _note(panel, _depth(filters)) + " Pooled maps share their feature maps' colours."
    return Slide(_source_line(panel), note, (section,))


STAGE_COLUMNS_MAX = 3  # stages side by side at most on the slide of every stage
SLIDE_ASPECT = 16 / 9


def stages_slide(panel) -> Slide:
    """Every stage's output maps, a heading and a block of barred maps a stage; the blocks
    wrap into columns so a stack of any depth fits a 16:9 slide."""
    from explorer.ui.panels.maps_panel import stage_summary

    result = panel.result
    strip = result.display.strip if result is not None and result.display is not None else ()
    if not strip:
        raise ValueError("the picture of every stage needs a stack of two or more layers")
    style = panel.map_style()
    infos = panel.stage_infos
    blocks = []
    for shown in strip:
        stage = result.stages[shown.index]
        out = stage.output
        h, w, _ = out.shape
        tile_w = max(int(STAGE_TILE_H * w / max(h, 1)), MIN_TILE_W)
        tile = (tile_w, max(int(tile_w * h / max(w, 1)), 8))
        heading = f"Layer {shown.index + 1}: {stage_summary(stage)} → {size_text(out.shape)}"
        info = infos[shown.index] if shown.index < len(infos) else None
        if info is not None and info.output_field is not None:
            field = info.output_field[0]
            heading += f" · sees {field.size} px, jump {field.jump}"
        filters = _filters(panel, shown.index)
        maps = _maps(out, filters, shown.levels, style, kernels=False)
        blocks.append((heading + _random_note(filters), maps, tile))
    return _stage_slide(_source_line(panel) + " · sizes are width×height×maps",
                        _note(panel, every_stage=True), blocks)


def _stage_slide(title: str, note: str, blocks: list) -> Slide:
    """One section a stage; the stages side by side in up to STAGE_COLUMNS_MAX columns and
    each stage's maps in as many rows as bring the slide nearest 16:9."""
    best: tuple[float, int, list[SlideSection]] | None = None
    for stage_columns in range(1, min(STAGE_COLUMNS_MAX, len(blocks)) + 1):
        for per_row in range(2, 17):
            sections = []
            for heading, maps, tile in blocks:
                columns = min(len(maps), per_row)
                columns = -(-len(maps) // -(-len(maps) // columns))  # rows filled evenly
                sections.append(SlideSection(heading, maps, columns, tile))
            slide_w, slide_h = slide_size(Slide(title, note, tuple(sections), stage_columns))
            miss = abs(np.log(slide_w / slide_h / SLIDE_ASPECT))
            if best is None or miss < best[0] - 1e-9:
                best = (miss, stage_columns, sections)
    assert best is not None
    return Slide(title, note, tuple(best[2]), best[1])


def slide_size(slide: Slide) -> tuple[float, float]:
    """(width, height) in logical px of the slide as :func:`render_slide` draws it."""
    layout = _Layout(slide, THEMES["dark"])
    return layout.width, layout.run(None)


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
