"""Hostile files for the tests: named pipes, devices, sockets, and a disk that fills up.

Made in the test's own folder; nothing here touches the user's files.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

# a file name that is markup: a huge red heading and a local picture if shown as rich text
HOSTILE_NAME = "<h1 style='color:red;font-size:60px'>x<img src='y'>.png"
# the same with a closing tag: "/" makes it a folder and a file name
HOSTILE_PATH = "<h1 style='color:red;font-size:60px'>x</h1><img src='y'>.png"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
needs_dev_zero = pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
needs_symlinks = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges")


@contextlib.contextmanager
def named_pipe(path: Path) -> Iterator[Path]:
    """A FIFO at ``path`` with a writer waiting on it.

    Code that wrongly opens the pipe gets bytes at once (so a regression fails the test
    instead of hanging it); on leaving, the writer is released either way.
    """
    os.mkfifo(path)
    writer = threading.Thread(target=_feed_pipe, args=(path,), name="test-fifo-writer")
    writer.start()
    try:
        yield path
    finally:
        # open the reading end ourselves: the writer's open() returns, it writes and leaves
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        writer.join(timeout=10)
        os.close(fd)


def _feed_pipe(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_WRONLY)  # blocks until someone reads
        try:
            os.write(fd, b"\x89PNG\r\n\x1a\nnot a picture")
        finally:
            os.close(fd)


@contextlib.contextmanager
def unix_socket(path: Path) -> Iterator[Path]:
    """A listening Unix socket file at ``path`` (skips where there are none)."""
    if not hasattr(socket, "AF_UNIX") or len(os.fsencode(path)) > 100:
        pytest.skip("no Unix socket at this path")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        server.listen(1)
        yield path
    finally:
        server.close()


def fill_disk_after(monkeypatch, limit: int) -> None:
    """From now on every file opened by ``os.fdopen`` for writing takes ``limit`` bytes, then
    fails with "No space left on device" (ENOSPC), as a full disk does midway."""
    real_fdopen = os.fdopen

    def fdopen(fd, mode="r", *args, **kwargs):
        fh = real_fdopen(fd, mode, *args, **kwargs)
        return _FullDisk(fh, limit) if "w" in mode or "a" in mode else fh

    monkeypatch.setattr(os, "fdopen", fdopen)


class _FullDisk:
    def __init__(self, fh, limit: int) -> None:
        self._fh, self._room = fh, limit

    def write(self, data) -> int:
        if len(data) > self._room:
            self._fh.write(data[: self._room])
            self._fh.flush()
            self._room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room -= len(data)
        return self._fh.write(data)

    def __getattr__(self, name: str):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._fh.close()


def folder_files(folder: Path) -> list[str]:
    """The names in ``folder``, sorted (to check no temporary file was left behind)."""
    return sorted(os.listdir(folder))
