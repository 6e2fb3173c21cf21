"""The network's first-layer kernels as small colour pictures (the lecture's AlexNet figure)
and, for the chosen one, as numbers: one 3×3 slice per colour channel.

A 3×3×3 kernel is shown as a 3×3 RGB picture: each weight mapped to 128 + 127·w / max|w| of
its kernel, so grey is 0, a colour means the kernel wants that colour there and its opposite
colour means it wants the colour absent. Edge detectors show as light/dark pairs, colour
detectors as coloured blobs.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from explorer.ui.widgets.kernel_slices import channel_names
from explorer.ui.widgets.matrix_view import MatrixView
from explorer.ui.widgets.picture_view import to_qimage

SWATCH = 52  # px of one kernel picture
GAP = 6
COLUMNS = 8
SELECTED = QColor(255, 190, 40)


def kernel_picture(kernel: np.ndarray) -> np.ndarray:
    """A (kh, kw, 3) kernel as (kh, kw, 3) uint8 colours: grey 0, ±max|w| at the ends."""
    k = np.asarray(kernel, np.float64)
    limit = float(np.abs(k).max())
    scaled = 128 + 127 * (k / limit if limit > 0 else k)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


class KernelSwatches(QWidget):
    """All kernels as a grid of small colour pictures; a click chooses one."""

    chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._images: list[QImage] = []
        self.selected = 0
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_kernels(self, kernels: np.ndarray) -> None:
        """(K, kh, kw, 3) kernels."""
        self._images = [to_qimage(kernel_picture(k)) for k in kernels]
        self.selected = min(self.selected, max(0, len(self._images) - 1))
        self.setFixedSize(self.sizeHint())
        self.update()

    def sizeHint(self) -> QSize:
        rows = max(1, -(-len(self._images) // COLUMNS))
        return QSize(COLUMNS * (SWATCH + GAP), rows * (SWATCH + GAP))

    def swatch_rect(self, i: int) -> QRectF:
        row, col = divmod(i, COLUMNS)
        return QRectF(col * (SWATCH + GAP) + GAP / 2, row * (SWATCH + GAP) + GAP / 2,
                      SWATCH, SWATCH)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        for i, image in enumerate(self._images):
            painter.drawImage(self.swatch_rect(i), image)  # unsmoothed: one block per weight
        if self._images:
            pen = QPen(SELECTED)
            pen.setWidth(3)
            painter.setPen(pen)
            painter.drawRect(self.swatch_rect(self.selected).adjusted(-2, -2, 2, 2))
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        for i in range(len(self._images)):
            if self.swatch_rect(i).adjusted(-GAP / 2, -GAP / 2, GAP / 2, GAP / 2).contains(
                    event.position()):
                self.selected = i
                self.update()
                self.chosen.emit(i)
                return


class StemKernels(QWidget):
    """The swatches, and the chosen kernel's weights as three numeric slices."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kernels = np.zeros((0, 3, 3, 3), np.float32)
        self.swatches = KernelSwatches()
        self.swatches.chosen.connect(self._show_numbers)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.slices = [MatrixView("signed") for _ in range(3)]
        self.slice_labels = [QLabel(name) for name in channel_names(3)]
        grid = QGridLayout()
        for i, (label, view) in enumerate(zip(self.slice_labels, self.slices, strict=True)):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(label, 0, i)
            view.setMinimumSize(150, 78)
            grid.addWidget(view, 1, i)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.swatches, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.caption)
        layout.addLayout(grid)

    def set_kernels(self, kernels: np.ndarray) -> None:
        """The learned (K, 3, 3, 3) kernels of the stem (K, kh, kw, RGB)."""
        self._kernels = np.asarray(kernels, np.float32)
        self.swatches.set_kernels(self._kernels)
        self._show_numbers(self.swatches.selected)

    def choose(self, index: int) -> None:
        self.swatches.selected = index
        self.swatches.update()
        self._show_numbers(index)

    def _show_numbers(self, index: int) -> None:
        if not len(self._kernels):
            return
        k = self._kernels[index]
        for c, view in enumerate(self.slices):
            view.set_values(k[:, :, c])
        self.caption.setText(
            f"Kernel {index + 1} of {len(self._kernels)}: its weights on the red, green and "
            f"blue channels (sum {float(k.sum()):+.3g}). Hover a cell for the exact value.")
