"""The convolution layer: K filters slid over an H×W×C image, plus bias.

Each output pixel is the weighted window (the kernel) laid over the input at that position,
summed over the rows, columns and channels it covers, plus the filter's bias. CNN layers compute
this *cross-correlation*; ``flip=True`` turns the kernel by 180° for a true convolution.

The engine rides OpenCV (docs/architecture.md, "Speed"): one ``cv2.filter2D`` per (filter,
channel) on float32 planes, with OpenCV's border extrapolation standing in for the padding,
summed with ``cv2.add``.
What OpenCV cannot express it gets by small rewrites: a dilated kernel is the kernel spread out
with zeros, a stride keeps every s-th pixel of the dense result, and paddings wider than the
kernel's reach, asymmetric ones and circular ones are added explicitly with
``cv2.copyMakeBorder`` before a "valid" correlation. Large layers share the work between the
calling thread and a small pool of worker threads (OpenCV releases the GIL): a layer whose
maps keep the picture's size (stride 1, "same" padding: the live layer) gives each thread
whole feature maps, the fewest OpenCV calls; the others go through in cache-sized bands of
rows. A caller can finish each feature map (its activation, its pooling) on the thread that
made it, while it is still in that core's cache (``finish=``).

Feature maps come back as a float32 ``(H', W', K)`` array whose memory is filter-major: each
feature map ``maps[:, :, k]`` is one C-contiguous plane, ready for OpenCV and for display.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import NamedTuple

import cv2
import numpy as np

from explorer.core.blas import one_blas_thread
from explorer.core.cancel import CancelToken, check
from explorer.core.shapes import Padding, pad_amounts, whole_number, whole_pair

# PyTorch's padding-mode names → OpenCV's border rules. "reflect" mirrors without repeating the
# edge pixel (PyTorch's reflect = OpenCV's REFLECT_101), "circular" wraps around.
PAD_MODES: dict[str, int] = {
    "zeros": cv2.BORDER_CONSTANT,
    "reflect": cv2.BORDER_REFLECT_101,
    "replicate": cv2.BORDER_REPLICATE,
    "circular": cv2.BORDER_WRAP,
}

# Below this much work (pixels × channels × filters) a second thread costs more than it saves;
# above it (say a 160×160 RGB image through 8 filters) the work is shared out.
_PARALLEL_MIN_WORK = 1 << 19


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_workers(n: int) -> ThreadPoolExecutor | None:
    """The engine's worker threads, all started now so none appears later mid-program.

    The calling thread does one share of the work, so one worker per extra core (at most 3:
    the layer is memory-bound beyond that). ThreadPoolExecutor starts a thread per submit only
    while no thread is idle, so each worker is held at a barrier until all have started. Idle
    workers are joined by ``concurrent.futures`` at interpreter exit.
    """
    if n < 1:
        return None
    executor = ThreadPoolExecutor(max_workers=n, thread_name_prefix="explorer-convolve")
    barrier = threading.Barrier(n)
    for f in [executor.submit(barrier.wait, 10) for _ in range(n)]:
        f.result()
    return executor


_WORKERS = min(_usable_cores() - 1, 3)
_EXECUTOR = _start_workers(_WORKERS)
_local = threading.local()  # per thread: scratch buffers, and whether it runs a share now


def _forget_workers() -> None:
    # a forked child inherits the executor but not its threads: compute on one thread there
    global _EXECUTOR
    _EXECUTOR = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_workers)


# Scratch bytes each thread keeps. A stack's stages each have their own plane sizes, and
# all of them are reused every live frame: dropping them would make every frame's planes
# fresh pages again (a 720p 3-stage frame holds ~40 MB of them a thread).
_SCRATCH_BYTES = 256 << 20


def _scratch(name: str, shape: tuple[int, ...], dtype: np.dtype = np.float32) -> np.ndarray:
    """A buffer private to the calling thread, reused across calls of the same shape.

    Each thread keeps up to :data:`_SCRATCH_BYTES`; past that the buffers used longest ago go
    first (a new image size makes the old sizes' buffers the first to go)."""
    cache: dict | None = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    key = (name, shape, np.dtype(dtype))
    buf = cache.pop(key, None)
    if buf is None:
        buf = np.empty(shape, dtype)
        held = sum(b.nbytes for b in cache.values())
        for old in list(cache):  # dicts keep insertion order: the longest unused first
            if held + buf.nbytes <= _SCRATCH_BYTES:
                break
            held -= cache.pop(old).nbytes
    cache[key] = buf  # last in the order: the most recently used
    return buf


# the dtypes cv2.split takes (OpenCV 4 and 5)
_SPLITTABLE = tuple(
    np.dtype(t) for t in (np.uint8, np.int8, np.uint16, np.int16, np.int32, np.float32,
                          np.float64)
)


def empty_feature_maps(height: int, width: int, count: int) -> np.ndarray:
    """An uninitialised float32 ``(height, width, count)`` array laid out map by map.

    ``convolve(..., out=...)`` and ``pool(..., out=...)`` write into such a buffer without any
    copy; preallocate one for a live loop.
    """
    return np.empty((count, height, width), np.float32).transpose(1, 2, 0)


class _Axis(NamedTuple):
    """The geometry of one axis: n inputs, a kernel spanning ``span`` pixels, the padding."""

    n: int
    kernel: int
    span: int
    stride: int
    before: int
    after: int
    out: int

    @classmethod
    def of(cls, n: int, kernel: int, stride: int, padding: int | str, dilation: int) -> _Axis:
        before, after = pad_amounts(n, kernel, stride, padding, dilation)
        span = dilation * (kernel - 1) + 1
        out = (n + before + after - span) // stride + 1 if n + before + after >= span else 0
        return cls(n, kernel, span, stride, before, after, out)

    @property
    def border_suffices(self) -> bool:
        # filter2D with its anchor at the padding computes dense[y] = window starting at
        # y − before, extrapolating the border as far as the kernel reaches: enough when every
        # output we keep lies on a real pixel.
        return self.before < self.span and (self.out - 1) * self.stride <= self.n - 1


def _as_image(image: np.ndarray) -> np.ndarray:
    img = np.asarray(image)
    if img.dtype.kind not in "biuf":
        raise ValueError(f"the image must hold real numbers, not {img.dtype}")
    if img.ndim == 2:
        img = img[:, :, np.newaxis]
    if img.ndim != 3:
        raise ValueError(
            f"the image must be (height, width) or (height, width, channels), not {img.shape}"
        )
    if img.size == 0:
        h, w, c = img.shape
        raise ValueError(f"the image is empty ({h}×{w} pixels, {c} channels)")
    return img


def _as_filters(filters: np.ndarray, channels: int) -> np.ndarray:
    w = np.asarray(filters)
    if w.dtype.kind not in "biuf":
        raise ValueError(f"the filters must hold real numbers, not {w.dtype}")
    if w.ndim == 2:
        w = w[np.newaxis, :, :, np.newaxis]
    elif w.ndim != 4:
        raise ValueError(
            f"give one filter as (kh, kw) or several as (K, kh, kw, C), not shape {w.shape}"
        )
    k, kh, kw, c = w.shape
    if k == 0:
        raise ValueError("there are no filters")
    if kh == 0 or kw == 0 or c == 0:
        raise ValueError(f"the filters are empty (shape {w.shape})")
    if c != channels:
        deep = "channel" if c == 1 else "channels"
        raise ValueError(f"the filters are {c} {deep} deep but the image has {channels}")
    w = w.astype(np.float32, copy=False)
    if not np.isfinite(w).all():
        raise ValueError("the filters contain NaN or infinite weights")
    return w


def _as_bias(bias: np.ndarray | Sequence[float] | None, count: int) -> np.ndarray:
    if bias is None:
        return np.zeros(count, np.float64)
    b = np.asarray(bias, dtype=np.float64).reshape(-1)
    if b.shape != (count,):
        filters = "filter" if count == 1 else "filters"
        raise ValueError(f"there are {count} {filters} but {b.size} biases")
    if not np.isfinite(b).all():
        raise ValueError("the biases contain NaN or infinite values")
    return b


def _axes(
    shape: tuple[int, int], kernel: tuple[int, int], stride: object, padding: Padding,
    dilation: object,
) -> tuple[_Axis, _Axis]:
    (sh, sw) = whole_pair(stride, "the stride", 1)
    (dh, dw) = whole_pair(dilation, "the dilation", 1)
    if isinstance(padding, str):
        ph = pw = padding
    elif isinstance(padding, tuple | list):
        ph, pw = whole_pair(padding, "the padding", 0)
    else:
        ph = pw = whole_number(padding, "the padding", 0)
    (h, w), (kh, kw) = shape, kernel
    rows, cols = _Axis.of(h, kh, sh, ph, dh), _Axis.of(w, kw, sw, pw, dw)
    if rows.span > h + rows.before + rows.after or cols.span > w + cols.before + cols.after:
        dilated = (
            f" (dilated to {rows.span}×{cols.span})" if (dh, dw) != (1, 1) else ""
        )
        padded = "the padded " if rows.before + rows.after + cols.before + cols.after else "the "
        ph_, pw_ = h + rows.before + rows.after, w + cols.before + cols.after
        raise ValueError(
            f"the {kh}×{kw} kernel{dilated} is larger than {padded}{ph_}×{pw_} image"
        )
    return rows, cols


def _check_pad_mode(pad_mode: str, rows: _Axis, cols: _Axis) -> int:
    if pad_mode not in PAD_MODES:
        raise ValueError(
            f"unknown padding mode {pad_mode!r}: use one of "
            + ", ".join(repr(m) for m in PAD_MODES)
        )
    for axis, side in ((rows, "tall"), (cols, "wide")):
        pad = max(axis.before, axis.after)
        # PyTorch's limits: a mirror needs a pixel beyond the edge, a wrap at most one turn
        if pad_mode == "reflect" and pad >= axis.n:
            raise ValueError(
                f"reflect padding of {pad} needs an image more than {pad} pixels {side} "
                f"(it is {axis.n})"
            )
        if pad_mode == "circular" and pad > axis.n:
            raise ValueError(
                f"circular padding of {pad} needs an image at least {pad} pixels {side} "
                f"(it is {axis.n})"
            )
    return PAD_MODES[pad_mode]


def _kernel_planes(
    w: np.ndarray, flip: bool, dilation: tuple[int, int], rows: _Axis, cols: _Axis
) -> list[list[np.ndarray]]:
    """Per filter, per channel: the 2-D float32 kernel filter2D slides (flipped, dilated)."""
    if flip:
        w = w[:, ::-1, ::-1, :]
    planes = []
    for k in range(w.shape[0]):
        per_channel = []
        for c in range(w.shape[3]):
            if dilation == (1, 1):
                kern = np.ascontiguousarray(w[k, :, :, c])
            else:
                kern = np.zeros((rows.span, cols.span), np.float32)
                kern[:: dilation[0], :: dilation[1]] = w[k, :, :, c]
            per_channel.append(kern)
        planes.append(per_channel)
    return planes


def _input_planes(img: np.ndarray, rows: _Axis, cols: _Axis, border: int, explicit: bool
                  ) -> list[np.ndarray]:
    """The image as C contiguous float32 planes, padded explicitly when filter2D cannot.

    A large image is de-interleaved and converted in blocks of rows by the engine's threads:
    done by one thread, this alone would cost a tenth of a 720p layer.
    """
    h, w, c = img.shape
    if c == 1 and img.dtype == np.float32 and img.flags.c_contiguous:
        planes = [img.reshape(h, w)]
    else:
        planes = [_scratch(f"plane{i}", (h, w)) for i in range(c)]
        splittable = img.dtype in _SPLITTABLE and img.flags.c_contiguous and c <= 512
        same = img.dtype == np.float32

        def convert(block: range) -> None:
            r0, r1 = block.start, block.stop
            if r1 <= r0:
                return
            targets = [p[r0:r1] for p in planes]
            if splittable and c > 1:
                # cv2.split de-interleaves fast; converting contiguous planes is fast too
                split = targets if same else [_scratch(f"raw{i}", (r1 - r0, w), img.dtype)
                                              for i in range(c)]
                cv2.split(img[r0:r1], split)
                if not same:
                    for target, raw in zip(targets, split, strict=True):
                        np.copyto(target, raw, casting="unsafe")
            else:
                for i, target in enumerate(targets):
                    np.copyto(target, img[r0:r1, :, i], casting="unsafe")

        share_out(convert, h, h * w * c)
    if not explicit:
        return planes
    shape = (h + rows.before + rows.after, w + cols.before + cols.after)
    padded = []
    for i, plane in enumerate(planes):
        dst = _scratch(f"padded{i}", shape)
        cv2.copyMakeBorder(plane, rows.before, rows.after, cols.before, cols.after, border,
                           dst=dst, value=0)
        padded.append(dst)
    return padded


# Rows go through in bands small enough that a band of every input plane plus two scratch
# planes stay in a core's cache while all K filters pass over it, so each input pixel comes
# from memory once per call rather than once per filter.
_BAND_BYTES = 1 << 20


class _Job(NamedTuple):
    """One call's prepared inputs, shared read-only by the threads computing its bands."""

    planes: list[np.ndarray]  # C float32 planes filter2D reads (already padded if explicit)
    kernels: list[list[np.ndarray]]
    bias: np.ndarray
    anchor: tuple[int, int]  # (x, y), filter2D's order
    border: int
    rows: _Axis
    cols: _Axis
    src_cols: int  # the columns of each plane filter2D reads
    bands: list[int]  # output row where each band starts, then rows.out
    out: np.ndarray
    cancel: CancelToken | None = None  # checked before each filter of each band


def _band_starts(rows: _Axis, src_cols: int, channels: int, shares: int) -> list[int]:
    """Output rows where the bands start (and rows.out last): even bands, none too thin.

    A band spans at least two kernels' worth of rows; a thinner one would spend more on the
    rows it shares with its neighbours than it saves.
    """
    thinnest = (2 * rows.span) // rows.stride + 1
    if channels == 1:
        count = 1  # nothing to sum: filter2D can write each feature map in one go
    else:
        fitting = _BAND_BYTES // (4 * src_cols * (channels + 2)) // rows.stride
        count = max(1, rows.out // max(thinnest, fitting))
    if shares > 1 and rows.out // shares >= thinnest:
        count = max(shares, min(-(-count // shares) * shares, rows.out // thinnest))
        count -= count % shares  # the same number of bands for every thread
    return [rows.out * i // count for i in range(count + 1)]


def _band_rows(job: _Job, i: int) -> tuple[int, int, int, int]:
    """Band i's output rows o0:o1 and the plane rows lo:hi filter2D reads for them."""
    rows, ay = job.rows, job.anchor[1]
    src_rows = job.planes[0].shape[0]
    o0, o1 = job.bands[i], job.bands[i + 1]
    # the windows of the band's outputs start at rows o·s − ay and span rows.span rows
    lo = max(0, o0 * rows.stride - ay)
    hi = min(src_rows, (o1 - 1) * rows.stride - ay + rows.span)
    # at the image's edges filter2D pads by mirroring rows, which must be in the band too
    if lo == 0:
        hi = max(hi, min(src_rows, rows.before + 1))
    if hi == src_rows:
        lo = min(lo, max(0, src_rows - 1 - rows.after))
    return o0, o1, lo, hi


def _run_maps(job: _Job, finish: Callable[[int], object] | None, filters: range) -> None:
    """Whole feature maps ``filters`` (their size the planes', each C-contiguous): filter2D
    per channel, summed in place; then ``finish(k)`` while map k is in this core's cache."""
    tmp = _scratch("tmp", job.planes[0].shape)
    for k in filters:
        check(job.cancel)
        target = job.out[:, :, k]
        kernels = job.kernels[k]
        cv2.filter2D(job.planes[0], -1, kernels[0], dst=target, anchor=job.anchor,
                     delta=float(job.bias[k]), borderType=job.border)
        for c in range(1, len(job.planes)):
            cv2.filter2D(job.planes[c], -1, kernels[c], dst=tmp, anchor=job.anchor,
                         borderType=job.border)
            cv2.add(target, tmp, dst=target)
        if finish is not None:
            finish(k)


def _run_bands(job: _Job, bands: range) -> None:
    """Correlate every filter over output rows ``job.bands[i]:job.bands[i + 1]``, i in bands."""
    rows, cols = job.rows, job.cols
    whole_cols = job.src_cols == cols.out  # stride 1, no columns to drop
    col_keep = slice(0, (cols.out - 1) * cols.stride + 1, cols.stride)
    extents = [_band_rows(job, i) for i in bands]
    tallest = max(hi - lo for _, _, lo, hi in extents)
    acc_buf = _scratch("acc", (tallest, job.src_cols))
    tmp_buf = _scratch("tmp", (tallest, job.src_cols))
    for o0, o1, lo, hi in extents:
        y0, y1 = o0 * rows.stride, (o1 - 1) * rows.stride + 1  # dense rows of this band
        src = [p[lo:hi, : job.src_cols] for p in job.planes]
        keep = (slice(y0 - lo, y1 - lo, rows.stride), col_keep)
        straight = whole_cols and rows.stride == 1  # kept rows are a contiguous block
        for k, kernels in enumerate(job.kernels):
            check(job.cancel)
            target = job.out[o0:o1, :, k]
            writable = straight and target.flags.c_contiguous
            acc = target if writable and (lo, hi) == (y0, y1) else acc_buf[: hi - lo]
            tmp = tmp_buf[: hi - lo]
            cv2.filter2D(src[0], -1, kernels[0], dst=acc, anchor=job.anchor,
                         delta=float(job.bias[k]), borderType=job.border)
            for c in range(1, len(src)):
                cv2.filter2D(src[c], -1, kernels[c], dst=tmp, anchor=job.anchor,
                             borderType=job.border)
                if acc is not target and writable and c == len(src) - 1:
                    cv2.add(acc[keep], tmp[keep], dst=target)  # the last sum lands in place
                    acc = target
                else:
                    cv2.add(acc, tmp, dst=acc)
            if acc is not target:
                np.copyto(target, acc[keep])


# A deeper layer of a stack sees many maps: one filter2D per (filter, channel) then costs
# more in calls (~15 µs each) and passes over memory than in arithmetic. Gathering the
# windows into a matrix, a band of rows at a time, and multiplying it by the kernels wins
# there at every size and kernel tried (8 → 16 maps 3×3: 8.5 ms against 12 at 360×640, 96
# against 173 at 1000×2000; 15×15: 129 against 236). On a picture's few channels filter2D
# wins (3 → 16 maps 3×3 at 360×640: 4 ms against 12). Its memory is one padded copy of the
# input, as filter2D's planes are.
_MATMUL_MIN_CHANNELS = 4
_MATMUL_MIN_CALLS = 48  # filter2D calls (filters × channels) from which the product wins


def _prefer_matmul(channels: int, count: int) -> bool:
    return channels >= _MATMUL_MIN_CHANNELS and channels * count >= _MATMUL_MIN_CALLS


_NUMPY_PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
              "circular": "wrap"}


_MATMUL_BAND_BYTES = 1 << 20  # the window matrix of one band stays in a core's cache


def _matmul(img: np.ndarray, weights: np.ndarray, bias: np.ndarray, rows: _Axis, cols: _Axis,
            pad_mode: str, flip: bool, dilation: tuple[int, int], out: np.ndarray,
            cancel: CancelToken | None = None) -> np.ndarray:
    """The same correlation as the filter2D path, as products of the window matrix (every
    output's window, tap by tap) with the kernels: a band of output rows at a time, the bands
    shared between the engine's threads, each product on one BLAS thread (see
    :mod:`explorer.core.blas`)."""
    x = img.astype(np.float32, copy=False)
    x = np.pad(x, ((rows.before, rows.after), (cols.before, cols.after), (0, 0)),
               mode=_NUMPY_PAD[pad_mode])
    w = weights[:, ::-1, ::-1, :] if flip else weights
    k, kh, kw, c = w.shape
    windows = np.lib.stride_tricks.sliding_window_view(x, (rows.span, cols.span), axis=(0, 1))
    # (rows, cols, C, span_r, span_c) → the kept outputs and the dilated taps, tap-major
    windows = windows[: (rows.out - 1) * rows.stride + 1 : rows.stride,
                      : (cols.out - 1) * cols.stride + 1 : cols.stride,
                      :, :: dilation[0], :: dilation[1]].transpose(0, 1, 3, 4, 2)
    kernels = np.ascontiguousarray(w.transpose(1, 2, 3, 0)).reshape(kh * kw * c, k)
    shift = bias.astype(np.float32)
    row_bytes = cols.out * kh * kw * c * 4
    per_band = max(1, _MATMUL_BAND_BYTES // max(1, row_bytes))
    starts = [*range(0, rows.out, per_band), rows.out]

    def bands(part: range) -> None:
        for i in part:
            check(cancel)
            r0, r1 = starts[i], starts[i + 1]
            matrix = windows[r0:r1].reshape((r1 - r0) * cols.out, kh * kw * c)
            result = matrix @ kernels
            result += shift
            np.copyto(out[r0:r1], result.reshape(r1 - r0, cols.out, k))

    with one_blas_thread():
        share_out(bands, len(starts) - 1, rows.out * cols.out * c * k)  # as filter2D's
    return out


# Parts a split is cut into, per thread: threads take the next part when done with one, so a
# thread that the window or the camera kept off its core for a while does fewer parts and
# nobody waits for it (an even split waited for the slowest share on every call).
_PARTS_PER_THREAD = 4


def share_out(task: Callable[[range], object], count: int, work: int) -> None:
    """Run ``task`` over ``range(count)``, split between this thread and the engine's workers.

    ``task`` gets contiguous sub-ranges, each once, and must touch only what belongs to them.
    ``work`` (roughly, pixels to process) decides whether the split pays for its hand-over
    cost. Pooling and activations share the workers through this. Called from inside a share
    (a feature map finished on the thread that made it), it runs ``task`` here, whole: the
    other threads are busy with their own shares.
    """
    _split(task, count, work, (_WORKERS + 1) * _PARTS_PER_THREAD)


def share_tasks(tasks: Sequence[Callable[[], object]], work: int) -> None:
    """Run independent ``tasks``, each once, on this thread and the engine's workers, each
    thread taking the next task when done with one (list the longest first). ``work``: as
    for :func:`share_out`, over all the tasks."""
    _split(lambda part: [tasks[i]() for i in part], len(tasks), work, len(tasks))


def _split(task: Callable[[range], object], count: int, work: int, most_parts: int) -> None:
    if _EXECUTOR is None or count < 2 or work < _PARALLEL_MIN_WORK or \
            getattr(_local, "sharing", False):
        task(range(count))
        return
    shares = min(count, _WORKERS + 1)
    parts = min(count, most_parts)
    bounds = [count * i // parts for i in range(parts + 1)]
    taken = itertools.count()  # next() on it is atomic: each part goes to one thread

    def take_parts() -> None:
        _local.sharing = True
        try:
            while (i := next(taken)) < parts:
                task(range(bounds[i], bounds[i + 1]))
        finally:
            _local.sharing = False

    futures = [_EXECUTOR.submit(take_parts) for _ in range(1, shares)]
    try:
        take_parts()
    finally:
        for f in futures:
            if not f.cancel():  # a worker that never started has nothing left to do
                f.result()


def parallel_shares(work: int) -> int:
    """How many threads :func:`share_out` would use for this much work."""
    return _WORKERS + 1 if _EXECUTOR is not None and work >= _PARALLEL_MIN_WORK else 1


def output_shape(
    image_shape: tuple[int, ...],
    filters_shape: tuple[int, ...],
    *,
    stride: int | tuple[int, int] = 1,
    padding: Padding | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> tuple[int, int, int]:
    """The ``(H', W', K)`` that :func:`convolve` returns for these shapes and settings."""
    rows, cols = _axes(tuple(image_shape[:2]), _kernel_hw(filters_shape), stride, padding,
                       dilation)
    count = filters_shape[0] if len(filters_shape) == 4 else 1
    return rows.out, cols.out, count


def _kernel_hw(filters_shape: tuple[int, ...]) -> tuple[int, int]:
    if len(filters_shape) == 2:
        return filters_shape[0], filters_shape[1]
    if len(filters_shape) == 4:
        return filters_shape[1], filters_shape[2]
    raise ValueError(
        f"give one filter as (kh, kw) or several as (K, kh, kw, C), not shape {filters_shape}"
    )


def convolve(
    image: np.ndarray,
    filters: np.ndarray,
    *,
    bias: np.ndarray | Sequence[float] | None = None,
    stride: int | tuple[int, int] = 1,
    padding: Padding | tuple[int, int] = 0,
    pad_mode: str = "zeros",
    dilation: int | tuple[int, int] = 1,
    flip: bool = False,
    out: np.ndarray | None = None,
    cancel: CancelToken | None = None,
    finish: Callable[[int], object] | None = None,
) -> np.ndarray:
    """Slide every filter over the image: the pre-activation feature maps of a conv layer.

    Args:
        image: ``(H, W)`` or ``(H, W, C)``, any real dtype.
        filters: one ``(kh, kw)`` filter for a one-channel image, or ``(K, kh, kw, C)``: K
            filters, each spanning all C channels.
        bias: ``(K,)``, one number added to each feature map; None for no bias.
        stride: step between windows, one number or ``(rows, columns)``.
        padding: pixels added on each side (one number or ``(rows, columns)``), or
            ``"valid"`` (none), ``"same"`` (output H×W at stride 1, ⌈n/s⌉ at stride s; the odd
            extra pixel goes bottom/right) or ``"full"`` (d(k − 1) on each side).
        pad_mode: what the padding holds: ``"zeros"``, ``"reflect"`` (mirror, edge pixel not
            repeated), ``"replicate"`` (edge pixel repeated) or ``"circular"`` (wrap around).
        dilation: gap between kernel taps, one number or ``(rows, columns)``.
        flip: False computes cross-correlation (what CNN layers do); True turns the kernel by
            180° first: a true convolution.
        out: optional float32 ``(H', W', K)`` buffer to write into (see
            :func:`empty_feature_maps`); returned.
        cancel: a token that stops the work (raising ``Cancelled``) when set.
        finish: called with k once feature map k of ``out`` is complete, on the thread that
            made it when the layer gives each thread whole maps (else after all of them):
            the place to apply an activation and pooling map by map. It must touch only
            map k and what is made from it.

    Returns:
        float32 ``(H', W', K)`` with ``H' = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1``, each feature
        map ``[:, :, k]`` C-contiguous.

    Raises:
        ValueError: a sentence saying what does not fit (kernel larger than the padded image,
            channel mismatch, stride below 1, unknown padding mode …).
    """
    img = _as_image(image)
    h, w, c = img.shape
    weights = _as_filters(filters, c)
    count, kh, kw, _ = weights.shape
    b = _as_bias(bias, count)
    rows, cols = _axes((h, w), (kh, kw), stride, padding, dilation)
    border = _check_pad_mode(pad_mode, rows, cols)
    shape = (rows.out, cols.out, count)
    if out is None:
        out = empty_feature_maps(*shape)
    elif not (isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == shape):
        got = f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__
        raise ValueError(f"out must be a float32 array of shape {shape}, not {got}")

    if _prefer_matmul(c, count):
        _matmul(img, weights, b, rows, cols, pad_mode, flip,
                whole_pair(dilation, "the dilation", 1), out, cancel)
        _finish_all(finish, count, rows.out * cols.out * count)
        return out
    explicit = pad_mode == "circular" or not (rows.border_suffices and cols.border_suffices)
    planes = _input_planes(img, rows, cols, border, explicit)
    if explicit:
        # the padding is in the planes: a "valid" correlation whose border is never read
        anchor, border = (0, 0), cv2.BORDER_CONSTANT
        src_cols = (cols.out - 1) * cols.stride + cols.span
    else:
        anchor, src_cols = (cols.before, rows.before), w
    work = rows.out * rows.stride * src_cols * c * count
    kernels = _kernel_planes(weights, flip, whole_pair(dilation, "the dilation", 1), rows, cols)
    shares = parallel_shares(work)
    whole_maps = (not explicit and (rows.out, cols.out) == (h, w)
                  and rows.stride == cols.stride == 1 and count >= shares
                  and all(out[:, :, k].flags.c_contiguous for k in range(count)))
    if whole_maps:
        # each thread whole maps: 2C − 1 OpenCV calls a map, and its finishing in cache
        job = _Job(planes, kernels, b, anchor, border, rows, cols, src_cols, [0, h], out,
                   cancel)
        share_out(partial(_run_maps, job, finish), count, work)
        return out
    job = _Job(planes, kernels, b, anchor, border, rows, cols, src_cols,
               _band_starts(rows, src_cols, c, shares), out, cancel)
    share_out(partial(_run_bands, job), len(job.bands) - 1, work)
    _finish_all(finish, count, rows.out * cols.out * count)
    return out


def _finish_all(finish: Callable[[int], object] | None, count: int, work: int) -> None:
    if finish is not None:
        share_out(lambda maps: [finish(k) for k in maps], count, work)
