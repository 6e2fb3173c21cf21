"""Presentation mode on every tab: F11 shows the tab's page full screen and Esc or F11 gives it
back in its place, with the same tab on show."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def press(qtbot, window, key) -> None:
    """A key as the user's keyboard sends it: to the widget with the focus."""
    qtbot.keyClick(QApplication.focusWidget() or QApplication.activeWindow() or window, key)


def pages(window):
    return {"explorer": window.maps_panel, "parameters": window.params_panel,
            "text": window.text_tab.view}


@pytest.mark.parametrize(("key", "leave"), [("explorer", Qt.Key.Key_Escape),
                                            ("parameters", Qt.Key.Key_F11),
                                            ("text", Qt.Key.Key_Escape)])
def test_f11_on_any_tab_shows_its_page_full_screen_and_gives_it_back(qtbot, window, key, leave):
    page = pages(window)[key]
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.mouseClick(window.tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=window.tabs.tabBar().tabRect(window.tabs.indexOf(page)).center())
    assert window.current_tab == key
    index = window.tabs.currentIndex()

    press(qtbot, window, Qt.Key.Key_F11)
    shown = window.presentation
    assert shown.isVisible() and shown.isFullScreen()
    assert page.window() is shown and page.isVisible()
    assert window.presentation_action.isChecked()
    assert window.current_tab == key and window.tabs.currentIndex() == index
    assert shown.width() >= page.width() > 0.9 * shown.width()  # the page fills the screen

    qtbot.waitUntil(lambda: QApplication.activeWindow() is shown)  # the keys go there
    press(qtbot, window, leave)
    assert not shown.isVisible() and not window.presentation_action.isChecked()
    assert page.window() is window and window.tabs.currentWidget() is page
    assert window.tabs.indexOf(page) == index and window.current_tab == key
    assert page.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)  # and come back


def test_presentation_leaves_the_tabs_as_they_were_for_a_tab_switch(qtbot, window):
    """A page given back answers its tab again: switching away and back shows it."""
    page = window.params_panel
    window.tabs.setCurrentWidget(page)
    window.set_presentation(True)
    window.set_presentation(False)
    window.tabs.setCurrentWidget(window.maps_panel)
    assert window.current_tab == "explorer" and not page.isVisible()
    window.tabs.setCurrentWidget(page)
    assert window.current_tab == "parameters" and page.isVisible()
