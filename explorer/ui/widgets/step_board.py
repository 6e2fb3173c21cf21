"""The three numeric grids of the step-through: padded input, kernel, output filling in.

A :class:`Board` lays the blocks out in a rectangle with one cell size chosen for the space
there is (every slice of a 7×7×3 volume stays legible at 1280×800) and paints them with a
``QPainter``. It is no widget: the same board paints the canvas on screen and, on the
worker's thread, every frame of an exported animation (``QImage``, ``QPainter`` and ``QFont``
work off the GUI thread; widgets and pixmaps do not).

A volume can be shown one channel at a time (presentation mode, where three 7×7 slices and
their kernels cannot all have numbers that read from the back of a room): input channel c
beside its kernel slice, the channels' sums so far and the output map being filled; one
past the last channel, the channels' sums, the bias and the output.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen

from explorer.core.stepthrough import INPUT, INSERTED, PADDING, Walkthrough, cell_text
from explorer.ui.widgets.slide_text import wrap

MAX_CELL = 120.0  # a small example fills the page, up to this
SLICE_GAP = 0.5  # between slices of a block, in cells
SUBTITLE = 0.9  # a slice's subtitle row, in cells
BLOCK_GAP = 1.3  # between blocks, where the ⊙, + and = go, in cells
MAX_OUTPUT_SLICES = 2  # more output maps than this: only the current one is shown
NARROW_TITLE = 2.4  # a one-cell block's title may use this many cells ("Bias b0" on one line)


@dataclass(frozen=True)
class BoardTheme:
    """Colours of the board: the app's light look, or high contrast for a projector."""

    background: QColor
    text: QColor
    cell: QColor
    grid: QColor
    padding: QColor
    padding_text: QColor
    inserted: QColor
    tap: QColor
    window: QColor
    previous: QColor
    landing: QColor
    winner: QColor
    positive: QColor
    negative: QColor
    accent: QColor  # the arithmetic's last line, and the cell a paste goes to
    line_scale: float = 1.0
    legend_px: int = 13  # the legend's type
    title_px: tuple[float, float] = (14.0, 26.0)  # the block titles' type: least and most
    # of a cell: the type of a grid's numbers at most, when they have one character, and more
    digit_share: tuple[float, float] = (0.55, 0.5)


LIGHT = BoardTheme(
    background=QColor(255, 255, 255), text=QColor(25, 25, 25), cell=QColor(255, 255, 255),
    grid=QColor(160, 160, 160), padding=QColor(215, 215, 215), padding_text=QColor(95, 95, 95),
    inserted=QColor(236, 236, 236), tap=QColor(255, 214, 150), window=QColor(235, 120, 0),
    previous=QColor(140, 140, 140), landing=QColor(255, 214, 150), winner=QColor(200, 0, 90),
    positive=QColor(214, 96, 77), negative=QColor(67, 147, 195), accent=QColor(180, 90, 0))
CONTRAST = BoardTheme(
    background=QColor(0, 0, 0), text=QColor(255, 255, 255), cell=QColor(0, 0, 0),
    grid=QColor(200, 200, 200), padding=QColor(70, 70, 70), padding_text=QColor(215, 215, 215),
    inserted=QColor(40, 40, 40), tap=QColor(120, 80, 0), window=QColor(255, 220, 0),
    previous=QColor(170, 170, 170), landing=QColor(120, 80, 0), winner=QColor(0, 255, 255),
    positive=QColor(255, 110, 90), negative=QColor(90, 180, 255), accent=QColor(255, 220, 0),
    line_scale=1.6,
    # the block titles keep to their least, so that their band never takes the grids' room;
    # a number of any length gets 0.8 of its cell, or what 0.9 of the cell's width allows
    legend_px=20, title_px=(28.0, 28.0), digit_share=(0.8, 0.8))


@dataclass
class _Slice:
    """One 2-D grid on the board and where it was last laid out."""

    block: str  # "input", "kernel", "bias", "window", "sums" (of the channels) or "output"
    index: int  # channel (input, kernel) or map (output, bias)
    title: str
    values: np.ndarray  # (rows, cols), NaN for an empty cell
    kinds: np.ndarray | None = None  # INPUT / PADDING / INSERTED per cell
    signed: bool = False  # tint by sign (kernels, outputs)
    taps: set[tuple[int, int]] = field(default_factory=set)
    window: tuple[int, int, int, int] | None = None  # first row, first col, last row, last col
    previous: tuple[int, int, int, int] | None = None
    landing: tuple[int, int] | None = None
    hidden: tuple[int, int] | None = None  # a cell shown as "?" (the quiz's question)
    winner: tuple[int, int] | None = None
    editable: bool = False
    gaps: bool = False  # the window has cells between its taps (dilation)
    origin: QPointF = field(default_factory=QPointF)


@dataclass(frozen=True)
class Fit:
    """How the grids fit a rectangle: the cell size, the slices side by side in each block,
    each block's size in cells, the block titles' band and the height the board takes."""

    cell: float
    columns: tuple[int, ...]
    sizes: tuple[tuple[float, float], ...]
    band: float
    height: float


@dataclass
class _Block:
    title: str
    slices: list[_Slice]
    columns: int = 1  # slices side by side
    origin: QPointF = field(default_factory=QPointF)


def _span(rows: tuple[int, ...], cols: tuple[int, ...]) -> tuple[int, int, int, int]:
    return rows[0], cols[0], rows[-1], cols[-1]


class Board:
    """Input, kernel and output of one step, laid out in a rectangle and painted there."""

    def __init__(self, font: QFont | None = None) -> None:
        self._base_font = QFont(font) if font is not None else QFont()
        self._blocks: list[_Block] = []
        self._operators: list[str] = []
        self._theme = LIGHT
        self._cell = 20.0
        self._steps = 0
        self._rect = QRectF(0, 0, 900, 420)
        self._fit: Fit | None = None
        self._metrics_cache: dict[tuple[int, bool], QFontMetricsF] = {}
        self._lines_cache: dict[tuple[str, int, int], int] = {}
        self._arranged: list | None = None
        self._legend_type = 0
        self._heading_type = 0
        self.show_legend = True  # a slide may leave the legend out to give the grids room
        self._widths: dict[str, float] = {}
        self._grids_bottom = 0.0
        self.chosen: tuple[str, int, int, int] | None = None  # the cell a paste goes to

    # --- content -------------------------------------------------------------------------
    @property
    def theme(self) -> BoardTheme:
        return self._theme

    def set_theme(self, theme: BoardTheme) -> None:
        self._theme = theme
        self._layout()  # the legend's type differs

    def show_step(self, walkthrough: Walkthrough, index: int, hide_value: bool = False,
                  channel: int | None = None) -> None:
        """Show step ``index``: its window on the input, its kernel, the output so far.
        ``channel`` shows a convolution over a volume one channel at a time: input channel
        ``channel`` (one past the last: the channels' sum); None shows every channel."""
        self._steps = len(walkthrough.steps)
        channels = walkthrough.grid.shape[2]
        if channel is not None and walkthrough.kernels is not None and channels > 1:
            self._show_channel(walkthrough, index, hide_value, min(max(channel, 0), channels))
        else:
            self._show_all(walkthrough, index, hide_value)
        self._arranged = None
        self._layout()

    def _input_slice(self, walkthrough: Walkthrough, index: int, c: int, title: str) -> _Slice:
        step = walkthrough.steps[index]
        ex = walkthrough.example
        previous = None
        if index > 0 and walkthrough.steps[index - 1].map == step.map:
            before = walkthrough.steps[index - 1]
            previous = _span(before.rows, before.cols)
        return _Slice(
            "input", c, title, walkthrough.grid[:, :, c], walkthrough.kinds,
            taps=set(itertools.product(step.rows, step.cols)),
            window=_span(step.rows, step.cols), previous=previous, editable=True,
            gaps=ex.dilation != (1, 1),
            winner=None if step.winner is None else (step.rows[step.winner[0]],
                                                     step.cols[step.winner[1]]))

    def _bias_block(self, walkthrough: Walkthrough, k: int) -> _Block:
        bias = np.array([[walkthrough.example.bias[k]]], np.float64)
        return _Block(f"Bias b{k}", [_Slice("bias", k, "", bias, signed=True, editable=True)])

    def _output_block(self, walkthrough: Walkthrough, index: int, hide_value: bool) -> _Block:
        step = walkthrough.steps[index]
        out = walkthrough.output(index)
        maps = out.shape[2]
        shown_maps = list(range(maps)) if maps <= MAX_OUTPUT_SLICES else [step.map]
        outputs = []
        for m in shown_maps:
            title = f"o[:,:,{m}]" if maps > 1 else ""
            if maps > MAX_OUTPUT_SLICES:
                title += f"  (map {m + 1} of {maps})"
            is_current = m == step.map
            outputs.append(_Slice(
                "output", m, title, out[:, :, m], signed=True,
                landing=step.out if is_current else None,
                hidden=step.out if is_current and hide_value else None))
        h, w, _ = walkthrough.output_shape
        return _Block(f"Output {h}×{w}" + (f"×{maps}" if maps > 1 else ""), outputs)

    def _show_all(self, walkthrough: Walkthrough, index: int, hide_value: bool) -> None:
        step = walkthrough.steps[index]
        ex = walkthrough.example
        channels = walkthrough.grid.shape[2]
        shown_channels = [step.map] if ex.is_pooling else list(range(channels))
        inputs = [self._input_slice(walkthrough, index, c,
                                    f"x[:,:,{c}]" if channels > 1 else "")
                  for c in shown_channels]
        self._blocks = [_Block(self._input_title(walkthrough), inputs)]
        if walkthrough.kernels is not None:
            kernel = walkthrough.kernels[step.map]
            self._blocks.append(_Block(
                self._kernel_title(walkthrough, step.map),
                [_Slice("kernel", c, f"w{step.map}[:,:,{c}]" if channels > 1 else "",
                        kernel[:, :, c], signed=True, editable=True)
                 for c in range(channels)]))
            self._blocks.append(self._bias_block(walkthrough, step.map))
            self._operators = ["⊙", "+", "="]
        else:
            window = step.taps[:, :, 0]
            op = "max" if ex.operation == "max" else "mean"
            self._blocks.append(_Block(
                f"{op} of the {window.shape[0]}×{window.shape[1]} window",
                [_Slice("window", 0, "", window, winner=step.winner)]))
            self._operators = ["→", "="]
        self._blocks.append(self._output_block(walkthrough, index, hide_value))

    def _show_channel(self, walkthrough: Walkthrough, index: int, hide_value: bool,
                      c: int) -> None:
        """One channel of a volume (``c`` one past the last: the channels' sum)."""
        step = walkthrough.steps[index]
        k = step.map
        channels = walkthrough.grid.shape[2]
        sums = np.full((1, channels), np.nan)  # each channel's products summed, so far
        if not hide_value:
            done = min(c + 1, channels)
            sums[0, :done] = step.products.sum(axis=(0, 1), dtype=np.float64)[:done]
        if c == channels:
            self._blocks = [_Block("Channel sums", [_Slice("sums", k, "", sums, signed=True)]),
                            self._bias_block(walkthrough, k),
                            self._output_block(walkthrough, index, hide_value)]
            self._operators = ["+", "="]
            return
        turned = " turned" if walkthrough.turned else ""
        before = walkthrough.output(index - 1)  # the value lands once the channels are summed
        self._blocks = [
            _Block(f"Input x[:,:,{c}] ({c + 1} of {channels})",
                   [self._input_slice(walkthrough, index, c, "")]),
            _Block(f"w{k}[:,:,{c}]{turned}", [_Slice(
                "kernel", c, "", walkthrough.kernels[k][:, :, c], signed=True,
                editable=True)]),
            _Block("Channel sums", [_Slice("sums", k, "", sums, signed=True,
                                           landing=(0, c))]),
            _Block(f"Output o[:,:,{k}]", [_Slice("output", k, "", before[:, :, k],
                                                 signed=True, landing=step.out)])]
        self._operators = ["⊙", "=", "→"]

    @staticmethod
    def _input_title(walkthrough: Walkthrough) -> str:
        ex, rows, cols = walkthrough.example, walkthrough.rows, walkthrough.cols
        h, w, c = ex.input.shape
        size = f"{h}×{w}" + (f"×{c}" if c > 1 else "")
        grid = f"{rows.length}×{cols.length}" + (f"×{c}" if c > 1 else "")
        if rows.spread > 1 or cols.spread > 1:
            gaps = rows.spread - 1
            return (f"Input {size}, {gaps} zero{'s' if gaps > 1 else ''} between pixels, "
                    f"padded by {rows.before}: {grid}")
        if rows.before + rows.after + cols.before + cols.after == 0:
            return f"Input {size}"
        pads = {rows.before, rows.after, cols.before, cols.after}
        pad = (str(pads.pop()) if len(pads) == 1 else
               f"(rows {rows.before}+{rows.after}, columns {cols.before}+{cols.after})")
        mode = "" if ex.pad_mode == "zeros" else f" ({ex.pad_mode})"
        return f"Input {size} padded by {pad}{mode}: {grid}"

    @staticmethod
    def _kernel_title(walkthrough: Walkthrough, k: int) -> str:
        ex = walkthrough.example
        kh, kw = ex.kernel_shape
        c = ex.input.shape[2]
        size = f"{kh}×{kw}" + (f"×{c}" if c > 1 else "")
        turned = ", turned 180°" if walkthrough.turned else ""
        dilation = f", dilation {ex.dilation[0]}" if ex.dilation != (1, 1) else ""
        name = f"Filter W{k}" if walkthrough.kernels.shape[0] > 1 else "Kernel"
        return f"{name} {size}{turned}{dilation}"

    # --- layout --------------------------------------------------------------------------
    def _block_cells(self, block: _Block, columns: int) -> tuple[float, float]:
        """(width, height) of a block in cells with ``columns`` slices side by side."""
        rows = math.ceil(len(block.slices) / columns)
        sh, sw = block.slices[0].values.shape
        subtitle = SUBTITLE if any(s.title for s in block.slices) else 0.0
        width = columns * sw + (columns - 1) * SLICE_GAP
        height = rows * (sh + subtitle) + (rows - 1) * SLICE_GAP
        return width, height

    def _title_font_px(self, cell: float) -> float:
        low, high = self._theme.title_px
        low = max(low, self._heading_type)
        return max(low, min(cell * 0.42, high))

    @staticmethod
    def _title_span(width: float) -> float:
        """The cells a block's title may use: its block and most of the gaps beside it."""
        return max(width + BLOCK_GAP * 0.9, NARROW_TITLE if width <= 1 else 0.0)

    def _metrics(self, px: int, bold: bool) -> QFontMetricsF:
        key = (px, bold)
        if key not in self._metrics_cache:
            self._metrics_cache[key] = QFontMetricsF(self.font(px, bold))
        return self._metrics_cache[key]

    def _title_lines(self, title: str, px: int, width: int) -> int:
        key = (title, px, width)
        if key not in self._lines_cache:
            self._lines_cache[key] = len(wrap(title, self._metrics(px, True), width))
        return self._lines_cache[key]

    def _band(self, cell: float, sizes: list[tuple[float, float]]) -> float:
        """Height of the band above the grids for the block titles, wrapped to their blocks'
        widths at their type."""
        px = max(7, round(self._title_font_px(cell)))
        lines = max(self._title_lines(b.title, px, int(self._title_span(size[0]) * cell))
                    for b, size in zip(self._blocks, sizes, strict=True))
        return lines * self._metrics(px, True).lineSpacing() + px * 0.3

    def _arrangements(self) -> list[tuple[tuple[int, ...], list[tuple[float, float]], float,
                                          float]]:
        """Every way to put each block's slices side by side: the columns, each block's size
        in cells, and the board's width and height in cells (the same for every step of an
        example, so worked out once)."""
        if self._arranged is None:
            self._arranged = []
            options = [range(1, len(b.slices) + 1) for b in self._blocks]
            for columns in itertools.product(*options):
                sizes = [self._block_cells(b, c)
                         for b, c in zip(self._blocks, columns, strict=True)]
                across = sum(s[0] for s in sizes) + BLOCK_GAP * (len(sizes) - 1) + 0.4
                self._arranged.append((tuple(columns), sizes, across,
                                       max(s[1] for s in sizes)))
        return self._arranged

    def measure(self, width: float, height: float) -> Fit:
        """The arrangement with the largest cells that fits ``width`` × ``height``."""
        legend = self._legend_px()
        best: Fit | None = None
        for columns, sizes, across, down in self._arrangements():
            cell = min(width / across, MAX_CELL)
            if best is not None and cell <= best.cell:
                continue  # narrower than the best already: cannot beat it
            for _ in range(8):  # the titles' band grows as the cells (and its widths) shrink
                band = self._band(cell, sizes)
                if band + down * cell + legend <= height + 0.01 or cell <= 4.0:
                    break
                cell = max(4.0, min(cell - 0.25, (height - legend - band) / down))
            fit = Fit(cell, tuple(columns), tuple(sizes), band, band + down * cell + legend)
            if best is None or fit.cell > best.cell + 1e-6:
                best = fit
        assert best is not None
        return best

    def set_rect(self, rect: QRectF) -> None:
        """Lay the board out in ``rect`` (the legend goes under the grids)."""
        self._rect = QRectF(rect)
        self._layout()

    @property
    def rect(self) -> QRectF:
        return QRectF(self._rect)

    @property
    def fit(self) -> Fit | None:
        """How the grids were last laid out."""
        return self._fit

    def _layout(self) -> None:
        """Lay the blocks out with the largest cells, in the middle of the rectangle."""
        if not self._blocks:
            return
        w, h = max(self._rect.width(), 50.0), max(self._rect.height(), 50.0)
        fit = self._fit = self.measure(w, h)
        self._cell = cell = fit.cell
        total = (sum(s[0] for s in fit.sizes) + BLOCK_GAP * (len(fit.sizes) - 1)) * cell
        x = self._rect.x() + (w - total) / 2
        top = self._rect.y() + max((h - fit.height) / 2, 0.0)
        self._grids_bottom = top + fit.height - self._legend_px()
        for block, cols, size in zip(self._blocks, fit.columns, fit.sizes, strict=True):
            block.columns = cols
            block.origin = QPointF(x, top)
            sh, sw = block.slices[0].values.shape
            subtitle = SUBTITLE if any(s.title for s in block.slices) else 0.0
            for i, s in enumerate(block.slices):
                r, c = divmod(i, cols)
                s.origin = QPointF(
                    x + c * (sw + SLICE_GAP) * cell,
                    top + fit.band + (r * (sh + subtitle + SLICE_GAP) + subtitle) * cell)
            x += (size[0] + BLOCK_GAP) * cell

    def cell_rect(self, block: str, index: int, row: int, col: int) -> QRectF:
        """Where a cell is painted (in the coordinates of the rectangle)."""
        s = self.slice(block, index)
        if s is None:
            raise KeyError(f"no {block} slice {index} on the board")
        return QRectF(s.origin.x() + col * self._cell, s.origin.y() + row * self._cell,
                      self._cell, self._cell)

    def slice(self, block: str, index: int) -> _Slice | None:
        """The grid of ``block`` (input, kernel, window, output) for channel or map ``index``."""
        for b in self._blocks:
            for s in b.slices:
                if s.block == block and s.index == index:
                    return s
        return None

    def cell_at(self, pos: QPointF) -> tuple[_Slice, int, int] | None:
        """The grid and the (row, column) of the cell under ``pos``, or None."""
        for b in self._blocks:
            for s in b.slices:
                rows, cols = s.values.shape
                r = math.floor((pos.y() - s.origin.y()) / self._cell)
                c = math.floor((pos.x() - s.origin.x()) / self._cell)
                if 0 <= r < rows and 0 <= c < cols:
                    return s, r, c
        return None

    # --- painting ------------------------------------------------------------------------
    def paint(self, p: QPainter) -> None:
        """Paint the board into its rectangle (the caller fills the background)."""
        if not self._blocks:
            return
        p.save()
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint_titles(p)
            for block in self._blocks:
                for s in block.slices:
                    self._paint_slice(p, s)
        finally:
            p.restore()

    def font(self, px: float, bold: bool = False) -> QFont:
        """The board's type at ``px`` pixels (at least 7)."""
        font = QFont(self._base_font)
        font.setPixelSize(max(7, round(px)))
        font.setBold(bold)
        return font

    def title_lines(self) -> list[tuple[str, QRectF]]:
        """Each line of the block titles and the rectangle it is centred in."""
        cell = self._cell
        metrics = QFontMetricsF(self.font(self._title_font_px(cell), bold=True))
        lines: list[tuple[str, QRectF]] = []
        for block in self._blocks:
            sw = block.slices[0].values.shape[1]
            width = (block.columns * sw + (block.columns - 1) * SLICE_GAP) * cell
            span = self._title_span(width / cell) * cell
            left = block.origin.x() - (span - width) / 2
            # the outer blocks' titles stay on the board: there is no gap beyond them
            left = max(min(left, self._rect.right() - span), self._rect.left())
            y = block.origin.y()
            for line in wrap(block.title, metrics, span):
                lines.append((line, QRectF(left, y, span, metrics.lineSpacing())))
                y += metrics.lineSpacing()
        return lines

    def _paint_titles(self, p: QPainter) -> None:
        t = self._theme
        cell = self._cell
        p.setPen(t.text)
        p.setFont(self.font(self._title_font_px(cell), bold=True))
        for line, rect in self.title_lines():
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, line)
        p.setFont(self.subtitle_font())
        for block in self._blocks:
            sh, sw = block.slices[0].values.shape
            for s in block.slices:
                if s.title:
                    p.drawText(QRectF(s.origin.x() - cell, s.origin.y() - SUBTITLE * cell,
                                      (sw + 2) * cell, SUBTITLE * cell),
                               Qt.AlignmentFlag.AlignCenter, s.title)
        # the operators between blocks, level with the first row of slices
        p.setFont(self.font(min(cell * 0.9, 60), bold=True))
        for left, op in zip(self._blocks, self._operators, strict=False):
            sh, sw = left.slices[0].values.shape
            x = left.origin.x() + (left.columns * sw + (left.columns - 1) * SLICE_GAP) * cell
            y = left.slices[0].origin.y()
            p.drawText(QRectF(x, y, BLOCK_GAP * cell, min(sh, 5) * cell),
                       Qt.AlignmentFlag.AlignCenter, op)
        self._paint_legend(p)

    def title_font(self) -> QFont:
        """The block titles' type as laid out."""
        return self.font(self._title_font_px(self._cell), bold=True)

    def subtitle_font(self) -> QFont:
        """The type of the slices' names over their grids (x[:,:,0], o[:,:,1]) as laid out:
        a share of the cell, and on a projector no less than the block titles' least."""
        return self.font(max(self._heading_type,
                             min(self._cell * 0.45, self._theme.title_px[1])))

    @property
    def legend_px(self) -> int:
        """The legend's type: the theme's, or larger on a slide with larger type."""
        return max(self._theme.legend_px, self._legend_type)

    @legend_px.setter
    def legend_px(self, px: int) -> None:
        self._legend_type = int(px)

    @property
    def heading_px(self) -> int:
        """The block titles' least type beyond the theme's (0: the theme's own)."""
        return self._heading_type

    @heading_px.setter
    def heading_px(self, px: int) -> None:
        self._heading_type = int(px)

    def _legend_px(self) -> float:
        return 1.8 * self.legend_px if self._legend() else 0.0

    def _legend(self) -> list[tuple[str, str]]:
        """(swatch, words) for what the input's cells can be, when it is not obvious."""
        if not self.show_legend or not self._blocks \
                or self._blocks[0].slices[0].block != "input":
            return []
        kinds = self._blocks[0].slices[0].kinds
        items = [("window", "the window's taps")]
        if kinds is not None and (kinds == PADDING).any():
            items.append(("padding", "padding"))
        if kinds is not None and (kinds == INSERTED).any():
            items.append(("inserted", "zero put between pixels"))
        if self._steps > 1:  # every frame keeps the same legend, so nothing shifts
            items.append(("previous", "the window one step before"))
        return items if len(items) > 1 else []

    def _paint_legend(self, p: QPainter) -> None:
        items = self._legend()
        if not items:
            return
        t = self._theme
        px = self.legend_px
        y = self._grids_bottom + px * 0.4
        x = self._rect.left() + 8.0
        p.setFont(self.font(px))
        for kind, words in items:
            box = QRectF(x, y, px * 1.2, px * 1.2)
            if kind == "window":
                p.fillRect(box, t.tap)
                p.setPen(QPen(t.window, 2.5))
            elif kind == "padding":
                p.fillRect(box, t.padding)
                p.fillRect(box, QBrush(t.padding_text, Qt.BrushStyle.BDiagPattern))
                p.setPen(QPen(t.grid, 1))
            elif kind == "inserted":
                p.fillRect(box, t.inserted)
                p.fillRect(box, QBrush(t.padding_text, Qt.BrushStyle.Dense6Pattern))
                p.setPen(QPen(t.grid, 1))
            else:
                p.setPen(QPen(t.previous, 2, Qt.PenStyle.DashLine))
            p.drawRect(box)
            p.setPen(t.text)
            text_rect = QRectF(x + px * 1.7, y - px * 0.2, 40 * px, px * 1.6)
            p.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       words)
            x += px * 1.7 + QFontMetricsF(p.font()).horizontalAdvance(words) + px * 1.8

    def _fill(self, s: _Slice, r: int, c: int, value: float, scale: float) -> QColor:
        t = self._theme
        if (r, c) in s.taps:
            return t.tap
        if s.kinds is not None and s.kinds[r, c] == PADDING:
            return t.padding
        if s.kinds is not None and s.kinds[r, c] == INSERTED:
            return t.inserted
        if (r, c) == s.landing:
            return t.landing
        if not s.signed or not math.isfinite(value) or scale <= 0:
            return t.cell
        end = t.positive if value > 0 else t.negative
        mix = 0.55 * min(abs(value) / scale, 1.0)
        base = t.cell
        return QColor(*(round(getattr(base, ch)() + (getattr(end, ch)() - getattr(base, ch)())
                              * mix) for ch in ("red", "green", "blue")))

    def _texts(self, s: _Slice) -> list[list[str]]:
        texts = [[cell_text(v) if math.isfinite(v) else "" for v in row] for row in s.values]
        if s.hidden is not None:
            texts[s.hidden[0]][s.hidden[1]] = "?"
        return texts

    def digit_px(self, block: str, index: int) -> float:
        """The pixel size of the type of a grid's numbers: a share of the cell, less for
        long numbers so that they fit their cells."""
        s = self.slice(block, index)
        if s is None:
            raise KeyError(f"no {block} slice {index} on the board")
        return self._digit_px(s, self._texts(s))

    def _digit_px(self, s: _Slice, texts: list[list[str]]) -> float:
        words = {x for row in texts for x in row if x}
        longest = max(map(len, words), default=1)
        cell = self._cell
        share = self._theme.digit_share[0 if longest == 1 else 1]
        # the widest number, measured at 100 px, fills at most 0.9 of its cell
        widest = max((self._width_at_100(x) for x in words), default=0.0)
        return min(cell * share, cell * 0.9 * 100 / widest) if widest else cell * share

    def _width_at_100(self, text: str) -> float:
        if text not in self._widths:
            self._widths[text] = self._metrics(100, False).horizontalAdvance(text)
        return self._widths[text]

    def _paint_slice(self, p: QPainter, s: _Slice) -> None:
        t, cell = self._theme, self._cell
        rows, cols = s.values.shape
        finite = s.values[np.isfinite(s.values)]
        scale = float(np.abs(finite).max()) if finite.size else 0.0
        texts = self._texts(s)
        font_px = self._digit_px(s, texts)
        font = self.font(font_px)
        p.setFont(font)
        metrics = QFontMetricsF(font)
        grid = QPen(t.grid, 1 * t.line_scale)
        hatch = QBrush(t.padding_text, Qt.BrushStyle.BDiagPattern)
        dots = QBrush(t.padding_text, Qt.BrushStyle.Dense6Pattern)
        for r in range(rows):
            for c in range(cols):
                rect = QRectF(s.origin.x() + c * cell, s.origin.y() + r * cell, cell, cell)
                value = float(s.values[r, c])
                text = texts[r][c] if font_px >= 7 else ""
                fill = self._fill(s, r, c, value, scale)
                p.fillRect(rect, fill)
                kind = INPUT if s.kinds is None else int(s.kinds[r, c])
                if kind != INPUT:  # hatched or dotted round the number, never over it
                    self._fill_around(p, rect, text, metrics,
                                      hatch if kind == PADDING else dots, fill)
                p.setPen(grid)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(rect)
                if text:
                    p.setPen(t.padding_text if kind != INPUT else t.text)
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        self._paint_marks(p, s)

    @staticmethod
    def _fill_around(p: QPainter, rect: QRectF, text: str, metrics: QFontMetricsF,
                     brush: QBrush, fill: QColor) -> None:
        """Fill ``rect`` with ``brush``, then clear a box round its centred ``text`` back to
        the cell's ``fill``: the pattern never runs over the number."""
        p.fillRect(rect, brush)
        if not text:
            return
        px = metrics.height()
        w = metrics.horizontalAdvance(text) + px * 0.35
        h = metrics.capHeight() + px * 0.45
        p.fillRect(QRectF(rect.center().x() - w / 2, rect.center().y() - h / 2, w, h), fill)

    def _paint_marks(self, p: QPainter, s: _Slice) -> None:
        t, cell = self._theme, self._cell
        x0, y0 = s.origin.x(), s.origin.y()

        def box(span: tuple[int, int, int, int], inset: float) -> QRectF:
            r0, c0, r1, c1 = span
            return QRectF(x0 + c0 * cell + inset, y0 + r0 * cell + inset,
                          (c1 - c0 + 1) * cell - 2 * inset, (r1 - r0 + 1) * cell - 2 * inset)

        p.setBrush(Qt.BrushStyle.NoBrush)
        if s.previous is not None and s.previous != s.window:
            pen = QPen(t.previous, 2 * t.line_scale, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawRect(box(s.previous, 3))
        if s.window is not None:
            p.setPen(QPen(t.window, 3.5 * t.line_scale))
            p.drawRect(box(s.window, 1.5))
            if s.gaps:  # dilation: each tap framed on its own, the cells between are gaps
                p.setPen(QPen(t.window, 1.5 * t.line_scale))
                for r, c in s.taps:
                    p.drawRect(QRectF(x0 + c * cell + 4, y0 + r * cell + 4, cell - 8,
                                      cell - 8))
        if s.landing is not None:
            r, c = s.landing
            p.setPen(QPen(t.window, 3.5 * t.line_scale))
            p.drawRect(QRectF(x0 + c * cell + 1.5, y0 + r * cell + 1.5, cell - 3, cell - 3))
        if self.chosen is not None and self.chosen[:2] == (s.block, s.index):
            r, c = self.chosen[2:]
            p.setPen(QPen(t.accent, 2 * t.line_scale, Qt.PenStyle.DashLine))
            p.drawRect(QRectF(x0 + c * cell + 4, y0 + r * cell + 4, cell - 8, cell - 8))
        if s.winner is not None:
            r, c = s.winner
            p.setPen(QPen(t.winner, 3 * t.line_scale))
            p.drawEllipse(QRectF(x0 + c * cell + 3, y0 + r * cell + 3, cell - 6, cell - 6))

    def describe_cell(self, s: _Slice, r: int, c: int) -> str:
        """What a hover tells about a cell: its name, its value, what it is."""
        value = float(s.values[r, c])
        names = {"input": "x", "kernel": "w", "output": "o", "window": "window", "bias": "b"}
        if s.hidden == (r, c):
            text = "?"
        else:
            text = cell_text(value) if math.isfinite(value) else "not computed yet"
        note = ""
        if s.kinds is not None and s.kinds[r, c] == PADDING:
            note = " (padding)"
        elif s.kinds is not None and s.kinds[r, c] == INSERTED:
            note = " (a zero put between pixels)"
        if s.block == "bias":
            return f"b{s.index} = {text} (the bias of filter {s.index})"
        if s.block == "sums":
            return f"x[:,:,{c}] ⊙ w{s.index}[:,:,{c}], summed = {text}"
        return f"{names[s.block]}[{r}, {c}, {s.index}] = {text}{note}"

    @staticmethod
    def slice_name(s: _Slice, k: int = 0) -> str:
        """How the arithmetic names a grid: x[:,:,0], w1[:,:,2], b1, o[:,:,0]."""
        if s.block == "bias":
            return f"b{s.index}"
        if s.block == "sums":
            return "the channel sums"
        if s.block == "kernel":
            return f"w{k}[:,:,{s.index}]"
        prefix = {"input": "x", "output": "o"}.get(s.block, s.block)
        return f"{prefix}[:,:,{s.index}]"

    @staticmethod
    def own_values(s: _Slice) -> np.ndarray:
        """A grid's own numbers: the input's without its padding and inserted zeros."""
        if s.kinds is None:
            return s.values
        rows = np.flatnonzero((s.kinds == INPUT).any(axis=1))
        cols = np.flatnonzero((s.kinds == INPUT).any(axis=0))
        return s.values[np.ix_(rows, cols)]

    @property
    def cell_size(self) -> float:
        return self._cell
