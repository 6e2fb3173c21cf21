"""User text (file, filter and kernel names, messages quoting them) shown as the text it is.

Qt guesses whether a label or tool tip is rich text, and pyqtgraph labels are HTML: a file
named ``<h1 style='font-size:60px'>x</h1>.png`` would otherwise become a huge heading, and
``<img src='…'>`` would load a local picture. Labels take ``Qt.TextFormat.PlainText``; tool
tips and pyqtgraph labels take the escaped text from here.
"""

from __future__ import annotations

import html

from PySide6.QtGui import Qt


def as_html(text: str) -> str:
    """``text`` escaped for a place that always reads HTML (pyqtgraph labels and titles)."""
    return html.escape(text, quote=False)


def plain_tooltip(text: str) -> str:
    """A tool tip that shows ``text`` literally: text Qt would take for markup is escaped."""
    if not text or not Qt.mightBeRichText(text):
        return text
    return "<qt>" + html.escape(text, quote=False).replace("\n", "<br>") + "</qt>"
