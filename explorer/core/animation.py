"""Write a sequence of RGB frames as an animation for slides: GIF, MP4, or numbered PNGs.

:class:`AnimationFile` takes the frames one at a time, so a job can report progress between
them and stop; :func:`save_animation` writes a whole sequence with it. Every file goes through
the atomic writer (:mod:`explorer.core.safe_files`): an existing file is replaced whole or not
at all, never left half-written, and a killed export's temporary file is cleaned up by the
next export to the same name. Without ``overwrite`` nothing existing is replaced, and for
numbered PNGs that means none of the frames.
GIF goes through Pillow (one 256-colour octree palette a frame; the durations are stored in
hundredths of a second, hence the 20 ms floor browsers respect); MP4 through OpenCV's
``VideoWriter`` with the ``mp4v`` codec, which every OpenCV wheel carries.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from explorer.core import safe_files

FORMATS = (".gif", ".mp4", ".png")
MIN_FRAME_MS = 20
MAX_FRAME_MS = 10_000
MAX_FRAMES = 400  # a GIF keeps every frame in memory while it is written


def check_writable(path: str | os.PathLike, *, overwrite: bool = True,
                   frames: int | None = None) -> Path:
    """The path of an animation, checked before any frame is rendered; raises ValueError.

    Refused: a suffix other than .gif, .mp4 or .png, a missing or unwritable folder, a folder
    or a pipe in the target's place, and — without ``overwrite``, when the number of
    ``frames`` is known — a target that exists (for numbered PNGs: any of the frames).
    """
    p = safe_files.check_target(path, FORMATS, what="an animation")
    folder = p.parent if str(p.parent) else Path(".")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        cause = safe_files.describe_os_error(exc, folder / p.name)
        raise safe_files.WriteFailed(f"could not write {p.name}: {cause}", p, cause) from None
    if not overwrite and frames is not None:
        _refuse_existing(targets(p, frames))
    return p


def targets(path: str | os.PathLike, frames: int) -> list[Path]:
    """The files an animation of ``frames`` frames at ``path`` writes (one, or one a frame)."""
    p = Path(os.fsdecode(os.fspath(path)))
    return frame_paths(p, frames) if p.suffix.lower() == ".png" else [p]


def _refuse_existing(paths: list[Path]) -> None:
    existing = [p for p in paths if os.path.lexists(p)]
    if existing:
        more = f" (and {len(existing) - 1} more of its frames)" if len(existing) > 1 else ""
        raise safe_files.TargetExists(f"{existing[0].name} already exists{more}", existing[0],
                                      "already exists")


def check_frame_ms(frame_ms: int) -> int:
    """``frame_ms`` as an int, or a ValueError saying which durations a frame can have."""
    if isinstance(frame_ms, bool) or not isinstance(frame_ms, int | np.integer) \
            or not MIN_FRAME_MS <= frame_ms <= MAX_FRAME_MS:
        raise ValueError(f"a frame lasts from {MIN_FRAME_MS} to {MAX_FRAME_MS} ms, "
                         f"not {frame_ms!r}")
    return int(frame_ms)


def frame_paths(path: str | os.PathLike, count: int) -> list[Path]:
    """Where numbered PNG frames of ``path`` go: ``name_001.png``, ``name_002.png`` …"""
    p = Path(path)
    digits = max(3, len(str(count)))
    return [p.with_name(f"{p.stem}_{i:0{digits}d}.png") for i in range(1, count + 1)]


class AnimationFile:
    """An animation written one frame at a time, for a job that reports progress and can stop.

    :meth:`add` takes each frame and does what can be done at once (a GIF frame is given its
    palette, a PNG frame is encoded, an MP4 frame goes into a temporary video beside the
    target); :meth:`finish` puts the file (or the numbered frames) in place. :meth:`close`
    without :meth:`finish` (a cancel, a fault) removes what was begun and leaves the target
    as it was. Raises ValueError with a sentence when the path, a frame or the duration does
    not fit; without ``overwrite``,
    :class:`~explorer.core.safe_files.TargetExists` when a target (any frame) exists.
    """

    def __init__(self, path: str | os.PathLike, frame_ms: int = 800, *,
                 overwrite: bool = True) -> None:
        self.target = check_writable(path)
        self.frame_ms = check_frame_ms(frame_ms)
        self.overwrite = overwrite
        self.count = 0
        self._format = self.target.suffix.lower()
        self._shape: tuple[int, ...] | None = None
        self._kept: list = []  # GIF: paletted frames; PNG: encoded frames
        self._video: cv2.VideoWriter | None = None
        self._video_file = contextlib.ExitStack()  # the temporary MP4 while it is written
        if not overwrite and self._format != ".png":
            _refuse_existing([self.target])  # before any frame is rendered

    def __enter__(self) -> AnimationFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def add(self, frame: np.ndarray) -> None:
        """Append one RGB uint8 frame of the first frame's size."""
        f = self._checked(frame)
        if self._format == ".gif":
            from PIL import Image

            # an octree palette per frame: 2–4× faster than Pillow's default median cut for
            # pictures of flat cells and text, and as faithful
            self._kept.append(Image.fromarray(f).quantize(256, method=Image.Quantize.FASTOCTREE))
        elif self._format == ".png":
            ok, data = cv2.imencode(".png", cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
            if not ok:
                raise ValueError("OpenCV could not encode a frame as PNG")
            self._kept.append(data.tobytes())
        else:
            if self._video is None:
                self._open_video(f.shape[1], f.shape[0])
            self._video.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
        self.count += 1

    def finish(self) -> list[Path]:
        """Put the animation in place; returns the files written (one, or one a frame)."""
        if self.count == 0:
            raise ValueError("there are no frames to save")
        try:
            if self._format == ".gif":
                first, *rest = self._kept
                safe_files.atomic_write(self.target, lambda fh: first.save(
                    fh, format="GIF", save_all=True, append_images=rest,
                    duration=self.frame_ms, loop=0, optimize=False), overwrite=self.overwrite)
                return [self.target]
            if self._format == ".png":
                paths = frame_paths(self.target, len(self._kept))
                if not self.overwrite:
                    _refuse_existing(paths)  # before the first frame: no half-replaced set
                for out, data in zip(paths, self._kept, strict=True):
                    safe_files.atomic_write(out, data, overwrite=self.overwrite)
                return paths
            self._video.release()
            self._video = None
            self._video_file.close()  # the block ends normally: renamed over the target
            return [self.target]
        finally:
            self.close()

    def close(self) -> None:
        """Drop what was begun and not finished (idempotent)."""
        self._kept = []
        if self._video is not None:
            self._video.release()
            self._video = None
        # leaving the temporary file's block with an error removes it, target untouched
        self._video_file.__exit__(ValueError, ValueError("not finished"), None)

    def _checked(self, frame: np.ndarray) -> np.ndarray:
        f = np.asarray(frame)
        n = self.count + 1
        if f.dtype != np.uint8 or f.ndim != 3 or f.shape[2] != 3:
            raise ValueError(f"frame {n} is not an RGB uint8 picture ({f.dtype} {f.shape})")
        if self._shape is None:
            self._shape = f.shape
        elif f.shape != self._shape:
            size = self._shape
            raise ValueError(f"frame {n} is {f.shape[1]}×{f.shape[0]}, the first is "
                             f"{size[1]}×{size[0]}: all frames must have one size")
        if self.count >= MAX_FRAMES:
            raise ValueError(f"an animation holds at most {MAX_FRAMES} frames")
        return np.ascontiguousarray(f)

    def _open_video(self, width: int, height: int) -> None:
        tmp = self._video_file.enter_context(
            safe_files.atomic_target(self.target, overwrite=self.overwrite))
        self._video = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"),
                                      1000.0 / self.frame_ms, (width, height))
        if not self._video.isOpened():
            raise ValueError(f"OpenCV cannot write the video {self.target.name}")


def save_animation(frames: Iterable[np.ndarray], path: str | os.PathLike,
                   frame_ms: int = 800, *, overwrite: bool = True) -> list[Path]:
    """Write RGB uint8 frames to ``path``; its suffix picks GIF, MP4 or numbered PNGs.

    Returns the files written (one, or one per frame for ``.png``). Raises ValueError with a
    sentence when the path, the frames or the duration do not fit; the target is then left as
    it was. Without ``overwrite``, :class:`~explorer.core.safe_files.TargetExists` when a
    target (any frame) exists.
    """
    with AnimationFile(path, frame_ms, overwrite=overwrite) as out:
        for frame in frames:
            out.add(frame)
        return out.finish()
