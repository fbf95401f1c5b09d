"""Host actions and door decisions as event-log lines, and a conference's history in time order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from moderator.domain.actions import ActionKind
from moderator.domain.events import parse_callback
from moderator.ui.log.action_entries import ACTION_KIND, entry_for_action, history, said_live
from tests.forms import CONFERENCE_SID, START, call_sid, form

MEETING = "TeamMeeting"


@dataclass(frozen=True)
class Row:
    at: object
    conference_sid: str
    call_sid: str | None
    kind: str
    origin: str = "host"
    params: dict[str, str] = field(default_factory=dict)
    ok: bool | None = True
    error: str | None = None


def name_of(conference: str, sid: str) -> str | None:
    return {call_sid("Bob"): "Bob"}.get(sid)


def test_a_host_action_reads_as_what_was_done_to_whom() -> None:
    moved = entry_for_action(
        Row(START, MEETING, call_sid("Bob"), ActionKind.MOVE, params={"to": "TeamMeeting-room-2"}),
        name_of,
        MEETING,
    )
    assert (moved.event, moved.who, moved.details, moved.kind) == (
        "Moved", "Bob", "to room 2", ACTION_KIND
    )  # fmt: skip
    failed = entry_for_action(
        Row(
            START,
            MEETING,
            call_sid("Bob"),
            ActionKind.ADMIT,
            ok=False,
            error="Could not let in Bob",
        ),
        name_of,
    )
    assert failed.level == "error" and "Could not let in Bob" in failed.details
    rule = entry_for_action(
        Row(START, CONFERENCE_SID, call_sid("Bob"), "mute", "auto-mute"), name_of
    )
    assert (rule.event, rule.details) == ("Mute sent", "by auto-mute")


def test_a_door_row_reads_as_the_door_said_it_and_never_shows_a_pin() -> None:
    door = Row(START, MEETING, "CA1", "wrong-pin", "door", {"from": "+14155550102", "attempt": "2"})
    line = entry_for_action(door, name_of, MEETING)
    assert line.event == "Door" and "wrong PIN (attempt 2" in line.details
    pin = entry_for_action(
        Row(START, MEETING, None, ActionKind.PIN_SET, params={"hash": "x$y"}), name_of
    )
    assert "x$y" not in repr(pin)


def test_what_is_said_live_and_what_the_history_holds() -> None:
    assert said_live(Row(START, MEETING, "CA1", ActionKind.ADMIT))
    assert not said_live(Row(START, MEETING, None, ActionKind.LOCK))  # its own message says it
    assert not said_live(Row(START, MEETING, "CA1", "wait", "door"))  # "Door: …" says it
    assert not said_live(Row(START, MEETING, None, ActionKind.FRESH_START, "start"))
    later = START + timedelta(seconds=5)
    event = parse_callback(form("participant-join", 1, who="Bob"), START)
    lines = history(
        [event],
        [
            Row(later, MEETING, None, ActionKind.LOCK),
            Row(START, MEETING, None, ActionKind.FRESH_START, "start"),
        ],
        name_of,
        MEETING,
    )
    assert [line.event for line in lines] == ["Joined", "Locked"]
    assert [line.event for line in history([event], [Row(later, MEETING, None, ActionKind.LOCK)],
                                           name_of, MEETING, limit=1)] == ["Locked"]  # fmt: skip
