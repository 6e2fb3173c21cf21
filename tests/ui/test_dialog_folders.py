"""File dialogs start in Pictures (or home), never where the app runs, and remember."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog

from explorer.ui.dialog_folders import DialogFolders, default_folder
from explorer.ui.export_dialog import ExportDialog, file_name_for


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home folder of the test's own, and a working folder elsewhere (as an install is)."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    install = tmp_path / "install"
    install.mkdir()
    monkeypatch.chdir(install)
    return folder


@pytest.fixture
def store(tmp_path):
    settings = QSettings(str(tmp_path / "dialogs.ini"), QSettings.Format.IniFormat)
    yield settings
    settings.clear()


def test_the_pictures_folder_when_there_is_one_else_home(home):
    assert default_folder() == home
    (home / "Pictures").mkdir()
    assert default_folder() == home / "Pictures"


def test_a_remembered_folder_that_is_gone_or_damaged_falls_back(home, store, tmp_path):
    folders = DialogFolders(store)
    assert folders.folder("export") == home
    slides = tmp_path / "slides"
    slides.mkdir()
    folders.remember("export", slides / "maps.png")
    assert folders.folder("export") == slides
    assert folders.folder("image") == home  # each kind of file has its own folder
    slides.rmdir()
    assert folders.folder("export") == home
    for damaged in (42, "relative/folder", "x\0y", "/" + "a" * 5000):
        store.setValue("dialogs/export/folder", damaged)
        assert folders.folder("export") == home


def test_without_a_store_nothing_is_remembered(home, tmp_path):
    folders = DialogFolders(None)
    folders.remember("export", tmp_path / "maps.png")
    folders.set_value("export/theme", "light")
    assert folders.folder("export") == home
    assert folders.value("export/theme", "dark") == "dark"


# --- the export dialog ---------------------------------------------------------------------------
TARGETS = ["Whole window", "Feature maps", "Pooled maps", "Kernel editor"]
SLIDES = ["Feature maps", "Pooled maps"]


def _dialog(qtbot, folders) -> ExportDialog:
    dialog = ExportDialog(TARGETS, folders=folders, slide_targets=SLIDES)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _key(qtbot, widget, key: Qt.Key) -> None:
    qtbot.keyClick(widget, key)


def _save(qtbot, dialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Save),
                         Qt.MouseButton.LeftButton)


def test_the_export_dialog_starts_in_pictures_and_names_the_file_after_the_part(qtbot, home):
    (home / "Pictures").mkdir()
    dialog = _dialog(qtbot, DialogFolders(None))
    assert dialog.path == str(home / "Pictures" / "whole-window.png")
    assert not dialog.theme_box.isEnabled() and dialog.theme == "dark"
    _key(qtbot, dialog.target_box, Qt.Key.Key_Down)  # as chosen with the keyboard
    assert dialog.target == "Feature maps"
    assert dialog.path == str(home / "Pictures" / "feature-maps.png")
    assert dialog.theme_box.isEnabled()
    _key(qtbot, dialog.theme_box, Qt.Key.Key_End)
    assert dialog.theme == "light"
    dialog.path_edit.end(False)
    qtbot.keyClicks(dialog.path_edit, "x")  # the user names the file: the part no longer does
    _key(qtbot, dialog.target_box, Qt.Key.Key_Down)
    assert dialog.target == "Pooled maps"
    assert dialog.path == str(home / "Pictures" / "feature-maps.pngx")
    _key(qtbot, dialog.target_box, Qt.Key.Key_End)
    assert dialog.target == "Kernel editor"
    assert dialog.theme == "dark"  # a part exported as it looks has no light theme


def test_the_export_dialog_remembers_folder_part_resolution_and_theme(qtbot, home, store,
                                                                     tmp_path):
    slides = tmp_path / "lecture 3"
    slides.mkdir()
    first = _dialog(qtbot, DialogFolders(store))
    for box in (first.target_box, first.target_box, first.scale_box):
        _key(qtbot, box, Qt.Key.Key_Down)  # Pooled maps; 3×
    _key(qtbot, first.theme_box, Qt.Key.Key_End)
    first.path_edit.clear()
    qtbot.keyClicks(first.path_edit, str(slides / "pooled.jpg"))
    _save(qtbot, first)
    second = _dialog(qtbot, DialogFolders(store))
    assert second.target == "Pooled maps" and second.scale == 3 and second.theme == "light"
    assert second.path == str(slides / "pooled-maps.jpg")  # the folder and the format


def test_a_refused_or_cancelled_export_remembers_nothing(qtbot, home, store, tmp_path):
    dialog = _dialog(qtbot, DialogFolders(store))
    dialog.path_edit.clear()
    qtbot.keyClicks(dialog.path_edit, str(tmp_path / "missing" / "a.png"))
    buttons = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Save),
                     Qt.MouseButton.LeftButton)
    assert dialog.problem.isVisible()
    dialog.reject()
    assert store.allKeys() == []


# --- the window's dialogs ------------------------------------------------------------------------
class Chooser:
    """Stands in for the system's file chooser: records where it was opened, picks a file."""

    def __init__(self, monkeypatch, answer: str = "") -> None:
        self.opened_in: list[str] = []
        self.answer = answer
        for name in ("getOpenFileName", "getSaveFileName"):
            monkeypatch.setattr(QFileDialog, name, staticmethod(self._choose))

    def _choose(self, parent, caption, start, *rest, **kw):
        self.opened_in.append(start)
        return self.answer, ""


def _folder_of(start: str) -> str:
    return start if os.path.isdir(start) else os.path.dirname(start)


def test_every_dialog_of_the_window_starts_in_pictures_never_where_it_runs(qtbot, window,
                                                                           home, monkeypatch):
    (home / "Pictures").mkdir()
    chooser = Chooser(monkeypatch)
    for open_dialog in (window.open_image_dialog, window.open_video_dialog,
                        window.open_session_dialog, window.save_session_dialog,
                        window.save_frame_dialog):
        open_dialog()
    assert [_folder_of(s) for s in chooser.opened_in] == [str(home / "Pictures")] * 5
    assert [os.path.basename(s) for s in chooser.opened_in[-2:]] == ["session.json",
                                                                     "frame.png"]
    assert all(os.getcwd() not in s for s in chooser.opened_in)
    shown: list[str] = []

    def read_and_cancel() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ExportDialog):
            QTimer.singleShot(10, read_and_cancel)
            return
        shown.append(dialog.path)
        dialog.reject()

    QTimer.singleShot(0, read_and_cancel)
    window.export_dialog()
    assert shown == [str(home / "Pictures" / file_name_for("Whole window"))]


def test_the_window_remembers_where_a_picture_came_from(qtbot, home, tmp_path, monkeypatch):
    import cv2
    import numpy as np

    from explorer.ui import settings_io
    from explorer.ui.main_window import MainWindow

    photos = tmp_path / "photos"
    photos.mkdir()
    picture = photos / "cat.png"
    cv2.imwrite(str(picture), np.full((20, 30, 3), 120, np.uint8))
    chooser = Chooser(monkeypatch, str(picture))
    win = MainWindow(restore_settings=True, library_path=tmp_path / "k.json")
    qtbot.addWidget(win)
    try:
        win.open_image_dialog()
        assert win.document.source_name == "cat.png"
        win.open_image_dialog()
        assert _folder_of(chooser.opened_in[-1]) == str(photos)
        chooser.answer = ""
        win.open_video_dialog()  # the video dialog keeps its own folder
        assert _folder_of(chooser.opened_in[-1]) == str(home)
    finally:
        win.shutdown()
        store = settings_io.settings()
        store.remove("dialogs")
        store.remove("recent")
        settings_io.clear_document_settings()
