"""Conversions between Qt images and NumPy arrays."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from explorer.core.images import MAX_PIXELS


def qimage_to_array(image: QImage) -> np.ndarray:
    """A QImage as RGB uint8 (H, W, 3), or gray (H, W) for grayscale images."""
    if image.isNull():
        raise ValueError("the clipboard image is empty")
    pixels = image.width() * image.height()
    if pixels > MAX_PIXELS:  # the limit a picture file has applies to a pasted one too
        raise ValueError(f"the picture is {image.width()}×{image.height()} pixels, more than "
                         f"the {MAX_PIXELS // 1_000_000}-megapixel limit")
    if image.isGrayscale() and image.format() == QImage.Format.Format_Grayscale8:
        img = image
        h, w = img.height(), img.width()
        buf = np.frombuffer(img.constBits(), np.uint8, count=img.bytesPerLine() * h)
        return buf.reshape(h, img.bytesPerLine())[:, :w].copy()
    img = image.convertToFormat(QImage.Format.Format_RGB888)
    h, w = img.height(), img.width()
    buf = np.frombuffer(img.constBits(), np.uint8, count=img.bytesPerLine() * h)
    return buf.reshape(h, img.bytesPerLine())[:, : w * 3].reshape(h, w, 3).copy()


def array_to_qimage(array: np.ndarray) -> QImage:
    """RGB uint8 (H, W, 3) or gray (H, W) as a QImage that owns its pixels."""
    a = np.ascontiguousarray(array, dtype=np.uint8)
    h, w = a.shape[:2]
    if a.ndim == 2:
        return QImage(a.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    return QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
