"""A bar chart on a log10 axis, legible on a projector, that exports itself for slides.

Counts from 10⁰ to 10¹⁴ and beyond share one chart, so each bar's height is log10(count) and
the y axis is labelled 10⁰, 10², 10⁴ … with superscripts instead of pyqtgraph's log mode
(which ``BarGraphItem`` does not follow). Every bar carries its exact count; the factor between
neighbouring bars ("÷ 10⁴") is written between them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QBuffer, QIODevice, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from explorer.core import safe_files

__all__ = ["LogBarChart", "fitting_points", "superscript_power"]

TICK_PT = 15  # axis numbers: legible from the back of a lecture room
LABEL_PT = 17  # counts on the bars, ratios, axis titles
MIN_LABEL_PT = 10  # a narrow window shrinks the bar labels down to this
INK = "#202020"
RATIO_INK = "#A01010"
BAR_WIDTH = 0.5

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def superscript_power(exponent: int) -> str:
    """``12`` → ``"10¹²"``."""
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def _wrap(title: str, width: float) -> str:
    """Break a " · "-separated title into lines at most ``width`` pixels wide (HTML)."""
    metrics = QFontMetricsF(_font(TICK_PT))
    lines: list[str] = []
    for part in title.split(" · "):
        if lines and metrics.horizontalAdvance(f"{lines[-1]} · {part}") <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return "<br>".join(lines)


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
        self.value_labels: list[str] = []  # what is written on the bars, for tests and export
        self.ratio_labels: list[str] = []
        self.tick_labels: list[str] = []  # the y axis' labelled ticks
        self._title, self._names = "", []
        self._heights: list[float] = []  # log10 of the counts, the bars' tops
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
    ) -> None:
        """Draw one bar per count (≥ 1) and the factor between neighbours (len(counts) − 1)."""
        if not len(names) == len(counts) == len(value_labels) == len(colors):
            raise ValueError("every bar needs a name, a count, a label and a colour")
        if len(ratio_labels) != max(0, len(counts) - 1):
            raise ValueError("there is one ratio between each pair of neighbouring bars")
        self.clear_bars()
        item = self.getPlotItem()
        heights = [math.log10(c) for c in counts]  # math.log10 is exact enough for big ints
        xs = list(range(len(counts)))
        self._bars = pg.BarGraphItem(
            x=xs, height=heights, width=BAR_WIDTH, brushes=[pg.mkBrush(c) for c in colors],
            # no outline: a stroke in data coordinates needs SVG's non-scaling-stroke, which
            # some slide programs ignore (they draw it hundreds of pixels wide)
            pen=None,
        )
        item.addItem(self._bars)
        for x, h, text in zip(xs, heights, value_labels, strict=True):
            self._add_text(text, x, h, anchor=(0.5, 1.0), color=INK)
        for x, (h0, h1, text) in enumerate(zip(heights, heights[1:], ratio_labels, strict=False)):
            self._add_text(text, x + 0.5, (h0 + h1) / 2, anchor=(0.5, 0.5), color=RATIO_INK,
                           framed=True)
        self.value_labels = list(value_labels)
        self.ratio_labels = list(ratio_labels)

        top = max(heights, default=0.0)
        step = 2 if top <= 16 else 4 if top <= 32 else 10
        last = step * math.ceil(max(top, 1e-9) / step)
        major = [(e, superscript_power(e)) for e in range(0, last + 1, step)]
        minor = [(e, "") for e in range(0, last + 1)]
        item.getAxis("left").setTicks([major, minor])
        self.tick_labels = [text for _, text in major]
        item.getAxis("bottom").setTicks([list(zip(xs, names, strict=True))])
        item.setXRange(-0.55, len(counts) - 0.45, padding=0)
        self._title, self._names, self._heights = title, list(names), heights
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
        self._heights = []
        self.value_labels, self.ratio_labels = [], []
        if self._title:  # an empty chart must not name the setup it no longer shows
            self._title = ""
            item.setTitle(None)

    # --- legible at any width ----------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_to_width()

    def _fit_to_width(self) -> None:
        """Shrink labels only as far as a narrow window needs; wrap the title to fit."""
        if not getattr(self, "_texts", None):  # resized while __init__ runs, or no bars
            return
        item = self.getPlotItem()
        plot_width = max(100.0, self.width() - item.getAxis("left").width() - 20)
        slot = plot_width / (len(self._names) + 0.1)  # the x range is n + 0.1 wide
        for label in self._texts:
            text = label.textItem.toPlainText()
            label.setFont(_font(fitting_points(text, 0.92 * slot, LABEL_PT), bold=True))
        longest = max(self._names, key=len, default="")
        bottom = item.getAxis("bottom")
        bottom.setTickFont(_font(fitting_points(longest, 0.95 * slot, TICK_PT, bold=False)))
        item.setTitle(_wrap(self._title, plot_width), color=INK, size=f"{TICK_PT}pt")
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
        self._place_ratios(view_height / span, lower + span)
        points = fitting_points(self._y_label, view_height, LABEL_PT, bold=False)
        if points != self._y_label_pt:  # setLabel re-lays the axis out: only on a change
            self._y_label_pt = points
            item.setLabel("left", self._y_label, color=INK, **{"font-size": f"{points}pt"})

    def _place_ratios(self, pixels_per_decade: float, top: float) -> None:
        """Each factor half-way between its two bars, unless it would cover a count there.

        A count wider than its bar ("105,705,600") reaches into the gap where the factor sits;
        then the factor moves just above the lower bar's count, or else just below it, where
        there is room in the plot.
        """
        n = len(self._heights)
        values, ratios = self._texts[:n], self._texts[n:]
        pixels_per_bar = self.getPlotItem().getViewBox().width() / (n + 0.1)  # x: n + 0.1 wide

        def box(label: pg.TextItem, x: float, y: float, anchor_y: float) -> QRectF:
            """The label's rectangle in pixels from the origin (y up), anchored at (x, y)."""
            size = label.textItem.boundingRect()
            bottom = y * pixels_per_decade - anchor_y * size.height()
            return QRectF(x * pixels_per_bar - size.width() / 2, bottom,
                          size.width(), size.height())

        for x, ratio in enumerate(ratios):
            pair = (x, x + 1)
            counts = [box(values[b], b, self._heights[b], 0.0) for b in pair]
            half = 0.5 * ratio.textItem.boundingRect().height() / pixels_per_decade
            gap = 3 / pixels_per_decade
            lower = min(pair, key=lambda b: self._heights[b])
            count_height = values[lower].textItem.boundingRect().height() / pixels_per_decade
            places = (
                (self._heights[x] + self._heights[x + 1]) / 2,
                self._heights[lower] + count_height + gap + half,  # over the lower count
                self._heights[lower] - gap - half,  # under it, on the bars
            )
            fits = [y for y in places if half <= y <= top - half
                    and not any(box(ratio, x + 0.5, y, 0.5).intersects(c) for c in counts)]
            ratio.setPos(x + 0.5, fits[0] if fits else places[0])

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
    def save_png(self, path: str | Path, scale: float = 2) -> Path:
        """The chart as a PNG ``scale`` times its size on screen (text stays sharp).

        ``path`` must end in ``.png``; the file is written whole or not at all. Raises
        ValueError with the cause.
        """
        if not scale > 0:
            raise ValueError(f"the export scale must be positive, not {scale}")
        path = safe_files.check_target(path, (".png",), what="a PNG picture")
        exporter = ImageExporter(self.getPlotItem())
        width = self.getPlotItem().sceneBoundingRect().width()
        exporter.parameters()["width"] = max(1, round(width * scale))
        image = exporter.export(toBytes=True)
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise ValueError(f"could not write {path.name}: Qt could not encode the chart")
        return safe_files.atomic_write(path, bytes(buffer.data()))

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
