"""Reading and writing the user's files so that nothing is lost or hangs.

Writes go to a temporary file in the same folder, are flushed to disk and renamed over the
target, so a full disk or a crash leaves the old file whole. Reads refuse anything that is
not a regular file (a named pipe would block forever, a device would never end) and anything
larger than the caller allows.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENAMETOOLONG: "the name is too long",
}


def describe_os_error(exc: OSError) -> str:
    """The cause of a failed read or write in plain words ("the disk is full")."""
    return _CAUSES.get(exc.errno or 0, exc.strerror or str(exc))


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all. Raises OSError (the target untouched)."""
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(target))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = ""
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


def read_text_limited(path: str | os.PathLike, max_bytes: int) -> str:
    """A regular file's UTF-8 text, at most ``max_bytes`` long.

    Raises OSError when it cannot be read and ValueError (a sentence that can follow the
    file's name) when it is not a regular file, too large or not text.
    """
    p = Path(path)
    info = p.stat()  # follows links: a link to a pipe is a pipe
    if stat.S_ISDIR(info.st_mode):
        raise ValueError("is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ValueError("is not a regular file (a pipe or a device cannot be opened)")
    if info.st_size > max_bytes:
        raise ValueError(f"is larger than {max_bytes // 2**20} MB")
    with open(p, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"is larger than {max_bytes // 2**20} MB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("is not a text file") from None
