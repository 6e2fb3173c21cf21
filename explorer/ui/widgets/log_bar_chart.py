"""A bar chart on a log10 axis, legible on a projector, that exports itself for slides.

Counts from 10⁰ to 10¹⁴ and beyond share one chart, so each bar's height is log10(count) and
the y axis is labelled 10⁰, 10², 10⁴ … with superscripts instead of pyqtgraph's log mode
(which ``BarGraphItem`` does not follow). Every bar carries its exact count; the factor between
neighbouring bars ("÷ 10⁴") is written between them.
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Sequence
from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QBuffer, QIODevice, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from explorer.core import images, safe_files
from explorer.ui.convert import qimage_to_array

__all__ = ["LogBarChart", "fitting_points", "superscript_power"]

TICK_PT = 15  # axis numbers: legible from the back of a lecture room
LABEL_PT = 17  # counts on the bars, ratios, axis titles
MIN_LABEL_PT = 10  # a narrow window shrinks the bar labels down to this
INK = "#202020"
RATIO_INK = "#A01010"
BAR_WIDTH = 0.5
SQUARE = "■"  # a legend entry's mark, in the colour of its bars
TICK_STEPS = (2, 3, 4, 6, 8, 10, 12, 20, 40, 100)  # decades between labelled ticks

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def superscript_power(exponent: int) -> str:
    """``12`` → ``"10¹²"``."""
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def _title_html(title: str, legend: Sequence[tuple[str, str]], width: float) -> str:
    """A " · "-separated title, then the legend's entries from a new line, in lines at most
    ``width`` pixels wide (HTML): each line is broken between parts, never inside one."""
    metrics = QFontMetricsF(_font(TICK_PT))

    def lines_of(parts: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
        lines: list[list[tuple[str, str]]] = []
        for part in parts:
            joined = " · ".join(text for text, _ in [*(lines[-1] if lines else []), part])
            if lines and metrics.horizontalAdvance(joined) <= width:
                lines[-1].append(part)
            else:
                lines.append([part])
        return lines

    def piece(text: str, colour: str) -> str:
        text = html.escape(text)
        return f'<span style="color: {colour}">{text}</span>' if colour else text

    lines = lines_of([(part, "") for part in title.split(" · ") if part])
    lines += lines_of([(f"{SQUARE} {text}", colour) for text, colour in legend])
    return "<br>".join(" · ".join(piece(text, colour) for text, colour in line)
                       for line in lines)


def fitting_points(text: str, width: float, largest: int, bold: bool = True,
                   smallest: int = MIN_LABEL_PT) -> int:
    """The largest point size from ``largest`` down to ``smallest`` at which ``text`` fits."""
    points = largest
    while (points > smallest
           and QFontMetricsF(_font(points, bold)).horizontalAdvance(text) + 8 > width):
        points -= 1
    return points


def _font(points: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    return font


class LogBarChart(pg.PlotWidget):
    """Bars whose heights are counts ≥ 1 on a log10 scale, with their numbers written on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        item = self.getPlotItem()
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showGrid(x=False, y=True, alpha=0.25)
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setTickFont(_font(TICK_PT))
            axis.setTextPen(INK)
            axis.setPen(INK)
        item.getAxis("left").setWidth(86)
        item.getAxis("bottom").setHeight(40)
        item.getAxis("bottom").setStyle(tickLength=0)
        self._bars: pg.BarGraphItem | None = None
        self._texts: list[pg.TextItem] = []
        self.bar_names: list[str] = []  # under the bars
        self.value_labels: list[str] = []  # what is written on the bars, for tests and export
        self.ratio_labels: list[str] = []
        self.tick_labels: list[str] = []  # the y axis' labelled ticks
        self.tick_powers: list[int] = []  # … and the powers of ten they stand at
        self._title, self._names = "", []
        self._legend: list[tuple[str, str]] = []
        self._heights: list[float] = []  # log10 of the counts, the bars' tops
        self._xs: list[float] = []  # the bars' places on the x axis
        self._tick_step = 0  # decades between the y axis' labelled ticks
        self._ratio_pairs: list[int] = []  # each ratio label's left bar
        self._y_label, self._y_label_pt = "", 0
        # the y range and the axis title follow the plot's height in pixels, known only after
        # the layout has placed the view
        item.getViewBox().sigResized.connect(self._fit_to_height)

    # --- content -------------------------------------------------------------------------
    def set_bars(
        self,
        names: Sequence[str],
        counts: Sequence[int],
        value_labels: Sequence[str],
        ratio_labels: Sequence[str],
        colors: Sequence[str],
        title: str = "",
        y_label: str = "",
        positions: Sequence[float] | None = None,
        legend: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Draw one bar per count (≥ 1) and the factor between neighbours (len(counts) − 1).

        An empty ratio label leaves that pair without one. ``positions`` place the bars on
        the x axis (one unit apart by default; a larger step leaves a gap between groups).
        ``legend`` adds (text, colour) entries, each with a square of its colour, under the
        title's " · "-separated parts.
        """
        if not len(names) == len(counts) == len(value_labels) == len(colors):
            raise ValueError("every bar needs a name, a count, a label and a colour")
        if len(ratio_labels) != max(0, len(counts) - 1):
            raise ValueError("there is one ratio between each pair of neighbouring bars")
        xs = [float(x) for x in (range(len(counts)) if positions is None else positions)]
        if len(xs) != len(counts) or any(b - a < 0.999 for a, b in itertools.pairwise(xs)):
            raise ValueError("every bar needs a position, at least one unit after the last")
        self.clear_bars()
        item = self.getPlotItem()
        heights = [math.log10(c) for c in counts]  # math.log10 is exact enough for big ints
        self._bars = pg.BarGraphItem(
            x=xs, height=heights, width=BAR_WIDTH, brushes=[pg.mkBrush(c) for c in colors],
            # no outline: a stroke in data coordinates needs SVG's non-scaling-stroke, which
            # some slide programs ignore (they draw it hundreds of pixels wide)
            pen=None,
        )
        item.addItem(self._bars)
        for x, h, text in zip(xs, heights, value_labels, strict=True):
            self._add_text(text, x, h, anchor=(0.5, 1.0), color=INK)
        self._ratio_pairs = []
        for i, text in enumerate(ratio_labels):
            if text:
                self._add_text(text, (xs[i] + xs[i + 1]) / 2, (heights[i] + heights[i + 1]) / 2,
                               anchor=(0.5, 0.5), color=RATIO_INK, framed=True)
                self._ratio_pairs.append(i)
        self.bar_names = list(names)
        self.value_labels = list(value_labels)
        self.ratio_labels = [text for text in ratio_labels if text]

        self._tick_step = 0
        self._set_ticks(2 if max(heights) <= 16 else 4 if max(heights) <= 32 else 10, heights)
        item.getAxis("bottom").setTicks([list(zip(xs, names, strict=True))])
        item.setXRange(xs[0] - 0.55, xs[-1] + 0.55, padding=0)
        self._title, self._legend = title, list(legend)
        self._names, self._heights, self._xs = list(names), heights, xs
        self._y_label, self._y_label_pt = y_label, 0
        self._fit_to_width()

    def clear_bars(self) -> None:
        item = self.getPlotItem()
        if self._bars is not None:
            item.removeItem(self._bars)
            self._bars = None
        for text in self._texts:
            item.removeItem(text)
        self._texts.clear()
        self._heights, self._xs, self._ratio_pairs = [], [], []
        self.bar_names, self.value_labels, self.ratio_labels = [], [], []
        if self._title or self._legend:  # an empty chart must not name the setup it left
            self._title, self._legend = "", []
            item.setTitle(None)

    @property
    def title_text(self) -> str:
        """The title as read, legend included (plain text, one line)."""
        parts = [p for p in self._title.split(" · ") if p] if self._title else []
        return " · ".join(parts + [text for text, _ in self._legend])

    # --- legible at any width ----------------------------------------------------------
    def resizeEvent(self, event) -> None:
        # the title first: pyqtgraph gives the plot its new size in the resize below, and
        # a title still wrapped for a wider chart would hold the plot at that width (its
        # labels and last bar cut off at the right)
        self._fit_to_width()
        super().resizeEvent(event)

    def _fit_to_width(self) -> None:
        """Shrink labels only as far as a narrow window needs; wrap the title to fit."""
        if not getattr(self, "_texts", None):  # resized while __init__ runs, or no bars
            return
        item = self.getPlotItem()
        plot_width = max(100.0, self.width() - item.getAxis("left").width() - 20)
        slot = plot_width / (self._xs[-1] - self._xs[0] + 1.1)  # pixels per unit of x
        for label in self._texts:
            text = label.textItem.toPlainText()
            label.setFont(_font(fitting_points(text, 0.92 * slot, LABEL_PT), bold=True))
        longest = max(self._names, key=len, default="")
        bottom = item.getAxis("bottom")
        bottom.setTickFont(_font(fitting_points(longest, 0.95 * slot, TICK_PT, bold=False)))
        item.setTitle(_title_html(self._title, self._legend, plot_width), color=INK,
                      size=f"{TICK_PT}pt")
        # setTitle fixes the title row at one 30-pixel line; give a wrapped title its lines
        height = item.titleLabel.item.boundingRect().height()
        item.titleLabel.setMaximumHeight(height)
        item.layout.setRowFixedHeight(0, height)
        self._fit_to_height()

    def _fit_to_height(self, *_: object) -> None:
        """Headroom above every bar for its count, in pixels; an axis title as tall as the axis.

        The counts are drawn in points, the bars in data units: how much of the y range a
        label needs depends on the plot's height, so the range is worked out in pixels. A
        label above the range would be drawn over the chart's title.
        """
        if not self._heights:
            return
        item = self.getPlotItem()
        view_height = item.getViewBox().height()
        if view_height < 40:  # not laid out yet
            return
        # below 10⁰: half that tick's label (pyqtgraph drops a label reaching past the axis)
        below = (0.5 * QFontMetricsF(_font(TICK_PT)).height() + 2) / view_height
        span = 1.0
        for top, label in zip(self._heights, self._texts, strict=False):  # counts come first
            above = (label.textItem.boundingRect().height() + 4) / view_height
            span = max(span, top / max(0.2, 1 - below - above))
        lower = -below * span
        item.setYRange(lower, lower + span, padding=0)
        # labelled powers far enough apart that their numbers never touch
        step = 2 if max(self._heights) <= 16 else 4 if max(self._heights) <= 32 else 10
        tick_height = QFontMetricsF(_font(TICK_PT)).height()
        while step * view_height / span < 1.15 * tick_height and step < 100:
            step = next(s for s in TICK_STEPS if s > step)
        self._set_ticks(step, self._heights)
        self._place_ratios(view_height / span, lower + span)
        # pyqtgraph writes the title with a space after it (before the units it leaves out)
        points = fitting_points(self._y_label + " ", view_height, LABEL_PT, bold=False)
        if points != self._y_label_pt:  # setLabel re-lays the axis out: only on a change
            self._y_label_pt = points
            item.setLabel("left", self._y_label, color=INK, **{"font-size": f"{points}pt"})

    def _set_ticks(self, step: int, heights: Sequence[float]) -> None:
        """Label every ``step``-th power of ten on the y axis; mark every power."""
        if step == self._tick_step:
            return
        self._tick_step = step
        last = step * math.ceil(max(max(heights, default=0.0), 1e-9) / step)
        major = [(e, superscript_power(e)) for e in range(0, last + 1, step)]
        minor = [(e, "") for e in range(0, last + 1)] if step < 10 else []
        self.getPlotItem().getAxis("left").setTicks([major, minor])
        self.tick_labels = [text for _, text in major]
        self.tick_powers = [e for e, _ in major]

    def _place_ratios(self, pixels_per_decade: float, top: float) -> None:
        """Each factor half-way between its two bars, unless it would cover a count there.

        A count wider than its bar ("105,705,600") reaches into the gap where the factor sits;
        then the factor moves just above the lower bar's count, or else just below it, where
        there is room in the plot.
        """
        n = len(self._heights)
        values, ratios = self._texts[:n], self._texts[n:]
        view = self.getPlotItem().getViewBox()
        pixels_per_x = view.width() / (self._xs[-1] - self._xs[0] + 1.1)

        def box(label: pg.TextItem, x: float, y: float, anchor_y: float) -> QRectF:
            """The label's rectangle in pixels from the origin (y up), anchored at (x, y)."""
            size = label.textItem.boundingRect()
            bottom = y * pixels_per_decade - anchor_y * size.height()
            return QRectF(x * pixels_per_x - size.width() / 2, bottom,
                          size.width(), size.height())

        for i, ratio in zip(self._ratio_pairs, ratios, strict=True):
            pair = (i, i + 1)
            x = (self._xs[i] + self._xs[i + 1]) / 2
            counts = [box(values[b], self._xs[b], self._heights[b], 0.0) for b in pair]
            half = 0.5 * ratio.textItem.boundingRect().height() / pixels_per_decade
            gap = 3 / pixels_per_decade
            lower = min(pair, key=lambda b: self._heights[b])
            count_height = values[lower].textItem.boundingRect().height() / pixels_per_decade
            places = (
                (self._heights[i] + self._heights[i + 1]) / 2,
                self._heights[lower] + count_height + gap + half,  # over the lower count
                self._heights[lower] - gap - half,  # under it, on the bars
            )
            fits = [y for y in places if half <= y <= top - half
                    and not any(box(ratio, x, y, 0.5).intersects(c) for c in counts)]
            ratio.setPos(x, fits[0] if fits else places[0])

    def _add_text(self, text: str, x: float, y: float, anchor, color: str,
                  framed: bool = False) -> None:
        # a framed label stays readable where it overlaps a wide bar
        label = pg.TextItem(text, color=color, anchor=anchor,
                            fill=pg.mkBrush(255, 255, 255, 230) if framed else None,
                            border=pg.mkPen(color, width=1.5) if framed else None)
        label.setFont(_font(LABEL_PT, bold=True))
        label.setPos(x, y)
        self.getPlotItem().addItem(label)
        self._texts.append(label)

    # --- export --------------------------------------------------------------------------
    def render_image(self, scale: float = 2) -> QImage:
        """The chart as a picture ``scale`` times its size on screen (text stays sharp)."""
        if not scale > 0:
            raise ValueError(f"the export scale must be positive, not {scale}")
        exporter = ImageExporter(self.getPlotItem())
        width = self.getPlotItem().sceneBoundingRect().width()
        exporter.parameters()["width"] = max(1, round(width * scale))
        return exporter.export(toBytes=True)

    def save_picture(self, path: str | Path, scale: float = 2, *,
                     overwrite: bool = True) -> Path:
        """The chart as a picture ``scale`` times its size on screen, in the format the
        suffix names (PNG, JPEG, …), written whole or not at all; without ``overwrite`` an
        existing file is refused. Raises ValueError with the cause."""
        target = images.check_save_path(path, overwrite=overwrite)
        picture = qimage_to_array(self.render_image(scale))
        return images.save_image(target, picture, overwrite=overwrite)

    def save_png(self, path: str | Path, scale: float = 2) -> Path:
        """The chart as a PNG ``scale`` times its size on screen (text stays sharp).

        ``path`` must end in ``.png``; the file is written whole or not at all. Raises
        ValueError with the cause.
        """
        path = safe_files.check_target(path, (".png",), what="a PNG picture")
        return self.save_picture(path, scale)

    def save_svg(self, path: str | Path) -> Path:
        """The chart as an SVG drawing, for slides that scale it.

        Painted through Qt's own ``QSvgGenerator``: pyqtgraph 0.14's ``SVGExporter`` fails on
        the closed paths ("… Z") Qt 6 writes for the bars (pyqtgraph issue #3495). ``path``
        must end in ``.svg``; the file is written whole or not at all.
        """
        path = safe_files.check_target(path, (".svg",), what="an SVG drawing")
        source = self.getPlotItem().sceneBoundingRect()
        size = source.size().toSize()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        generator = QSvgGenerator()
        generator.setOutputDevice(buffer)
        # the screen's resolution: fonts in points and the bars' recorded QPicture keep the
        # sizes and places they have on screen (QSvgGenerator assumes 72 dpi otherwise)
        generator.setResolution(self.logicalDpiX())
        generator.setSize(size)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(self.getPlotItem().titleLabel.text)
        painter = QPainter(generator)
        try:
            painter.fillRect(QRectF(0, 0, size.width(), size.height()), QColor("white"))
            self.scene().render(painter, QRectF(0, 0, size.width(), size.height()), source)
        finally:
            painter.end()
        return safe_files.atomic_write(path, bytes(buffer.data()))
