"""Reading and writing the user's files so that nothing can hang the app, crash it or lose a file.

- :func:`atomic_write` writes a temporary file in the target's folder, flushes it to the disk
  and renames it over the target. A full disk, a crash or a kill leaves the previous file as
  it was; the target is never truncated in place.
- :func:`file_lock` is a lock shared by every process on the machine (:mod:`filelock`), for a
  read-modify-write save that two windows could run at once.
- :func:`clean_stale_temp_files` removes the temporary files a killed process left behind.
- :func:`read_bytes_limited` and :func:`read_json_limited` refuse what could hang or exhaust
  the app before reading it: named pipes, devices, sockets and folders (a pipe blocks
  ``open()`` forever, ``/dev/zero`` never ends), files over a size limit, and JSON that is
  nested too deep, holds integers with thousands of digits, or numbers that are not finite.
- :func:`describe_os_error` says why a file operation failed in words a user understands.

Every refusal is a :class:`SafeFileError` (a ``ValueError``) whose message names the file, not
the folders around it.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import json
import math
import os
import platform
import re
import secrets
import stat
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import filelock
import numpy as np

MAX_JSON_DEPTH = 32  # nesting of lists and objects; the app's own files need 5
MAX_INT_DIGITS = 40  # float32 tops out at 3.4e38: a longer integer is no weight or size
LOCK_TIMEOUT_S = 5.0
STALE_TEMP_SECONDS = 3600.0  # a temporary file of a save killed midway, found on a later save
BAD_NAME = "has a name no file can have (it holds a null character)"
_LOCK_POLL_S = 0.02

PathLike = str | os.PathLike


class SafeFileError(ValueError):
    """A file could not be read or written safely. ``problem`` completes "<file name> …"."""

    def __init__(self, message: str, path: Path | None = None, problem: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.problem = problem or message


class ReadRefused(SafeFileError):
    """A file (or a text) was not read: missing, not a regular file, too large, or malformed.

    ``str()`` is the whole sentence ("kernels.json is nested more than 32 levels deep");
    ``problem`` the part after the name, for a caller that names the file its own way.
    """

    def __init__(self, path: Path | str, problem: str) -> None:
        name = _name(path) if isinstance(path, Path) else path
        super().__init__(f"{name} {problem}", path if isinstance(path, Path) else None,
                         problem)


class FileMissing(ReadRefused):
    """The file does not exist (often not an error: a library not saved yet)."""


class WriteFailed(SafeFileError):
    """A file could not be written; the previous file, if any, is unchanged."""


class TargetExists(WriteFailed):
    """The file exists and the caller asked not to replace it."""


class LockTimeout(SafeFileError):
    """Another process held the lock for longer than the timeout."""


def _name(path: Path) -> str:
    return path.name or str(path)


# --- what went wrong, in plain words ------------------------------------------------------------

_WINDOWS_SHARING_VIOLATION = 32
_WINDOWS_LOCK_VIOLATION = 33


def describe_os_error(exc: OSError, path: PathLike | None = None) -> str:
    """The cause of a failed file operation in plain words, e.g. "the disk is full".

    ``path`` is the file the operation was about; it names the missing folder for ENOENT.
    """
    p = Path(os.fsdecode(os.fspath(path))) if path is not None else None
    code = exc.errno
    winerror = getattr(exc, "winerror", None)
    if winerror in (_WINDOWS_SHARING_VIOLATION, _WINDOWS_LOCK_VIOLATION):
        return "the file is open in another program"
    if code == errno.ENOSPC:
        return "the disk is full"
    if code == getattr(errno, "EDQUOT", None):
        return "your disk quota is used up"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied: the file or its folder is protected"
    if code == errno.EROFS:
        return "the drive is read-only"
    if code == errno.ENOENT:
        if p is not None and p.parent != p and not p.parent.exists():
            return f"the folder “{_name(p.parent)}” does not exist"
        return f"{_name(p)} does not exist" if p is not None else "it does not exist"
    if code == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    if code == errno.ENAMETOOLONG:
        return "the file name is too long"
    if code == errno.EISDIR:
        return f"{_name(p)} is a folder" if p is not None else "it is a folder"
    if code == errno.EEXIST:
        return f"{_name(p)} already exists" if p is not None else "it already exists"
    if code in (errno.EMFILE, errno.ENFILE):
        return "too many files are open"
    if code == errno.EIO:
        return "the drive reported an input/output error (a failing or removed drive?)"
    if code in (errno.EBUSY, getattr(errno, "ETXTBSY", None)):
        return "the file is in use"
    if code == errno.EFBIG:
        return "the file is too large for this drive"
    if code == errno.ELOOP:
        return "the path goes round a loop of symbolic links"
    if code in (errno.ENXIO, errno.ENODEV):
        return "it is a device or socket that nothing answers"
    if code == errno.EINVAL and os.name == "nt":
        return 'the name is not allowed here (no : * ? " < > | in file names)'
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


# --- reading ------------------------------------------------------------------------------------

def _kind_problem(mode: int) -> str | None:
    """Why a file of this mode is not read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode):
        return "is a device, not a regular file"
    if stat.S_ISBLK(mode):
        return "is a disk device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def _size_text(n: int) -> str:
    for unit, power in (("PB", 50), ("TB", 40), ("GB", 30)):
        if n >= 2**power:
            return f"{n / 2**power:.0f} {unit}"
    if n >= 2**20:
        return f"{n / 2**20:.0f} MB"
    if n >= 2**10:
        return f"{n / 2**10:.0f} KB"
    return f"{n} bytes"


def regular_file_problem(path: PathLike) -> str | None:
    """Why ``path`` is no regular file to read ("does not exist", "is a named pipe …"), or
    None when it is one. Symbolic links are followed: a link to a device is a device."""
    p = Path(os.fsdecode(os.fspath(path)))
    try:
        info = os.stat(p)
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"could not be read ({describe_os_error(exc, p)})"
    except ValueError:
        return BAD_NAME
    return _kind_problem(info.st_mode)


def regular_file_size(path: PathLike, max_bytes: int) -> int:
    """The size of a regular file of at most ``max_bytes``, checked before anything opens it
    (for readers that hand the path to a library: NumPy, ONNX); raises :class:`ReadRefused`."""
    p = Path(os.fsdecode(os.fspath(path)))
    try:
        info = os.stat(p)
    except FileNotFoundError:
        raise FileMissing(p, "does not exist") from None
    except OSError as exc:
        raise ReadRefused(p, f"could not be read ({describe_os_error(exc, p)})") from None
    except ValueError:
        raise ReadRefused(p, BAD_NAME) from None
    _check_regular(p, info.st_mode, info.st_size, max_bytes)
    return info.st_size


def read_bytes_limited(path: PathLike, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; raises :class:`ReadRefused`.

    Checked before the file is opened (a named pipe blocks ``open()`` until a writer comes),
    opened without blocking and checked again (the path may have been swapped meanwhile), and
    read no further than the limit (a file may grow after it was measured).
    """
    p = Path(os.fsdecode(os.fspath(path)))
    regular_file_size(p, max_bytes)
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
             | getattr(os, "O_BINARY", 0))
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        raise FileMissing(p, "does not exist") from None
    except OSError as exc:
        raise ReadRefused(p, f"could not be read ({describe_os_error(exc, p)})") from None
    try:
        info = os.fstat(fd)
        _check_regular(p, info.st_mode, info.st_size, max_bytes)
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(max_bytes + 1 - total, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise ReadRefused(p, f"could not be read ({describe_os_error(exc, p)})") from None
    finally:
        os.close(fd)
    if total > max_bytes:
        raise ReadRefused(p, f"is more than the limit of {_size_text(max_bytes)}")
    return b"".join(chunks)


def read_npy_array(path: PathLike, max_bytes: int) -> np.ndarray:
    """The array in a NumPy .npy file of at most ``max_bytes``, read without unpickling;
    raises :class:`ReadRefused`.

    The header is checked before any memory is taken: a file of a few hundred bytes that
    declares petabytes of numbers is refused as damaged, not handed to NumPy to allocate.
    """
    p = Path(os.fsdecode(os.fspath(path)))
    size = regular_file_size(p, max_bytes)
    try:
        with open(p, "rb") as fh:
            _check_npy_header(fh, size, p, p)
            fh.seek(0)
            return np.load(fh, allow_pickle=False)
    except SafeFileError:
        raise
    except MemoryError:
        raise ReadRefused(p, "is too large to be read (there is not enough memory)") from None
    except ValueError as exc:
        raise ReadRefused(p, f"is not a NumPy array file ({exc})") from None
    except (OSError, EOFError) as exc:
        raise ReadRefused(p, f"is damaged and cannot be read ({exc})") from None


def read_npz_arrays(path: PathLike, max_unpacked: int) -> dict[str, np.ndarray]:
    """Every array of a NumPy .npz file, read without unpickling; raises :class:`ReadRefused`.

    A file whose members would unpack past ``max_unpacked`` (a zip bomb: kilobytes on disk,
    gigabytes unpacked) is refused before anything is unpacked, and so is a member whose header
    declares more numbers than it holds (a 192-byte member can claim petabytes); one holding
    Python objects is refused rather than unpickled (opening it could run code).
    """
    p = Path(os.fsdecode(os.fspath(path)))
    try:
        with zipfile.ZipFile(p) as archive:
            members = archive.infolist()
            unpacked = sum(info.file_size for info in members)
            if unpacked > max_unpacked:
                raise ReadRefused(p, f"unpacks to {_size_text(unpacked)}, more than the limit "
                                     f"of {_size_text(max_unpacked)}: too large to be read")
            for info in members:
                if info.filename.endswith(".npy"):
                    with archive.open(info) as member:
                        _check_npy_header(member, info.file_size, p, info.filename)
    except SafeFileError:
        raise
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError, ValueError):
        raise ReadRefused(p, "is not a NumPy .npz file") from None
    try:
        with np.load(p, allow_pickle=False) as data:
            # a member that is not an .npy array comes back as bytes: asarray makes it text
            return {key: np.asarray(data[key]) for key in data.files}
    except MemoryError:
        raise ReadRefused(p, "is too large to be read (there is not enough memory)") from None
    except ValueError as exc:
        if "pickle" in str(exc):
            raise ReadRefused(p, "holds Python objects, not plain numbers; it is not loaded, "
                                 "as opening it could run code") from None
        raise ReadRefused(p, f"is damaged ({exc})") from None
    except (OSError, zipfile.BadZipFile, EOFError, KeyError) as exc:
        raise ReadRefused(p, f"is damaged and cannot be read ({exc})") from None


_NPY_HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0,
                       (3, 0): np.lib.format.read_array_header_2_0}  # 3.0: UTF-8 field names


def _check_npy_header(fh: BinaryIO, stored: int, path: Path, member: Path | str) -> None:
    """Refuse an .npy stream (at its start) whose header declares more bytes than the
    ``stored`` bytes it has, or Python objects; leaves ``fh`` anywhere."""
    where = "" if member == path else f" (its member {member})"
    try:
        version = np.lib.format.read_magic(fh)
        reader = _NPY_HEADER_READERS.get(version)
        if reader is None:
            raise ValueError(f"NumPy file format version {version} is unknown")
        shape, _fortran, dtype = reader(fh)
    except (ValueError, OSError, EOFError) as exc:
        raise ReadRefused(path, f"is not a NumPy array file{where} ({exc})") from None
    if dtype.hasobject:
        raise ReadRefused(path, "holds Python objects, not plain numbers; it is not loaded, "
                                "as opening it could run code")
    declared = math.prod(shape) * dtype.itemsize
    held = stored - fh.tell()
    if declared > held:
        dims = "×".join(str(n) for n in shape)
        raise ReadRefused(path, f"is damaged{where}: it declares an array of {dims} numbers "
                                f"({_size_text(declared)}) but holds {_size_text(max(held, 0))}")


def _check_regular(p: Path, mode: int, size: int, max_bytes: int) -> None:
    problem = _kind_problem(mode)
    if problem is not None:
        raise ReadRefused(p, problem)
    if size > max_bytes:
        raise ReadRefused(p, f"is {_size_text(size)}, more than the limit of "
                             f"{_size_text(max_bytes)}")


class _Refused(Exception):
    """A number the JSON parser met that the app does not accept; the text says which."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"holds an integer with {len(text.lstrip('-'))} digits (more than "
                       f"{MAX_INT_DIGITS})")
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"holds the number {text[:20]}, which is too large to be finite")
    return value


def _parse_constant(text: str) -> float:
    raise _Refused(f"holds {text}, which is not a number JSON allows")


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _nesting(data: bytes) -> int:
    """How deeply lists and objects nest in JSON text, counted before parsing it.

    The parser recurses once a level: measuring first keeps a file of a million "[" from
    reaching the interpreter's recursion limit.
    """
    brackets = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def read_json_limited(path: PathLike, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> object:
    """The JSON document in ``path``, or :class:`ReadRefused` with a sentence saying why.

    Refused: anything that is not a regular file, files over ``max_bytes``, text that is not
    UTF-8 or not JSON, nesting deeper than ``max_depth``, integers longer than
    :data:`MAX_INT_DIGITS` digits, and NaN, Infinity or numbers too large to be finite.
    """
    p = Path(os.fsdecode(os.fspath(path)))
    return _parse_json(read_bytes_limited(p, max_bytes), p, max_depth)


def parse_json_limited(data: bytes | str, what: str = "the text",
                       max_depth: int = MAX_JSON_DEPTH) -> object:
    """JSON already in memory (a stored setting, a file read another way), refused as
    :func:`read_json_limited` refuses a file; the :class:`ReadRefused` message names ``what``.

    The caller limits the length (e.g. ``len(data) > limit`` before calling).
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return _parse_json(raw, what, max_depth)


def read_text_limited(path: PathLike, max_bytes: int) -> str:
    """A regular file's UTF-8 text, at most ``max_bytes`` long; raises :class:`ReadRefused`."""
    p = Path(os.fsdecode(os.fspath(path)))
    try:
        return read_bytes_limited(p, max_bytes).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadRefused(p, "is not a text file (it is not UTF-8)") from None


def _parse_json(data: bytes, source: Path | str, max_depth: int) -> object:
    if _nesting(data) > max_depth:
        raise ReadRefused(source, f"is nested more than {max_depth} levels deep")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReadRefused(source, "is not a text file (it is not UTF-8)") from None
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float,
                          parse_constant=_parse_constant)
    except _Refused as exc:
        raise ReadRefused(source, str(exc)) from None
    except json.JSONDecodeError as exc:
        raise ReadRefused(source, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                                  f"{exc.msg})") from None
    except RecursionError:
        raise ReadRefused(source, f"is nested more than {max_depth} levels deep") from None
    except (ValueError, OverflowError, TypeError, MemoryError) as exc:
        raise ReadRefused(source, f"could not be read as JSON ({exc})") from None


# --- writing ------------------------------------------------------------------------------------

Writer = Callable[[BinaryIO], object]


def atomic_write(path: PathLike, data_or_writer: bytes | Writer, *,
                 overwrite: bool = True) -> Path:
    """Write ``path`` whole or not at all; returns the path written.

    ``data_or_writer``: the bytes, or a function that writes them to a binary file. They go to
    a temporary file in the same folder, which is flushed to the disk and renamed over the
    target, so a reader sees the old file or the new one, never a part. On any failure the
    temporary file is removed and the previous file is unchanged. A symbolic link is followed
    (the file it points to is replaced, the link stays). A replaced file keeps its permissions.

    ``overwrite=False`` refuses an existing file (:class:`TargetExists`), atomically where
    the file system can link files. Other failures raise :class:`WriteFailed`, whose message
    says the cause (:func:`describe_os_error`).
    """
    with atomic_target(path, overwrite=overwrite) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "wb") as fh:
            if callable(data_or_writer):
                data_or_writer(fh)
            else:
                fh.write(data_or_writer)
    return Path(os.fsdecode(os.fspath(path)))


@contextlib.contextmanager
def atomic_target(path: PathLike, *, overwrite: bool = True) -> Iterator[Path]:
    """A new empty temporary file beside ``path``, for a writer that needs a file name (a
    video encoder); when the block ends normally it is flushed to the disk and renamed over
    ``path``, as :func:`atomic_write` does. The temporary name keeps the target's suffix
    (encoders pick the format by it). An exception in the block removes the temporary file,
    leaves ``path`` as it was and passes on; an ``OSError`` becomes :class:`WriteFailed`.
    """
    target = check_target(path, overwrite=overwrite)
    real = Path(os.path.realpath(target)) if target.is_symlink() else target
    name = _name(target)
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _write_failed(target, exc, False) from exc
    folder = real.parent
    for pattern in _temp_patterns(real):  # debris of earlier saves of this file, killed midway
        clean_stale_temp_files(folder, pattern, STALE_TEMP_SECONDS)
    tmp: Path | None = None
    try:
        tmp = _new_temporary(real)
        yield tmp
        _flush_to_disk(tmp)
        if info is not None:
            with contextlib.suppress(OSError):
                os.chmod(tmp, stat.S_IMODE(info.st_mode))
        if overwrite:
            os.replace(tmp, real)
        else:
            _move_without_replacing(tmp, real)
        tmp = None
        _fsync_folder(folder)
    except FileExistsError as exc:
        raise TargetExists(f"{name} already exists", target, "already exists") from exc
    except OSError as exc:
        raise _write_failed(target, exc, info is not None) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _temporary_name(target: Path, token: str) -> str:
    return f".{target.name[:100]}.{token}.tmp{target.suffix[:16]}"


def _temp_patterns(target: Path) -> tuple[str, ...]:
    """Glob patterns of the temporary files a save of ``target`` makes, and of those earlier
    versions made (``.NAME.<hex>.tmp``; ``.STEM.<hex>.tmp.gif`` for an animation), so that
    the debris of a killed save goes whichever version left it."""
    token = "?" * 8
    named = glob.escape(f".{target.name[:100]}.") + token
    return (named + glob.escape(f".tmp{target.suffix[:16]}"), named + ".tmp",
            glob.escape(f".{target.stem}.") + token + glob.escape(f".tmp{target.suffix}"))


def _new_temporary(target: Path) -> Path:
    """Create an empty file of a new temporary name beside ``target`` (the umask applies, as
    for any new file)."""
    for _ in range(100):
        tmp = target.with_name(_temporary_name(target, secrets.token_hex(4)))
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                             | getattr(os, "O_BINARY", 0), 0o666))
        except FileExistsError:
            continue
        return tmp
    raise OSError(errno.EEXIST, "no free temporary name", str(target))


def _flush_to_disk(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_target(path: PathLike, suffixes: Iterable[str] = (), *, what: str = "a file",
                 overwrite: bool = True) -> Path:
    """The path to write, checked before any work is done; raises :class:`WriteFailed`.

    Refused: an empty name, a name ending in a separator or naming a folder, a suffix not in
    ``suffixes`` (when given; the message lists them, ``what`` says what is saved), a missing
    folder, something that is not a regular file, and — without ``overwrite`` — an existing
    file (:class:`TargetExists`). The path is never changed: ``report.v2`` is not made into
    ``report.png``.
    """
    raw = os.fsdecode(os.fspath(path))
    if raw.strip() == "":
        raise WriteFailed("no file name was given", None, "has no name")
    if raw.endswith(("/", os.sep)) or (os.altsep and raw.endswith(os.altsep)):
        raise WriteFailed(f"{raw} names a folder; give a file name", Path(raw), "names a folder")
    target = Path(raw)
    name = _name(target)
    if (problem := name_problem(target, SYSTEM)) is not None:
        raise WriteFailed(f"{name} {problem}", target, problem)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _write_failed(target, exc, False) from exc
    except ValueError:
        raise WriteFailed(f"{name} {BAD_NAME}", target, BAD_NAME) from None
    if info is not None and (problem := _kind_problem(info.st_mode)) is not None:
        raise WriteFailed(f"{name} {problem}: it cannot be replaced", target, problem)
    allowed = sorted({s.lower() for s in suffixes})
    if allowed and target.suffix.lower() not in allowed:
        listed = ", ".join(allowed[:-1]) + (" or " if len(allowed) > 1 else "") + allowed[-1]
        if target.suffix:
            raise WriteFailed(f"{name}: {what} is saved as {listed}, not {target.suffix}",
                              target, f"has the suffix {target.suffix}")
        raise WriteFailed(f"{name}: {what} is saved as {listed}; the name has no suffix",
                          target, "has no suffix")
    if info is not None and not overwrite:
        raise TargetExists(f"{name} already exists", target, "already exists")
    if info is None and not target.parent.is_dir():
        cause = describe_os_error(FileNotFoundError(errno.ENOENT, "missing"), target)
        raise WriteFailed(f"could not write {name}: {cause}", target, cause)
    return target


_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                              *(f"LPT{i}" for i in range(10)), "CONIN$", "CONOUT$"})
_WINDOWS_FORBIDDEN = frozenset('<>:"|?*') | {chr(c) for c in range(32)}
WINDOWS_MAX_PATH = 260  # with its folders and the ending null, unless long paths are enabled


SYSTEM = platform.system()  # whose rules a name must follow: "Windows", "Darwin", "Linux"


def name_problem(path: PathLike, system: str = SYSTEM) -> str | None:
    """Why ``system`` ("Windows", "Darwin", "Linux") cannot make a file at ``path`` under that
    name, said before any work is done; None when it can. Windows keeps device names (``CON``,
    ``NUL``, ``COM1``… with any suffix), forbids ``< > : " | ? *``, drops a final space or dot
    and, unless long paths are enabled, refuses paths of 260 characters; macOS shows a colon
    as a slash and Finder cannot name such a file."""
    p = Path(os.fsdecode(os.fspath(path)))
    name = p.name
    if system == "Windows":
        device = name.split(".", 1)[0].rstrip(" ").upper()
        if device in _WINDOWS_DEVICES:
            return f"is a name Windows keeps for a device ({device}); choose another name"
        if set(name) & _WINDOWS_FORBIDDEN:
            return 'holds a character Windows does not allow in a file name (< > : " | ? *)'
        if name.endswith((" ", ".")):
            return "ends in a space or a dot, which Windows would drop"
        length = len(os.path.abspath(p))
        if length >= WINDOWS_MAX_PATH:
            return (f"has a path of {length} characters with its folders; Windows allows "
                    f"{WINDOWS_MAX_PATH - 1}: choose a shorter name or folder")
    elif system == "Darwin" and ":" in name:
        return "holds a colon, which macOS shows as a slash: choose another name"
    return None


def _write_failed(target: Path, exc: OSError, existed: bool) -> WriteFailed:
    cause = describe_os_error(exc, target)
    kept = f" (the previous {_name(target)} is unchanged)" if existed else ""
    return WriteFailed(f"could not write {_name(target)}: {cause}{kept}", target, cause)


_NO_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS,
             getattr(errno, "ENOTSUP", -1), getattr(errno, "EOPNOTSUPP", -1)}


def _move_without_replacing(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` to ``target`` unless ``target`` exists (FileExistsError)."""
    if os.name == "nt":
        os.rename(tmp, target)  # Windows refuses to rename onto an existing file
        return
    try:
        os.link(tmp, target)  # fails if the target exists, atomically
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        # a file system without hard links (FAT, some network drives): check, then rename
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        os.replace(tmp, target)
    else:
        os.unlink(tmp)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); folders cannot be opened so on Windows."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):  # some file systems refuse to sync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def clean_stale_temp_files(folder: PathLike, pattern: str, older_than: float) -> list[Path]:
    """Remove the files in ``folder`` matching ``pattern`` last changed over ``older_than``
    seconds ago (temporary files of a killed save); returns those removed.

    Only regular files are removed (a link or a folder of that name stays), and a file that
    cannot be removed is left alone: cleaning never fails.
    """
    base = Path(os.fsdecode(os.fspath(folder)))
    removed: list[Path] = []
    now = time.time()
    try:
        candidates = list(base.glob(pattern))
    except OSError:
        return removed
    for p in candidates:
        try:
            info = p.lstat()
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > older_than:
                p.unlink()
                removed.append(p)
        except OSError:
            continue
    return removed


# --- a lock shared by processes -----------------------------------------------------------------

@contextlib.contextmanager
def file_lock(lock_path: PathLike, timeout: float = LOCK_TIMEOUT_S,
              what: str | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created if needed) for the ``with`` block.

    The lock is :mod:`filelock`'s (``flock`` on POSIX, ``msvcrt.locking`` on Windows, a lock
    file where the drive has no locks): every process (and thread) that locks the same path
    waits for the others; after ``timeout`` seconds it gives up with :class:`LockTimeout`.
    ``what`` names the file the lock protects in the messages. The lock file itself stays.
    """
    p = Path(os.fsdecode(os.fspath(lock_path)))
    guarded = what or _name(p)
    lock = filelock.FileLock(p, timeout=timeout, thread_local=False, is_singleton=False)
    try:
        lock.acquire(poll_interval=_LOCK_POLL_S)
    except filelock.Timeout:
        raise LockTimeout(f"{guarded} is being saved by another CNN Explorer window; nothing "
                          f"was changed, try again in a moment", p,
                          "is being saved by another window") from None
    except OSError as exc:
        if exc.errno not in _NO_LOCKING:
            # filelock makes missing folders: EEXIST means a file stands where one should be
            code = errno.ENOTDIR if exc.errno == errno.EEXIST else exc.errno
            cause = describe_os_error(OSError(code, exc.strerror), p)
            raise WriteFailed(f"could not lock {guarded} for saving: {cause}", p, cause) from exc
        # a network drive without locks: the write is still atomic, only two windows saving
        # at the same moment could lose one's entry
        yield
        return
    try:
        yield
    finally:
        lock.release()


_NO_LOCKING = {errno.ENOLCK, errno.ENOSYS, getattr(errno, "EOPNOTSUPP", -1)}


__all__ = [
    "MAX_INT_DIGITS", "MAX_JSON_DEPTH", "FileMissing", "LockTimeout", "ReadRefused",
    "SafeFileError", "TargetExists", "WriteFailed", "atomic_target", "atomic_write",
    "check_target", "clean_stale_temp_files", "describe_os_error", "file_lock", "name_problem",
    "parse_json_limited", "read_bytes_limited", "read_json_limited", "read_npy_array",
    "read_npz_arrays", "read_text_limited", "regular_file_problem", "regular_file_size",
]
