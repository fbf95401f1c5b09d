"""The search box over the tiles: Ctrl+F, name or number, Esc clears; a query is only text."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import SIGNAL, Qt

from moderator.domain.names import matches
from moderator.domain.roster import Roster
from moderator.ui.bridge import RosterBridge
from moderator.ui.shell.main_window import MainWindow
from tests.forms import CONFERENCE_SID, call_sid

from ..conftest import Feed


@pytest.fixture
def numbered(window: MainWindow, roster: Roster, bridge: RosterBridge) -> MainWindow:
    """The window, Charles's number looked up (as the Calls lookup would)."""
    roster.set_number(CONFERENCE_SID, call_sid("Charles"), "+13125550101")  # reaches the bridge
    bridge.flush()
    return window


def shown(window: MainWindow) -> list[str]:
    model = window.participants
    return [
        model.index(row).data()
        for row in range(model.rowCount())
        if not window.grid.isRowHidden(row)
    ]


def test_matches_names_by_words_and_numbers_by_digits() -> None:
    assert matches("ali", "Alice Smith")
    assert matches("SMITH al", "Alice Smith")
    assert not matches("bob", "Alice Smith", "+13125550101")
    assert matches("555 0101", "Alice Smith", "+1 (312) 555-0101")
    assert matches("+1312", "Caller 3", "+13125550101")
    assert not matches("0101x", "Caller 3", "+13125550101")  # letters: a name, not a number
    assert matches("   ", "Anyone")


def test_ctrl_f_filters_by_name_and_esc_clears(qtbot: Any, window: MainWindow) -> None:
    assert shown(window) == ["Mary", "Alice", "Charles"]
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    qtbot.keyClicks(window.search, "ali")
    assert shown(window) == ["Alice"]
    assert window.search.found.text() == "1 of 3"
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == ""
    assert shown(window) == ["Mary", "Alice", "Charles"]
    assert window.grid.hasFocus()


def test_a_number_finds_the_caller_and_enter_chooses_them(qtbot: Any, numbered: MainWindow) -> None:
    window = numbered
    window.search.focus()
    qtbot.keyClicks(window.search, "555 0101")
    assert shown(window) == ["Charles"]
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.grid.current_call_sid() == call_sid("Charles")
    assert window.grid.hasFocus()  # Space, H, Delete now act on the one found
    qtbot.keyClick(window.grid, Qt.Key.Key_Escape)  # Esc on the tiles clears too
    assert shown(window) == ["Mary", "Alice", "Charles"]


def test_a_hidden_tile_is_never_the_chosen_one(qtbot: Any, window: MainWindow) -> None:
    window.grid.setCurrentIndex(window.participants.index(0))  # Mary
    window.search.setText("charles")
    assert window.grid.current_call_sid() is None  # Space now mutes nobody


@pytest.mark.parametrize(
    "query",
    ["<b>Alice</b>", '=HYPERLINK("x")', "(.*", "\\", "%s%n", "\x00", "ä" * 5000, "'; DROP"],
)
def test_any_search_string_is_harmless(qtbot: Any, window: MainWindow, query: str) -> None:
    window.search.setText(query)
    assert len(window.search.text()) <= 100
    assert shown(window) == []  # nobody matches, and nothing broke
    assert window.grid.filter_text is not None
    window.grid.grab()  # paints the "No one here matches" text
    window.search.clear()
    assert shown(window) == ["Mary", "Alice", "Charles"]
    assert window.grid.filter_text is None


def test_a_tile_that_joins_while_searching_is_filtered_too(
    qtbot: Any, window: MainWindow, feed: Feed
) -> None:
    from tests.forms import form

    window.search.setText("dora")
    assert shown(window) == []
    feed(form("participant-join", 8, who="Dora"), form("participant-join", 9, who="Ed"))
    assert shown(window) == ["Dora"]


def test_a_tile_whose_number_is_found_while_searching_is_matched_again(
    qtbot: Any, window: MainWindow, roster: Roster, bridge: RosterBridge
) -> None:
    window.search.setText("3125550101")
    assert shown(window) == []
    roster.set_number(CONFERENCE_SID, call_sid("Charles"), "+13125550101")  # a row changes
    bridge.flush()
    assert shown(window) == ["Charles"]


def test_the_search_listens_to_changed_tiles_only_while_it_searches(
    qtbot: Any, window: MainWindow
) -> None:
    """Every tile a batch of callbacks changes called the search back, to find nothing is
    searched: it follows the rows only while a query hides tiles."""
    model = window.participants
    changed = SIGNAL("dataChanged(QModelIndex,QModelIndex,QList<int>)")
    idle = model.receivers(changed)
    window.search.setText("mary")
    assert model.receivers(changed) == idle + 1
    window.search.clear()
    assert model.receivers(changed) == idle
    assert len(shown(window)) == model.rowCount()
