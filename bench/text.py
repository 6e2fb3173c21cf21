"""1-D convolution and the sentence classifier's training, measured in the same run.

Cases:
- a 40-token sentence of 50-d vectors through 12 filters of width 3 (the tab's bank, at one
  keystroke): ``conv1d`` against the bare floor, one matrix product over the windows
  (``sliding_window_view`` + ``@``) with no checks. Target: ≤ 3× (checks cost a few µs).
- a 2,000-sample signal through a 3-tap kernel (the signal page's largest case).
- one training epoch on the tab's 6,000 phrases (target: the whole 20 epochs in a few seconds).
"""

from __future__ import annotations

import time

import numpy as np

from bench.core import medians_ms
from explorer.core.text import conv1d
from explorer.core.text.classifier import DEFAULT_WIDTHS, TextCNN, train
from explorer.core.text.phrases import default_sets
from explorer.core.text.signal import convolve_signal
from explorer.core.text.vectors import glove_vectors


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 50)).astype(np.float32)
    filters = rng.normal(size=(12, 3, 50)).astype(np.float32)
    flat = np.ascontiguousarray(filters.reshape(12, -1).T)

    def floor() -> np.ndarray:
        windows = np.lib.stride_tricks.sliding_window_view(x, 3, axis=0)
        return windows.transpose(0, 2, 1).reshape(-1, 150) @ flat

    times = medians_ms({"conv1d": lambda: conv1d(x, filters), "floor": floor}, 2000)
    print(f"sentence 40×50, 12 filters w3: conv1d {times['conv1d'] * 1e3:.1f} µs, "
          f"floor {times['floor'] * 1e3:.1f} µs, ratio {times['conv1d'] / times['floor']:.2f}×")
    signal = rng.normal(size=2000).astype(np.float32)
    sig = medians_ms({"signal": lambda: convolve_signal(signal, [-1.0, 0.0, 1.0])}, 2000)
    print(f"signal 2000 samples, 3 taps: {sig['signal'] * 1e3:.1f} µs")

    vocab = glove_vectors()
    phrases, held_out = default_sets()
    model = TextCNN.random(DEFAULT_WIDTHS, vocab.dim)
    start = time.perf_counter()
    steps = list(train(model, vocab, phrases, held_out))
    total = time.perf_counter() - start
    print(f"training {len(steps)} epochs on {len(phrases)} phrases: {total:.2f} s "
          f"({total / len(steps) * 1e3:.0f} ms an epoch), held-out accuracy "
          f"{steps[-1].held_out_accuracy:.1%}")
