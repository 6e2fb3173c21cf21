"""Write a sequence of RGB frames as an animation for slides: GIF, MP4, or numbered PNGs.

Every file is written to a temporary file in the target's folder and then renamed over the
target, so an existing file is replaced whole or not at all, never left half-written.
GIF goes through Pillow (one 256-colour octree palette a frame; the durations are stored in
hundredths of a second, hence the 20 ms floor browsers respect); MP4 through OpenCV's
``VideoWriter`` with the ``mp4v`` codec, which every OpenCV wheel carries.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np

FORMATS = (".gif", ".mp4", ".png")
MIN_FRAME_MS = 20
MAX_FRAME_MS = 10_000
MAX_FRAMES = 400  # a GIF keeps every frame in memory while it is written


def _target(path: str | os.PathLike) -> Path:
    p = Path(os.fsdecode(os.fspath(path)))
    if p.suffix.lower() not in FORMATS:
        raise ValueError(f"{p.name}: save an animation as .gif, .mp4 or .png (numbered "
                         f"frames), not {p.suffix or 'no suffix'}")
    return p


def check_writable(path: str | os.PathLike) -> Path:
    """Raise ValueError unless an animation can be written at ``path`` (suffix and folder)."""
    p = _target(path)
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"cannot write {p.name}: the folder {folder} does not exist")
    if p.is_dir():
        raise ValueError(f"cannot write {p}: it is a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ValueError(f"cannot write {p.name} in {folder} ({exc.strerror or exc})") from None
    return p


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


def _temporary_beside(target: Path) -> Path:
    """A new empty file in ``target``'s folder, with the permissions a new file gets there."""
    for _ in range(100):
        tmp = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.tmp{target.suffix}")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise OSError(f"no free temporary name beside {target.name}")


@contextlib.contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed over it when the block succeeds."""
    try:
        tmp: Path | None = _temporary_beside(target)
    except OSError as exc:
        raise ValueError(f"could not write {target.name} ({exc.strerror or exc})") from None
    try:
        yield tmp
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise ValueError(f"could not write {target.name} ({exc.strerror or exc})") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _write_gif(frames: Iterator[np.ndarray], target: Path, frame_ms: int) -> int:
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

    with _replacing(target) as tmp:
        paletted(first).save(tmp, format="GIF", save_all=True, append_images=rest(),
                             duration=frame_ms, loop=0, optimize=False)
    return count


def _write_mp4(frames: Iterator[np.ndarray], target: Path, frame_ms: int) -> int:
    first = next(frames, None)
    if first is None:
        raise ValueError("there are no frames to save")
    h, w = first.shape[:2]
    count = 0
    with _replacing(target) as tmp:
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


def _write_pngs(frames: Iterator[np.ndarray], target: Path) -> list[Path]:
    encoded = []
    for f in frames:  # encode all first: a bad frame leaves no partial sequence behind
        ok, data = cv2.imencode(".png", cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
        if not ok:
            raise ValueError("OpenCV could not encode a frame as PNG")
        encoded.append(data.tobytes())
    if not encoded:
        raise ValueError("there are no frames to save")
    paths = frame_paths(target, len(encoded))
    for out, data in zip(paths, encoded, strict=True):
        with _replacing(out) as tmp:
            tmp.write_bytes(data)
    return paths


def save_animation(frames: Iterable[np.ndarray], path: str | os.PathLike,
                   frame_ms: int = 800) -> list[Path]:
    """Write RGB uint8 frames to ``path``; its suffix picks GIF, MP4 or numbered PNGs.

    Returns the files written (one, or one per frame for ``.png``). Raises ValueError with a
    sentence when the path, the frames or the duration do not fit.
    """
    target = check_writable(path)
    frame_ms = check_frame_ms(frame_ms)
    checked = _checked(frames)
    suffix = target.suffix.lower()
    if suffix == ".png":
        return _write_pngs(checked, target)
    if suffix == ".gif":
        _write_gif(checked, target, frame_ms)
    else:
        _write_mp4(checked, target, frame_ms)
    return [target]
