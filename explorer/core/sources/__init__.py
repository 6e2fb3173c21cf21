"""Frame sources: the webcam, a video file, a synthetic scene or a still, read on their own thread.

See docs/architecture.md, "The live path". A :class:`CaptureThread` owns one
:class:`FrameSource`: it builds, opens, reads and releases it inside its own ``run()`` (capture
objects are not safe to share between threads), and writes every picture into a one-slot
:class:`LatestFrame` box. Nothing is queued:
a slow consumer sees the newest frame, and the box counts the frames it never saw.

Every picture that leaves this package is RGB uint8 of shape (H, W, 3), C-contiguous and
read-only (several readers may hold the same frame). Faults raise :class:`SourceError`, whose
message is meant for the status bar as is.

The package holds one purpose per module: ``base`` (the FrameSource contract and SourceError),
``box`` (Frame, LatestFrame), ``synthetic`` (synthetic scene, still picture), ``opencv``
(what the file and camera sources share), ``video``, ``camera`` and ``capture`` (the thread).
"""

from explorer.core.sources.base import FrameSource, SourceError
from explorer.core.sources.box import Frame, LatestFrame
from explorer.core.sources.camera import CameraSource, list_cameras
from explorer.core.sources.capture import CaptureThread
from explorer.core.sources.synthetic import StillSource, SyntheticSource
from explorer.core.sources.video import VideoFileSource

__all__ = [
    "CameraSource",
    "CaptureThread",
    "Frame",
    "FrameSource",
    "LatestFrame",
    "SourceError",
    "StillSource",
    "SyntheticSource",
    "VideoFileSource",
    "list_cameras",
]
