"""What a careless user or an attacker can hand the window: pipes, devices, hostile names,
existing files, a full disk. The app keeps working, says why, and no file is lost."""

from __future__ import annotations

import os

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication, QImage, QTextDocument
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from explorer.core import images
from explorer.resources import resource_path
from explorer.ui.export_dialog import ExportDialog
from tests.hostile import (
    HOSTILE_NAME,
    HOSTILE_PATH,
    fill_disk_after,
    folder_files,
    named_pipe,
    needs_dev_zero,
    needs_fifo,
    needs_symlinks,
)

OLD = b"an older export, which must survive"


def shown_as_tooltip(text: str) -> str:
    """The text Qt shows for a tool tip: markup is rendered when it looks like markup."""
    doc = QTextDocument()
    if Qt.mightBeRichText(text):
        doc.setHtml(text)
    else:
        doc.setPlainText(text)
    return doc.toPlainText()


def red_pixels(image: QImage) -> int:
    """Pixels of a strong red (the hostile heading's colour) in a picture of a widget."""
    a = images.decode_image(_png_bytes(image))
    return int(np.count_nonzero((a[:, :, 0] > 200) & (a[:, :, 1] < 80) & (a[:, :, 2] < 80)))


def _png_bytes(image: QImage) -> bytes:
    from PySide6.QtCore import QBuffer, QIODevice

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


def _wait_result(qtbot, win, action):
    with qtbot.waitSignal(win.result_shown, timeout=20_000) as blocker:
        action()
    return blocker.args[0]


def _still_computes(qtbot, window) -> None:
    """The window answers: a sample opens and its feature maps arrive."""
    result = _wait_result(qtbot, window,
                          lambda: window.open_image(resource_path("samples", "brick.png")))
    assert result.stages[0].feature_maps.shape[2] == window.document.layer.n_filters


# --- pipes and devices through every way a file comes in -----------------------------------------

def _paste_file(window, path) -> bool:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    QGuiApplication.clipboard().setMimeData(mime)
    return window.paste_image()


@needs_fifo
@pytest.mark.parametrize("how", ["open", "paste", "drop"])
def test_a_named_pipe_gives_a_message_and_the_window_keeps_working(qtbot, window, tmp_path,
                                                                    how):
    before = window.last_result
    with named_pipe(tmp_path / "camera.png") as pipe, \
            qtbot.waitSignal(window.error_shown, timeout=5_000) as blocker:
        if how == "open":
            assert not window.open_image(pipe)
        elif how == "paste":
            assert not _paste_file(window, pipe)
        else:
            mime = QMimeData()
            mime.setUrls([QUrl.fromLocalFile(str(pipe))])
            assert not window._accept_mime(mime, "the dropped item")
    assert blocker.args[0] == "camera.png is a named pipe (FIFO), not a regular file"
    assert window.banner.isVisible() and "named pipe" in window.banner.text()
    assert window.last_result is before
    _still_computes(qtbot, window)


@needs_dev_zero
@needs_symlinks
def test_a_device_behind_a_picture_name_is_refused_at_once(qtbot, window, tmp_path):
    link = tmp_path / "holiday.jpg"
    link.symlink_to("/dev/zero")
    with qtbot.waitSignal(window.error_shown, timeout=5_000) as blocker:
        assert not window.open_image(link)
    assert blocker.args[0] == "holiday.jpg is a device, not a regular file"
    _still_computes(qtbot, window)


# --- hostile names are shown as the text they are ------------------------------------------------

@pytest.mark.parametrize("relative", [HOSTILE_NAME, HOSTILE_PATH])
def test_a_hostile_file_name_shows_literally_in_the_banner(qtbot, window, tmp_path, relative):
    path = tmp_path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a picture")
    with qtbot.waitSignal(window.error_shown, timeout=5_000):
        assert not window.open_image(path)
    expected = f"{path.name} is not an image file CNN Explorer can read"
    assert window.banner.text().startswith(expected)
    label = window.banner._label
    # what the user sees: one or two lines of ordinary text, no red 60-pixel heading
    assert red_pixels(window.banner.grab().toImage()) == 0
    assert label.heightForWidth(1000) <= 3 * label.fontMetrics().lineSpacing()
    assert label.textFormat() == Qt.TextFormat.PlainText


def test_a_hostile_filter_name_shows_literally_in_titles_and_the_colour_bar(qtbot, window):
    doc = window.document
    _wait_result(qtbot, window, lambda: doc.filters.set_name(0, HOSTILE_NAME))
    doc.display.levels = "per_map"
    doc.display.selected_filter = 0
    grid = window.maps_panel.feature_grid
    tile = grid._tiles[0]
    shown = tile.label.item.toPlainText()
    assert shown == tile.shown_title and shown.startswith(HOSTILE_NAME[:20])
    if tile.shown_title != tile.title:  # shortened to fit: the full title is in the tool tip
        assert shown_as_tooltip(tile.label.toolTip()) == tile.title
    assert grid.colorbar().label() == f"levels of {HOSTILE_NAME}"  # drawn as plain text


def test_a_hostile_kernel_name_shows_literally_in_the_kernel_editor(qtbot, window):
    editor = window.kernel_editor
    window.document.filters.set_name(editor.selected_filter(), HOSTILE_NAME)
    assert editor.save_to_library(HOSTILE_NAME)
    assert editor.library_names() == [HOSTILE_NAME]
    assert editor.status_text() == f"Saved “{HOSTILE_NAME}” to your kernel library"
    assert editor._status.textFormat() == Qt.TextFormat.PlainText
    item = editor._library_list.item(0)
    assert HOSTILE_NAME in shown_as_tooltip(item.toolTip())
    assert editor.load_from_library(HOSTILE_NAME)
    assert window.document.filters.names()[editor.selected_filter()] == HOSTILE_NAME


# --- exports: the path given, in its format, asked before replacing -----------------------------

@pytest.fixture
def dialog(qtbot):
    d = ExportDialog(["Whole window", "Current tab"])
    qtbot.addWidget(d)
    d.show()
    return d


def _type_path(qtbot, dialog, path) -> None:
    dialog.path_edit.clear()
    qtbot.keyClicks(dialog.path_edit, str(path))


def _click_save(qtbot, dialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Save),
                     Qt.MouseButton.LeftButton)


def _answer_next_question(answer: QMessageBox.StandardButton, dialog, asked: list) -> None:
    """Click ``answer`` in the "Replace it?" box as soon as it is up."""
    def click() -> None:
        box = dialog.confirm_box
        if box is None or not box.isVisible():
            QTimer.singleShot(10, click)
            return
        asked.append(box.text())
        box.button(answer).click()

    QTimer.singleShot(0, click)


def test_the_export_dialog_asks_before_replacing_a_typed_path(qtbot, dialog, tmp_path):
    existing = tmp_path / "slide.png"
    existing.write_bytes(OLD)
    _type_path(qtbot, dialog, existing)
    asked: list[str] = []
    _answer_next_question(QMessageBox.StandardButton.No, dialog, asked)
    _click_save(qtbot, dialog)
    assert asked == ["slide.png already exists. Replace it?"]
    assert dialog.isVisible() and dialog.result() == 0  # still open: choose another name
    assert existing.read_bytes() == OLD
    _answer_next_question(QMessageBox.StandardButton.Yes, dialog, asked)
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        _click_save(qtbot, dialog)
    assert len(asked) == 2 and dialog.path == str(existing)


@pytest.mark.parametrize(("typed", "message"), [
    ("report.v2", "report.v2: a picture is saved as .bmp, .jpeg, .jpg, .png, .tif, .tiff or "
                  ".webp, not .v2."),
    ("slides/", "slides/ names a folder; give a file name."),
    ("missing/a.png", "Could not write a.png: the folder “missing” does not exist."),
])
def test_the_export_dialog_refuses_what_cannot_be_written(qtbot, dialog, tmp_path, typed,
                                                          message):
    (tmp_path / "report.png").write_bytes(OLD)
    (tmp_path / "slides").mkdir()
    _type_path(qtbot, dialog, f"{tmp_path}{os.sep}{typed}")
    _click_save(qtbot, dialog)
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.problem.isVisible()
    assert dialog.problem.text().endswith(message)
    assert (tmp_path / "report.png").read_bytes() == OLD
    assert folder_files(tmp_path) == ["report.png", "slides"]


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".jpg", b"\xff\xd8\xff"),
                                               (".bmp", b"BM"), (".tiff", b"II*\x00"),
                                               (".webp", b"RIFF")])
def test_an_export_is_written_in_the_format_its_suffix_names(window, tmp_path, suffix, magic):
    folder = tmp_path / "slides"
    folder.mkdir()
    out = window.export_view(folder / f"view{suffix}", "Whole window", 1)
    assert out == folder / f"view{suffix}"
    data = out.read_bytes()
    assert data.startswith(magic)
    picture = images.decode_image(data)
    assert picture.shape[:2] == (window.height(), window.width())
    assert picture.std() > 10  # the window, not a blank picture
    assert folder_files(folder) == [f"view{suffix}"]


def test_an_export_on_a_full_disk_says_so_and_keeps_the_old_file(qtbot, window, tmp_path,
                                                                  monkeypatch):
    folder = tmp_path / "slides"
    folder.mkdir()
    out = folder / "slide.png"
    out.write_bytes(OLD)
    fill_disk_after(monkeypatch, 1000)

    def fill_in_the_dialog() -> None:
        from PySide6.QtWidgets import QApplication

        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ExportDialog):
            QTimer.singleShot(10, fill_in_the_dialog)
            return
        dialog.path_edit.setText(str(out))
        dialog._confirmed = str(out)  # as if chosen with Browse…, which asked already
        dialog.accept()

    QTimer.singleShot(0, fill_in_the_dialog)
    with qtbot.waitSignal(window.error_shown, timeout=20_000) as blocker:
        window.export_dialog()
    monkeypatch.undo()
    assert blocker.args[0] == ("could not write slide.png: the disk is full (the previous "
                               "slide.png is unchanged)")
    assert out.read_bytes() == OLD
    assert folder_files(folder) == ["slide.png"]


def test_the_parameter_table_goes_to_the_path_chosen_or_is_refused(qtbot, window, tmp_path,
                                                                   monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    panel = window.params_panel
    window.tabs.setCurrentWidget(panel)
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "parameters.csv").write_bytes(OLD)
    chosen = {"name": str(folder / "parameters.v2")}
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (chosen["name"], "")))
    qtbot.mouseClick(panel.csv_button, Qt.MouseButton.LeftButton)
    assert panel.error_label.isVisible()
    assert panel.error_label.text() == "parameters.v2: a CSV table is saved as .csv, not .v2"
    assert (folder / "parameters.csv").read_bytes() == OLD
    assert folder_files(folder) == ["parameters.csv"]
    chosen["name"] = str(folder / "parameters.csv")  # the file chooser asked to replace it
    qtbot.mouseClick(panel.csv_button, Qt.MouseButton.LeftButton)
    text = (folder / "parameters.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("layer,") and "convolution" in text
    assert folder_files(folder) == ["parameters.csv"]


def test_a_save_error_naming_a_hostile_file_is_plain_text(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    panel = window.params_panel
    window.tabs.setCurrentWidget(panel)
    name = str(tmp_path / "missing" / HOSTILE_NAME.replace(".png", ".csv"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (name, "")))
    qtbot.mouseClick(panel.csv_button, Qt.MouseButton.LeftButton)
    assert panel.error_label.textFormat() == Qt.TextFormat.PlainText
    assert HOSTILE_NAME.replace(".png", ".csv") in panel.error_label.text()
    assert red_pixels(panel.error_label.grab().toImage()) == 0


# --- more ways in: a pasted giant, a damaged "last picture" setting -----------------------------

def test_a_pasted_picture_over_the_pixel_limit_gives_a_message(qtbot, window, monkeypatch):
    from explorer.ui import convert

    monkeypatch.setattr(convert, "MAX_PIXELS", 30 * 40 - 1)
    before = window.last_result
    picture = QImage(40, 30, QImage.Format.Format_RGB888)
    picture.fill(Qt.GlobalColor.darkCyan)
    mime = QMimeData()
    mime.setImageData(picture)
    with qtbot.waitSignal(window.error_shown, timeout=5_000) as blocker:
        assert not window._accept_mime(mime, "the clipboard")
    assert blocker.args[0] == ("the clipboard holds no usable picture: the picture is 40×30 "
                               "pixels, more than the 0-megapixel limit")
    assert window.last_result is before


@pytest.mark.parametrize("last", ["n" * 5000 + ".png", "photo\0.png", "/dev/zero"])
def test_a_damaged_last_picture_setting_falls_back_to_a_sample(qtbot, window, last):
    from argparse import Namespace

    from explorer.ui import settings_io
    from explorer.ui.launch import DEFAULT_SAMPLE, _open_first_picture

    store = settings_io.settings()
    store.setValue("source/last", last)
    try:
        with qtbot.waitSignal(window.result_shown, timeout=20_000):
            assert _open_first_picture(window, Namespace(image=None))
    finally:
        store.remove("source/last")
    assert window.document.source_name == DEFAULT_SAMPLE
    assert not window.banner.isVisible()


def _petabyte_npy() -> bytes:
    """192 bytes whose header declares 2⁵⁰ float64 numbers (8 PB)."""
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": (2**50,)})
    return buffer.getvalue() + bytes(64)


@pytest.mark.parametrize("suffix", [".npy", ".npz"])
def test_import_kernels_refuses_a_file_declaring_petabytes(window, tmp_path, suffix):
    import zipfile

    path = tmp_path / f"huge{suffix}"
    if suffix == ".npy":
        path.write_bytes(_petabyte_npy())
    else:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("weights.npy", _petabyte_npy())
    assert path.stat().st_size < 400
    before = window.document.filters.weights()
    assert not window.kernel_editor.import_kernels(path)
    text = window.kernel_editor.status_text()
    assert f"huge{suffix} is damaged" in text and "(8 PB) but holds 64 bytes" in text
    np.testing.assert_array_equal(window.document.filters.weights(), before)


def test_training_load_refuses_a_network_declaring_petabytes(qtbot, window, tmp_path):
    import zipfile

    tab = window.training_tab
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("conv1.weights.npy", _petabyte_npy())
    with qtbot.waitSignal(window.error_shown) as said:
        assert not tab.load(path)
    assert said.args[0].startswith("huge.npz is damaged (its member conv1.weights.npy)")
    assert tab.model is None


@needs_fifo
def test_a_session_whose_picture_is_now_a_pipe_says_so(qtbot, window, tmp_path):
    import json

    from explorer.state.session import session_dict

    session = session_dict(window.document, embed_picture=False)
    session["still"] = {"name": "photo.png", "path": str(tmp_path / "photo.png")}
    path = tmp_path / "lesson.json"
    path.write_text(json.dumps(session))
    with named_pipe(tmp_path / "photo.png"), qtbot.waitSignal(window.error_shown) as said:
        assert window.open_session(path)
    assert said.args[0] == (f"The session's picture {tmp_path / 'photo.png'} is a named pipe "
                            "(FIFO), not a regular file. The current picture stays.")
    assert window.document.source_name == "coffee.png"


def test_the_animation_dialog_asks_about_the_frames_it_would_replace(qtbot, tmp_path,
                                                                     monkeypatch):
    from PySide6.QtWidgets import QDialog

    from explorer.ui.widgets.animation_dialog import AnimationDialog

    (tmp_path / "steps_002.png").write_bytes(OLD)
    (tmp_path / "steps_003.png").write_bytes(OLD)
    asked = []

    def answer(reply):
        def question(_parent, _title, text, *_args):
            asked.append(text)
            return reply
        return question

    dialog = AnimationDialog(800, 3)
    qtbot.addWidget(dialog)
    dialog.path_edit.clear()
    qtbot.keyClicks(dialog.path_edit, str(tmp_path / "steps.png"))
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert asked == [f"steps_002.png … steps_003.png (2 files) already exist in "
                     f"{tmp_path.name}. Replace them?"]
    assert dialog.result() != QDialog.DialogCode.Accepted
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert (tmp_path / "steps_002.png").read_bytes() == OLD  # the dialog itself writes nothing
