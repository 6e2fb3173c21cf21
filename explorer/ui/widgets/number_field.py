"""A whole number as a spin box and a slider; the slider is logarithmic on big ranges."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QSlider, QSpinBox, QWidget

__all__ = ["NumberField"]


class NumberField(QWidget):
    """A spin box and a slider for one whole number; the slider is logarithmic on big ranges.

    With ``special_text`` the minimum 0 means "automatic" and the spin box shows that text.
    """

    valueChanged = Signal(int)

    STEPS = 1000  # slider positions on a logarithmic range

    def __init__(self, minimum: int, maximum: int, value: int, log: bool = False,
                 special_text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._min, self._max, self._log = minimum, maximum, log
        self._special = bool(special_text)
        self.spin = QSpinBox(minimum=minimum, maximum=maximum, value=value)
        self.spin.setKeyboardTracking(True)  # the counts follow each digit typed
        self.spin.setGroupSeparatorShown(True)  # 10,000,000 reads better than 10000000
        self.spin.setAccelerated(True)
        if special_text:
            self.spin.setSpecialValueText(special_text)
        self.spin.setMinimumWidth(104)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        if log:
            self.slider.setRange(0, self.STEPS)
        else:
            self.slider.setRange(minimum, maximum)
        self.slider.setValue(self._position(value))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.spin)
        layout.addWidget(self.slider, 1)
        self.spin.valueChanged.connect(self._on_spin_changed)
        self.slider.valueChanged.connect(self._on_slider_moved)

    def value(self) -> int:
        return self.spin.value()

    def set_value(self, value: int) -> None:
        """Show ``value`` without emitting ``valueChanged`` (the panel is pushing state in)."""
        value = max(self._min, min(self._max, int(value)))
        for widget in (self.spin, self.slider):
            widget.blockSignals(True)
        try:
            self.spin.setValue(value)
            self.slider.setValue(self._position(value))
        finally:
            for widget in (self.spin, self.slider):
                widget.blockSignals(False)

    # --- the logarithmic slider ----------------------------------------------------------
    def _position(self, value: int) -> int:
        if not self._log:
            return value
        low = max(1, self._min)
        if self._special and value <= 0:
            return 0
        first = 1 if self._special else 0  # position 0 is "automatic"
        t = math.log(max(value, low) / low) / math.log(self._max / low)
        return first + round(t * (self.STEPS - first))

    def _value_at(self, position: int) -> int:
        if not self._log:
            return position
        if self._special and position == 0:
            return 0
        low = max(1, self._min)
        first = 1 if self._special else 0
        t = (position - first) / (self.STEPS - first)
        return max(low, min(self._max, round(low * (self._max / low) ** t)))

    def _on_slider_moved(self, position: int) -> None:
        value = self._value_at(position)
        if value != self.spin.value():
            self.spin.setValue(value)  # emits through _on_spin_changed

    def _on_spin_changed(self, value: int) -> None:
        if self._value_at(self.slider.value()) != value:  # leave a dragged slider alone
            self.slider.blockSignals(True)
            self.slider.setValue(self._position(value))
            self.slider.blockSignals(False)
        self.valueChanged.emit(value)
