"""ConferenceModel and EventLogModel (+ its filter): row signals and qtmodeltester."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QSignalSpy

from moderator.domain.events import parse_callback
from moderator.domain.roster import Roster
from moderator.ui.bridge import RosterBridge
from moderator.ui.grid.conference_model import ConferenceModel, started_words
from moderator.ui.grid.roles import Role
from moderator.ui.log.event_log_filter import EventLogFilter
from moderator.ui.log.event_log_model import EventLogModel, LogEntry, entry_for_event
from tests.forms import START, call_sid, form, team_meeting

from ..conftest import Feed

OTHER = "CF" + "9" * 32


def test_conference_rows(
    qtmodeltester: Any, roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    model = ConferenceModel(roster)
    bridge.changed.connect(model.on_changes)
    inserted = QSignalSpy(model.rowsInserted)
    changed = QSignalSpy(model.dataChanged)
    reset = QSignalSpy(model.modelReset)
    feed(*team_meeting()[:3])
    assert inserted.count() == 1
    assert model.index(0).data() == "TeamMeeting\nLive · 2 people"
    feed(form("participant-join", 1, who="Zed", conference_sid=OTHER, friendly_name="Sales"))
    assert inserted.count() == 2
    before = changed.count()
    feed(team_meeting()[3])  # Bob joins TeamMeeting: headcount 3
    assert changed.count() == before + 1
    assert changed.at(changed.count() - 1)[0].row() == 1  # newest first: Sales is on top
    assert "3 people" in model.index(1).data()
    assert model.index(0).data(Role.CONFERENCE_SID) == OTHER
    assert reset.count() == 0
    qtmodeltester.check(model, force_py=True)


def test_conference_model_starts_from_the_roster(roster: Roster, feed: Feed) -> None:
    feed(*team_meeting())
    model = ConferenceModel(roster)
    assert model.rowCount() == 1
    assert model.index(0).data(Qt.ItemDataRole.DecorationRole) is not None


def entries(count: int) -> list[LogEntry]:
    return [LogEntry(at=START + timedelta(seconds=i), event=f"e{i}") for i in range(count)]


def test_picker_lines_are_counted_once_and_again_after_a_change(
    roster: Roster, bridge: RosterBridge, feed: Feed, monkeypatch: Any
) -> None:
    feed(*team_meeting(), form("conference-end", 8))
    model = ConferenceModel(roster)
    bridge.changed.connect(model.on_changes)
    asked: list[str] = []
    took_part = roster.took_part  # the count the line is made of (a summary's, for a past one)
    monkeypatch.setattr(roster, "took_part", lambda sid: asked.append(sid) or took_part(sid))
    started = model.conference(0).started_at
    assert started is not None

    def ended(took: int) -> str:
        return f"TeamMeeting\nEnded · {took} took part\n{started_words(started)}"

    for _ in range(5):  # a repaint asks for every role of every row
        assert model.index(0).data() == ended(4)
        model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert len(asked) == 1
    feed(form("participant-join", 1, who="Zed", conference_sid=OTHER, friendly_name="Sales"))
    assert model.index(1).data() == ended(4) and len(asked) == 1
    feed(form("participant-join", 9, who="Dora"))  # a late callback for the ended call
    assert model.index(1).data() == ended(5) and len(asked) == 2


def test_ended_meetings_of_one_name_are_told_apart_by_when_they_started() -> None:
    """The picker listed identical 'TeamMeeting · Ended' rows: each says its day and time."""
    assert started_words(datetime(2026, 12, 3, 14, 5).astimezone()) == "Thu 3 Dec 14:05"
    assert started_words(datetime(2026, 12, 4, 9, 30).astimezone()) == "Fri 4 Dec 09:30"


def test_log_appends_rows_and_trims_the_oldest(qtmodeltester: Any) -> None:
    model = EventLogModel(limit=20)
    inserted = QSignalSpy(model.rowsInserted)
    removed = QSignalSpy(model.rowsRemoved)
    reset = QSignalSpy(model.modelReset)
    for entry in entries(25):
        model.append(entry)
    assert inserted.count() == 25
    assert removed.count() == 3  # trims of a tenth (2 rows), not one per line
    assert 18 <= model.rowCount() <= 20
    assert model.entry(model.rowCount() - 1).event == "e24"
    assert reset.count() == 0
    qtmodeltester.check(model, force_py=True)


def test_log_words_for_callbacks(roster: Roster, feed: Feed) -> None:
    feed(*team_meeting())
    leave = parse_callback(team_meeting()[6], START)
    entry = entry_for_event(leave, lambda conf, call: roster.participant(conf, call).label)  # type: ignore[union-attr]
    assert (entry.event, entry.who, entry.conference) == ("Left", "Bob", "TeamMeeting")
    assert entry.details == "hung up"  # in words, and no bare sequence number


def test_log_says_why_in_words_and_never_shows_a_call_sid(roster: Roster, feed: Feed) -> None:
    """The chair leaving ends the meeting: the others' leaves say so, not "moderator ended
    conference"; the end names who ended it; a caller known by nothing is not a CallSid."""
    mary_leaves = form(
        "participant-leave", 8, who="Mary", end_on_exit=True,
        ReasonParticipantLeft="participant_hung_up",
    )  # fmt: skip
    alice_leaves = form(
        "participant-leave", 9, who="Alice", ReasonParticipantLeft="moderator_ended_conference"
    )
    end = form(
        "conference-end", 10, CallSidEndingConference=call_sid("Mary"),
        ReasonConferenceEnded="participant-with-end-conference-on-exit-left",
    )  # fmt: skip
    feed(*team_meeting(), mary_leaves, alice_leaves, end)

    def name_of(conf: str, call: str) -> str | None:
        participant = roster.participant(conf, call)
        return participant.display_name if participant else None

    alice = entry_for_event(parse_callback(alice_leaves, START), name_of)
    assert alice.details == "the meeting ended when its chair left"
    ended = entry_for_event(parse_callback(end, START), name_of)
    assert ended.details == "Mary left and the meeting ended with them"
    stranger = form("participant-join", 11, who="Zed")
    del stranger["ParticipantLabel"]
    entry = entry_for_event(parse_callback(stranger, START), lambda conf, call: None)
    assert entry.who == "Caller" and "CA" not in entry.who


def test_log_filter_text_speech_and_errors(qtmodeltester: Any) -> None:
    model = EventLogModel()
    forms = [
        form("participant-join", 1, who="Mary"),
        form("participant-speech-start", 2, who="Mary"),
        form("participant-join", 3, who="Bob"),
    ]
    for raw in forms:
        model.append(entry_for_event(parse_callback(raw, START), lambda conf, call: None))
    model.append(LogEntry(at=START, event="Error", details="Could not mute Bob", level="error"))
    proxy = EventLogFilter()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    assert proxy.rowCount() == 4
    proxy.set_text("bob")
    assert proxy.rowCount() == 2
    proxy.set_text("")
    proxy.set_show_speech(False)
    assert proxy.rowCount() == 3
    proxy.set_errors_only(True)
    assert proxy.rowCount() == 1
    assert proxy.index(0, 4).data() == "Could not mute Bob"
    assert proxy.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_a_confirmed_whisper_says_to_whom() -> None:
    """Under Xvfb the log said only 'Modified Mary' when Twilio confirmed the whisper."""
    names = {call_sid("Mary"): "Mary", call_sid("Alice"): "Alice"}
    whisper = form("participant-modify", 9, who="Mary", CallSidToCoach=call_sid("Alice"))
    whisper["Coaching"] = "true"
    entry = entry_for_event(parse_callback(whisper, START), lambda _conf, call: names.get(call))
    assert (entry.event, entry.who, entry.details) == ("Modified", "Mary", "whispers to Alice")
    plain = form("participant-modify", 10, who="Mary")  # Coaching=false: says nothing more
    assert entry_for_event(parse_callback(plain, START), lambda _c, _call: None).details == ""


def test_a_picker_row_is_told_changed_only_when_what_it_shows_changed(
    roster: Roster, bridge: RosterBridge, feed: Feed
) -> None:
    """Someone speaking changes the conference (Twilio's numbers) but not its picker line:
    the row is not repainted at every callback, only when its headcount or status moves."""
    model = ConferenceModel(roster)
    bridge.changed.connect(model.on_changes)
    feed(*team_meeting())
    changed = QSignalSpy(model.dataChanged)
    feed(form("participant-speech-start", 8, who="Alice", muted=True))
    feed(form("participant-speech-stop", 9, who="Alice", muted=True))
    assert model.index(0).data() == "TeamMeeting\nLive · 3 people"
    quiet = changed.count()  # the speech: nothing
    feed(form("participant-join", 10, who="Dora"))
    assert changed.count() == quiet + 1
    assert model.index(0).data() == "TeamMeeting\nLive · 4 people"
    feed(form("conference-end", 11))
    assert changed.count() == quiet + 2
    assert quiet == 0
