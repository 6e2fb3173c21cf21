"""The note an empty picture widget shows in its place ("Train the network to see …")."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QWidget


def draw_placeholder(painter: QPainter, widget: QWidget, note: str,
                     rect: QRect | QRectF | None = None) -> None:
    """``note`` centred and wrapped in ``rect`` (the whole widget by default), in the
    palette's placeholder colour."""
    painter.setPen(widget.palette().placeholderText().color())
    painter.drawText(widget.rect() if rect is None else rect,
                     Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, note)
