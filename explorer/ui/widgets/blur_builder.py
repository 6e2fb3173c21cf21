"""The kernel editor's Blur page: a box or Gaussian blur of any size up to 15, σ a control.

The presets hold the lecture's small binomial blurs; image processing uses larger ones, whose
reach is set by σ. The page builds the kernel from the controls (``kernels.blur``) and hands
it to the editor, which applies it as it applies a preset (growing the layer's kernels to
hold it whole).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core import kernels

SIGMA_RANGE = (0.1, 10.0)
KIND_LABELS = {"gaussian": "Gaussian", "box": "Box"}


class BlurBuilder(QWidget):
    """Kind, size and σ of a blur; Apply and Apply to all emit the kernel built from them."""

    apply_one = Signal(object)  # kernels.KernelPreset
    apply_all = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = QComboBox()
        for kind in kernels.BLUR_KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.kind.setToolTip("Gaussian: weights fall off from the centre as exp(−d²/2σ²). "
                             "Box: every weight the same, the plain mean of the window.")
        self.size = QSpinBox(minimum=1, maximum=kernels.MAX_KERNEL_SIDE, value=9,
                             keyboardTracking=False, suffix=" px")
        self.size.setToolTip("The window's side; the layer's kernels grow to hold it")
        self.sigma = QDoubleSpinBox(decimals=1, singleStep=0.1, value=2.0,
                                    keyboardTracking=False)
        self.sigma.setRange(*SIGMA_RANGE)
        self.sigma.setToolTip("How far the Gaussian reaches, in pixels: most of its weight "
                              "lies within ±2σ of the centre, so a size of about 6σ + 1 holds "
                              "the whole bell")
        self.text = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setMinimumHeight(3 * self.fontMetrics().lineSpacing())
        one = QPushButton("Apply blur")
        one.setToolTip("Give the selected filter this blur (its bias stays)")
        one.clicked.connect(lambda: self.apply_one.emit(self.kernel()))
        every = QPushButton("Blur every filter")
        every.setToolTip("Give every filter this blur (their biases stay)")
        every.clicked.connect(lambda: self.apply_all.emit(self.kernel()))
        self.apply_button, self.apply_all_button = one, every

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Kind", self.kind)
        row = QHBoxLayout()
        row.addWidget(self.size)
        row.addWidget(QLabel("σ"))
        row.addWidget(self.sigma)
        row.addStretch(1)
        form.addRow("Size", row)
        buttons = QHBoxLayout()
        buttons.addWidget(one)
        buttons.addWidget(every)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        layout.addStretch(1)

        self.kind.currentIndexChanged.connect(self._describe)
        self.size.valueChanged.connect(self._describe)
        self.sigma.valueChanged.connect(self._describe)
        self._describe()

    def kernel(self) -> kernels.KernelPreset:
        """The blur the controls describe."""
        return kernels.blur(self.kind.currentData(), self.size.value(), self.sigma.value())

    def _describe(self, *_: object) -> None:
        self.sigma.setEnabled(self.kind.currentData() == "gaussian")
        blur = self.kernel()
        centre = blur.weights[(blur.weights.shape[0] - 1) // 2, (blur.weights.shape[1] - 1) // 2]
        self.text.setText(f"{blur.description}. Centre weight {centre:.4f}; the weights sum "
                          "to 1, so a flat area keeps its brightness.")
