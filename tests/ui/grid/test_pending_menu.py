"""A pending tile's menu offers what Space and H would do: the pending mark counts as done."""

from __future__ import annotations

from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from moderator.domain.actions import ActionKind
from moderator.domain.roster import Roster
from moderator.ui.bridge import RosterBridge
from moderator.ui.shell.main_window import MainWindow
from tests.forms import CONFERENCE_SID, START, call_sid, team_meeting
from tests.helpers.fake_moderator import FakeModerator

from ..conftest import Feed


@pytest.fixture
def window(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge, feed: Feed
) -> MainWindow:
    feed(*team_meeting())  # Mary, Alice (muted), Charles present
    made = MainWindow(bridge, FakeModerator())
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    return made


def texts(window: MainWindow, sid: str) -> list[str]:
    return [a.text() for a in window.build_menu(sid).actions()]


def test_pending_mute_offers_unmute_like_space(
    qtbot: Any, window: MainWindow, roster: Roster
) -> None:
    charles = call_sid("Charles")
    assert "Mute" in texts(window, charles)
    roster.mark_pending(CONFERENCE_SID, charles, ActionKind.MUTE, START)
    assert "Unmute" in texts(window, charles) and "Mute" not in texts(window, charles)
    # Space on the same tile toggles to unmute: the menu and the key agree.
    window.grid.setCurrentIndex(window.participants.index(window.participants.row_of(charles)))
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    fake = window.moderator
    assert isinstance(fake, FakeModerator)
    qtbot.waitUntil(lambda: len(fake.calls) == 1, timeout=2000)
    assert fake.calls == [("toggle_mute", CONFERENCE_SID, charles)]


def test_pending_unmute_and_hold(window: MainWindow, roster: Roster) -> None:
    alice = call_sid("Alice")  # muted
    roster.mark_pending(CONFERENCE_SID, alice, ActionKind.UNMUTE, START)
    assert "Mute" in texts(window, alice) and "Unmute" not in texts(window, alice)
    roster.mark_pending(CONFERENCE_SID, alice, ActionKind.HOLD, START)
    assert "Take off hold" in texts(window, alice)


def test_grid_pending_rows_are_the_rosters(window: MainWindow, roster: Roster) -> None:
    charles = call_sid("Charles")
    assert window.grid.pending_rows() == []
    roster.mark_pending(CONFERENCE_SID, charles, ActionKind.MUTE, START)
    assert window.grid.pending_rows() == [window.participants.row_of(charles)]
    roster.clear_pending(CONFERENCE_SID, charles)
    assert window.grid.pending_rows() == []
