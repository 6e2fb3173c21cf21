"""Build the application from the command-line options: the window, or a batch screenshot."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

DEFAULT_SAMPLE = "astronaut.png"
SCREENSHOT_SIZE = (1440, 900)
SCREENSHOT_TIMEOUT_MS = 60_000
LIVE_TIMEOUT_MS = 30_000  # a camera or video that gives no picture in this time has failed
SLIDE_PANELS = ("maps", "pooled", "stages")
PANEL_TARGETS = {  # --panel → File > Export view's target (parameters: the tab's chart)
    "window": "Whole window", "maps": "Feature maps", "pooled": "Pooled maps",
    "stages": "Every stage", "input": "Input and receptive field", "kernels": "Kernel editor",
    "layers": "Layer controls", "parameters": "Current tab", "text": "Current tab",
    "network": "Current tab", "training": "Current tab",
}
STEP_PANEL = "step"  # the step-through's step on show, as the slide its export paints
# --panel → the tab it pictures
PANEL_TABS = {"parameters": "parameters", "text": "text", "network": "network",
              "training": "training", STEP_PANEL: "step-through"}
TRAINING_TIMEOUT_MS = 900_000  # training the digit network for --panel training


def _fail(message: str) -> int:
    print(f"cnn-explorer: {message}", file=sys.stderr)
    return 2


def launch(args: argparse.Namespace) -> int:
    """Run the app for parsed options; returns the process exit code.

    A batch run (``--screenshot``, ``--save-animation`` or ``--export-code``) exits with one
    line on stderr and a non-zero code on every fault, never replaces a file without
    ``--overwrite``, and never writes the user's settings.
    """
    animation = args.save_animation is not None
    code = getattr(args, "export_code", None) is not None
    batch = args.screenshot is not None or animation or code
    if batch and "QT_QPA_PLATFORM" not in os.environ:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a batch export needs no screen
    if batch:
        # FFmpeg's own notes on a damaged video ("moov atom not found") would add lines to the
        # one a script gets; OpenCV reads this when it first loads FFmpeg (-8: quiet)
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
        with _libraries_quiet():
            return _save_animation(args) if animation else _launch(args, batch)
    return _launch(args, batch)


@contextlib.contextmanager
def _libraries_quiet():
    """Batch: what libraries print to the process's stderr themselves (OpenCV's AVI reader
    writes "Unexpected list type…" with the file's raw bytes) goes nowhere, while Python's
    ``sys.stderr`` keeps the real one: a fault is the app's one line, nothing more."""
    sys.stderr.flush()
    try:
        real = os.dup(2)
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:  # no stderr to speak of: nothing to keep quiet
        yield
        return
    try:
        to_fd_2 = sys.stderr.fileno() == 2
    except (AttributeError, OSError, ValueError):  # replaced by a caller (a test captures it)
        to_fd_2 = False
    os.dup2(null, 2)
    os.close(null)
    previous = sys.stderr
    if to_fd_2:  # Python's own stderr keeps the real one
        sys.stderr = open(real, "w", encoding=getattr(previous, "encoding", None) or "utf-8",  # noqa: SIM115
                          errors="backslashreplace", closefd=False)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr = previous
        os.dup2(real, 2)
        os.close(real)


def _launch(args: argparse.Namespace, batch: bool) -> int:

    # Check what the user typed before any window exists: a typo exits with one line.
    from explorer.core import images, safe_files
    from explorer.ui.cli_options import parse_layer_options

    overwrite = bool(getattr(args, "overwrite", False))
    if batch and args.screenshot is not None:
        if not args.screenshot.strip():
            return _fail("--screenshot needs a file name, such as --screenshot sobel.png")
        try:
            images.check_save_path(args.screenshot, overwrite=overwrite)
        except images.ImageError as exc:
            return _fail(_with_overwrite_hint(exc))
        problem = _export_choice_problem(args)
        if problem:
            return _fail(problem)
    try:
        options = parse_layer_options(args)
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
    tab = getattr(args, "tab", None)
    if tab is not None:
        from explorer.state.limits import TAB_KEYS

        if tab not in TAB_KEYS:
            return _fail(f"there is no tab {tab!r}: use one of {', '.join(TAB_KEYS)}")
    session = getattr(args, "session", None)
    if session is not None and batch:
        from explorer.state.session import read_session

        try:  # a batch run refuses a damaged session before any window exists
            args.session_read = read_session(session)
        except ValueError as exc:
            return _fail(str(exc))
    problem = _step_problem(args)
    if problem:
        return _fail(problem)

    if getattr(args, "export_code", None) is not None:
        return _export_code(args, options)

    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from explorer.ui import settings_io

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(settings_io.ORGANIZATION)
    app.setApplicationName(settings_io.APPLICATION)
    app.setApplicationDisplayName("CNN Explorer")

    from explorer.ui.cli_options import apply_layer_options
    from explorer.ui.main_window import MainWindow

    if batch:
        return _batch(app, args, overwrite, options)
    settings_io.open_settings()  # before any window: a pipe or a loop there never blocks it
    window = MainWindow()
    _install_excepthook(window)  # a batch export reports errors through its exit code
    _close_on_signals(app, window)
    # a damaged session is refused with the reason in the window; the rest still opens
    opened = session is not None and window.open_session(session)
    if not (opened and args.image is None and window.document.still.image is not None) \
            and not _open_first_picture(window, args):
        window.shutdown()
        return _fail(window.banner.text() or f"cannot open {args.image}")
    try:
        apply_layer_options(options, window.document)
    except ValueError as exc:  # checked already; a restored stack may still refuse a value
        window.show_error(str(exc))
    _open_step(window.document, args)
    if tab is not None:
        window.document.display.tab = tab
    window.show()
    # a live source starts after the still: a camera that fails leaves the photo on screen
    if args.camera is not None:
        window.start_camera(args.camera)
    elif args.video:
        window.open_video(args.video)
    code = app.exec()
    _tear_down(app, window)
    return code


def _close_on_signals(app, window) -> None:
    """Close the window as a quit does (keeping the session) when the system ends the app:
    SIGTERM at logout or shutdown, SIGHUP when its terminal goes, Ctrl+C (SIGINT).

    Python runs a signal handler only between its own bytecodes, never while Qt's event loop
    waits in C++; the signal's byte on a socket pair wakes the loop through a notifier."""
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT")
              if hasattr(signal, name)]
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def woken() -> None:
        with contextlib.suppress(OSError):
            reader.recv(64)

    def ended(_signum, _frame) -> None:
        window.close()  # closeEvent keeps the settings and the session
        app.quit()

    notifier.activated.connect(woken)
    previous = {number: signal.signal(number, ended) for number in wanted}

    def restore() -> None:
        notifier.setEnabled(False)
        signal.set_wakeup_fd(-1)
        for number, handler in previous.items():
            signal.signal(number, handler)
        reader.close()
        writer.close()

    app.aboutToQuit.connect(restore)


def _tear_down(app, window) -> None:
    """Destroy the window while the application still runs: left to the interpreter's exit,
    the order in which Qt objects and their Python wrappers go is arbitrary, and a pyqtgraph
    item can be handed an event after its scene is gone (a segfault after a clean quit)."""
    from PySide6.QtCore import QEvent

    window.shutdown()
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _export_code(args: argparse.Namespace, options) -> int:
    """Batch: the stack as PyTorch code; no window, no picture needed, no settings."""
    from explorer.core.torch_export import write_stack_code
    from explorer.state import Document
    from explorer.state.session import apply_session
    from explorer.ui.cli_options import apply_layer_options

    document = Document()
    try:
        if getattr(args, "session_read", None) is not None:
            apply_session(document, args.session_read)
        apply_layer_options(options, document)
        n = len(document.stack)
        written = write_stack_code(args.export_code, document.stack_specs(),
                                   f"The CNN Explorer stack of {n} layer{'s' if n > 1 else ''}",
                                   overwrite=bool(getattr(args, "overwrite", False)))
    except ValueError as exc:
        return _fail(_with_overwrite_hint(exc))
    for path in written:
        print(path)
    return 0


def _step_problem(args: argparse.Namespace) -> str:
    """Why --step-through and --step cannot be shown, or ''; checked before any window."""
    step = getattr(args, "step", None)
    if step is not None and step < 1:
        return f"--step counts from 1 (the first step), not {step}"
    if not args.step_through:
        return ""  # the session's example, or the tab's own: checked once it is built
    from explorer.core.stepthrough import example, walk

    try:
        walkthrough = walk(example(args.step_through))
    except ValueError as exc:
        return str(exc)
    return _step_range_problem(step, len(walkthrough.steps), args.step_through)


def _step_range_problem(step: int | None, steps: int, name: str) -> str:
    if step is not None and step > steps:
        return f"--step {step}: the example {name} has {steps} steps (1 to {steps})"
    return ""


def _open_step(document, args: argparse.Namespace) -> None:
    """The step-through's example and step as --step-through and --step ask."""
    settings = document.stepthrough
    if args.step_through:
        settings.update({"example": args.step_through, "edits": (), "step": 0})
        document.display.tab = "step-through"
    if getattr(args, "step", None) is not None:
        settings.step = args.step - 1
        document.display.tab = "step-through"


def _export_choice_problem(args: argparse.Namespace) -> str:
    """Why --panel, --scale and --theme cannot go together, or ''."""
    panel = getattr(args, "panel", "window")
    if panel == STEP_PANEL:
        return ""  # a step-through slide is light or dark
    if getattr(args, "theme", "dark") == "light" and panel not in SLIDE_PANELS:
        return (f"--theme light is for pictures of maps (--panel {', '.join(SLIDE_PANELS)}); "
                f"--panel {panel} is exported as it looks")
    return ""


def _with_overwrite_hint(exc: ValueError) -> str:
    from explorer.core.safe_files import TargetExists

    if isinstance(exc, TargetExists) or isinstance(exc.__cause__, TargetExists):
        return f"{exc}; add --overwrite to replace it"
    return str(exc)


def _save_animation(args: argparse.Namespace) -> int:
    """Batch: the step-through of one example as an animation file; no window, no settings."""
    from explorer.core.animation import check_frame_ms, check_writable
    from explorer.core.stepthrough import example, walk

    if not args.step_through:
        return _fail("--save-animation needs --step-through EXAMPLE")
    if not args.save_animation.strip():
        return _fail("--save-animation needs a file name, such as --save-animation edge.gif")
    overwrite = bool(getattr(args, "overwrite", False))
    try:
        walkthrough = walk(example(args.step_through))
        check_writable(args.save_animation)
        frame_ms = check_frame_ms(args.frame_ms)
    except ValueError as exc:
        return _fail(str(exc))

    from PySide6.QtWidgets import QApplication

    QApplication.instance() or QApplication(sys.argv[:1])
    from explorer.ui.step_frames import write_animation

    try:  # the slides the tab exports, from the same renderer; every numbered PNG frame
        # counts: none is replaced without --overwrite
        write_animation(walkthrough, args.save_animation, frame_ms, overwrite=overwrite)
    except ValueError as exc:
        return _fail(_with_overwrite_hint(exc))
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


def _batch(app, args: argparse.Namespace, overwrite: bool, options) -> int:
    """Open the picture, set up the stack, save the screenshot; the exit code says how it went.

    The document is made ready before the window, so every view starts from the final
    settings. The picture is loaded here, not through ``window.open_image``, which remembers
    it in the user's recent files: a batch run leaves the user's settings alone.
    """
    from explorer.core import images
    from explorer.resources import resource_path
    from explorer.state import Document
    from explorer.ui.cli_options import apply_layer_options
    from explorer.ui.main_window import MainWindow

    document = Document()
    session = getattr(args, "session_read", None)
    try:
        if session is not None:
            from explorer.state.session import apply_session, session_picture

            apply_session(document, session)
            if args.image is None and document.still.image is None:
                session_picture(document, session)  # the session's picture, by its path
        if args.image is not None or document.still.image is None:
            path = Path(args.image) if args.image else resource_path("samples", DEFAULT_SAMPLE)
            document.set_still(images.load_image(path), path.name, str(path))
        apply_layer_options(options, document)
    except ValueError as exc:
        return _fail(str(exc))
    _open_step(document, args)
    if getattr(args, "tab", None) is not None:
        document.display.tab = args.tab
    name = document.still.name
    problem = _panel_problem(document, args.panel)
    if problem:
        return _fail(problem)
    window = MainWindow(document, restore_settings=False)
    window.setWindowTitle(f"{name} — CNN Explorer")
    with _quiet_offscreen_notices():
        return _screenshot(app, window, args, overwrite)


def _panel_problem(doc, panel: str) -> str:
    """Why the stack as set up has nothing to show in ``panel``, or ''."""
    if panel == "stages" and len(doc.stack) < 2:
        return "--panel stages needs a stack of two or more layers, such as --stack lecture_x2"
    if panel == "pooled" and doc.stack[0].settings.pool_mode == "none":
        return "--panel pooled needs pooling: add --pool max or --pool avg"
    return ""


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
    window.show_startup_notes()  # a vanished last picture is no error: fall back to a sample
    return window.open_image(resource_path("samples", DEFAULT_SAMPLE))


def _screenshot(app, window, args: argparse.Namespace, overwrite: bool) -> int:
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    live = args.camera is not None or bool(args.video)
    problem = _wait_for_maps(app, window, args) if live else _wait_for_maps(app, window)
    code = 0
    if problem:
        code = _fail(problem)
    else:
        if args.panel in PANEL_TABS:
            window.document.display.tab = PANEL_TABS[args.panel]
        problem = _train_digits(app, window) if args.panel == "training" else ""
        problem = problem or _wait_for_tab(app, window)
        if problem:
            window.shutdown()
            window.close()
            return _fail(problem)
        for _ in range(5):  # let layouts settle and tiles paint
            app.processEvents()
        try:
            if args.panel == "parameters":  # the chart, as the tab's own "PNG ×2" gives it
                window.params_panel.export_chart(Path(args.screenshot), args.scale,
                                                 overwrite=overwrite)
            elif args.panel == STEP_PANEL:
                _save_step_slide(window, args, overwrite)
            else:
                window.export_view(Path(args.screenshot), PANEL_TARGETS[args.panel],
                                   args.scale, args.theme or "dark", overwrite=overwrite)
        except ValueError as exc:  # e.g. a file made there while the layer was computed
            code = _fail(_with_overwrite_hint(exc))
    window.shutdown()
    window.close()
    return code


def _save_step_slide(window, args: argparse.Namespace, overwrite: bool) -> None:
    """--panel step: the step on show as a slide; a step past the example's end is refused
    (a session's example is known only once it is built)."""
    tab = window.stepthrough
    steps = len(tab.walkthrough.steps) if tab.walkthrough is not None else 0
    problem = _step_range_problem(getattr(args, "step", None), steps,
                                  window.document.stepthrough.example)
    if problem:
        raise ValueError(problem)
    tab.save_slide(Path(args.screenshot), args.scale, presentation=args.theme == "dark",
                   overwrite=overwrite)


def _run_until(app, done: Callable[[], bool], wake: Sequence, timeout_ms: int) -> bool:
    """Run the event loop until ``done()``, looking again whenever one of the ``wake``
    signals fires; False when ``timeout_ms`` ran out first."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    timeout = QTimer(singleShot=True)
    signals = [*wake, timeout.timeout]
    for signal in signals:
        signal.connect(loop.quit)
    try:
        timeout.start(timeout_ms)
        while not done() and timeout.isActive():
            loop.exec()
            app.processEvents()  # a layout change after a result asks for maps made for it
    finally:
        timeout.stop()
        for signal in signals:
            signal.disconnect(loop.quit)
    return done()


def _wait_for_maps(app, window, args: argparse.Namespace | None = None) -> str:
    """Run the event loop until the maps on screen are those of the newest request: the
    picture's, or (with ``args`` naming a camera or video) its first frame's, which is then
    held. Returns what went wrong, or ''."""
    controller = window.controller
    outcome: dict[str, str] = {}

    def settled() -> bool:
        result = window.last_result
        return (result is not None and not controller.scheduled
                and result.generation >= controller.generation
                and (args is None or result.request.live))

    def on_result(_result) -> None:
        if args is not None and _result.request.live and not window.document.live.frozen:
            window.set_frozen(True)  # keep this frame: the next ones would only replace it

    def stop(message: str) -> None:
        outcome.setdefault("error", message)

    links = [(window.result_shown, on_result), (controller.failed, stop),
             (controller.live_failed, stop),
             (controller.live_ended, lambda: stop("the video ended before its first picture"))]
    for signal, slot in links:
        signal.connect(slot)
    try:
        if args is None:
            window.request_compute()
        elif args.camera is not None:
            window.start_camera(args.camera)
        elif not window.open_video(args.video):
            stop(window.banner.text() or f"cannot play {args.video}")
        if not _run_until(app, lambda: "error" in outcome or settled(),
                          [signal for signal, _ in links],
                          LIVE_TIMEOUT_MS if args is not None else SCREENSHOT_TIMEOUT_MS):
            stop(_timeout_message(args))
    finally:
        for signal, slot in links:
            signal.disconnect(slot)
    return outcome.get("error", "")


def _wait_for_tab(app, window) -> str:
    """Run the event loop until the tab on show has settled (its result is on screen).
    Returns what went wrong, or ''."""
    tab = window.tab_controllers.get(window.current_tab)
    if tab is None or tab.is_settled():
        return ""
    errors: list[str] = []
    tab.error.connect(errors.append)
    try:
        _run_until(app, lambda: tab.is_settled() or bool(errors), [tab.settled, tab.error],
                   SCREENSHOT_TIMEOUT_MS)
    finally:
        tab.error.disconnect(errors.append)
    if errors:
        return errors[0]
    return "" if tab.is_settled() else f"the {tab.title} tab did not finish in time"


def _train_digits(app, window) -> str:
    """Train the digit network with the document's training settings and run the event loop
    until it is trained and evaluated. Returns what went wrong, or ''."""
    tab = window.training_tab
    errors: list[str] = []
    tab.error.connect(errors.append)
    try:
        if not tab.start():
            return errors[0] if errors else "the digit network could not start training"
        _run_until(app, lambda: not tab.training or bool(errors),
                   [tab.worker.finished, tab.error], TRAINING_TIMEOUT_MS)
    finally:
        tab.error.disconnect(errors.append)
    if errors:
        return errors[0]
    return f"training did not finish in {TRAINING_TIMEOUT_MS // 60_000} minutes" \
        if tab.training else ""


def _timeout_message(args: argparse.Namespace | None) -> str:
    if args is None:
        return "the layer did not finish in time"
    if args.camera is not None:
        return f"camera {args.camera} gave no picture in {LIVE_TIMEOUT_MS // 1000} s"
    return f"{Path(args.video).name} gave no picture in {LIVE_TIMEOUT_MS // 1000} s"
