"""Sources that need no device or file: a moving test scene and a repeated still picture."""

from __future__ import annotations

import math

import cv2
import numpy as np

from explorer.core.sources.base import DEFAULT_FPS, FrameSource, _check_fps, _check_size


class SyntheticSource(FrameSource):
    """A moving test scene, a stand-in for the webcam in tests and benches.

    Frame ``i`` depends on ``i`` alone (``frame(i)``), so runs are reproducible. Patterns:

    - ``"shapes"``: a gradient with a moving disc, square and rotating bar, a checkerboard
      patch and the frame number as text — edges of every orientation and some fine detail;
    - ``"bars"``: vertical bars scrolling sideways and a horizontal band sweeping down — clean
      vertical and horizontal edges for the edge detectors.
    """

    PATTERNS = ("shapes", "bars")

    def __init__(
        self,
        width: int = 640,
        height: int = 480,
        fps: float = DEFAULT_FPS,
        pattern: str = "shapes",
        n_frames: int | None = None,
    ) -> None:
        _check_size(width, height)
        _check_fps(fps)
        if pattern not in self.PATTERNS:
            raise ValueError(
                f"unknown synthetic pattern {pattern!r}; choose one of {', '.join(self.PATTERNS)}"
            )
        if n_frames is not None and n_frames < 1:
            raise ValueError("a synthetic clip needs at least one frame")
        self._w, self._h, self._fps = width, height, float(fps)
        self._pattern, self._n_frames = pattern, n_frames
        self._index = 0
        # the static background, drawn once; each frame starts from a copy of it
        ramp = np.linspace(40, 200, width, dtype=np.float32)
        shade = np.linspace(0.8, 1.0, height, dtype=np.float32)[:, None]
        gray = (ramp[None, :] * shade).astype(np.uint8)
        self._background = np.dstack([gray, gray, (gray // 2 + 60).astype(np.uint8)])

    @property
    def name(self) -> str:
        return f"Synthetic {self._pattern}"

    @property
    def nominal_fps(self) -> float:
        return self._fps

    @property
    def size(self) -> tuple[int, int]:
        return (self._w, self._h)

    def open(self) -> None:
        self._index = 0

    def read(self) -> np.ndarray | None:
        if self._n_frames is not None and self._index >= self._n_frames:
            return None
        img = self.frame(self._index)
        self._index += 1
        return img

    def release(self) -> None:
        pass

    def frame(self, index: int) -> np.ndarray:
        """Frame number ``index`` of the scene (a new array)."""
        if self._pattern == "bars":
            return self._bars(index)
        return self._shapes(index)

    def _shapes(self, t: int) -> np.ndarray:
        w, h = self._w, self._h
        img = self._background.copy()
        s = min(w, h)
        phase = 2 * math.pi * t / 120  # one lap every 4 s at 30 fps
        cx = int(w * (0.5 + 0.35 * math.sin(phase)))
        cy = int(h * (0.5 + 0.30 * math.sin(2 * phase)))
        cv2.circle(img, (cx, cy), s // 8, (220, 40, 40), -1, cv2.LINE_AA)
        qx = int(w * (0.5 - 0.3 * math.cos(phase)))
        q = s // 6
        cv2.rectangle(img, (qx - q // 2, h // 5), (qx + q // 2, h // 5 + q), (40, 200, 60), -1)
        angle = 2 * math.pi * t / 90
        r = s // 3
        c, sn = int(r * math.cos(angle)), int(r * math.sin(angle))
        cv2.line(img, (w // 2 - c, h // 2 - sn), (w // 2 + c, h // 2 + sn), (250, 250, 250),
                 max(2, s // 60), cv2.LINE_AA)
        cell = max(4, s // 40)
        side = min(8 * cell, h, w)  # a picture smaller than the patch gets what fits
        y0, x0 = max(0, h - 8 * cell - cell), min(cell, w - side)
        yy, xx = np.mgrid[0:side, 0:side]
        checker = ((yy // cell + xx // cell + t // 15) % 2 * 255).astype(np.uint8)
        img[y0:y0 + side, x0:x0 + side] = checker[:, :, None]
        cv2.putText(img, f"frame {t}", (w // 2, h - cell), cv2.FONT_HERSHEY_SIMPLEX,
                    s / 480, (255, 255, 0), max(1, s // 240), cv2.LINE_AA)
        return img

    def _bars(self, t: int) -> np.ndarray:
        w, h = self._w, self._h
        period = max(8, w // 10)
        x = (np.arange(w) + 4 * t) % period
        row = np.where(x < period // 2, 230, 30).astype(np.uint8)
        # cv2.repeat copies whole rows: about 4× faster here than a NumPy broadcast assignment
        img = cv2.repeat(np.repeat(row, 3).reshape(1, w, 3), h, 1)
        band = max(4, h // 12)
        y = (3 * t) % (h + band) - band
        img[max(0, y):max(0, y + band)] = (250, 200, 40)
        return img


class StillSource(FrameSource):
    """One picture, repeated: lets the still image go through the same path as a live one."""

    def __init__(self, image: np.ndarray, fps: float = DEFAULT_FPS, name: str = "Still image"):
        img = np.asarray(image)
        if img.dtype != np.uint8:
            raise ValueError(f"the still image must be 8-bit, not {img.dtype}")
        if img.ndim == 2:
            img = np.dstack([img, img, img])
        elif img.ndim == 3 and img.shape[2] in (3, 4):
            img = img[:, :, :3]
        else:
            raise ValueError(f"the still image must be gray, RGB or RGBA, not of shape {img.shape}")
        _check_fps(fps)
        # one private read-only copy, handed out again and again without copying
        self._image = np.array(img, dtype=np.uint8, order="C")
        self._image.flags.writeable = False
        self._fps, self._name = float(fps), name

    @property
    def name(self) -> str:
        return self._name

    @property
    def nominal_fps(self) -> float:
        return self._fps

    @property
    def size(self) -> tuple[int, int]:
        return (self._image.shape[1], self._image.shape[0])

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray:
        return self._image

    def release(self) -> None:
        pass
