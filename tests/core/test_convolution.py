"""The convolution engine against a slow, obviously-correct NumPy reference and SciPy."""

from __future__ import annotations

import math
import threading
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage

from explorer.core import convolution
from explorer.core.convolution import convolve, empty_feature_maps, output_shape
from tests.reference import pads_by_definition

NP_PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
SCIPY_MODES = {"zeros": "constant", "reflect": "mirror", "replicate": "nearest", "circular": "wrap"}


@pytest.mark.parametrize(("n", "k", "s", "d", "pads"), [
    (13, 6, 5, 1, (1, 2)),  # TensorFlow's documented example: 3 outputs, the odd pixel after
    (5, 3, 2, 1, (1, 1)), (6, 3, 2, 1, (0, 1)), (4, 2, 1, 1, (0, 1)), (7, 3, 1, 2, (2, 2)),
    (3, 5, 1, 1, (2, 2)),
])
def test_the_references_same_padding_is_tensorflows(n, k, s, d, pads):
    """The tests' own reference, checked against padding worked out by hand."""
    assert pads_by_definition(n, k, s, d, "same") == pads
    assert pads_by_definition(n, k, s, d, "full") == ((k - 1) * d, (k - 1) * d)
    assert pads_by_definition(n, k, s, d, "valid") == (0, 0)


def reference_convolve(image, filters, bias=None, stride=(1, 1), padding=(0, 0),
                       pad_mode="zeros", dilation=(1, 1), flip=False):
    """Loop over output positions: window · kernel summed over rows, columns and channels."""
    x = np.asarray(image, np.float64)
    if x.ndim == 2:
        x = x[:, :, None]
    w = np.asarray(filters, np.float64)
    if w.ndim == 2:
        w = w[None, :, :, None]
    if flip:
        w = w[:, ::-1, ::-1, :]
    k, kh, kw, _ = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    ph, pw = padding if isinstance(padding, tuple) else (padding, padding)
    (top, bottom) = pads_by_definition(x.shape[0], kh, sh, dh, ph)
    (left, right) = pads_by_definition(x.shape[1], kw, sw, dw, pw)
    padded = np.pad(x, ((top, bottom), (left, right), (0, 0)), mode=NP_PAD_MODES[pad_mode])
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    out_h = (padded.shape[0] - span_h) // sh + 1
    out_w = (padded.shape[1] - span_w) // sw + 1
    out = np.zeros((out_h, out_w, k))
    for i in range(out_h):
        for j in range(out_w):
            window = padded[i * sh : i * sh + span_h : dh, j * sw : j * sw + span_w : dw, :]
            out[i, j, :] = np.tensordot(w, window, axes=([1, 2, 3], [0, 1, 2]))
    if bias is not None:
        out += np.asarray(bias, np.float64)
    return out


def assert_close(actual, expected):
    scale = max(1.0, float(np.abs(expected).max(initial=0)))
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5 * scale)


# --- the lecture's examples ----------------------------------------------------------------------


def test_lecture_vertical_edge_example():
    image = np.array([[10, 10, 10, 0, 0, 0]] * 6)
    vertical_edge = np.array([[1, 0, -1]] * 3)
    result = convolve(image, vertical_edge)
    assert result.shape == (4, 4, 1) and result.dtype == np.float32
    np.testing.assert_array_equal(result[:, :, 0], np.array([[0, 30, 30, 0]] * 4))


def test_lecture_volume_example_two_filters_bias_padding_and_stride():
    # 5×5×3 input padded to 7×7×3, two 3×3×3 filters with biases 1 and 0, stride 2 → 3×3×2.
    # (The lecture's figure lost its numbers; these small integers have the same shapes.)
    rng = np.random.default_rng(231)
    x = rng.integers(0, 3, (5, 5, 3))
    w = rng.integers(-1, 2, (2, 3, 3, 3))
    bias = [1, 0]
    result = convolve(x, w, bias=bias, padding=1, stride=2)
    assert result.shape == (3, 3, 2)
    assert_close(result, reference_convolve(x, w, bias, (2, 2), 1))
    # the top-left output sees the padded rows/columns −1..1: only x[0:2, 0:2] is real
    by_hand = (w[0, 1:, 1:, :] * x[0:2, 0:2, :]).sum() + 1
    assert result[0, 0, 0] == by_hand
    # the centre output (1, 1) sees x[1:4, 1:4] with no padding at all
    assert result[1, 1, 1] == (w[1] * x[1:4, 1:4, :]).sum() + 0


# --- against the reference, case by case ----------------------------------------------------------


@pytest.mark.parametrize("pad_mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [0, 1, 2, (1, 3), "valid", "same", "full"])
def test_every_padding_and_pad_mode_matches_the_reference(padding, pad_mode):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(9, 11, 3))
    w = rng.normal(size=(2, 3, 4, 3))  # rectangular, one even side
    b = rng.normal(size=2)
    result = convolve(x, w, bias=b, padding=padding, pad_mode=pad_mode)
    assert_close(result, reference_convolve(x, w, b, (1, 1), padding, pad_mode))


@pytest.mark.parametrize("kernel", [(1, 1), (2, 2), (3, 3), (4, 4), (5, 2), (2, 5), (7, 7)])
@pytest.mark.parametrize("padding", ["same", "full", 2])
def test_odd_even_and_rectangular_kernels(kernel, padding):
    rng = np.random.default_rng(sum(kernel))
    x = rng.normal(size=(10, 9, 2))
    w = rng.normal(size=(3, *kernel, 2))
    for pad_mode in ("zeros", "reflect"):
        result = convolve(x, w, padding=padding, pad_mode=pad_mode)
        assert_close(result, reference_convolve(x, w, None, (1, 1), padding, pad_mode))


@pytest.mark.parametrize("stride", [(1, 1), (2, 2), (3, 2), (1, 4)])
@pytest.mark.parametrize("dilation", [(1, 1), (2, 2), (3, 1)])
@pytest.mark.parametrize("padding", [0, "same", "full", (2, 1)])
def test_stride_and_dilation(stride, dilation, padding):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(13, 12, 3))
    w = rng.normal(size=(2, 3, 2, 3))
    result = convolve(x, w, stride=stride, dilation=dilation, padding=padding,
                      pad_mode="replicate")
    expected = reference_convolve(x, w, None, stride, padding, "replicate", dilation)
    assert_close(result, expected)


@pytest.mark.parametrize("pad_mode", ["zeros", "circular"])
def test_flip_is_true_convolution(pad_mode):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(8, 8, 2))
    w = rng.normal(size=(2, 3, 2, 2))
    result = convolve(x, w, flip=True, padding="same", pad_mode=pad_mode, stride=2)
    expected = reference_convolve(x, w, None, (2, 2), "same", pad_mode, flip=True)
    assert_close(result, expected)
    # a symmetric kernel does not care
    sym = np.ones((1, 3, 3, 2))
    assert_close(convolve(x, sym, flip=True), convolve(x, sym))


@pytest.mark.parametrize("pad_mode", ["zeros", "replicate", "reflect"])
def test_padding_wider_than_the_kernel_reaches(pad_mode):
    # a 1×1 kernel with padding 1 and stride 3: outputs at the padding itself
    rng = np.random.default_rng(8)
    x = rng.normal(size=(7, 7, 2))
    w = rng.normal(size=(2, 1, 1, 2))
    for stride in (1, 3):
        result = convolve(x, w, padding=1, stride=stride, pad_mode=pad_mode)
        assert_close(result, reference_convolve(x, w, None, (stride, stride), 1, pad_mode))


@pytest.mark.parametrize("padding", ["full", "same", 1, 2])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_mirrored_padding_when_a_stride_leaves_few_outputs(n, padding):
    # one or two output rows read only the top rows, yet the mirror needs rows below them
    rng = np.random.default_rng(n)
    x = rng.integers(0, 256, (n, 2)).astype(np.uint8)
    for kh in (2, 3):
        w = rng.normal(size=(1, kh, 1, 1))
        for stride in range(1, n + kh + 1):
            pads = pads_by_definition(n, kh, stride, 1, padding)
            if max(pads) >= n or n + sum(pads) < kh:
                continue  # refused: reflect padding needs a pixel beyond the edge
            rows_only = (padding, 0) if isinstance(padding, int) else padding  # 1-wide kernel
            result = convolve(x, w, stride=(stride, 1), padding=rows_only, pad_mode="reflect")
            expected = reference_convolve(x, w, None, (stride, 1), rows_only, "reflect")
            assert_close(result, expected)


def test_large_kernels_take_opencvs_fourier_path_and_still_match():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(30, 33))
    w = rng.normal(size=(1, 13, 12, 1))  # filter2D switches to the DFT above ~11×11
    for padding in ("same", 3, "valid"):
        result = convolve(x, w, padding=padding, pad_mode="reflect")
        expected = reference_convolve(x, w, None, (1, 1), padding, "reflect")
        np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_many_filters_on_a_larger_image_take_the_threaded_path(dtype):
    rng = np.random.default_rng(9)
    x = rng.integers(0, 256, (150, 160, 3)).astype(dtype)
    w = rng.normal(size=(8, 3, 3, 3))
    b = rng.normal(size=8)
    result = convolve(x, w, bias=b, padding="same")
    # SciPy as an independent peer: one correlation per channel, summed
    for k in range(8):
        expected = sum(
            ndimage.correlate(x[:, :, c].astype(np.float64), w[k, :, :, c], mode="constant")
            for c in range(3)
        ) + b[k]
        np.testing.assert_allclose(result[:, :, k], expected, rtol=1e-5, atol=1e-2)


@pytest.mark.parametrize("stride", [1, 2])  # whole maps a thread, or bands of rows
def test_finish_sees_every_map_once_and_complete(stride):
    rng = np.random.default_rng(10)
    x = rng.normal(size=(150, 160, 3)).astype(np.float32)
    w = rng.normal(size=(8, 3, 3, 3))
    out = empty_feature_maps(*output_shape(x.shape, w.shape, stride=stride, padding="same"))
    seen: dict[int, np.ndarray] = {}
    lock = threading.Lock()

    def finish(k: int) -> None:
        with lock:
            assert k not in seen
            seen[k] = out[:, :, k].copy()

    result = convolve(x, w, padding="same", stride=stride, out=out, finish=finish)
    assert sorted(seen) == list(range(8))
    expected = reference_convolve(x, w, None, (stride, stride), "same", "zeros", (1, 1))
    for k, snapshot in seen.items():
        np.testing.assert_array_equal(snapshot, result[:, :, k])
        np.testing.assert_allclose(snapshot, expected[:, :, k], rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("pad_mode", ["zeros", "reflect", "replicate", "circular"])
def test_deep_layers_multiply_window_matrices_band_by_band_on_every_thread(
        monkeypatch, pad_mode):
    """Many input maps: the engine multiplies window matrices, a band of output rows at a
    time, the bands shared between its threads, on one BLAS thread."""
    monkeypatch.setattr(convolution, "_MATMUL_BAND_BYTES", 1)  # one output row a band
    monkeypatch.setattr(convolution, "_PARALLEL_MIN_WORK", 1)
    entered = []
    real = convolution.one_blas_thread

    @contextmanager
    def counted():
        with real():
            entered.append(threading.current_thread().name)
            yield

    monkeypatch.setattr(convolution, "one_blas_thread", counted)
    rng = np.random.default_rng(11)
    x = rng.normal(size=(23, 19, 6)).astype(np.float32)
    w = rng.normal(size=(9, 3, 2, 6))
    b = rng.normal(size=9)
    assert convolution._prefer_matmul(6, 9)
    for stride, dilation, padding, flip in (((1, 1), (1, 1), "same", False),
                                            ((2, 1), (1, 2), (2, 1), True),
                                            ((1, 3), (2, 1), "full", False)):
        got = convolve(x, w, bias=b, stride=stride, padding=padding, pad_mode=pad_mode,
                       dilation=dilation, flip=flip)
        want = reference_convolve(x, w, b, stride, padding, pad_mode, dilation, flip)
        assert_close(got, want)
    assert len(entered) == 3


def test_a_pictures_few_channels_stay_with_filter2d():
    # 3 → 16 maps 3×3 at 360×640: filter2D 4 ms, the window product 12 ms
    assert not convolution._prefer_matmul(3, 16)
    assert not convolution._prefer_matmul(8, 1)  # one filter: few calls either way
    assert convolution._prefer_matmul(8, 16)


def test_cancelling_stops_a_deep_layer_between_bands(monkeypatch):
    from explorer.core.cancel import Cancelled, CancelToken

    monkeypatch.setattr(convolution, "_MATMUL_BAND_BYTES", 1)
    token = CancelToken()
    calls = []
    real_check = convolution.check

    def check_then_cancel(t):
        calls.append(t)
        if len(calls) == 3:
            token.cancel()
        real_check(t)

    monkeypatch.setattr(convolution, "check", check_then_cancel)
    x = np.ones((12, 10, 8), np.float32)
    with pytest.raises(Cancelled):
        convolve(x, np.ones((8, 3, 3, 8)), padding="same", cancel=token)
    assert len(calls) == 3  # the first band after the cancel stops the layer


def test_each_thread_keeps_every_scratch_size_a_stack_uses():
    # a 3-stage stack needs planes of three sizes, a dozen of them, every frame
    first = [convolution._scratch(f"plane{i}", (4 + i % 3, 5)) for i in range(24)]
    again = [convolution._scratch(f"plane{i}", (4 + i % 3, 5)) for i in range(24)]
    assert all(a is b for a, b in zip(first, again, strict=True))


def test_scratch_past_its_budget_lets_go_of_the_buffers_used_longest_ago(monkeypatch):
    monkeypatch.setattr(convolution, "_SCRATCH_BYTES", 1000)
    a = convolution._scratch("a", (100,))  # 400 bytes each
    b = convolution._scratch("b", (100,))
    convolution._scratch("a", (100,))  # a used again: b is now the oldest
    c = convolution._scratch("c", (100,))  # 1,200 bytes: b goes
    assert convolution._scratch("a", (100,)) is a
    assert convolution._scratch("c", (100,)) is c
    assert convolution._scratch("b", (100,)) is not b  # made again; a goes
    assert convolution._scratch("c", (100,)) is c
    assert convolution._scratch("a", (100,)) is not a


@contextmanager
def thinnest_bands():
    """Make the engine cut even small images into its thinnest row bands."""
    saved = convolution._BAND_BYTES
    convolution._BAND_BYTES = 0
    try:
        yield
    finally:
        convolution._BAND_BYTES = saved


@given(
    h=st.integers(1, 40), w=st.integers(1, 9), c=st.integers(1, 3), k=st.integers(1, 2),
    kh=st.integers(1, 6), sh=st.integers(1, 3), dh=st.integers(1, 3),
    padding=st.one_of(st.integers(0, 5), st.sampled_from(["valid", "same", "full"])),
    pad_mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=60, deadline=None)
def test_images_cut_into_row_bands_match_the_reference(h, w, c, k, kh, sh, dh, padding,
                                                       pad_mode, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(h, w, c)).astype(np.float32)
    filters = rng.normal(size=(k, kh, 3, c))
    kwargs = dict(stride=(sh, 1), padding=padding, pad_mode=pad_mode, dilation=(dh, 1))
    try:
        whole = convolve(x, filters, **kwargs)
    except ValueError:
        return  # refusals are tested elsewhere; here only the banding matters
    with thinnest_bands():
        banded = convolve(x, filters, **kwargs)
    expected = reference_convolve(x, filters, None, (sh, 1), padding, pad_mode, (dh, 1))
    assert_close(banded, expected)
    assert_close(whole, expected)


@pytest.mark.parametrize("pad_mode", ["zeros", "reflect", "replicate", "circular"])
def test_thin_bands_with_large_kernels_and_strides(pad_mode):
    rng = np.random.default_rng(12)
    x = rng.normal(size=(57, 21, 3))
    w = rng.normal(size=(3, 7, 4, 3))
    with thinnest_bands():
        for stride, padding in [(1, "same"), (2, "same"), (3, 2), (1, 6), (2, "full")]:
            result = convolve(x, w, stride=stride, padding=padding, pad_mode=pad_mode)
            expected = reference_convolve(x, w, None, (stride, stride), padding, pad_mode)
            assert_close(result, expected)


@pytest.mark.parametrize("pad_mode", ["reflect", "replicate"])
def test_thin_bands_mirror_only_inside_the_image(pad_mode):
    # padding 2 around a 3-row kernel at stride 3: filter2D's own border pads this, and the
    # first band must hold enough rows for the mirror image of rows −2 and −1
    rng = np.random.default_rng(13)
    x = rng.normal(size=(40, 7, 2))
    w = rng.normal(size=(1, 3, 3, 2))
    with thinnest_bands():
        result = convolve(x, w, stride=3, padding=2, pad_mode=pad_mode)
    assert_close(result, reference_convolve(x, w, None, (3, 3), 2, pad_mode))


@given(
    h=st.integers(1, 9), w=st.integers(1, 9), c=st.integers(1, 3), k=st.integers(1, 3),
    kh=st.integers(1, 5), kw=st.integers(1, 5),
    sh=st.integers(1, 5), sw=st.integers(1, 5), dh=st.integers(1, 3), dw=st.integers(1, 3),
    padding=st.one_of(st.integers(0, 4), st.sampled_from(["valid", "same", "full"])),
    pad_mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    flip=st.booleans(), with_bias=st.booleans(), seed=st.integers(0, 2**16),
)
@settings(max_examples=60, deadline=None)
def test_random_layers_match_the_reference_or_refuse_clearly(
    h, w, c, k, kh, kw, sh, sw, dh, dw, padding, pad_mode, flip, with_bias, seed
):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(h, w, c)).astype(np.float32)
    filters = rng.normal(size=(k, kh, kw, c))
    bias = rng.normal(size=k) if with_bias else None
    pads = [pads_by_definition(h, kh, sh, dh, padding), pads_by_definition(w, kw, sw, dw, padding)]
    spans = [dh * (kh - 1) + 1, dw * (kw - 1) + 1]
    fits = all(n + sum(p) >= s for n, p, s in zip((h, w), pads, spans, strict=True))
    mode_ok = all(
        (pad_mode != "reflect" or max(p) < n) and (pad_mode != "circular" or max(p) <= n)
        for n, p in zip((h, w), pads, strict=True)
    )
    kwargs = dict(bias=bias, stride=(sh, sw), padding=padding, pad_mode=pad_mode,
                  dilation=(dh, dw), flip=flip)
    if not (fits and mode_ok):
        with pytest.raises(ValueError):
            convolve(x, filters, **kwargs)
        return
    result = convolve(x, filters, **kwargs)
    expected = reference_convolve(x, filters, bias, (sh, sw), padding, pad_mode, (dh, dw), flip)
    assert result.shape == expected.shape
    assert_close(result, expected)


@pytest.mark.parametrize("pad_mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("size", [3, 4, 5])
def test_same_padding_matches_scipy_correlate(pad_mode, size):
    rng = np.random.default_rng(size)
    x = rng.normal(size=(17, 14))
    kernel = rng.normal(size=(size, size))
    origin = (size - 1) // 2 - size // 2  # SciPy centres even kernels one pixel later
    expected = ndimage.correlate(x, kernel, mode=SCIPY_MODES[pad_mode], origin=origin)
    result = convolve(x, kernel, padding="same", pad_mode=pad_mode)
    np.testing.assert_allclose(result[:, :, 0], expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("pad_mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("size", [3, 5])
def test_flipped_same_padding_matches_scipy_convolve(pad_mode, size):
    rng = np.random.default_rng(size + 1)
    x = rng.normal(size=(12, 15))
    kernel = rng.normal(size=(size, size))
    expected = ndimage.convolve(x, kernel, mode=SCIPY_MODES[pad_mode])
    result = convolve(x, kernel, padding="same", pad_mode=pad_mode, flip=True)
    np.testing.assert_allclose(result[:, :, 0], expected, rtol=1e-5, atol=1e-5)


# --- sizes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [5, 6, 7, 8])
@pytest.mark.parametrize("k", [2, 3, 4])
def test_same_padding_sizes(n, k):
    x = np.zeros((n, n + 1))
    w = np.zeros((1, k, k, 1))
    assert convolve(x, w, padding="same").shape == (n, n + 1, 1)
    assert convolve(x, w, padding="same", stride=2).shape == (
        math.ceil(n / 2), math.ceil((n + 1) / 2), 1
    )


def test_output_shape_agrees_with_convolve():
    x = np.zeros((20, 17, 3))
    w = np.zeros((4, 3, 5, 3))
    for kwargs in ({}, {"stride": 2}, {"padding": "full", "dilation": (2, 1)},
                   {"padding": (1, 2), "stride": (3, 1)}):
        assert output_shape(x.shape, w.shape, **kwargs) == convolve(x, w, **kwargs).shape


# --- types, buffers and layout -------------------------------------------------------------


def test_any_real_dtype_in_float32_out_and_inputs_untouched():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 256, (6, 7, 3)).astype(np.uint8)
    w = rng.integers(-2, 3, (2, 3, 3, 3)).astype(np.int64)
    x_before, w_before = x.copy(), w.copy()
    for image in (x, x.astype(np.float64), x.astype(np.int16), x.astype(bool)):
        result = convolve(image, w, padding=1)
        assert result.dtype == np.float32
        assert_close(result, reference_convolve(image, w, None, (1, 1), 1))
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(w, w_before)


def test_one_channel_image_given_as_2d_or_3d():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(6, 6))
    w = rng.normal(size=(3, 3))
    assert_close(convolve(x, w), convolve(x[:, :, None], w[None, :, :, None]))


def test_out_buffer_is_filled_and_returned_in_either_layout():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(12, 10, 3))
    w = rng.normal(size=(4, 3, 3, 3))
    expected = reference_convolve(x, w, None, (2, 1), "same")
    for out in (empty_feature_maps(6, 10, 4), np.empty((6, 10, 4), np.float32)):
        result = convolve(x, w, stride=(2, 1), padding="same", out=out)
        assert result is out
        assert_close(out, expected)


def test_each_feature_map_is_contiguous():
    result = convolve(np.ones((5, 6, 3)), np.ones((4, 3, 3, 3)), padding=1)
    assert all(result[:, :, k].flags.c_contiguous for k in range(4))


def test_repeated_calls_do_not_share_results():
    x = np.ones((8, 8))
    a = convolve(x, np.ones((3, 3)))
    b = convolve(2 * x, np.ones((3, 3)))
    assert a[0, 0, 0] == 9 and b[0, 0, 0] == 18


def test_one_pixel_images_and_kernels_larger_than_the_image():
    assert convolve(np.array([[5.0]]), np.array([[2.0]]))[0, 0, 0] == 10
    x = np.arange(4.0).reshape(2, 2)
    w = np.arange(25.0).reshape(5, 5)
    assert_close(convolve(x, w, padding=2), reference_convolve(x, w, None, (1, 1), 2))
    assert_close(convolve(x, w, padding=2, pad_mode="replicate"),
                 reference_convolve(x, w, None, (1, 1), 2, "replicate"))


# --- refusing bad arguments ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image": np.zeros((3, 3)), "filters": np.ones((5, 5)), "padding": 0},
         "the 5×5 kernel is larger than the 3×3 image"),
        ({"image": np.zeros((3, 3)), "filters": np.ones((5, 5)), "dilation": 2, "padding": 1},
         r"the 5×5 kernel \(dilated to 9×9\) is larger than the padded 5×5 image"),
        ({"stride": 0}, "the stride must be at least 1"),
        ({"stride": 1.5}, "the stride must be a whole number"),
        ({"dilation": 0}, "the dilation must be at least 1"),
        ({"padding": -1}, "the padding must be at least 0"),
        ({"padding": "half"}, "unknown padding 'half'.*'valid', 'same', 'full'"),
        ({"pad_mode": "mirror"},
         "unknown padding mode 'mirror'.*'zeros', 'reflect', 'replicate', 'circular'"),
        ({"filters": np.ones((2, 3, 3, 3))}, "the filters are 3 channels deep but the image has 1"),
        ({"filters": np.ones((3, 3, 3))}, r"\(kh, kw\) or several as \(K, kh, kw, C\)"),
        ({"filters": np.array([[1.0, np.nan]])}, "NaN or infinite"),
        ({"filters": np.array([[1.0, np.inf]])}, "NaN or infinite"),
        ({"image": np.zeros((0, 4))}, "the image is empty"),
        ({"image": np.zeros((2, 2, 2, 2))}, "must be \\(height, width\\)"),
        ({"image": np.zeros((4, 4), complex)}, "real numbers"),
        ({"bias": [1.0, 2.0]}, "there are 1 filter but 2 biases"),
        ({"padding": 4, "pad_mode": "reflect"}, "reflect padding of 4 needs an image more than"),
        ({"padding": 5, "pad_mode": "circular"}, "circular padding of 5 needs an image"),
        ({"out": np.zeros((4, 4, 1))}, "out must be a float32 array of shape \\(4, 4, 1\\)"),
    ],
)
def test_bad_arguments_raise_a_value_error_a_student_can_read(kwargs, message):
    args = {"image": np.zeros((4, 4)), "filters": np.ones((1, 3, 3, 1)), "padding": 1}
    args.update(kwargs)
    image, filters = args.pop("image"), args.pop("filters")
    with pytest.raises(ValueError, match=message):
        convolve(image, filters, **args)
