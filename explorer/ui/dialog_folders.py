"""Where the file dialogs start, and what they remember between runs.

A dialog starts in the folder last used for its kind of file (pictures opened, exports,
sessions, videos, saved frames), else in the user's Pictures folder, else at home: never in
the folder the app was started from, which may be where it is installed. The memory lives in
the app's settings; a window that must not write them (a batch run) gets no store, and its
dialogs then remember nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from explorer.ui.settings_store import SettingsStore

__all__ = ["DialogFolders", "default_folder"]

MAX_PATH_CHARS = 4096


def default_folder() -> Path:
    """The user's Pictures folder if it exists, else the home folder."""
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    if pictures and Path(pictures).is_dir():
        return Path(pictures)
    return Path.home()


def _usable_folder(value: object) -> Path | None:
    # a damaged setting (not text, absurdly long, a null character) is ignored, never trusted
    if not isinstance(value, str) or not value or len(value) > MAX_PATH_CHARS or "\0" in value:
        return None
    folder = Path(value)
    try:
        return folder if folder.is_absolute() and folder.is_dir() else None
    except OSError:  # a name the system refuses
        return None


class DialogFolders:
    """Start folders and remembered choices of the window's file dialogs."""

    def __init__(self, store: SettingsStore | QSettings | None) -> None:
        self._store = store

    @property
    def remembers(self) -> bool:
        return self._store is not None

    def folder(self, kind: str) -> Path:
        """Where a dialog for ``kind`` ("image", "video", "session", "export", "frame") starts."""
        if self._store is not None:
            remembered = _usable_folder(self._store.value(f"dialogs/{kind}/folder"))
            if remembered is not None:
                return remembered
        return default_folder()

    def path(self, kind: str, file_name: str) -> str:
        """A suggested file in the start folder of ``kind``."""
        return str(self.folder(kind) / file_name)

    def remember(self, kind: str, chosen: str | Path) -> None:
        """Keep the folder of a file the user chose, for the next dialog of ``kind``."""
        if self._store is None or not str(chosen):
            return
        folder = Path(chosen).expanduser().absolute().parent
        self._store.setValue(f"dialogs/{kind}/folder", str(folder))

    def value(self, key: str, default: str) -> str:
        """A remembered choice (text), or ``default``."""
        if self._store is None:
            return default
        value = self._store.value(f"dialogs/{key}")
        return value if isinstance(value, str) and len(value) <= MAX_PATH_CHARS else default

    def set_value(self, key: str, value: str) -> None:
        if self._store is not None:
            self._store.setValue(f"dialogs/{key}", str(value))
