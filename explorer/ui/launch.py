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
    """Run the app for parsed options; returns the process exit code."""
    batch = args.screenshot or args.save_animation
    if batch and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a batch export needs no screen
    if args.save_animation:
        return _save_animation(args)

    # Check what the user typed before any window exists: a typo exits with one line.
    from explorer.core import kernels

    if args.preset:
        try:
            kernels.get(args.preset)
        except ValueError as exc:
            return _fail(str(exc))
    if args.image and not Path(args.image).is_file():
        return _fail(f"no image file at {args.image}")
    if args.video and not Path(args.video).is_file():
        return _fail(f"no video file at {args.video}")
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

    window = MainWindow(restore_settings=not args.screenshot)
    if not args.screenshot:  # a batch export reports errors through its exit code
        _install_excepthook(window)
    if not _open_first_picture(window, args):
        window.shutdown()
        return _fail(window.banner.text() or f"cannot open {args.image}")
    if args.preset:
        window.kernel_editor.apply_preset_to_all(args.preset)
    if args.screenshot:
        return _screenshot(app, window, Path(args.screenshot))
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


def _save_animation(args: argparse.Namespace) -> int:
    """Batch: the step-through of one example as an animation file; no window, no settings."""
    from explorer.core.animation import check_frame_ms, check_writable, save_animation
    from explorer.core.stepthrough import example, walk

    if not args.step_through:
        return _fail("--save-animation needs --step-through EXAMPLE")
    try:
        walkthrough = walk(example(args.step_through))
        out = check_writable(args.save_animation)
        frame_ms = check_frame_ms(args.frame_ms)
    except ValueError as exc:
        return _fail(str(exc))

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


def _open_first_picture(window, args: argparse.Namespace) -> bool:
    from explorer.resources import resource_path
    from explorer.ui import settings_io

    if args.image:
        return window.open_image(args.image)
    last = None if args.screenshot else settings_io.settings().value("source/last")
    if isinstance(last, str) and Path(last).is_file() and window.open_image(last):
        return True
    window.banner.hide()  # a vanished last picture is no error: fall back to a sample
    return window.open_image(resource_path("samples", DEFAULT_SAMPLE))


def _screenshot(app, window, out: Path) -> int:
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
            from explorer.ui.export import save_widget_png

            save_widget_png(window, out, 1)
        except ValueError as exc:
            code = _fail(str(exc))
    window.shutdown()
    window.close()
    return code
