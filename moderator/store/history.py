"""History at start: fold only the conferences still open; an ended one stands in by its summary.

A conference that has ended is summarised once (its status, times, name and how many took part)
in the journal's `conference_summaries`, with the newest callback and snapshot rows it was folded
through. At the next start the roster gets the summary instead of the fold: listing it costs one
row, and its callbacks are read (by the conference's index, not the whole journal) only when the
host opens it or a report asks. A callback journaled after the summary (Twilio delivers late)
makes it stale: the conference is folded again at start and summarised anew. The journal's
callbacks stay the source of truth; a summary is only ever a shortcut to them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from moderator.domain.events import ConferenceEvent, MalformedCallback, parse_callback
from moderator.domain.fold import Entry
from moderator.domain.roster import Roster
from moderator.domain.state import Conference, ConferenceStatus, PastConference
from moderator.store.journal import ActionRecord, Journal, JournalError
from moderator.store.journal_rows import BAD_ROW, form_of, from_iso, snapshot_of, utc
from moderator.store.salvage import RowCounter, readable_rows

log = logging.getLogger(__name__)

# Each conference once, by hopping along the index (a few steps per conference, not per row),
# with its first and newest callback rows.
_CONFERENCES = """
WITH RECURSIVE sids(sid) AS (
    SELECT (SELECT MIN(conference_sid) FROM callbacks)
    UNION ALL
    SELECT (SELECT MIN(conference_sid) FROM callbacks WHERE conference_sid > sids.sid)
    FROM sids WHERE sids.sid IS NOT NULL
)
SELECT sid,
    (SELECT MIN(id) FROM callbacks WHERE conference_sid = sids.sid),
    (SELECT MAX(id) FROM callbacks WHERE conference_sid = sids.sid)
FROM sids WHERE sid IS NOT NULL
"""
_SNAPSHOTS = "SELECT conference_sid, MIN(id), MAX(id) FROM snapshots GROUP BY conference_sid"

Wanted = Callable[[str, str | None], bool]  # (conference SID, its friendly name) -> fold it?
# An older journal (no summaries yet): the newest conferences up to this many rows are folded at
# start, the rest that have surely ended in the background (Backlog) while the console runs (one
# that may be live is folded at start: _beyond_budget). A million callbacks took 65-195 s to
# summarise before the window showed.
START_ROWS = 5_000


@dataclass(frozen=True)
class Indexed:
    """Where one conference's rows are in the journal."""

    sid: str
    first_id: int  # its first callback (0: known only from a snapshot)
    last_id: int  # its newest callback
    last_snapshot: int  # its newest snapshot (0: none)


@dataclass(frozen=True)
class Summary:
    """A stored summary and the rows it was folded through."""

    past: PastConference
    first_id: int
    through_id: int
    through_snapshot: int

    def current(self, indexed: Indexed) -> bool:
        return (self.first_id, self.through_id, self.through_snapshot) == (
            indexed.first_id,
            indexed.last_id,
            indexed.last_snapshot,
        )


def conference_index(journal: Journal) -> list[Indexed]:
    """Every conference in the journal, in the order the roster first saw them (its first
    callback; conferences known only from a snapshot after all others, as a replay sees them)."""
    db = journal.reader
    snapshots = {sid: (first, last) for sid, first, last in db.execute(_SNAPSHOTS)}
    found = [
        Indexed(sid, first, last, snapshots.get(sid, (0, 0))[1])
        for sid, first, last in db.execute(_CONFERENCES)
    ]
    found.sort(key=lambda indexed: indexed.first_id)
    known = {indexed.sid for indexed in found}
    only_snapshots = sorted(
        (first, sid) for sid, (first, _) in snapshots.items() if sid not in known
    )
    found += [Indexed(sid, 0, 0, snapshots[sid][1]) for _, sid in only_snapshots]
    return found


def conference_entries(journal: Journal, sid: str) -> Iterator[Entry]:
    """One conference's callbacks in the order received, then its snapshots, read by its index.

    Unreadable rows are skipped and counted in the journal's `rows_skipped`, as a full read
    does; where SQLite finds the file damaged, the rest is read around the damage as a full
    read does (salvage.readable_rows), keeping this conference's rows.
    """
    yield from _rows_of_table(journal, sid, "callbacks", "received_at, form", _event)
    yield from _rows_of_table(journal, sid, "snapshots", "body", _snapshot_entry)


def newest_events(journal: Journal, sid: str, limit: int) -> list[ConferenceEvent]:
    """A conference's newest `limit` callbacks, oldest first, read by its index (the event
    log's history at start; the whole conference was read for 300 lines)."""
    try:
        rows = journal.reader.execute(
            "SELECT id, received_at, form FROM callbacks WHERE conference_sid = ?"
            " ORDER BY id DESC LIMIT ?",
            (sid, limit),
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        log.error("could not read the newest callbacks of %s: %s", sid, exc)
        return []
    return [
        entry
        for row in reversed(rows)
        for entry in _converted(journal, "callbacks", row, _event)
        if isinstance(entry, ConferenceEvent)
    ]


def _event(row: tuple[Any, ...]) -> Entry | None:
    try:
        return parse_callback(form_of(row[1]), utc(row[0]))
    except MalformedCallback as exc:  # journaled by an older parser: keep going
        log.warning("skipping a journaled callback that no longer parses: %s", exc)
        return None


def _snapshot_entry(row: tuple[Any, ...]) -> Entry | None:
    return snapshot_of(row[0])


def _rows_of_table(
    journal: Journal,
    sid: str,
    table: str,
    columns: str,
    convert: Callable[[tuple[Any, ...]], Entry | None],
) -> Iterator[Entry]:
    db = journal.reader
    last_id = 0
    rows: Iterable[tuple[Any, ...]]
    try:
        rows = db.execute(
            f"SELECT id, {columns} FROM {table} WHERE conference_sid = ? ORDER BY id", (sid,)
        )
        for row in rows:
            last_id = row[0]
            yield from _converted(journal, table, row, convert)
        return
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorcode == sqlite3.SQLITE_INTERRUPT:
            raise  # a shutdown stopped the read (Backlog.stop), the file is not damaged
        log.error(
            "the journal %s is damaged (%s): reading around it for %s", journal.path, exc, sid
        )
    counter = RowCounter()
    for row_id, conference_sid, *values in readable_rows(
        db, table, f"conference_sid, {columns}", counter
    ):
        if conference_sid == sid and row_id > last_id:  # type: ignore[operator]
            yield from _converted(journal, table, (row_id, *values), convert)
    for name, count in counter.skipped.items():
        journal.rows_skipped.skipped[name] = journal.rows_skipped.skipped.get(name, 0) + count


def _converted(
    journal: Journal,
    table: str,
    row: tuple[Any, ...],
    convert: Callable[[tuple[Any, ...]], Entry | None],
) -> Iterator[Entry]:
    try:
        entry = convert(row[1:])
    except BAD_ROW as exc:
        journal.rows_skipped.skip(table)
        log.debug("skipping unreadable %s row %s: %s", table, row[0], exc)
        return
    if entry is not None:
        yield entry


def summaries(journal: Journal) -> dict[str, Summary]:
    """The stored summaries (none in a journal older than schema 3); unreadable ones left out,
    so their conferences are folded as if never summarised."""
    try:
        rows = journal.reader.execute(
            "SELECT conference_sid, first_id, through_id, through_snapshot, body"
            " FROM conference_summaries"
        ).fetchall()
    except sqlite3.OperationalError:  # no such table: an older journal, opened read-only
        return {}
    found: dict[str, Summary] = {}
    for sid, first_id, through_id, through_snapshot, body in rows:
        try:
            found[sid] = Summary(_past(sid, body), first_id, through_id, through_snapshot)
        except BAD_ROW as exc:
            log.warning("ignoring an unreadable summary of %s: %s", sid, exc)
    return found


def open_roster(journal: Journal, wanted: Wanted | None = None) -> Roster:
    """The roster as the journal left it, folding only what has no current summary.

    Ended conferences with a current summary are known by it (folded when asked). The others
    are folded now; any of those that has ended is summarised (unless the journal is open
    read-only) and its fold let go until asked for. With `wanted`, a conference without a
    current summary that it rejects is left out altogether (the report of one conference).
    """
    return _open(journal, wanted, None)[0]


def note_callers(roster: Roster, actions: Iterable[ActionRecord]) -> dict[str, str]:
    """Tell the roster each call's number and CallerName as the door journaled them (its
    decisions and moves carry `from`), so a call is named as its tile was before a restart
    (by the address book, else its number) rather than "Caller N" until Twilio is asked.
    Returns the names the door journaled, by number."""
    journaled: dict[str, str] = {}
    for action in actions:
        number = action.params.get("from")
        if action.call_sid and number:
            roster.note_caller(action.call_sid, number, action.params.get("caller_name"))
            if action.params.get("name"):
                journaled[number] = action.params["name"]
    return journaled


def open_roster_deferring(journal: Journal, rows: int = START_ROWS) -> tuple[Roster, Backlog]:
    """`open_roster` for the console's start: of the conferences without a current summary,
    the newest are folded now while their rows stay within `rows`; the others are left to the
    returned Backlog (start it once the window is up)."""
    roster, later, order = _open(journal, None, rows)
    return roster, Backlog(journal, roster, later, order)


def _open(
    journal: Journal, wanted: Wanted | None, budget: int | None
) -> tuple[Roster, list[Indexed], list[str]]:
    roster = Roster(load_past=lambda sid: conference_entries(journal, sid))
    journal.flush()  # summaries and snapshots still queued for the writer thread, if any
    for table in ("callbacks", "snapshots"):  # this read's count replaces the last one's
        journal.rows_skipped.skipped.pop(table, None)
    folded: list[Indexed] = []
    rows: list[_Row] = []
    replayed = past = 0
    later: list[Indexed] = []
    try:
        index = conference_index(journal)
        stored = summaries(journal)
        if budget is not None:
            later = _beyond_budget(journal, index, stored, budget)
        deferred = {indexed.sid for indexed in later}
        for indexed in index:
            summary = stored.get(indexed.sid)
            if summary is not None and summary.current(indexed):
                roster.add_past(summary.past)
                past += 1
            elif indexed.sid in deferred:
                continue
            elif wanted is None or wanted(indexed.sid, _first_name(journal, indexed)):
                roster.replay(conference_entries(journal, indexed.sid))
                folded.append(indexed)
                replayed += roster.folded_counts(indexed.sid)[0]
                row = None if journal.read_only else _summary_row(roster, indexed)
                if row is not None:  # ended: let its fold go now (one conference at a time)
                    rows.append(row)
                    roster.unload(indexed.sid)
    except sqlite3.DatabaseError as exc:  # damage the start-up repair did not catch
        log.error("reading the journal %s conference by conference failed: %s", journal.path, exc)
        return _replay_everything(journal), [], []
    order = [indexed.sid for indexed in index]
    roster.arrange(order)
    log.info(
        "journal %s: %d callbacks replayed (%d conferences), %d ended conferences from summaries,"
        " %d left to summarise in the background",
        journal.path,
        replayed,
        len(folded),
        past,
        len(later),
    )
    _save(journal, rows)
    return roster, later, order


def _beyond_budget(
    journal: Journal, index: list[Indexed], stored: dict[str, Summary], budget: int
) -> list[Indexed]:
    """The conferences without a current summary past the newest `budget` rows that have surely
    ended, newest first. One that may still be live is folded at start whatever its size: a
    live meeting of more than `budget` callbacks (a restart in the middle of a large meeting:
    a live conference has no summary) was left to the background, so the start restored none
    of the host's state for it and journaled a fresh start instead."""
    unsummarised = [
        indexed
        for indexed in index
        if not ((summary := stored.get(indexed.sid)) is not None and summary.current(indexed))
    ]
    unsummarised.sort(key=lambda indexed: indexed.last_id, reverse=True)
    spent = 0
    later = []
    for indexed in unsummarised:
        spent += max(1, indexed.last_id - indexed.first_id + 1)  # rows at most (ids interleave)
        if spent > budget and _ended(journal, indexed.sid):
            later.append(indexed)
    return later


def _ended(journal: Journal, sid: str) -> bool:
    """Whether the conference's last callback (by SequenceNumber, read by its index) is its
    conference-end: then it has ended, whatever its fold would say of anything else. An end
    known only otherwise (a snapshot, a later callback) counts as maybe live: folded at start."""
    row = journal.reader.execute(
        "SELECT event FROM callbacks WHERE conference_sid = ? ORDER BY sequence DESC LIMIT 1",
        (sid,),
    ).fetchone()
    return row is not None and row[0] == "conference-end"


Progress = Callable[[int, int], None]  # (conferences done, of how many), on the loop


class Backlog:
    """An older journal's conferences the start left unfolded: folded and summarised on a thread
    of their own (its own read-only connection and Roster), newest first, while the console
    runs. Each one reaches the console's roster on the loop, announced, as a summary (ended) or
    folded there (still live, or a callback of it arrived meanwhile)."""

    def __init__(
        self, journal: Journal, roster: Roster, pending: list[Indexed], order: list[str]
    ) -> None:
        self.journal = journal
        self.roster = roster
        self.pending = pending
        self.order = order
        self.done = 0
        self.took_s: float | None = None  # seconds the whole backlog took, once finished
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, loop: asyncio.AbstractEventLoop, progress: Progress | None = None) -> bool:
        """Start the thread (False: nothing to do); `progress` hears each conference done."""
        if not self.pending or self._thread is not None:
            return False
        began = time.monotonic()

        def arrived(indexed: Indexed, row: _Row | None, past: PastConference | None) -> None:
            self._arrived(indexed, row, past)
            self.done += 1
            if self.done == len(self.pending):
                self.took_s = round(time.monotonic() - began, 1)
            if progress is not None:
                progress(self.done, len(self.pending))

        def run() -> None:
            try:
                reader = Journal(self.journal.path, create=False)
            except JournalError as exc:
                log.error("could not summarise the older conferences: %s", exc)
                return
            # SQLite asks between steps: a read under way ends once the console stops
            reader.reader.set_progress_handler(self._stopping.is_set, 1000)
            try:
                for indexed in self.pending:
                    if self._stopping.is_set():
                        return
                    fold = Roster()
                    fold.replay(self._until_stopped(conference_entries(reader, indexed.sid)))
                    if self._stopping.is_set():  # cut short: the next start folds it again
                        return
                    row = _summary_row(fold, indexed)
                    past = fold.summary(indexed.sid) if row is not None else None
                    loop.call_soon_threadsafe(arrived, indexed, row, past)
            except sqlite3.Error as exc:
                if not self._stopping.is_set():  # else stop() interrupted the read
                    log.error("summarising the older conferences stopped: %s", exc)
            finally:
                reader.close()

        self._thread = threading.Thread(target=run, name="history-backlog", daemon=True)
        self._thread.start()
        return True

    def _until_stopped(self, entries: Iterator[Entry]) -> Iterator[Entry]:
        """`entries` until the console stops: a shutdown waited for the fold of a whole
        conference (0.25 s for 5,000 callbacks), now for one entry."""
        for entry in entries:
            if self._stopping.is_set():
                return
            yield entry

    def _arrived(self, indexed: Indexed, row: _Row | None, past: PastConference | None) -> None:
        """On the loop: the thread's result for one conference."""
        if self._stopping.is_set():
            return
        if row is not None and past is not None and self.roster.conference(indexed.sid) is None:
            self.roster.add_past(past, announce=True)
            _save(self.journal, [row])
        else:  # still live, or a late callback reached the roster meanwhile: fold it here
            self.roster.replay(conference_entries(self.journal, indexed.sid))
        self.roster.arrange(self.order)

    def wait(self, timeout: float | None = None) -> None:
        """Until the thread has read everything (tests, benchmarks)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """At shutdown, before the journal closes: what is left waits for the next start.

        A read under way ends too (the thread's progress handler): an older journal's first
        start also runs SQLite's whole-file check, and on a file not in the page cache one
        conference's rows took 3.5 s to arrive, which a quit waited for (5-6 s in one first
        start of eight).
        """
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)


def summarise_ended(journal: Journal, roster: Roster) -> None:
    """At shutdown: summarise the conferences that ended while the console ran, so the next
    start folds none of them.

    Only a fold holding every journaled row of its conference is summarised (a callback
    journaled but not folded, or a duplicate with another form, leaves it to the next start).
    """
    if journal.read_only or not journal.flush():  # a stuck disk: the next start folds them
        return
    try:
        stored = summaries(journal)
        index = {indexed.sid: indexed for indexed in conference_index(journal)}
        complete: list[Indexed] = []
        for conference in roster.conferences():
            indexed = index.get(conference.sid)
            if indexed is None or conference.status.live or not roster.is_folded(indexed.sid):
                continue
            summary = stored.get(indexed.sid)
            if summary is not None and summary.current(indexed):
                continue
            if roster.folded_counts(indexed.sid) == _rows_of(journal, indexed.sid):
                complete.append(indexed)
    except sqlite3.Error as exc:
        log.warning("could not summarise the ended conferences: %s", exc)
        return
    _save(journal, [row for indexed in complete if (row := _summary_row(roster, indexed))])


def _rows_of(journal: Journal, sid: str) -> tuple[int, int]:
    db = journal.reader
    (callbacks,) = db.execute(
        "SELECT COUNT(*) FROM callbacks WHERE conference_sid = ?", (sid,)
    ).fetchone()
    (snapshots,) = db.execute(
        "SELECT COUNT(*) FROM snapshots WHERE conference_sid = ?", (sid,)
    ).fetchone()
    return (int(callbacks), int(snapshots))


_Row = tuple[str, int, int, int, str, str]


def _summary_row(roster: Roster, indexed: Indexed) -> _Row | None:
    """The summaries table's row for a folded conference that has ended (None: still live)."""
    past = roster.summary(indexed.sid)
    if past is None:
        return None
    body = json.dumps(_body(past))
    name = past.conference.friendly_name
    return (indexed.sid, indexed.first_id, indexed.last_id, indexed.last_snapshot, name, body)


def _save(journal: Journal, rows: list[_Row]) -> None:
    if not rows:
        return
    try:
        journal.save_summaries(rows)
    except JournalError as exc:  # nothing is lost: they are folded again at the next start
        log.warning("could not store the summaries of ended conferences: %s", exc)
        return
    log.info("summarised %d ended conferences in the journal %s", len(rows), journal.path)


def _replay_everything(journal: Journal) -> Roster:
    roster = Roster()
    roster.replay(journal.events())
    roster.replay(journal.snapshots())
    return roster


def _first_name(journal: Journal, indexed: Indexed) -> str | None:
    """The friendly name on the conference's first callback (None when unreadable)."""
    row = journal.reader.execute(
        "SELECT form FROM callbacks WHERE conference_sid = ? ORDER BY id LIMIT 1", (indexed.sid,)
    ).fetchone()
    try:
        return form_of(row[0]).get("FriendlyName") if row else None
    except BAD_ROW:
        return None


def _body(past: PastConference) -> dict[str, object]:
    conference = past.conference
    return {
        "friendly_name": conference.friendly_name,
        "status": conference.status.value,
        "started_at": _time(conference.started_at),
        "ended_at": _time(conference.ended_at),
        "end_reason": conference.end_reason,
        "last_sequence": conference.last_sequence,
        "headcount": conference.headcount,
        "took_part": past.took_part,
        "present_or_ringing": past.present_or_ringing,
    }


def _time(moment: datetime | None) -> str | None:
    """Full precision: a summary must equal the fold it stands in for."""
    return moment.astimezone(timezone.utc).isoformat() if moment is not None else None


def _past(sid: str, body: object) -> PastConference:
    data = json.loads(body)  # type: ignore[arg-type]
    if not isinstance(data, dict):
        raise TypeError("a summary must be an object")
    conference = Conference(
        sid=sid,
        friendly_name=str(data["friendly_name"]),
        status=ConferenceStatus(data["status"]),
        started_at=from_iso(data["started_at"]),
        ended_at=from_iso(data["ended_at"]),
        end_reason=data["end_reason"],
        last_sequence=int(data["last_sequence"]),
        headcount=int(data["headcount"]),
    )
    return PastConference(conference, int(data["took_part"]), int(data["present_or_ringing"]))
