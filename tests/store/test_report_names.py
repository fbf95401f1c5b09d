"""Every report format calls each person by the one display name, and says what happened at the
door, counts people once, and times each meeting by its own rows."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from moderator.domain.events import parse_callback
from moderator.store.journal import Journal
from moderator.store.report import build_report, render
from moderator.store.report_html import html_report
from tests.forms import CONFERENCE_SID, START, call_sid, form

SECOND = "CF" + "3" * 32
ALICE, BOB = "+14155550101", "+14155550102"


def unlabelled(event: str, sequence: int, who: str, **extra: str) -> dict[str, str]:
    """A callback of a caller who dialled in: no ParticipantLabel, only their CallSid."""
    fields = form(event, sequence, who=who, **extra)
    del fields["ParticipantLabel"]
    return fields


def door(journal: Journal, seconds: int, meeting: str, who: str | None, kind: str, **params: str):
    at = START + timedelta(seconds=seconds)
    action = journal.record_action(
        at, meeting, call_sid(who) if who else None, kind, origin="door", params=params
    )
    journal.finish_action(action, at, ok=True)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    journal = Journal.in_dir(tmp_path)
    forms = [
        unlabelled("participant-join", 1, "Alice"),
        unlabelled("participant-join", 2, "Bob"),
        unlabelled("participant-join", 3, "Nobody"),  # came in some other way: no number known
        form("conference-start", 4),
        unlabelled("participant-hold", 5, "Bob", Hold="true"),
        unlabelled("participant-leave", 6, "Bob", ReasonParticipantLeft="participant_hung_up"),
        unlabelled("participant-join", 8, "Bob2"),  # Bob calls again: a new call, same number
        form("conference-end", 20, ReasonConferenceEnded="last_participant_left"),
    ]
    journal.append_callbacks([(START, f, parse_callback(f, START)) for f in forms])
    door(journal, 0, "TeamMeeting", "Alice", "ask-pin", **{"from": ALICE, "attempt": "1"})
    door(journal, 1, "TeamMeeting", "Alice", "pin-right", **{"from": ALICE, "attempt": "1"})
    door(journal, 1, "TeamMeeting", "Bob", "join", **{"from": BOB, "name": "Bob Jones"})
    door(journal, 7, "TeamMeeting", "Bob2", "join", **{"from": BOB})
    door(journal, 9, "TeamMeeting", "Eve", "locked-out", **{"from": "+14155550666"})
    door(journal, 10, "TeamMeeting", None, "announce-rooms", text="Back in five minutes")
    yield journal
    journal.close()


def book(number: str | None) -> str | None:
    return {ALICE: "Alice Smith"}.get(number or "")


def test_json_and_csv_name_callers_by_the_one_rule_never_by_call_sid(journal: Journal) -> None:
    report = build_report(journal, name_of=book)
    people = {p["call_sid"]: p for p in report["conferences"][0]["participants"]}
    assert people[call_sid("Alice")]["name"] == "Alice Smith"  # the address book
    assert people[call_sid("Alice")]["number"] == ALICE
    assert people[call_sid("Bob")]["name"] == "Bob Jones"  # the name the door journaled
    assert people[call_sid("Nobody")]["name"] == "Caller 3"  # known by nothing: Caller N
    assert people[call_sid("Nobody")]["number"] is None
    assert people[call_sid("Bob")]["hold"] is False  # he left: not on hold any more
    csv_text = render(report, "csv")
    assert f"Alice Smith,{ALICE}," in csv_text and ",Caller 3,," in csv_text
    assert json.loads(render(report, "json"))["conferences"][0]["participants"]


def test_text_names_counts_people_once_and_says_what_happened_at_the_door(
    journal: Journal,
) -> None:
    text = render(build_report(journal, name_of=book), "text")
    attendance = text.split("At the door:")[0]
    assert "CA" not in attendance.replace(CONFERENCE_SID, "")  # no CallSid where a name goes
    assert "3 participants" in attendance  # Bob's second call is Bob again
    assert "rejoined 1 time" in attendance
    assert "Alice Smith" in attendance and "Caller 3" in attendance
    assert "on hold" not in attendance
    door_part = text.split("At the door:")[1]
    assert "Alice Smith (+14155550101) was asked for the PIN, by the door" in door_part
    assert '"Back in five minutes"' in door_part  # an announcement keeps its text
    assert "+14155550666 was turned away: the meeting was locked" in door_part


def test_html_names_everyone_has_the_door_section_and_a_named_title(journal: Journal) -> None:
    page = html_report(journal, name_of=book)
    assert "<title>Conference report: TeamMeeting</title>" in page
    assert "Alice Smith" in page and "Bob Jones" in page and "Caller 3" in page
    for sid in (call_sid("Alice"), call_sid("Bob"), call_sid("Nobody")):
        assert sid not in page  # neither the table nor the SVG timeline shows a CallSid
    assert "<h2>At the door</h2>" in page
    assert "was asked for the PIN" in page and "Back in five minutes" in page
    assert "3 participants" in page and "rejoined 1 time" in page
    assert "TeamMeeting, 2026-11-25 15:00" in page  # heading with date and start time


def test_one_participant_is_singular(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    forms = [form("participant-join", 1, who="Mary"), form("conference-start", 2)]
    journal.append_callbacks([(START, f, parse_callback(f, START)) for f in forms])
    text = render(build_report(journal), "text")
    page = html_report(journal)
    journal.close()
    assert "1 participant," in text and "1 participant," in page


def test_a_sid_limits_the_door_rows_to_that_meetings_time(journal: Journal) -> None:
    later = [
        form("participant-join", 1, who="Mary", conference_sid=SECOND),
        form("conference-start", 2, conference_sid=SECOND),
    ]
    moment = START + timedelta(hours=1)
    for f in later:
        f["Timestamp"] = f["Timestamp"].replace("15:00:0", "16:00:0")
    journal.append_callbacks([(moment, f, parse_callback(f, moment)) for f in later])
    door(journal, 3601, "TeamMeeting", "Mary", "join", **{"from": "+14155550999"})
    first = build_report(journal, CONFERENCE_SID)["door"]
    second = build_report(journal, SECOND)["door"]
    both = build_report(journal, "TeamMeeting")["door"]
    assert len(first) == 6 and len(second) == 1 and len(both) == 7
    assert second[0]["number"] == "+14155550999"
    assert "+14155550666" not in html_report(journal, SECOND)  # the first meeting's door


def test_a_door_row_calls_a_caller_who_got_in_as_their_tile_did(tmp_path: Path) -> None:
    from tests.forms import team_meeting

    journal = Journal.in_dir(tmp_path)
    journal.append_callbacks([(START, f, parse_callback(f, START)) for f in team_meeting()])
    door(journal, 0, "TeamMeeting", "Alice", "join", **{"from": ALICE})  # labelled "Alice"
    report = build_report(journal)
    journal.close()
    (row,) = report["door"]
    assert row["name"] == "Alice"
    assert "Alice (+14155550101) was let in, by the door" in render(report, "text")


def test_a_waiting_room_is_listed_under_its_meeting(tmp_path: Path) -> None:
    lobby = "CF" + "4" * 32
    journal = Journal.in_dir(tmp_path)
    waiting = form("participant-join", 1, who="Wanda", conference_sid=lobby,
                   friendly_name="TeamMeeting-lobby")  # fmt: skip
    forms = [waiting, form("participant-join", 1, who="Mary"), form("conference-start", 2)]
    journal.append_callbacks([(START, f, parse_callback(f, START)) for f in forms])
    report = build_report(journal)
    page = html_report(journal)
    journal.close()
    assert [c["sid"] for c in report["conferences"]] == [CONFERENCE_SID, lobby]
    text = render(report, "text")
    assert "TeamMeeting (waiting room), 2026-11-25 15:00" in text
    assert "open since" in text and "not started" not in text
    assert "<title>Conference report: TeamMeeting</title>" in page  # the meeting, once


def test_the_windows_save_html_report_has_the_door_section_too(journal: Journal) -> None:
    from moderator.store.history import open_roster
    from moderator.store.report_html import JournalViews

    roster = open_roster(journal, None)
    page = JournalViews(roster, journal).html(CONFERENCE_SID)
    assert "<h2>At the door</h2>" in page and "was asked for the PIN" in page
