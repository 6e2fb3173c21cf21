"""1-D signals: kernels against loops, WAV files of every PCM width, malformed files refused."""

from __future__ import annotations

import itertools
import wave

import numpy as np
import pytest

from explorer.core.text.signal import (
    KERNELS,
    SIGNALS,
    convolve_signal,
    excerpt,
    format_taps,
    parse_taps,
    read_wav,
    signal_samples,
    stretch,
    study_signal,
    synthetic,
)


def reference_signal_conv(x, kernel, stride, padding):
    padded = [0.0] * padding + list(x) + [0.0] * padding
    out = []
    i = 0
    while i + len(kernel) <= len(padded):
        out.append(sum(kernel[j] * padded[i + j] for j in range(len(kernel))))
        i += stride
    return out


@pytest.mark.parametrize("name", list(KERNELS))
@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (2, 1), (3, 2)])
def test_every_kernel_matches_loops(name, stride, padding):
    x = synthetic("noisy steps", 40, seed=1)
    got = convolve_signal(x, KERNELS[name], stride=stride, padding=padding)
    want = reference_signal_conv(x, KERNELS[name], stride, padding)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_edge_kernel_answers_at_the_step_and_smoothing_keeps_the_level():
    x = np.array([0, 0, 0, 0, 1, 1, 1, 1], np.float32)
    edge = convolve_signal(x, KERNELS["central difference [−1, 0, 1] (edge)"])
    assert edge.tolist() == [0, 0, 1, 1, 0, 0]
    smooth = convolve_signal(x, KERNELS["box 3 (smooth)"], padding=1)
    assert smooth.shape == x.shape and smooth[0] == 0 and smooth[-1] == pytest.approx(2 / 3)


def _upward_crossings(x) -> int:
    return sum(1 for a, b in itertools.pairwise(x) if a < 0 <= b)


STEP_LEVELS = [0.0, 0.8, -0.5, 0.3, -0.9, 0.6]  # as the signal panel says: six flat stretches


@pytest.mark.parametrize("kind", SIGNALS)
def test_synthetic_signals_are_what_their_names_say(kind):
    n = 1200
    x = synthetic(kind, n)
    assert x.shape == (n,) and x.dtype == np.float32 and np.isfinite(x).all()
    if kind == "sine":  # three cycles of a unit sine
        assert _upward_crossings(x) == 2 and x[0] == 0  # starts at 0, crosses up twice more
        assert max(x) == pytest.approx(1, abs=1e-4) and min(x) == pytest.approx(-1, abs=1e-4)
    elif kind == "square wave":  # four cycles of ±1
        assert set(np.unique(x).tolist()) == {-1.0, 1.0}
        assert sum(1 for a, b in itertools.pairwise(x) if a != b) == 7
    elif kind == "chirp":  # the frequency rises: many more crossings late than early
        early, late = _upward_crossings(x[: n // 4]), _upward_crossings(x[-n // 4:])
        assert late >= 4 * max(early, 1)
    elif kind == "spikes":
        assert sorted(set(x.tolist())) == [0.0, 1.0] and int(x.sum()) == n // 25
    else:  # steps: six flat stretches at the listed levels, noisy or not
        for i, level in enumerate(STEP_LEVELS):
            part = x[i * n // 6:(i + 1) * n // 6]
            if kind == "steps":
                assert all(v == pytest.approx(level) for v in part)
            else:
                assert float(part.mean()) == pytest.approx(level, abs=0.05)
                assert 0.08 < float(part.std()) < 0.16


def test_bad_signal_arguments():
    with pytest.raises(ValueError, match="unknown signal"):
        synthetic("triangle")
    with pytest.raises(ValueError, match="between 8"):
        synthetic("sine", 3)
    with pytest.raises(ValueError, match="one row of numbers"):
        convolve_signal(np.ones((3, 3)), [1.0])
    with pytest.raises(ValueError, match="does not fit"):
        convolve_signal(np.ones(2), [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="stride must be at least 1"):
        convolve_signal(np.ones(8), [1.0], stride=0)


def test_excerpt_skips_leading_silence_and_fits():
    x = np.zeros(100, np.float32)
    x[30:] = np.sin(np.arange(70))
    part, start = excerpt(x, 20)
    assert start == next(i for i in range(100) if abs(x[i]) >= 0.1 * np.abs(x).max())
    np.testing.assert_array_equal(part, x[start:start + 20])
    late = np.zeros(100, np.float32)
    late[95] = 1
    part, start = excerpt(late, 20)
    assert start == 80 and part[15] == 1  # shifted back so 20 samples fit
    part, start = excerpt(x[:10], 20)
    assert start == 0 and part.size == 10


def write_wav(path, frames: bytes, width: int, channels: int = 1, rate: int = 8000):
    with wave.open(str(path), "wb") as f:
        f.setnchannels(channels)
        f.setsampwidth(width)
        f.setframerate(rate)
        f.writeframes(frames)


def test_wav_16_bit_stereo_is_averaged(tmp_path):
    samples = np.array([[16384, -16384], [32767, 32767], [-32768, 0]], "<i2")
    write_wav(tmp_path / "a.wav", samples.tobytes(), 2, channels=2, rate=22050)
    x, rate = read_wav(tmp_path / "a.wav")
    assert rate == 22050
    np.testing.assert_allclose(x, [0.0, 32767 / 32768, -0.5], atol=1e-6)


def test_wav_8_and_24_bit(tmp_path):
    write_wav(tmp_path / "b.wav", bytes([128, 255, 0]), 1)
    x, _ = read_wav(tmp_path / "b.wav")
    np.testing.assert_allclose(x, [0.0, 127 / 128, -1.0])
    # 24-bit little-endian: 0x400000 = +0.5, 0xC00000 = −0.5
    write_wav(tmp_path / "c.wav", bytes([0, 0, 0x40, 0, 0, 0xC0]), 3)
    x, _ = read_wav(tmp_path / "c.wav")
    np.testing.assert_allclose(x, [0.5, -0.5])


def test_malformed_wav_files_are_refused(tmp_path):
    (tmp_path / "text.wav").write_text("hello, not a sound")
    with pytest.raises(ValueError, match="not a WAV file"):
        read_wav(tmp_path / "text.wav")
    good = tmp_path / "cut.wav"
    write_wav(good, np.zeros(100, "<i2").tobytes(), 2)
    (tmp_path / "header.wav").write_bytes(good.read_bytes()[:20])
    with pytest.raises(ValueError, match="not a WAV file"):
        read_wav(tmp_path / "header.wav")
    write_wav(tmp_path / "empty.wav", b"", 2)
    with pytest.raises(ValueError, match="holds no samples"):
        read_wav(tmp_path / "empty.wav")
    with pytest.raises(ValueError, match="there is no file"):
        read_wav(tmp_path / "missing.wav")


# --- the signal page's pieces ---------------------------------------------------------------
def test_taps_are_typed_as_numbers_or_fractions():
    assert parse_taps("1/3, 1/3 1/3") == pytest.approx((1 / 3,) * 3)
    assert parse_taps("−1, 0, 1") == (-1.0, 0.0, 1.0)
    assert format_taps((-1.0, 0.25)) == "-1, 0.25"
    for text, words in (("", "type the kernel"), ("1, x", "not a number"), ("1/0", "not a"),
                        ("1e400", "finite"), (" ".join(["1"] * 32), "at most 31")):
        with pytest.raises(ValueError, match=words):
            parse_taps(text)


def test_a_drawing_is_stretched_to_the_length_shown():
    drawn = [0.0, 1.0, 0.0, -1.0]
    got = stretch(np.array(drawn), 7)
    # sample i of 7 stands at 3·i/6 of the drawing: linear between its neighbours
    want = []
    for i in range(7):
        pos = 3 * i / 6
        lo = int(pos)
        hi = min(lo + 1, 3)
        want.append(drawn[lo] + (pos - lo) * (drawn[hi] - drawn[lo]))
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert stretch(np.zeros(0), 5).tolist() == [0.0] * 5
    np.testing.assert_array_equal(stretch(np.array(drawn), 4), drawn)


def test_signal_samples_name_what_they_are(tmp_path):
    x, note = signal_samples("sine", 50, np.zeros(0), "")
    np.testing.assert_array_equal(x, synthetic("sine", 50))
    assert note == "50 samples"
    x, note = signal_samples("drawn", 8, np.ones(4), "")
    assert x.tolist() == [1.0] * 8 and "drawn" in note
    path = tmp_path / "tone.wav"
    write_wav(path, (np.arange(100) * 100).astype("<i2").tobytes(), 2)
    x, note = signal_samples("wav", 20, np.zeros(0), str(path))
    assert x.size == 20 and note.startswith("tone.wav: samples ")
    path.write_bytes(b"RIFF1234WAVEjunk")  # changed on disk: read again, and refused
    with pytest.raises(ValueError, match="not a WAV file"):
        signal_samples("wav", 20, np.zeros(0), str(path))
    with pytest.raises(ValueError, match="no file"):
        signal_samples("wav", 20, np.zeros(0), str(tmp_path / "gone.wav"))
    with pytest.raises(ValueError, match="open a WAV file"):
        signal_samples("wav", 20, np.zeros(0), "")


def test_a_study_places_each_output_under_its_window():
    x = synthetic("chirp", 30)
    study = study_signal(x, "", (1.0, 2.0, 3.0, 4.0), 2, 3)
    want = reference_signal_conv(x.tolist(), [1.0, 2.0, 3.0, 4.0], 3, 2)
    np.testing.assert_allclose(study.output, want, rtol=1e-5, atol=1e-5)
    for j in range(study.output.size):
        first, last = study.window(j)
        assert (first, last) == (3 * j - 2, 3 * j + 1)
        assert study.positions[j] == pytest.approx((first + last) / 2)
    for i in range(30):  # the first window that covers input i, found by trying them all
        covering = [j for j in range(study.output.size)
                    if study.window(j)[0] <= i <= study.window(j)[1]]
        if covering:
            assert study.output_at_input(i) == covering[0]


def test_a_kernel_that_does_not_fit_is_a_problem_not_an_error():
    study = study_signal(np.zeros(8), "", (1.0,) * 12, 1, 1)
    assert study.output.size == 0 and "does not fit" in study.problem
    assert study.signal.size == 8
