"""What a screen reader gets, through Qt's accessibility interface; and keyboard reach."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible

from moderator.domain.actions import ActionKind
from moderator.domain.roster import Roster
from moderator.ui.shell.main_window import MainWindow
from tests.forms import CONFERENCE_SID, START, call_sid, form

from ..conftest import Feed


def tile_names(window: MainWindow) -> list[str]:
    grid = QAccessible.queryAccessibleInterface(window.grid)
    assert grid is not None
    assert grid.role() == QAccessible.Role.List
    assert grid.text(QAccessible.Text.Name) == "Participants"
    return [grid.child(i).text(QAccessible.Text.Name) for i in range(grid.childCount())]


def test_every_tile_announces_its_state(window: MainWindow, roster: Roster, feed: Feed) -> None:
    assert tile_names(window) == ["Mary, presenter", "Alice, muted", "Charles"]
    feed(
        form("participant-hold", 8, who="Alice", muted=True, hold=True),
        form("participant-speech-start", 9, who="Charles"),
    )
    roster.mark_pending(CONFERENCE_SID, call_sid("Mary"), ActionKind.MUTE, START)
    assert tile_names(window) == [
        "Mary, presenter, mute sent, waiting for Twilio",
        "Alice, muted, on hold",
        "Charles, speaking",
    ]
    grid = QAccessible.queryAccessibleInterface(window.grid)
    assert grid is not None
    assert call_sid("Alice") in grid.child(1).text(QAccessible.Text.Description)


def test_the_menu_key_opens_the_tile_menu(qtbot: Any, window: MainWindow) -> None:
    seen: list[tuple[str, QPoint]] = []
    window.grid.menu_requested.connect(lambda sid, pos: seen.append((sid, pos)))
    window.grid.setCurrentIndex(window.participants.index(1))
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Menu)
    qtbot.keyClick(window.grid, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert [sid for sid, _ in seen] == [call_sid("Alice")] * 2
    tile = window.grid.visualRect(window.participants.index(1))
    assert tile.contains(window.grid.viewport().mapFromGlobal(seen[0][1]))


def test_panes_have_names(window: MainWindow) -> None:
    for widget, name in (
        (window.picker, "Conferences"),
        (window.log_pane.table, "Event log"),
    ):
        iface = QAccessible.queryAccessibleInterface(widget)
        assert iface is not None and iface.text(QAccessible.Text.Name) == name


def test_every_menu_item_has_a_mnemonic(window: MainWindow) -> None:
    for top in window.menuBar().actions():
        assert "&" in top.text(), top.text()
        menu = top.menu()
        assert menu is not None
        for action in menu.actions():
            if not action.isSeparator():
                assert "&" in action.text(), action.text()
