"""Text on a slide, wrapped by hand at its ordinary spaces only.

A no-break space (``describe.bound`` puts them inside terms) never becomes a line end, so an
equation wraps between terms, and the painter that measures a line is the one that draws it.
"""

from __future__ import annotations

from PySide6.QtGui import QFontMetricsF


def wrap(text: str, metrics: QFontMetricsF, width: float) -> list[str]:
    """``text`` as the lines it takes at ``width`` pixels, broken at ordinary spaces (a word
    wider than ``width`` keeps a line of its own). Each word is measured once."""
    space = metrics.horizontalAdvance(" ")
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in text.split(" "):
        w = metrics.horizontalAdvance(word)
        if current and used + space + w > width:
            lines.append(" ".join(current))
            current, used = [word], w
        else:
            used += (space if current else 0.0) + w
            current.append(word)
    lines.append(" ".join(current))
    return lines
