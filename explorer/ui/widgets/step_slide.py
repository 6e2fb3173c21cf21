"""One step-through slide: the example's title and caption, the grids, the step's arithmetic.

A :class:`StepSlide` says what is shown (a walkthrough, a step, whether its value is hidden
for the quiz); a :class:`SlidePainter` lays it out in a rectangle and paints it with a
``QPainter``. The canvas on screen paints with one, and :func:`render_slide` paints the same
slide into a ``QImage`` for an exported frame. No widget and no pixmap is involved, so frames
are rendered on a worker's thread, and what is exported is what is shown.

The layout, top to bottom: the title (one line, elided), the caption (wrapped), the board
(:class:`~explorer.ui.widgets.step_board.Board`, which takes the room left) and the
arithmetic (the step's lines, the first in bold, the last in bold in the accent colour). The
type grows with the slide; the arithmetic takes at most :data:`ARITHMETIC_SHARE` of the room
under the caption and is set smaller when it needs more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter

from explorer.core.stepthrough import Walkthrough
from explorer.core.stepthrough.describe import describe
from explorer.ui.widgets.step_board import CONTRAST, LIGHT, Board, BoardTheme

SLIDE_SIZE = (1280, 720)  # width, height of an exported frame at 1×: a 16:9 slide
MARGIN_X, MARGIN_Y = 12.0, 8.0
SPACING = 4.0
ARITHMETIC_SHARE = 0.4
MIN_TEXT_PX = 9
_WRAP = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap


@dataclass(frozen=True, eq=False, repr=False)
class StepSlide:
    """What one slide shows: step ``index`` of ``walkthrough``, its value hidden or not."""

    walkthrough: Walkthrough
    index: int
    hide_value: bool = False
    lines: list[str] = field(init=False)  # the arithmetic, as plain text lines

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", describe(self.walkthrough, self.index,
                                                   self.hide_value))

    @property
    def title(self) -> str:
        return self.walkthrough.example.title

    @property
    def caption(self) -> str:
        return self.walkthrough.example.caption


def text_px(width: float, height: float, presentation: bool) -> int:
    """Type that grows with the slide: readable on a laptop and from the back row."""
    base = 15 if presentation else 13
    by_height = height / (26 if presentation else 44)
    by_width = width / (48 if presentation else 75)
    return max(base, min(round(min(by_height, by_width)), 40))


class SlidePainter:
    """Lays a :class:`StepSlide` out in a rectangle and paints it; measuring and painting use
    the same fonts and rectangles, so they cannot disagree."""

    def __init__(self, font: QFont | None = None) -> None:
        self._font = QFont(font) if font is not None else QFont()
        self.board = Board(self._font)
        self.slide: StepSlide | None = None
        self.presentation = False
        self._rect = QRectF(0, 0, *SLIDE_SIZE)
        self._title_font = self._caption_font = self._text_font = self._font
        self._title_rect = self._caption_rect = QRectF()
        self._lines: list[tuple[str, QRectF, bool, bool]] = []  # text, rect, bold, accent

    @property
    def theme(self) -> BoardTheme:
        return CONTRAST if self.presentation else LIGHT

    def set_slide(self, slide: StepSlide | None) -> None:
        self.slide = slide
        if slide is not None:
            self.board.show_step(slide.walkthrough, slide.index, slide.hide_value)
        self.layout(self._rect)

    def set_presentation(self, on: bool) -> None:
        """High contrast and large type for a projector, or the app's own look."""
        self.presentation = on
        self.board.set_theme(self.theme)
        self.layout(self._rect)

    # --- layout ----------------------------------------------------------------------------
    def layout(self, rect: QRectF) -> None:
        """Place the title, caption, board and arithmetic in ``rect``."""
        self._rect = QRectF(rect)
        slide = self.slide
        if slide is None:
            return
        px = text_px(rect.width(), rect.height(), self.presentation)
        self._title_font = self._sized(round(px * 1.35), bold=True)
        self._caption_font = self._sized(px)
        left, width = rect.left() + MARGIN_X, max(rect.width() - 2 * MARGIN_X, 10.0)
        y = rect.top() + MARGIN_Y
        title_h = QFontMetricsF(self._title_font).height()
        self._title_rect = QRectF(left, y, width, title_h)
        y += title_h + SPACING
        caption_h = self._wrapped_height(slide.caption, self._caption_font, width)
        self._caption_rect = QRectF(left, y, width, caption_h)
        y += caption_h + SPACING
        room = rect.bottom() - MARGIN_Y - y
        self._text_font, heights = self._fitted_lines(slide.lines, px, width,
                                                      room * ARITHMETIC_SHARE)
        text_h = sum(heights)
        self.board.set_rect(QRectF(rect.left(), y, rect.width(),
                                   max(room - text_h - SPACING, 10.0)))
        y = rect.bottom() - MARGIN_Y - text_h
        self._lines = []
        last = len(slide.lines) - 1
        for i, (line, h) in enumerate(zip(slide.lines, heights, strict=True)):
            self._lines.append((line, QRectF(left, y, width, h), i in (0, last),
                                i == last and i > 0))
            y += h

    def _sized(self, px: int, bold: bool = False) -> QFont:
        font = QFont(self._font)
        font.setPixelSize(max(MIN_TEXT_PX, px))
        font.setBold(bold)
        return font

    @staticmethod
    def _wrapped_height(text: str, font: QFont, width: float) -> float:
        if not text:
            return 0.0
        bounds = QFontMetricsF(font).boundingRect(QRectF(0, 0, width, 1e6), _WRAP, text)
        return bounds.height()

    def _fitted_lines(self, lines: list[str], px: int, width: float,
                      room: float) -> tuple[QFont, list[float]]:
        """The largest type up to ``px`` at which the wrapped lines fit ``room`` (bold lines
        measured bold), and each line's height."""
        while True:
            font, bold = self._sized(px), self._sized(px, bold=True)
            heights = [self._wrapped_height(line, bold if i in (0, len(lines) - 1) else font,
                                            width) for i, line in enumerate(lines)]
            if px <= MIN_TEXT_PX or sum(heights) <= room:
                return font, heights
            px -= 1

    # --- painting --------------------------------------------------------------------------
    def paint(self, p: QPainter) -> None:
        """Fill the rectangle with the theme's background and paint the slide on it."""
        theme = self.theme
        p.fillRect(self._rect, theme.background)
        slide = self.slide
        if slide is None:
            return
        p.save()
        try:
            p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            p.setPen(theme.text)
            p.setFont(self._title_font)
            title = QFontMetricsF(self._title_font).elidedText(
                slide.title, Qt.TextElideMode.ElideRight, self._title_rect.width())
            p.drawText(self._title_rect, Qt.AlignmentFlag.AlignLeft
                       | Qt.AlignmentFlag.AlignVCenter, title)
            p.setFont(self._caption_font)
            p.drawText(self._caption_rect, _WRAP, slide.caption)
            self.board.paint(p)
            bold = QFont(self._text_font)
            bold.setBold(True)
            for text, rect, is_bold, accent in self._lines:
                p.setFont(bold if is_bold else self._text_font)
                p.setPen(theme.accent if accent else theme.text)
                p.drawText(rect, _WRAP, text)
        finally:
            p.restore()

    # --- geometry for the canvas -----------------------------------------------------------
    @property
    def rect(self) -> QRectF:
        return QRectF(self._rect)

    @property
    def text_font(self) -> QFont:
        """The arithmetic's type as laid out."""
        return QFont(self._text_font)


def render_slide(slide: StepSlide, size: tuple[int, int] = SLIDE_SIZE, scale: int = 1,
                 presentation: bool = False, font: QFont | None = None) -> QImage:
    """The slide painted into a new ``QImage`` of ``size`` × ``scale`` pixels (the layout is
    that of ``size``; ``scale`` only sharpens it). Safe on any thread."""
    width, height = size
    image = QImage(width * scale, height * scale, QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(scale)
    painter = SlidePainter(font)
    painter.set_presentation(presentation)
    painter.set_slide(slide)
    painter.layout(QRectF(0, 0, width, height))
    p = QPainter(image)
    try:
        painter.paint(p)
    finally:
        p.end()
    return image
