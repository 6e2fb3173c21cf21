"""Presentation mode on every tab: F11 shows the tab's page full screen and Esc or F11 gives it
back in its place, with the same tab on show; on a 1280×720 projector its headings and
captions read from the back of a room, and the window gets its own fonts back."""

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


# --- type that reads from the back of a room, and the fonts the window had after --------------
# on each tab, words of the headings and captions its presented page shows (as a student
# reads them): on a 1280×720 projector each is set in 28 pixels or more, and not cut
HEADINGS = {
    "explorer": ("feature maps", "Max pooling 2×2", "Hover readout", "Hover a feature map"),
    "parameters": ("The slides count", "fully connected", "locally connected",
                   "convolution"),
    "pooling": ("Layer 1, filter 1", "Rows "),
    "translation": ("Compared where",),
    "text": ("<b>Feature maps</b>", "<b>Max-over-time pooling</b>", "<b>Pooled vector</b>"),
    "network": ("feature maps of", "Top-5 guesses"),
    "training": ("Not trained yet.", "The input is a 28×28"),
}
# a tab's paragraph of explanation: the lecturer says it, and it leaves the pictures its room
EXPLANATIONS = {"pooling": "Pooling keeps one value", "translation": "Move the picture sideways",
                "text": "The same sliding window"}


def text_of(widget) -> str:
    from PySide6.QtWidgets import QGroupBox

    if isinstance(widget, QGroupBox):
        return widget.title()
    text = getattr(widget, "text", None)
    return text() if callable(text) else ""


def shown_text_widgets(page):
    from PySide6.QtWidgets import QWidget

    return [w for w in (page, *page.findChildren(QWidget)) if w.isVisible() and text_of(w)]


def fonts_of(page) -> dict:
    """Every widget of the page: its font and whether it set one of its own."""
    from PySide6.QtWidgets import QWidget

    return {w: (w.font().toString(), w.testAttribute(Qt.WidgetAttribute.WA_SetFont))
            for w in (page, *page.findChildren(QWidget))}


def show(qtbot, window, key):
    """Click the tab ``key`` in the tab bar."""
    window.activateWindow()
    qtbot.waitActive(window)
    tab = window.tab_controllers.get(key)
    view = {"explorer": window.maps_panel, "parameters": window.params_panel}.get(key) \
        or tab.view
    bar = window.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(window.tabs.indexOf(view)).center())
    assert window.current_tab == key
    if tab is not None:  # what the tab works out is on show
        qtbot.waitUntil(tab.is_settled, timeout=30_000)
    qtbot.wait(100)


@pytest.mark.parametrize("key", list(HEADINGS))
def test_headings_read_from_the_back_of_a_room_and_the_fonts_come_back(qtbot,
                                                                        projector_window, key):
    from PySide6.QtGui import QFontInfo
    from PySide6.QtWidgets import QLabel

    window = projector_window
    show(qtbot, window, key)
    tab = window.tab_controllers.get(key)
    page = tab.presentation_view() if tab is not None else window.tabs.currentWidget()
    before = fonts_of(page)
    explanation = EXPLANATIONS.get(key)
    if explanation:
        assert any(explanation in text_of(w) for w in shown_text_widgets(page))

    press(qtbot, window, Qt.Key.Key_F11)
    assert page.window() is window.presentation
    assert window.presentation.size().toTuple() == (1280, 720)
    qtbot.wait(100)
    shown = shown_text_widgets(page)
    for start in HEADINGS[key]:
        found = [w for w in shown if start in text_of(w)]
        assert found, start
        for w in found:
            assert QFontInfo(w.font()).pixelSize() >= 28, (start, QFontInfo(w.font()).pixelSize())
            if isinstance(w, QLabel) and w.wordWrap():  # every line of it on the page
                assert w.heightForWidth(w.width()) <= w.height() + 1, start
            assert page.rect().contains(w.mapTo(page, w.rect().bottomRight()))
    if explanation:
        assert not any(explanation in text_of(w) for w in shown)
    min_size = page.minimumSizeHint()
    assert min_size.width() <= 1280 and min_size.height() <= 720  # nothing cut at the edges

    qtbot.waitUntil(lambda: QApplication.activeWindow() is window.presentation)
    press(qtbot, window, Qt.Key.Key_Escape)
    assert page.window() is window
    qtbot.wait(50)
    after = fonts_of(page)
    assert {w: after[w] for w in before if w in after} == before  # the exact fonts back
    if explanation:
        assert any(explanation in text_of(w) for w in shown_text_widgets(page))
