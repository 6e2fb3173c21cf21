"""What a picture file says about itself, read before a single pixel is decoded.

:func:`probe` returns the format, the size, whether the file was cut short, and the EXIF
orientation, so that :mod:`explorer.core.images` can refuse a decompression bomb or a truncated
download before handing the bytes to a decoder.

Pillow reads the headers: its openers are lazy (size and mode without decoding) and its EXIF
reader parses the orientation. Three things are kept here because Pillow cannot do them:

- **Colour PFM** (``PF``), which OpenCV decodes and Pillow does not open: its size is the
  first two numbers of a text header.
- **WebP**, whose Pillow opener builds libwebp's animation decoder at once, and that
  allocates the whole canvas before a size can be checked: the size is read from the first
  chunk instead (``VP8X`` canvas, ``VP8`` or ``VP8L`` frame).
- **Truncation** of a PNG (Pillow's ``verify`` walks the chunks to ``IEND``), a JPEG (an
  end-of-image marker must follow the start of the scan, where Pillow's header reader stops)
  and a WebP (the RIFF size must fit), because OpenCV decodes a cut-off file partially with
  only a warning.

Pillow's own decompression-bomb check is not used: it raises only past 2 × 89 megapixels and
without the size, and the app has its own limit (:data:`explorer.core.images.MAX_PIXELS`).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, TiffImagePlugin

PILLOW_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "PPM", "WEBP")
_NAMES = {"PPM": "PNM", "WEBP": "WebP"}
_ORIENTATION = 0x0112
_GRAY_PNG_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16B"})


class Damaged(Exception):
    """The header is unreadable; the text says how (e.g. "its header is cut short")."""


@dataclass(frozen=True)
class Header:
    """What the header says, read without decoding any pixel."""

    format: str
    width: int
    height: int
    orientation: int = 1  # EXIF: 1 as stored, 2…8 flipped or turned
    truncated: bool = False
    gray: bool = False  # a gray PNG (OpenCV decodes gray + alpha as colour)
    pixel_bytes: float = 0.0  # bytes a decoded pixel takes, where the header says (TIFF)


def probe(data: bytes) -> Header | None:
    """The header of a supported picture, or None when the bytes are no format the app reads.

    Raises :class:`Damaged` when the bytes start as a supported format but its header cannot
    be read.
    """
    if data[:3] in (b"PF\n", b"Pf\n", b"PF ", b"Pf ", b"PF\r", b"Pf\r"):
        return _probe_pfm(data)
    kind = _format_of(data[:16])
    if kind is None:
        return None
    if kind == "WEBP":
        return _probe_webp(data)
    if kind == "TIFF":
        return _probe_tiff(data)
    return _probe_with_pillow(kind, data)


def _format_of(prefix: bytes) -> str | None:
    """Which of :data:`PILLOW_FORMATS` the first bytes announce, by Pillow's own tests."""
    Image.init()
    for kind in PILLOW_FORMATS:
        opener = Image.OPEN.get(kind)
        if opener is None:
            continue
        accept = opener[1]
        if accept is None or accept(prefix):  # text: known, but Pillow cannot open it
            return kind
    return None


def _probe_with_pillow(kind: str, data: bytes) -> Header:
    factory = Image.OPEN[kind][0]
    stream = io.BytesIO(data)
    try:
        # the registered opener reads the header only; Image.open would add Pillow's bomb check
        image = factory(stream, None)
    except Exception as exc:  # a third-party parser on hostile bytes
        raise Damaged(_reason(kind, exc)) from None
    width, height = image.size
    truncated = False
    if kind == "PNG":
        truncated = _png_truncated(factory, data)
    elif kind == "JPEG":
        # the header reader stops just past the start-of-scan segment: the compressed pixels
        # follow, in which FF D9 can only be the end-of-image marker
        truncated = data.find(b"\xff\xd9", stream.tell()) < 0
    return Header(_NAMES.get(kind, kind), width, height, _orientation(image.info.get("exif")),
                  truncated, gray=kind == "PNG" and image.mode in _GRAY_PNG_MODES)


def _png_truncated(factory, data: bytes) -> bool:
    """Whether the chunks stop before ``IEND``. A wrong checksum is left to the decoder,
    which accepts it in the chunks that do not matter."""
    try:
        factory(io.BytesIO(data), None).verify()
    except (OSError, EOFError, struct.error):
        return True
    except SyntaxError:
        return False
    return False


def _reason(kind: str, exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"its {_NAMES.get(kind, kind)} header cannot be read ({text[:120]})"


def _orientation(exif: object) -> int:
    """The EXIF orientation (1…8) of an EXIF block, or 1 when it is missing or unreadable."""
    if not isinstance(exif, bytes) or not exif:
        return 1
    reader = Image.Exif()
    try:
        reader.load(exif)
        value = reader.get(_ORIENTATION, 1)
    except Exception:  # a damaged EXIF block is ignored, never trusted
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _probe_tiff(data: bytes) -> Header:
    """Width, height and bytes a pixel from Pillow's tag reader: it reads the tags of TIFFs
    its opener refuses (64-bit floats, many channels), which OpenCV decodes."""
    try:
        big = data[2:4] in (b"+\x00", b"\x00+")  # BigTIFF: a 16-byte file header
        tags = TiffImagePlugin.ImageFileDirectory_v2(data[:16 if big else 8])
        stream = io.BytesIO(data)
        stream.seek(tags.next)
        tags.load(stream)
        width, height = int(tags.get(256, 0)), int(tags.get(257, 0))
        bits = tags.get(258, (8,))
        bits = int(bits[0] if isinstance(bits, tuple) and bits else bits)
        samples = int(tags.get(277, 1))
    except Exception as exc:  # a third-party parser on hostile bytes
        raise Damaged(_reason("TIFF", exc)) from None
    return Header("TIFF", width, height, pixel_bytes=bits * samples / 8)


def _probe_webp(data: bytes) -> Header:
    if len(data) < 12:
        raise Damaged("its header is cut short")
    riff_size = int.from_bytes(data[4:8], "little")
    truncated = len(data) < 8 + riff_size
    width = height = 0
    exif = None
    pos = 12
    while pos + 8 <= len(data):
        kind, size = struct.unpack_from("<4sI", data, pos)
        chunk = data[pos + 8:pos + 8 + size]
        if kind == b"VP8X" and len(chunk) >= 10:
            width = 1 + int.from_bytes(chunk[4:7], "little")
            height = 1 + int.from_bytes(chunk[7:10], "little")
        elif kind == b"VP8 " and len(chunk) >= 10 and width == 0:
            if chunk[3:6] != b"\x9d\x01\x2a":
                raise Damaged("the WebP frame header is not valid")
            w, h = struct.unpack_from("<HH", chunk, 6)
            width, height = w & 0x3FFF, h & 0x3FFF
        elif kind == b"VP8L" and len(chunk) >= 5 and width == 0:
            (bits,) = struct.unpack_from("<I", chunk, 1)
            width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        elif kind == b"EXIF":
            exif = chunk
        pos += 8 + size + (size & 1)  # chunks are padded to an even length
    return Header("WebP", width, height, _orientation(exif), truncated)


def _probe_pfm(data: bytes) -> Header:
    """PFM: "PF" (colour) or "Pf" (gray), then the width and the height as text."""
    tokens = data[2:256].split()
    if len(tokens) < 2 or not (tokens[0].isdigit() and tokens[1].isdigit()):
        raise Damaged("the PFM header is not valid")
    return Header("PFM", int(tokens[0]), int(tokens[1]))


__all__ = ["PILLOW_FORMATS", "Damaged", "Header", "probe"]
