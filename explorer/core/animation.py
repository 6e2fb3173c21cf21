"""Write a sequence of RGB frames as an animation for slides: GIF, MP4, or numbered PNGs.

Every file goes through the atomic writer (:mod:`explorer.core.safe_files`): an existing file is
replaced whole or not at all, never left half-written, and a killed export's temporary file is
cleaned up by the next export to the same name. Without ``overwrite`` nothing existing is
replaced, and for numbered PNGs that means none of the frames.
GIF goes through Pillow (one 256-colour octree palette a frame; the durations are stored in
hundredths of a second, hence the 20 ms floor browsers respect); MP4 through OpenCV's
``VideoWriter`` with the ``mp4v`` codec, which every OpenCV wheel carries.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
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


def _checked(frames: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    """The frames, each checked to be (H, W, 3) uint8 of the first frame's size."""
    size = None
    for i, frame in enumerate(frames):
        f = np.asarray(frame)
        if f.dtype != np.uint8 or f.ndim != 3 or f.shape[2] != 3:
            raise ValueError(f"frame {i + 1} is not an RGB uint8 picture ({f.dtype} {f.shape})")
        if size is None:
            size = f.shape
        elif f.shape != size:
            raise ValueError(f"frame {i + 1} is {f.shape[1]}×{f.shape[0]}, the first is "
                             f"{size[1]}×{size[0]}: all frames must have one size")
        if i >= MAX_FRAMES:
            raise ValueError(f"an animation holds at most {MAX_FRAMES} frames")
        yield np.ascontiguousarray(f)


def _write_gif(frames: Iterator[np.ndarray], target: Path, frame_ms: int,
               overwrite: bool) -> int:
    from PIL import Image

    first = next(frames, None)
    if first is None:
        raise ValueError("there are no frames to save")
    count = 1

    def paletted(frame: np.ndarray) -> Image.Image:
        # an octree palette per frame: 2–4× faster than Pillow's default median cut for
        # pictures of flat cells and text, and as faithful
        return Image.fromarray(frame).quantize(256, method=Image.Quantize.FASTOCTREE)

    def rest() -> Iterator[Image.Image]:
        nonlocal count
        for f in frames:
            count += 1
            yield paletted(f)

    safe_files.atomic_write(target, lambda fh: paletted(first).save(
        fh, format="GIF", save_all=True, append_images=rest(), duration=frame_ms, loop=0,
        optimize=False), overwrite=overwrite)
    return count


def _write_mp4(frames: Iterator[np.ndarray], target: Path, frame_ms: int,
               overwrite: bool) -> int:
    first = next(frames, None)
    if first is None:
        raise ValueError("there are no frames to save")
    h, w = first.shape[:2]
    count = 0
    with safe_files.atomic_target(target, overwrite=overwrite) as tmp:  # the encoder wants a name
        writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"mp4v"), 1000.0 / frame_ms,
                                 (w, h))
        if not writer.isOpened():
            raise ValueError(f"OpenCV cannot write the video {target.name}")
        try:
            for f in itertools.chain([first], frames):
                writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
                count += 1
        finally:
            writer.release()
    return count


def frame_paths(path: str | os.PathLike, count: int) -> list[Path]:
    """Where numbered PNG frames of ``path`` go: ``name_001.png``, ``name_002.png`` …"""
    p = Path(path)
    digits = max(3, len(str(count)))
    return [p.with_name(f"{p.stem}_{i:0{digits}d}.png") for i in range(1, count + 1)]


def _write_pngs(frames: Iterator[np.ndarray], target: Path, overwrite: bool) -> list[Path]:
    encoded = []
    for f in frames:  # encode all first: a bad frame leaves no partial sequence behind
        ok, data = cv2.imencode(".png", cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
        if not ok:
            raise ValueError("OpenCV could not encode a frame as PNG")
        encoded.append(data.tobytes())
    if not encoded:
        raise ValueError("there are no frames to save")
    paths = frame_paths(target, len(encoded))
    if not overwrite:
        _refuse_existing(paths)  # before the first frame: no half-replaced sequence
    for out, data in zip(paths, encoded, strict=True):
        safe_files.atomic_write(out, data, overwrite=overwrite)
    return paths


def save_animation(frames: Iterable[np.ndarray], path: str | os.PathLike,
                   frame_ms: int = 800, *, overwrite: bool = True) -> list[Path]:
    """Write RGB uint8 frames to ``path``; its suffix picks GIF, MP4 or numbered PNGs.

    Returns the files written (one, or one per frame for ``.png``). Raises ValueError with a
    sentence when the path, the frames or the duration do not fit; without ``overwrite``,
    :class:`~explorer.core.safe_files.TargetExists` when a target (any frame) exists.
    """
    target = check_writable(path)
    frame_ms = check_frame_ms(frame_ms)
    checked = _checked(frames)
    suffix = target.suffix.lower()
    if suffix == ".png":
        return _write_pngs(checked, target, overwrite)
    if suffix == ".gif":
        _write_gif(checked, target, frame_ms, overwrite)
    else:
        _write_mp4(checked, target, frame_ms, overwrite)
    return [target]
