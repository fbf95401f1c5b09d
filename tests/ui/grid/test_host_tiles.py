"""The host's own tile, whisper coaching and announcements in the window, on the simulator:
menus → Moderator → simulator REST → signed callbacks → tiles and the header's note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QSettings, Qt

from moderator.ui.grid.announce_dialog import RECENT_KEY, RecentTexts
from moderator.ui.grid.roles import Role
from moderator.ui.log.action_entries import entry_for_action

from .test_live_moderation import Live, live  # noqa: F401 - the fixture


def marks(live: Live, call_sid: str) -> tuple[str, ...]:  # noqa: F811
    model = live.window.participants
    value = model.index(model.row_of(call_sid)).data(Role.HOST_MARKS)
    return tuple(value or ())


def menu_action(live: Live, call_sid: str, text: str) -> Any:  # noqa: F811
    menu = live.window.build_menu(call_sid)
    found = {a.text(): a for a in menu.actions()}
    assert text in found, list(found)
    return found[text]


def test_this_is_me_then_whisper_to_alice_and_stop(live: Live) -> None:  # noqa: F811
    conf, sids = live.meeting("Mary", "Alice", "Bob")
    mary, alice = sids["Mary"], sids["Alice"]
    assert "Whisper to Alice" not in [a.text() for a in live.window.build_menu(alice).actions()]
    stop = live.window.window_actions.stop_whisper
    assert not stop.isEnabled()  # Meeting → Stop whispering: nothing to stop yet
    menu_action(live, mary, "This is me").trigger()
    assert marks(live, mary) == ("you",) and stop.isEnabled()
    menu_action(live, alice, "Whisper to Alice").trigger()
    live.qtbot.waitUntil(lambda: live.sim.participant(conf, mary).coaching, timeout=5000)  # type: ignore[union-attr]
    assert live.sim.participant(conf, mary).call_sid_to_coach == alice  # type: ignore[union-attr]
    # the participant-modify callback confirms it: the tiles say who hears whom
    live.qtbot.waitUntil(lambda: marks(live, mary) == ("you", "coaching Alice"), timeout=5000)
    assert marks(live, alice) == ("hears you",)
    assert marks(live, sids["Bob"]) == ()
    assert "coaching Alice" in live.window.participants.index(0).data(3)  # the tool tip
    live.window.grid.grab()  # the pills paint
    menu_action(live, alice, "Stop whispering").trigger()
    live.qtbot.waitUntil(lambda: marks(live, mary) == ("you",), timeout=5000)
    assert not live.sim.participant(conf, mary).coaching  # type: ignore[union-attr]
    assert marks(live, alice) == ()
    menu_action(live, mary, "Not me").trigger()
    assert marks(live, mary) == ()
    assert not live.window.status.error.text()


def test_the_hosts_tile_says_nobody_hears_the_whisper_once_they_left(live: Live) -> None:  # noqa: F811
    """Alice hung up while the host whispered to her: the host's tile no longer says
    COACHING ALICE (nobody hears the host) and the status bar says why."""
    conf, sids = live.meeting("Mary", "Alice", "Bob")
    mary, alice = sids["Mary"], sids["Alice"]
    menu_action(live, mary, "This is me").trigger()
    menu_action(live, alice, "Whisper to Alice").trigger()
    live.qtbot.waitUntil(lambda: marks(live, mary) == ("you", "coaching Alice"), timeout=5000)
    live.run(live.sim.hang_up(alice))
    live.run(live.sim.drain())
    live.qtbot.waitUntil(lambda: marks(live, mary) == ("you", "coaching nobody"), timeout=5000)
    live.qtbot.waitUntil(lambda: "Alice left the meeting" in live.window.status.error.text())
    menu_action(live, mary, "Stop whispering").trigger()
    live.qtbot.waitUntil(lambda: marks(live, mary) == ("you",), timeout=5000)
    assert not live.sim.participant(conf, mary).coaching  # type: ignore[union-attr]


def test_w_on_a_tile_whispers_to_them_and_again_stops(live: Live) -> None:  # noqa: F811
    """The keyboard's whisper: W on the chosen tile (the menu shows the key); without your own
    call marked it says what to do first."""
    conf, sids = live.meeting("Mary", "Alice", "Bob")
    mary, alice = sids["Mary"], sids["Alice"]
    grid, model = live.window.grid, live.window.participants
    grid.setFocus()
    grid.setCurrentIndex(model.index(model.row_of(alice)))
    live.qtbot.keyClick(grid, Qt.Key.Key_W)
    live.qtbot.waitUntil(lambda: "mark your own call first" in live.window.status.error.text())
    menu_action(live, mary, "This is me").trigger()
    whisper = menu_action(live, alice, "Whisper to Alice")
    assert whisper.shortcut().toString() == "W"
    live.qtbot.keyClick(grid, Qt.Key.Key_W)
    live.qtbot.waitUntil(lambda: marks(live, mary) == ("you", "coaching Alice"), timeout=5000)
    assert live.sim.participant(conf, mary).call_sid_to_coach == alice  # type: ignore[union-attr]
    assert menu_action(live, alice, "Stop whispering").shortcut().toString() == "W"
    live.qtbot.keyClick(grid, Qt.Key.Key_W)
    live.qtbot.waitUntil(lambda: marks(live, mary) == ("you",), timeout=5000)
    assert not live.sim.participant(conf, mary).coaching  # type: ignore[union-attr]


def test_announce_to_everyone_and_to_one_shows_heard(live: Live) -> None:  # noqa: F811
    live.sim.announce_time = 0.0
    _conf, sids = live.meeting("Mary", "Alice")
    asked: list[tuple[str, list[str]]] = []
    live.window.controller.ask_announcement = lambda who, recent: (
        asked.append((who, recent)) or "We start in two minutes"
    )
    live.window.window_actions.announce.trigger()  # the toolbar's Announce… (Ctrl+Shift+A)
    note = live.window.controller.note
    live.qtbot.waitUntil(lambda: note.text() == "Everyone heard the announcement", timeout=5000)
    live.window.controller.ask_announcement = lambda who, recent: (
        asked.append((who, recent)) or "Alice, you're next"
    )
    menu_action(live, sids["Alice"], "Announce to Alice…").trigger()
    live.qtbot.waitUntil(lambda: note.text() == "Alice heard the announcement", timeout=5000)
    assert asked == [
        ("everyone", []),
        ("Alice", ["We start in two minutes"]),  # the recent texts are offered
    ]
    said = [a.url for a in live.sim.announcements]
    assert len(said) == 2 and all("/twilio/announce?id=" in url for url in said)


def test_a_failed_announcement_is_shown_in_the_header(live: Live) -> None:  # noqa: F811
    live.sim.announce_time = 0.0
    live.meeting("Mary", "Alice")
    live.sim.faults.announce_fail = 1.0  # Twilio could not play it
    live.window.controller.ask_announcement = lambda who, recent: "Hello"
    live.window.window_actions.announce.trigger()
    note = live.window.controller.note
    live.qtbot.waitUntil(lambda: "failed" in note.text(), timeout=5000)
    assert note.text().startswith("The announcement to everyone failed (")
    live.qtbot.waitUntil(lambda: "Twilio could not play it" in live.window.status.error.text())


def test_recent_texts_are_kept_but_never_a_secret(tmp_path: Any) -> None:
    store = QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)
    recent = RecentTexts(store)
    for text in ("Break until 3", "The PIN is 2468", "<b>bold</b> =SUM(A1)", "x" * 900):
        recent.remember(text)
    store.sync()
    again = RecentTexts(QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat))
    assert again.items() == ["x" * 500, "<b>bold</b> =SUM(A1)", "Break until 3"]
    assert "2468" not in (tmp_path / "console.ini").read_text()
    assert recent.items()[2] == "The PIN is 2468"  # offered again until the console closes
    assert store.value(RECENT_KEY)


@dataclass(frozen=True)
class Row:
    """A journaled action as the event log reads it."""

    kind: str
    call_sid: str | None
    params: dict[str, str]
    at: datetime = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
    conference_sid: str = "CF" + "2" * 32
    ok: bool | None = True
    origin: str = "host"
    error: str | None = None


def test_the_event_log_says_whom_the_host_whispers_to_and_what_was_announced() -> None:
    def name_of(_conf: str, call_sid: str) -> str | None:
        return {"CA1": "Mary", "CA2": "Alice"}.get(call_sid)

    whisper = entry_for_action(Row("whisper", "CA1", {"call_sid_to_coach": "CA2"}), name_of)
    assert (whisper.event, whisper.who, whisper.details) == ("Whispering", "Mary", "to Alice")
    said = entry_for_action(Row("announce", None, {"text": "Break until 3"}), name_of)
    assert (said.event, said.details) == ("Announcement sent", "Break until 3")
    me = entry_for_action(Row("this-is-me", "CA1", {}), name_of)
    assert (me.event, me.who) == ("Marked as you", "Mary")
    dialled = {"to": "+12025550142", "from": "+12025550199", "label": "Host"}
    call_me = entry_for_action(Row("dial-out", None, dialled), name_of)
    assert (call_me.who, call_me.details) == ("Host", "to +12025550142")  # not the caller ID
    sent = entry_for_action(Row("wait", "CA2", {"to": "TeamMeeting-lobby"}), name_of)
    assert sent.event == "Sent to the waiting room"
