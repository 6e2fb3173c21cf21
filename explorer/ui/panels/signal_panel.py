"""1-D convolution on a signal: the image kernels, one dimension down.

The student draws a waveform with the mouse, picks a made-up signal or opens a WAV file, and
chooses a smoothing or edge kernel (or types its taps), the padding and the stride. Input and
output are plotted one above the other on one scale; hovering either shows the window and the
weighted sum behind the output sample. The work is :func:`conv1d` with D = 1, microseconds for
the few hundred samples shown, so it runs on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.text.conv1d import output_length
from explorer.core.text.signal import (
    KERNELS,
    SIGNALS,
    convolve_signal,
    excerpt,
    read_wav,
    synthetic,
)
from explorer.ui import settings_io
from explorer.ui.dialog_folders import DialogFolders
from explorer.ui.widgets.signal_plot import SignalPlot

__all__ = ["DRAW", "WAV", "SignalPanel", "format_taps", "parse_taps"]

DRAW = "Draw with the mouse"
WAV = "WAV file…"
DEFAULT_KERNEL = "central difference [−1, 0, 1] (edge)"
MAX_TAPS = 31
MAX_SAMPLES = 2000


def format_taps(taps) -> str:
    return ", ".join(f"{t:.4g}" for t in taps)


def parse_taps(text: str) -> np.ndarray:
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
    arr = np.array(taps)
    if not np.isfinite(arr).all():
        raise ValueError("every tap must be a finite number")
    return arr


class SignalPanel(QWidget):
    """The signal half of the 1-D tab."""

    error = Signal(str)
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._signal = synthetic("noisy steps", 60, seed=0)
        self._kernel = np.array(KERNELS[DEFAULT_KERNEL])
        self._output = np.zeros(0, np.float32)
        self._wav: tuple[np.ndarray, int, str] | None = None
        self._wav_note = ""
        self._build()
        self.refresh()

    def _build(self) -> None:
        self.source_combo = QComboBox()
        self.source_combo.addItems([DRAW, *SIGNALS, WAV])
        self.source_combo.setCurrentText("noisy steps")
        self.source_combo.currentTextChanged.connect(self._on_source_changed)
        self.length_spin = QSpinBox(minimum=8, maximum=MAX_SAMPLES, value=60, suffix=" samples")
        self.length_spin.setToolTip("Samples shown; a WAV file shows this many at its own rate")
        self.length_spin.setKeyboardTracking(False)
        self.length_spin.valueChanged.connect(self._on_length_changed)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Start a drawing from a flat line")
        self.clear_button.clicked.connect(self.clear_drawing)
        self.kernel_combo = QComboBox()
        self.kernel_combo.addItems(list(KERNELS))
        self.kernel_combo.setCurrentText(DEFAULT_KERNEL)
        self.kernel_combo.currentTextChanged.connect(self._on_kernel_preset)
        self.taps_edit = QLineEdit(format_taps(self._kernel))
        self.taps_edit.setToolTip("The kernel's taps, left to right; applied without flipping "
                                  "(cross-correlation), as CNN layers do")
        self.taps_edit.editingFinished.connect(self._on_taps_edited)
        self.padding_spin = QSpinBox(minimum=0, maximum=MAX_TAPS)
        self.stride_spin = QSpinBox(minimum=1, maximum=16)
        for spin in (self.padding_spin, self.stride_spin):
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self.refresh)
        self.formula = QLabel(wordWrap=True)
        self.note = QLabel(wordWrap=True)
        self.note.setStyleSheet("color: #a02020;")
        self.readout = QLabel("Hover a sample to see its window and the weighted sum.",
                              wordWrap=True)
        self.readout.setTextFormat(Qt.TextFormat.RichText)

        form = QFormLayout()
        source_row = QHBoxLayout()
        source_row.addWidget(self.source_combo, 1)
        source_row.addWidget(self.clear_button)
        form.addRow("Signal:", source_row)
        form.addRow("Length:", self.length_spin)
        form.addRow("Kernel:", self.kernel_combo)
        form.addRow("Taps:", self.taps_edit)
        self.padding_spin.setToolTip("Zeros added at each end of the signal")
        form.addRow("Padding:", self.padding_spin)
        form.addRow("Stride:", self.stride_spin)
        controls = QWidget()
        cv = QVBoxLayout(controls)
        cv.addLayout(form)
        cv.addWidget(self.formula)
        cv.addWidget(self.note)
        cv.addWidget(self.readout)
        cv.addStretch(1)
        controls.setMinimumWidth(240)
        controls.setMaximumWidth(330)

        self.input_plot = SignalPlot(editable=True)
        self.output_plot = SignalPlot()
        self.input_plot.edited.connect(self._on_drawn)
        self.input_plot.hovered.connect(self._on_input_hovered)
        self.output_plot.hovered.connect(self._on_output_hovered)
        self.input_title = QLabel(wordWrap=True)
        self.output_title = QLabel(wordWrap=True)
        plots = QVBoxLayout()
        plots.addWidget(self.input_title)
        plots.addWidget(self.input_plot, 1)
        plots.addWidget(self.output_title)
        plots.addWidget(self.output_plot, 1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(controls)
        layout.addLayout(plots, 1)

    # --- sources --------------------------------------------------------------------------
    def signal(self) -> np.ndarray:
        return self._signal.copy()

    def output(self) -> np.ndarray:
        return self._output.copy()

    def _on_source_changed(self, name: str) -> None:
        self.clear_button.setEnabled(name == DRAW)
        if name == WAV:
            folders = DialogFolders(settings_io.settings())
            path, _ = QFileDialog.getOpenFileName(self, "Open a WAV file",
                                                  str(folders.folder("sound")),
                                                  "WAV files (*.wav *.wave);;All files (*)")
            if path:
                folders.remember("sound", path)
            if not path or not self.open_wav(path):
                with QSignalBlocker(self.source_combo):
                    self.source_combo.setCurrentText(DRAW if self._wav is None else WAV)
            return
        self._make_source()

    def _on_length_changed(self) -> None:
        self._make_source()

    def _make_source(self) -> None:
        name, n = self.source_combo.currentText(), self.length_spin.value()
        if name == DRAW:
            old = self._signal
            # keep the drawing, stretched or shrunk to the new length
            self._signal = np.interp(np.linspace(0, max(old.size - 1, 0), n),
                                     np.arange(old.size), old).astype(np.float32) \
                if old.size else np.zeros(n, np.float32)
        elif name == WAV and self._wav is not None:
            samples, rate, file = self._wav
            self._signal, start = excerpt(samples, n)
            self._wav_note = (f"{file}: samples {start}–{start + self._signal.size - 1} of "
                              f"{samples.size} ({self._signal.size / rate * 1000:.1f} ms at "
                              f"{rate} Hz)")
            self.message.emit(self._wav_note)
        elif name in SIGNALS:
            self._signal = synthetic(name, n)
        self.refresh()

    def open_wav(self, path: str | Path) -> bool:
        """Read a WAV file as the signal; a faulty file is refused with a message."""
        try:
            samples, rate = read_wav(path)
        except ValueError as exc:
            self.note.setText(str(exc))
            self.error.emit(str(exc))
            return False
        self._wav = (samples, rate, Path(path).name)
        with QSignalBlocker(self.source_combo):
            self.source_combo.setCurrentText(WAV)
        self.clear_button.setEnabled(False)
        self._make_source()
        return True

    def clear_drawing(self) -> None:
        with QSignalBlocker(self.source_combo):
            self.source_combo.setCurrentText(DRAW)
        self.clear_button.setEnabled(True)
        self._signal = np.zeros(self.length_spin.value(), np.float32)
        self.refresh()

    def _on_drawn(self) -> None:
        if self.source_combo.currentText() != DRAW:
            with QSignalBlocker(self.source_combo):
                self.source_combo.setCurrentText(DRAW)
            self.clear_button.setEnabled(True)
        self._signal = self.input_plot.values()
        self.refresh()

    # --- kernel ---------------------------------------------------------------------------
    def _on_kernel_preset(self, name: str) -> None:
        self._kernel = np.array(KERNELS[name])
        self.taps_edit.setText(format_taps(self._kernel))
        self.refresh()

    def _on_taps_edited(self) -> None:
        try:
            taps = parse_taps(self.taps_edit.text())
        except ValueError as exc:
            self.note.setText(str(exc))
            return
        self._kernel = taps
        match = [n for n, k in KERNELS.items()
                 if len(k) == taps.size and np.allclose(k, taps, atol=5e-5)]
        with QSignalBlocker(self.kernel_combo):
            if match:
                self.kernel_combo.setCurrentText(match[0])
        self.refresh()

    def kernel(self) -> np.ndarray:
        return self._kernel.copy()

    # --- computing ------------------------------------------------------------------------
    def _output_positions(self) -> np.ndarray:
        """Where each output sample stands on the input's scale: its window's middle."""
        s, p, w = self.stride_spin.value(), self.padding_spin.value(), self._kernel.size
        return np.arange(self._output.size) * s - p + (w - 1) / 2

    def refresh(self) -> None:
        n, w = self._signal.size, self._kernel.size
        s, p = self.stride_spin.value(), self.padding_spin.value()
        x_range = (-p - 0.5, n + p - 0.5)
        zones = [(-p - 0.5, -0.5), (n - 0.5, n + p - 0.5)] if p else []
        self.input_plot.set_signal(self._signal, x_range=x_range, padding_zones=zones)
        wav = self.source_combo.currentText() == WAV and self._wav is not None
        self.input_title.setText(f"<b>Input</b>: {self._wav_note if wav else f'{n} samples'}" +
                                 (f", {p} zero{'s' if p > 1 else ''} of padding at each end "
                                  "(hatched)" if p else ""))
        try:
            out_n = output_length(n, w, s, p)
            self._output = convolve_signal(self._signal, self._kernel, stride=s, padding=p)
        except ValueError as exc:
            self._output = np.zeros(0, np.float32)
            self.note.setText(str(exc))
            self.formula.setText("")
            self.output_plot.set_signal(self._output, x_range=x_range)
            self.output_title.setText("<b>Output</b>: none")
            return
        self.note.setText("")
        self.formula.setText(
            f"Output length = ⌊(T + 2p − w)/s⌋ + 1 = ⌊({n} + 2·{p} − {w})/{s}⌋ + 1 = "
            f"<b>{out_n}</b>")
        self.output_plot.set_signal(self._output, self._output_positions(), x_range, zones)
        self.output_title.setText(
            f"<b>Output</b>: {out_n} samples, each under the middle of its window "
            f"(kernel {format_taps(self._kernel)}, stride {s})")
        self.input_plot.set_window(None)
        self.output_plot.set_window(None)

    # --- hover ----------------------------------------------------------------------------
    def _on_input_hovered(self, i: int) -> None:
        """Hovering the input shows the first output whose window covers that sample."""
        if i < 0 or self._output.size == 0:
            self._on_output_hovered(-1)
            return
        s, p, w = self.stride_spin.value(), self.padding_spin.value(), self._kernel.size
        j = int(np.clip(np.ceil((i + p - w + 1) / s), 0, self._output.size - 1))
        self._on_output_hovered(j)

    def _on_output_hovered(self, j: int) -> None:
        if j < 0 or j >= self._output.size:
            self.input_plot.set_window(None)
            self.output_plot.set_window(None)
            return
        s, p, w = self.stride_spin.value(), self.padding_spin.value(), self._kernel.size
        start = j * s - p  # input index of the window's first tap (negative: padding)
        self.input_plot.set_window((start, start + w - 1))
        centre = float(self._output_positions()[j])
        self.output_plot.set_window((centre, centre), mark=j)
        terms = []
        for t, tap in enumerate(self._kernel):
            i = start + t
            value = float(self._signal[i]) if 0 <= i < self._signal.size else 0.0
            where = f"x[{i}]" if 0 <= i < self._signal.size else "pad"
            terms.append(f"{tap:.3g}×{value:.3g} <small>({where})</small>")
        self.readout.setText(f"<b>output[{j}]</b> = " + " + ".join(terms)
                             + f" = <b>{float(self._output[j]):.4g}</b>")
