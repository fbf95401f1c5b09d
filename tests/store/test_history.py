"""History at start: only open conferences are folded; ended ones are read when asked, and right."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from moderator.domain.events import parse_callback
from moderator.domain.fold import Entry
from moderator.domain.roster import ChangeKind, Participant, Roster
from moderator.store import history
from moderator.store.journal import JOURNAL_FILE, Journal
from moderator.store.journal_file import migration_copy
from moderator.store.report import build_report, rebuild_roster
from tests.forms import call_sid, form

NOW = datetime(2026, 11, 25, 16, 0, tzinfo=timezone.utc)
ALPHA, BRAVO, OPEN = ("CF" + c * 32 for c in "abc")


def meeting(sid: str, name: str, *, ended: bool = True) -> list[dict[str, str]]:
    """Mary presents, Alice and Bob join, Alice speaks and is muted, Bob leaves (and it ends)."""
    forms = [
        form("participant-join", 1, who="Mary", conference_sid=sid, friendly_name=name),
        form("conference-start", 2, conference_sid=sid, friendly_name=name),
        form("participant-join", 3, who="Alice", conference_sid=sid, friendly_name=name),
        form("participant-join", 4, who="Bob", conference_sid=sid, friendly_name=name),
        form("participant-speech-start", 5, who="Alice", conference_sid=sid, friendly_name=name),
        form("participant-speech-stop", 6, who="Alice", conference_sid=sid, friendly_name=name),
        form(
            "participant-mute", 7, who="Alice", muted=True, conference_sid=sid, friendly_name=name
        ),
        form("participant-leave", 8, who="Bob", conference_sid=sid, friendly_name=name),
    ]
    if ended:
        forms.append(form("conference-end", 10, conference_sid=sid, friendly_name=name))
    return forms


def store(journal: Journal, forms: list[dict[str, str]]) -> None:
    journal.append_callbacks([(NOW, f, parse_callback(f, NOW)) for f in forms])


def journal_of_three(tmp_path: Path) -> Path:
    """Alpha and Bravo ended, Open still running; their callbacks interleave a little."""
    journal = Journal.in_dir(tmp_path)
    alpha, bravo = meeting(ALPHA, "Alpha"), meeting(BRAVO, "Bravo")
    store(journal, alpha[:3] + bravo[:2] + alpha[3:] + bravo[2:])
    store(journal, meeting(OPEN, "Standup", ended=False))
    journal.close()
    return tmp_path


@pytest.fixture
def folded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The conferences whose callbacks were read, in order."""
    read: list[str] = []
    entries = history.conference_entries

    def counting(journal: Journal, sid: str) -> Iterator[Entry]:
        read.append(sid)
        yield from entries(journal, sid)

    monkeypatch.setattr(history, "conference_entries", counting)
    return read


def same_state(roster: Roster, full: Roster) -> None:
    assert roster.conferences() == full.conferences()
    for conference in full.conferences():
        sid = conference.sid
        assert roster.participants(sid) == full.participants(sid)
        assert roster.timelines.conference(sid) == full.timelines.conference(sid)
        assert roster.took_part(sid) == full.took_part(sid)
        assert roster.conference(sid) == full.conference(sid)


def test_a_start_folds_only_open_conferences_yet_every_one_reads_as_before(
    tmp_path: Path, folded: list[str]
) -> None:
    journal = Journal.in_dir(journal_of_three(tmp_path))
    full = rebuild_roster(journal)
    history.open_roster(journal)  # the first start folds all three and summarises the ended
    assert folded == [ALPHA, BRAVO, OPEN]
    folded.clear()

    roster = history.open_roster(journal)  # every start after that
    assert folded == [OPEN]
    assert [c.sid for c in roster.conferences()] == [ALPHA, BRAVO, OPEN]  # picker: newest first
    assert roster.took_part(ALPHA) == 3 and folded == [OPEN]  # listing folds nothing
    assert not roster.is_folded(ALPHA) and not roster.is_folded(BRAVO)
    same_state(roster, full)  # asking about a past one folds it, from its own rows
    assert folded == [OPEN, ALPHA, BRAVO]
    journal.close()


def started_twice(tmp_path: Path) -> tuple[Journal, Roster]:
    """The three conferences' journal, opened by a second start: the ended two are summarised
    (by the first start) and known by their summaries only."""
    journal = Journal.in_dir(journal_of_three(tmp_path))
    history.open_roster(journal)
    return journal, history.open_roster(journal)


def test_a_late_callback_for_an_ended_conference_is_folded_and_refreshes_its_summary(
    tmp_path: Path, folded: list[str]
) -> None:
    journal, roster = started_twice(tmp_path)
    seen: list[ChangeKind] = []
    roster.changed.connect(lambda changes: seen.extend(c.kind for c in changes))
    # Zed joined before the end (sequence 9), but Twilio delivered it after the summary
    late = form("participant-join", 9, who="Zed", conference_sid=ALPHA, friendly_name="Alpha")
    store(journal, [late])  # journaled before it is folded, as the ingest does
    roster.apply(parse_callback(late, NOW))
    assert ChangeKind.CONFERENCE_UPDATED in seen  # the picker's row is redrawn
    zed = roster.participant(ALPHA, call_sid("Zed"))
    assert zed is not None and not zed.present  # the end, later in sequence, still applies
    assert roster.took_part(ALPHA) == 4
    same_state(roster, rebuild_roster(journal))

    folded.clear()
    again = history.open_roster(journal)  # the summary is stale: Alpha is folded again
    assert folded == [ALPHA, OPEN]
    assert again.took_part(ALPHA) == 4 and not again.is_folded(ALPHA)
    folded.clear()
    assert history.open_roster(journal).took_part(ALPHA) == 4 and folded == [OPEN]
    journal.close()


def as_schema_2(path: Path) -> None:
    """What the previous version wrote: no summaries, no per-conference indexes."""
    db = sqlite3.connect(path)
    db.execute("DROP TABLE conference_summaries")
    db.execute("DROP INDEX callbacks_by_conference_id")
    db.execute("DROP INDEX snapshots_by_conference")
    db.execute("PRAGMA user_version=2")
    db.commit()
    db.close()


def test_a_journal_of_the_previous_schema_is_read_unchanged_and_migrated_once(
    tmp_path: Path, folded: list[str]
) -> None:
    path = journal_of_three(tmp_path) / JOURNAL_FILE
    as_schema_2(path)
    before = path.read_bytes()

    reader = Journal(path, create=False)  # the report: reads schema 2, writes nothing
    alpha = build_report(reader, "Alpha")
    assert [c["sid"] for c in alpha["conferences"]] == [ALPHA]
    assert len(alpha["conferences"][0]["participants"]) == 3
    everything = build_report(reader)
    assert [c["sid"] for c in everything["conferences"]] == [ALPHA, BRAVO, OPEN]
    reader.close()
    assert path.read_bytes() == before

    journal = Journal(path)  # the console migrates it
    assert journal.reader.execute("PRAGMA user_version").fetchone() == (3,)
    folded.clear()
    history.open_roster(journal)
    assert folded == [ALPHA, BRAVO, OPEN]  # once, to summarise the ended ones
    folded.clear()
    history.open_roster(journal)
    assert folded == [OPEN]
    assert build_report(journal) == everything
    journal.close()


def test_a_migration_first_keeps_a_copy_of_the_older_journal(tmp_path: Path) -> None:
    """As Vorta does: the file as the older version left it is copied aside before it changes."""
    path = journal_of_three(tmp_path) / JOURNAL_FILE
    as_schema_2(path)
    older = Journal(path, create=False)
    rows = older.callback_rows()
    older.close()

    journal = Journal(path)  # the console migrates it
    copy = migration_copy(path, 2)
    assert journal.file.migrated_from == copy
    journal.close()
    kept = sqlite3.connect(copy)
    assert kept.execute("PRAGMA user_version").fetchone() == (2,)
    assert kept.execute("SELECT COUNT(*) FROM callbacks").fetchone() == (rows,)
    assert kept.execute(
        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'conference_summaries'"
    ).fetchone() == (0,)
    kept.close()
    assert copy.stat().st_mode & 0o777 == 0o600
    Journal(path).close()  # an up-to-date journal is not copied again
    assert sorted(p.name for p in path.parent.glob(f"{JOURNAL_FILE}.schema-*")) == [copy.name]


def test_the_report_of_one_conference_reads_only_its_rows(tmp_path: Path) -> None:
    journal = Journal.in_dir(journal_of_three(tmp_path))
    expected = build_report(journal, ALPHA)  # summarises Bravo (Open stays open)
    journal.close()
    db = sqlite3.connect(tmp_path / JOURNAL_FILE)
    # every other conference's rows are made unreadable: reading one would count it skipped
    db.execute("UPDATE callbacks SET form = '{broken' WHERE conference_sid != ?", (ALPHA,))
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT id, received_at, form FROM callbacks"
        " WHERE conference_sid = ? ORDER BY id",
        (ALPHA,),
    ).fetchall()
    db.commit()
    db.close()
    assert any("callbacks_by_conference_id" in str(step) for step in plan)

    for create in (False, True):  # the report, and the console's own insight windows
        reader = Journal.in_dir(tmp_path, create=create)
        assert build_report(reader, ALPHA) == expected
        assert build_report(reader, "Alpha") == expected
        assert reader.rows_skipped.total == 0
        build_report(reader)  # everything: now the broken rows are read, and counted
        assert reader.rows_skipped.total > 0
        reader.close()


def test_a_conference_that_ends_while_the_console_runs_is_summarised_at_shutdown(
    tmp_path: Path, folded: list[str]
) -> None:
    journal, roster = started_twice(tmp_path)
    end = form("conference-end", 10, conference_sid=OPEN, friendly_name="Standup")
    store(journal, [end])
    roster.apply(parse_callback(end, NOW))
    # a callback journaled but never folded (the console stopped in between): not summarised
    unfolded = form("participant-join", 11, who="Zed", conference_sid=ALPHA, friendly_name="Alpha")
    roster.participants(ALPHA)
    store(journal, [unfolded])
    history.summarise_ended(journal, roster)

    folded.clear()
    after = history.open_roster(journal)
    assert folded == [ALPHA]  # Standup's summary is current; Alpha's is stale
    assert after.took_part(OPEN) == 3 and after.took_part(ALPHA) == 4
    journal.close()


async def test_an_older_journal_beyond_the_start_budget_is_summarised_in_the_background(
    tmp_path: Path,
) -> None:
    journal = Journal.in_dir(journal_of_three(tmp_path))  # never summarised: an older journal
    full = rebuild_roster(journal)
    roster, backlog = history.open_roster_deferring(journal, rows=9)  # the newest one fits
    assert [c.sid for c in roster.conferences()] == [OPEN]
    assert [indexed.sid for indexed in backlog.pending] == [BRAVO, ALPHA]  # newest first
    added: list[str] = []
    roster.changed.connect(
        lambda changes: added.extend(
            c.conference_sid for c in changes if c.kind is ChangeKind.CONFERENCE_ADDED
        )
    )
    progress: list[tuple[int, int]] = []
    loop = asyncio.get_running_loop()
    assert backlog.start(loop, lambda done, total: progress.append((done, total)))
    backlog.wait(30)
    await asyncio.sleep(0)  # the thread's results, queued on the loop, reach the roster
    assert progress == [(1, 2), (2, 2)] and added == [BRAVO, ALPHA]
    assert [c.sid for c in roster.conferences()] == [ALPHA, BRAVO, OPEN]  # the journal's order
    same_state(roster, full)
    backlog.stop()
    journal.flush()
    later, rest = history.open_roster_deferring(journal, rows=9)
    assert rest.pending == [] and not later.is_folded(ALPHA)  # summarised: known by summary
    journal.close()


async def test_stopping_cuts_the_backlog_short_within_a_conference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The console's shutdown waited for the fold of a whole conference (0.25 s for 5,000
    # callbacks); now it waits for one entry, and the conference waits for the next start.
    journal = Journal.in_dir(journal_of_three(tmp_path))
    _roster, backlog = history.open_roster_deferring(journal, rows=0)
    entries, reading, pulled = history.conference_entries, threading.Event(), []

    def slow(reader: Journal, sid: str) -> Iterator[Entry]:
        for entry in entries(reader, sid):
            pulled.append(sid)
            reading.set()
            backlog._stopping.wait(10)  # the console stops during this conference's fold
            yield entry

    monkeypatch.setattr(history, "conference_entries", slow)
    backlog.start(asyncio.get_running_loop())
    assert reading.wait(10)
    backlog.stop()
    await asyncio.sleep(0)
    assert pulled == [BRAVO] and backlog.done == 0  # of its 9 callbacks, 1 was read
    monkeypatch.undo()
    journal.flush()
    _later, rest = history.open_roster_deferring(journal, rows=0)
    assert [indexed.sid for indexed in rest.pending] == [BRAVO, ALPHA]
    journal.close()


async def test_stopping_interrupts_a_read_the_disk_holds_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # An older journal's first start also runs SQLite's whole-file check: on a file out of the
    # page cache one conference's rows took 3.5 s to come, and a quit waited for them (5-6 s,
    # the join's whole timeout, in one first start of eight). A read that never ends stands in.
    journal = Journal.in_dir(journal_of_three(tmp_path))
    _roster, backlog = history.open_roster_deferring(journal, rows=0)
    reading = threading.Event()

    def endless(reader: Journal, sid: str) -> Iterator[Entry]:
        reading.set()
        reader.reader.execute(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
        ).fetchone()
        yield from ()

    monkeypatch.setattr(history, "conference_entries", endless)
    backlog.start(asyncio.get_running_loop())
    assert reading.wait(10)
    backlog.stop(timeout=10)
    assert backlog._thread is not None and not backlog._thread.is_alive()
    assert backlog.done == 0
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # a stop, not damage
    journal.close()


def test_an_interrupted_read_is_not_taken_for_damage(tmp_path: Path) -> None:
    # _rows_of_table reads around damage row by row; an interrupt must end the read instead
    journal = Journal.in_dir(journal_of_three(tmp_path))
    journal.reader.set_progress_handler(lambda: 1, 1)  # every statement is interrupted at once
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        list(history.conference_entries(journal, ALPHA))
    journal.reader.set_progress_handler(None, 1)
    assert journal.rows_skipped.total == 0
    journal.close()


def test_a_live_meeting_past_the_start_budget_is_folded_at_start(tmp_path: Path) -> None:
    # A restart in the middle of a meeting of more than START_ROWS callbacks (a live conference
    # has no summary) left it to the background: the start restored none of the host's state
    # and journaled a fresh start. Only conferences whose last callback is their end wait.
    journal = Journal.in_dir(journal_of_three(tmp_path))
    roster, backlog = history.open_roster_deferring(journal, rows=0)
    assert [indexed.sid for indexed in backlog.pending] == [BRAVO, ALPHA]  # ended: later
    assert [c.sid for c in roster.conferences()] == [OPEN] and roster.is_folded(OPEN)
    assert roster.conference(OPEN).status.live
    journal.close()


def unordered(people: list[Participant]) -> list[Participant]:
    return sorted((replace(p, ordinal=0) for p in people), key=lambda p: p.call_sid)


async def test_a_callback_that_arrives_before_the_backlog_reaches_its_conference(
    tmp_path: Path,
) -> None:
    journal = Journal.in_dir(journal_of_three(tmp_path))
    roster, backlog = history.open_roster_deferring(journal, rows=0)  # both ended ones later
    late = form("participant-unmute", 9, who="Alice", conference_sid=BRAVO, friendly_name="Bravo")
    store(journal, [late])
    roster.apply(parse_callback(late, NOW))  # Twilio delivers one of Bravo's callbacks late
    full = rebuild_roster(journal)
    done: list[int] = []
    backlog.start(asyncio.get_running_loop(), lambda count, _total: done.append(count))
    backlog.wait(30)
    await asyncio.sleep(0)
    assert done == [1, 2]
    # the same state, but for the tiles' order: Alice came first to this roster (a rare case:
    # a callback of a conference the start left to the background)
    assert roster.conferences() == full.conferences()
    for sid in (ALPHA, BRAVO, OPEN):
        assert unordered(roster.participants(sid)) == unordered(full.participants(sid))
    backlog.stop()
    journal.close()


def test_the_newest_callbacks_of_a_conference_are_read_by_its_index(tmp_path: Path) -> None:
    journal = Journal.in_dir(journal_of_three(tmp_path))
    alpha = [e.sequence for e in history.newest_events(journal, ALPHA, 3)]
    assert alpha == [7, 8, 10]  # oldest first, Bravo's interleaved rows left out
    assert len(history.newest_events(journal, BRAVO, 300)) == 9
    journal.close()
