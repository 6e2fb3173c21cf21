"""The kernel editor's Blur page, used as a student uses it: kind, size and σ, then Apply."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from explorer.state import Document
from explorer.ui.widgets.kernel_editor import KernelEditor

pg.setConfigOptions(imageAxisOrder="row-major")


@pytest.fixture
def editor(qtbot, tmp_path):
    e = KernelEditor(Document(), tmp_path / "kernels.json")
    qtbot.addWidget(e)
    e.resize(340, 800)
    e.show()
    qtbot.waitExposed(e)
    yield e
    e.cleanup()


def type_into(qtbot, spin, text: str) -> None:
    """Select the spin box's text and type a new value, then Enter (keyboard tracking off)."""
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def loop_gaussian(size, sigma):
    c = (size - 1) / 2
    w = [[math.exp(-((i - c) ** 2 + (j - c) ** 2) / (2 * sigma * sigma)) for j in range(size)]
         for i in range(size)]
    total = sum(map(sum, w))
    return np.array([[v / total for v in row] for row in w])


def test_a_typed_gaussian_grows_the_kernels_and_becomes_the_filter(editor, qtbot):
    doc = editor._document
    page = editor.blur
    editor._tabs.setCurrentWidget(page)
    page.kind.setCurrentIndex(page.kind.findText("Gaussian"))
    type_into(qtbot, page.size, "15")
    type_into(qtbot, page.sigma, "3")
    assert "15×15, σ 3" in page.text.text() and "2.3σ" in page.text.text()
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    bank = doc.filters
    assert bank.kernel_shape == (15, 15)
    chosen = bank[doc.selected_filter()]
    assert chosen.name == "Gaussian 15×15, σ 3"
    # spread over R, G and B: the blur of the channels' mean
    np.testing.assert_allclose(chosen.weights.sum(axis=2), loop_gaussian(15, 3.0),
                               rtol=1e-5, atol=1e-8)
    assert "grew from 3×3 to 15×15" in editor.status_text()
    other = bank[(doc.selected_filter() + 1) % len(bank)]
    assert other.name != chosen.name  # only the selected filter changed


def test_a_box_applied_to_all_filters_has_no_sigma(editor, qtbot):
    doc = editor._document
    page = editor.blur
    editor._tabs.setCurrentWidget(page)
    page.kind.setCurrentIndex(page.kind.findText("Box"))
    assert not page.sigma.isEnabled()
    type_into(qtbot, page.size, "5")
    qtbot.mouseClick(page.apply_all_button, Qt.MouseButton.LeftButton)
    bank = doc.filters
    assert bank.kernel_shape == (5, 5)
    for i in range(len(bank)):
        assert bank[i].name == "Box 5×5"
        np.testing.assert_allclose(bank[i].weights.sum(axis=2), np.full((5, 5), 1 / 25),
                                   rtol=1e-5)


def test_sigma_changes_the_description_as_it_is_typed(editor, qtbot):
    page = editor.blur
    editor._tabs.setCurrentWidget(page)
    type_into(qtbot, page.size, "13")
    type_into(qtbot, page.sigma, "1.5")
    wide = page.text.text()
    assert "whole bell" in wide and "σ 1.5" in wide
    type_into(qtbot, page.sigma, "4")
    assert "cut short" in page.text.text()
