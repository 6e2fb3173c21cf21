"""Reading pictures from disk safely, and the few conversions the app needs.

:func:`load_image` returns the app's picture convention: RGB uint8 ``(H, W, 3)``, or gray uint8
``(H, W)`` for a gray file (kept gray, so a gray picture gives 1-channel kernels). On the way:

- **Safety first.** The file is read as bytes by Python (so non-ASCII paths work on every OS)
  and its header is read *before* decoding (:mod:`explorer.core.image_probe`, on Pillow's lazy
  open): a file over :data:`MAX_FILE_BYTES` or a picture over :data:`MAX_PIXELS` is refused, so
  a decompression bomb (a tiny PNG claiming 40000×40000 pixels) never reaches the decoder.
  Only formats whose header can be read are accepted: PNG, JPEG, BMP, GIF, TIFF, WebP and
  PNM/PFM.
- **Truncation** is detected from the file's structure before decoding, because OpenCV may
  decode a cut-off file partially with only a warning.
- **EXIF orientation** (JPEG, PNG, WebP) is applied, as a phone photo is meant to be seen.
  OpenCV applies it only when it also drops alpha and depth, so we decode everything unchanged
  and turn the picture ourselves.
- **16-bit** pictures use the full 16-bit range: ``v8 = round(v16 / 257)`` (65535 → 255). A
  12-bit sensor's image stored in 16 bits looks dark, as it does in any viewer.
- **Float** pictures: values within 0…1 (the float convention) are multiplied by 255; any other
  range is stretched from its min…max to 0…255; NaN and ±infinity become 0 first. Other integer
  types (int16, int32) are stretched the same way.
- **Alpha** is composited over white, not dropped: transparent areas often hide arbitrary
  (black) colour values, and dropping alpha would show them as false edges. A logo or a drawing
  made for a white page looks as intended.
- **Palette** pictures come back as RGB (OpenCV expands the palette).
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from explorer.core import image_probe, safe_files

MAX_PIXELS = 100_000_000  # 100 megapixels: ~300 MB as RGB uint8, more while converting
MAX_FILE_BYTES = 200 * 1024 * 1024
# a compressed file can decode to far more than its size: 100 megapixels of float32 RGB at most
MAX_DECODED_BYTES = MAX_PIXELS * 12
FORMATS = "PNG, JPEG, BMP, GIF, TIFF, WebP or PNM"


class ImageError(ValueError):
    """A picture file cannot be opened; the message names the file and says why."""


# --- reading ------------------------------------------------------------------------------------

def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read a picture file as RGB uint8 (H, W, 3), or gray uint8 (H, W). Raises ImageError.

    Anything but a regular file (a folder, a named pipe, a device such as ``/dev/zero``, a
    socket, or a link to one of them) is refused before it is opened: opening a pipe would
    wait for a writer forever.
    """
    p = Path(os.fsdecode(os.fspath(path)))
    name = p.name or str(p)
    try:
        data = safe_files.read_bytes_limited(p, MAX_FILE_BYTES)
    except safe_files.ReadRefused as exc:
        problem = exc.problem
        if problem == "is a folder, not a file":
            problem = "is a folder, not an image file"
        elif "limit" in problem:
            problem += " for a picture"
        raise ImageError(f"{name} {problem}") from None
    if not data:
        raise ImageError(f"{name} is empty (0 bytes)")
    return decode_image(data, name)


def decode_image(data: bytes, name: str = "the picture") -> np.ndarray:
    """Like :func:`load_image`, for a file's bytes already in memory; ``name`` is for messages."""
    try:
        header = image_probe.probe(data)
    except image_probe.Damaged as exc:
        raise ImageError(f"{name} is a damaged image file: {exc}") from None
    if header is None:
        raise ImageError(f"{name} is not an image file CNN Explorer can read ({FORMATS})")
    if header.truncated:
        raise ImageError(f"{name} is truncated: the file ends before the picture does "
                         f"(an interrupted download or copy?)")
    if header.width < 1 or header.height < 1:
        raise ImageError(f"{name} is a damaged {header.format} file: it claims "
                         f"{header.width}×{header.height} pixels")
    if header.width * header.height > MAX_PIXELS:
        raise ImageError(f"{name} is {header.width}×{header.height} pixels, more than the "
                         f"{MAX_PIXELS // 1_000_000}-megapixel limit")
    decoded = header.width * header.height * header.pixel_bytes
    if decoded > MAX_DECODED_BYTES:
        raise ImageError(f"{name} holds {header.pixel_bytes:g} bytes a pixel: decoding its "
                         f"{header.width}×{header.height} pixels would take "
                         f"{decoded / 2**30:.1f} GB of memory, more than the "
                         f"{MAX_DECODED_BYTES / 2**30:.1f} GB limit")
    try:
        raw = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    except cv2.error:
        raw = None
    if raw is None or raw.size == 0:
        raise ImageError(f"{name} looks like a {header.format} file, but OpenCV could not "
                         f"decode it (damaged, or a variant it does not support)")
    _check_float_range(raw, name)
    image = _to_app_layout(raw)
    if header.gray and image.ndim == 3:
        image = np.ascontiguousarray(image[:, :, 0])  # three equal channels
    return _apply_orientation(image, header.orientation)


# --- conversions -------------------------------------------------------------------------------

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _check_float_range(raw: np.ndarray, name: str) -> None:
    """Refuse float pixels float32 cannot hold: the maps are computed in float32, where such
    values become infinity and every map NaN."""
    if raw.dtype.kind != "f" or raw.dtype.itemsize <= 4:
        return
    magnitude = np.abs(raw[np.isfinite(raw)])
    peak = float(magnitude.max()) if magnitude.size else 0.0
    if peak > _FLOAT32_MAX:
        raise ImageError(f"{name} holds pixel values up to {peak:.3g}, beyond the ±3.4e38 "
                         f"that CNN Explorer computes with (float32); rescale the picture "
                         f"first")


def _to_uint8(a: np.ndarray, *, is_alpha: bool = False) -> np.ndarray:
    """Any decoded depth → uint8, by the rules in the module docstring."""
    if a.dtype == np.uint8:
        return a
    a = np.ascontiguousarray(a)
    if a.dtype == np.uint16:
        return cv2.convertScaleAbs(a, alpha=1 / 257)  # round(v / 257), 65535 → 255
    f = np.nan_to_num(a.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = float(f.min()), float(f.max())
    if a.dtype.kind == "f" and (is_alpha or (lo >= 0.0 and hi <= 1.0)):
        return cv2.convertScaleAbs(np.clip(f, 0.0, 1.0), alpha=255.0)
    if hi == lo:
        return np.clip(np.rint(f), 0, 255).astype(np.uint8)
    return cv2.convertScaleAbs(f, alpha=255.0 / (hi - lo), beta=-lo * 255.0 / (hi - lo))


def _composite_over_white(color: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """color·α + white·(1 − α), in uint8."""
    if color.ndim == 3:
        alpha = cv2.merge([alpha] * color.shape[2])
    return cv2.add(cv2.multiply(color, alpha, scale=1 / 255), cv2.bitwise_not(alpha))


def _to_app_layout(raw: np.ndarray) -> np.ndarray:
    """OpenCV's decoded array (BGR, BGRA, gray, gray+alpha; any depth) → RGB or gray uint8."""
    if raw.ndim == 3 and raw.shape[2] == 1:
        raw = raw[:, :, 0]
    if raw.ndim == 2:
        return np.ascontiguousarray(_to_uint8(raw))
    channels = raw.shape[2]
    if channels in (2, 4):
        color = _to_uint8(raw[:, :, :-1])
        alpha = _to_uint8(np.ascontiguousarray(raw[:, :, -1]), is_alpha=True)
        image = _composite_over_white(np.ascontiguousarray(color), alpha)
        if channels == 2:
            return image
    else:
        image = _to_uint8(raw[:, :, :3])
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


_ALL, _REVERSED = slice(None), slice(None, None, -1)
# OpenCV's mapping (ApplyExifOrientation): 5…8 transpose first, then flip as listed
_ORIENTATION_FLIPS = {
    2: (_ALL, _REVERSED), 3: (_REVERSED, _REVERSED), 4: (_REVERSED,),
    6: (_ALL, _REVERSED), 7: (_REVERSED, _REVERSED), 8: (_REVERSED,),
}


def _apply_orientation(image: np.ndarray, orientation: int) -> np.ndarray:
    """Turn the stored pixels the way EXIF says they are meant to be seen."""
    if orientation >= 5:
        image = np.swapaxes(image, 0, 1)
    flip = _ORIENTATION_FLIPS.get(orientation)
    if flip is not None:
        image = image[flip]
    return np.ascontiguousarray(image)


def to_rgb(frame_bgr: np.ndarray) -> np.ndarray:
    """An OpenCV frame (BGR, BGRA or gray uint8) as RGB uint8 (H, W, 3); alpha over white."""
    frame = np.asarray(frame_bgr)
    if frame.dtype != np.uint8:
        raise ValueError(f"a camera frame must be uint8, not {frame.dtype}")
    if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 1):
        return cv2.cvtColor(frame.reshape(frame.shape[:2]), cv2.COLOR_GRAY2RGB)
    if frame.ndim != 3 or frame.shape[2] not in (3, 4):
        raise ValueError(f"a frame has 1, 3 or 4 channels, not shape {frame.shape}")
    return _to_app_layout(frame)


def to_gray(image: np.ndarray) -> np.ndarray:
    """An RGB (or RGBA) picture as gray with ITU-R BT.601 weights (0.299, 0.587, 0.114).

    A gray picture comes back unchanged; the dtype is kept (uint8, uint16 or float32).
    """
    img = np.asarray(image)
    if img.ndim == 2:
        return img
    if img.ndim == 3 and img.shape[2] == 1:
        return img[:, :, 0]
    if img.ndim != 3 or img.shape[2] not in (3, 4):
        raise ValueError(f"a picture is (H, W) gray or (H, W, 3) RGB, not of shape {img.shape}")
    code = cv2.COLOR_RGB2GRAY if img.shape[2] == 3 else cv2.COLOR_RGBA2GRAY
    return cv2.cvtColor(np.ascontiguousarray(img), code)


def processing_size(height: int, width: int, max_side: int) -> tuple[int, int]:
    """(height, width) of a picture scaled so its longer side is at most ``max_side``.

    Pictures are only ever scaled down: a small picture keeps its size.

    >>> processing_size(2688, 4032, 640)
    (427, 640)
    """
    for what, value in (("picture height", height), ("picture width", width),
                        ("processing size", max_side)):
        if value < 1:
            raise ValueError(f"the {what} must be at least 1, not {value}")
    scale = min(1.0, max_side / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def resize_to_fit(image: np.ndarray, max_side: int) -> np.ndarray:
    """The picture scaled down (INTER_AREA) so its longer side is at most ``max_side``.

    It is never enlarged: a picture that already fits is returned as it is (not copied).
    """
    if isinstance(max_side, bool) or not isinstance(max_side, (int, np.integer)) \
            or max_side < 1:
        raise ValueError(f"the largest side must be a whole number of pixels ≥ 1, "
                         f"not {max_side}")
    h, w = image.shape[:2]
    if max(h, w) <= max_side:
        return image
    new_h, new_w = processing_size(h, w, max_side)
    return cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)


# --- writing -----------------------------------------------------------------------------------

# suffix → OpenCV's encoder: every suffix names the format it is written in
SAVE_SUFFIXES = {".png": ".png", ".jpg": ".jpg", ".jpeg": ".jpg", ".bmp": ".bmp",
                 ".tif": ".tiff", ".tiff": ".tiff", ".webp": ".webp"}


def check_save_path(path: str | os.PathLike, *, overwrite: bool = True) -> Path:
    """The path :func:`save_image` would write, checked before any work; raises ImageError.

    Exactly the path given, in the format its suffix names: ``report.v2`` is refused (the
    message lists the suffixes), never written as ``report.png``; so is a folder, a name
    ending in a separator, a missing folder, and without ``overwrite`` an existing file.
    """
    try:
        return safe_files.check_target(path, SAVE_SUFFIXES, what="a picture",
                                       overwrite=overwrite)
    except safe_files.WriteFailed as exc:
        raise ImageError(str(exc)) from exc  # the cause tells TargetExists apart


def encode_image(image: np.ndarray, suffix: str, name: str = "the picture") -> bytes:
    """An RGB, RGBA or gray picture (uint8 or uint16) encoded in the format ``suffix`` names."""
    suffix = suffix.lower()
    if suffix not in SAVE_SUFFIXES:
        raise ImageError(f"{name}: a picture is saved as "
                         f"{', '.join(sorted(SAVE_SUFFIXES))}, not {suffix or 'no suffix'}")
    img = np.asarray(image)
    if img.dtype not in (np.uint8, np.uint16):
        raise ImageError(f"{name}: only uint8 or uint16 pictures can be saved, not {img.dtype}")
    if img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    elif img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_RGBA2BGRA)
    elif img.ndim != 2:
        raise ImageError(f"{name}: a picture is (H, W), (H, W, 3) or (H, W, 4), "
                         f"not of shape {img.shape}")
    try:
        ok, encoded = cv2.imencode(SAVE_SUFFIXES[suffix], img)
    except cv2.error:
        ok = False
    if not ok:
        raise ImageError(f"{name}: OpenCV cannot write this picture as {suffix}")
    return encoded.tobytes()


def save_image(path: str | os.PathLike, image: np.ndarray, *, overwrite: bool = True) -> Path:
    """Write an RGB, RGBA or gray picture (uint8 or uint16); the suffix picks the format.

    Encoded by OpenCV in memory and written whole or not at all
    (:func:`~explorer.core.safe_files.atomic_write`): a full disk leaves the previous file as
    it was. Non-ASCII paths work on every OS. Raises ImageError saying the cause.
    """
    p = check_save_path(path, overwrite=overwrite)
    data = encode_image(image, p.suffix, p.name)
    try:
        return safe_files.atomic_write(p, data, overwrite=overwrite)
    except safe_files.WriteFailed as exc:
        raise ImageError(str(exc)) from exc


__all__ = [
    "FORMATS", "MAX_FILE_BYTES", "MAX_PIXELS", "SAVE_SUFFIXES", "ImageError",
    "check_save_path", "decode_image", "encode_image", "load_image", "resize_to_fit",
    "save_image", "to_gray", "to_rgb",
]
