"""Kernel presets, the kernel editor's helpers, and the user's kernel library (a JSON file).

Every preset is a 2-D float32 array used as CNN layers use it: by **cross-correlation** (the
window is multiplied by the kernel as written, no flip). All x-direction edge detectors share
the lecture's sign: ``[[1, 0, -1]]`` gives a positive response where the *left* side of the
window is bright. OpenCV's ``Sobel(dx=1)`` uses the opposite sign.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from explorer.core import safe_files

MAX_KERNEL_SIDE = 15
CHANNEL_COUNTS = (1, 3)


# eq=False: a generated __eq__/__hash__ would compare or hash the arrays, which NumPy refuses.
@dataclass(frozen=True, eq=False)
class KernelPreset:
    """A named kernel a student can pick: what it is called and what it responds to."""

    name: str
    description: str
    weights: np.ndarray
    label: str = ""

    def __post_init__(self) -> None:
        # a read-only copy: a preset edited in place by accident would change for everyone
        w = np.array(self.weights, dtype=np.float32)
        if w.ndim != 2:
            raise ValueError(f"a preset kernel is 2-D, not of shape {w.shape}")
        w.flags.writeable = False
        object.__setattr__(self, "weights", w)
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " ").capitalize())


# --- kernel builders ---------------------------------------------------------------------------

def _check_size(size: int, what: str) -> int:
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) \
            or not 1 <= size <= MAX_KERNEL_SIDE:
        raise ValueError(f"a {what} kernel needs a size from 1 to {MAX_KERNEL_SIDE}, not {size}")
    return int(size)


# OpenCV's fixed weights for small kernels when no sigma is given (getGaussianKernel, sigma ≤ 0)
_SMALL_GAUSSIANS = {1: [1], 3: [1, 2, 1], 5: [1, 4, 6, 4, 1], 7: [2, 7, 14, 18, 14, 7, 2]}


def gaussian(size: int, sigma: float | None = None) -> np.ndarray:
    """A (size, size) Gaussian blur kernel whose weights sum to 1.

    Without ``sigma``, OpenCV's documented rule: the fixed weights for sizes 1, 3, 5 and 7
    (size 3 is [1, 2, 1]/4 in each direction), else ``sigma = 0.3·((size − 1)/2 − 1) + 0.8``.
    """
    size = _check_size(size, "Gaussian")
    if sigma is None and size in _SMALL_GAUSSIANS:
        g = np.array(_SMALL_GAUSSIANS[size], np.float64)
    else:
        if sigma is None:
            sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8
        elif not (math.isfinite(sigma) and sigma > 0):
            raise ValueError(f"the Gaussian's sigma must be a positive number, not {sigma}")
        x = np.arange(size) - (size - 1) / 2
        g = np.exp(-(x * x) / (2.0 * sigma * sigma))
    k = np.outer(g, g)
    return (k / k.sum()).astype(np.float32)


def box(size: int) -> np.ndarray:
    """A (size, size) box blur: every weight 1/size², the plain mean of the window."""
    size = _check_size(size, "box")
    return np.full((size, size), 1.0 / (size * size), np.float32)


def _pixel_index(offset: np.ndarray, centre: float) -> np.ndarray:
    """Pixel indices of offsets from the kernel's centre."""
    offset = np.round(offset, 9)  # sin(180°) ≈ 1e-16 must not tip a rounding to the next pixel
    if centre.is_integer():  # odd size: rint is symmetric about 0, so is the line
        return (np.rint(offset) + centre).astype(int)
    # even size: no centre pixel; rounding half up keeps a horizontal line on one row
    return np.floor(offset + centre + 0.5).astype(int)


def motion(size: int, angle_deg: float = 0.0) -> np.ndarray:
    """A motion blur: the mean along a line through the centre.

    ``angle_deg`` is measured counter-clockwise on screen: 0 is a horizontal line, 90 vertical,
    45 runs from bottom-left to top-right.
    """
    size = _check_size(size, "motion blur")
    if not math.isfinite(angle_deg):
        raise ValueError(f"the motion blur's angle must be a number of degrees, not {angle_deg}")
    k = np.zeros((size, size), np.float64)
    c = (size - 1) / 2
    a = math.radians(angle_deg)
    reach = c / max(abs(math.cos(a)), abs(math.sin(a)))  # the line ends on the kernel's border
    t = np.linspace(-reach, reach, 4 * size + 1)
    # image rows grow downwards, so a counter-clockwise angle moves up (-y) as x grows
    cols = _pixel_index(t * math.cos(a), c)
    rows = _pixel_index(-t * math.sin(a), c)
    k[rows, cols] = 1.0
    return (k / k.sum()).astype(np.float32)


BLUR_KINDS = ("gaussian", "box")


def blur(kind: str, size: int, sigma: float = 1.0) -> KernelPreset:
    """A box or Gaussian blur of any size up to :data:`MAX_KERNEL_SIDE`, named for what it is.

    The image-processing filters of the lecture: a box takes the plain mean of the window; a
    Gaussian's weights fall off with the distance from the centre as exp(−d²/2σ²), so σ, not
    the size, says how far the blur reaches (a size under about 6σ cuts the bell's tails).
    """
    if kind == "box":
        weights = box(size)
        return KernelPreset(f"Box {size}×{size}", f"Box {size}×{size}: the plain mean of the "
                            f"window, every weight 1/{size * size}", weights,
                            f"Box {size}×{size}")
    if kind != "gaussian":
        raise ValueError(f"a blur is one of {', '.join(BLUR_KINDS)}, not {kind!r}")
    weights = gaussian(size, float(sigma))
    reach = (size - 1) / 2 / sigma
    tails = "the whole bell" if reach >= 3 else "the bell cut short: a larger size keeps its tails"
    label = f"Gaussian {size}×{size}, σ {sigma:g}"
    return KernelPreset(label, f"{label}: a weighted mean that favours the centre; the window "
                        f"reaches {reach:.1f}σ from it ({tails})", weights, label)


# --- the presets -------------------------------------------------------------------------------

_VERTICAL_EDGE = [[1, 0, -1]] * 3
_SOBEL_X = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
_SCHARR_X = [[3, 0, -3], [10, 0, -10], [3, 0, -3]]
_DIAGONAL = [[2, 1, 0], [1, 0, -1], [0, -1, -2]]
_LINE_H = [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]
_BINOMIAL5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])
_UNSHARP = _BINOMIAL5.copy()
_UNSHARP[2, 2] = -476  # twice the centre minus the blur: −(G − 2δ)·256, the usual kernel


def _preset(name: str, label: str, description: str, weights: object) -> KernelPreset:
    return KernelPreset(name, description, np.asarray(weights, np.float64), label)


_PRESET_LIST = [
    _preset("identity", "Identity", "Identity: copies the input unchanged (a 1 in the centre, "
            "0 everywhere else)", [[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    # the lecture's edge detectors, x before y
    _preset("vertical_edge", "Vertical edge", "Vertical edge: bright on the left, dark on the "
            "right gives a positive response (the lecture's [[1,0,−1]]×3)", _VERTICAL_EDGE),
    _preset("horizontal_edge", "Horizontal edge", "Horizontal edge: bright above, dark below "
            "gives a positive response (the lecture's [[1,1,1],[0,0,0],[−1,−1,−1]])",
            np.transpose(_VERTICAL_EDGE)),
    _preset("sobel_x", "Sobel x", "Sobel x: a vertical-edge detector that counts the centre row "
            "twice, so noise matters less; positive where the left is bright", _SOBEL_X),
    _preset("sobel_y", "Sobel y", "Sobel y: Sobel x turned on its side, a horizontal-edge "
            "detector; positive where the top is bright", np.transpose(_SOBEL_X)),
    _preset("scharr_x", "Scharr x", "Scharr x: Sobel x with weights 3, 10, 3, which answers more "
            "evenly to edges at every angle; positive where the left is bright", _SCHARR_X),
    _preset("scharr_y", "Scharr y", "Scharr y: Scharr x turned on its side; positive where the "
            "top is bright", np.transpose(_SCHARR_X)),
    _preset("prewitt_x", "Prewitt x", "Prewitt x: the lecture's vertical-edge weights under "
            "their image-processing name; positive where the left is bright", _VERTICAL_EDGE),
    _preset("prewitt_y", "Prewitt y", "Prewitt y: the horizontal-edge weights under their "
            "image-processing name; positive where the top is bright",
            np.transpose(_VERTICAL_EDGE)),
    _preset("diagonal_edge", "Diagonal edge /", "Diagonal edge /: bright above-left, dark "
            "below-right gives a positive response", _DIAGONAL),
    _preset("antidiagonal_edge", "Diagonal edge \\", "Diagonal edge \\: bright above-right, dark "
            "below-left gives a positive response", np.fliplr(_DIAGONAL)),
    _preset("horizontal_line", "Horizontal line", "Horizontal line: strongest on a thin bright "
            "horizontal line (a ridge); the bright side of an edge gets half as much", _LINE_H),
    _preset("vertical_line", "Vertical line", "Vertical line: strongest on a thin bright "
            "vertical line (a ridge); the bright side of an edge gets half as much",
            np.transpose(_LINE_H)),
    # second derivatives: zero on flat areas and on smooth ramps
    _preset("laplacian", "Laplacian", "Laplacian: the second derivative in both directions; "
            "zero on flat areas and smooth ramps, strong on both sides of an edge",
            [[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    _preset("outline", "Outline", "Outline: the centre counted 8 times minus its 8 neighbours; "
            "flat areas go black, outlines and fine detail light up",
            [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
    # blurs: the weights are positive and sum to 1, so a flat area keeps its brightness
    _preset("box_blur", "Box blur", "Box blur: the plain mean of the 3×3 window (every weight "
            "is 1/9)", box(3)),
    _preset("gaussian_blur", "Gaussian blur", "Gaussian blur: a weighted mean, "
            "[1,2,1]⊗[1,2,1]/16, that favours the centre and blurs more smoothly than the box",
            gaussian(3)),
    _preset("gaussian_blur_5x5", "Gaussian blur 5×5", "Gaussian blur 5×5: "
            "[1,4,6,4,1]⊗[1,4,6,4,1]/256, a wider and stronger blur", gaussian(5)),
    _preset("motion_blur", "Motion blur", "Motion blur: the mean of 7 pixels in a horizontal "
            "row (a 7×7 kernel), like a photo taken while panning the camera sideways",
            motion(7, 0.0)),
    # sharpeners: the weights sum to 1 too, but the neighbours count negatively
    _preset("sharpen", "Sharpen", "Sharpen: the centre counted 5 times minus its 4 neighbours; "
            "flat areas stay the same, edges gain contrast",
            [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    _preset("unsharp_mask", "Unsharp mask", "Unsharp mask: the picture plus (picture − its 5×5 "
            "Gaussian blur), the sharpening photo editors use", _UNSHARP / -256.0),
    _preset("emboss", "Emboss", "Emboss: bright below-right minus bright above-left, plus the "
            "picture itself; edges look raised like a relief",
            [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
]

PRESETS: dict[str, KernelPreset] = {p.name: p for p in _PRESET_LIST}


def names() -> list[str]:
    """The preset names in display order."""
    return list(PRESETS)


def get(name: str) -> KernelPreset:
    """The preset called ``name``; a ValueError lists the known names."""
    try:
        return PRESETS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"there is no kernel preset named {name!r}; the presets are: {', '.join(PRESETS)}"
        ) from None


# --- the kernel editor's helpers (each returns a new, writeable float32 array) -------------

def _as_kernel(k: np.ndarray) -> np.ndarray:
    a = np.array(k, dtype=np.float32)  # always a copy
    if a.ndim not in (2, 3) or a.size == 0:
        raise ValueError(f"a kernel must be a 2-D or 3-D array of weights, not of shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("kernel weights must be finite numbers (no NaN or infinity)")
    return a


def normalize(k: np.ndarray) -> np.ndarray:
    """Scale a kernel so a flat area keeps its brightness, or so an edge detector is comparable.

    A kernel whose weights sum to something (a blur, a sharpener) is divided by that sum. A
    kernel whose weights sum to ~0 (an edge detector; under 0.1 % of its weights' magnitude)
    cannot be made to sum to 1 without blowing it up a thousandfold, so it is scaled until its
    positive weights sum to 1. An all-zero kernel comes back unchanged.
    """
    a = _as_kernel(k).astype(np.float64)
    total = a.sum()
    if abs(total) > 1e-3 * np.abs(a).sum():
        return (a / total).astype(np.float32)
    positive = a[a > 0].sum()
    if positive == 0:
        return a.astype(np.float32)
    return (a / positive).astype(np.float32)


def negate(k: np.ndarray) -> np.ndarray:
    """The kernel with every sign flipped: an edge detector then fires on the other side."""
    return -_as_kernel(k)


def transpose(k: np.ndarray) -> np.ndarray:
    """Rows become columns (a vertical-edge kernel becomes a horizontal one); channels stay."""
    return np.ascontiguousarray(np.swapaxes(_as_kernel(k), 0, 1))


def rotate90(k: np.ndarray, times: int = 1) -> np.ndarray:
    """The kernel turned a quarter counter-clockwise ``times`` times; channels stay."""
    return np.ascontiguousarray(np.rot90(_as_kernel(k), times, axes=(0, 1)))


def randomize(
    shape: tuple[int, ...], rng: np.random.Generator | int | None = None
) -> np.ndarray:
    """Random weights as a network starts with them before training (He initialisation).

    Normal with standard deviation sqrt(2 / fan_in), fan_in = kh·kw·C: the scale that keeps a
    ReLU layer's output about as large as its input.
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) not in (2, 3) or min(shape) < 1:
        raise ValueError(f"a kernel shape is (height, width) or (height, width, channels), "
                         f"not {shape}")
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return generator.normal(0.0, math.sqrt(2.0 / math.prod(shape)), shape).astype(np.float32)


# --- the user's kernel library -----------------------------------------------------------------

LIBRARY_FORMAT = "cnn-explorer-kernels"
LIBRARY_VERSION = 1
MAX_LIBRARY_BYTES = 16 * 1024 * 1024
MAX_LIBRARY_KERNELS = 10_000  # a list longer than this is no one's hand-saved library
MAX_NAME_CHARS = 200
FLOAT32_MAX = float(np.finfo(np.float32).max)
STALE_TEMP_SECONDS = 60.0  # a save takes milliseconds: an older temporary file is debris


class LibraryError(ValueError):
    """The kernel library file cannot be read or written. The file has been left as it was."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True, eq=False)
class UserKernel:
    """A kernel the user saved: (kh, kw) or (kh, kw, C) float32 weights (read-only) and a bias."""

    name: str
    weights: np.ndarray
    bias: float = 0.0
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("a saved kernel needs a name that is not empty")
        if len(self.name.strip()) > MAX_NAME_CHARS:
            raise ValueError(f"a kernel's name has at most {MAX_NAME_CHARS} characters, not "
                             f"{len(self.name.strip())}")
        if not isinstance(self.description, str):
            raise ValueError("a kernel's description must be text")
        if not _is_number(self.bias):
            raise ValueError(f"the bias must be a finite number within ±{FLOAT32_MAX:.3g}")
        w = _as_kernel(self.weights)
        kh, kw = w.shape[:2]
        if not (1 <= kh <= MAX_KERNEL_SIDE and 1 <= kw <= MAX_KERNEL_SIDE):
            raise ValueError(f"a {kh}×{kw} kernel is too large: the sides go from 1 to "
                             f"{MAX_KERNEL_SIDE}")
        if w.ndim == 3 and w.shape[2] not in CHANNEL_COUNTS:
            raise ValueError(f"a kernel has 1 or 3 channels (gray or RGB), not {w.shape[2]}")
        w.flags.writeable = False
        object.__setattr__(self, "name", self.name.strip())
        object.__setattr__(self, "bias", float(self.bias))
        object.__setattr__(self, "weights", w)


def _is_number(x: object) -> bool:
    """A finite int or float that float32 can hold (1e39 would become infinity there)."""
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        return False
    try:
        return math.isfinite(x) and abs(x) <= FLOAT32_MAX
    except OverflowError:  # an int too large for a float
        return False


def _weights_from_json(rows: object) -> np.ndarray:
    """Nested lists → array, checking the shape by hand so ragged rows get a clear message."""
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise ValueError("the weights must be a list of rows")
    if len(rows) > MAX_KERNEL_SIDE or any(len(r) > MAX_KERNEL_SIDE for r in rows):
        longest = max(len(r) for r in rows)
        raise ValueError(f"a {len(rows)}×{longest} kernel is too large: the sides go from 1 "
                         f"to {MAX_KERNEL_SIDE}")
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"the weight rows have different lengths (row 1 has {width}, "
                             f"row {i + 1} has {len(row)})")
    cells = [c for row in rows for c in row]
    if not cells:
        raise ValueError("the weights are empty")
    if all(isinstance(c, list) for c in cells):
        depth = len(cells[0])
        if any(len(c) != depth for c in cells):
            raise ValueError("the weight cells have different channel counts")
        values = [v for c in cells for v in c]
    elif any(isinstance(c, list) for c in cells):
        raise ValueError("some weights are numbers and some are lists")
    else:
        values = cells
    if not all(_is_number(v) for v in values):
        raise ValueError(f"every weight must be a finite number within ±{FLOAT32_MAX:.3g} "
                         "(no NaN, infinity, text or lists)")
    return np.array(rows, dtype=np.float32)


def _kernel_from_json(entry: object) -> UserKernel:
    if not isinstance(entry, dict):
        raise ValueError("an entry is not an object with a name and weights")
    bias = entry.get("bias", 0.0)
    if not _is_number(bias):
        raise ValueError(f"the bias must be a finite number within ±{FLOAT32_MAX:.3g}")
    return UserKernel(
        name=entry.get("name"),  # UserKernel checks it is non-empty text
        weights=_weights_from_json(entry.get("weights")),
        bias=bias,
        description=entry.get("description", ""),
    )


def _kernel_to_json(kernel: UserKernel) -> dict:
    return {
        "name": kernel.name,
        "description": kernel.description,
        "bias": kernel.bias,
        "weights": kernel.weights.astype(float).tolist(),
    }


class KernelLibrary:
    """The user's saved kernels, in one JSON file.

    A missing file is an empty library; the folder is created on the first save. Writes are
    atomic (:func:`~explorer.core.safe_files.atomic_write`), so a crash, a kill or a full disk
    mid-save leaves the previous file intact. Saves and deletes hold a lock file
    (``.<name>.lock`` beside the library) while they read, change and write the file, so two
    windows saving at once keep every kernel.

    A malformed file — not JSON, nested too deep, numbers that are not finite, the wrong
    types, over :data:`MAX_LIBRARY_BYTES`, not a regular file — is never overwritten:
    :meth:`load`, :meth:`save` and :meth:`delete` raise :class:`LibraryError` and leave it
    alone. :meth:`set_aside` renames it to ``<name>.bad-<timestamp>.json`` (the UI can offer
    that, and say where it went) so that a new library can start.
    """

    lock_timeout = safe_files.LOCK_TIMEOUT_S  # seconds a save waits for another window's

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @property
    def lock_path(self) -> Path:
        """The lock file saves hold; it stays beside the library (an empty file)."""
        return self.path.with_name(f".{self.path.name}.lock")

    def load(self) -> dict[str, UserKernel]:
        """Every saved kernel by name, in the file's order. Raises LibraryError."""
        try:
            doc = safe_files.read_json_limited(self.path, MAX_LIBRARY_BYTES)
        except safe_files.FileMissing:
            return {}
        except safe_files.ReadRefused as exc:
            raise self._error(exc.problem) from None
        if not isinstance(doc, dict) or doc.get("format") != LIBRARY_FORMAT:
            raise self._error("is not a CNN Explorer kernel library")
        version = doc.get("version")
        if type(version) is not int or version != LIBRARY_VERSION:  # True == 1 in Python
            if type(version) is int and version > LIBRARY_VERSION:
                raise self._error(f"was written by a newer CNN Explorer (format version "
                                  f"{version})")
            raise self._error(f"has an unknown format version ({str(version)[:40]!r})")
        entries = doc.get("kernels")
        if not isinstance(entries, list):
            raise self._error("has no list of kernels")
        if len(entries) > MAX_LIBRARY_KERNELS:
            raise self._error(f"holds {len(entries)} kernels, more than the "
                              f"{MAX_LIBRARY_KERNELS} a library can hold")
        kernels: dict[str, UserKernel] = {}
        for i, entry in enumerate(entries):
            try:
                kernel = _kernel_from_json(entry)
            except (ValueError, TypeError, OverflowError) as exc:
                raise self._error(f"has a bad kernel (number {i + 1}): {exc}") from None
            if kernel.name in kernels:
                raise self._error(f"has two kernels named {kernel.name!r}")
            kernels[kernel.name] = kernel
        return kernels

    def names(self) -> list[str]:
        """The saved kernels' names, in the file's order."""
        return list(self.load())

    def save(self, kernel: UserKernel) -> None:
        """Add ``kernel``, or replace the saved kernel of the same name (keeping its place).

        The file is read again under the lock, so kernels another window saved meanwhile stay.
        """
        with self._locked():
            kernels = self.load()
            kernels[kernel.name] = kernel
            self._write(kernels)

    def delete(self, name: str) -> None:
        """Remove the kernel called ``name``; a ValueError if there is none."""
        with self._locked():
            kernels = self.load()
            if name not in kernels:
                raise ValueError(f"the library {self.path.name} has no kernel named {name!r}")
            del kernels[name]
            self._write(kernels)

    def set_aside(self) -> Path:
        """Rename a damaged library file to ``<name>.bad-<timestamp>.json``; returns the new path.

        After this the library is empty and can be saved to again; nothing has been deleted.
        Raises OSError when the file cannot be renamed.
        """
        with self._locked():
            stamp = time.strftime("%Y%m%d-%H%M%S")
            target = self.path.with_name(f"{self.path.stem}.bad-{stamp}.json")
            n = 1
            while target.exists():
                n += 1
                target = self.path.with_name(f"{self.path.stem}.bad-{stamp}-{n}.json")
            self.path.rename(target)
            return target

    def remove_stale_temp_files(self, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
        """Delete the temporary files of saves that were killed midway; returns them.

        Runs under the lock, so a save in progress in another window keeps its file; the age
        limit covers an older CNN Explorer saving without the lock. Never raises.
        """
        pattern = f".{self.path.name}.*.tmp"
        try:
            if not any(self.path.parent.glob(pattern)):
                return []  # the usual case: nothing to clean, no lock file made
            with self._locked(timeout=0.5):
                return safe_files.clean_stale_temp_files(self.path.parent, pattern, older_than)
        except (LibraryError, OSError):
            return []  # busy or unwritable: try again at the next start

    # --- internals -----------------------------------------------------------------------
    def _error(self, problem: str) -> LibraryError:
        return LibraryError(
            f"the kernel library {self.path.name} {problem}; the file was left untouched",
            self.path,
        )

    @contextmanager
    def _locked(self, timeout: float | None = None) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._not_saved(safe_files.describe_os_error(exc, self.path)) from exc
        try:
            with safe_files.file_lock(self.lock_path, timeout or self.lock_timeout,
                                      what=f"the kernel library {self.path.name}"):
                yield
        except safe_files.LockTimeout as exc:
            raise LibraryError(str(exc), self.path) from None
        except safe_files.WriteFailed as exc:
            if exc.path != self.lock_path:
                raise
            raise self._not_saved(exc.problem) from exc

    def _not_saved(self, cause: str) -> LibraryError:
        return LibraryError(f"the kernel library {self.path.name} could not be saved "
                            f"({cause}); the previous file is unchanged", self.path)

    def _write(self, kernels: dict[str, UserKernel]) -> None:
        doc = {
            "format": LIBRARY_FORMAT,
            "version": LIBRARY_VERSION,
            "kernels": [_kernel_to_json(k) for k in kernels.values()],
        }
        data = json.dumps(doc, indent=1, allow_nan=False) + "\n"
        try:
            safe_files.atomic_write(self.path, data.encode("utf-8"))
        except safe_files.WriteFailed as exc:
            raise self._not_saved(exc.problem) from exc


__all__ = [
    "PRESETS", "KernelLibrary", "KernelPreset", "LibraryError", "UserKernel", "box", "gaussian",
    "get", "motion", "names", "negate", "normalize", "randomize", "rotate90", "transpose",
]
