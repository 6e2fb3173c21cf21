"""Entry point: ``cnn-explorer`` and ``python -m explorer``."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cnn-explorer",
        description="See convolution, padding, stride, pooling and parameter sharing "
        "happen on your own picture or webcam.",
    )
    p.add_argument("--image", metavar="PATH", help="open this picture (default: a sample photo)")
    p.add_argument("--preset", metavar="NAME", help="apply this kernel preset to every filter")
    p.add_argument("--camera", metavar="N", type=int,
                   help="start on webcam number N (0 is the first)")
    p.add_argument("--video", metavar="PATH", help="start on a video file (it loops)")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="build the window offscreen, wait for the result, save it and exit; "
                   "the suffix picks the format (.png, .jpg, .bmp, .tif, .webp)")
    p.add_argument("--overwrite", action="store_true",
                   help="let --screenshot or --save-animation replace an existing file "
                   "(without it, they refuse)")
    p.add_argument("--step-through", metavar="EXAMPLE",
                   help="open the step-through on a worked example (lecture-edge, "
                   "lecture-volume, strides, dilation, transposed, max-pool, …)")
    p.add_argument("--save-animation", metavar="OUT.gif",
                   help="with --step-through: save the example as a GIF, an MP4 or numbered "
                   "PNG frames (by the suffix) at 1280×720 and exit")
    p.add_argument("--frame-ms", metavar="MS", type=int, default=800,
                   help="how long each step of a saved animation lasts (default 800)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from explorer.ui.launch import launch

    return launch(args)


if __name__ == "__main__":
    sys.exit(main())
