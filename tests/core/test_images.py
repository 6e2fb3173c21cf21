"""Loading pictures: formats, depths, alpha, EXIF orientation, and every way a file can be bad.

The files are made here: by OpenCV's encoder, or by hand (a few PNG chunks, a JPEG APP1
segment) where the point is a header OpenCV would never write.
"""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np
import pytest

from explorer.core import images
from explorer.core.images import ImageError, load_image
from tests.hostile import (
    fill_disk_after,
    named_pipe,
    needs_dev_zero,
    needs_fifo,
    needs_symlinks,
    unix_socket,
)

RNG = np.random.default_rng(7)
OLD_BYTES = b"the previous picture, which must survive"


def encode(image_rgb: np.ndarray, ext: str, params: tuple = ()) -> bytes:
    """Encode an RGB(A) or gray picture with OpenCV (which wants BGR)."""
    img = image_rgb
    if img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    elif img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_RGBA2BGRA)
    ok, buf = cv2.imencode(ext, img, list(params))
    assert ok
    return buf.tobytes()


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(
        ">I", zlib.crc32(kind + payload))


def make_png(rows: np.ndarray, color_type: int, *, size: tuple[int, int] | None = None,
             bit_depth: int = 8, before_idat: tuple[bytes, ...] = ()) -> bytes:
    """A PNG built by hand: ``rows`` is (H, W·samples) uint8; ``size`` may lie about it."""
    height, width = size or (rows.shape[0], rows.shape[1] // {0: 1, 2: 3, 3: 1, 4: 2,
                                                                 6: 4}[color_type])
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)  # filter type 0 on every row
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + b"".join(before_idat)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def exif_block(orientation: int, order: str = ">") -> bytes:
    """A TIFF-structured EXIF block: a camera make (stored elsewhere) and the orientation."""
    mark = b"MM" if order == ">" else b"II"
    make = b"Camera\x00\x00"
    entries = 2
    ifd_size = 2 + 12 * entries + 4
    make_offset = 8 + ifd_size
    return (mark + struct.pack(order + "HI", 42, 8) + struct.pack(order + "H", entries)
            + struct.pack(order + "HHII", 0x010F, 2, len(make), make_offset)
            + struct.pack(order + "HHIHH", 0x0112, 3, 1, orientation, 0)
            + struct.pack(order + "I", 0) + make)


def with_exif(jpeg: bytes, orientation: int, order: str = ">") -> bytes:
    payload = b"Exif\x00\x00" + exif_block(orientation, order)
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return jpeg[:2] + app1 + jpeg[2:]


def no_decoding(monkeypatch):
    def boom(*_args, **_kwargs):
        raise AssertionError("the decoder must not be called")

    monkeypatch.setattr(cv2, "imdecode", boom)


def quadrants(h: int = 32, w: int = 48) -> np.ndarray:
    """Four flat colours, so a rotation or a flip is easy to see (and JPEG keeps them)."""
    img = np.empty((h, w, 3), np.uint8)
    img[: h // 2, : w // 2] = (250, 20, 20)
    img[: h // 2, w // 2:] = (20, 250, 20)
    img[h // 2:, : w // 2] = (20, 20, 250)
    img[h // 2:, w // 2:] = (240, 240, 240)
    return img


# --- formats and depths --------------------------------------------------------------------------

def test_rgb_png_comes_back_exactly(tmp_path):
    img = RNG.integers(0, 256, (21, 34, 3), dtype=np.uint8)
    out = load_image(write(tmp_path, "a.png", encode(img, ".png")))
    assert out.dtype == np.uint8 and out.shape == (21, 34, 3) and out.flags.c_contiguous
    np.testing.assert_array_equal(out, img)


def test_gray_png_stays_gray(tmp_path):
    img = RNG.integers(0, 256, (13, 9), dtype=np.uint8)
    out = load_image(write(tmp_path, "g.png", encode(img, ".png")))
    assert out.shape == (13, 9)
    np.testing.assert_array_equal(out, img)


def test_16_bit_uses_the_full_range(tmp_path):
    every_value = np.arange(65536, dtype=np.uint16).reshape(256, 256)
    out = load_image(write(tmp_path, "deep.png", encode(every_value, ".png")))
    expected = np.floor(every_value / 257 + 0.5).astype(np.uint8)  # round(v / 257)
    np.testing.assert_array_equal(out, expected)
    assert out[0, 0] == 0 and out[-1, -1] == 255


def test_16_bit_color(tmp_path):
    img = RNG.integers(0, 65536, (8, 10, 3), dtype=np.uint16)
    out = load_image(write(tmp_path, "deep.png", encode(img, ".png")))
    np.testing.assert_array_equal(out, np.floor(img / 257 + 0.5).astype(np.uint8))


def test_rgba_is_composited_over_white(tmp_path):
    rgb = RNG.integers(0, 256, (12, 12, 3), dtype=np.uint8)
    alpha = RNG.integers(0, 256, (12, 12, 1), dtype=np.uint8)
    alpha[0, 0] = 0  # fully transparent: white, whatever colour hides underneath
    alpha[0, 1] = 255  # opaque: the colour itself
    out = load_image(write(tmp_path, "logo.png", encode(np.concatenate([rgb, alpha], 2),
                                                         ".png")))
    a = alpha / 255.0
    expected = rgb * a + 255 * (1 - a)
    assert out.shape == (12, 12, 3)
    np.testing.assert_allclose(out, expected, atol=1.0)
    np.testing.assert_array_equal(out[0, 0], [255, 255, 255])
    np.testing.assert_array_equal(out[0, 1], rgb[0, 1])


def test_gray_with_alpha_stays_gray(tmp_path):
    gray = RNG.integers(0, 256, (6, 7), dtype=np.uint8)
    alpha = RNG.integers(0, 256, (6, 7), dtype=np.uint8)
    rows = np.stack([gray, alpha], axis=2).reshape(6, 14)
    out = load_image(write(tmp_path, "ga.png", make_png(rows, color_type=4)))
    assert out.shape == (6, 7)
    np.testing.assert_allclose(out, gray * (alpha / 255) + 255 * (1 - alpha / 255), atol=1.0)


def test_palette_png(tmp_path):
    palette = np.array([[255, 0, 0], [0, 128, 0], [10, 20, 30], [200, 200, 0]], np.uint8)
    index = RNG.integers(0, 4, (9, 11), dtype=np.uint8)
    data = make_png(index, color_type=3, before_idat=(chunk(b"PLTE", palette.tobytes()),))
    out = load_image(write(tmp_path, "pal.png", data))
    np.testing.assert_array_equal(out, palette[index])


def test_palette_png_with_transparency(tmp_path):
    palette = np.array([[0, 0, 0], [0, 0, 255]], np.uint8)
    index = np.array([[0, 1], [1, 0]], np.uint8)
    data = make_png(index, color_type=3, before_idat=(
        chunk(b"PLTE", palette.tobytes()), chunk(b"tRNS", b"\x00")))  # colour 0 transparent
    out = load_image(write(tmp_path, "pal.png", data))
    np.testing.assert_array_equal(out, [[[255, 255, 255], [0, 0, 255]],
                                        [[0, 0, 255], [255, 255, 255]]])


def test_float_tiff_in_zero_to_one_is_scaled_by_255(tmp_path):
    img = RNG.random((10, 12, 3), dtype=np.float32)
    img[0, 0] = (0.0, 1.0, 0.5)
    out = load_image(write(tmp_path, "f.tiff", encode(img, ".tiff")))
    assert out.dtype == np.uint8 and out.shape == (10, 12, 3)
    np.testing.assert_allclose(out, np.rint(img * 255), atol=1)
    np.testing.assert_array_equal(out[0, 0], [0, 255, 128])


def test_float_tiff_in_another_range_is_stretched(tmp_path):
    img = np.linspace(-5.0, 15.0, 9 * 8, dtype=np.float32).reshape(9, 8)
    img[4, 4] = np.nan  # NaN becomes 0 before stretching: it sits at 25 % of the range
    out = load_image(write(tmp_path, "f.tif", encode(img, ".tiff")))
    finite = np.nan_to_num(img, nan=0.0)
    expected = (finite + 5) / 20 * 255
    assert out.shape == (9, 8)
    np.testing.assert_allclose(out, expected, atol=1)
    assert out.min() == 0 and out.max() == 255


@pytest.mark.parametrize(("ext", "params", "exact"), [
    (".bmp", (), True), (".tiff", (), True), (".ppm", (), True),
    (".webp", (cv2.IMWRITE_WEBP_QUALITY, 101), True),  # 101: lossless
    (".webp", (cv2.IMWRITE_WEBP_QUALITY, 90), False),
    (".jpg", (cv2.IMWRITE_JPEG_QUALITY, 95), False),
])
def test_other_formats(tmp_path, ext, params, exact):
    img = quadrants(24, 40)
    out = load_image(write(tmp_path, f"pic{ext}", encode(img, ext, params)))
    assert out.shape == (24, 40, 3)
    if exact:
        np.testing.assert_array_equal(out, img)
    else:
        # lossy: small errors at the colour boundaries; swapped channels would be off by ~150
        assert np.abs(out.astype(int) - img).mean() < 10


# the classic one-pixel GIF: a two-colour palette (red, black), the pixel is colour 0
ONE_PIXEL_GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\x00"
                 b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def test_gif(tmp_path, monkeypatch):
    if cv2.imdecode(np.frombuffer(ONE_PIXEL_GIF, np.uint8), cv2.IMREAD_UNCHANGED) is None:
        pytest.skip("this OpenCV build cannot decode GIF")
    np.testing.assert_array_equal(load_image(write(tmp_path, "dot.gif", ONE_PIXEL_GIF)),
                                  [[[255, 0, 0]]])
    huge = ONE_PIXEL_GIF[:6] + struct.pack("<HH", 20000, 20000) + ONE_PIXEL_GIF[10:]
    no_decoding(monkeypatch)
    assert_refused(write(tmp_path, "huge.gif", huge), "20000×20000 pixels")


def test_pgm_is_gray(tmp_path):
    img = RNG.integers(0, 256, (5, 6), dtype=np.uint8)
    data = b"P5\n# a comment\n6 5\n255\n" + img.tobytes()
    np.testing.assert_array_equal(load_image(write(tmp_path, "g.pgm", data)), img)


# --- EXIF orientation ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plain_jpeg() -> bytes:
    return encode(quadrants(), ".jpg", (cv2.IMWRITE_JPEG_QUALITY, 100))


def test_orientation_6_comes_back_turned_clockwise(tmp_path, plain_jpeg):
    stored = load_image(write(tmp_path, "plain.jpg", plain_jpeg))
    out = load_image(write(tmp_path, "phone.jpg", with_exif(plain_jpeg, 6)))
    assert stored.shape == (32, 48, 3) and out.shape == (48, 32, 3)
    np.testing.assert_array_equal(out, np.rot90(stored, -1))
    # the red top-left quadrant is now top-right, as the phone's owner saw the scene
    assert out[2, -2, 0] > 200 and out[2, -2, 1] < 60


@pytest.mark.parametrize("order", [">", "<"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_matches_opencvs_own(tmp_path, plain_jpeg, orientation, order):
    data = with_exif(plain_jpeg, orientation, order)
    out = load_image(write(tmp_path, "o.jpg", data))
    reference = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)  # applies EXIF
    np.testing.assert_array_equal(out, cv2.cvtColor(reference, cv2.COLOR_BGR2RGB))


def test_orientation_in_a_png_exif_chunk(tmp_path):
    img = quadrants(4, 6)
    data = make_png(img.reshape(4, 18), color_type=2,
                    before_idat=(chunk(b"eXIf", exif_block(8)),))
    out = load_image(write(tmp_path, "o.png", data))
    np.testing.assert_array_equal(out, np.rot90(img, 1))  # 8: turned counter-clockwise


def test_unreadable_exif_is_ignored(tmp_path, plain_jpeg):
    payload = b"Exif\x00\x00XX garbage"
    data = plain_jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload \
        + plain_jpeg[2:]
    out = load_image(write(tmp_path, "o.jpg", data))
    stored = load_image(write(tmp_path, "plain.jpg", plain_jpeg))
    np.testing.assert_array_equal(out, stored)  # as stored: not turned, not flipped
    assert out[2, 2, 0] > 200 and out[2, 2, 1] < 60  # red still top left


# --- paths ---------------------------------------------------------------------------------------

def test_non_ascii_file_name(tmp_path):
    img = RNG.integers(0, 256, (7, 5, 3), dtype=np.uint8)
    path = tmp_path / "фото ü 图" / "фото ü 图.png"
    path.parent.mkdir()
    images.save_image(path, img)
    np.testing.assert_array_equal(load_image(path), img)
    np.testing.assert_array_equal(load_image(str(path)), img)


# --- bad files -----------------------------------------------------------------------------------

def assert_refused(path, *phrases: str):
    with pytest.raises(ImageError) as info:
        load_image(path)
    message = str(info.value)
    assert path.name in message
    assert str(path.parent) not in message  # the file's name, not the user's folders
    for phrase in phrases:
        assert phrase in message
    return message


def test_missing_file(tmp_path):
    assert_refused(tmp_path / "nowhere.png", "does not exist")


def test_directory(tmp_path):
    (tmp_path / "album.png").mkdir()
    assert_refused(tmp_path / "album.png", "folder")


def test_empty_file(tmp_path):
    assert_refused(write(tmp_path, "empty.png", b""), "empty")


def test_text_renamed_png(tmp_path):
    path = write(tmp_path, "notes.png", b"my notes about convolution\n")
    assert_refused(path, "not an image file")


def test_random_bytes(tmp_path):
    assert_refused(write(tmp_path, "noise.jpg", RNG.bytes(5000)), "not an image file")


def test_a_damaged_png_header(tmp_path):
    assert_refused(write(tmp_path, "bad.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 30), "damaged")


@pytest.mark.parametrize("ext", [".png", ".jpg", ".webp"])
@pytest.mark.parametrize("keep", [0.5, 0.98])
def test_truncated_files(tmp_path, ext, keep):
    img = RNG.integers(0, 256, (64, 64, 3), dtype=np.uint8)  # noise: nothing compresses away
    data = encode(img, ext)
    assert_refused(write(tmp_path, f"cut{ext}", data[: int(len(data) * keep)]), "truncated")


def test_a_png_cut_just_before_its_end_chunk(tmp_path):
    data = encode(quadrants(), ".png")
    assert data.endswith(chunk(b"IEND", b""))
    assert_refused(write(tmp_path, "cut.png", data[:-12]), "truncated")


def test_a_jpeg_without_its_end_marker(tmp_path, plain_jpeg):
    assert plain_jpeg.endswith(b"\xff\xd9")
    assert_refused(write(tmp_path, "cut.jpg", plain_jpeg[:-2]), "truncated")


def test_a_jpeg_with_data_after_its_end_is_fine(tmp_path, plain_jpeg):
    # phones append a video or a depth map after the picture ("motion photos")
    out = load_image(write(tmp_path, "motion.jpg", plain_jpeg + b"\x00" * 100 + b"ftypmp42"))
    assert out.shape == (32, 48, 3)


@pytest.mark.parametrize(("width", "height"), [(40000, 40000), (12000, 9000)])
def test_a_decompression_bomb_is_refused_before_decoding(tmp_path, monkeypatch, width, height):
    rows = np.zeros((4, 3 * 4), np.uint8)
    path = write(tmp_path, "bomb.png", make_png(rows, color_type=2, size=(height, width)))
    no_decoding(monkeypatch)
    assert_refused(path, f"{width}×{height} pixels", "100-megapixel")


@pytest.mark.parametrize(("ext", "params"), [
    (".png", ()), (".jpg", ()), (".bmp", ()), (".tiff", ()), (".ppm", ()), (".pgm", ()),
    (".webp", (cv2.IMWRITE_WEBP_QUALITY, 101)), (".webp", (cv2.IMWRITE_WEBP_QUALITY, 80)),
    (".pfm", ()),
])
def test_every_format_is_measured_before_decoding(tmp_path, monkeypatch, ext, params):
    """The header probe reads each format's true size: one pixel over the limit is refused."""
    img = quadrants(30, 50)
    if ext == ".pgm":
        img = img[:, :, 0]
    if ext == ".pfm":
        img = img.astype(np.float32) / 255
    path = write(tmp_path, f"p{ext}", encode(img, ext, params))
    monkeypatch.setattr(images, "MAX_PIXELS", 30 * 50)
    assert load_image(path).shape[:2] == (30, 50)
    monkeypatch.setattr(images, "MAX_PIXELS", 30 * 50 - 1)
    no_decoding(monkeypatch)
    assert_refused(path, "50×30 pixels")


def test_a_webp_with_a_canvas_header(tmp_path, monkeypatch):
    """Animated or alpha WebP files start with a VP8X chunk holding the canvas size."""
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" \
        + (30000 - 1).to_bytes(3, "little") + (20000 - 1).to_bytes(3, "little")
    data = b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x
    no_decoding(monkeypatch)
    assert_refused(write(tmp_path, "huge.webp", data), "30000×20000 pixels")


def test_a_jpeg_claiming_a_huge_frame(tmp_path, monkeypatch, plain_jpeg):
    sof = plain_jpeg.index(b"\xff\xc0")
    data = bytearray(plain_jpeg)
    data[sof + 5:sof + 9] = struct.pack(">HH", 20000, 20000)
    no_decoding(monkeypatch)
    assert_refused(write(tmp_path, "huge.jpg", bytes(data)), "20000×20000 pixels")


def test_a_file_over_the_size_limit(tmp_path, monkeypatch):
    path = write(tmp_path, "big.png", encode(quadrants(), ".png"))
    monkeypatch.setattr(images, "MAX_FILE_BYTES", 100)
    no_decoding(monkeypatch)
    assert_refused(path, "256 bytes", "limit of 100 bytes for a picture")


def test_a_file_opencv_cannot_decode(tmp_path):
    # a valid PNG structure whose pixel data is not zlib: only the decoder can tell
    data = bytearray(encode(quadrants(), ".png"))
    start = data.index(b"IDAT") + 4
    data[start:start + 20] = b"\xff" * 20
    assert_refused(write(tmp_path, "bad.png", bytes(data)), "could not decode")


def test_decode_image_from_bytes():
    img = quadrants()
    np.testing.assert_array_equal(images.decode_image(encode(img, ".png")), img)
    with pytest.raises(ImageError, match="clipboard"):
        images.decode_image(b"hello", "clipboard")


# --- conversions ---------------------------------------------------------------------------------

def test_to_gray_uses_bt601():
    img = RNG.integers(0, 256, (9, 9, 3), dtype=np.uint8)
    expected = img @ np.array([0.299, 0.587, 0.114])
    out = images.to_gray(img)
    assert out.shape == (9, 9) and out.dtype == np.uint8
    np.testing.assert_allclose(out, expected, atol=1)
    gray = img[:, :, 0]
    assert images.to_gray(gray) is gray
    with pytest.raises(ValueError):
        images.to_gray(np.zeros((3, 3, 2), np.uint8))


def test_to_rgb_from_opencv_frames():
    bgr = RNG.integers(0, 256, (4, 5, 3), dtype=np.uint8)
    np.testing.assert_array_equal(images.to_rgb(bgr), bgr[:, :, ::-1])
    gray = bgr[:, :, 0]
    np.testing.assert_array_equal(images.to_rgb(gray), np.stack([gray] * 3, axis=2))
    bgra = np.concatenate([bgr, np.zeros((4, 5, 1), np.uint8)], axis=2)  # all transparent
    np.testing.assert_array_equal(images.to_rgb(bgra), np.full((4, 5, 3), 255))
    with pytest.raises(ValueError):
        images.to_rgb(bgr.astype(np.float32))


def test_resize_to_fit_shrinks_with_area_averaging():
    img = RNG.integers(0, 256, (40, 80, 3), dtype=np.uint8)
    out = images.resize_to_fit(img, 20)
    assert out.shape == (10, 20, 3)
    block_means = img.reshape(10, 4, 20, 4, 3).mean(axis=(1, 3))  # what INTER_AREA computes
    np.testing.assert_allclose(out, block_means, atol=1)


def test_resize_to_fit_never_enlarges():
    img = np.zeros((30, 20), np.uint8)
    assert images.resize_to_fit(img, 30) is img
    assert images.resize_to_fit(img, 1000) is img
    assert images.resize_to_fit(img, 15).shape == (15, 10)
    assert images.resize_to_fit(np.zeros((1, 500), np.uint8), 10).shape == (1, 10)
    for bad in (0, -5, 2.5, True):
        with pytest.raises(ValueError):
            images.resize_to_fit(img, bad)


# --- saving --------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(6, 7, 3), (6, 7), (6, 7, 4)])
def test_save_image_round_trip(tmp_path, shape):
    img = RNG.integers(0, 256, shape, dtype=np.uint8)
    path = tmp_path / "frozen frame.png"
    images.save_image(path, img)
    raw = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_UNCHANGED)
    if len(shape) == 3:
        raw = cv2.cvtColor(raw, cv2.COLOR_BGR2RGB if shape[2] == 3 else cv2.COLOR_BGRA2RGBA)
    np.testing.assert_array_equal(raw, img)


def test_save_image_refuses_what_it_cannot_write(tmp_path):
    img = np.zeros((4, 4, 3), np.uint8)
    with pytest.raises(ImageError, match=r"not \.xyz"):
        images.save_image(tmp_path / "a.xyz", img)
    with pytest.raises(ImageError, match="float32"):
        images.save_image(tmp_path / "a.png", img.astype(np.float32))
    with pytest.raises(ImageError, match="shape"):
        images.save_image(tmp_path / "a.png", np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(ImageError, match=r"could not write a\.png: the folder “no such "
                                         r"folder” does not exist"):
        images.save_image(tmp_path / "no such folder" / "a.png", img)


# --- what is not a picture file at all, and pictures float32 cannot hold ------------------------

@needs_fifo
def test_a_named_pipe_is_refused_before_it_is_opened(tmp_path):
    with named_pipe(tmp_path / "stream.png") as pipe:
        assert_refused(pipe, "stream.png is a named pipe (FIFO), not a regular file")


@needs_dev_zero
def test_a_device_is_refused_before_any_byte_is_read(monkeypatch):
    no_decoding(monkeypatch)
    with pytest.raises(ImageError, match="zero is a device, not a regular file"):
        load_image("/dev/zero")


@needs_dev_zero
@needs_symlinks
def test_a_link_to_a_device_is_refused(tmp_path):
    link = tmp_path / "holiday.jpg"
    link.symlink_to("/dev/zero")
    assert_refused(link, "holiday.jpg is a device, not a regular file")


def test_a_socket_is_refused(tmp_path):
    with unix_socket(tmp_path / "s.png") as path:
        assert_refused(path, "s.png is a socket, not a regular file")


def test_float_pixels_beyond_float32_are_refused_with_a_message(tmp_path):
    pixels = np.full((8, 8), 0.5)
    pixels[2, 3] = 1e39  # float32 holds up to 3.4e38: this would become infinity
    path = write(tmp_path, "sky.tiff", encode(pixels, ".tiff"))
    assert_refused(path, "sky.tiff holds pixel values up to 1e+39", "float32")
    pixels[2, 3] = -3e38  # within float32: stretched as any other range
    out = load_image(write(tmp_path, "ok.tiff", encode(pixels, ".tiff")))
    assert out.dtype == np.uint8 and out[2, 3] == 0 and out[0, 0] == 255


# --- saving: exactly the path given, whole or not at all ----------------------------------------

@pytest.mark.parametrize(("suffix", "magic"), [
    (".png", b"\x89PNG"), (".jpg", b"\xff\xd8\xff"), (".JPEG", b"\xff\xd8\xff"),
    (".bmp", b"BM"), (".tif", b"II*\x00"), (".webp", b"RIFF"),
])
def test_the_suffix_picks_the_format(tmp_path, suffix, magic):
    img = quadrants()
    path = images.save_image(tmp_path / f"slide{suffix}", img)
    assert path == tmp_path / f"slide{suffix}"
    assert path.read_bytes().startswith(magic)
    back = load_image(path)
    # every format keeps the four colours (JPEG and WebP within a few levels, away from edges)
    for row, col in ((8, 12), (8, 36), (24, 12), (24, 36)):
        assert np.abs(back[row, col].astype(int) - img[row, col].astype(int)).max() <= 8


def test_an_unknown_suffix_is_refused_and_no_other_file_is_touched(tmp_path):
    png = tmp_path / "report.png"
    png.write_bytes(OLD_BYTES)
    with pytest.raises(ImageError) as info:
        images.save_image(tmp_path / "report.v2", quadrants())
    assert str(info.value) == ("report.v2: a picture is saved as .bmp, .jpeg, .jpg, .png, .tif, "
                               ".tiff or .webp, not .v2")
    assert png.read_bytes() == OLD_BYTES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.png"]


def test_a_folder_is_refused_and_nothing_is_written_beside_it(tmp_path, monkeypatch):
    (tmp_path / "slides").mkdir()
    monkeypatch.chdir(tmp_path)
    for given in ("slides/", "slides", "new.png/"):
        with pytest.raises(ImageError, match="folder"):
            images.save_image(given, quadrants())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slides"]
    assert list((tmp_path / "slides").iterdir()) == []


def test_a_full_disk_leaves_the_previous_picture_intact(tmp_path, monkeypatch):
    path = tmp_path / "slide.png"
    path.write_bytes(OLD_BYTES)
    fill_disk_after(monkeypatch, 100)
    with pytest.raises(ImageError) as info:
        images.save_image(path, RNG.integers(0, 256, (64, 64, 3), dtype=np.uint8))
    monkeypatch.undo()
    assert str(info.value) == ("could not write slide.png: the disk is full (the previous "
                               "slide.png is unchanged)")
    assert path.read_bytes() == OLD_BYTES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slide.png"]


def test_without_overwrite_an_existing_picture_is_kept(tmp_path):
    path = tmp_path / "slide.png"
    path.write_bytes(OLD_BYTES)
    with pytest.raises(ImageError, match=r"slide\.png already exists"):
        images.save_image(path, quadrants(), overwrite=False)
    assert path.read_bytes() == OLD_BYTES


def test_a_tiff_that_would_decode_to_too_much_memory_is_refused_before_decoding(tmp_path,
                                                                               monkeypatch):
    """Pixels of four 64-bit floats take 32 bytes each: the header says so before decoding."""
    ok, data = cv2.imencode(".tiff", np.full((30, 40, 4), 0.5, np.float64))
    assert ok
    path = write(tmp_path, "deep.tiff", data.tobytes())
    monkeypatch.setattr(images, "MAX_DECODED_BYTES", 30 * 40 * 32)
    assert load_image(path).shape == (30, 40, 3)
    monkeypatch.setattr(images, "MAX_DECODED_BYTES", 30 * 40 * 32 - 1)
    no_decoding(monkeypatch)
    assert_refused(path, "deep.tiff holds 32 bytes a pixel", "40×30 pixels")
