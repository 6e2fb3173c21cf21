"""Remember the session between runs (QSettings), and forget it on "Reset to defaults".

The whole document is kept as one session (JSON text, see :mod:`explorer.state.session`),
checked on the way back in: a damaged section is skipped with a note, never trusted, and
never stops the app from starting. The still picture is remembered by its path.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings

from explorer.state import Document
from explorer.state.session import (
    MAX_SESSION_BYTES,
    SessionError,
    apply_session,
    load_json_text,
    parse_lenient,
    session_text,
)

ORGANIZATION = "CNN Explorer"
APPLICATION = "cnn-explorer"
MAX_RECENT = 10
SESSION_KEY = "session"
MAX_VALUE_CHARS = 4 * 2**20  # the stored session has no picture: a few MB at most
OLD_KEYS = ("layer", "input", "display", "filters")  # before sessions


def settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


def _text(store: QSettings, key: str) -> str | None:
    value = store.value(key)
    if not isinstance(value, str) or len(value) > MAX_VALUE_CHARS:
        return None
    return value


def save_document(doc: Document, store: QSettings | None = None) -> bool:
    """Keep the document for the next start (the picture by its path only); False when the
    settings file could not be written (a full disk, a read-only folder)."""
    store = store or settings()
    store.setValue(SESSION_KEY, session_text(doc, embed_picture=False))
    for key in OLD_KEYS:
        store.remove(key)
    store.sync()
    return store.status() == QSettings.Status.NoError


def restore_document(doc: Document, store: QSettings | None = None) -> list[str]:
    """Apply the saved session to ``doc``; returns notes on whatever was skipped."""
    store = store or settings()
    text = _text(store, SESSION_KEY)
    if text is None:
        return []
    try:
        session = parse_lenient(load_json_text(text, "the saved session"))
        apply_session(doc, session)
    except ValueError as exc:  # SessionError, or a stack the document refuses
        doc.reset()
        return [f"{exc}; the app starts with its defaults"]
    return [f"{note}; that part starts with its defaults" for note in session.notes]


def last_picture(store: QSettings | None = None) -> str | None:
    """The path of the still picture of the last run, if it came from a file."""
    store = store or settings()
    text = _text(store, SESSION_KEY)
    if text is None:
        return None
    try:
        data = load_json_text(text)
    except SessionError:
        return None
    still = data.get("still") if isinstance(data, dict) else None
    path = still.get("path") if isinstance(still, dict) else None
    return path if isinstance(path, str) and len(path) < 4096 else None


def recent_files(store: QSettings | None = None) -> list[str]:
    store = store or settings()
    text = _text(store, "recent")
    if text is None:
        return []
    try:
        value = load_json_text(text, "the recent-files list")
    except SessionError:
        return []
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and len(v) < 4096][:MAX_RECENT]


def add_recent_file(path: str, store: QSettings | None = None) -> list[str]:
    store = store or settings()
    files = [path] + [p for p in recent_files(store) if p != path]
    store.setValue("recent", json.dumps(files[:MAX_RECENT]))
    return files[:MAX_RECENT]


def clear_document_settings(store: QSettings | None = None) -> None:
    store = store or settings()
    for key in (SESSION_KEY, *OLD_KEYS):
        store.remove(key)


__all__ = [
    "APPLICATION", "MAX_SESSION_BYTES", "ORGANIZATION", "add_recent_file",
    "clear_document_settings", "last_picture", "recent_files", "restore_document",
    "save_document", "settings",
]
