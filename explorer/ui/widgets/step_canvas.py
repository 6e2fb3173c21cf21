"""The step-through's slide on screen: painted by the renderer that paints exported frames.

One widget: a :class:`~explorer.ui.widgets.step_slide.SlidePainter` lays the slide out in
the widget and paints it, so the screen, presentation mode and every exported frame show the
same thing. The widget adds what only a screen has: every number one hover away, and input,
kernel and bias cells that can be typed into (double-click, type, Enter; Esc cancels),
reported as ``cell_edited``. A matrix goes in whole (``matrix_entered``): typed into a cell
(``1 0 -1; 1 1 -1; 1 0 1``), pasted with Ctrl+V at the cell last clicked, or typed in the
box the right-click menu opens; Ctrl+C copies the clicked grid as tab-separated rows. It
keeps the keyboard focus while the step-through is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
)
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QSizePolicy, QToolTip, QWidget

from explorer.core.stepthrough import (
    INPUT,
    PADDING,
    Walkthrough,
    cell_text,
    matrix_text,
    parse_matrix,
)
from explorer.core.stepthrough.quiz import parse_number
from explorer.ui.widgets.step_slide import SlidePainter, StepSlide


class StepCanvas(QWidget):
    """Title, caption, grids and arithmetic of one step, painted; cells can be typed into."""

    cell_edited = Signal(str, int, int, int, float)  # block, slice, row, col, value
    matrix_entered = Signal(str, int, int, int, object)  # block, slice, row, col, 2-D array
    edit_refused = Signal(str)  # why a cell cannot be typed into
    message = Signal(str)  # what a copy did

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
    def show_step(self, walkthrough: Walkthrough, index: int, hide_value: bool = False,
                  channel: int | None = None) -> None:
        """Step ``index``; ``channel``: a volume one channel at a time (see ``StepSlide``)."""
        self._cancel_edit()
        self.renderer.set_slide(StepSlide(walkthrough, index, hide_value, channel))
        board = self.renderer.board
        chosen = board.chosen
        if chosen is not None:  # the grid may be gone or smaller (another example, a map)
            s = board.slice(*chosen[:2])
            if s is None or chosen[2] >= s.values.shape[0] or chosen[3] >= s.values.shape[1]:
                board.chosen = None
        self.update()

    def clear(self) -> None:
        self._cancel_edit()
        self.renderer.set_slide(None)
        self.renderer.board.chosen = None
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

    # --- choosing a cell, pasting and copying a matrix -------------------------------------
    @property
    def chosen(self) -> tuple[str, int, int, int] | None:
        """The grid cell last clicked: (block, slice, row, column), where a paste goes."""
        return self.renderer.board.chosen

    def choose(self, block: str, index: int, row: int, col: int) -> None:
        self.renderer.board.chosen = (block, index, row, col)
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()
        hit = self.renderer.board.cell_at(event.position())
        if hit is not None:
            s, r, c = hit
            self.choose(s.block, s.index, r, c)
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        # Ctrl+V and Ctrl+C on the grids are theirs, not the window's Paste image / Copy
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and (event.matches(QKeySequence.StandardKey.Paste)
                     or event.matches(QKeySequence.StandardKey.Copy)) \
                and self.slide is not None and not self.editing:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_matrix()
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.copy_grid()
        else:
            super().keyPressEvent(event)

    def paste_matrix(self, text: str | None = None) -> None:
        """Put the clipboard's matrix (or ``text``) into the grid at the chosen cell."""
        chosen = self.chosen
        if chosen is None or not self._editable(*chosen[:2]):
            self.edit_refused.emit("Click a cell of the input, a kernel slice or the bias "
                                   "first, then paste a matrix there (Ctrl+V)")
            return
        if text is None:
            text = QGuiApplication.clipboard().text()
        self._enter(chosen, text)

    def copy_grid(self) -> None:
        """Put the chosen grid's numbers on the clipboard as tab-separated rows."""
        chosen = self.chosen
        s = None if chosen is None else self.renderer.board.slice(*chosen[:2])
        if s is None:
            self.edit_refused.emit("Click a grid first, then copy it (Ctrl+C)")
            return
        board = self.renderer.board
        QGuiApplication.clipboard().setText(matrix_text(board.own_values(s)))
        self.message.emit(f"Copied {board.slice_name(s, self._filter())} as a matrix")

    def type_matrix(self, block: str, index: int, row: int, col: int) -> None:
        """Ask for a grid's numbers in a box (prefilled with them) and put them in."""
        board = self.renderer.board
        s = board.slice(block, index)
        if s is None or not s.editable:
            return
        name = board.slice_name(s, self._filter())
        values = board.own_values(s)
        text, ok = QInputDialog.getMultiLineText(
            self, f"Type {name}",
            f"The numbers of {name} ({values.shape[0]}×{values.shape[1]}): one row a line, "
            "or rows separated by ;", matrix_text(values).replace("\t", " "))
        if ok:
            self._enter((block, index, row, col), text)

    def _filter(self) -> int:
        slide = self.slide
        return 0 if slide is None else slide.walkthrough.steps[slide.index].map

    def _editable(self, block: str, index: int) -> bool:
        s = self.renderer.board.slice(block, index)
        return s is not None and s.editable

    def _enter(self, cell: tuple[str, int, int, int], text: str) -> None:
        try:
            matrix = parse_matrix(text)
        except ValueError as exc:
            self.edit_refused.emit(str(exc)[:1].upper() + str(exc)[1:])
            return
        self.matrix_entered.emit(*cell, matrix)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu(QPointF(event.pos()))
        if menu is not None:
            menu.exec(event.globalPos())
            menu.deleteLater()

    def context_menu(self, pos: QPointF) -> QMenu | None:
        """The right-click menu of the grid under ``pos`` (None off the grids)."""
        hit = self.renderer.board.cell_at(pos)
        if hit is None:
            return None
        s, r, c = hit
        self.choose(s.block, s.index, r, c)
        name = self.renderer.board.slice_name(s, self._filter())
        menu = QMenu(self)
        if s.editable:
            paste = menu.addAction(f"Paste a matrix into {name}")
            paste.setShortcut(QKeySequence(QKeySequence.StandardKey.Paste))
            paste.triggered.connect(lambda: self.paste_matrix())
            menu.addAction(f"Type the numbers of {name}…").triggered.connect(
                lambda: self.type_matrix(s.block, s.index, r, c))
        copy = menu.addAction(f"Copy {name}")
        copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        copy.triggered.connect(self.copy_grid)
        return menu

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
        cell = self._editing
        text = self.editor.text()
        try:
            value = parse_number(text)
        except ValueError as exc:
            try:  # several numbers: a matrix from this cell on
                matrix = parse_matrix(text)
            except ValueError:
                self.edit_refused.emit(str(exc))
                return
            self._cancel_edit()
            self.matrix_entered.emit(*cell, matrix)
            return
        self._cancel_edit()
        self.cell_edited.emit(*cell, value)

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
