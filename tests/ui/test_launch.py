"""The command line: batch screenshots for lectures, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from explorer.app import main
from explorer.resources import resource_path

OLD = b"a picture made before, which must survive"


def shows_maps(path) -> bool:
    """Whether a window picture shows feature maps: tens of thousands of pixels in the
    colours of the maps' colour table (the ReLU maps' sequential one), not a blank window."""
    import numpy as np

    from explorer.ui.widgets.colormaps import lookup_table
    from tests.ui.pictures import load, lut_index

    return int(np.count_nonzero(lut_index(load(path), lookup_table(False)) >= 0)) > 40_000


def test_screenshot_writes_a_full_window_png(qtbot, tmp_path):
    out = tmp_path / "shot.png"
    code = main(["--image", str(resource_path("samples", "brick.png")),
                 "--preset", "sobel_x", "--screenshot", str(out)])
    assert code == 0
    image = QImage(str(out))
    assert image.width() >= 1280 and image.height() >= 800
    assert shows_maps(out)


def test_bad_preset_and_missing_image_exit_non_zero_with_one_line(tmp_path):
    for args, word in ((["--preset", "nope", "--screenshot", "x.png"], "nope"),
                       (["--image", str(tmp_path / "missing.png"), "--screenshot", "x.png"],
                        "missing.png")):
        proc = subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                              text=True, timeout=120, cwd=tmp_path)
        assert proc.returncode != 0
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and word in lines[0]
        assert not (tmp_path / "x.png").exists()


def test_broken_image_exits_non_zero(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"garbage")
    proc = subprocess.run([sys.executable, "-m", "explorer", "--image", str(bad),
                           "--screenshot", str(tmp_path / "x.png")],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode != 0
    assert "bad.png" in proc.stderr


# --- batch mode is a script's API: one line and an exit code on every fault ---------------------

def run_batch(*args: str, cwd, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True,
                          text=True, timeout=180, cwd=cwd, env=env)


def one_line(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_an_empty_screenshot_name_is_refused_even_without_a_display(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM",
                                                            "WAYLAND_DISPLAY")}
    proc = run_batch("--screenshot", "", cwd=tmp_path, env=env)
    assert proc.returncode == 2
    assert one_line(proc) == ("cnn-explorer: --screenshot needs a file name, such as "
                              "--screenshot sobel.png")
    assert os.listdir(tmp_path) == []


def test_an_unknown_suffix_or_a_folder_is_refused_and_nothing_is_written(tmp_path):
    (tmp_path / "report.png").write_bytes(OLD)
    (tmp_path / "slides").mkdir()
    for target, message in [
        ("report.v2", "report.v2: a picture is saved as .bmp, .jpeg, .jpg, .png, .tif, .tiff "
                      "or .webp, not .v2"),
        ("slides/", "slides/ names a folder; give a file name"),
        ("slides", "slides is a folder, not a file: it cannot be replaced"),
    ]:
        proc = run_batch("--screenshot", target, cwd=tmp_path)
        assert proc.returncode == 2
        assert one_line(proc) == f"cnn-explorer: {message}"
    assert (tmp_path / "report.png").read_bytes() == OLD
    assert sorted(os.listdir(tmp_path)) == ["report.png", "slides"]
    assert os.listdir(tmp_path / "slides") == []


def test_a_batch_run_replaces_a_file_only_with_overwrite(qtbot, tmp_path):
    out = tmp_path / "shot.png"
    out.write_bytes(OLD)
    proc = run_batch("--screenshot", str(out), cwd=tmp_path)
    assert proc.returncode == 2
    assert one_line(proc) == ("cnn-explorer: shot.png already exists; add --overwrite to "
                              "replace it")
    assert out.read_bytes() == OLD
    code = main(["--image", str(resource_path("samples", "brick.png")), "--preset", "sobel_x",
                 "--screenshot", str(out), "--overwrite"])
    assert code == 0
    image = QImage(str(out))
    assert image.width() >= 1280 and image.height() >= 800
    assert shows_maps(out)
    assert sorted(os.listdir(tmp_path)) == ["shot.png"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_as_the_image_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "photo.png")
    proc = run_batch("--image", "photo.png", "--screenshot", "x.png", cwd=tmp_path)
    assert proc.returncode == 2
    assert one_line(proc) == ("cnn-explorer: photo.png is a named pipe (FIFO), not a regular "
                              "file")
    assert sorted(os.listdir(tmp_path)) == ["photo.png"]


def snapshot(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<folder>"
            for p in sorted(folder.rglob("*"))}


def test_a_batch_run_never_writes_the_users_settings(tmp_path):
    home = tmp_path / "home"
    settings_file = home / "config" / "CNN Explorer" / "cnn-explorer.conf"
    settings_file.parent.mkdir(parents=True)
    settings_file.write_text('[General]\nrecent="[\\"/somewhere/else.png\\"]"\n',
                             encoding="utf-8")
    (home / "data").mkdir()
    before = snapshot(home)
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "QT_QPA_PLATFORM": "offscreen"}
    picture = tmp_path / "brick.png"
    picture.write_bytes(resource_path("samples", "brick.png").read_bytes())
    write_video(tmp_path / "clip.avi")
    runs = [  # (arguments, exit code): every kind of batch run, good and failing
        (["--image", str(picture), "--screenshot", "out.png"], 0),
        (["--image", str(picture), "--stack", "lecture_x2", "--preset", "sobel_x,sobel_y,"
          "laplacian,sharpen", "--kernel-size", "5", "--stride", "2", "--padding", "1x2",
          "--pool", "avg", "--activation", "abs", "--panel", "stages", "--theme", "light",
          "--scale", "2", "--screenshot", "stages.png"], 0),
        (["--video", "clip.avi", "--panel", "pooled", "--screenshot", "video.png"], 0),
        (["--camera", "57", "--screenshot", "camera.png"], 2),
        (["--filters", "99", "--screenshot", "bad.png"], 2),
    ]
    for args, code in runs:
        proc = run_batch(*args, cwd=tmp_path, env=env)
        assert proc.returncode == code, proc.stderr
        assert proc.stderr.count("\n") == (0 if code == 0 else 1), proc.stderr
    assert snapshot(home) == before
    assert QImage(str(tmp_path / "out.png")).width() >= 1280
    assert QImage(str(tmp_path / "stages.png")).width() > 1000


# --- live sources in batch: a missing camera or a broken video is a fault, not an old picture ---

def write_video(path, n_frames: int = 6):
    import cv2
    import numpy as np

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (160, 120))
    assert writer.isOpened()
    for i in range(n_frames):
        frame = np.zeros((120, 160, 3), np.uint8)
        cv2.rectangle(frame, (20 + 4 * i, 20), (90 + 4 * i, 90), (0, 200, 255), -1)  # BGR
        writer.write(frame)
    writer.release()
    return path


@pytest.mark.parametrize(("source", "word"), [
    (["--camera", "57"], "57"),
    (["--video", "broken.mp4"], "broken.mp4"),
    (["--video", "empty.avi"], "empty.avi"),
])
def test_a_missing_camera_or_a_broken_video_fails_with_one_line(tmp_path, source, word):
    (tmp_path / "broken.mp4").write_bytes(b"\x00garbage" * 200)
    (tmp_path / "empty.avi").write_bytes(b"")
    proc = run_batch(*source, "--screenshot", "out.png", cwd=tmp_path)
    assert proc.returncode == 2
    line = one_line(proc)
    assert line.startswith("cnn-explorer: ") and word in line
    assert not (tmp_path / "out.png").exists()


def test_a_video_batch_pictures_its_first_frame(tmp_path):
    from tests.ui.pictures import has_colour, load

    write_video(tmp_path / "clip.avi")
    proc = run_batch("--video", "clip.avi", "--panel", "input", "--screenshot", "in.png",
                     cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == ""
    assert has_colour(load(tmp_path / "in.png"), (255, 200, 0), tolerance=40)  # the orange box


# --- what to picture and how large ------------------------------------------------------------

def test_scale_two_doubles_the_window_picture(qtbot, tmp_path):
    from tests.ui.pictures import load

    assert main(["--scale", "2", "--screenshot", str(tmp_path / "big.png")]) == 0
    picture = load(tmp_path / "big.png")
    assert picture.shape[:2] == (1800, 2880)
    assert picture.std() > 10


def test_the_parameters_panel_shows_the_comparison(qtbot, tmp_path):
    from tests.ui.pictures import has_colour, load

    assert main(["--panel", "parameters", "--screenshot", str(tmp_path / "p.png")]) == 0
    picture = load(tmp_path / "p.png")
    assert has_colour(picture, (0xD5, 0x5E, 0x00), tolerance=30)  # the fully connected bar
    assert picture.shape[1] > 800


# Okabe–Ito colours of the chart's bars: fully connected, locally connected, one shared filter,
# 100 shared filters (the deck's 10¹², 10⁸, 10², 10⁴)
BAR_COLOURS = ((0xD5, 0x5E, 0x00), (0xE6, 0x9F, 0x00), (0x00, 0x72, 0xB2), (0x56, 0xB4, 0xE9))


def bar_columns(picture, rgb) -> tuple[int, int]:
    """(first, last) column of the bar in colour ``rgb``, read where it is widest."""
    import numpy as np

    from tests.ui.pictures import near

    columns = np.flatnonzero(near(picture, rgb, tolerance=6).sum(axis=0) >= 20)
    assert columns.size, f"no bar in the colour {rgb}"
    return int(columns[0]), int(columns[-1])


def parameters_tab_export(qtbot, path, scale: int):
    """What a user gets from the Parameters tab's own chart export: the window at the batch
    run's size on the same picture, the tab clicked, its layout settled by one more resize."""
    from PySide6.QtCore import Qt

    from explorer.resources import resource_path
    from explorer.ui.launch import DEFAULT_SAMPLE, SCREENSHOT_SIZE
    from explorer.ui.main_window import MainWindow

    window = MainWindow(restore_settings=False, library_path=path.parent / "kernels.json")
    qtbot.addWidget(window)
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    try:
        with qtbot.waitSignal(window.result_shown, timeout=20_000):
            window.open_image(resource_path("samples", DEFAULT_SAMPLE))
        bar = window.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                         pos=bar.tabRect(window.tabs.indexOf(window.params_panel)).center())
        qtbot.waitUntil(lambda: window.params_panel.isVisible())
        for size in ((SCREENSHOT_SIZE[0] + 1, SCREENSHOT_SIZE[1]), SCREENSHOT_SIZE):
            window.resize(*size)
            qtbot.wait(50)
        window.params_panel.export_chart_png(path, scale)
    finally:
        window.shutdown()


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_the_parameters_panel_is_the_tabs_own_chart_export(qtbot, tmp_path, scale):
    """The batch picture is the chart as the tab exports it, pixel for pixel, and nothing of
    it is cut: the title ends before the right edge, every bar is whole."""
    import numpy as np

    from tests.ui.pictures import load, near

    batch, own = tmp_path / "batch.png", tmp_path / "own.png"
    assert main(["--panel", "parameters", "--scale", str(scale),
                 "--screenshot", str(batch)]) == 0
    parameters_tab_export(qtbot, own, scale)
    picture, reference = load(batch), load(own)
    assert picture.shape == reference.shape
    # the same picture; after other windows in the same test process a few glyph edges
    # can come out differently (about 0.1 % of the pixels), never a moved or cut part
    assert np.mean(np.any(picture != reference, axis=2)) < 0.005

    height, width = picture.shape[:2]
    spans = [bar_columns(picture, rgb) for rgb in BAR_COLOURS]  # the deck's four bars
    widths = [last - first + 1 for first, last in spans]
    assert max(widths) - min(widths) <= 2 * scale, widths  # none cut at an edge
    assert [first for first, _ in spans] == sorted(first for first, _ in spans)
    assert spans[-1][1] < width - 20 * scale  # room after the last bar
    ink = near(picture[: height // 20], (0x20, 0x20, 0x20), tolerance=90)  # the title's line
    columns = np.flatnonzero(ink.any(axis=0))
    assert columns.size and columns[-1] < width - 3 * scale  # its last word whole


def test_every_stage_of_a_stack_preset_as_a_light_slide(qtbot, tmp_path):
    from explorer.ui.widgets.colormaps import lookup_table
    from tests.ui.pictures import colour_bars, load

    out = tmp_path / "stages.png"
    assert main(["--stack", "tinyvgg", "--panel", "stages", "--theme", "light",
                 "--screenshot", str(out)]) == 0
    picture = load(out)
    assert tuple(picture[0, 0]) == (255, 255, 255)
    assert len(colour_bars(picture, lookup_table(False))) == 8 + 16 + 16


# --- the layer options -------------------------------------------------------------------------

@pytest.fixture
def spy(monkeypatch):
    """What the window held when the batch run exported it."""
    from explorer.ui.main_window import MainWindow

    seen: dict = {}
    real = MainWindow.export_view

    def export_view(self, path, target="Whole window", scale=1, theme="dark", **kw):
        seen.update(target=target, scale=scale, theme=theme, result=self.last_result,
                    document=self.document)
        return real(self, path, target, scale, theme, **kw)

    monkeypatch.setattr(MainWindow, "export_view", export_view)
    return seen


def test_layer_options_set_the_first_layer(qtbot, tmp_path, spy):
    code = main(["--image", str(resource_path("samples", "brick.png")), "--filters", "6",
                 "--kernel-size", "5", "--stride", "2", "--padding", "valid", "--pool", "avg",
                 "--activation", "tanh", "--panel", "maps", "--screenshot",
                 str(tmp_path / "m.png")])
    assert code == 0
    stage = spy["result"].stages[0]
    spec = stage.spec
    assert spec.weights.shape == (6, 5, 5, 1)  # the brick photo is gray: 1-channel kernels
    assert (spec.stride, spec.padding, spec.pool_mode, spec.activation) == \
        ((2, 2), "valid", "avg", "tanh")
    h, w = stage.input.shape[:2]
    outputs = (len(range(0, h - 5 + 1, 2)), len(range(0, w - 5 + 1, 2)))  # window positions
    assert stage.feature_maps.shape == (*outputs, 6)
    assert spy["target"] == "Feature maps" and spy["scale"] == 1


def test_a_preset_list_gives_each_filter_its_kernel_and_grows_the_kernel(qtbot, tmp_path, spy):
    import numpy as np

    from explorer.core import kernels

    names = ["sobel_x", "gaussian_blur_5x5", "identity"]
    code = main(["--preset", ",".join(names), "--padding", "2", "--screenshot",
                 str(tmp_path / "w.png")])
    assert code == 0
    spec = spy["result"].stages[0].spec
    assert spec.weights.shape == (3, 5, 5, 3)  # three filters, grown to the 5×5 preset
    assert spec.padding == (2, 2)
    for k, name in enumerate(names):
        preset = np.asarray(kernels.get(name).weights, np.float64)
        pad = (5 - preset.shape[0]) // 2
        centred = np.pad(preset, pad)  # a 3×3 preset in the middle of the 5×5 kernel
        for c in range(3):  # a gray kernel on a colour picture: a third on each channel
            np.testing.assert_allclose(spec.weights[k, :, :, c], centred / 3, rtol=1e-6)
    assert spy["document"].filters.names() == names


def test_one_preset_goes_to_every_filter_of_a_stack_preset(qtbot, tmp_path, spy):
    code = main(["--stack", "lecture_x2", "--preset", "laplacian", "--screenshot",
                 str(tmp_path / "w.png")])
    assert code == 0
    doc = spy["document"]
    assert len(doc.stack) == 2
    assert doc.stack[0].filters.names() == ["laplacian"] * 4
    assert doc.stack[1].settings.n_filters == 8


@pytest.mark.parametrize(("args", "line"), [
    (["--filters", "40"], "--filters takes a whole number from 1 to 32, not 40"),
    (["--filters", "four"], "--filters takes a whole number from 1 to 32, not 'four'"),
    (["--kernel-size", "16"], "--kernel-size takes a whole number from 1 to 15, not 16"),
    (["--kernel-size", "3x"], "--kernel-size takes one number or ROWSxCOLUMNS such as 5x3, "
                              "not '3x'"),
    (["--stride", "0"], "--stride takes a whole number from 1 to 16, not 0"),
    (["--padding", "65"], "--padding takes a whole number from 0 to 64, not 65"),
    (["--padding", "sideways"], "--padding takes valid, same, full or a number of pixels "
                                "such as 2 or 2x1, not 'sideways'"),
    (["--pool", "min"], "--pool takes none, max or avg, not 'min'"),
    (["--activation", "softmax"], "--activation takes relu, leaky_relu, tanh, sigmoid, abs or "
                                  "identity, not 'softmax'"),
    (["--stack", "resnet"], "--stack takes single, lecture_x2, tinyvgg or lecture_fc, "
                            "not 'resnet'"),
    (["--preset", "sobel_x,,laplacian"], "--preset takes preset names separated by commas, "
                                         "not 'sobel_x,,laplacian'"),
    (["--preset", "sobel_x,sobel_y", "--filters", "3"],
     "--preset names 2 presets for --filters 3: give one preset for every filter, or one for "
     "all"),
    (["--preset", "gaussian_blur_5x5", "--kernel-size", "3"],
     "the 5×5 preset gaussian_blur_5x5 does not fit --kernel-size 3x3; give --kernel-size 5x5 "
     "or more, or leave it out"),
    (["--panel", "stages"], "--panel stages needs a stack of two or more layers, such as "
                            "--stack lecture_x2"),
    (["--panel", "pooled", "--pool", "none"], "--panel pooled needs pooling: add --pool max "
                                              "or --pool avg"),
    (["--theme", "light"], "--theme light is for pictures of maps (--panel maps, pooled, "
                           "stages); --panel window is exported as it looks"),
])
def test_a_bad_value_is_one_line_and_exit_2(qtbot, tmp_path, capsys, args, line):
    assert main([*args, "--screenshot", str(tmp_path / "x.png")]) == 2
    assert capsys.readouterr().err == f"cnn-explorer: {line}\n"
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("args", [["--scale", "4"], ["--panel", "everything"],
                                  ["--camera", "front"], ["--theme", "sepia"]])
def test_a_mistyped_option_is_one_line_and_exit_2(capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--screenshot", "x.png"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"cnn-explorer: argument {args[0]}")


def test_every_option_is_in_the_help_and_the_readme():
    from pathlib import Path

    from explorer.app import build_parser
    from explorer.state.presets import STACK_PRESETS

    parser = build_parser()
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    helptext = parser.format_help()
    options = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    assert len(options) > 15
    for option in options:
        assert option in helptext
        if option != "--help":
            assert f"`{option}" in readme or f" {option}" in readme, option
    for key in STACK_PRESETS:
        assert key in helptext and key in readme


def test_a_broken_video_is_one_line_without_the_readers_own_noise(tmp_path):
    """OpenCV's AVI reader prints the file's raw bytes to stderr itself; a script gets only
    the app's line."""
    import struct

    broken = tmp_path / "broken.avi"
    broken.write_bytes(b"RIFF" + struct.pack("<I", 400) + b"AVI LIST" + struct.pack("<I", 100)
                       + b"\xfa\xfb\xfc\xfd" + bytes(range(96)) + bytes(200))
    proc = subprocess.run([sys.executable, "-m", "explorer", "--video", str(broken),
                           "--screenshot", str(tmp_path / "x.png")], capture_output=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.decode() == ("cnn-explorer: broken.avi cannot be read: it is not a "
                                    "video OpenCV can decode (or it is damaged)\n")


# --- a prepared lesson: --session and --tab ------------------------------------------------------

def _lesson_file(tmp_path):
    from explorer.core import images
    from explorer.state import Document
    from explorer.state.session import write_session

    doc = Document()
    picture = resource_path("samples", "brick.png")
    doc.set_still(images.load_image(picture), "brick.png", str(picture))
    doc.stepthrough.example = "strides"
    doc.stepthrough.step = 5
    doc.translation.shift = 9
    doc.network.layer = "block 2"
    doc.display.tab = "step-through"
    return write_session(tmp_path / "lesson.json", doc)


def test_an_unknown_tab_exits_2_with_the_list(tmp_path):
    proc = run_batch("--tab", "maps", "--screenshot", "x.png", cwd=tmp_path)
    assert proc.returncode == 2
    line = one_line(proc)
    assert "'maps'" in line
    assert ("explorer, parameters, pooling, translation, step-through, text, network, "
            "training") in line


def test_a_damaged_session_exits_2_with_the_reason(tmp_path):
    damaged = tmp_path / "lesson.json"
    damaged.write_text(_lesson_file(tmp_path).read_text().replace('"block 2"', '"block 99"'))
    proc = run_batch("--session", str(damaged), "--screenshot", "x.png", cwd=tmp_path)
    assert proc.returncode == 2
    line = one_line(proc)
    assert "lesson.json" in line and "block 99" in line
    assert not (tmp_path / "x.png").exists()


def test_a_session_and_a_tab_picture_that_tab_of_that_session(qtbot, tmp_path):
    lesson = _lesson_file(tmp_path)
    explorer_shot, tab_shot = tmp_path / "explorer.png", tmp_path / "steps.png"
    assert main(["--session", str(lesson), "--tab", "explorer", "--screenshot",
                 str(explorer_shot)]) == 0
    assert shows_maps(explorer_shot)
    assert main(["--session", str(lesson), "--screenshot", str(tab_shot)]) == 0
    assert not shows_maps(tab_shot)  # the session's own tab: the step-through, no maps


def test_export_code_writes_the_stack_as_pytorch_and_exits(tmp_path):
    import ast

    out = tmp_path / "stack.py"
    proc = run_batch("--stack", "lecture_x2", "--preset", "sobel_x", "--export-code", str(out),
                     cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    code = out.read_text(encoding="utf-8")
    ast.parse(code)
    assert code.count("nn.Conv2d(") == 2 and code.count("nn.MaxPool2d(") == 2
    assert "nn.Conv2d(3, 4, (3, 3)" in code  # sobel_x over RGB, four filters
    proc = run_batch("--export-code", str(out), cwd=tmp_path)
    assert proc.returncode == 2 and "--overwrite" in one_line(proc)


def test_the_training_panel_is_the_teaching_picture_of_a_trained_network(qtbot, tmp_path,
                                                                         monkeypatch):
    from functools import partial

    import numpy as np

    from explorer.core.training import load_digits, train_digits
    from explorer.ui.controllers import training as training_controller
    from explorer.ui.panels.training_slide import SIZE
    from explorer.ui.panels.training_watch_panel import TEST_COLOUR, TRAIN_COLOUR
    from tests.ui.pictures import has_colour, load

    train, test = load_digits()
    few = train.subset(slice(0, 400)), test.subset(slice(0, 200))
    monkeypatch.setattr(training_controller, "train_digits",
                        partial(train_digits, train=few[0], test=few[1],
                                evaluations_per_epoch=2))
    monkeypatch.setattr(training_controller, "load_digits", lambda: few)
    out = tmp_path / "training.png"
    assert main(["--panel", "training", "--scale", "2", "--screenshot", str(out)]) == 0
    picture = load(out)
    assert picture.shape[:2] == (2 * SIZE[1], 2 * SIZE[0])
    # the test points are drawn; the loss falls through the whole run, on the log axis as on
    # screen: its curve reaches the last epochs (the right end of the loss plot, the second
    # quarter of the slide), below the plot's legend
    height, width = picture.shape[:2]
    assert has_colour(picture, TEST_COLOUR, tolerance=8)
    late_loss = picture[height * 2 // 5: height * 19 // 20, width * 45 // 100: width * 49 // 100]
    assert has_colour(late_loss, TRAIN_COLOUR, tolerance=8)
    # the confusion matrix in the right quarter: ten green diagonal cells of a network that
    # reads most digits right (green where the true digit is read as itself)
    right = picture[:, width * 3 // 4:].astype(int)
    green = (right[..., 1] > right[..., 0] + 40) & (right[..., 1] > right[..., 2] + 30)
    assert int(np.count_nonzero(green)) > 10 * 20 * 20
