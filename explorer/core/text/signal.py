"""1-D signals: the image kernels' little siblings.

A signal is a sequence of single numbers, so it is :func:`conv1d` with D = 1: the same sliding
window, padding and stride as for a sentence or, one dimension up, an image. A box or Gaussian
kernel smooths it; a difference kernel ([−1, 0, 1]) answers where it rises or falls, as the
image edge kernels do across a row of pixels.

The signal is made up (:data:`SIGNALS`), drawn by the user (its samples, stretched to the
length shown) or a stretch of a WAV file; :func:`study_signal` runs a kernel over it.
"""

from __future__ import annotations

import os
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from explorer.core.text.conv1d import conv1d, output_length

__all__ = ["DRAWN", "KERNELS", "MAX_TAPS", "SIGNALS", "WAV", "SignalStudy", "convolve_signal",
           "excerpt", "format_taps", "parse_taps", "read_wav", "signal_samples", "stretch",
           "study_signal", "synthetic"]

# name → taps, as the engine applies them (cross-correlation: no flip)
KERNELS: dict[str, tuple[float, ...]] = {
    "box 3 (smooth)": (1 / 3, 1 / 3, 1 / 3),
    "box 5 (smooth)": (0.2, 0.2, 0.2, 0.2, 0.2),
    "Gaussian 5 (smooth)": (1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16),
    "difference [−1, 1] (edge)": (-1.0, 1.0),
    "central difference [−1, 0, 1] (edge)": (-1.0, 0.0, 1.0),
    "second difference [1, −2, 1] (peaks)": (1.0, -2.0, 1.0),
    "identity [1]": (1.0,),
}

SIGNALS = ("steps", "sine", "square wave", "chirp", "noisy steps", "spikes")
DRAWN, WAV = "drawn", "wav"  # the signal drawn with the mouse; a stretch of a WAV file
MAX_TAPS = 31


def format_taps(taps) -> str:
    return ", ".join(f"{t:.4g}" for t in taps)


def parse_taps(text: str) -> tuple[float, ...]:
    """Kernel taps typed as numbers separated by commas or spaces (fractions like 1/3 too)."""
    parts = [p for p in text.replace(",", " ").replace("−", "-").split() if p]
    if not parts:
        raise ValueError("type the kernel's taps, e.g. -1, 0, 1")
    if len(parts) > MAX_TAPS:
        raise ValueError(f"a kernel here has at most {MAX_TAPS} taps")
    taps = []
    for p in parts:
        try:
            if "/" in p:
                num, den = p.split("/", 1)
                taps.append(float(num) / float(den))
            else:
                taps.append(float(p))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"“{p}” is not a number: type taps like -1, 0, 1 or 1/3") \
                from None
    if not np.isfinite(taps).all() or max(abs(t) for t in taps) > 1e9:
        raise ValueError("every tap must be a finite number below 10⁹ in size")
    return tuple(taps)


def synthetic(kind: str, length: int = 200, seed: int = 0) -> np.ndarray:
    """A made-up signal of ``length`` samples in about [−1, 1], float32."""
    if kind not in SIGNALS:
        raise ValueError(f"unknown signal {kind!r}: choose one of {', '.join(SIGNALS)}")
    if not 8 <= length <= 100_000:
        raise ValueError("a signal must have between 8 and 100,000 samples")
    t = np.arange(length) / length
    rng = np.random.default_rng(seed)
    if kind == "sine":
        out = np.sin(2 * np.pi * 3 * t)
    elif kind == "square wave":
        out = np.where(np.sin(2 * np.pi * 4 * t) >= 0, 1.0, -1.0)
    elif kind == "chirp":  # frequency rising from 1 to 20 cycles over the signal
        out = np.sin(2 * np.pi * (t + 9.5 * t * t))
    elif kind == "spikes":
        out = np.zeros(length)
        out[rng.choice(length, size=max(1, length // 25), replace=False)] = 1.0
    else:  # steps: flat stretches at a few levels
        levels = np.array([0.0, 0.8, -0.5, 0.3, -0.9, 0.6])
        out = levels[np.minimum((t * len(levels)).astype(int), len(levels) - 1)]
        if kind == "noisy steps":
            out = out + rng.normal(0, 0.12, length)
    return out.astype(np.float32)


def convolve_signal(signal: np.ndarray, kernel: np.ndarray, stride: int = 1,
                    padding: int = 0) -> np.ndarray:
    """The kernel slid along the signal: output i = Σ_j kernel[j]·padded[i·s + j]."""
    x = np.asarray(signal, np.float64)
    k = np.asarray(kernel, np.float64)
    if x.ndim != 1:
        raise ValueError(f"a signal is one row of numbers, not shape {x.shape}")
    if k.ndim != 1:
        raise ValueError(f"a 1-D kernel is one row of numbers, not shape {k.shape}")
    return conv1d(x[:, None], k[None, :, None], stride=stride, padding=padding)[:, 0]


def excerpt(signal: np.ndarray, length: int) -> tuple[np.ndarray, int]:
    """``length`` consecutive samples from where the sound starts, and the first one's index.

    A recording is far longer than the few hundred samples a plot can show one by one, and
    averaging it down would smooth it before any kernel does (a tone would average to zero).
    So the plot shows a stretch at the recording's own rate, from the first sample louder
    than a tenth of the peak (skipping leading silence).
    """
    x = np.asarray(signal, np.float32).reshape(-1)
    if x.size <= length:
        return x.copy(), 0
    peak = float(np.abs(x).max())
    loud = np.flatnonzero(np.abs(x) >= 0.1 * peak) if peak > 0 else np.array([0])
    start = min(int(loud[0]), x.size - length)
    return x[start:start + length].copy(), start


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """A PCM WAV file as (mono samples in [−1, 1] float32, sample rate).

    Channels are averaged. Raises ValueError for anything that is not an uncompressed
    8/16/24/32-bit PCM WAV file with at least one sample.
    """
    name = Path(path).name
    try:
        with wave.open(str(path), "rb") as f:
            channels, width, rate, frames = (f.getnchannels(), f.getsampwidth(),
                                             f.getframerate(), f.getnframes())
            raw = f.readframes(frames)
    except FileNotFoundError:
        raise ValueError(f"there is no file {name}") from None
    except (wave.Error, EOFError, OSError) as exc:
        raise ValueError(f"{name} is not a WAV file this app can read "
                         f"(uncompressed PCM only): {exc}") from None
    if width not in (1, 2, 3, 4) or channels < 1 or rate < 1:
        raise ValueError(f"{name} has an unsupported sample format")
    usable = len(raw) // (width * channels) * width * channels
    if usable == 0:
        raise ValueError(f"{name} holds no samples")
    raw = raw[:usable]
    if width == 1:  # 8-bit WAV is unsigned
        x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    elif width == 3:  # no 24-bit dtype: place the three bytes in the top of an int32
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        x = ((b[:, 0].astype(np.int32) << 8) | (b[:, 1].astype(np.int32) << 16)
             | (b[:, 2].astype(np.int32) << 24)).astype(np.float32) / 2**31
    else:
        dtype = np.dtype("<i2") if width == 2 else np.dtype("<i4")
        x = np.frombuffer(raw, dtype).astype(np.float32) / 2 ** (8 * width - 1)
    return x.reshape(-1, channels).mean(axis=1).astype(np.float32), rate


def stretch(samples: np.ndarray, length: int) -> np.ndarray:
    """``samples`` stretched or shrunk to ``length`` by linear interpolation (none: zeros), so
    a drawing keeps its shape when the length shown changes."""
    x = np.asarray(samples, np.float64).reshape(-1)
    if x.size == 0:
        return np.zeros(length, np.float32)
    if x.size == length:
        return x.astype(np.float32)
    return np.interp(np.linspace(0, x.size - 1, length), np.arange(x.size), x) \
        .astype(np.float32)


@lru_cache(maxsize=2)
def _wav_file(path: str, _stamp: tuple[int, int]) -> tuple[np.ndarray, int]:
    return read_wav(path)


def _read_wav_once(path: str) -> tuple[np.ndarray, int]:
    """A WAV file read again only when it changed on disk (a kernel edit re-reads nothing)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ValueError(f"there is no file {Path(path).name}") from None
    except OSError as exc:
        raise ValueError(f"{Path(path).name} cannot be read: {exc.strerror}") from None
    return _wav_file(path, (info.st_mtime_ns, info.st_size))


def signal_samples(kind: str, length: int, drawn: np.ndarray, wav_file: str
                   ) -> tuple[np.ndarray, str]:
    """The signal a setting names, ``length`` samples, and a sentence saying what it is.

    Raises ValueError when a WAV file cannot be read.
    """
    if kind == DRAWN:
        return stretch(drawn, length), f"{length} samples drawn"
    if kind == WAV:
        if not wav_file:
            raise ValueError("open a WAV file to see its samples")
        samples, rate = _read_wav_once(wav_file)
        shown, start = excerpt(samples, length)
        return shown, (f"{Path(wav_file).name}: samples {start}–{start + shown.size - 1} of "
                       f"{samples.size} ({shown.size / rate * 1000:.1f} ms at {rate} Hz)")
    return synthetic(kind, length), f"{length} samples"


@dataclass(frozen=True, eq=False)
class SignalStudy:
    """A kernel run over a signal, or why it cannot be."""

    signal: np.ndarray  # (n,) float32
    note: str  # what the signal is
    taps: np.ndarray  # (w,)
    padding: int
    stride: int
    output: np.ndarray  # (⌊(n + 2p − w)/s⌋ + 1,) float32; empty when it does not fit
    problem: str = ""  # why there is no output

    @property
    def positions(self) -> np.ndarray:
        """Where each output sample stands on the input's scale: its window's middle."""
        return np.arange(self.output.size) * self.stride - self.padding \
            + (self.taps.size - 1) / 2

    def window(self, j: int) -> tuple[int, int]:
        """Input indices of output ``j``'s first and last taps (beyond the ends: padding)."""
        start = j * self.stride - self.padding
        return start, start + self.taps.size - 1

    def output_at_input(self, i: int) -> int:
        """The first output whose window covers input sample ``i`` (clamped)."""
        w = self.taps.size
        j = int(np.ceil((i + self.padding - w + 1) / self.stride))
        return min(max(j, 0), self.output.size - 1)


def study_signal(signal: np.ndarray, note: str, taps, padding: int, stride: int) -> SignalStudy:
    """The kernel ``taps`` slid along ``signal``; a kernel that does not fit is no output and
    a problem saying why, not an error."""
    x = np.asarray(signal, np.float32).reshape(-1)
    k = np.asarray(taps, np.float64).reshape(-1)
    try:
        output_length(x.size, k.size, stride, padding)
        out = convolve_signal(x, k, stride=stride, padding=padding)
    except ValueError as exc:
        return SignalStudy(x, note, k, padding, stride, np.zeros(0, np.float32), str(exc))
    return SignalStudy(x, note, k, padding, stride, out)
