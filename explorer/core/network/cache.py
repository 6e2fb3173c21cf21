"""The converted network, kept in the user's cache folder so it is built once.

A cache file is a header line, a JSON line and the ONNX graphs back to back. The JSON names the
weights (their SHA-256) and the converter version the graphs were made from, and each graph's
size and SHA-256: a file from other weights or an older converter is *stale*, one whose bytes
do not match is *damaged*; both raise :class:`CacheError`, and the caller converts again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from explorer.core.network.errors import CacheError

MAGIC = b"CNN-EXPLORER NETWORK CACHE 1\n"
APP_FOLDER = "cnn-explorer"


def cache_folder() -> Path:
    """Where the app keeps files it can rebuild: ``$XDG_CACHE_HOME/cnn-explorer``, or the
    platform's usual place (``~/.cache`` on Linux)."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / APP_FOLDER
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / APP_FOLDER / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP_FOLDER
    return Path.home() / ".cache" / APP_FOLDER


def write_cache(path: Path, key: dict[str, str], parts: dict[str, bytes]) -> None:
    """Write the graphs ``parts`` under ``key`` atomically (a reader never sees half a file)."""
    header = dict(key, parts=[{"name": name, "size": len(data),
                               "sha256": hashlib.sha256(data).hexdigest()}
                              for name, data in parts.items()])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC)
            fh.write(json.dumps(header).encode() + b"\n")
            for data in parts.values():
                fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_cache(path: Path, key: dict[str, str]) -> dict[str, bytes]:
    """The graphs cached in ``path`` for ``key``. Raises CacheError if stale or damaged."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CacheError("there is no converted network in the cache yet") from None
    except OSError as exc:
        raise CacheError(f"the cached network cannot be read: {exc.strerror}") from None
    damaged = CacheError(f"the cached network {path.name} is damaged")
    if not data.startswith(MAGIC):
        raise damaged
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        raise damaged
    try:
        header = json.loads(data[len(MAGIC):end])
        parts = [(str(p["name"]), int(p["size"]), str(p["sha256"])) for p in header["parts"]]
    except (ValueError, KeyError, TypeError):
        raise damaged from None
    if any(header.get(k) != v for k, v in key.items()):
        raise CacheError(f"the cached network {path.name} was made from other weights or by "
                         "another version of the app")
    out, pos = {}, end + 1
    for name, size, digest in parts:
        chunk = data[pos:pos + size]
        if len(chunk) != size or hashlib.sha256(chunk).hexdigest() != digest:
            raise damaged
        out[name] = chunk
        pos += size
    if pos != len(data):
        raise damaged
    return out
