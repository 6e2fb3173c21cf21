"""A filter bank as a grid of small pictures: blue for negative weights, white 0, red positive.

Each kernel on its own colour scale shows its shape best (a faint edge detector is still an
edge detector); one scale for the whole bank shows which kernels grew strong while training
and which stayed faint. A check box switches between the two.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from explorer.ui.widgets.kernel_image import KernelImage

MIN_SIDE = 36


class KernelBankView(QWidget):
    """K kernels (the channel sum of a (K, kh, kw, C) bank) in rows of ``columns``."""

    def __init__(self, columns: int = 4, side: int = 72,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns = columns
        self._side = side
        self._planes = np.zeros((0, 1, 1), np.float32)
        self._images: list[KernelImage] = []
        self._labels: list[QLabel] = []
        self._grid = QGridLayout()
        self._grid.setSpacing(6)
        self.shared_check = QCheckBox("one scale for all")
        self.shared_check.setToolTip("On: compare the kernels' strengths. Off: each kernel "
                                     "uses its own range, which shows its shape best.")
        self.shared_check.toggled.connect(self._repaint)
        self.scale_label = QLabel()
        self.scale_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._grid, 1)
        layout.addWidget(self.scale_label)
        layout.addWidget(self.shared_check)

    def images(self) -> list[KernelImage]:
        return list(self._images)

    def set_kernels(self, weights: np.ndarray) -> None:
        w = np.asarray(weights, np.float32)
        self._planes = w.sum(axis=3) if w.ndim == 4 else w
        if len(self._planes) != len(self._images):
            self._rebuild(len(self._planes))
        self._repaint()

    def _repaint(self) -> None:
        planes = self._planes
        if not len(planes):
            return
        peaks = np.abs(planes).max(axis=(1, 2))
        if self.shared_check.isChecked():
            limit = float(peaks.max())
            limits = [limit] * len(planes)
            self.scale_label.setText(f"blue −{limit:.2g} · white 0 · red +{limit:.2g}")
        else:
            limits = [float(p) for p in peaks]
            self.scale_label.setText("blue − · white 0 · red +, each to its own largest "
                                     "weight")
        for image, label, plane, limit in zip(self._images, self._labels, planes, limits,
                                              strict=True):
            image.set_kernel(plane, limit)
            image.setToolTip(f"largest weight {limit:.3g}")
            label.setToolTip(image.toolTip())

    def _rebuild(self, count: int) -> None:
        for widget in (*self._images, *self._labels):
            self._grid.removeWidget(widget)
            widget.deleteLater()
        self._images, self._labels = [], []
        for k in range(count):
            r, c = divmod(k, self._columns)
            image = KernelImage(side=self._side)
            # as large as the room allows, readable down to MIN_SIDE pixels
            image.setMinimumSize(MIN_SIDE, MIN_SIDE)
            image.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            label = QLabel(str(k + 1))
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            self._grid.addWidget(image, 2 * r, c)
            self._grid.addWidget(label, 2 * r + 1, c)
            self._images.append(image)
            self._labels.append(label)
