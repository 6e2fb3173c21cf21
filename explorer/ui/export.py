"""Slide-ready pictures of the window or one panel, at 1×, 2× or 3× resolution.

A picture goes to exactly the path given, in the format its suffix names (PNG, JPEG, BMP,
TIFF or WebP), written whole or not at all: a full disk never leaves a broken file.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from explorer.core import images
from explorer.ui.convert import qimage_to_array

SCALES = (1, 2, 3)
SUFFIXES = tuple(images.SAVE_SUFFIXES)
FILE_FILTER = ("Pictures (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp);;PNG (*.png);;"
               "JPEG (*.jpg *.jpeg);;All files (*)")


def render_widget(widget: QWidget, scale: int = 1) -> QImage:
    """Paint ``widget`` into an image ``scale`` times its size on screen.

    Rendering at a device-pixel ratio keeps text and lines sharp instead of enlarging pixels.
    """
    if scale not in SCALES:
        raise ValueError(f"the export scale must be one of {SCALES}, not {scale}")
    size = widget.size()
    if size.width() < 1 or size.height() < 1:
        raise ValueError("this part of the window has no size on screen (is it hidden?)")
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


def check_export_path(path: str | os.PathLike, *, overwrite: bool = True) -> Path:
    """``path`` checked before rendering: a picture suffix, not a folder, an existing folder,
    and (without ``overwrite``) no existing file. Raises ValueError saying what is wrong."""
    return images.check_save_path(path, overwrite=overwrite)


def save_widget(widget: QWidget, path: str | os.PathLike, scale: int = 1, *,
                overwrite: bool = True) -> Path:
    """Write a picture of ``widget`` to ``path`` in the format its suffix names.

    Raises ValueError with the cause (an unsupported suffix, a folder, the disk is full,
    permission denied, …); the previous file, if any, is then unchanged.
    """
    target = check_export_path(path, overwrite=overwrite)
    picture = qimage_to_array(render_widget(widget, scale))
    return images.save_image(target, picture, overwrite=overwrite)


def save_target(widget: QWidget, path: str | os.PathLike, scale: int = 1, *,
                theme: str = "dark", panel=None, overwrite: bool = True) -> Path:
    """Export one target of File > Export view: maps (with ``panel``, the maps panel) as a
    slide picture with a colour bar under every map, in the ``dark`` or ``light`` theme; a
    view with a ``teaching_picture()`` (a tab's view) as that picture; any other part of the
    window as it looks on screen."""
    from explorer.ui.export_render import save_slide, slide_for

    target = check_export_path(path, overwrite=overwrite)
    slide = slide_for(panel, widget) if panel is not None else None
    if slide is not None:
        return save_slide(slide, target, scale, theme, overwrite=overwrite)
    if theme != "dark":
        raise ValueError("the light theme is for pictures of maps (feature maps, pooled maps "
                         "or every stage); other parts are exported as they look")
    teaching = getattr(widget, "teaching_picture", None)
    if teaching is not None:  # a tab's view: its teaching picture, without the editing widgets
        with teaching() as picture:
            return save_widget(picture, target, scale, overwrite=overwrite)
    return save_widget(widget, target, scale, overwrite=overwrite)


def save_widget_png(widget: QWidget, path: str | os.PathLike, scale: int = 1) -> Path:
    """:func:`save_widget` under its older name: any picture suffix, not only ``.png``."""
    return save_widget(widget, path, scale)


def copy_widget(widget: QWidget, scale: int = 1) -> QImage:
    """Put a picture of ``widget`` on the clipboard and return it."""
    image = render_widget(widget, scale)
    QGuiApplication.clipboard().setImage(image)
    return image
