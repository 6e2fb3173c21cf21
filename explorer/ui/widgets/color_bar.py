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
from PySide6.QtCore import QPointF, QRectF, Qt
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

__all__ = ["ColorBar", "nice_ticks", "tick_text"]

BREADTH = 14  # px of the ramp across the bar
TICK = 4  # px of a tick mark
GAP = 3  # px between the ramp, its ticks, the numbers and the caption
END_MARGIN = 8  # px kept free at each end of the ramp, so the end numbers fit
TEXT = QColor(200, 200, 200)
MIN_TICK_SPACING = {True: 50.0, False: 36.0}  # px between two numbers (horizontal, vertical)


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
    """A tick's number with as many decimals as the ticks' spacing needs ('0.25', '300')."""
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-4:
        return f"{value:.3g}"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    return f"{value:.{decimals}f}"


class ColorBar(pg.GraphicsWidget):
    """The ramp of a colormap from ``levels()[0]`` to ``levels()[1]``, vertical (numbers and
    caption to its right) or horizontal (numbers and caption under it)."""

    def __init__(self, lut: np.ndarray, horizontal: bool = False) -> None:
        super().__init__()
        self._horizontal = horizontal
        self._levels = (0.0, 1.0)
        self._label = ""
        self._ramp = QImage()
        self._font = QFont()
        self._font.setPointSizeF(max(self._font.pointSizeF() * 0.85, 7))
        self._texts: dict[str, QStaticText] = {}  # numbers and captions, laid out once
        self.set_lookup(lut)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    # --- content -------------------------------------------------------------------------
    @property
    def horizontal(self) -> bool:
        return self._horizontal

    def levels(self) -> tuple[float, float]:
        """The values at the ramp's two ends."""
        return self._levels

    def setLevels(self, levels: tuple[float, float]) -> None:
        lo, hi = float(levels[0]), float(levels[1])
        if (lo, hi) != self._levels:
            self._levels = (lo, hi)
            self.update()

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
        if self._horizontal:
            ramp = table[np.newaxis, :, :]
        else:
            ramp = np.ascontiguousarray(table[::-1, np.newaxis, :])  # high values on top
        h, w = ramp.shape[:2]
        self._ramp = QImage(ramp.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.update()

    # --- painting ------------------------------------------------------------------------
    def ramp_rect(self) -> QRectF:
        """Where the ramp is drawn, in the bar's own coordinates."""
        r = self.rect()
        if self._horizontal:
            return QRectF(r.left() + END_MARGIN * 2, r.top() + GAP,
                          max(r.width() - 4 * END_MARGIN, 1.0), BREADTH)
        return QRectF(r.left() + GAP, r.top() + END_MARGIN,
                      BREADTH, max(r.height() - 2 * END_MARGIN, 1.0))

    def ticks(self) -> list[float]:
        """The values written beside the ramp now."""
        ramp = self.ramp_rect()
        length = ramp.width() if self._horizontal else ramp.height()
        most = max(1, int(length // MIN_TICK_SPACING[self._horizontal]))
        return nice_ticks(*self._levels, most)

    def _static(self, text: str) -> QStaticText:
        """``text`` laid out once: the same few numbers come back frame after frame."""
        static = self._texts.get(text)
        if static is None:
            if len(self._texts) > 256:
                self._texts.clear()
            static = self._texts[text] = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), self._font)
        return static

    def paint(self, painter: QPainter, *_: object) -> None:
        ramp = self.ramp_rect()
        painter.drawImage(ramp, self._ramp)
        painter.setPen(QPen(TEXT, 1))
        painter.setFont(self._font)
        metrics = QFontMetricsF(self._font)
        lo, hi = self._levels
        ticks = self.ticks()
        step = ticks[1] - ticks[0] if len(ticks) > 1 else abs(hi - lo)
        span = hi - lo if hi > lo else 1.0
        for value in ticks:
            static = self._static(tick_text(value, step))
            size = static.size()
            share = (value - lo) / span
            if self._horizontal:
                x = ramp.left() + share * ramp.width()
                painter.drawLine(QPointF(x, ramp.bottom()), QPointF(x, ramp.bottom() + TICK))
                painter.drawStaticText(QPointF(x - size.width() / 2, ramp.bottom() + TICK),
                                       static)
            else:
                y = ramp.bottom() - share * ramp.height()
                painter.drawLine(QPointF(ramp.right(), y), QPointF(ramp.right() + TICK, y))
                painter.drawStaticText(QPointF(ramp.right() + TICK + GAP, y - size.height() / 2),
                                       static)
        if not self._label:
            return
        r = self.rect()
        room = r.width() if self._horizontal else r.height()
        caption = self._static(metrics.elidedText(self._label, Qt.TextElideMode.ElideRight,
                                                  room))
        width = caption.size().width()
        if self._horizontal:
            top = ramp.bottom() + TICK + metrics.height() + GAP
            painter.drawStaticText(QPointF(r.center().x() - width / 2, top), caption)
        else:
            painter.save()
            # the caption reads bottom to top along the bar's outer edge, as an axis label does
            painter.translate(r.right() - metrics.height(), r.center().y())
            painter.rotate(-90)
            painter.drawStaticText(QPointF(-width / 2, 0), caption)
            painter.restore()
