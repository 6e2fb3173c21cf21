"""The step-through's slide on screen: painted by the renderer that paints exported frames.

One widget: a :class:`~explorer.ui.widgets.step_slide.SlidePainter` lays the slide out in
the widget and paints it, so the screen, presentation mode and every exported frame show the
same thing. The widget adds what only a screen has: every number one hover away, and input
and kernel cells that can be typed into (double-click, type, Enter; Esc cancels), reported as
``cell_edited``. It keeps the keyboard focus while the step-through is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter
from PySide6.QtWidgets import QLineEdit, QSizePolicy, QToolTip, QWidget

from explorer.core.stepthrough import INPUT, PADDING, Walkthrough, cell_text
from explorer.core.stepthrough.quiz import parse_number
from explorer.ui.widgets.step_slide import SlidePainter, StepSlide


class StepCanvas(QWidget):
    """Title, caption, grids and arithmetic of one step, painted; cells can be typed into."""

    cell_edited = Signal(str, int, int, int, float)  # block, slice, row, col, value
    edit_refused = Signal(str)  # why a cell cannot be typed into

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.renderer = SlidePainter()  # the type of exported frames, too
        self._editing: tuple[str, int, int, int] | None = None
        self.editor = QLineEdit(self)
        self.editor.hide()
        self.editor.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.editor.returnPressed.connect(self._commit_edit)
        self.editor.installEventFilter(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)  # every number is one hover away, even in tiny cells

    # --- what is shown ---------------------------------------------------------------------
    def show_step(self, walkthrough: Walkthrough, index: int, hide_value: bool = False) -> None:
        self._cancel_edit()
        self.renderer.set_slide(StepSlide(walkthrough, index, hide_value))
        self.update()

    def clear(self) -> None:
        self._cancel_edit()
        self.renderer.set_slide(None)
        self.update()

    def set_presentation(self, on: bool) -> None:
        """High contrast and large type for a projector, or the app's own look."""
        self.renderer.set_presentation(on)
        self.update()

    @property
    def presenting(self) -> bool:
        return self.renderer.presentation

    @property
    def slide(self) -> StepSlide | None:
        return self.renderer.slide

    def lines(self) -> list[str]:
        """The arithmetic as plain text lines (what is painted under the grids)."""
        return [] if self.slide is None else list(self.slide.lines)

    @property
    def caption(self) -> str:
        return "" if self.slide is None else self.slide.caption

    @property
    def cell_size(self) -> float:
        return self.renderer.board.cell_size

    def cell_rect(self, block: str, index: int, row: int, col: int) -> QRectF:
        """Where a cell is painted (widget coordinates)."""
        return self.renderer.board.cell_rect(block, index, row, col)

    def sizeHint(self) -> QSize:
        return QSize(900, 560)

    def minimumSizeHint(self) -> QSize:
        return QSize(300, 200)

    # --- painting --------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        self._cancel_edit()
        self.renderer.layout(QRectF(self.rect()))
        super().resizeEvent(event)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        try:
            self.renderer.paint(p)
        finally:
            p.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self.renderer.board.cell_at(event.position())
        if hit is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.globalPosition().toPoint(),
                          self.renderer.board.describe_cell(*hit), self)

    # --- typing into a cell ----------------------------------------------------------------
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        hit = self.renderer.board.cell_at(event.position())
        if hit is None:
            return
        s, r, c = hit
        if not s.editable:
            return
        if s.kinds is not None and s.kinds[r, c] != INPUT:
            what = "padding" if s.kinds[r, c] == PADDING else "an inserted zero"
            self.edit_refused.emit(f"That cell is {what}: it follows from the input, so "
                                   "change the input's own pixels.")
            return
        self.start_edit(s.block, s.index, r, c)

    def start_edit(self, block: str, index: int, row: int, col: int) -> None:
        """Open the inline editor on a cell (what a double-click does)."""
        board = self.renderer.board
        s = board.slice(block, index)
        if s is None or not s.editable:
            return
        self._editing = (block, index, row, col)
        rect = board.cell_rect(block, index, row, col).adjusted(-8, 0, 8, 0).toRect()
        self.editor.setGeometry(rect)
        self.editor.setFont(board.font(max(12.0, board.cell_size * 0.4)))
        self.editor.setText(cell_text(float(s.values[row, col])).replace("−", "-"))
        self.editor.selectAll()
        self.editor.show()
        self.editor.setFocus()

    @property
    def editing(self) -> bool:
        return self._editing is not None

    def _commit_edit(self) -> None:
        if self._editing is None:
            return
        block, index, r, c = self._editing
        try:
            value = parse_number(self.editor.text())
        except ValueError as exc:
            self.edit_refused.emit(str(exc))
            return
        self._cancel_edit()
        self.cell_edited.emit(block, index, r, c, value)

    def _cancel_edit(self) -> None:
        self._editing = None
        if self.editor.isVisible():
            self.editor.hide()
            self.setFocus()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.editor:
            if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                    and event.key() == Qt.Key.Key_Escape:
                self._cancel_edit()
                return True
            if event.type() == QEvent.Type.FocusOut:
                self._cancel_edit()
        return super().eventFilter(obj, event)
