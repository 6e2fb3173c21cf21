"""Any picture of one digit → a 28×28 picture prepared the way MNIST's digits were.

MNIST's digits were binary ink, scaled (keeping their shape) so the bounding box fits 20×20
pixels, which smooths the edges into gray, then shifted so the centre of mass of the ink sits at
pixel (14, 14) of a 28×28 field, white ink on black. A digit drawn on the pad, held up to the
webcam or photographed goes through the same steps, or the network would see something it was
never trained on:

1. gray, then binarised with Otsu's threshold; the ink is the side the border is not
   (dark ink on paper and light strokes on a black pad both work);
2. specks much smaller than the strokes are dropped; strokes much thinner than MNIST's (a
   ballpoint pen seen from afar) are thickened;
3. the bounding box of the ink is scaled so its longer side is 20 pixels;
4. it is placed so its centre of mass lands on the nearest pixel to (14, 14).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from explorer.core.images import to_gray
from explorer.core.training.data import SIDE

BOX = 20  # the longer side of the digit's bounding box
CENTRE = 14.0  # where MNIST's centres of mass are (row and column, pixel centres at integers)
WORK_SIDE = 200  # larger pictures are shrunk to this first: thresholds need no more
STROKE = 2.5  # MNIST's typical stroke width, in pixels of the 28×28 picture
MIN_CONTRAST = 24  # gray levels between ink and paper below which there is no digit
SPECK_SHARE = 0.05  # ink blobs below this share of the largest blob are noise


def centre_box(picture: np.ndarray, share: float = 0.5
               ) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The square in the middle of a picture, ``share`` of its shorter side.

    Returns the crop and its (top, left, height, width) in the picture, so a view can draw it.
    """
    if not 0 < share <= 1:
        raise ValueError(f"the box is a share of the picture between 0 and 1, not {share}")
    h, w = picture.shape[:2]
    side = max(1, round(min(h, w) * share))
    top, left = (h - side) // 2, (w - side) // 2
    return picture[top:top + side, left:left + side], (top, left, side, side)


def _gray_uint8(picture: np.ndarray) -> np.ndarray:
    img = np.asarray(picture)
    if img.ndim not in (2, 3) or img.size == 0:
        raise ValueError(f"a picture of a digit is (H, W) gray or (H, W, 3) colour, "
                         f"not of shape {img.shape}")
    if img.dtype.kind not in "buif":
        raise ValueError(f"a picture holds numbers, not {img.dtype}")
    if img.dtype != np.uint8:
        img = np.clip(np.nan_to_num(img.astype(np.float32)), 0, 255).astype(np.uint8)
    gray = to_gray(img)
    h, w = gray.shape
    if max(h, w) > WORK_SIDE:
        scale = WORK_SIDE / max(h, w)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        gray = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(gray)


def _border(gray: np.ndarray) -> np.ndarray:
    return np.concatenate([gray[0], gray[-1], gray[1:-1, 0], gray[1:-1, -1]])


def binarise(picture: np.ndarray, ink: str = "auto") -> np.ndarray:
    """Where the ink is: a bool mask of the picture (shrunk to at most 200 pixels a side).

    ``ink`` is "dark" (pen on paper), "light" (chalk, a drawing pad) or "auto": the ink is
    whichever side of the threshold the picture's border is not on. Raises ValueError when
    the picture shows no digit (too little contrast or no ink).
    """
    if ink not in ("auto", "dark", "light"):
        raise ValueError(f"ink is 'auto', 'dark' or 'light', not {ink!r}")
    gray = _gray_uint8(picture)
    if int(gray.max()) - int(gray.min()) < MIN_CONTRAST:
        raise ValueError("there is no digit: the picture is almost one shade")
    threshold, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if ink == "auto":
        ink = "dark" if np.median(_border(gray)) > threshold else "light"
    mask = gray <= threshold if ink == "dark" else gray > threshold
    # drop specks (sensor noise, paper grain) far smaller than the strokes
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    if count <= 1:
        raise ValueError("there is no digit: no ink was found")
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= SPECK_SHARE * areas.max()) + 1
    return np.isin(labels, keep)


def stroke_width(mask: np.ndarray) -> float:
    """The typical width of the strokes in a binary mask, in its pixels.

    In a stroke w pixels wide, the distance to the nearest background pixel grows from the
    edge to w/2 at the middle; twice the 90th percentile of the distances is about w.
    """
    dist = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    inside = dist[mask]
    return 2.0 * float(np.percentile(inside, 90)) if inside.size else 0.0


def mnist_style(picture: np.ndarray, ink: str = "auto") -> np.ndarray:
    """The digit as MNIST would show it: (28, 28) uint8, white ink on black, see the module
    docstring. Raises ValueError when there is no digit to be found."""
    mask = binarise(picture, ink)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    scale = BOX / max(bottom - top, right - left)
    width = stroke_width(mask)
    if width * scale < 0.6 * STROKE:  # a thin pen: thicken towards MNIST's strokes
        grow = max(1, math.ceil((STROKE / scale - width) / 2))
        pad = grow + 1
        mask = cv2.dilate(np.pad(mask, pad).astype(np.uint8),
                          cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1,) * 2)) > 0
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        scale = BOX / max(bottom - top, right - left)
    crop = mask[top:bottom, left:right].astype(np.float32) * 255.0
    h, w = crop.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # cv2 wants (width, height)
    shrinking = scale < 1
    digit = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if shrinking
                       else cv2.INTER_LINEAR)
    return _place_by_mass(digit)


def _place_by_mass(digit: np.ndarray) -> np.ndarray:
    """Paste ``digit`` into a 28×28 field so its centre of mass is on the pixel nearest (14, 14).

    A whole-pixel shift, as MNIST's: a fractional one would blur the digit again.
    """
    total = float(digit.sum())
    h, w = digit.shape
    cy = float(digit.sum(axis=1) @ np.arange(h)) / total
    cx = float(digit.sum(axis=0) @ np.arange(w)) / total
    dy, dx = round(CENTRE - cy), round(CENTRE - cx)
    out = np.zeros((SIDE, SIDE), np.float32)
    # the part of the digit that lands inside the field (a lopsided digit may overhang)
    y0, x0 = max(0, dy), max(0, dx)
    y1, x1 = min(SIDE, dy + h), min(SIDE, dx + w)
    out[y0:y1, x0:x1] = digit[y0 - dy:y1 - dy, x0 - dx:x1 - dx]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)
