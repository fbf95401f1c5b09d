"""A host with only a keyboard: Tab gets in and out of every pane, the ended bar's buttons are
reachable, the timeline closes with Esc, and Help lists every key."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from moderator.ui.dialogs import DetailsDialog
from moderator.ui.shell.main_window import MainWindow
from tests.forms import form

from ..conftest import Feed


def focus_chain(window: MainWindow, steps: int = 40) -> list[Any]:
    """The widgets Tab visits, in order, starting on the grid."""
    window.grid.setFocus()
    visited = []
    for _ in range(steps):
        window.focusNextChild()
        QApplication.processEvents()
        visited.append(QApplication.focusWidget())
    return visited


def test_tab_goes_into_the_event_log_and_out_again(qtbot: Any, window: MainWindow) -> None:
    table = window.log_pane.table
    assert not table.tabKeyNavigation()
    window.activateWindow()
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert not table.hasFocus()  # Tab left the log
    chain = focus_chain(window)
    assert table in chain and window.grid in chain


def test_the_ended_bars_buttons_take_focus_and_the_summary_is_in_the_menu(
    qtbot: Any, window: MainWindow, feed: Feed
) -> None:
    feed(form("conference-end", 8, ReasonConferenceEnded="last-participant-left"))
    banner = window.insights.banner
    qtbot.waitUntil(banner.isVisible)
    assert "with 4 participants" in banner.text.text()  # people: Bob's call counted once
    for button in (banner.summary_button, banner.close_button):
        assert button.focusPolicy() != Qt.FocusPolicy.NoFocus
    assert banner.summary_button in focus_chain(window)
    window.insights.summary_action.trigger()
    assert ("summary", window.conference_sid) in window.insights.windows


def test_the_timeline_window_closes_with_escape(qtbot: Any, window: MainWindow) -> None:
    timeline = window.insights.open_timeline(window.conference_sid or "")
    qtbot.waitExposed(timeline)
    timeline.activateWindow()
    qtbot.waitUntil(timeline.isActiveWindow)
    qtbot.keyClick(timeline, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not timeline.isVisible())


def test_help_lists_the_keyboard_shortcuts(qtbot: Any, window: MainWindow) -> None:
    window.window_actions.shortcuts.trigger()
    dialogs = [w for w in window.findChildren(DetailsDialog) if w.isVisible()]
    assert dialogs
    text = dialogs[-1].text.toPlainText()
    for words in ("Space — Mute or unmute", "H — Hold", "F5 — Refresh", "Ctrl+M — Mute all"):
        assert words in text
    assert "Ctrl+T — Timeline" in text
    dialogs[-1].close()
    assert isinstance(dialogs[-1].buttons.buttons()[0], QPushButton)


def test_the_window_fits_a_1280x800_laptop_with_its_status_bar(
    qtbot: Any, window: MainWindow
) -> None:
    from PySide6.QtCore import QSize

    from moderator.ui.shell.main_window import FRAME_ALLOWANCE, PREFERRED_SIZE, fitting_size

    screen = window.screen()
    free = screen.availableGeometry().size()
    size = fitting_size(screen)
    assert size.width() <= max(640, free.width() - FRAME_ALLOWANCE.width())
    assert size.height() <= max(480, free.height() - FRAME_ALLOWANCE.height())
    assert size.width() <= PREFERRED_SIZE.width() and size.height() <= PREFERRED_SIZE.height()
    # a laptop's 1280x800 with a 32 px panel: the window, frame and all, fits
    laptop = QSize(1280, 800 - 32) - FRAME_ALLOWANCE
    hint = window.minimumSizeHint()
    assert hint.width() <= laptop.width() and hint.height() <= laptop.height()
    window.resize(laptop)
    qtbot.waitUntil(lambda: window.size() == laptop)
    status = window.statusBar()
    assert status.isVisible() and status.geometry().bottom() < window.height()


def test_the_summary_counts_a_rejoin_as_one_person_who_rejoined(
    qtbot: Any, window: MainWindow, feed: Feed
) -> None:
    rejoin = "CA" + "5" * 32  # Bob's second call: a new CallSid, the same person
    feed(
        form("participant-join", 8, who="Bob", CallSid=rejoin),
        form("conference-end", 9, ReasonConferenceEnded="last-participant-left"),
    )
    dialog = window.insights.open_summary(window.conference_sid or "")
    rows = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert sorted(rows) == ["Alice", "Bob (rejoined 1 time)", "Charles", "Mary"]
    assert "4 participants" in dialog.facts.text()
    assert "with 4 participants" in window.insights.banner.text.text()  # one count everywhere
    dialog.close()
