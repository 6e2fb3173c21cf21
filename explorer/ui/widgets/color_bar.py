"""A colour bar for the map grid: the colormap's ramp, a few round values, and a caption.

Drawn with a handful of QPainter calls, its texts laid out once (QStaticText) and the whole
painted from a cache, so new levels every live frame cost a fraction of a millisecond
(pyqtgraph's ColorBarItem lays out a whole axis again for each new range;
docs/architecture.md, "Speed"). The texts are plain text, so a filter named like markup
shows literally.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPainter,
    QPen,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem

__all__ = ["ColorBar", "bar_values", "compact_number", "nice_ticks", "tick_text"]

BREADTH = 14  # px of the ramp across the bar
TICK = 4  # px of a tick mark
GAP = 3  # px between the ramp, its ticks, the numbers and the caption
END_MARGIN = 8  # px kept free at each end of the ramp, so the end numbers fit
TEXT = QColor(200, 200, 200)
MIN_TICK_SPACING = {True: 50.0, False: 36.0}  # px between two numbers (horizontal, vertical)
SMALLEST_POINTS = 6.0  # the numbers' type shrinks down to this before they meet the caption
MINUS = "\u2212"
FLAT_TEXT = "all 0"  # an all-zero map: its colour scale is a placeholder with no range


def compact_number(value: float, exponent: bool = False) -> str:
    """A value in at most three significant digits, a true minus, no '1e+03':
    '0', '401', '12.5', '1234', '1.2e5', '−1.2e-4'; ``exponent``: '5e4' even where the
    value alone would be written in full."""
    v = float(value)
    a = abs(v)
    if a == 0 or not math.isfinite(v):
        return "0" if a == 0 else str(v)
    if 1000 <= a < 100_000 and not exponent:
        text = f"{a:.0f}"
    elif 0.01 <= a < 1000 and not exponent:
        text = f"{a:.3g}"
    else:
        mantissa, power = f"{a:.1e}".split("e")
        text = f"{mantissa.rstrip('0').rstrip('.')}e{int(power)}"
    return (MINUS if v < 0 else "") + text


def nice_ticks(lo: float, hi: float, most: int) -> list[float]:
    """Round values (1, 2 or 5 × a power of ten apart) within [lo, hi], at most ``most``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo or most < 1:
        return []
    raw = (hi - lo) / most
    power = 10.0 ** math.floor(math.log10(raw))
    step = next((m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw), 10 * power)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return [round(i * step, 12) for i in range(first, last + 1)]


def tick_text(value: float, step: float) -> str:
    """A round tick's number with as many decimals as the ticks' spacing needs ('0.25',
    '300'); very large or small values compact ('1.2e5')."""
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-4:
        return compact_number(value)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    return f"{value:.{decimals}f}".replace("-", MINUS)


def bar_values(lo: float, hi: float, length: float, spacing: float) -> list[tuple[float, str]]:
    """(value, text) written along a bar ``length`` px long from ``lo`` to ``hi``: both ends
    always, 0 when the range crosses it, and round values between them that keep
    ``spacing`` px from every other number."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [(lo, compact_number(lo))]
    fixed = [lo, hi] + ([0.0] if lo < 0 < hi else [])
    span = hi - lo
    # ends and zero first; round values only where they are clear of them
    chosen = sorted(fixed)
    ticks = nice_ticks(lo, hi, max(1, int(length // spacing)))
    step = ticks[1] - ticks[0] if len(ticks) > 1 else span
    for value in ticks:
        if all(abs(value - c) / span * length >= spacing for c in chosen):
            chosen.append(value)
    chosen.sort()
    # ends written as 1.2e5: the round values between them alike (5e4, not 50000)
    exponent = any("e" in compact_number(v) for v in (lo, hi))
    if exponent:
        return [(v, compact_number(v, exponent=True)) for v in chosen]
    return [(v, compact_number(v) if v in fixed else tick_text(v, step)) for v in chosen]


class ColorBar(pg.GraphicsWidget):
    """The ramp of a colormap from ``levels()[0]`` to ``levels()[1]``, vertical (numbers and
    caption to its right) or horizontal (numbers and caption under it).

    Both ends are always numbered (and 0 on a diverging bar), each number kept inside the
    bar's own rectangle, so whatever part of the range is shown is read right; an all-zero
    map says so instead of showing its placeholder range.
    """

    def __init__(self, lut: np.ndarray, horizontal: bool = False) -> None:
        super().__init__()
        self._horizontal = horizontal
        self._levels = (0.0, 1.0)
        self._flat = False
        self._label = ""
        self._ramp = QImage()
        self._ramp_shown = QImage()  # the ramp at the size last drawn: drawn unscaled
        self._values: tuple[tuple, list[tuple[float, str]]] = ((), [])
        self._font = QFont()
        self._font.setPointSizeF(max(self._font.pointSizeF() * 0.85, 7))
        self._texts: dict[tuple[str, float], QStaticText] = {}  # laid out once each
        self._placed: list[tuple[str, QRectF]] = []  # what the last paint wrote, and where
        self.set_lookup(lut)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    # --- content -------------------------------------------------------------------------
    @property
    def horizontal(self) -> bool:
        return self._horizontal

    def levels(self) -> tuple[float, float]:
        """The values at the ramp's two ends."""
        return self._levels

    def setLevels(self, levels: tuple[float, float], flat: bool = False) -> None:
        """The values at the ramp's ends; ``flat``: the map is all zeros, so the levels are
        only a placeholder and the bar says 'all 0' instead of numbering them."""
        lo, hi = float(levels[0]), float(levels[1])
        if (lo, hi, flat) != (*self._levels, self._flat):
            self._levels, self._flat = (lo, hi), flat
            self.update()

    @property
    def flat(self) -> bool:
        return self._flat

    def label(self) -> str:
        """The caption, as written (plain text)."""
        return self._label

    def set_label(self, text: str) -> None:
        if text != self._label:
            self._label = text
            self.update()

    def set_lookup(self, lut: np.ndarray) -> None:
        """The colormap as a (256, 3) uint8 table, the first entry at the low level."""
        table = np.ascontiguousarray(np.asarray(lut, np.uint8).reshape(256, 3))
        self._table = table
        if self._horizontal:
            ramp = table[np.newaxis, :, :]
        else:
            ramp = np.ascontiguousarray(table[::-1, np.newaxis, :])  # high values on top
        h, w = ramp.shape[:2]
        self._ramp = QImage(ramp.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self._ramp_shown = QImage()
        self.update()

    @property
    def lookup(self) -> np.ndarray:
        """The (256, 3) colour table the ramp is painted with, low level first."""
        return self._table

    # --- what is written -----------------------------------------------------------------
    def ramp_rect(self) -> QRectF:
        """Where the ramp is drawn, in the bar's own coordinates."""
        r = self.rect()
        if self._horizontal:
            return QRectF(r.left() + END_MARGIN * 2, r.top() + GAP,
                          max(r.width() - 4 * END_MARGIN, 1.0), BREADTH)
        return QRectF(r.left() + GAP, r.top() + END_MARGIN,
                      BREADTH, max(r.height() - 2 * END_MARGIN, 1.0))

    def values(self) -> list[tuple[float, str]]:
        """(value, text) of the numbers written beside the ramp now: both ends, 0 on a
        diverging bar, round values between; [] for an all-zero map."""
        if self._flat:
            return []
        ramp = self.ramp_rect()
        length = ramp.width() if self._horizontal else ramp.height()
        key = (*self._levels, length)
        if self._values[0] != key:  # worked out once a range and length, not once a paint
            self._values = (key, bar_values(*key, MIN_TICK_SPACING[self._horizontal]))
        return list(self._values[1])

    def ticks(self) -> list[float]:
        """The values numbered beside the ramp now."""
        return [v for v, _ in self.values()]

    def placed_texts(self) -> list[tuple[str, QRectF]]:
        """Every text the last paint wrote and its rectangle (bar coordinates)."""
        return list(self._placed)

    def _static(self, text: str, font: QFont) -> QStaticText:
        """``text`` laid out once: the same few numbers come back frame after frame."""
        key = (text, font.pointSizeF())
        static = self._texts.get(key)
        if static is None:
            if len(self._texts) > 256:
                self._texts.clear()
            static = self._texts[key] = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), font)
        return static

    def _number_font(self, texts: list[str], room: float) -> QFont:
        """The bar's type, smaller if need be so the widest number fits ``room`` px."""
        font = QFont(self._font)
        while font.pointSizeF() > SMALLEST_POINTS:
            metrics = QFontMetricsF(font)
            if max((metrics.horizontalAdvance(t) for t in texts), default=0.0) <= room:
                break
            font.setPointSizeF(font.pointSizeF() - 0.5)
        return font

    def _ramp_at(self, rect: QRectF) -> QImage:
        """The ramp scaled to ``rect`` once per size, in the screen's pixel format: a live
        map's levels change every frame, and scaling 256 colours for each paint cost more
        than everything else the bar draws."""
        size = QSize(max(round(rect.width()), 1), max(round(rect.height()), 1))
        if self._ramp_shown.size() != size:
            self._ramp_shown = self._ramp.scaled(
                size, Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.FastTransformation).convertToFormat(
                QImage.Format.Format_RGB32)
        return self._ramp_shown

    # --- painting ------------------------------------------------------------------------
    def paint(self, painter: QPainter, *_: object) -> None:
        ramp = self.ramp_rect()
        r = self.rect()
        painter.drawImage(ramp.topLeft(), self._ramp_at(ramp))
        painter.setPen(QPen(TEXT, 1))
        metrics = QFontMetricsF(self._font)
        caption_h = metrics.height() if self._label else 0.0
        placed: list[tuple[str, QRectF]] = []
        values = self.values()
        lo, hi = self._levels
        span = hi - lo if hi > lo else 1.0
        if self._horizontal:
            font = self._font
        else:  # the numbers stay left of the caption that runs up the bar's right edge
            room = r.right() - caption_h - GAP - (ramp.right() + TICK + GAP)
            font = self._number_font([t for _, t in values] or [FLAT_TEXT], room)
        painter.setFont(font)
        for value, text in values or [((lo + hi) / 2, FLAT_TEXT)]:
            static = self._static(text, font)
            size = static.size()
            share = (value - lo) / span
            if self._horizontal:
                x = ramp.left() + share * ramp.width()
                if values:
                    painter.drawLine(QPointF(x, ramp.bottom()), QPointF(x, ramp.bottom() + TICK))
                left = min(max(x - size.width() / 2, r.left()), r.right() - size.width())
                spot = QPointF(left, ramp.bottom() + TICK)
            else:
                y = ramp.bottom() - share * ramp.height()
                if values:
                    painter.drawLine(QPointF(ramp.right(), y), QPointF(ramp.right() + TICK, y))
                top = min(max(y - size.height() / 2, r.top()), r.bottom() - size.height())
                spot = QPointF(ramp.right() + TICK + GAP, top)
            painter.drawStaticText(spot, static)
            placed.append((text, QRectF(spot, size)))
        if self._label:
            room = r.width() if self._horizontal else r.height()
            caption = self._static(metrics.elidedText(self._label, Qt.TextElideMode.ElideRight,
                                                      room), self._font)
            width = caption.size().width()
            painter.setFont(self._font)
            if self._horizontal:
                top = ramp.bottom() + TICK + QFontMetricsF(font).height() + GAP
                spot = QPointF(r.center().x() - width / 2, top)
                painter.drawStaticText(spot, caption)
                placed.append((self._label, QRectF(spot, caption.size())))
            else:
                painter.save()
                # the caption reads bottom to top along the bar's outer edge, as an axis
                # label does
                painter.translate(r.right() - caption_h, r.center().y())
                painter.rotate(-90)
                painter.drawStaticText(QPointF(-width / 2, 0), caption)
                painter.restore()
                placed.append((self._label, QRectF(r.right() - caption_h,
                                                   r.center().y() - width / 2,
                                                   caption.size().height(), width)))
        self._placed = placed
