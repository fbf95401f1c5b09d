"""The conference picker: newest first, it shows the live call, and keeps the one the host chose."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from moderator.ui.bridge import RosterBridge
from moderator.ui.shell.main_window import MainWindow
from tests.forms import CONFERENCE_SID, form, team_meeting

from ..conftest import Feed

NEW = "CF" + "7" * 32
NEWER = "CF" + "8" * 32

Opener = Callable[[], MainWindow]


def start_in(conference_sid: str) -> list[dict[str, str]]:
    return [
        form("participant-join", 1, who="Mary", conference_sid=conference_sid, start_on_enter=True),
        form("conference-start", 2, conference_sid=conference_sid),
    ]


def opener(qtbot: Any, bridge: RosterBridge) -> Opener:
    def open_window() -> MainWindow:
        window = MainWindow(bridge, None)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return open_window


def click_conference(qtbot: Any, window: MainWindow, conference_sid: str) -> None:
    """The host clicks a conference in the picker."""
    rect = window.picker.visualRect(
        window.conferences.index(window.conferences.row_of(conference_sid))
    )
    qtbot.mouseClick(window.picker.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.conference_sid == conference_sid


def test_a_new_call_replaces_an_ended_one_shown_at_start(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge, feed: Feed
) -> None:
    feed(*team_meeting(), form("conference-end", 8))  # yesterday's demo, from the journal
    window = opener(qtbot, bridge)()
    assert window.conference_sid == CONFERENCE_SID
    feed(*start_in(NEW))
    assert window.conference_sid == NEW
    assert window.conferences.row_of(NEW) == 0  # newest first


def test_a_journal_call_closed_by_reconcile_gives_way_to_the_live_one(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge, feed: Feed
) -> None:
    """A second demo: the journal's call looks live at start, then a reconcile ends it."""
    feed(*team_meeting())  # the console quit mid-call
    window = opener(qtbot, bridge)()
    assert window.conference_sid == CONFERENCE_SID
    feed(*start_in(NEW))
    feed(form("conference-end", 8))  # what the reconcile finds: that call is over
    assert window.conference_sid == NEW
    assert "Live" in window.subtitle.text()


def test_the_host_keeps_a_live_conference_they_picked(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge, feed: Feed
) -> None:
    feed(*team_meeting())
    window = opener(qtbot, bridge)()
    feed(*start_in(NEW))
    click_conference(qtbot, window, CONFERENCE_SID)
    feed(*start_in(NEWER), form("participant-join", 3, who="Zed", conference_sid=NEW))
    assert window.conference_sid == CONFERENCE_SID


def test_an_ended_conference_the_host_reads_stays_until_a_new_call_appears(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge, feed: Feed
) -> None:
    feed(*team_meeting(), form("conference-end", 8), *start_in(NEW))
    window = opener(qtbot, bridge)()
    assert window.conference_sid == NEW  # the live one, though the ended one came first
    click_conference(qtbot, window, CONFERENCE_SID)
    feed(form("participant-join", 3, who="Zed", conference_sid=NEW))
    assert window.conference_sid == CONFERENCE_SID
    feed(*start_in(NEWER))
    assert window.conference_sid == NEWER


def test_the_picker_and_the_heading_count_who_took_part_alike(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge, feed: Feed
) -> None:
    rejoin = "CA" + "5" * 32  # Bob's second call: a new CallSid, the same person
    feed(
        *team_meeting(),
        form("participant-join", 8, who="Bob", CallSid=rejoin),
        form("conference-end", 9),
    )
    window = opener(qtbot, bridge)()
    row = window.conferences.index(window.conferences.row_of(CONFERENCE_SID))
    assert "\nEnded · 4 took part\n" in row.data()  # Mary, Alice, Bob, Charles
    assert "4 people took part" in window.subtitle.text()
    assert "4 people took part" in window.grid.empty_text


LOBBY = "CF" + "a" * 32
ROOM = "CF" + "b" * 32


def test_the_waiting_room_and_rooms_sit_under_their_meeting_and_never_take_the_window(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge, feed: Feed
) -> None:
    """After a restart the window opens on the meeting, not TeamMeeting-lobby; a room that ends
    puts no "ended" bar over the live meeting."""
    feed(*team_meeting())
    feed(
        form("participant-join", 1, who="Wanda", conference_sid=LOBBY,
             friendly_name="TeamMeeting-lobby"),
        form("participant-join", 1, who="Rita", conference_sid=ROOM,
             friendly_name="TeamMeeting-room-1", start_on_enter=True),
        form("conference-start", 2, conference_sid=ROOM, friendly_name="TeamMeeting-room-1"),
    )  # fmt: skip
    window = opener(qtbot, bridge)()
    assert window.conference_sid == CONFERENCE_SID  # the newest live one is the room: not it
    rows = [window.conferences.index(r).data() for r in range(window.conferences.rowCount())]
    assert rows[0].startswith("TeamMeeting\n")
    assert {rows[1].split("\n")[0], rows[2].split("\n")[0]} == {
        "  ↳ Waiting room",
        "  ↳ Room 1",
    }
    spoken = window.conferences.index(1).data(Qt.ItemDataRole.AccessibleTextRole)
    assert " of TeamMeeting, " in spoken  # a screen reader hears whose room it is
    feed(form("conference-end", 3, conference_sid=ROOM, friendly_name="TeamMeeting-room-1"))
    assert window.insights.banner.isHidden()
    assert window.conference_sid == CONFERENCE_SID
    room2 = "CF" + "c" * 32
    feed(form("participant-join", 1, who="Ron", conference_sid=room2,
              friendly_name="TeamMeeting-room-2"))  # fmt: skip
    assert window.conferences.row_of(room2) == 3  # opened while the window is up: still under
    assert window.conference_sid == CONFERENCE_SID


def test_an_ended_row_fits_the_sidebar_at_its_default_width(
    qtbot: Any, themed: QApplication, qloop: qasync.QEventLoop, bridge: RosterBridge, feed: Feed
) -> None:
    """'Ended · Sat 5 Dec 12:19 · 4 took part' on one line was cut at the default sidebar
    width ('4 took p'): the day and time go on a line of their own."""
    feed(*team_meeting(), form("conference-end", 8))
    window = opener(qtbot, bridge)()
    picker = window.picker
    index = window.conferences.index(window.conferences.row_of(CONFERENCE_SID))
    room = picker.viewport().width() - picker.iconSize().width() - 2 * picker.spacing() - 16
    metrics = picker.fontMetrics()
    lines = index.data().split("\n")
    assert len(lines) == 3 and lines[1] == "Ended · 4 took part"
    assert all(metrics.horizontalAdvance(line) <= room for line in lines), (lines, room)
    assert not picker.horizontalScrollBar().isVisible()
