"""Rows of controls that wrap onto a second line when the room is short.

A row of controls as wide as all of them together sets the window's minimum width: on a
1024-pixel screen, beside the docks, it would widen the window past the screen. Grouped
here, the groups wrap like words, and only the widest group sets the minimum.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget
from superqt import QFlowLayout

GROUP_SPACING = 12  # px between groups on a line


def side_by_side(*widgets: QWidget) -> QWidget:
    """Widgets that stay on one line together."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(4)
    for widget in widgets:
        row.addWidget(widget)
    return box


def flow_row(*groups: QWidget) -> QFlowLayout:
    """A layout that puts ``groups`` side by side, wrapping onto more lines when narrow."""
    layout = QFlowLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setHorizontalSpacing(GROUP_SPACING)
    layout.setVerticalSpacing(2)
    for group in groups:
        layout.addWidget(group)
    return layout
