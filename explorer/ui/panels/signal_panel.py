"""1-D convolution on a signal: the image kernels, one dimension down.

The student draws a waveform with the mouse, picks a made-up signal or opens a WAV file, and
chooses a smoothing or edge kernel (or types its taps), the padding and the stride. Input and
output are plotted one above the other on one scale; hovering either shows the window and the
weighted sum behind the output sample.

The page writes every choice, and the drawn samples, to ``document.text``; it draws the
:class:`SignalStudy` its controller hands it (made on the worker).
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

from explorer.core.text.signal import (
    DRAWN,
    KERNELS,
    SIGNALS,
    WAV,
    SignalStudy,
    format_taps,
    parse_taps,
)
from explorer.state import Document
from explorer.state.limits import int_range
from explorer.ui import settings_io
from explorer.ui.dialog_folders import DialogFolders
from explorer.ui.presentation_type import as_caption, as_heading
from explorer.ui.widgets.signal_plot import SignalPlot

__all__ = ["CUSTOM", "SOURCES", "SignalPanel"]

# the signal combo's items: what it shows → the model's value
SOURCES = {"Draw with the mouse": DRAWN, **{name: name for name in SIGNALS}, "WAV file…": WAV}
CUSTOM = "typed taps"  # the kernel combo's item for taps that are no preset
HOVER_HINT = "Hover a sample to see its window and the weighted sum."


class SignalPanel(QWidget):
    """The signal half of the 1-D tab."""

    message = Signal(str)  # a note for the status bar

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.study: SignalStudy | None = None
        self._build()

    def _build(self) -> None:
        self.source_combo = QComboBox()
        for text, value in SOURCES.items():
            self.source_combo.addItem(text, value)
        self.source_combo.activated.connect(self._on_source_chosen)
        low, high = int_range("samples", "TextSettings")
        self.length_spin = QSpinBox(minimum=low, maximum=high, suffix=" samples",
                                    keyboardTracking=False)
        self.length_spin.setToolTip("Samples shown; a drawing is stretched to this many, a "
                                    "WAV file shows this many at its own rate")
        self.length_spin.valueChanged.connect(self._on_length_edited)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Start a drawing from a flat line")
        self.clear_button.clicked.connect(self._on_clear_clicked)
        self.kernel_combo = QComboBox()
        self.kernel_combo.addItems([*KERNELS, CUSTOM])
        self.kernel_combo.activated.connect(self._on_kernel_chosen)
        self.taps_edit = QLineEdit()
        self.taps_edit.setToolTip("The kernel's taps, left to right; applied without flipping "
                                  "(cross-correlation), as CNN layers do")
        self.taps_edit.editingFinished.connect(self._on_taps_edited)
        p_low, p_high = int_range("signal_padding", "TextSettings")
        s_low, s_high = int_range("signal_stride", "TextSettings")
        self.padding_spin = QSpinBox(minimum=p_low, maximum=p_high, keyboardTracking=False)
        self.padding_spin.setToolTip("Zeros added at each end of the signal")
        self.padding_spin.valueChanged.connect(self._on_padding_edited)
        self.stride_spin = QSpinBox(minimum=s_low, maximum=s_high, keyboardTracking=False)
        self.stride_spin.valueChanged.connect(self._on_stride_edited)
        self.formula = as_caption(QLabel(wordWrap=True))
        self.note = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.note.setStyleSheet("color: #a02020;")
        self.readout = as_caption(QLabel(HOVER_HINT, wordWrap=True))
        self.readout.setTextFormat(Qt.TextFormat.RichText)

        form = QFormLayout()
        source_row = QHBoxLayout()
        source_row.addWidget(self.source_combo, 1)
        source_row.addWidget(self.clear_button)
        form.addRow("Signal:", source_row)
        form.addRow("Length:", self.length_spin)
        form.addRow("Kernel:", self.kernel_combo)
        form.addRow("Taps:", self.taps_edit)
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
        self.input_title = as_heading(QLabel(wordWrap=True))
        self.output_title = as_heading(QLabel(wordWrap=True))
        self.plots = QWidget()  # the page's teaching picture: what an export shows
        plots = QVBoxLayout(self.plots)
        plots.setContentsMargins(0, 0, 0, 0)
        plots.addWidget(self.input_title)
        plots.addWidget(self.input_plot, 1)
        plots.addWidget(self.output_title)
        plots.addWidget(self.output_plot, 1)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(controls)
        layout.addWidget(self.plots, 1)

    # --- the user's edits go to the model -------------------------------------------------
    def _on_source_chosen(self, index: int) -> None:
        value = self.source_combo.itemData(index)
        if value != WAV:
            self.document.text.signal = value
            return
        folders = DialogFolders(settings_io.settings())
        path, _ = QFileDialog.getOpenFileName(self, "Open a WAV file",
                                              str(folders.folder("sound")),
                                              "WAV files (*.wav *.wave);;All files (*)")
        if path:
            folders.remember("sound", path)
            self.open_wav(path)
        else:
            self.show_settings()  # cancelled: the combo shows the signal still on show

    def open_wav(self, path: str | Path) -> None:
        """Show a stretch of a WAV file (read on the worker; a faulty file is refused there
        with a message, and undo goes back to the signal before)."""
        self.document.text.update({"wav_file": str(path), "signal": WAV})

    def _on_length_edited(self, value: int) -> None:
        self.document.text.samples = int(value)

    def _on_clear_clicked(self) -> None:
        self.document.text.update({"signal": DRAWN, "drawn": ()})

    def _on_drawn(self) -> None:
        """A stroke on the input: the samples as drawn become the signal (a drawing over a
        made-up signal or a WAV file starts from it)."""
        drawn = tuple(round(float(v), 4) for v in self.input_plot.values())
        self.document.text.update({"signal": DRAWN, "drawn": drawn})

    def _on_kernel_chosen(self, index: int) -> None:
        name = self.kernel_combo.itemText(index)
        if name in KERNELS:
            self.document.text.taps = KERNELS[name]
        else:  # "typed taps" names what is typed; it is no kernel to choose
            self.show_settings()

    def _on_taps_edited(self) -> None:
        try:
            taps = parse_taps(self.taps_edit.text())
        except ValueError as exc:
            self.note.setText(str(exc))
            return
        self.note.setText("")
        self.taps_edit.setModified(False)
        self.document.text.taps = taps

    def _on_padding_edited(self, value: int) -> None:
        self.document.text.signal_padding = int(value)

    def _on_stride_edited(self, value: int) -> None:
        self.document.text.signal_stride = int(value)

    # --- the model is shown ---------------------------------------------------------------
    def show_settings(self) -> None:
        """Put ``document.text`` into the controls (without echoing it back)."""
        s = self.document.text
        with QSignalBlocker(self.source_combo):
            self.source_combo.setCurrentIndex(self.source_combo.findData(s.signal))
        preset = next((name for name, taps in KERNELS.items()
                       if len(taps) == len(s.taps) and np.allclose(taps, s.taps, atol=5e-5)),
                      CUSTOM)
        with QSignalBlocker(self.kernel_combo):
            self.kernel_combo.setCurrentText(preset)
        try:
            typed = parse_taps(self.taps_edit.text())
        except ValueError:
            typed = None
        typing = self.taps_edit.hasFocus() and self.taps_edit.isModified()
        if typed != s.taps and not typing:  # "1/3, 1/3, 1/3" stays as typed
            self.taps_edit.setText(format_taps(s.taps))
        for spin, value in ((self.length_spin, s.samples), (self.padding_spin, s.signal_padding),
                            (self.stride_spin, s.signal_stride)):
            with QSignalBlocker(spin):
                spin.setValue(value)

    # --- results --------------------------------------------------------------------------
    def show_study(self, study: SignalStudy) -> None:
        """Draw the signal, the kernel's output under it, and the output-size formula."""
        self.study = study
        n, w, p, s = study.signal.size, study.taps.size, study.padding, study.stride
        x_range = (-p - 0.5, n + p - 0.5)
        zones = [(-p - 0.5, -0.5), (n - 0.5, n + p - 0.5)] if p else []
        self.input_plot.set_signal(study.signal, x_range=x_range, padding_zones=zones)
        self.input_title.setText(f"<b>Input</b>: {study.note}" +
                                 (f", {p} zero{'s' if p > 1 else ''} of padding at each end "
                                  "(hatched)" if p else ""))
        self.note.setText(study.problem)
        if study.problem:
            self.formula.setText("")
            self.output_plot.set_signal(study.output, x_range=x_range)
            self.output_title.setText("<b>Output</b>: none")
        else:
            out_n = study.output.size
            self.formula.setText(
                f"Output length = ⌊(T + 2p − w)/s⌋ + 1 = ⌊({n} + 2·{p} − {w})/{s}⌋ + 1 = "
                f"<b>{out_n}</b>")
            self.output_plot.set_signal(study.output, study.positions, x_range, zones)
            self.output_title.setText(
                f"<b>Output</b>: {out_n} samples, each under the middle of its window "
                f"(kernel {format_taps(study.taps)}, stride {s})")
        self._on_output_hovered(-1)

    def show_problem(self, text: str) -> None:
        """No signal to show (a WAV file that cannot be read)."""
        self.study = None
        empty = np.zeros(0, np.float32)
        self.input_plot.set_signal(empty, x_range=(-0.5, 0.5))
        self.output_plot.set_signal(empty, x_range=(-0.5, 0.5))
        self.input_title.setText("<b>Input</b>: none")
        self.output_title.setText("<b>Output</b>: none")
        self.formula.setText("")
        self.note.setText(text)
        self._on_output_hovered(-1)

    # --- hover ----------------------------------------------------------------------------
    def _on_input_hovered(self, i: int) -> None:
        """Hovering the input shows the first output whose window covers that sample."""
        study = self.study
        if i < 0 or study is None or study.output.size == 0:
            self._on_output_hovered(-1)
            return
        self._on_output_hovered(study.output_at_input(i))

    def _on_output_hovered(self, j: int) -> None:
        study = self.study
        if study is None or not 0 <= j < study.output.size:
            self.input_plot.set_window(None)
            self.output_plot.set_window(None)
            self.readout.setText(HOVER_HINT)
            return
        start, end = study.window(j)
        self.input_plot.set_window((start, end))
        centre = float(study.positions[j])
        self.output_plot.set_window((centre, centre), mark=j)
        terms = []
        for t, tap in enumerate(study.taps):
            i = start + t
            inside = 0 <= i < study.signal.size
            value = float(study.signal[i]) if inside else 0.0
            terms.append(f"{tap:.3g}×{value:.3g} <small>({f'x[{i}]' if inside else 'pad'})"
                         "</small>")
        self.readout.setText(f"<b>output[{j}]</b> = " + " + ".join(terms)
                             + f" = <b>{float(study.output[j]):.4g}</b>")
