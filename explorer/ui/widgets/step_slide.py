"""One step-through slide: the example's title and caption, the grids, the step's arithmetic.

A :class:`StepSlide` says what is shown (a walkthrough, a step, whether its value is hidden
for the quiz); a :class:`SlidePainter` lays it out in a rectangle and paints it with a
``QPainter``. The canvas on screen paints with one, and :func:`render_slide` paints the same
slide into a ``QImage`` for an exported frame. No widget and no pixmap is involved, so frames
are rendered on a worker's thread, and what is exported is what is shown.

The layout, top to bottom: the title (one line, elided), the caption (wrapped), the board
(:class:`~explorer.ui.widgets.step_board.Board`) and the arithmetic (the step's lines, the
first in bold, the last in bold in the accent colour, wrapped only between terms). The cells
come first: the type is the smallest that reads well from where the slide is seen, and grows
while the cells keep their size; what room is left goes evenly between the parts, so a slide
has no empty band. In presentation mode the caption, and then the legend, are left out when
they would cost the grids room (the lecturer says them), and the type reads from the back of
a room: headings from 28 pixels, the grids' numbers up to 0.8 of a cell. A volume is shown
there one channel at a time (``StepSlide.channel``), so that its numbers are as large.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter

from explorer.core.stepthrough import Walkthrough
from explorer.core.stepthrough.describe import bound, describe
from explorer.ui.widgets.slide_text import wrap
from explorer.ui.widgets.step_board import CONTRAST, LIGHT, Board, BoardTheme

SLIDE_SIZE = (1280, 720)  # width, height of an exported frame at 1×: a 16:9 slide
MARGIN_X, MARGIN_Y = 12.0, 8.0
SPACING = 4.0
MIN_TEXT_PX = 9
HEADING_PX = {False: 14, True: 28}  # the least type of the slide's title
TEXT_GROWTH = 1.6  # the type may grow to this many times its least while the cells keep
_LINE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True, eq=False, repr=False)
class StepSlide:
    """What one slide shows: step ``index`` of ``walkthrough``, its value hidden or not, and
    a volume's channels all at once (``channel`` None) or one at a time: input channel
    ``channel``, or (one past the last) the channels' sum."""

    walkthrough: Walkthrough
    index: int
    hide_value: bool = False
    channel: int | None = None
    lines: list[str] = field(init=False)  # the arithmetic, as plain text lines

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", describe(self.walkthrough, self.index,
                                                   self.hide_value, self.channel))

    @property
    def title(self) -> str:
        return self.walkthrough.example.title

    @property
    def caption(self) -> str:
        return self.walkthrough.example.caption


def text_px(width: float, height: float, presentation: bool) -> int:
    """The least type of the caption and arithmetic: readable on a laptop, and from the back
    row in presentation mode (24 px on a 1280×720 projector)."""
    if presentation:
        return max(22, round(min(height / 30, width / 53)))
    return max(13, round(min(height / 44, width / 75)))


@dataclass(frozen=True)
class _Plan:
    """One way to lay the slide out: its type, whether the caption is in, the lines."""

    px: int
    caption: list[str]
    legend: bool
    lines: list[tuple[str, bool, bool]]  # visual lines: text, bold, accent
    title_h: float
    line_h: float
    bold_h: float
    cell: float
    board_h: float
    room: float  # the height the board was offered


class SlidePainter:
    """Lays a :class:`StepSlide` out in a rectangle and paints it; measuring and painting use
    the same fonts and lines, so they cannot disagree."""

    def __init__(self, font: QFont | None = None) -> None:
        self._font = QFont(font) if font is not None else QFont()
        self.board = Board(self._font)
        self.slide: StepSlide | None = None
        self.presentation = False
        self._rect = QRectF(0, 0, *SLIDE_SIZE)
        self._title_font = self._caption_font = self._text_font = self._font
        self._title_rect = QRectF()
        self._caption: list[tuple[str, QRectF]] = []
        self._lines: list[tuple[str, QRectF, bool, bool]] = []  # text, rect, bold, accent

    @property
    def theme(self) -> BoardTheme:
        return CONTRAST if self.presentation else LIGHT

    def set_slide(self, slide: StepSlide | None) -> None:
        self.slide = slide
        if slide is not None:
            self.board.show_step(slide.walkthrough, slide.index, slide.hide_value,
                                 slide.channel)
        self.layout(self._rect)

    def set_presentation(self, on: bool) -> None:
        """High contrast and large type for a projector, or the app's own look."""
        self.presentation = on
        self.board.set_theme(self.theme)
        self.layout(self._rect)

    # --- layout ----------------------------------------------------------------------------
    def _title_px(self, px: int) -> int:
        return max(HEADING_PX[self.presentation], round(px * 1.35))

    def _heading_px(self, px: int) -> int:
        """The block titles' least type: the arithmetic's on a projector, else the theme's."""
        return max(px, HEADING_PX[True]) if self.presentation else 0

    def _plan(self, px: int, with_caption: bool, with_legend: bool = True) -> _Plan:
        """The slide at type ``px``: its lines and the cells the board gets."""
        slide, rect = self.slide, self._rect
        width = max(rect.width() - 2 * MARGIN_X, 10.0)
        title_h = QFontMetricsF(self._sized(self._title_px(px), bold=True)).lineSpacing()
        plain = QFontMetricsF(self._sized(px))
        bold = QFontMetricsF(self._sized(px, bold=True))
        caption = wrap(slide.caption, plain, width) if with_caption and slide.caption else []
        lines: list[tuple[str, bool, bool]] = []
        last = len(slide.lines) - 1
        for i, line in enumerate(slide.lines):
            heavy = i in (0, last)
            for part in wrap(bound(line), bold if heavy else plain, width):
                lines.append((part, heavy, i == last and i > 0))
        text_h = sum(bold.lineSpacing() if heavy else plain.lineSpacing()
                     for _, heavy, _ in lines)
        parts = 3 if caption else 2  # spaces between the parts
        room = (rect.height() - 2 * MARGIN_Y - title_h - len(caption) * plain.lineSpacing()
                - text_h - parts * SPACING)
        self._type_board(px, with_legend)
        fit = self.board.measure(rect.width(), max(room, 10.0))
        return _Plan(px, caption, with_legend, lines, title_h, plain.lineSpacing(),
                     bold.lineSpacing(), fit.cell, fit.height, room)

    def _type_board(self, px: int, with_legend: bool) -> None:
        board = self.board
        board.legend_px = round(px * 0.8)
        board.heading_px = self._heading_px(px)
        board.show_legend = with_legend

    def _best_plan(self) -> _Plan:
        """The largest cells first; then the caption and the legend (left out in
        presentation mode only when they cost the grids room, the caption first); then the
        largest type that keeps the cells."""
        rect = self._rect
        least = text_px(rect.width(), rect.height(), self.presentation)
        most = round(least * TEXT_GROWTH)
        best: _Plan | None = None
        parts = ((True, True), (False, True), (False, False)) if self.presentation \
            else ((True, True),)
        for with_caption, with_legend in parts:
            plan = self._plan(least, with_caption, with_legend)
            low, high = least, most  # the largest type whose cells are as large
            while low < high:
                mid = (low + high + 1) // 2
                if self._plan(mid, with_caption, with_legend).cell >= plan.cell - 0.25:
                    low = mid
                else:
                    high = mid - 1
            if low > least:
                plan = self._plan(low, with_caption, with_legend)
            if best is None or plan.cell > best.cell + 0.5:
                best = plan
        assert best is not None
        return best

    def layout(self, rect: QRectF) -> None:
        """Place the title, caption, board and arithmetic in ``rect``."""
        self._rect = QRectF(rect)
        if self.slide is None:
            return
        plan = self._best_plan()
        px = plan.px
        self._title_font = self._sized(self._title_px(px), bold=True)
        self._caption_font = self._text_font = self._sized(px)
        left, width = rect.left() + MARGIN_X, max(rect.width() - 2 * MARGIN_X, 10.0)
        # what the board does not take goes evenly between the parts: no empty band
        gaps = 3 if plan.caption else 2
        spare = max(plan.room - plan.board_h, 0.0) / gaps
        y = rect.top() + MARGIN_Y
        self._title_rect = QRectF(left, y, width, plan.title_h)
        y += plan.title_h + SPACING + spare
        self._caption = []
        for line in plan.caption:
            self._caption.append((line, QRectF(left, y, width, plan.line_h)))
            y += plan.line_h
        if plan.caption:
            y += SPACING + spare
        self._type_board(px, plan.legend)
        self.board.set_rect(QRectF(rect.left(), y, rect.width(), plan.board_h))
        y += plan.board_h + SPACING + spare
        self._lines = []
        for text, bold, accent in plan.lines:
            h = plan.bold_h if bold else plan.line_h
            self._lines.append((text, QRectF(left, y, width, h), bold, accent))
            y += h

    def _sized(self, px: int, bold: bool = False) -> QFont:
        font = QFont(self._font)
        font.setPixelSize(max(MIN_TEXT_PX, px))
        font.setBold(bold)
        return font

    # --- painting ----------------------------------------------------------------------
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
            p.drawText(self._title_rect, _LINE, title)
            p.setFont(self._caption_font)
            for text, rect in self._caption:
                p.drawText(rect, _LINE, text)
            self.board.paint(p)
            bold = QFont(self._text_font)
            bold.setBold(True)
            for text, rect, is_bold, accent in self._lines:
                p.setFont(bold if is_bold else self._text_font)
                p.setPen(theme.accent if accent else theme.text)
                p.drawText(rect, _LINE, text)
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

    @property
    def title_font(self) -> QFont:
        return QFont(self._title_font)

    @property
    def caption_shown(self) -> bool:
        return bool(self._caption)

    @property
    def legend_shown(self) -> bool:
        return self.board.show_legend

    def arithmetic_lines(self) -> list[str]:
        """The arithmetic as painted: one entry a line on the slide, after wrapping."""
        return [text for text, *_ in self._lines]

    def content_bottom(self) -> float:
        """Where the last line painted ends."""
        return self._lines[-1][1].bottom() if self._lines else self._title_rect.bottom()


def render_slide(slide: StepSlide, size: tuple[int, int] = SLIDE_SIZE, scale: int = 1,
                 presentation: bool = False, font: QFont | None = None,
                 painter: SlidePainter | None = None) -> QImage:
    """The slide painted into a new ``QImage`` of ``size`` × ``scale`` pixels (the layout is
    that of ``size``; ``scale`` only sharpens it). Safe on any thread. A ``painter`` kept for
    the frames of one animation keeps what it measured once."""
    width, height = size
    image = QImage(width * scale, height * scale, QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(scale)
    if painter is None:
        painter = SlidePainter(font)
    painter.set_slide(None)
    painter.layout(QRectF(0, 0, width, height))
    if painter.presentation != presentation:
        painter.set_presentation(presentation)
    painter.set_slide(slide)  # laid out once, with everything known
    p = QPainter(image)
    try:
        painter.paint(p)
    finally:
        p.end()
    return image
