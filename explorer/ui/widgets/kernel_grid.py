"""A numeric grid for one channel slice of a kernel: type a weight, or roll the wheel over it.

Each cell is a small :class:`WeightCell` line edit. A cell never writes to the document
itself: it reports a new value (``committed``) and the kernel editor decides which slices it
changes. The document then pushes the stored value back with :meth:`KernelGrid.set_values`,
so what a cell shows is always what the layer computes with.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QWheelEvent
from PySide6.QtWidgets import QGridLayout, QLineEdit, QWidget

WHEEL_STEP = 0.1  # one wheel notch; Shift ×10, Ctrl ×0.1
WHEEL_HELP = (
    "Type a number (0.5, -1, 1/9) and press Enter, or roll the mouse wheel over the cell: "
    f"±{WHEEL_STEP:g} a notch, Shift ±{WHEEL_STEP * 10:g}, Ctrl ±{WHEEL_STEP / 10:g}. "
    "Esc puts the value back."
)


def parse_weight(text: str) -> float:
    """The number a student typed: ``0.5``, ``-1``, ``0,25`` (decimal comma) or ``1/9``.

    Raises ``ValueError`` with a sentence that says what to type instead.
    """
    cleaned = text.strip().replace("\N{MINUS SIGN}", "-").replace(",", ".")
    try:
        if "/" in cleaned:
            top, bottom = cleaned.split("/")
            value = float(top) / float(bottom)
        else:
            value = float(cleaned)
    except (ValueError, ZeroDivisionError):
        raise ValueError(
            f"“{text.strip()}” is not a number: type a weight such as 0.5, -1 or 1/9"
        ) from None
    if not math.isfinite(value):
        raise ValueError("a weight must be a finite number (no infinity or NaN)")
    return value


def format_weight(value: float, decimals: int, short: bool = False) -> str:
    """A weight as short as its cell: whole numbers stay whole, others lose trailing zeros.

    The lecture's edge kernels then read ``1 0 -1``, and a 1/3 reads ``0.333``. ``short``
    also drops the zero before the point (``.33``, ``-.05``) for the tiny cells of large kernels.
    """
    v = float(value)
    if v == 0:
        return "0"  # also turns -0.0 into 0
    if v.is_integer() and abs(v) < 1e6:
        return str(int(v))
    if abs(v) >= 1000 or abs(v) < 10.0 ** -decimals / 2:
        text = f"{v:.{max(decimals - 1, 1)}g}"  # too small for the decimals: one digit or two
    else:
        text = f"{v:.{decimals}f}".rstrip("0").rstrip(".")
    if short and "e" not in text:
        text = text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
    return text


def precise_weight(value: float) -> str:
    """The text a cell shows while it is being edited: enough digits to keep the value."""
    return f"{float(value):.6g}"


@dataclass(frozen=True)
class CellMetrics:
    """Cell size and type size for a kernel: large kernels get small cells to stay on screen."""

    width: int
    height: int
    point_size: float
    decimals: int
    short: bool = False  # drop the zero before the point


def cell_metrics(kernel_h: int, kernel_w: int) -> CellMetrics:
    """Cells that keep a kernel up to 15 wide within a ~340 px dock (≤ 300 px of grid)."""
    side = max(kernel_h, kernel_w)
    if side <= 5:
        return CellMetrics(46, 22, 9.0, 3)
    if side <= 9:
        return CellMetrics(31, 19, 7.5, 2)
    return CellMetrics(19, 17, 6.0, 2, short=True)


class WeightCell(QLineEdit):
    """One weight. Emits ``committed(value)`` for a typed or wheeled value, ``rejected(text)``
    for text that is not a number (the cell then shows its old value again)."""

    committed = Signal(float)
    rejected = Signal(str)

    def __init__(self, metrics: CellMetrics, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 0.0
        self._wheel_rest = 0  # eighths of a degree not yet turned into a step (smooth wheels)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextMargins(0, 0, 0, 0)
        self.editingFinished.connect(self._on_editing_finished)
        self.apply_metrics(metrics)

    def apply_metrics(self, metrics: CellMetrics) -> None:
        """Resize the cell and its type (a kernel that grows past 5 or 9 gets smaller cells)."""
        self._decimals, self._short = metrics.decimals, metrics.short
        self.setFixedSize(QSize(metrics.width, metrics.height))
        font = self.font()
        font.setPointSizeF(metrics.point_size)
        self.setFont(font)
        self.setFrame(metrics.width > 40)  # small cells need every pixel for the digits
        self._show()

    def value(self) -> float:
        return self._value

    def set_value(self, value: float) -> None:
        """Show the document's value, unless the student is halfway through typing here."""
        value = float(value)
        if self.hasFocus() and self.isModified():
            self._value = value
            return
        if value != self._value or not self.text():
            self._value = value
            self._show()

    def _show(self) -> None:
        text = precise_weight(self._value) if self.hasFocus() else format_weight(
            self._value, self._decimals, self._short)
        if text != self.text():
            self.setText(text)  # also clears isModified()
        self.setToolTip(f"{precise_weight(self._value)}\n\n{WHEEL_HELP}")

    def revert(self) -> None:
        """Forget the typed text and show the stored value again."""
        self.setModified(False)
        self._show()

    def _on_editing_finished(self) -> None:
        if not self.isModified():
            return  # Enter on an untouched cell, or focus left without an edit
        self.setModified(False)
        try:
            value = parse_weight(self.text())
        except ValueError as err:
            self.revert()
            self.rejected.emit(str(err))
            return
        self.committed.emit(value)
        # The document has answered by now (set_value); show what it kept, e.g. "1" for "1.0".
        self._show()

    # --- Qt events -----------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        # Some platforms turn Shift+wheel into a horizontal wheel: take whichever axis moved.
        turn = delta.y() if delta.y() else delta.x()
        self._wheel_rest += turn
        notches = int(self._wheel_rest / 120)
        self._wheel_rest -= notches * 120
        event.accept()  # the wheel edits the weight; it must not also scroll the grid
        if not notches:
            return
        step = WHEEL_STEP
        mods = event.modifiers()
        if mods & Qt.KeyboardModifier.ShiftModifier:
            step *= 10
        if mods & Qt.KeyboardModifier.ControlModifier:
            step /= 10
        # round away the binary noise of repeated 0.1 steps (0.30000000000000004)
        self.committed.emit(round(self._value + notches * step, 6))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.isModified():
            self.revert()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if not self.isModified():
            self._show()  # all the digits while editing
            # after the mouse press that gave the focus has placed the cursor
            QTimer.singleShot(0, self.selectAll)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)  # emits editingFinished for a modified cell
        if not self.isModified():
            self._show()  # back to the short form


class KernelGrid(QWidget):
    """The (kh, kw) weights of one channel slice as a grid of :class:`WeightCell`."""

    edited = Signal(int, int, float)  # row, col, new value
    rejected = Signal(str)  # a sentence saying why the typed text was not used

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(1)
        self._cells: list[list[WeightCell]] = []
        self._metrics: CellMetrics | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self._cells), len(self._cells[0]) if self._cells else 0)

    def cell(self, row: int, col: int) -> WeightCell:
        return self._cells[row][col]

    def set_shape(self, kernel_h: int, kernel_w: int) -> None:
        """Make a kh × kw grid, keeping the cells that stay (a 15×15 grid has 225)."""
        metrics = cell_metrics(kernel_h, kernel_w)
        if metrics != self._metrics:
            self._metrics = metrics
            for row in self._cells:
                for cell in row:
                    cell.apply_metrics(metrics)
        if (kernel_h, kernel_w) == self.shape:
            return
        for r, row in enumerate(self._cells):
            for c, cell in enumerate(row):
                if r >= kernel_h or c >= kernel_w:
                    # out of the layout at once, so the grid's size hint is right immediately
                    cell.hide()
                    cell.setParent(None)  # also takes it out of the layout
                    cell.deleteLater()
        kept = [row[:kernel_w] for row in self._cells[:kernel_h]]
        self._cells = [
            [kept[r][c] if r < len(kept) and c < len(kept[r]) else self._make_cell(r, c, metrics)
             for c in range(kernel_w)]
            for r in range(kernel_h)
        ]
        # Tab walks the kernel row by row, as it is read
        flat = [cell for row in self._cells for cell in row]
        for first, second in itertools.pairwise(flat):
            QWidget.setTabOrder(first, second)

    def _make_cell(self, row: int, col: int, metrics: CellMetrics) -> WeightCell:
        cell = WeightCell(metrics, self)
        cell.committed.connect(lambda value, r=row, c=col: self.edited.emit(r, c, value))
        cell.rejected.connect(self.rejected)
        self._layout.addWidget(cell, row, col)
        cell.show()  # now, not by the layout's posted event: size hints must count it at once
        return cell

    def set_values(self, plane: np.ndarray) -> None:
        """Show a (kh, kw) slice; the grid must already have that shape."""
        if plane.shape != self.shape:
            raise ValueError(f"a {plane.shape} slice does not fit a {self.shape} grid")
        for r, row in enumerate(self._cells):
            for c, cell in enumerate(row):
                cell.set_value(float(plane[r, c]))
