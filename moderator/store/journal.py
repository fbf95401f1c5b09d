"""The journal: an append-only SQLite record of every callback answered and every action taken.

This module is the tables' API (callbacks, snapshots, actions, summaries) and the writer thread
every write goes through; the file itself (open, repair, migrate) is store/journal_file.py's.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from moderator.domain.actions import Origin
from moderator.domain.events import ConferenceEvent, MalformedCallback, parse_callback
from moderator.domain.snapshots import ConferenceSnapshot
from moderator.store import clean_close
from moderator.store.disk_thread import DiskThread
from moderator.store.journal_file import (
    CLOSE_WAIT,
    JOURNAL_FILE,
    BackgroundCheck,
    EarlyCheck,
    JournalError,
    JournalFile,
)
from moderator.store.journal_rows import BAD_ROW, form_of, iso, snapshot_of, utc
from moderator.store.salvage import Recovery, RowCounter, readable_rows
from moderator.store.unsaved import UnsavedActions

log = logging.getLogger(__name__)

# the file's names, kept importable from here where the console has always found them
__all__ = [
    "CLOSE_WAIT",
    "JOURNAL_FILE",
    "ActionRecord",
    "Journal",
    "JournalError",
]

_T = TypeVar("_T")
_ROWS_PER_INSERT = 500  # 7 parameters a row, well under SQLite's 32,766


@dataclass(frozen=True)
class ActionRecord:
    """One moderator action as journaled."""

    id: int
    at: datetime
    conference_sid: str
    call_sid: str | None
    kind: str
    origin: str
    params: dict[str, str]
    ok: bool | None
    confirmed: bool
    error: str | None


class Journal:
    """SQLite in WAL mode.

    Every write of a running console goes to one writer thread with its own connection, in
    order: `commit_callbacks` is awaited (a callback is answered after its commit), actions and
    snapshots are queued and not waited for, so a frozen or locked disk holds up only the
    callbacks waiting for it, never the window. The event loop's connection only reads (and
    serves `append_callbacks` for tools and tests that write synchronously).
    `create=False` opens an existing journal read-only (the report): nothing is written to it.
    `early`: the whole-file check the start began before its imports (journal_file.EarlyCheck).
    """

    def __init__(self, path: Path, *, create: bool = True, early: EarlyCheck | None = None) -> None:
        self.path = path
        self.read_only = not create
        self.file = JournalFile(path)
        self.rows_skipped = RowCounter()
        self._writer_db: sqlite3.Connection | None = None
        # Why the last write failed (the disk full, read-only, locked, failing), None once a
        # write succeeds: /healthz must not say "ok" while no write gets through.
        self.write_failure: str | None = None
        self._unsaved = UnsavedActions()
        self._disk: DiskThread | None = None
        self._close_deadline: float | None = None  # time.monotonic() past which exit waits no more
        self._close_wait = CLOSE_WAIT
        self._damage: str | None = None  # what the background check found (no marker at close)
        self._checker: BackgroundCheck | None = None
        # told of each action as it is journaled, on the caller's thread (the event log)
        self.action_listeners: list[Callable[[ActionRecord], None]] = []
        if self.read_only:
            self._db = self.file.open_read_only()
        else:
            self._db = self.file.open_for_writing(early)
            self._disk = DiskThread("journal-writer")
        self.recovery: Recovery | None = self.file.recovery
        # True when the start trusted the clean-close marker and skipped SQLite's whole-file
        # check: check_in_background() runs it once the window is up (clean_close.py).
        self.unchecked = self.file.unchecked

    @classmethod
    def in_dir(cls, data_dir: Path, *, create: bool = True) -> Journal:
        return cls(data_dir / JOURNAL_FILE, create=create)

    @property
    def problems(self) -> list[str]:
        """What the user should hear about this journal: a repair, rows that could not be read."""
        found = []
        if self.recovery is not None:
            found.append(self.recovery.describe(self.path))
        if self.rows_skipped.total:
            found.append(
                f"{self.rows_skipped.total} unreadable rows of the journal {self.path} were skipped"
            )
        return found

    @property
    def reader(self) -> sqlite3.Connection:
        """The loop thread's connection, for the store's per-conference reads (history.py)."""
        return self._db

    def save_summaries(self, rows: Sequence[tuple[str, int, int, int, str, str]]) -> None:
        """Queue summaries of ended conferences for the writer thread (history.py makes them):
        each (conference_sid, first_id, through_id, through_snapshot, friendly_name, body)."""

        def insert(db: sqlite3.Connection) -> None:
            with self._transaction(db):
                db.executemany(
                    "INSERT OR REPLACE INTO conference_summaries (conference_sid, first_id,"
                    " through_id, through_snapshot, friendly_name, body)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )

        self._later("the summaries of ended conferences", insert)

    def close(self, timeout: float = CLOSE_WAIT) -> None:
        """Finish the queued writes (waiting at most `timeout` s for the disk), then close.

        Both connections are closed on the writer thread, inside the bounded wait: the last
        connection to close checkpoints the WAL, which writes, and on a frozen disk that would
        hold the loop's thread until the thaw.
        """
        self._stop_check()
        disk, self._disk = self._disk, None
        if disk is None:
            self._db.close()
            return
        disk.submit(self._close_connections)
        if not disk.close(self._budget(timeout)):
            log.error(
                "the disk did not take the journal's last %d writes within %g s;"
                " closing without them (%s)",
                max(0, disk.queued - 1),
                self._close_wait if self._close_deadline is not None else timeout,
                self.path,
            )

    @property
    def queued_writes(self) -> int:
        """Writes handed to the writer thread and not yet finished."""
        return self._disk.queued if self._disk is not None else 0

    def writer_stalled_for(self) -> float:
        """Seconds the writer thread's current write has taken (0.0: idle): a stuck disk."""
        return self._disk.stalled_for() if self._disk is not None else 0.0

    def flush(self, timeout: float = CLOSE_WAIT) -> bool:
        """Wait (blocking) until the writes queued so far are on disk; False on timeout."""
        if self._disk is None:
            return True
        done = self._disk.submit(lambda: None)
        try:
            done.result(self._budget(timeout))
        except TimeoutError:
            return False
        return True

    def begin_close(self, timeout: float = CLOSE_WAIT) -> None:
        """Shutdown begins: every flush and the close from now on wait, together, at most
        `timeout` seconds for the disk (a frozen disk made the exit's flush and close wait
        10 s each, 20 s in all, while the message said 10)."""
        self._close_wait = timeout
        self._close_deadline = time.monotonic() + timeout

    def _budget(self, timeout: float) -> float:
        """`timeout`, or what is left of the shutdown's wait when that is less."""
        if self._close_deadline is None:
            return timeout
        return max(0.0, min(timeout, self._close_deadline - time.monotonic()))

    async def write_off_loop(self, write: Callable[[], _T]) -> _T:
        """Run a blocking write (another store sharing this file) on the writer thread."""
        return await asyncio.wrap_future(self.write_later(write))

    def write_later(self, write: Callable[[], _T]) -> Future[_T]:
        """Queue a blocking file write (the address book) on the writer thread, in order with
        the journal's own; JournalError when the journal is read-only or closed."""
        if self._disk is None:
            raise JournalError(f"the journal {self.path} is open read-only or closed")
        try:
            return self._disk.submit(write)
        except RuntimeError as exc:  # the writer thread is closed: the console is stopping
            raise JournalError(str(exc)) from None

    def _later(
        self, what: str, write: Callable[[sqlite3.Connection], None], handle: int = 0
    ) -> None:
        """Queue a write nobody awaits; a failure is logged (the caller has moved on)."""
        if self._disk is None:
            raise JournalError(f"the journal {self.path} is open read-only")

        def run() -> None:
            try:
                write(self._writer_connection())
            except JournalError as exc:
                log.error("could not journal %s: %s", what, exc)
            finally:
                if handle:
                    self._unsaved.written(handle)

        self._disk.submit(run)

    def _writer_connection(self) -> sqlite3.Connection:
        """The writer thread's own connection, opened on first use (on that thread)."""
        if self._writer_db is None:
            try:
                self._writer_db = self.file.connect()
            except sqlite3.Error as exc:
                self._note_write(exc)
                raise JournalError(f"journal write failed: {exc}") from exc
        return self._writer_db

    def _close_connections(self) -> None:
        """On the writer thread: the loop's reader first, so the writer's close is the last."""
        self._db.close()
        if self._writer_db is not None:
            self._writer_db.close()
            self._writer_db = None
        if self._damage is None:  # the next start may skip the whole-file check
            clean_close.mark(self.path)

    def check_in_background(self, on_damage: Callable[[str], None]) -> bool:
        """SQLite's whole-file check, skipped at start (unchecked), on a thread of its own with
        its own read-only connection (WAL: it holds up neither the loop nor the writer).
        `on_damage(message)` is called on that thread if the file is damaged; then no marker is
        left at close, so the next start repairs the journal. False: nothing to check."""
        if not self.unchecked or self._disk is None or self._checker is not None:
            return False
        self.unchecked = False
        self._checker = BackgroundCheck(self.path, self._found_damage, on_damage)
        return True

    def _found_damage(self, problem: str) -> str:
        self._damage = problem
        return (
            f"the journal {self.path} is damaged ({problem}): it is copied aside and repaired"
            " at the next start; callbacks are still journaled"
        )

    def wait_for_check(self, timeout: float | None = None) -> str | None:
        """Wait for the background check (tests, benchmarks); what it found (None: sound)."""
        if self._checker is not None:
            self._checker.join(timeout)
        return self._damage

    def _stop_check(self) -> None:
        """Closing: interrupt a background check still reading. The marker is still written
        (the file is as this console leaves it), so the next start checks in the background."""
        checker, self._checker = self._checker, None
        if checker is not None:
            checker.stop()

    # ---- callbacks -------------------------------------------------------------------------

    async def commit_callbacks(
        self, batch: Sequence[tuple[datetime, Mapping[str, str], ConferenceEvent]]
    ) -> None:
        """append_callbacks on the writer thread; returns once the batch is committed."""
        if self._disk is None:
            raise JournalError(f"the journal {self.path} is open read-only")
        await asyncio.wrap_future(self._disk.submit(lambda: self.write_callbacks(batch)))

    def write_callbacks(
        self, batch: Sequence[tuple[datetime, Mapping[str, str], ConferenceEvent]]
    ) -> None:
        """On the writer thread (a job given to `write_later`): append_callbacks on its
        connection, one commit for the batch."""
        self.append_callbacks(batch, self._writer_connection())

    def append_callbacks(
        self,
        batch: Sequence[tuple[datetime, Mapping[str, str], ConferenceEvent]],
        connection: sqlite3.Connection | None = None,
    ) -> None:
        """Store received callbacks in one transaction (one commit for the whole batch).

        A delivery identical to one already stored (same conference, sequence and form: a
        Twilio retry or a replay) only counts on that row, so replays cannot grow the journal.
        """
        self._append(connection if connection is not None else self._db, batch)

    def _append(
        self,
        db: sqlite3.Connection,
        batch: Sequence[tuple[datetime, Mapping[str, str], ConferenceEvent]],
    ) -> None:
        rows: list[object] = []
        for received_at, form, event in batch:
            text = json.dumps(dict(form), separators=(",", ":"))
            digest = hashlib.sha256(text.encode()).hexdigest()
            rows += (iso(received_at), event.conference_sid, event.sequence, event.name)
            rows += (event.call_sid, text, digest)
        # One statement per chunk: on the writer thread every SQLite step hands the GIL over
        # and back, so a statement per callback would slow the loop's thread under load. A
        # batch of one chunk (a group commit's usual size) is one statement without BEGIN and
        # COMMIT around it: in autocommit mode a statement is its own transaction, all its rows
        # or none, and the two handovers saved are two thirds of the commit's.
        single = len(batch) <= _ROWS_PER_INSERT
        with self._transaction(db, begin=not single):
            for start in range(0, len(batch), _ROWS_PER_INSERT):
                chunk = rows[start * 7 : (start + _ROWS_PER_INSERT) * 7]
                values = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * (len(chunk) // 7))
                db.execute(
                    "INSERT INTO callbacks"
                    " (received_at, conference_sid, sequence, event, call_sid, form, digest)"
                    f" VALUES {values}"
                    " ON CONFLICT (conference_sid, sequence, digest) WHERE digest IS NOT NULL"
                    " DO UPDATE SET duplicates = duplicates + 1,"
                    " last_received_at = excluded.received_at",
                    chunk,
                )

    def callbacks(self) -> Iterator[tuple[datetime, dict[str, str]]]:
        """Every journaled callback form with its receipt time, in the order received.

        Rows that cannot be read back (damaged page, bad JSON, time or types) are skipped
        and counted in `rows_skipped`.
        """
        yield from self._readable(
            "callbacks", "received_at, form", lambda row: (utc(row[1]), form_of(row[2]))
        )

    def events(self) -> Iterator[ConferenceEvent]:
        """Every journaled callback parsed again, in the order received."""
        for received_at, form in self.callbacks():
            try:
                yield parse_callback(form, received_at)
            except MalformedCallback as exc:  # journaled by an older parser: keep going
                log.warning("skipping a journaled callback that no longer parses: %s", exc)

    def callback_count(self) -> int:
        """Callbacks received, duplicates included."""
        (count,) = self._db.execute("SELECT COUNT(*) + TOTAL(duplicates) FROM callbacks").fetchone()
        return int(count)

    def callback_rows(self) -> int:
        """Rows in the callbacks table (a duplicate adds none)."""
        (count,) = self._db.execute("SELECT COUNT(*) FROM callbacks").fetchone()
        return int(count)

    def _readable(
        self,
        table: str,
        columns: str,
        convert: Callable[[tuple[Any, ...]], _T],
        where: str = "",
        params: tuple[object, ...] = (),
    ) -> Iterator[_T]:
        counter = RowCounter()  # this read's count: each read replaces the table's last count
        for row in readable_rows(self._db, table, columns, counter, where, params):
            try:
                value = convert(row)
            except BAD_ROW as exc:
                counter.skip(table)
                log.debug("skipping unreadable %s row %s: %s", table, row[0], exc)
                continue
            yield value
        skipped = counter.skipped.get(table, 0)
        self.rows_skipped.skipped[table] = skipped
        if skipped:
            log.warning(
                "skipped %d unreadable rows of the %s table in the journal %s",
                skipped,
                table,
                self.path,
            )

    # ---- snapshots -------------------------------------------------------------------------

    def append_snapshot(self, snapshot: ConferenceSnapshot) -> None:
        """Queue the snapshot for the writer thread (not waited for)."""
        body = asdict(snapshot)
        body["taken_at"] = iso(snapshot.taken_at)
        for participant in body["participants"]:
            joined = participant["joined_at"]
            participant["joined_at"] = iso(joined) if joined else None
        row = (body["taken_at"], snapshot.conference_sid, snapshot.after_sequence, json.dumps(body))

        def insert(db: sqlite3.Connection) -> None:
            with self._transaction(db):
                db.execute(
                    "INSERT INTO snapshots (taken_at, conference_sid, after_sequence, body)"
                    " VALUES (?, ?, ?, ?)",
                    row,
                )

        self._later("a snapshot", insert)

    def snapshots(self) -> Iterator[ConferenceSnapshot]:
        """Every stored snapshot (read at start and by the report; queued ones written first)."""
        self.flush()
        yield from self._readable("snapshots", "body", lambda row: snapshot_of(row[1]))

    # ---- actions ---------------------------------------------------------------------------

    def record_action(
        self,
        at: datetime,
        conference_sid: str,
        call_sid: str | None,
        kind: str,
        *,
        origin: str = Origin.HOST,
        params: Mapping[str, str] | None = None,
    ) -> int:
        """Journal an action as it is sent; returns its handle for finish/confirm at once.

        The write is queued for the writer thread, not waited for: a host's click never waits
        for the disk. `actions()` shows it (and its outcome) before the disk has it. `kind` and
        `origin` are an ActionKind (or the door's word) and an Origin; stored as plain words.
        """
        kind, origin = _word(kind), _word(origin)
        values = dict(params or {})
        record = ActionRecord(
            0, at, conference_sid, call_sid, kind, origin, values, None, False, None
        )
        if self._disk is None:
            raise JournalError(f"the journal {self.path} is open read-only")
        handle = self._unsaved.add(record)
        row = (iso(at), conference_sid, call_sid, kind, origin, json.dumps(values))

        def insert(db: sqlite3.Connection) -> None:
            with self._transaction(db):
                cursor = db.execute(
                    "INSERT INTO actions (at, conference_sid, call_sid, kind, origin, params)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    row,
                )
                self._unsaved.stored(handle, int(cursor.lastrowid or 0))

        self._later(f"the {kind} action", insert, handle)
        for listener in list(self.action_listeners):
            try:
                listener(record)
            except Exception:
                log.exception("an action listener failed")
        return handle

    def finish_action(
        self, action_id: int, at: datetime, *, ok: bool, error: str | None = None
    ) -> None:
        """The REST answer: ok, or the user-readable error (queued, like record_action)."""
        self._update_action(
            action_id,
            "ok = ?, error = ?, finished_at = ?",
            (int(ok), error, iso(at)),
            ok=ok,
            error=error,
        )

    def confirm_action(self, action_id: int) -> None:
        """The confirming callback arrived (queued, like record_action)."""
        self._update_action(action_id, "confirmed = 1", (), confirmed=True)

    def _update_action(
        self, handle: int, assignments: str, values: tuple[object, ...], **changes: Any
    ) -> None:
        if self._disk is None:
            raise JournalError(f"the journal {self.path} is open read-only")
        if not self._unsaved.update(handle, **changes):
            raise JournalError(f"no action {handle} was recorded by this journal")

        def update(db: sqlite3.Connection) -> None:
            row = self._unsaved.row(handle)
            if row is None:  # its insert failed (and was logged)
                return
            with self._transaction(db):
                db.execute(f"UPDATE actions SET {assignments} WHERE id = ?", (*values, row))

        self._later(f"the outcome of action {handle}", update, handle)

    def actions(self, *conference_sids: str) -> list[ActionRecord]:
        """Stored actions (those on `conference_sids` when given: a conference SID, or a
        meeting's name for the door's), with those whose writes are still queued as they will
        be stored."""
        return list(self._readable_actions(conference_sids))

    def _readable_actions(self, conference_sids: tuple[str, ...]) -> Iterator[ActionRecord]:
        columns = "at, conference_sid, call_sid, kind, origin, params, ok, confirmed, error"
        pending = self._unsaved.pending()  # before the read: see UnsavedActions.merge
        # SQLite picks the rows: parsing every action (7 us a row) to keep a few cost the
        # event log's history 0.1 s per 20,000 actions journaled, at start and per conference
        where = f"conference_sid IN ({', '.join('?' * len(conference_sids))})"
        stored = self._readable(
            "actions", columns, _action, where if conference_sids else "", conference_sids
        )
        for action in self._unsaved.merge(pending, stored):
            if not conference_sids or action.conference_sid in conference_sids:
                yield action

    # ---- plumbing --------------------------------------------------------------------------

    @contextmanager
    def _transaction(
        self, db: sqlite3.Connection | None = None, *, begin: bool = True
    ) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on error; SQLite errors become JournalError.

        `begin=False` is for a single statement, its own transaction on these autocommit
        connections (isolation_level=None): only the errors are turned and noted."""
        db = db if db is not None else self._db
        if self.read_only:
            raise JournalError(f"the journal {self.path} is open read-only")
        try:
            if not begin:
                yield
            else:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        except (sqlite3.Error, OverflowError) as exc:
            self._note_write(exc)
            raise JournalError(f"journal write failed: {exc}") from exc
        self._note_write(None)

    def _note_write(self, error: BaseException | None) -> None:
        """Remember whether the last write reached the disk (a row SQLite refuses for its
        content says nothing about the disk, so it leaves the state as it was)."""
        if error is None:
            self.write_failure = None
        elif isinstance(error, sqlite3.OperationalError) or type(error) is sqlite3.DatabaseError:
            self.write_failure = str(error)


def _action(row: tuple[Any, ...]) -> ActionRecord:
    params = json.loads(row[6])
    if not isinstance(params, dict):
        raise TypeError("action params must be an object")
    return ActionRecord(
        id=row[0],
        at=utc(row[1]),
        conference_sid=row[2],
        call_sid=row[3],
        kind=row[4],
        origin=row[5],
        params=params,
        ok=None if row[7] is None else bool(row[7]),
        confirmed=bool(row[8]),
        error=row[9],
    )


def _word(value: str) -> str:
    """The plain word of a str enum (ActionKind, Origin, Verdict): what the journal stores."""
    return str(value.value) if isinstance(value, Enum) else value
