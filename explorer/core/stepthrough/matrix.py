"""A matrix typed or pasted into a step-through grid, and a grid copied out as text.

:func:`parse_matrix` reads what a lecturer types or copies: ``1 0 -1; 1 1 -1; 1 0 1``, rows
on lines, tab-separated cells from a spreadsheet, or NumPy's and Python's
``[[1, 0, -1], [1, 1, -1]]``. :func:`matrix_text` writes a grid back as tab-separated rows, so
a copied grid pastes into a spreadsheet and back.
"""

from __future__ import annotations

import re

import numpy as np

from explorer.core.stepthrough.quiz import cell_text, parse_number

MAX_CELLS = 4096  # more numbers than any grid of the step-through holds


def _cells(row: str) -> list[str]:
    if "\t" in row:  # spreadsheet cells: a cell may hold a decimal comma
        return [c for c in (c.strip() for c in row.split("\t")) if c]
    words = [w.strip(",") for w in row.split()]
    if len(words) == 1 and "," in words[0]:  # 1,0,-1
        return [w for w in words[0].split(",") if w]
    return [w for w in words if w]


def parse_matrix(text: str) -> np.ndarray:
    """The numbers in ``text`` as a (rows, columns) float array. Raises ValueError saying
    what is wrong: no numbers, a word that is no number, rows of different lengths."""
    t = text.replace("\u00a0", " ")  # a minus sign or a dash is parse_number's to read
    if "[" in t:  # [[1, 0, -1], [1, 1, -1]]: the innermost brackets are the rows
        rows = re.findall(r"\[([^\[\]]*)\]", t)
        if re.sub(r"\[[^\[\]]*\]|[\s,\[\]]", "", t):
            raise ValueError("a matrix in brackets holds only numbers: [[1, 0, -1], "
                             "[1, 1, -1]]")
    else:
        rows = re.split(r"[;\n\r]", t)
    table = [_cells(r) for r in rows]
    table = [r for r in table if r]
    if not table:
        raise ValueError("there are no numbers to put in: type them as 1 0 -1; 1 1 -1, or "
                         "one row a line")
    width = len(table[0])
    for i, row in enumerate(table[1:], start=2):
        if len(row) != width:
            raise ValueError(f"row {i} has {len(row)} number{'s' if len(row) != 1 else ''} "
                             f"and row 1 has {width}: every row of a matrix has as many")
    if len(table) * width > MAX_CELLS:
        raise ValueError(f"{len(table)}×{width} numbers are more than any grid here holds")
    values = np.empty((len(table), width), np.float64)
    for i, row in enumerate(table):
        for j, cell in enumerate(row):
            try:
                values[i, j] = parse_number(cell)
            except ValueError:
                raise ValueError(f"{cell!r} in row {i + 1} is no number") from None
    return values


def matrix_text(values: np.ndarray) -> str:
    """A grid as tab-separated rows, one a line, written as its cells show the numbers."""
    return "\n".join("\t".join(cell_text(v).replace("−", "-") for v in row)
                     for row in np.atleast_2d(values))

