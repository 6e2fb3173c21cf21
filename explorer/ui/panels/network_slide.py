"""The Network tab's teaching picture: what File › Export view › Current tab and ``--panel
network`` save, a slide without the tab's controls.

One picture per page, drawn from what the tab shows (results made on its worker; nothing is
computed here):

- the feature maps (and the first-layer kernels): the picture the network sees, its top-5
  guesses and the layer's maps as the mosaic on screen;
- the learned filters: the stem kernels beside an early layer's input-space filters, every
  filter pixel a crisp block, and the sentence on why they look like AlexNet's;
- the top-9 patches: the patches of the channel, best first, with their pictures and values.

Drawn by one painter function on the slides' dark page
(:data:`explorer.ui.export_render.THEMES`) into :class:`NetworkSlideView`, a widget made for
the export and never shown, which the export renders at 1×, 2× or 3×: text and lines stay
sharp, and every filter pixel and patch pixel stays one crisp block.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from explorer.core.network.filter_figure import FilterFigure, resemblance
from explorer.core.network.patch_pool import PoolPatches
from explorer.core.network.view import Guess
from explorer.ui.export_render import THEMES, Theme
from explorer.ui.widgets.picture_view import to_qimage

WIDTH = 1400  # logical px: a 16:9 slide's width
MARGIN = 24
TITLE_PX, TEXT_PX = 22, 16
BAR = QColor(31, 119, 180)  # the top-5 bars' colour, as on screen
TILE_GAP = 2


@dataclass(frozen=True, eq=False)
class MapsSlide:
    title: str
    picture: np.ndarray  # (224, 224, 3) uint8: what the network saw (or a map over it)
    picture_caption: str
    guesses: tuple[Guess, ...]
    mosaic: np.ndarray  # (H, W, 3) uint8: the layer's maps as on screen
    maps_caption: str


@dataclass(frozen=True, eq=False)
class FiltersSlide:
    title: str
    figure: FilterFigure


@dataclass(frozen=True, eq=False)
class PatchesSlide:
    title: str
    patches: PoolPatches
    note: str


def _font(px: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(px)
    font.setBold(bold)
    return font


def _text(painter: QPainter, rect: QRectF, text: str, px: int, colour: QColor,
          bold: bool = False, align=Qt.AlignmentFlag.AlignLeft) -> float:
    """Wrapped text in ``rect``; returns the height it took."""
    painter.setFont(_font(px, bold))
    painter.setPen(colour)
    flags = int(align | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
    used = painter.boundingRect(rect, flags, text)
    painter.drawText(rect, flags, text)
    return used.height()


def _text_height(text: str, width: float, px: int, bold: bool = False) -> float:
    image = QImage(1, 1, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        painter.setFont(_font(px, bold))
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap)
        return painter.boundingRect(QRectF(0, 0, width, 10_000), flags, text).height()
    finally:
        painter.end()


def _picture(painter: QPainter, rgb: np.ndarray, rect: QRectF, smooth: bool) -> None:
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
    painter.drawImage(rect, to_qimage(rgb))


def _fit(h: int, w: int, width: float, height: float) -> tuple[float, float]:
    scale = min(width / w, height / h)
    return w * scale, h * scale


def _tiles(painter: QPainter, tiles: np.ndarray, left: float, top: float, columns: int,
           zoom: int) -> tuple[float, float]:
    """Tiles on white lines at a whole zoom; returns the grid's (width, height)."""
    n, k = len(tiles), tiles.shape[1]
    rows = math.ceil(n / columns)
    cell = k * zoom + TILE_GAP
    width, height = columns * cell + TILE_GAP, rows * cell + TILE_GAP
    for i, tile in enumerate(tiles):  # each tile framed in white: no white past the last
        r, c = divmod(i, columns)
        x, y = left + TILE_GAP + c * cell, top + TILE_GAP + r * cell
        painter.fillRect(QRectF(x - TILE_GAP, y - TILE_GAP, cell + TILE_GAP, cell + TILE_GAP),
                         QColor(255, 255, 255))
        _picture(painter, tile, QRectF(x, y, k * zoom, k * zoom), smooth=False)
    return width, height


def _maps_body(painter: QPainter | None, slide: MapsSlide, top: float, theme: Theme) -> float:
    """Draw (or with no painter, measure) the picture, the guesses and the maps."""
    side = 360
    left_w = side
    right_left = MARGIN + left_w + MARGIN
    right_w = WIDTH - right_left - MARGIN
    mh, mw = slide.mosaic.shape[:2]
    cap_h = _text_height(slide.maps_caption, right_w, TEXT_PX)
    fw, fh = _fit(mh, mw, right_w, 760)
    pic_cap_h = _text_height(slide.picture_caption, left_w, TEXT_PX)
    row = 30
    left_h = pic_cap_h + 6 + side + 16 + row + len(slide.guesses) * row
    height = max(left_h, cap_h + 8 + fh)
    if painter is None:
        return height
    y = top
    y += _text(painter, QRectF(MARGIN, y, left_w, 200), slide.picture_caption, TEXT_PX,
               theme.muted) + 6
    _picture(painter, slide.picture, QRectF(MARGIN, y, side, side), smooth=True)
    y += side + 16
    _text(painter, QRectF(MARGIN, y, left_w, row), "Top-5 guesses (ImageNet classes)",
          TEXT_PX, theme.text, bold=True)
    y += row
    for guess in slide.guesses:
        _text(painter, QRectF(MARGIN, y, 150, row), guess.label, TEXT_PX, theme.text)
        bar = QRectF(MARGIN + 155, y + 4, 130, row - 12)
        painter.fillRect(bar, theme.frame)
        painter.fillRect(QRectF(bar.left(), bar.top(), bar.width() * guess.probability,
                                bar.height()), BAR)
        _text(painter, QRectF(bar.right() + 6, y, left_w - 155 - 136, row),
              f"{100 * guess.probability:.1f} %", TEXT_PX, theme.text,
              align=Qt.AlignmentFlag.AlignRight)
        y += row
    _text(painter, QRectF(right_left, top, right_w, cap_h + 4), slide.maps_caption, TEXT_PX,
          theme.text)
    _picture(painter, slide.mosaic, QRectF(right_left, top + cap_h + 8, fw, fh), smooth=False)
    return height


def _filters_layout(slide: FiltersSlide) -> tuple[int, int, int, int]:
    """(stem zoom, filter columns, filter zoom, filters' left) of the figure."""
    stem_zoom = 14
    stem_w = 4 * (3 * stem_zoom + TILE_GAP) + TILE_GAP
    left = MARGIN + stem_w + 2 * MARGIN
    n, k = slide.figure.count, slide.figure.field
    best = (1, 1)
    for columns in range(1, n + 1):
        rows = math.ceil(n / columns)
        zoom = min((WIDTH - left - MARGIN - TILE_GAP * (columns + 1)) // (columns * k),
                   (560 - TILE_GAP * (rows + 1)) // (rows * k))
        if zoom > best[1]:
            best = (columns, zoom)
    return stem_zoom, best[0], max(1, best[1]), left


def _filters_body(painter: QPainter | None, slide: FiltersSlide, top: float,
                  theme: Theme) -> float:
    figure = slide.figure
    stem_zoom, columns, zoom, left = _filters_layout(slide)
    stem_h = 8 * (3 * stem_zoom + TILE_GAP) + TILE_GAP
    rows = math.ceil(figure.count / columns)
    grid_h = rows * (figure.field * zoom + TILE_GAP) + TILE_GAP
    head = 30
    why = resemblance(figure.layer, figure.field)
    text_w = WIDTH - 2 * MARGIN
    cap_h = _text_height(figure.caption(), text_w, TEXT_PX)
    why_h = _text_height(why, text_w, TEXT_PX)
    body = head + max(stem_h, grid_h)
    height = body + 12 + cap_h + 8 + why_h
    if painter is None:
        return height
    _text(painter, QRectF(MARGIN, top, left - MARGIN, head), "Stem: 32 kernels 3×3×3",
          TEXT_PX, theme.text, bold=True)
    _text(painter, QRectF(left, top, WIDTH - left - MARGIN, head),
          f"{figure.layer}: {figure.count} filters of {figure.field}×{figure.field}",
          TEXT_PX, theme.text, bold=True)
    _tiles(painter, figure.stem_tiles, MARGIN, top + head, 4, stem_zoom)
    _tiles(painter, figure.tiles, left, top + head, columns, zoom)
    y = top + body + 12
    y += _text(painter, QRectF(MARGIN, y, text_w, cap_h + 4), figure.caption(), TEXT_PX,
               theme.muted) + 8
    _text(painter, QRectF(MARGIN, y, text_w, why_h + 4), why, TEXT_PX, theme.text)
    return height


def _patches_body(painter: QPainter | None, slide: PatchesSlide, top: float,
                  theme: Theme) -> float:
    top_patches = slide.patches.top
    n = len(top_patches)
    columns = 3 if n > 4 else max(1, n)
    side, gap, line = 220, 18, 24
    rows = math.ceil(n / columns)
    grid_w = columns * side + (columns - 1) * gap
    note_h = _text_height(slide.note, WIDTH - 2 * MARGIN, TEXT_PX)
    height = rows * (side + line + gap) + note_h
    if painter is None:
        return height
    left0 = (WIDTH - grid_w) / 2
    for i in range(n):
        r, c = divmod(i, columns)
        x, y = left0 + c * (side + gap), top + r * (side + line + gap)
        patch = top_patches.patches[i]
        if patch.ndim == 2:
            patch = np.dstack([patch] * 3)
        _picture(painter, patch, QRectF(x, y, side, side), smooth=False)
        caption = (f"{i + 1}. {slide.patches.pictures[i].name} · "
                   f"{float(top_patches.values[i]):.3g}")
        painter.setFont(_font(TEXT_PX))
        painter.setPen(theme.text)
        painter.drawText(QRectF(x - gap / 2, y + side + 2, side + gap, line),
                         int(Qt.AlignmentFlag.AlignCenter),
                         painter.fontMetrics().elidedText(caption, Qt.TextElideMode.ElideMiddle,
                                                          int(side + gap)))
    _text(painter, QRectF(MARGIN, top + rows * (side + line + gap), WIDTH - 2 * MARGIN,
                          note_h + 4), slide.note, TEXT_PX, theme.muted)
    return height


def _body(painter, slide, top, theme) -> float:
    if isinstance(slide, MapsSlide):
        return _maps_body(painter, slide, top, theme)
    if isinstance(slide, FiltersSlide):
        return _filters_body(painter, slide, top, theme)
    return _patches_body(painter, slide, top, theme)


def slide_size(slide: MapsSlide | FiltersSlide | PatchesSlide) -> QSize:
    """The slide's size in logical pixels."""
    title_h = _text_height(slide.title, WIDTH - 2 * MARGIN, TITLE_PX, bold=True)
    top = MARGIN + title_h + 14
    return QSize(WIDTH, math.ceil(top + _body(None, slide, top, THEMES["dark"]) + MARGIN))


def paint_network_slide(painter: QPainter, slide: MapsSlide | FiltersSlide | PatchesSlide
                        ) -> None:
    """Draw the slide from (0, 0), :func:`slide_size` large, on the slides' dark page."""
    colours = THEMES["dark"]
    size = slide_size(slide)
    painter.fillRect(QRectF(0, 0, size.width(), size.height()), colours.background)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    title_h = _text_height(slide.title, WIDTH - 2 * MARGIN, TITLE_PX, bold=True)
    _text(painter, QRectF(MARGIN, MARGIN, WIDTH - 2 * MARGIN, title_h + 4), slide.title,
          TITLE_PX, colours.text, bold=True)
    _body(painter, slide, MARGIN + title_h + 14, colours)


class NetworkSlideView(QWidget):
    """One slide as a widget of its own size, for the export to render."""

    def __init__(self, slide: MapsSlide | FiltersSlide | PatchesSlide,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slide = slide
        self.setFixedSize(slide_size(slide))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            paint_network_slide(painter, self.slide)
        finally:
            painter.end()


__all__ = ["FiltersSlide", "MapsSlide", "NetworkSlideView", "PatchesSlide",
           "paint_network_slide", "slide_size"]
