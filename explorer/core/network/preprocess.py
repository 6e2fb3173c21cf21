"""What the network sees of a picture: the centre 224×224 after scaling, as (x − 127) / 128.

The network was trained on pictures whose shorter side was scaled to 256 pixels and then cut to
the centre 224×224, with each RGB value mapped by ``(x − 127) / 128`` to about −1…1. Anything
else (squashing the whole picture to 224×224, BGR order, ImageNet's mean and standard deviation)
changes its answers noticeably, so this is the only way in.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from explorer.core.network.architecture import INPUT_SIZE

RESIZE_TO = 256  # the shorter side, before the centre crop
MEAN, SCALE = 127.0, 128.0
MAX_ASPECT = 16  # longer side / shorter side kept before scaling: the centre is all we need
GREY = 127  # the picture value the network sees as 0: an "empty" patch for occlusion


@dataclass(frozen=True)
class Crop:
    """Where the network's 224×224 input lies in the original picture (pixel units)."""

    top: float
    left: float
    size: float  # the side of the square in original pixels


def as_rgb(image: np.ndarray) -> np.ndarray:
    """An RGB uint8 (H, W, 3) view of an app picture (RGB, RGBA or gray uint8)."""
    img = np.asarray(image)
    if img.dtype != np.uint8:
        raise ValueError(f"the network takes 8-bit pictures, not {img.dtype}")
    if img.ndim == 2:
        return np.repeat(img[:, :, None], 3, axis=2)
    if img.ndim == 3 and img.shape[2] in (3, 4):
        return img[:, :, :3]
    if img.ndim == 3 and img.shape[2] == 1:
        return np.repeat(img, 3, axis=2)
    raise ValueError(f"the network takes an RGB or gray picture, not an array of shape "
                     f"{img.shape}")


def centre_crop(image: np.ndarray) -> tuple[np.ndarray, Crop]:
    """The picture as the network sees it, RGB uint8 (224, 224, 3), and where it came from.

    Shorter side to 256 (``INTER_AREA`` when shrinking, ``INTER_LINEAR`` when enlarging), then
    the centre 224×224.
    """
    rgb = as_rgb(image)
    h, w = rgb.shape[:2]
    if h < 1 or w < 1:
        raise ValueError("the picture is empty")
    # a panorama keeps only its middle: scaling all of a 1×100000 strip would need gigabytes
    top0 = left0 = 0
    if w > MAX_ASPECT * h:
        left0 = (w - MAX_ASPECT * h) // 2
        rgb, w = rgb[:, left0:left0 + MAX_ASPECT * h], MAX_ASPECT * h
    elif h > MAX_ASPECT * w:
        top0 = (h - MAX_ASPECT * w) // 2
        rgb, h = rgb[top0:top0 + MAX_ASPECT * w], MAX_ASPECT * w
    size = INPUT_SIZE
    scale = RESIZE_TO / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    method = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(np.ascontiguousarray(rgb), (nw, nh), interpolation=method)
    top, left = (nh - size) // 2, (nw - size) // 2
    crop = np.ascontiguousarray(resized[top:top + size, left:left + size])
    sy, sx = h / nh, w / nw
    where = Crop(top0 + top * sy, left0 + left * sx, size * min(sy, sx))
    return crop, where


def to_blob(crop: np.ndarray) -> np.ndarray:
    """(1, 3, H, W) float32 network input from an RGB uint8 crop: (x − 127) / 128."""
    return cv2.dnn.blobFromImage(crop, 1.0 / SCALE, mean=(MEAN, MEAN, MEAN), swapRB=False)
