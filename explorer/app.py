"""Entry point: ``cnn-explorer`` and ``python -m explorer``."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class _Parser(argparse.ArgumentParser):
    """A typo costs a script one line on stderr and exit code 2, like every other fault."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


PANELS = ("window", "maps", "pooled", "stages", "input", "kernels", "layers", "parameters",
          "text", "network", "training", "step")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="cnn-explorer",
        description="See convolution, padding, stride, pooling and parameter sharing "
        "happen on your own picture or webcam.",
        epilog="Batch: with --screenshot the window is built offscreen, the result is saved and "
        "the program exits: 0 when the picture was written; otherwise 2, with one line on "
        "stderr naming the problem (a bad value, a missing camera, a broken video, a file "
        "that exists). A batch run never writes the app's settings. Example: cnn-explorer "
        "--image photo.jpg --preset sobel_x,sobel_y --panel maps --theme light --scale 2 "
        "--screenshot edges.png",
    )
    source = p.add_argument_group("picture")
    source.add_argument("--image", metavar="PATH",
                        help="open this picture (default: the last one, or a sample photo)")
    source.add_argument("--camera", metavar="N", type=int,
                        help="start on webcam number N (0 is the first); with --screenshot, "
                        "the first frame it gives")
    source.add_argument("--video", metavar="PATH",
                        help="start on a video file (it loops); with --screenshot, its first "
                        "frame")
    source.add_argument("--session", metavar="FILE",
                        help="open a saved session: its stack, kernels, picture and every "
                        "tab's settings (--image, --tab and the layer options below change it)")
    source.add_argument("--tab", metavar="NAME",
                        help="open on this tab: explorer, parameters, translation, "
                        "step-through, text, network or training")
    layer = p.add_argument_group("the first layer (as in the Layers dock)")
    layer.add_argument("--stack", metavar="PRESET",
                       help="start from a stack preset: single, lecture_x2 (conv → ReLU → pool "
                       "twice), tinyvgg (three stages) or lecture_fc (conv → ReLU → pool twice, "
                       "then a dense head with class scores); the options below change its "
                       "first layer")
    layer.add_argument("--preset", metavar="NAME[,NAME…]",
                       help="kernel presets: one name for every filter, or a comma list with "
                       "one per filter (sets the number of filters); the kernel grows to fit "
                       "the largest")
    layer.add_argument("--filters", metavar="N", help="number of filters, 1 to 32")
    layer.add_argument("--kernel-size", metavar="K|RxC",
                       help="kernel size, 1 to 15: 3, or rows x columns such as 5x3")
    layer.add_argument("--stride", metavar="S", help="stride, 1 to 16")
    layer.add_argument("--padding", metavar="P",
                       help="valid, same, full, or pixels of padding on each side: 2, or 2x1 "
                       "(rows x columns), 0 to 64")
    layer.add_argument("--pool", metavar="MODE", help="pooling after the activation: none, "
                       "max or avg (2×2, stride 2)")
    layer.add_argument("--activation", metavar="NAME",
                       help="relu, leaky_relu, tanh, sigmoid, abs or identity")
    batch = p.add_argument_group("batch export")
    batch.add_argument("--screenshot", metavar="OUT.png",
                       help="build the window offscreen, wait for the result, save it and exit; "
                       "the suffix picks the format (.png, .jpg, .bmp, .tif, .webp)")
    batch.add_argument("--panel", choices=PANELS, default="window",
                       help="what --screenshot pictures: the whole window (default); maps, "
                       "pooled or stages (a slide: every map with a colour bar and its "
                       "numbers); input; kernels; layers; parameters (the Parameters tab's "
                       "chart, the picture its PNG export gives); text (the 1-D tab's teaching "
                       "picture: the sentence matrix, the filters' responses with their n-grams, "
                       "max-over-time and the answer); network (the Network tab's page as a "
                       "slide: the picture, its top-5 and a layer's maps, the learned filters, "
                       "or a channel's top-9 patches, as --session sets it); training (the "
                       "Training tab's teaching picture of the digit network trained with the "
                       "session's settings: its curves, first layer and confusion matrix); step "
                       "(the step-through's step on show as a 1280×720 slide)")
    batch.add_argument("--scale", type=int, choices=(1, 2, 3), default=1,
                       help="resolution of --screenshot: 1 (as on screen), 2 or 3 (slides)")
    batch.add_argument("--theme", choices=("dark", "light"),
                       help="for --panel maps, pooled or stages: a dark page as on screen "
                       "(default), or a white one with dark text for slides; for --panel "
                       "step: a white page as an exported frame (default), or presentation "
                       "mode's black one with its large type")
    batch.add_argument("--export-code", metavar="OUT.py",
                       help="write the stack (as set up by --session and the layer options) "
                       "as runnable PyTorch code with its weights and exit; many weights go "
                       "to OUT.npz beside it")
    batch.add_argument("--overwrite", action="store_true",
                       help="let --screenshot, --save-animation or --export-code replace an "
                       "existing file "
                       "(without it, they refuse)")
    steps = p.add_argument_group("step-through")
    steps.add_argument("--step-through", metavar="EXAMPLE",
                       help="open the step-through on a worked example (lecture-edge, "
                       "lecture-volume, strides, dilation, transposed, max-pool, …)")
    steps.add_argument("--save-animation", metavar="OUT.gif",
                       help="with --step-through: save the example as a GIF, an MP4 or "
                       "numbered PNG frames (by the suffix) at 1280×720 and exit")
    steps.add_argument("--step", metavar="N", type=int,
                       help="open the step-through on step N (1 is the first), as its "
                       "\"step N of …\" says; with --panel step, the step pictured")
    steps.add_argument("--frame-ms", metavar="MS", type=int, default=800,
                       help="how long each step of a saved animation lasts (default 800)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from explorer.ui.launch import launch

    return launch(args)


if __name__ == "__main__":
    sys.exit(main())
