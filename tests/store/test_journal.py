"""The SQLite journal: callbacks, actions, snapshots, and surviving a killed process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from moderator.domain.events import parse_callback
from moderator.domain.snapshots import ConferenceSnapshot, ParticipantSnapshot
from moderator.store import journal as journal_module
from moderator.store.journal import ActionRecord, Journal, JournalError
from moderator.store.report import rebuild_roster
from tests.forms import CONFERENCE_SID, call_sid, team_meeting

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)


def store_team_meeting(journal: Journal) -> None:
    journal.append_callbacks([(NOW, f, parse_callback(f, NOW)) for f in team_meeting()])


def test_callbacks_round_trip(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    store_team_meeting(journal)
    forms = [form for _, form in journal.callbacks()]
    assert forms == team_meeting()
    assert journal.callback_count() == 7
    assert [e.sequence for e in journal.events()] == list(range(1, 8))
    journal.close()


def test_a_group_commit_is_one_statement_all_or_nothing(tmp_path: Path) -> None:
    """A batch of callbacks is one INSERT, its own transaction: no BEGIN and COMMIT around it
    (each SQLite call hands the GIL between the writer thread and the loop's thread), and a row
    SQLite refuses leaves none of the batch behind."""
    journal = Journal.in_dir(tmp_path)
    statements: list[str] = []
    journal.reader.set_trace_callback(statements.append)
    store_team_meeting(journal)
    journal.reader.set_trace_callback(None)
    assert [s.split()[0] for s in statements] == ["INSERT"]
    fields = dict(team_meeting()[0], SequenceNumber="90")
    good = parse_callback(fields, NOW)
    refused = replace(good, sequence=91, conference_sid=None)  # the column is NOT NULL
    with pytest.raises(JournalError):
        journal.append_callbacks([(NOW, fields, good), (NOW, fields, refused)])
    assert journal.callback_rows() == 7
    journal.close()


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    Journal.in_dir(tmp_path).close()
    import sqlite3

    db = sqlite3.connect(tmp_path / "journal.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == 3
    db.execute("PRAGMA user_version=99")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="newer version"):
        Journal.in_dir(tmp_path)


def test_actions_record_outcome_and_confirmation(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    first = journal.record_action(NOW, CONFERENCE_SID, call_sid("Bob"), "mute")
    second = journal.record_action(
        NOW, CONFERENCE_SID, call_sid("Alice"), "kick", origin="auto-mute"
    )
    journal.finish_action(first, NOW, ok=True)
    journal.confirm_action(first)
    journal.finish_action(second, NOW, ok=False, error="Could not remove Alice: gone (20404)")
    actions = journal.actions()
    assert [(a.kind, a.ok, a.confirmed) for a in actions] == [
        ("mute", True, True),
        ("kick", False, False),
    ]
    assert actions[1].error == "Could not remove Alice: gone (20404)"
    assert actions[1].origin == "auto-mute"
    journal.close()


def test_the_actions_of_some_conferences_are_picked_by_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The event log's history at start and per conference wanted one conference's actions
    # (and its meeting's, the door's) and parsed every action journaled to find them.
    other = "CF" + "9" * 32
    journal = Journal.in_dir(tmp_path)
    for _ in range(20):
        journal.record_action(NOW, other, call_sid("Bob"), "mute")
    mine = journal.record_action(NOW, CONFERENCE_SID, call_sid("Bob"), "mute")
    journal.record_action(NOW, "TeamMeeting", None, "lock")
    journal.flush()
    journal.finish_action(mine, NOW, ok=True)  # still queued, or not, as it happens
    journal.record_action(NOW, CONFERENCE_SID, call_sid("Alice"), "unmute")  # stored yet or not
    parsed: list[int] = []
    convert = journal_module._action

    def counting(row: tuple[object, ...]) -> ActionRecord:
        parsed.append(1)
        return convert(row)

    monkeypatch.setattr(journal_module, "_action", counting)
    found = journal.actions(CONFERENCE_SID, "TeamMeeting")
    assert [(a.conference_sid, a.kind, a.ok) for a in found] == [
        (CONFERENCE_SID, "mute", True),
        ("TeamMeeting", "lock", None),
        (CONFERENCE_SID, "unmute", None),
    ]
    assert len(parsed) <= 3  # the other conference's 20 rows were never read into Python
    assert [a.kind for a in journal.actions(other)] == ["mute"] * 20
    assert len(journal.actions()) == 23
    journal.close()


def test_snapshots_round_trip_and_replay(tmp_path: Path) -> None:
    journal = Journal.in_dir(tmp_path)
    store_team_meeting(journal)
    snapshot = ConferenceSnapshot(
        conference_sid=CONFERENCE_SID,
        taken_at=NOW,
        after_sequence=7,
        friendly_name="TeamMeeting",
        status="in-progress",
        participants=(ParticipantSnapshot(call_sid("Mary"), "Mary", muted=True, joined_at=NOW),),
    )
    journal.append_snapshot(snapshot)
    assert list(journal.snapshots()) == [snapshot]
    roster = rebuild_roster(journal)
    present = roster.participants(CONFERENCE_SID, present_only=True)
    assert [(p.label, p.muted) for p in present] == [("Mary", True)]
    journal.close()


def test_report_needs_an_existing_journal(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no journal"):
        Journal.in_dir(tmp_path / "nowhere", create=False)


def test_unwritable_data_dir_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(JournalError, match="cannot open the journal"):
        Journal.in_dir(blocker / "sub")


def test_committed_callbacks_survive_a_killed_process(tmp_path: Path) -> None:
    """A writer killed with SIGKILL mid-stream: every batch it reported committed is there."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from datetime import datetime, timezone
        from moderator.domain.events import parse_callback
        from moderator.store.journal import Journal
        from tests.forms import form
        now = datetime.now(timezone.utc)
        journal = Journal.in_dir(__import__("pathlib").Path({str(tmp_path)!r}))
        sequence = 0
        while True:
            sequence += 1
            f = form("participant-speech-start", sequence, who="Mary")
            journal.append_callbacks([(now, f, parse_callback(f, now))])
            print(sequence, flush=True)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert child.stdout is not None
    committed = 0
    for line in child.stdout:
        committed = int(line)
        if committed >= 200:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    journal = Journal.in_dir(tmp_path)
    assert journal.callback_count() >= committed
    sequences = [e.sequence for e in journal.events()]
    assert sequences == list(range(1, len(sequences) + 1))
    journal.close()
