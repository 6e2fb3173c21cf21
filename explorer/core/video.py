"""MP4 video that plays everywhere: H.264 in 4:2:0 colour, as browsers and slide software expect.

:class:`H264Writer` encodes RGB frames with libx264 through PyAV (whose wheels carry FFmpeg's
libraries and x264: nothing is downloaded at run time). Each frame lasts ``frame_ms``
exactly: the stream's time base is the frame, so 800 ms frames are 1.25 frames a second. The
index goes to the front of the file (``faststart``), so a web page plays the video before it
has all of it. :func:`video_codec` says what a written file holds.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import numpy as np

CODEC = "libx264"
PIXEL_FORMAT = "yuv420p"  # the one every browser decodes
QUALITY = "18"  # x264's constant rate factor: text and thin grid lines stay sharp


def _even(frame: np.ndarray) -> np.ndarray:
    """4:2:0 colour needs an even width and height: an odd one gets its last row or column
    once more."""
    h, w = frame.shape[:2]
    if h % 2 == 0 and w % 2 == 0:
        return frame
    return np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")


class H264Writer:
    """Frames of one size into an MP4 file at ``path``; :meth:`close` ends it. Raises
    ValueError with a sentence when the video cannot be written."""

    def __init__(self, path: str | os.PathLike, frame_ms: int) -> None:
        import av  # its FFmpeg libraries load only when a video is written

        try:
            self._container = av.open(os.fspath(path), mode="w", format="mp4",
                                      options={"movflags": "+faststart"})
        except (OSError, av.FFmpegError) as exc:
            raise ValueError(f"cannot write the video {Path(path).name}: {exc}") from None
        try:
            self._stream = self._container.add_stream(CODEC, rate=Fraction(1000, frame_ms))
        except (ValueError, av.FFmpegError) as exc:  # an FFmpeg built without x264
            self._container.close()
            raise ValueError(f"this installation cannot write H.264 video ({exc}): save a "
                             "GIF or PNG frames instead") from None
        self._stream.pix_fmt = PIXEL_FORMAT
        self._stream.options = {"crf": QUALITY}
        self._size: tuple[int, int] | None = None
        self._count = 0

    def write(self, frame: np.ndarray) -> None:
        """Append one RGB uint8 frame."""
        import av

        f = _even(np.ascontiguousarray(frame))
        if self._size is None:
            self._size = (f.shape[1], f.shape[0])
            self._stream.width, self._stream.height = self._size
        picture = av.VideoFrame.from_ndarray(f, format="rgb24")
        picture.pts = self._count
        self._count += 1
        self._mux(self._stream.encode(picture))

    def close(self) -> None:
        """Flush the encoder and close the file (idempotent)."""
        if self._container is None:
            return
        container, self._container = self._container, None
        try:
            if self._count:
                self._mux(self._stream.encode(None), container)
        finally:
            container.close()

    def _mux(self, packets, container=None) -> None:
        (container or self._container).mux(packets)


def video_codec(path: str | os.PathLike) -> tuple[str, str]:
    """The codec and pixel format of a video file's first video stream, as FFmpeg names
    them (``("h264", "yuv420p")``); ValueError when the file holds no video."""
    import av

    try:
        with av.open(os.fspath(path)) as container:
            if not container.streams.video:
                raise ValueError(f"{Path(path).name} holds no video")
            context = container.streams.video[0].codec_context
            return context.name, context.pix_fmt or ""
    except av.FFmpegError as exc:
        raise ValueError(f"cannot read the video {Path(path).name}: {exc}") from None
