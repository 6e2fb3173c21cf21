"""Slide-ready pictures of the window or one panel, at 1×, 2× or 3× resolution."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

SCALES = (1, 2, 3)


def render_widget(widget: QWidget, scale: int = 1) -> QImage:
    """Paint ``widget`` into an image ``scale`` times its size on screen.

    Rendering at a device-pixel ratio keeps text and lines sharp instead of enlarging pixels.
    """
    if scale not in SCALES:
        raise ValueError(f"the export scale must be one of {SCALES}, not {scale}")
    size = widget.size()
    pixmap = QPixmap(size.width() * scale, size.height() * scale)
    pixmap.setDevicePixelRatio(scale)
    pixmap.fill(widget.palette().window().color())
    painter = QPainter(pixmap)
    try:
        # QWidget.render, not a subclass's override (QGraphicsView.render draws the scene only)
        QWidget.render(widget, painter, QPoint(0, 0))
    finally:
        painter.end()
    return pixmap.toImage()


def save_widget_png(widget: QWidget, path: str | Path, scale: int = 1) -> Path:
    """Write ``widget`` as a PNG; raises ValueError when the file cannot be written."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    image = render_widget(widget, scale)
    if not image.save(str(path), "PNG"):
        raise ValueError(f"could not write {path.name}: check the folder exists and is writable")
    return path


def copy_widget(widget: QWidget, scale: int = 1) -> QImage:
    """Put a picture of ``widget`` on the clipboard and return it."""
    image = render_widget(widget, scale)
    QGuiApplication.clipboard().setImage(image)
    return image
