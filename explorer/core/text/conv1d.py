"""1-D convolution over a sequence of vectors, and max-over-time pooling (Kim, 2014).

A sentence of T words, each a D-dimensional word vector, is a (T, D) matrix. A filter of width
w is a (w, D) matrix: laid over w consecutive words, it multiplies element by element and sums,
so its response at position t is one number saying how well the n-gram starting at word t
matches it. Sliding it along the sentence gives one feature map per filter. Like the image
layers this is cross-correlation (the filter is not flipped). A signal is the case D = 1.

Max-over-time pooling keeps each filter's highest response anywhere in the sentence: the
sentence becomes one number per filter, whatever its length.
"""

from __future__ import annotations

import numpy as np

from explorer.core.shapes import whole_number

__all__ = ["conv1d", "max_over_time", "output_length"]


def output_length(length: int, width: int, stride: int = 1, padding: int = 0) -> int:
    """Number of positions a filter of ``width`` takes: ⌊(T + 2p − w)/s⌋ + 1.

    Raises ValueError when the filter is wider than the padded sequence.
    """
    length = whole_number(length, "the sequence length", 1)
    width = whole_number(width, "the filter width", 1)
    stride = whole_number(stride, "the stride", 1)
    padding = whole_number(padding, "the padding", 0)
    padded = length + 2 * padding
    if width > padded:
        raise ValueError(
            f"a filter {width} wide does not fit a sequence of {length} "
            f"{'step' if length == 1 else 'steps'}"
            + (f" padded by {padding} on each side" if padding else "")
            + f": make the sequence longer, add padding, or use a filter at most {padded} wide")
    return (padded - width) // stride + 1


def _as_float_array(values: object, what: str, ndim: int, shape_text: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must hold numbers only") from None
    if arr.ndim != ndim:
        raise ValueError(f"{what} must have the shape {shape_text}, not {arr.shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"NaN or infinite values in {what}: every entry must be a number")
    return arr


def conv1d(x: np.ndarray, filters: np.ndarray, bias: np.ndarray | None = None,
           stride: int = 1, padding: int = 0) -> np.ndarray:
    """Slide K filters of width w along a sequence of T vectors of size D.

    ``x`` is (T, D), ``filters`` (K, w, D), ``bias`` (K,) or None. The sequence gets ``padding``
    zero vectors at each end, and the filters move ``stride`` steps at a time. Returns the
    feature maps as float32 (T′, K), T′ = ⌊(T + 2p − w)/s⌋ + 1: column k is filter k's response
    at each position. Position t covers padded rows t·s … t·s + w − 1.
    """
    x = _as_float_array(x, "the input sequence", 2, "(length, vector size)")
    filters = _as_float_array(filters, "the filters", 3, "(count, width, vector size)")
    t, d = x.shape
    k, w, fd = filters.shape
    if t == 0:
        raise ValueError("the input sequence is empty: type at least one word")
    if k == 0:
        raise ValueError("there are no filters: add at least one")
    if fd != d:
        raise ValueError(
            f"each filter row must be as long as an input vector: the filters have {fd} "
            f"numbers a row but the input vectors have {d}")
    if w == 0:
        raise ValueError("a filter must be at least 1 wide")
    n_out = output_length(t, w, stride, padding)
    if bias is None:
        b = np.zeros(k)
    else:
        b = _as_float_array(bias, "the bias", 1, "(count,)")
        if b.shape != (k,):
            raise ValueError(f"there must be one bias per filter: {k} filters but "
                             f"{b.shape[0]} biases")
    padded = np.pad(x, ((padding, padding), (0, 0))) if padding else x
    # windows[i] is the (w, D) slice under the filter at output position i
    windows = np.lib.stride_tricks.sliding_window_view(padded, w, axis=0)[::stride][:n_out]
    windows = windows.transpose(0, 2, 1).reshape(n_out, w * d)
    maps = windows @ filters.reshape(k, w * d).T + b
    return np.ascontiguousarray(maps, np.float32)


def max_over_time(maps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each filter's highest response over the sequence, and the first position it occurs.

    ``maps`` is (T′, K) as :func:`conv1d` returns. Returns ``(values (K,) float32,
    positions (K,) int)``.
    """
    arr = _as_float_array(maps, "the feature maps", 2, "(positions, filters)")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError("there are no feature map values to pool: "
                         "the sequence or the filter bank is empty")
    positions = np.argmax(arr, axis=0)  # argmax returns the first maximum
    values = arr[positions, np.arange(arr.shape[1])]
    return values.astype(np.float32), positions.astype(np.intp)
