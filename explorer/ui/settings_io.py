"""Remember the session between runs, and forget it on "Reset to defaults".

The settings live in one JSON file (:mod:`explorer.ui.settings_store`), opened once at start
by :func:`open_settings`, before any window exists:

- a file that is no regular file, a loop of links, or one that cannot be read and written is
  left exactly as it is; the app starts with its defaults and keeps this run's settings in a
  fallback file, named in a note (and read again at the next start while the problem lasts);
- a damaged or oversized regular file is set aside (renamed, never deleted) with a note.

The whole document is kept as one session (JSON text, see :mod:`explorer.state.session`),
checked on the way back in: a damaged section is skipped with a note, never trusted, and
never stops the app from starting. The still picture is remembered by its path.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from explorer.core import safe_files
from explorer.state import Document
from explorer.state.session import (
    MAX_SESSION_BYTES,
    SessionError,
    apply_session,
    load_json_text,
    parse_lenient,
    session_text,
)
from explorer.ui.settings_store import SettingsStore, settings_problem

ORGANIZATION = "CNN Explorer"
APPLICATION = "cnn-explorer"
SETTINGS_NAME = f"{APPLICATION}.json"
MAX_RECENT = 10
SESSION_KEY = "session"
OLD_KEYS = ("layer", "input", "display", "filters")  # before sessions

_store: SettingsStore | None = None
_notes: list[str] = []  # notes on the settings file for the window to show


def settings_file() -> Path:
    """Where the settings are kept on this system (Linux ``~/.config/CNN Explorer/…``,
    macOS ``~/Library/Preferences/CNN Explorer/…``, Windows ``%LOCALAPPDATA%/CNN Explorer/…``)."""
    return _folder(QStandardPaths.StandardLocation.GenericConfigLocation) / SETTINGS_NAME


def fallback_settings_file() -> Path:
    """Where the settings go while :func:`settings_file` cannot be used (the user's state
    folder: ``~/.local/state`` on Linux)."""
    return _folder(QStandardPaths.StandardLocation.GenericStateLocation) / SETTINGS_NAME


def _folder(location: QStandardPaths.StandardLocation) -> Path:
    base = QStandardPaths.writableLocation(location)
    return (Path(base) if base else Path.home()) / ORGANIZATION


def open_settings(path: Path | None = None) -> list[str]:
    """Open the settings for this run; returns notes for the user (and keeps them for the
    window, see :func:`restore_document`). Never blocks, never replaces what it cannot read."""
    global _store
    path = path or settings_file()
    notes: list[str] = []
    problem = settings_problem(path)
    if problem is None:
        try:
            _store = SettingsStore.read(path)
        except safe_files.ReadRefused as exc:
            notes.append(_set_aside(path, exc.problem))
            _store = SettingsStore(path)
        if not path.exists():
            _migrate_qsettings(_store)
        notes.extend(_session_kept_elsewhere(_store))
    else:
        _store = _fallback_store()
        kept = (f"keeps this run's settings in {_store.path} instead"
                if _store.path is not None else "cannot keep this run's settings anywhere")
        notes.append(f"The settings file {path} {problem}, so it was left as it is: CNN "
                     f"Explorer starts with its defaults and {kept}")
    _notes[:] = notes
    return notes


def _session_kept_elsewhere(store: SettingsStore) -> list[str]:
    """Take back the session an earlier run kept in the fallback file (its settings file
    could not be written at quit), if that is newer than the settings file."""
    fallback = fallback_settings_file()
    try:
        if fallback == store.path or settings_problem(fallback) is not None \
                or not fallback.exists() or (store.path is not None and store.path.exists()
                                             and store.path.stat().st_mtime
                                             >= fallback.stat().st_mtime):
            return []
        session = SettingsStore.read(fallback).value(SESSION_KEY)
    except (OSError, ValueError):
        return []
    if not isinstance(session, str):
        return []
    store.update({SESSION_KEY: session})
    return [f"The last session was kept in {fallback}, as the settings file could not be "
            f"written then; it is restored"]


def _fallback_store() -> SettingsStore:
    fallback = fallback_settings_file()
    if settings_problem(fallback) is None:
        try:
            return SettingsStore.read(fallback)
        except safe_files.ReadRefused as exc:
            _set_aside(fallback, exc.problem)
            return SettingsStore(fallback)
    # the fallback is blocked too: a fresh folder in the system's temporary place
    try:
        return SettingsStore(Path(tempfile.mkdtemp(prefix="cnn-explorer-")) / SETTINGS_NAME)
    except OSError:
        return SettingsStore(None)


def _set_aside(path: Path, problem: str) -> str:
    aside = path.with_name(f"{path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        path.rename(aside)
    except OSError as exc:
        return (f"The settings file {path.name} {problem} and could not be set aside "
                f"({safe_files.describe_os_error(exc, path)}); the app starts with its defaults")
    return (f"The settings file {path.name} {problem}, so it was set aside as {aside.name}; "
            f"the app starts with its defaults")


OLD_SETTINGS_LIMIT = 16 * 2**20  # QSettings read its file whole: a larger one is not ours


def _migrate_qsettings(store: SettingsStore) -> None:
    """Bring the settings of earlier versions (kept by QSettings) over once, where reading
    them is safe: regular files on Linux; the registry or the system's preferences elsewhere."""
    from PySide6.QtCore import QSettings

    if sys.platform.startswith("linux"):
        base = Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.GenericConfigLocation))
        own = base / ORGANIZATION / f"{APPLICATION}.conf"
        for old in (own, base / f"{ORGANIZATION}.conf"):  # QSettings reads both
            if safe_files.regular_file_problem(old) not in (None, "does not exist"):
                return
            if old.exists() and old.stat().st_size > OLD_SETTINGS_LIMIT:
                return
        if not own.exists():
            return
    qt = QSettings(ORGANIZATION, APPLICATION)
    values: dict[str, object] = {}
    for key in qt.allKeys():
        value = qt.value(key)
        if isinstance(value, str):
            values[key] = value
        elif hasattr(value, "data"):  # a window's geometry: a QByteArray
            values[key] = bytes(value.data())
    if values:
        store.update(values)


def settings() -> SettingsStore:
    """The settings of this run (opened at the first call, if :func:`open_settings` was not)."""
    if _store is None:
        open_settings()
    assert _store is not None
    return _store


def _text(store: SettingsStore, key: str, limit: int) -> str | None:
    value = store.value(key)
    if not isinstance(value, str) or len(value) > limit:
        return None
    return value


def save_document(doc: Document, store: SettingsStore | None = None) -> bool:
    """Keep the document for the next start (the picture by its path only); False when the
    settings file could not be written (a full disk, a read-only folder)."""
    store = store or settings()
    store.setValue(SESSION_KEY, session_text(doc, embed_picture=False))
    for key in OLD_KEYS:
        store.remove(key)
    return store.sync()


def keep_elsewhere(doc: Document) -> str:
    """Save the session in the fallback file after the settings file refused it; says where
    (or that it could not be kept)."""
    target = fallback_settings_file()
    if settings().path != target and settings_problem(target) is None:
        try:
            store = SettingsStore.read(target)
        except safe_files.ReadRefused:
            store = SettingsStore(target)
        if save_document(doc, store):
            return f"the session was kept in {target}"
    return "the session could not be kept; use File > Save session next time"


def restore_document(doc: Document, store: SettingsStore | None = None) -> list[str]:
    """Apply the saved session to ``doc``; returns notes on whatever was skipped, after those
    on the settings file itself."""
    notes = list(_notes)
    _notes.clear()
    store = store or settings()
    value = store.value(SESSION_KEY)
    if isinstance(value, str) and len(value) > MAX_SESSION_BYTES:
        return [*notes, f"The kept session is larger than {MAX_SESSION_BYTES // 2**20} MB, so "
                        "it was not restored; the app starts with its defaults"]
    text = _text(store, SESSION_KEY, MAX_SESSION_BYTES)
    if text is None:
        return notes
    try:
        session = parse_lenient(load_json_text(text, "the saved session"))
        apply_session(doc, session)
    except ValueError as exc:  # SessionError, or a stack the document refuses
        doc.reset()
        return [*notes, f"{exc}; the app starts with its defaults"]
    return [*notes, *(f"{note}; that part starts with its defaults" for note in session.notes)]


def last_picture(store: SettingsStore | None = None) -> str | None:
    """The path of the still picture of the last run, if it came from a file."""
    store = store or settings()
    text = _text(store, SESSION_KEY, MAX_SESSION_BYTES)
    if text is None:
        return None
    try:
        data = load_json_text(text)
    except SessionError:
        return None
    still = data.get("still") if isinstance(data, dict) else None
    path = still.get("path") if isinstance(still, dict) else None
    return path if isinstance(path, str) and len(path) < 4096 else None


def recent_files(store: SettingsStore | None = None) -> list[str]:
    store = store or settings()
    text = _text(store, "recent", 2**20)
    if text is None:
        return []
    try:
        value = load_json_text(text, "the recent-files list")
    except SessionError:
        return []
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and len(v) < 4096][:MAX_RECENT]


def add_recent_file(path: str, store: SettingsStore | None = None) -> list[str]:
    store = store or settings()
    files = [path] + [p for p in recent_files(store) if p != path]
    store.setValue("recent", json.dumps(files[:MAX_RECENT]))
    return files[:MAX_RECENT]


def clear_document_settings(store: SettingsStore | None = None) -> None:
    store = store or settings()
    for key in (SESSION_KEY, *OLD_KEYS):
        store.remove(key)


__all__ = [
    "APPLICATION", "MAX_SESSION_BYTES", "ORGANIZATION", "add_recent_file",
    "clear_document_settings", "fallback_settings_file", "last_picture", "open_settings",
    "recent_files", "restore_document", "save_document", "settings", "settings_file",
]
