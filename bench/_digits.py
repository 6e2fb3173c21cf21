"""Digits the network has never seen: printed in OpenCV's Hershey fonts, and drawn as strokes.

Three groups, each rendered at several sizes, stroke widths and slants, and then prepared by
the app's own MNIST-style preprocessing, as a drawn or filmed digit is:

- ``font``: every digit in the eight Hershey fonts, upright, italic and slanted, thin and bold;
- ``hand``: each digit as one or two pen strokes (a skeleton a person might write), with the
  control points jittered, smoothed into curves and drawn with a round pen of varying width;
- ``camera``: the ``hand`` digits on gray paper with uneven light, blur and sensor noise, in
  the middle of a 640×480 frame, read from the centre box as the webcam's are.
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from explorer.core.training import centre_box, mnist_style

FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX,
         cv2.FONT_HERSHEY_COMPLEX, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_COMPLEX_SMALL,
         cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SCRIPT_COMPLEX)

# Pen strokes in a unit box (x right, y down), one list of points per stroke.
STROKES: dict[int, list[list[tuple[float, float]]]] = {
    0: [[(0.5, 0.0), (0.15, 0.2), (0.1, 0.6), (0.35, 1.0), (0.7, 0.95), (0.9, 0.5),
         (0.8, 0.1), (0.5, 0.0)]],
    1: [[(0.3, 0.2), (0.55, 0.0), (0.55, 1.0)]],
    2: [[(0.1, 0.25), (0.35, 0.0), (0.75, 0.05), (0.85, 0.35), (0.1, 1.0), (0.95, 1.0)]],
    3: [[(0.1, 0.1), (0.6, 0.0), (0.85, 0.2), (0.45, 0.45), (0.9, 0.7), (0.65, 1.0),
         (0.1, 0.9)]],
    4: [[(0.65, 1.0), (0.65, 0.0), (0.05, 0.7), (0.95, 0.7)]],
    5: [[(0.85, 0.0), (0.2, 0.0), (0.15, 0.45), (0.6, 0.4), (0.9, 0.7), (0.6, 1.0),
         (0.1, 0.9)]],
    6: [[(0.75, 0.0), (0.3, 0.3), (0.15, 0.75), (0.45, 1.0), (0.85, 0.8), (0.7, 0.5),
         (0.3, 0.55), (0.15, 0.75)]],
    7: [[(0.05, 0.0), (0.95, 0.0), (0.4, 1.0)]],
    8: [[(0.5, 0.45), (0.15, 0.25), (0.5, 0.0), (0.85, 0.25), (0.5, 0.45), (0.1, 0.75),
         (0.5, 1.0), (0.9, 0.75), (0.5, 0.45)]],
    9: [[(0.85, 0.3), (0.5, 0.5), (0.15, 0.3), (0.5, 0.0), (0.85, 0.3), (0.75, 1.0)]],
}


def _slant(img: np.ndarray, shear: float, background: int) -> np.ndarray:
    """Lean the picture: a shear about its centre (positive leans right, as italics)."""
    h, w = img.shape
    m = np.float32([[1, -shear, shear * h / 2], [0, 1, 0]])
    return cv2.warpAffine(img, m, (w, h), borderValue=background)


def font_digits() -> tuple[list[np.ndarray], list[int]]:
    pictures, labels = [], []
    for digit, font, italic, (scale, thickness), shear in itertools.product(
            range(10), FONTS, (False, True), ((3.0, 3), (4.0, 9)), (-0.15, 0.2)):
        canvas = np.full((200, 200), 255, np.uint8)
        face = font | (cv2.FONT_ITALIC if italic else 0)
        (tw, th), _ = cv2.getTextSize(str(digit), face, scale, thickness)
        cv2.putText(canvas, str(digit), ((200 - tw) // 2, (200 + th) // 2), face, scale, 0,
                    thickness, cv2.LINE_AA)
        pictures.append(_slant(canvas, shear, 255))
        labels.append(digit)
    return pictures, labels


def _smooth(points: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Chaikin's corner cutting: a polyline becomes a smooth pen curve through its corners."""
    for _ in range(rounds):
        a, b = points[:-1], points[1:]
        cut = np.empty((2 * len(a), 2))
        cut[0::2] = 0.75 * a + 0.25 * b
        cut[1::2] = 0.25 * a + 0.75 * b
        points = np.vstack([points[:1], cut, points[-1:]])
    return points


def _hand_canvas(digit: int, rng: np.random.Generator, side: int = 200) -> np.ndarray:
    canvas = np.full((side, side), 255, np.uint8)
    height = rng.uniform(0.45, 0.75) * side
    width = height * rng.uniform(0.45, 0.7)
    x0, y0 = (side - width) / 2, (side - height) / 2
    pen = max(2, round(height * rng.uniform(0.06, 0.14)))
    for stroke in STROKES[digit]:
        pts = np.array(stroke, float) + rng.normal(0, 0.04, (len(stroke), 2))
        pts = _smooth(pts) * [width, height] + [x0, y0]
        cv2.polylines(canvas, [np.round(pts * 16).astype(np.int32)], False, 0, pen,
                      cv2.LINE_AA, shift=4)
    return _slant(canvas, rng.uniform(-0.25, 0.3), 255)


def hand_digits(per_digit: int = 12, seed: int = 1) -> tuple[list[np.ndarray], list[int]]:
    rng = np.random.default_rng(seed)
    pictures, labels = [], []
    for digit in range(10):
        for _ in range(per_digit):
            pictures.append(_hand_canvas(digit, rng))
            labels.append(digit)
    return pictures, labels


def camera_frames(per_digit: int = 6, seed: int = 2) -> tuple[list[np.ndarray], list[int]]:
    """Hand-drawn digits on lit paper in a 640×480 RGB frame, as a webcam would film them."""
    rng = np.random.default_rng(seed)
    frames, labels = [], []
    yy, xx = np.mgrid[0:480, 0:640]
    for digit in range(10):
        for _ in range(per_digit):
            paper = rng.uniform(150, 220)
            light = 1 + 0.25 * ((xx / 640) * rng.uniform(-1, 1) + (yy / 480) * rng.uniform(-1, 1))
            frame = np.full((480, 640), paper) * light
            ink = _hand_canvas(digit, rng, 240).astype(float) / 255  # 1 paper, 0 ink
            frame[120:360, 200:440] *= 0.25 + 0.75 * ink
            frame = cv2.GaussianBlur(frame, (0, 0), 1.2) + rng.normal(0, 6, frame.shape)
            gray = np.clip(frame, 0, 255).astype(np.uint8)
            tint = np.array([1.0, 0.97, 0.9])  # warm indoor light
            frames.append(np.clip(gray[:, :, None] * tint, 0, 255).astype(np.uint8))
            labels.append(digit)
    return frames, labels


def unseen_digits() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each group's (N, 28, 28) MNIST-style pictures and labels."""
    groups = {}
    for name, (pictures, labels) in (("font", font_digits()), ("hand", hand_digits())):
        groups[name] = (np.stack([mnist_style(p) for p in pictures]), np.array(labels))
    frames, labels = camera_frames()
    groups["camera"] = (np.stack([mnist_style(centre_box(f, 0.5)[0]) for f in frames]),
                        np.array(labels))
    return groups
