"""The journal: an append-only SQLite record of every callback answered and every action taken."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from moderator.domain.events import ConferenceEvent, MalformedCallback, parse_callback
from moderator.domain.snapshots import ConferenceSnapshot, ParticipantSnapshot

log = logging.getLogger(__name__)

JOURNAL_FILE = "journal.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS callbacks (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    conference_sid TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    event TEXT NOT NULL,
    call_sid TEXT,
    form TEXT NOT NULL              -- the whole form as JSON: enough to replay it
);
CREATE INDEX IF NOT EXISTS callbacks_by_conference ON callbacks (conference_sid, sequence);
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    conference_sid TEXT NOT NULL,
    call_sid TEXT,
    kind TEXT NOT NULL,
    origin TEXT NOT NULL,           -- 'host' or the rule that took it
    params TEXT NOT NULL,           -- JSON
    ok INTEGER,                     -- NULL while the REST call is under way
    confirmed INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    finished_at TEXT
);
CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY,
    taken_at TEXT NOT NULL,
    conference_sid TEXT NOT NULL,
    after_sequence INTEGER NOT NULL,
    body TEXT NOT NULL              -- JSON of the ConferenceSnapshot
);
"""


class JournalError(Exception):
    """The journal cannot be opened or written (one-line message for the user)."""


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


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Journal:
    """SQLite in WAL mode; one connection, used only from the event loop's thread."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if not create and not path.exists():
            raise JournalError(f"no journal at {path}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open the journal {path}: {exc}") from exc

    @classmethod
    def in_dir(cls, data_dir: Path, *, create: bool = True) -> Journal:
        return cls(data_dir / JOURNAL_FILE, create=create)

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise JournalError(
                f"{self.path} was written by a newer version of the console (schema {version})"
            )
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    # ---- callbacks -------------------------------------------------------------------------

    def append_callbacks(
        self, batch: Sequence[tuple[datetime, Mapping[str, str], ConferenceEvent]]
    ) -> None:
        """Store received callbacks in one transaction (one commit for the whole batch)."""
        rows = [
            (
                _iso(received_at),
                event.conference_sid,
                event.sequence,
                event.name,
                event.call_sid,
                json.dumps(dict(form), separators=(",", ":")),
            )
            for received_at, form, event in batch
        ]
        with self._transaction():
            self._db.executemany(
                "INSERT INTO callbacks"
                " (received_at, conference_sid, sequence, event, call_sid, form)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    def callbacks(self) -> Iterator[tuple[datetime, dict[str, str]]]:
        """Every journaled callback form with its receipt time, in the order received."""
        for received_at, form in self._db.execute(
            "SELECT received_at, form FROM callbacks ORDER BY id"
        ):
            yield datetime.fromisoformat(received_at), json.loads(form)

    def events(self) -> Iterator[ConferenceEvent]:
        """Every journaled callback parsed again, in the order received."""
        for received_at, form in self.callbacks():
            try:
                yield parse_callback(form, received_at)
            except MalformedCallback as exc:  # journaled by an older parser: keep going
                log.warning("skipping a journaled callback that no longer parses: %s", exc)

    def callback_count(self) -> int:
        (count,) = self._db.execute("SELECT COUNT(*) FROM callbacks").fetchone()
        return int(count)

    # ---- snapshots -------------------------------------------------------------------------

    def append_snapshot(self, snapshot: ConferenceSnapshot) -> None:
        body = asdict(snapshot)
        body["taken_at"] = _iso(snapshot.taken_at)
        for participant in body["participants"]:
            joined = participant["joined_at"]
            participant["joined_at"] = _iso(joined) if joined else None
        with self._transaction():
            self._db.execute(
                "INSERT INTO snapshots (taken_at, conference_sid, after_sequence, body)"
                " VALUES (?, ?, ?, ?)",
                (
                    body["taken_at"],
                    snapshot.conference_sid,
                    snapshot.after_sequence,
                    json.dumps(body),
                ),
            )

    def snapshots(self) -> Iterator[ConferenceSnapshot]:
        for (body,) in self._db.execute("SELECT body FROM snapshots ORDER BY id"):
            data = json.loads(body)
            participants = tuple(
                ParticipantSnapshot(**{**p, "joined_at": _from_iso(p["joined_at"])})
                for p in data.pop("participants")
            )
            taken_at = datetime.fromisoformat(data.pop("taken_at"))
            yield ConferenceSnapshot(**data, taken_at=taken_at, participants=participants)

    # ---- actions ---------------------------------------------------------------------------

    def record_action(
        self,
        at: datetime,
        conference_sid: str,
        call_sid: str | None,
        kind: str,
        *,
        origin: str = "host",
        params: Mapping[str, str] | None = None,
    ) -> int:
        """Journal an action as it is sent; returns its id for finish/confirm."""
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO actions (at, conference_sid, call_sid, kind, origin, params)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (_iso(at), conference_sid, call_sid, kind, origin, json.dumps(dict(params or {}))),
            )
        return int(cursor.lastrowid or 0)

    def finish_action(
        self, action_id: int, at: datetime, *, ok: bool, error: str | None = None
    ) -> None:
        """The REST answer: ok, or the user-readable error."""
        with self._transaction():
            self._db.execute(
                "UPDATE actions SET ok = ?, error = ?, finished_at = ? WHERE id = ?",
                (int(ok), error, _iso(at), action_id),
            )

    def confirm_action(self, action_id: int) -> None:
        """The confirming callback arrived."""
        with self._transaction():
            self._db.execute("UPDATE actions SET confirmed = 1 WHERE id = ?", (action_id,))

    def actions(self, conference_sid: str | None = None) -> list[ActionRecord]:
        query = (
            "SELECT id, at, conference_sid, call_sid, kind, origin, params, ok, confirmed, error"
            " FROM actions"
        )
        args: tuple[str, ...] = ()
        if conference_sid is not None:
            query += " WHERE conference_sid = ?"
            args = (conference_sid,)
        return [
            ActionRecord(
                id=row[0],
                at=datetime.fromisoformat(row[1]),
                conference_sid=row[2],
                call_sid=row[3],
                kind=row[4],
                origin=row[5],
                params=json.loads(row[6]),
                ok=None if row[7] is None else bool(row[7]),
                confirmed=bool(row[8]),
                error=row[9],
            )
            for row in self._db.execute(query + " ORDER BY id", args)
        ]

    # ---- plumbing --------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on error; SQLite errors become JournalError."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise JournalError(f"journal write failed: {exc}") from exc
