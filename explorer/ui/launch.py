"""Build the application from the command-line options: the window, or a batch screenshot."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

DEFAULT_SAMPLE = "astronaut.png"
SCREENSHOT_SIZE = (1440, 900)
SCREENSHOT_TIMEOUT_MS = 60_000


def _fail(message: str) -> int:
    print(f"cnn-explorer: {message}", file=sys.stderr)
    return 2


def launch(args: argparse.Namespace) -> int:
    """Run the app for parsed options; returns the process exit code.

    A batch run (``--screenshot`` or ``--save-animation``) exits with one line on stderr and a
    non-zero code on every fault, never replaces a file without ``--overwrite``, and never
    writes the user's settings.
    """
    animation = args.save_animation is not None
    batch = args.screenshot is not None or animation
    if batch and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a batch export needs no screen
    if animation:
        return _save_animation(args)

    # Check what the user typed before any window exists: a typo exits with one line.
    from explorer.core import images, kernels, safe_files

    overwrite = bool(getattr(args, "overwrite", False))
    if batch:
        if not args.screenshot.strip():
            return _fail("--screenshot needs a file name, such as --screenshot sobel.png")
        try:
            images.check_save_path(args.screenshot, overwrite=overwrite)
        except images.ImageError as exc:
            return _fail(_with_overwrite_hint(exc))
    if args.preset:
        try:
            kernels.get(args.preset)
        except ValueError as exc:
            return _fail(str(exc))
    for given, what in ((args.image, "image"), (args.video, "video")):
        # a pipe or a device would block the start, or never end
        problem = safe_files.regular_file_problem(given) if given else None
        if problem == "does not exist":
            return _fail(f"no {what} file at {given}")
        if problem is not None:
            return _fail(f"{given} {problem}")
    if args.camera is not None and args.camera < 0:
        return _fail("the camera number must be 0 or more")
    if args.step_through:
        from explorer.core.stepthrough import example

        try:
            example(args.step_through)
        except ValueError as exc:
            return _fail(str(exc))

    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from explorer.ui import settings_io

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(settings_io.ORGANIZATION)
    app.setApplicationName(settings_io.APPLICATION)
    app.setApplicationDisplayName("CNN Explorer")

    from explorer.ui.main_window import MainWindow

    window = MainWindow(restore_settings=not batch)
    if batch:
        return _batch(app, window, args, overwrite)
    _install_excepthook(window)  # a batch export reports errors through its exit code
    if not _open_first_picture(window, args):
        window.shutdown()
        return _fail(window.banner.text() or f"cannot open {args.image}")
    if args.preset:
        window.kernel_editor.apply_preset_to_all(args.preset)
    if args.step_through:
        window.tabs.setCurrentWidget(window.stepthrough)
        window.stepthrough.select_example(args.step_through)
    window.show()
    # a live source starts after the still: a camera that fails leaves the photo on screen
    if args.camera is not None:
        window.start_camera(args.camera)
    elif args.video:
        window.open_video(args.video)
    return app.exec()


def _with_overwrite_hint(exc: ValueError) -> str:
    from explorer.core.safe_files import TargetExists

    if isinstance(exc, TargetExists) or isinstance(exc.__cause__, TargetExists):
        return f"{exc}; add --overwrite to replace it"
    return str(exc)


def _save_animation(args: argparse.Namespace) -> int:
    """Batch: the step-through of one example as an animation file; no window, no settings."""
    from explorer.core.animation import check_frame_ms, check_writable, save_animation
    from explorer.core.stepthrough import example, walk

    if not args.step_through:
        return _fail("--save-animation needs --step-through EXAMPLE")
    if not args.save_animation.strip():
        return _fail("--save-animation needs a file name, such as --save-animation edge.gif")
    try:
        walkthrough = walk(example(args.step_through))
        out = check_writable(args.save_animation)
        frame_ms = check_frame_ms(args.frame_ms)
    except ValueError as exc:
        return _fail(str(exc))
    if out.exists() and not getattr(args, "overwrite", False):
        return _fail(f"{out} exists; add --overwrite to replace it")

    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication(sys.argv[:1])
    from explorer.ui.step_frames import frame_steps, render_frames

    try:
        save_animation(render_frames(walkthrough, frame_steps(walkthrough)), out, frame_ms)
    except ValueError as exc:
        return _fail(str(exc))
    return 0


def _install_excepthook(window) -> None:
    """An unexpected error in a Qt slot becomes a message in the window, not a dead app.

    The traceback still goes to stderr for a bug report; the user sees one sentence.
    """
    import traceback

    def hook(kind, value, tb) -> None:
        traceback.print_exception(kind, value, tb)
        with contextlib.suppress(RuntimeError):  # the window may already be gone
            window.show_error(f"Something went wrong ({kind.__name__}: {value}). "
                              "Your settings are kept; details are in the terminal.")

    sys.excepthook = hook


def _batch(app, window, args: argparse.Namespace, overwrite: bool) -> int:
    """Open the picture, apply the preset, save the screenshot; the exit code says how it went.

    The picture is loaded here, not through ``window.open_image``, which remembers it in the
    user's recent files: a batch run leaves the user's settings alone.
    """
    from explorer.core import images
    from explorer.resources import resource_path

    path = Path(args.image) if args.image else resource_path("samples", DEFAULT_SAMPLE)
    try:
        picture = images.load_image(path)
    except ValueError as exc:
        window.shutdown()
        return _fail(str(exc))
    window.set_image(picture, path.name)
    if args.preset:
        window.kernel_editor.apply_preset_to_all(args.preset)
    with _quiet_offscreen_notices():
        return _screenshot(app, window, Path(args.screenshot), overwrite)


@contextlib.contextmanager
def _quiet_offscreen_notices():
    """Keep a script's stderr to one line a fault: drop the offscreen platform's notice that
    it cannot size native windows (it says nothing about the run); pass on everything else."""
    from PySide6.QtCore import qInstallMessageHandler

    previous = None

    def handler(kind, context, message: str) -> None:
        if "propagateSizeHints" in message:
            return
        if previous is not None:
            previous(kind, context, message)
        else:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def _open_first_picture(window, args: argparse.Namespace) -> bool:
    from explorer.core.safe_files import regular_file_problem
    from explorer.resources import resource_path
    from explorer.ui import settings_io

    if args.image:
        return window.open_image(args.image)
    last = settings_io.last_picture()
    # a damaged setting (a name too long for the system, a null character, a pipe) is skipped
    if last is not None and regular_file_problem(last) is None and window.open_image(last):
        return True
    window.banner.dismiss()  # a vanished last picture is no error: fall back to a sample
    return window.open_image(resource_path("samples", DEFAULT_SAMPLE))


def _screenshot(app, window, out: Path, overwrite: bool) -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    window.resize(*SCREENSHOT_SIZE)
    window.show()
    loop = QEventLoop()
    outcome: dict[str, str] = {}
    window.result_shown.connect(lambda _r: loop.quit())
    window.error_shown.connect(lambda m: (outcome.setdefault("error", m), loop.quit()))
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, loop.quit)
    window.request_compute()
    if window.last_result is None and "error" not in outcome:
        loop.exec()
    code = 0
    if window.last_result is None:
        code = _fail(outcome.get("error", "the layer did not finish in time"))
    else:
        for _ in range(5):  # let layouts settle and tiles paint
            app.processEvents()
        try:
            from explorer.ui.export import save_widget

            save_widget(window, out, 1, overwrite=overwrite)
        except ValueError as exc:  # e.g. a file made there while the layer was computed
            code = _fail(_with_overwrite_hint(exc))
    window.shutdown()
    window.close()
    return code
