"""The app's settings between runs: one JSON file, read once, written whole.

A small key–value store in place of ``QSettings``, whose reader blocks forever on a named pipe
at the settings path, reads a device without end, and whose writer replaces a loop of symbolic
links by a plain file. Here the file is read by :func:`~explorer.core.safe_files.read_json_limited`
(a pipe, a folder, a device, a loop, a huge or damaged file is refused with a sentence, never
opened so that it could block) and written by the one atomic writer under a lock that every
CNN Explorer process shares: a save merges this run's changes into what another window saved
meanwhile, and a full disk or a kill leaves the previous file as it was.

Keys are paths such as ``dialogs/image/folder``; :meth:`SettingsStore.remove` of ``dialogs``
removes the whole group, as ``QSettings`` does. Values are JSON data, or bytes (a window's
geometry), kept as base64.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path

from explorer.core import safe_files

FORMAT = "cnn-explorer-settings"
VERSION = 1
# the session kept between runs is stored here too: 6 layers of 32 filters of 15×15×32
# weights are ~35 MB of JSON text, so a valid file can be large, but never this large
MAX_BYTES = 80 * 2**20
_REMOVED = object()
_BYTES = "base64"


class SettingsStore:
    """Settings read from ``path`` (or kept in memory only, when ``path`` is None).

    Every change is written at once (:meth:`sync`); :attr:`error` says why the last write
    failed, or is empty.
    """

    def __init__(self, path: Path | None, values: dict[str, object] | None = None) -> None:
        self.path = path
        self._values: dict[str, object] = dict(values or {})
        self._changes: dict[str, object] = {}
        self.error = ""

    @classmethod
    def read(cls, path: Path) -> SettingsStore:
        """The settings in ``path``; a missing file gives empty settings. Raises
        :class:`~explorer.core.safe_files.ReadRefused` saying why the file cannot be used."""
        try:
            data = safe_files.read_json_limited(path, MAX_BYTES)
        except safe_files.FileMissing:
            return cls(path)
        return cls(path, _values_of(data, path))

    # --- the QSettings calls the app makes ----------------------------------------------
    def value(self, key: str, default: object = None) -> object:
        value = self._values.get(key, default)
        if isinstance(value, dict) and set(value) == {_BYTES}:
            try:
                return base64.b64decode(str(value[_BYTES]), validate=True)
            except (binascii.Error, ValueError):
                return default
        return value

    def setValue(self, key: str, value: object) -> None:  # QSettings' name
        self.update({key: value})

    def update(self, values: dict[str, object]) -> None:
        """Set several keys, written in one save."""
        for key, value in values.items():
            if isinstance(value, bytes | bytearray | memoryview):
                value = {_BYTES: base64.b64encode(bytes(value)).decode("ascii")}
            json.dumps(value, allow_nan=False)  # a value JSON cannot hold is refused at once
            self._values[key] = value
            self._changes[key] = value
        self.sync()

    def remove(self, key: str) -> None:
        """Remove ``key`` and every key under it (``dialogs`` takes ``dialogs/…`` too)."""
        for k in [k for k in self._values if k == key or k.startswith(key + "/")]:
            del self._values[k]
            self._changes[k] = _REMOVED
        self._changes[key] = _REMOVED
        self.sync()

    def clear(self) -> None:
        self._values.clear()
        self._changes = {"": _REMOVED}  # "": every key, also those another window wrote
        self.sync()

    def fileName(self) -> str:  # QSettings' name
        return str(self.path) if self.path is not None else ""

    # --- writing ---------------------------------------------------------------------------
    def sync(self) -> bool:
        """Write this run's changes, merged into the file as it is now; False (and
        :attr:`error`) when it could not be written. The file keeps its previous content."""
        if self.path is None or not self._changes:
            return not self.error
        lock = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with safe_files.file_lock(lock, what=self.path.name):
                try:
                    on_disk = SettingsStore.read(self.path)._values
                except safe_files.ReadRefused:
                    on_disk = {}  # damaged meanwhile: ours replaces it
                for key, value in self._changes.items():
                    if value is _REMOVED:
                        on_disk = {k: v for k, v in on_disk.items()
                                   if not (k == key or key == "" or k.startswith(key + "/"))}
                    else:
                        on_disk[key] = value
                text = json.dumps({"format": FORMAT, "version": VERSION, "values": on_disk},
                                  indent=1, allow_nan=False, sort_keys=True) + "\n"
                safe_files.atomic_write(self.path, text.encode("utf-8"))
        except (OSError, ValueError) as exc:  # a SafeFileError is a ValueError
            self.error = str(exc) if isinstance(exc, ValueError) else \
                safe_files.describe_os_error(exc, self.path)
            return False
        self._changes.clear()
        self.error = ""
        return True


def _values_of(data: object, path: Path) -> dict[str, object]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise safe_files.ReadRefused(path, "is not a CNN Explorer settings file")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > VERSION:
        raise safe_files.ReadRefused(path, f"has settings version {version!r}, newer than "
                                           f"this CNN Explorer reads ({VERSION})")
    values = data.get("values")
    if not isinstance(values, dict):
        raise safe_files.ReadRefused(path, "holds no settings")
    return {str(k): v for k, v in values.items()}


def settings_problem(path: Path) -> str | None:
    """Why the settings cannot be kept at ``path`` at all (not a regular file, a loop, no
    permission to read or write it or its folder), or None. A missing file is fine when its
    folder can be made or written in."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return _folder_problem(path.parent)
    except OSError as exc:
        return f"cannot be reached ({safe_files.describe_os_error(exc, path)})"
    except ValueError:
        return safe_files.BAD_NAME
    problem = safe_files.regular_file_problem(path)  # follows links: a link to a pipe is one
    if problem == "does not exist":
        return "is a symbolic link to a file that does not exist"
    if problem is not None:
        return problem
    if not os.access(path, os.R_OK | os.W_OK):
        return "cannot be read and written (permission denied)"
    return _folder_problem(path.parent)


def _folder_problem(folder: Path) -> str | None:
    """Why no file can be written in ``folder`` (the atomic writer makes a temporary file
    beside the target), or None; a missing folder is made at the first save."""
    for part in (folder, *folder.parents):
        if os.path.lexists(part):
            if not part.is_dir():
                return f"cannot be made: “{part.name}” is a file, not a folder"
            if not os.access(part, os.W_OK | os.X_OK):
                return f"cannot be written: the folder “{part.name}” is protected"
            return None
    return None


__all__ = ["FORMAT", "MAX_BYTES", "SettingsStore", "settings_problem"]
